#pragma once
// Per-thread sequence bookkeeping (DASHSTREAM.md §3.3). A sequence is a hint,
// not a cursor: the tracker reports gaps, duplicates and reorders and never
// tells the caller to drop anything.

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nexus::protocol {

enum class SequenceVerdict
{
    Unsequenced, // sequence 0 or empty thread id: not tracked
    First,       // first sequence seen on the thread: the baseline, no gap
    InOrder,     // exactly the expected next sequence
    Gap,         // later than expected; gapSize sequences are missing
    Duplicate,   // expected - 1: the previous one again
    Reordered,   // older than expected - 1
};

struct SequenceObservation
{
    SequenceVerdict verdict = SequenceVerdict::Unsequenced;
    std::uint64_t expected = 0; // what was expected before this observation
    std::uint64_t gapSize = 0;  // for Gap
};

class SequenceTracker
{
public:
    explicit SequenceTracker(std::size_t maxThreads = 100'000);

    SequenceObservation observe(std::string_view threadId, std::uint64_t sequence);
    void forget(std::string_view threadId);

    std::size_t trackedThreads() const { return threads_.size(); }
    std::uint64_t gaps() const { return gaps_; }
    std::uint64_t missing() const { return missing_; }
    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t reorders() const { return reorders_; }

private:
    struct Entry
    {
        std::uint64_t expected;
        std::list<std::string>::iterator lru;
    };
    struct Hash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept
        {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::size_t maxThreads_;
    std::list<std::string> lru_; // most recently seen at the front
    std::unordered_map<std::string, Entry, Hash, std::equal_to<>> threads_;
    std::uint64_t gaps_ = 0, missing_ = 0, duplicates_ = 0, reorders_ = 0;
};

const char* sequenceVerdictName(SequenceVerdict verdict);

} // namespace nexus::protocol
