#pragma once
// Where a graph goes after a node, from a state: the one routing rule of the
// runtime, shared by the Executor (which follows it) and replay (which
// checks a recorded run against it). docs/graph-format.md, "Edges".

#include "runtime/Graph.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nexus::runtime {

struct RouteOutcome
{
    enum class Status
    {
        Routed,      // `taken` / `targets` say where the run goes
        NotRoutable, // a conditional edge without declarative conditions
        NoRoute,     // no route matches the state and none is the default
    };
    Status status = Status::Routed;
    // Edges taken, in declaration order: every direct / parallel edge, or
    // the chosen route. Empty for a node without edges.
    std::vector<const Edge*> taken;
    // Their targets; {"__end__"} for a node without edges (it ends its branch).
    std::vector<std::string> targets;
    // Every target an edge out of the node names (for "cannot check" cases).
    std::vector<std::string> possibleTargets;
    std::string message; // why it is not Routed, as the run failure says it
};

// Routes out of `from`: direct and parallel edges all, a conditional edge
// by the first route whose `when` holds on `state`, else its default.
RouteOutcome routeFrom(const Graph& graph, const std::string& from, const nlohmann::json& state);

// The next frontier from the targets of every node a step completed: in
// order, without duplicates; "__end__" only ends the run when no other
// target remains (an empty frontier = the run is done).
std::vector<std::string> nextFrontier(const std::vector<std::string>& targets);

} // namespace nexus::runtime
