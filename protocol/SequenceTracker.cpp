#include "protocol/SequenceTracker.h"

#include <algorithm>

namespace nexus::protocol {

SequenceTracker::SequenceTracker(std::size_t maxThreads)
    : maxThreads_(std::max<std::size_t>(maxThreads, 1))
{}

SequenceObservation SequenceTracker::observe(std::string_view threadId, std::uint64_t sequence)
{
    SequenceObservation result;
    if (threadId.empty() || sequence == 0)
        return result; // Unsequenced (EventBatch headers, ExecutionTrace, foreign producers)

    auto it = threads_.find(threadId);
    if (it == threads_.end()) {
        lru_.emplace_front(threadId);
        threads_.emplace(std::string(threadId), Entry{sequence + 1, lru_.begin()});
        if (threads_.size() > maxThreads_) {
            threads_.erase(lru_.back());
            lru_.pop_back();
        }
        result.verdict = SequenceVerdict::First;
        return result;
    }

    Entry& entry = it->second;
    lru_.splice(lru_.begin(), lru_, entry.lru);
    result.expected = entry.expected;
    if (sequence == entry.expected) {
        result.verdict = SequenceVerdict::InOrder;
        entry.expected = sequence + 1;
    } else if (sequence > entry.expected) {
        result.verdict = SequenceVerdict::Gap;
        result.gapSize = sequence - entry.expected;
        ++gaps_;
        missing_ += result.gapSize;
        entry.expected = sequence + 1;
    } else if (sequence + 1 == entry.expected) {
        result.verdict = SequenceVerdict::Duplicate;
        ++duplicates_;
    } else {
        result.verdict = SequenceVerdict::Reordered;
        ++reorders_;
    }
    return result;
}

void SequenceTracker::forget(std::string_view threadId)
{
    auto it = threads_.find(threadId);
    if (it == threads_.end())
        return;
    lru_.erase(it->second.lru);
    threads_.erase(it);
}

const char* sequenceVerdictName(SequenceVerdict verdict)
{
    switch (verdict) {
    case SequenceVerdict::Unsequenced:
        return "unsequenced";
    case SequenceVerdict::First:
        return "first";
    case SequenceVerdict::InOrder:
        return "in_order";
    case SequenceVerdict::Gap:
        return "gap";
    case SequenceVerdict::Duplicate:
        return "duplicate";
    case SequenceVerdict::Reordered:
        return "reordered";
    }
    return "unsequenced";
}

} // namespace nexus::protocol
