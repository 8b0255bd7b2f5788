#include "runtime/StepRunner.h"

#include <algorithm>
#include <functional>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

struct TimedEvent
{
    std::int64_t timeUs;
    std::function<bool(std::int64_t)> fire; // false stops the step (a failure)
};

NodeOutcome runNode(StepContext& context, const std::string& name, const json& state)
{
    const Node* node = context.graph.findNode(name);
    const std::int64_t visit = ++context.visits[name];
    if (!node || !node->script) {
        if (context.provided)
            if (const auto it = context.provided->find(name); it != context.provided->end())
                return it->second; // a fork's recorded or typed output
        NodeOutcome idle;          // DashFlow-shaped graphs: no behaviour, no time
        idle.state = state;
        return idle;
    }
    const ScriptContext scriptContext{name, visit, context.step, context.threadId, context.effects};
    return runScript(*node->script, state, context.rng, scriptContext);
}

// Schedules everything one node did, relative to the step start t0.
void schedule(StepContext& c, const std::string& name, const NodeOutcome& outcome, std::int64_t t0,
              std::vector<TimedEvent>& events, std::function<bool(std::int64_t)> end)
{
    std::int64_t toolsEndUs = 0;
    for (const ToolCall& call : outcome.tools) {
        events.push_back({t0 + call.startOffsetUs, [&c, &name, &call](std::int64_t t) {
                              c.observer.toolStarted(name, call, t);
                              return true;
                          }});
        events.push_back(
            {t0 + call.startOffsetUs + call.durationUs, [&c, &name, &call](std::int64_t t) {
                 c.observer.toolFinished(name, call, t);
                 return true;
             }});
        toolsEndUs = call.startOffsetUs + call.durationUs;
    }
    if (outcome.llm) {
        const auto& chunks = outcome.llm->chunks;
        const std::int64_t spanUs = std::max<std::int64_t>(0, outcome.latencyUs - toolsEndUs);
        for (std::size_t i = 0; i < chunks.size(); ++i) {
            const std::int64_t at =
                t0 + toolsEndUs + spanUs * std::int64_t(i + 1) / std::int64_t(chunks.size() + 1);
            events.push_back({at, [&c, &name, &outcome, i](std::int64_t t) {
                                  c.observer.tokenChunk(name, *outcome.llm, i, t);
                                  return true;
                              }});
        }
    }
    for (const Warning& warning : outcome.warnings)
        events.push_back({t0 + outcome.latencyUs, [&c, &name, &warning](std::int64_t t) {
                              c.observer.nodeWarning(name, warning, t);
                              return true;
                          }});
    events.push_back({t0 + outcome.latencyUs, std::move(end)});
}

} // namespace

json mergeBranches(const json& base, const std::vector<NodeOutcome>& outcomes,
                   const std::vector<bool>& done)
{
    json merged = base;
    for (std::size_t i = 0; i < outcomes.size(); ++i)
        if (done[i])
            merged = merged.patch(json::diff(base, outcomes[i].state));
    return merged;
}

StepOutput runStep(StepContext& c, const std::vector<std::string>& frontier, const json& state)
{
    const std::int64_t t0 = c.clock.nowUs();
    const bool parallel = frontier.size() > 1;
    if (parallel)
        c.observer.parallelStarted(frontier, t0);
    for (const auto& name : frontier)
        c.observer.nodeStarted(name, t0);

    StepOutput out;
    out.state = state;
    for (const auto& name : frontier)
        out.outcomes.push_back(runNode(c, name, state));

    std::vector<bool> done(frontier.size(), false);
    std::vector<TimedEvent> events;
    std::int64_t longestUs = 0;
    for (std::size_t i = 0; i < frontier.size(); ++i) {
        const NodeOutcome& outcome = out.outcomes[i];
        longestUs = std::max(longestUs, outcome.latencyUs);
        auto end = [&, i](std::int64_t t) {
            const std::string& name = frontier[i];
            if (out.outcomes[i].failed) {
                c.observer.nodeFailed(name, out.outcomes[i].error, t);
                out.failed = true;
                out.failedNode = name;
                out.error = out.outcomes[i].error;
                out.state = state;
                return false;
            }
            done[i] = true;
            try {
                out.state =
                    parallel ? mergeBranches(state, out.outcomes, done) : out.outcomes[i].state;
            } catch (const json::exception& e) {
                const std::string error = std::string("parallel merge conflict: ") + e.what();
                c.observer.nodeFailed(name, error, t);
                out.failed = true;
                out.failedNode = name;
                out.error = error;
                out.state = state;
                return false;
            }
            c.observer.nodeFinished(name, out.outcomes[i], out.state, t);
            return true;
        };
        schedule(c, frontier[i], outcome, t0, events, end);
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const TimedEvent& a, const TimedEvent& b) { return a.timeUs < b.timeUs; });
    for (const TimedEvent& event : events) {
        c.clock.advanceTo(event.timeUs);
        if (!event.fire(c.clock.nowUs()))
            return out;
    }
    c.clock.advanceTo(t0 + longestUs);
    if (parallel)
        c.observer.parallelFinished(frontier, longestUs, c.clock.nowUs());
    return out;
}

} // namespace nexus::runtime
