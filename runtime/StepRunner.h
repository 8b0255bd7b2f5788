#pragma once
// One executor step: the nodes of the frontier, run "concurrently" in
// simulated time when there are several (a parallel fan-out).
//
// Merge rule for parallel branches: every branch starts from the same state
// S0. A branch's contribution is json::diff(S0, branch state); the merged
// state applies these patches to S0 in frontier order (the order the
// parallel edge lists its targets). So different keys combine, appends to
// one array concatenate in frontier order ("add /list/-"), and a value two
// branches both set ends up with the later branch's value. A conflict the
// patch cannot apply (both removed the same key) fails the step.
//
// Telemetry order inside a step follows simulated time: every NODE_START at
// the step's start, then tool calls, token chunks, warnings and each node's
// end as they happen; a parallel branch's NODE_END carries the fan-out state
// merged with every branch finished by then, so the last one has the full
// merge.

#include "runtime/Clock.h"
#include "runtime/ExecutionObserver.h"
#include "runtime/Graph.h"
#include "runtime/Random.h"
#include "runtime/ScriptRunner.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nexus::runtime {

struct StepContext
{
    const Graph& graph;
    Rng& rng;
    Clock& clock;
    ExecutionObserver& observer;
    std::map<std::string, std::int64_t>& visits;
    std::int64_t step = 1;
    std::string threadId;
    RunEffects effects;
    // Outcomes of unscripted nodes supplied by RunOptions::outputProvider.
    const std::map<std::string, NodeOutcome>* provided = nullptr;
};

struct StepOutput
{
    bool failed = false;
    std::string failedNode;
    std::string error;
    nlohmann::json state;
    std::vector<NodeOutcome> outcomes; // in frontier order
};

StepOutput runStep(StepContext& context, const std::vector<std::string>& frontier,
                   const nlohmann::json& state);

// The merge rule above, over the branches marked done.
nlohmann::json mergeBranches(const nlohmann::json& base, const std::vector<NodeOutcome>& outcomes,
                             const std::vector<bool>& done);

} // namespace nexus::runtime
