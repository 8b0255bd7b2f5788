#pragma once
// The time index behind TimelineView: one Run's steps, markers and node
// spans sorted by time, caught up incrementally as the run grows, so that
// painting a 100,000-step run touches only what is on screen (binary search
// by time). Steps may arrive out of time order (parallel producers, clock
// skew): new ones are sorted and merged in, never re-sorting everything.

#include "models/RunStore.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace nexus::widgets {

struct TimedStep
{
    std::int64_t us = 0;
    std::uint32_t item = 0; // a step index (an issue index for MarkerKind::Issue)
};

inline bool operator<(const TimedStep& a, const TimedStep& b)
{
    return a.us != b.us ? a.us < b.us : a.item < b.item;
}

// In paint order: later kinds are drawn on top.
enum class MarkerKind : std::uint8_t
{
    Token,
    Metric,
    Tool,
    Issue,
    Error,
};
inline constexpr int kMarkerKinds = 5;

class TimelineIndex
{
public:
    void reset() { *this = TimelineIndex(); }

    // Catches up with `run`. A run that lost steps from the front (or was
    // replaced) is indexed from scratch: returns true then.
    bool sync(const models::Run& run)
    {
        const bool rebuild = run.steps.size() < stepsSeen_ || run.evictedSteps != evicted_ ||
                             run.spans.size() < spansSeen_ || run.issues.size() < issuesSeen_;
        if (rebuild)
            reset();
        evicted_ = run.evictedSteps;
        syncSteps(run);
        syncIssues(run);
        syncSpans(run);
        minUs_ = std::numeric_limits<std::int64_t>::max();
        maxUs_ = std::numeric_limits<std::int64_t>::min();
        if (!steps_.empty()) {
            minUs_ = steps_.front().us;
            maxUs_ = steps_.back().us;
        }
        if (run.startUs != 0)
            minUs_ = std::min(minUs_, run.startUs);
        minUs_ = std::min(minUs_, minSpanStartUs_);
        maxUs_ = std::max({maxUs_, run.lastUs, run.endUs, maxSpanEndUs_});
        if (minUs_ > maxUs_)
            minUs_ = maxUs_ = 0;
        return rebuild;
    }

    const std::vector<TimedStep>& steps() const { return steps_; }
    const std::vector<TimedStep>& markers(MarkerKind kind) const
    {
        return markers_[std::size_t(kind)];
    }
    int laneCount() const { return int(lanes_.size()); }
    // Span indices of one lane by start time.
    const std::vector<int>& lane(int lane) const { return lanes_[std::size_t(lane)]; }
    // The longest finished span of a lane: spans starting earlier than
    // (visible start - this) cannot reach into view.
    std::int64_t laneMaxDurationUs(int lane) const { return laneMaxUs_[std::size_t(lane)]; }
    const std::vector<int>& activeSpans() const { return active_; }
    std::int64_t minUs() const { return minUs_; }
    std::int64_t maxUs() const { return maxUs_; }

    // Lanes are small numbers; a bad one cannot make us allocate rows for it.
    static constexpr int kMaxLanes = 256;
    static int laneOf(const models::NodeSpan& span)
    {
        return std::clamp(span.lane, 0, kMaxLanes - 1);
    }

    // Active spans run to the newest step.
    static std::int64_t spanEndUs(const models::Run& run, const models::NodeSpan& span)
    {
        if (span.state == models::NodeState::Active || span.endUs == 0)
            return std::max(span.startUs, run.lastUs);
        return std::max(span.startUs, span.endUs);
    }

    // Items of `v` with us in [from, to].
    static std::pair<std::size_t, std::size_t> range(const std::vector<TimedStep>& v,
                                                     std::int64_t from, std::int64_t to)
    {
        auto lo = std::lower_bound(v.begin(), v.end(), from,
                                   [](const TimedStep& s, std::int64_t t) { return s.us < t; });
        auto hi = std::upper_bound(lo, v.end(), to,
                                   [](std::int64_t t, const TimedStep& s) { return t < s.us; });
        return {std::size_t(lo - v.begin()), std::size_t(hi - v.begin())};
    }

    // The step closest in time to `us`; among steps at the same instant the
    // last one (the state after all of them). kNoIndex when there are none.
    std::uint32_t nearestStep(std::int64_t us) const
    {
        if (steps_.empty())
            return models::kNoIndex;
        auto it = std::lower_bound(steps_.begin(), steps_.end(), us,
                                   [](const TimedStep& s, std::int64_t t) { return s.us < t; });
        if (it == steps_.end())
            return steps_.back().item;
        if (it != steps_.begin()) {
            auto prev = it - 1;
            if (us - prev->us < it->us - us)
                return prev->item;
        }
        while (it + 1 != steps_.end() && (it + 1)->us == it->us)
            ++it;
        return it->item;
    }

private:
    static void mergeTail(std::vector<TimedStep>& v, std::size_t oldSize)
    {
        if (oldSize == v.size())
            return;
        const auto mid = v.begin() + std::ptrdiff_t(oldSize);
        if (!std::is_sorted(mid, v.end()))
            std::sort(mid, v.end());
        if (oldSize > 0 && *mid < *(mid - 1))
            std::inplace_merge(v.begin(), mid, v.end());
    }

    static int markerOf(models::StepKind kind)
    {
        switch (kind) {
        case models::StepKind::TokenChunk:
            return int(MarkerKind::Token);
        case models::StepKind::Metrics:
            return int(MarkerKind::Metric);
        case models::StepKind::ToolExecution:
            return int(MarkerKind::Tool);
        case models::StepKind::Error:
        case models::StepKind::NodeError:
        case models::StepKind::GraphError:
            return int(MarkerKind::Error);
        default:
            return -1;
        }
    }

    void syncSteps(const models::Run& run)
    {
        std::array<std::size_t, kMarkerKinds> markerSizes{};
        for (int k = 0; k < kMarkerKinds; ++k)
            markerSizes[std::size_t(k)] = markers_[std::size_t(k)].size();
        const std::size_t oldSize = steps_.size();
        for (std::size_t i = stepsSeen_; i < run.steps.size(); ++i) {
            const models::Step& step = run.steps[i];
            const TimedStep t{step.timestampUs, std::uint32_t(i)};
            steps_.push_back(t);
            if (const int m = markerOf(step.kind); m >= 0)
                markers_[std::size_t(m)].push_back(t);
        }
        stepsSeen_ = run.steps.size();
        mergeTail(steps_, oldSize);
        for (int k = 0; k < kMarkerKinds; ++k)
            if (k != int(MarkerKind::Issue))
                mergeTail(markers_[std::size_t(k)], markerSizes[std::size_t(k)]);
    }

    void syncIssues(const models::Run& run)
    {
        auto& issues = markers_[std::size_t(MarkerKind::Issue)];
        const std::size_t oldSize = issues.size();
        for (std::size_t i = issuesSeen_; i < run.issues.size(); ++i) {
            const std::uint32_t step = run.issues[i].step;
            const std::int64_t us =
                step < run.steps.size() ? run.steps[step].timestampUs : run.lastUs;
            issues.push_back({us, std::uint32_t(i)});
        }
        issuesSeen_ = run.issues.size();
        mergeTail(issues, oldSize);
    }

    void noteFinished(const models::Run& run, int index)
    {
        const models::NodeSpan& span = run.spans[std::size_t(index)];
        const std::size_t lane = std::size_t(laneOf(span));
        const std::int64_t end = spanEndUs(run, span);
        laneMaxUs_[lane] = std::max(laneMaxUs_[lane], end - span.startUs);
        maxSpanEndUs_ = std::max(maxSpanEndUs_, end);
    }

    void syncSpans(const models::Run& run)
    {
        for (std::size_t i = spansSeen_; i < run.spans.size(); ++i) {
            const models::NodeSpan& span = run.spans[i];
            const std::size_t lane = std::size_t(laneOf(span));
            if (lane >= lanes_.size()) {
                lanes_.resize(lane + 1);
                laneMaxUs_.resize(lane + 1, 0);
            }
            auto& spans = lanes_[lane];
            auto at = std::upper_bound(
                spans.begin(), spans.end(), span.startUs,
                [&run](std::int64_t t, int s) { return t < run.spans[std::size_t(s)].startUs; });
            spans.insert(at, int(i));
            minSpanStartUs_ = std::min(minSpanStartUs_, span.startUs);
            if (span.state == models::NodeState::Active)
                active_.push_back(int(i));
            else
                noteFinished(run, int(i));
        }
        spansSeen_ = run.spans.size();
        std::erase_if(active_, [&](int i) {
            if (run.spans[std::size_t(i)].state == models::NodeState::Active)
                return false;
            noteFinished(run, i);
            return true;
        });
    }

    std::size_t stepsSeen_ = 0;
    std::size_t spansSeen_ = 0;
    std::size_t issuesSeen_ = 0;
    std::uint64_t evicted_ = 0;
    std::vector<TimedStep> steps_;
    std::array<std::vector<TimedStep>, kMarkerKinds> markers_;
    std::vector<std::vector<int>> lanes_;
    std::vector<std::int64_t> laneMaxUs_;
    std::vector<int> active_;
    std::int64_t minSpanStartUs_ = std::numeric_limits<std::int64_t>::max();
    std::int64_t maxSpanEndUs_ = std::numeric_limits<std::int64_t>::min();
    std::int64_t minUs_ = 0;
    std::int64_t maxUs_ = 0;
};

} // namespace nexus::widgets
