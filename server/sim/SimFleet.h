#pragma once
// The sandbox fleet's roster: N instances across the deployments of the
// architecture plan (dasher, dash-ai, dev), versions, regions and hosts,
// each with the sample graphs it runs, and three planted faults worth
// finding: a slow instance, an error-prone one and one whose quality drifts
// down over minutes (docs/fleet-simulator.md).

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::server {

enum class SimFault
{
    None,
    Slow,       // latencies x slowLatencyFactor
    ErrorProne, // every node may fail with errorProneProbability
    Drifting,   // quality falls by driftPerMinute, down to -maxDrift
};
const char* simFaultName(SimFault fault); // "none", "slow", "error_prone", "drifting"

struct SimFaultOptions
{
    bool enabled = true;
    double slowLatencyFactor =
        4.0; // clear of the aggregator's DEGRADED line at 3x the deployment median
    double errorProneProbability = 0.15; // per node (a 4-node run fails ~half the time)
    double driftPerMinute = 0.02;        // quality points lost per minute
    double maxDrift = 0.5;
};

struct SimInstance
{
    std::string instanceId; // stable across restarts: "dasher-use1-03"
    std::string deployment;
    std::string version;
    std::string host;
    std::string region;
    std::vector<std::string> graphs; // graph names it runs
    SimFault fault = SimFault::None;
    std::string tenantId; // FleetSimulatorOptions::tenants, in turn
};

// The graphs each deployment runs; an instance runs those of them that are
// loaded (all loaded graphs when none of them is).
std::vector<std::string> deploymentGraphs(const std::string& deployment);

// `count` instances; `graphs` are the loaded graph names. With faults on
// and at least 4 instances, three instances of the largest deployment get
// one fault each.
std::vector<SimInstance> buildRoster(int count, const std::vector<std::string>& graphs,
                                     bool faults);

} // namespace nexus::server
