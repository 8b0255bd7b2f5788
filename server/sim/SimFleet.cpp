#include "server/sim/SimFleet.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

namespace nexus::server {
namespace {

struct RegionName
{
    const char* region;
    const char* shortName;
};
constexpr std::array<RegionName, 3> kRegions = {
    {{"us-east-1", "use1"}, {"eu-west-1", "euw1"}, {"ap-southeast-2", "apse2"}}};

// dasher is the swarm (most instances), dash-ai the serving fleet, dev a few.
const char* deploymentOf(int index, int count)
{
    const int dasher = std::max(1, count * 5 / 12);
    const int dashAi = std::max(1, count * 5 / 12);
    if (index < dasher)
        return "dasher";
    if (index < dasher + dashAi || count < 3)
        return "dash-ai";
    return "dev";
}

// Most instances run the current release, a few lag behind, dev runs the
// release candidate.
const char* versionOf(const std::string& deployment, int indexInDeployment)
{
    if (deployment == "dev")
        return indexInDeployment % 2 == 0 ? "2.0.0-rc1" : "1.9.0";
    if (indexInDeployment % 4 == 3)
        return "1.8.2";
    return "1.9.0";
}

} // namespace

const char* simFaultName(SimFault fault)
{
    switch (fault) {
    case SimFault::None:
        return "none";
    case SimFault::Slow:
        return "slow";
    case SimFault::ErrorProne:
        return "error_prone";
    case SimFault::Drifting:
        return "drifting";
    }
    return "none";
}

std::vector<std::string> deploymentGraphs(const std::string& deployment)
{
    if (deployment == "dasher")
        return {"coding_agent", "research_team"};
    if (deployment == "dash-ai")
        return {"rag_pipeline", "support_triage"};
    return {"coding_agent", "rag_pipeline", "research_team", "support_triage"};
}

std::vector<SimInstance> buildRoster(int count, const std::vector<std::string>& graphs, bool faults)
{
    std::vector<SimInstance> roster;
    std::map<std::string, int> perDeployment;
    for (int i = 0; i < count; ++i) {
        SimInstance instance;
        instance.deployment = deploymentOf(i, count);
        const int n = perDeployment[instance.deployment]++;
        const RegionName& region = kRegions[std::size_t(n) % kRegions.size()];
        char id[64], host[64];
        std::snprintf(id, sizeof id, "%s-%s-%02d", instance.deployment.c_str(), region.shortName,
                      n + 1);
        std::snprintf(host, sizeof host, "%s-node-%c%02d", instance.deployment.c_str(), 'a' + n % 3,
                      10 + n * 7 % 90);
        instance.instanceId = id;
        instance.host = host;
        instance.region = region.region;
        instance.version = versionOf(instance.deployment, n);
        for (const auto& graph : deploymentGraphs(instance.deployment))
            if (std::find(graphs.begin(), graphs.end(), graph) != graphs.end())
                instance.graphs.push_back(graph);
        if (instance.graphs.empty())
            instance.graphs = graphs;
        roster.push_back(std::move(instance));
    }
    // The faults sit in the largest deployment, so each has healthy peers
    // running the same graphs to be compared with.
    if (faults && count >= 4) {
        const std::string largest = roster.front().deployment;
        const std::array<SimFault, 3> planted = {SimFault::Slow, SimFault::ErrorProne,
                                                 SimFault::Drifting};
        std::size_t next = 0;
        for (std::size_t i = 1; i < roster.size() && next < planted.size(); ++i)
            if (roster[i].deployment == largest)
                roster[i].fault = planted[next++];
    }
    return roster;
}

} // namespace nexus::server
