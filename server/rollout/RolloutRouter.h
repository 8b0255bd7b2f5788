#pragma once
// How the fleet learns which share of its runs goes to a canary: the
// rollout controller answers, the simulator (or a real router) asks before
// every run.

#include <optional>
#include <string>

namespace nexus::server {

struct RouteDecision
{
    std::string rolloutId;
    std::string versionId;         // the canary
    std::string baselineVersionId; // what the other runs use ("" = the graph as shipped)
    std::string nodeId;
    int weightPercent = 0; // 0..100 of runs to the canary
    std::string tenantId;  // the tenant whose runs it routes; "" = every tenant
};

class RolloutRouter
{
public:
    virtual ~RolloutRouter() = default;
    // The active rollout of a graph for a run of `tenantId`, if any (at most
    // one per graph): a fleet-wide rollout routes every tenant's runs, a
    // tenant's rollout only that tenant's.
    virtual std::optional<RouteDecision> activeRoute(const std::string& graphName,
                                                     const std::string& tenantId = {}) = 0;
};

} // namespace nexus::server
