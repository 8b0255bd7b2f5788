// The replay itself: recorded outputs applied to the replayed state, hashes
// recomputed, routing checked against the graph (runtime/Routing.h, the
// rule the Executor follows).
#include "protocol/CanonicalJson.h"
#include "protocol/Ids.h"
#include "runtime/Replay.h"
#include "runtime/Routing.h"

#include <algorithm>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

// Mismatch and NotApplied outrank everything; Verified only when all are.
void combine(std::optional<StepVerdict>& acc, StepVerdict v)
{
    if (!acc || v == StepVerdict::Mismatch || v == StepVerdict::NotApplied) {
        if (!acc || *acc != StepVerdict::Mismatch)
            acc = v;
        return;
    }
    if (*acc == StepVerdict::Verified && v == StepVerdict::Unverified)
        acc = v;
}

// The recorded update applied to `state`; null (NotApplied) when it cannot be.
JsonPtr applyUpdate(const JsonPtr& state, const RecordedUpdate& update, StepVerdict& verdict)
{
    if (!state) {
        verdict = StepVerdict::NotApplied;
        return nullptr;
    }
    try {
        json next = *state;
        next.patch_inplace(update.patch);
        switch (protocol::verifyStateHash(next, update.recordedHash)) {
        case protocol::HashVerdict::Verified:
            verdict = StepVerdict::Verified;
            break;
        case protocol::HashVerdict::Mismatch:
            verdict = StepVerdict::Mismatch;
            break;
        case protocol::HashVerdict::Unverified:
            verdict = StepVerdict::Unverified;
            break;
        }
        return std::make_shared<const json>(std::move(next));
    } catch (const json::exception&) {
        verdict = StepVerdict::NotApplied;
        return nullptr;
    }
}

std::vector<std::string> sortedSet(std::vector<std::string> names)
{
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string listOf(const std::vector<std::string>& names)
{
    if (names.empty())
        return "nowhere";
    std::string out;
    for (const auto& name : names)
        out += (out.empty() ? "\"" : ", \"") + name + "\"";
    return out;
}

std::vector<std::string> orEnd(std::vector<std::string> frontier)
{
    if (frontier.empty())
        frontier.push_back(kEndNode);
    return frontier;
}

} // namespace

void ReplaySession::analyse()
{
    const auto& executions = recording_.executions;
    steps_.assign(executions.size(), ReplayStep{});
    JsonPtr state = recording_.initialState;
    JsonPtr stepInput;
    std::int64_t superStep = -1;
    std::optional<StepVerdict> allUpdates;
    for (std::size_t i = 0; i < executions.size(); ++i) {
        if (!progressed(i))
            return;
        const RecordedExecution& e = executions[i];
        ReplayStep& s = steps_[i];
        s.step = i + 1;
        s.node = e.node;
        s.superStep = e.superStep;
        s.visit = e.visit;
        s.updates = e.updatesBefore.size();
        std::optional<StepVerdict> updates;
        for (const RecordedUpdate& update : e.updatesBefore) {
            StepVerdict verdict = StepVerdict::Unverified;
            state = applyUpdate(state, update, verdict);
            combine(updates, verdict);
            combine(allUpdates, verdict);
        }
        s.updatesHash = updates.value_or(StepVerdict::Unverified);
        if (e.superStep != superStep) {
            stepInput = state;
            superStep = e.superStep;
        }
        s.stateBefore = stepInput;
        s.recordedHash = protocol::toHex(e.recordedHash);
        JsonPtr after;
        if (!e.hasStateDiff) {
            after = state; // the node sent no StateDiff: nothing to apply, nothing to verify
        } else if (e.fullState && e.stateAfter) {
            after = e.stateAfter; // a full state replaces whatever was before
        } else if (state && e.verdict != StepVerdict::NotApplied) {
            try {
                json next = *state;
                next.patch_inplace(e.output);
                after = std::make_shared<const json>(std::move(next));
            } catch (const json::exception&) {
                after = nullptr;
            }
        }
        if (!after) {
            s.hash = StepVerdict::NotApplied;
        } else if (e.hasStateDiff) {
            const std::string bytes = protocol::stateHashBytes(*after);
            s.replayedHash = protocol::toHex(bytes);
            s.hash = e.recordedHash.empty()    ? StepVerdict::Unverified
                     : bytes == e.recordedHash ? StepVerdict::Verified
                                               : StepVerdict::Mismatch;
        }
        s.stateAfter = after;
        state = after;
    }
    std::optional<StepVerdict> final;
    for (const RecordedUpdate& update : recording_.finalUpdates) {
        StepVerdict verdict = StepVerdict::Unverified;
        state = applyUpdate(state, update, verdict);
        combine(final, verdict);
    }
    finalState_ = state;

    checkRouting();
    if (!progressed(2 * executions.size()))
        return;

    report_.threadId = recording_.threadId;
    report_.otherThreads = recording_.otherThreads();
    report_.graphName = graph_ ? graph_->name : std::string();
    report_.graphSource = graph_ ? options_.graphSource : std::string("none");
    report_.graphSchemaId = graph_ ? schemaId(*graph_) : std::string();
    report_.recordedSchemaId = recording_.schemaId;
    report_.status = recording_.status;
    report_.steps = steps_.size();
    for (const ReplayStep& s : steps_) {
        auto& h = report_.hashes;
        s.hash == StepVerdict::Verified     ? ++h.verified
        : s.hash == StepVerdict::Mismatch   ? ++h.mismatched
        : s.hash == StepVerdict::NotApplied ? ++h.notApplied
                                            : ++h.unverified;
    }
    report_.updatesHash = allUpdates.value_or(StepVerdict::Unverified);
    report_.finalHash = final.value_or(StepVerdict::Unverified);
    report_.problems = recording_.problems;
}

void ReplaySession::addDivergence(std::size_t index, DivergenceKind kind, std::string reason,
                                  std::vector<std::string> recorded,
                                  std::vector<std::string> expected)
{
    ReplayStep& s = steps_[index];
    s.route = RouteVerdict::Diverges;
    s.routeDetail = reason;
    s.recordedNext = recorded;
    s.expectedNext = expected;
    report_.divergences.push_back(
        {s.step, s.node, kind, std::move(recorded), std::move(expected), std::move(reason)});
    if (!s.divergence)
        s.divergence = report_.divergences.size() - 1;
}

void ReplaySession::checkRouting()
{
    const auto& executions = recording_.executions;
    for (std::size_t first = 0; first < executions.size();) {
        if (!progressed(executions.size() + first))
            return;
        std::size_t last = first;
        while (last + 1 < executions.size() &&
               executions[last + 1].superStep == executions[first].superStep)
            ++last;
        // The state the step's nodes route on: the replayed state at its end,
        // with an "after" interrupt's answer when one came before the edges.
        JsonPtr routing = steps_[last].stateAfter;
        if (last + 1 < executions.size())
            for (const RecordedUpdate& update : executions[last + 1].updatesBefore)
                if (update.beforeRouting) {
                    StepVerdict ignored = StepVerdict::Unverified;
                    routing = applyUpdate(routing, update, ignored);
                }
        if (!routing)
            routing = executions[last].routingState; // the recording's, when replay lost it
        for (std::size_t i = first; i <= last; ++i)
            checkNode(i, routing);
        checkStep(first, last, routing);
        first = last + 1;
    }
}

void ReplaySession::checkNode(std::size_t index, const JsonPtr& routing)
{
    const RecordedExecution& e = recording_.executions[index];
    ReplayStep& s = steps_[index];
    s.recordedNext = e.next;
    if (!graph_) {
        s.route = RouteVerdict::CannotCheck;
        s.routeDetail = "cannot check: the recording carries no graph; give one to check against";
        return;
    }
    if (!graph_->findNode(e.node)) {
        addDivergence(index, DivergenceKind::UnknownNode,
                      "the graph has no node \"" + e.node + "\"", e.next, {});
        return;
    }
    // A fork's trace starts where its origin was forked, not at the entry point.
    const auto forkedFrom = recording_.attributes.find("forked_from_step");
    const bool fromEntry = forkedFrom == recording_.attributes.end() || forkedFrom->second == "0";
    if (index == 0 && fromEntry && e.node != graph_->entryPoint)
        addDivergence(index, DivergenceKind::EntryPoint,
                      "the run started at \"" + e.node + "\"; the graph's entry point is \"" +
                          graph_->entryPoint + "\"",
                      {e.node}, {graph_->entryPoint});
    if (e.failed || e.nextSource == NextSource::Unknown) {
        if (s.route != RouteVerdict::Diverges) {
            s.route = RouteVerdict::NotApplicable;
            s.routeDetail = e.failed ? "the node failed; the run did not route out of it"
                                     : "the recording ends before the run routed out of this node";
        }
        return;
    }
    if (e.nextSource != NextSource::Edges)
        return; // no targets recorded: checked with the whole step (checkStep)
    if (!routing) {
        s.route = RouteVerdict::CannotCheck;
        s.routeDetail = "cannot check: the state at this step is unknown";
        return;
    }
    const RouteOutcome outcome = routeFrom(*graph_, e.node, *routing);
    if (outcome.status == RouteOutcome::Status::NotRoutable) {
        for (const auto& to : e.next)
            if (std::find(outcome.possibleTargets.begin(), outcome.possibleTargets.end(), to) ==
                outcome.possibleTargets.end()) {
                addDivergence(index, DivergenceKind::UnknownTarget,
                              "the graph has no edge from \"" + e.node + "\" to \"" + to + "\"",
                              e.next, outcome.possibleTargets);
                return;
            }
        if (s.route != RouteVerdict::Diverges) {
            s.route = RouteVerdict::CannotCheck;
            s.routeDetail = "cannot check: no condition on the conditional edge from \"" + e.node +
                            "\"; the recorded route is one the graph has";
        }
        return;
    }
    if (outcome.status == RouteOutcome::Status::NoRoute) {
        addDivergence(index, DivergenceKind::NoRoute,
                      outcome.message + "; the recording went to " + listOf(e.next), e.next, {});
        return;
    }
    if (sortedSet(e.next) == sortedSet(outcome.targets)) {
        if (s.route != RouteVerdict::Diverges) {
            s.route = RouteVerdict::Agrees;
            s.expectedNext = outcome.targets;
        }
        return;
    }
    const std::string label =
        outcome.taken.size() == 1 && outcome.taken.front()->kind == EdgeKind::Conditional
            ? " (route \"" + outcome.taken.front()->label + "\")"
            : std::string();
    addDivergence(index, DivergenceKind::Route,
                  "from this state the graph routes \"" + e.node + "\" to " +
                      listOf(outcome.targets) + label + "; the recording went to " + listOf(e.next),
                  e.next, outcome.targets);
}

// Steps whose nodes recorded no targets (DashFlow; nodes without edges):
// the graph's next frontier against the nodes the recording ran next.
void ReplaySession::checkStep(std::size_t first, std::size_t last, const JsonPtr& routing)
{
    const auto& executions = recording_.executions;
    std::vector<std::size_t> unchecked;
    for (std::size_t i = first; i <= last; ++i) {
        const RecordedExecution& e = executions[i];
        if (e.failed || e.nextSource == NextSource::Edges || e.nextSource == NextSource::Unknown)
            continue;
        if (!graph_ || !graph_->findNode(e.node))
            return; // already reported
        unchecked.push_back(i);
    }
    if (unchecked.empty())
        return;
    const RecordedExecution& tail = executions[unchecked.back()];
    const std::vector<std::string> recorded =
        tail.nextSource == NextSource::RunEnd ? std::vector<std::string>{} : tail.next;
    auto mark = [&](RouteVerdict verdict, const std::string& detail,
                    const std::vector<std::string>& expected) {
        for (const std::size_t i : unchecked)
            if (steps_[i].route != RouteVerdict::Diverges) {
                steps_[i].route = verdict;
                steps_[i].routeDetail = detail;
                steps_[i].recordedNext = orEnd(recorded);
                steps_[i].expectedNext = expected;
            }
    };
    if (!routing) {
        mark(RouteVerdict::CannotCheck, "cannot check: the state at this step is unknown", {});
        return;
    }
    std::vector<std::string> targets, possible;
    bool routable = true;
    for (std::size_t i = first; i <= last; ++i) {
        const RouteOutcome outcome = routeFrom(*graph_, executions[i].node, *routing);
        if (outcome.status == RouteOutcome::Status::NoRoute) {
            addDivergence(unchecked.back(), DivergenceKind::NoRoute,
                          outcome.message + "; the recording went to " + listOf(orEnd(recorded)),
                          orEnd(recorded), {});
            return;
        }
        routable = routable && outcome.status == RouteOutcome::Status::Routed;
        targets.insert(targets.end(), outcome.targets.begin(), outcome.targets.end());
        possible.insert(possible.end(), outcome.possibleTargets.begin(),
                        outcome.possibleTargets.end());
    }
    if (!routable) {
        for (const auto& to : orEnd(recorded))
            if (std::find(possible.begin(), possible.end(), to) == possible.end()) {
                addDivergence(unchecked.back(), DivergenceKind::UnknownTarget,
                              "the graph has no edge from this step's nodes to \"" + to + "\"",
                              orEnd(recorded), sortedSet(possible));
                return;
            }
        mark(RouteVerdict::CannotCheck,
             "cannot check: no condition on a conditional edge of this step; the recorded next "
             "step is one the graph has",
             {});
        return;
    }
    const std::vector<std::string> expected = nextFrontier(targets);
    if (sortedSet(expected) == sortedSet(recorded)) {
        mark(RouteVerdict::Agrees, {}, orEnd(expected));
        return;
    }
    addDivergence(unchecked.back(), DivergenceKind::Route,
                  "from this state the graph goes on to " + listOf(orEnd(expected)) +
                      "; the recording went to " + listOf(orEnd(recorded)),
                  orEnd(recorded), orEnd(expected));
}

} // namespace nexus::runtime
