#include "runtime/Routing.h"

#include <algorithm>

namespace nexus::runtime {
namespace {

void appendUnique(std::vector<std::string>& list, const std::string& item)
{
    if (std::find(list.begin(), list.end(), item) == list.end())
        list.push_back(item);
}

} // namespace

RouteOutcome routeFrom(const Graph& graph, const std::string& from, const nlohmann::json& state)
{
    RouteOutcome outcome;
    const auto out = graph.outgoing(from);
    for (const Edge* edge : out)
        appendUnique(outcome.possibleTargets, edge->to);
    if (out.empty()) {
        outcome.targets = {kEndNode}; // a node without edges ends its branch
        outcome.possibleTargets = {kEndNode};
        return outcome;
    }
    if (out.front()->kind != EdgeKind::Conditional) {
        for (const Edge* edge : out) {
            outcome.taken.push_back(edge);
            appendUnique(outcome.targets, edge->to);
        }
        return outcome;
    }
    const Edge* chosen = nullptr;
    const Edge* fallback = nullptr;
    bool declarative = false;
    for (const Edge* edge : out) {
        declarative = declarative || edge->when || edge->isDefault;
        if (edge->isDefault && !fallback)
            fallback = edge;
        if (!chosen && edge->when && edge->when->evaluate(state))
            chosen = edge;
    }
    chosen = chosen ? chosen : fallback;
    if (!declarative) {
        outcome.status = RouteOutcome::Status::NotRoutable;
        outcome.message = "conditional edge from \"" + from +
                          "\" has no declarative condition (a graph loaded from DashFlow's "
                          "schema can be drawn, not routed)";
        return outcome;
    }
    if (!chosen) {
        outcome.status = RouteOutcome::Status::NoRoute;
        outcome.message =
            "no route from \"" + from + "\" matches the state and none is the default";
        return outcome;
    }
    outcome.taken = {chosen};
    outcome.targets = {chosen->to};
    return outcome;
}

std::vector<std::string> nextFrontier(const std::vector<std::string>& targets)
{
    std::vector<std::string> next;
    for (const auto& target : targets)
        appendUnique(next, target);
    if (next.size() > 1)
        next.erase(std::remove(next.begin(), next.end(), kEndNode), next.end());
    if (next.size() == 1 && next.front() == kEndNode)
        next.clear();
    return next;
}

} // namespace nexus::runtime
