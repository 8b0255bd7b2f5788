// ReplaySession: navigation and breakpoints over the analysed replay
// (ReplayAnalysis.cpp), names of the replay enums.
#include "runtime/Replay.h"

#include <algorithm>

namespace nexus::runtime {

const char* routeVerdictName(RouteVerdict verdict)
{
    switch (verdict) {
    case RouteVerdict::Agrees:
        return "agrees";
    case RouteVerdict::Diverges:
        return "diverges";
    case RouteVerdict::CannotCheck:
        return "cannot_check";
    case RouteVerdict::NotApplicable:
        return "not_applicable";
    }
    return "not_applicable";
}

const char* divergenceKindName(DivergenceKind kind)
{
    switch (kind) {
    case DivergenceKind::UnknownNode:
        return "unknown_node";
    case DivergenceKind::EntryPoint:
        return "entry_point";
    case DivergenceKind::Route:
        return "route";
    case DivergenceKind::NoRoute:
        return "no_route";
    case DivergenceKind::UnknownTarget:
        return "unknown_target";
    }
    return "route";
}

const char* stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::Step:
        return "step";
    case StopReason::Reached:
        return "reached";
    case StopReason::Start:
        return "start";
    case StopReason::End:
        return "end";
    case StopReason::Breakpoint:
        return "breakpoint";
    case StopReason::Divergence:
        return "divergence";
    case StopReason::HashMismatch:
        return "hash_mismatch";
    }
    return "step";
}

bool ReplayReport::ok() const
{
    auto applies = [](StepVerdict v) {
        return v != StepVerdict::Mismatch && v != StepVerdict::NotApplied;
    };
    return hashes.mismatched == 0 && hashes.notApplied == 0 && applies(updatesHash) &&
           applies(finalHash) && divergences.empty() && problems.empty();
}

const Divergence* ReplayReport::firstDivergence() const
{
    return divergences.empty() ? nullptr : &divergences.front();
}

ReplaySession::ReplaySession(Recording recording, std::optional<Graph> graph, ReplayOptions options)
    : recording_(std::move(recording)), graph_(graph ? std::move(graph) : recording_.graph),
      options_(std::move(options))
{
    analyse();
    options_.progress = nullptr;
    if (cancelled_) // the report must not read as a clean replay
        report_.problems.push_back(
            {0, 0, false, "cancelled", "the replay was cancelled before it checked every step"});
}

bool ReplaySession::progressed(std::size_t done)
{
    const std::size_t total = 2 * recording_.executions.size();
    if (cancelled_ || !options_.progress || (done < nextProgress_ && done != total))
        return !cancelled_;
    nextProgress_ = done + kProgressEvery;
    cancelled_ = !options_.progress(done, total);
    return !cancelled_;
}

JsonPtr ReplaySession::stateAt(std::size_t position) const
{
    if (position == 0)
        return recording_.initialState;
    if (position > steps_.size())
        return nullptr;
    return steps_[position - 1].stateAfter;
}

const ReplayStep* ReplaySession::lastStep() const
{
    return position_ == 0 ? nullptr : &steps_[position_ - 1];
}

const ReplayStep* ReplaySession::nextStep() const
{
    return position_ < steps_.size() ? &steps_[position_] : nullptr;
}

bool ReplaySession::isStepBoundary(std::size_t position) const
{
    if (position == 0 || position >= steps_.size())
        return position <= steps_.size();
    return steps_[position - 1].superStep != steps_[position].superStep;
}

std::vector<int> ReplaySession::breakpointsAt(std::size_t position) const
{
    std::vector<int> hits;
    if (position > steps_.size())
        return hits;
    const JsonPtr state = stateAt(position);
    for (const Breakpoint& bp : breakpoints_) {
        if (!bp.enabled)
            continue;
        bool holds = false;
        switch (bp.kind) {
        case BreakpointKind::BeforeNode:
            holds = position < steps_.size() && steps_[position].node == bp.node;
            break;
        case BreakpointKind::AfterNode:
            holds = position > 0 && steps_[position - 1].node == bp.node;
            break;
        case BreakpointKind::StateCondition:
            holds = state && bp.when && bp.when->evaluate(*state);
            break;
        }
        if (holds)
            hits.push_back(bp.id);
    }
    return hits;
}

// What stops a forward move that just arrived at `position` (>= 1).
StopInfo ReplaySession::stopsAt(std::size_t position) const
{
    StopInfo info{StopReason::Step, position, {}, {}};
    const ReplayStep& s = steps_[position - 1];
    const auto bad = [](StepVerdict v) {
        return v == StepVerdict::Mismatch || v == StepVerdict::NotApplied;
    };
    if (options_.stopOnHashMismatch && (bad(s.hash) || bad(s.updatesHash))) {
        info.reason = StopReason::HashMismatch;
        info.detail = "step " + std::to_string(s.step) + " (" + s.node + "): " +
                      (bad(s.hash) ? "the replayed state does not match the recorded hash"
                                   : "a recorded update before it does not verify");
        return info;
    }
    if (options_.stopOnDivergence && s.divergence) {
        info.reason = StopReason::Divergence;
        info.detail = "step " + std::to_string(s.step) + " (" + s.node +
                      "): " + report_.divergences[*s.divergence].reason;
        return info;
    }
    info.breakpoints = breakpointsAt(position);
    if (!info.breakpoints.empty()) {
        info.reason = StopReason::Breakpoint;
        info.detail = "breakpoint at position " + std::to_string(position);
    }
    return info;
}

StopInfo ReplaySession::step()
{
    if (position_ >= steps_.size())
        return {StopReason::End, position_, {}, "at the end of the run"};
    StopInfo info = stopsAt(++position_);
    if (info.reason == StopReason::Step && position_ == steps_.size())
        info.reason = StopReason::End;
    return info;
}

StopInfo ReplaySession::stepBack()
{
    if (position_ == 0)
        return {StopReason::Start, 0, {}, "at the start of the run"};
    --position_;
    return {StopReason::Step, position_, {}, {}};
}

StopInfo ReplaySession::continueForward()
{
    return runTo(steps_.size());
}

StopInfo ReplaySession::runTo(std::size_t target)
{
    target = std::min(target, steps_.size());
    if (target <= position_) {
        if (position_ == steps_.size())
            return {StopReason::End, position_, {}, "at the end of the run"};
        return seek(target);
    }
    while (position_ < target) {
        StopInfo info = stopsAt(++position_);
        if (info.reason != StopReason::Step)
            return info;
    }
    if (position_ == steps_.size())
        return {StopReason::End, position_, {}, "at the end of the run"};
    return {StopReason::Reached, position_, {}, {}};
}

StopInfo ReplaySession::seek(std::size_t target)
{
    position_ = std::min(target, steps_.size());
    return {StopReason::Reached, position_, {}, {}};
}

int ReplaySession::addBreakpointBefore(const std::string& node)
{
    breakpoints_.push_back({nextBreakpointId_, BreakpointKind::BeforeNode, node, {}, true});
    return nextBreakpointId_++;
}

int ReplaySession::addBreakpointAfter(const std::string& node)
{
    breakpoints_.push_back({nextBreakpointId_, BreakpointKind::AfterNode, node, {}, true});
    return nextBreakpointId_++;
}

Result<int> ReplaySession::addBreakpointWhen(const nlohmann::json& condition)
{
    auto parsed = Condition::parse(condition);
    if (!parsed)
        return parsed.error();
    breakpoints_.push_back(
        {nextBreakpointId_, BreakpointKind::StateCondition, {}, std::move(*parsed), true});
    return nextBreakpointId_++;
}

bool ReplaySession::removeBreakpoint(int id)
{
    const auto it = std::find_if(breakpoints_.begin(), breakpoints_.end(),
                                 [id](const Breakpoint& bp) { return bp.id == id; });
    if (it == breakpoints_.end())
        return false;
    breakpoints_.erase(it);
    return true;
}

bool ReplaySession::setBreakpointEnabled(int id, bool enabled)
{
    for (Breakpoint& bp : breakpoints_)
        if (bp.id == id) {
            bp.enabled = enabled;
            return true;
        }
    return false;
}

} // namespace nexus::runtime
