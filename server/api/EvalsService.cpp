#include "server/api/Aggregates.h"
#include "server/api/Services.h"

#include <map>

namespace nexus::server {

namespace {

std::string groupKey(pb::QualityGroupBy by, const RunSample& s)
{
    switch (by) {
    case pb::QUALITY_GROUP_BY_GRAPH:
        return s.graphName;
    case pb::QUALITY_GROUP_BY_VERSION:
        return s.version.empty() ? "unknown" : s.version;
    case pb::QUALITY_GROUP_BY_DEPLOYMENT:
        return s.deployment.empty() ? "unknown" : s.deployment;
    case pb::QUALITY_GROUP_BY_OPTIMIZATION_VERSION:
        return s.optimizationVersion.empty() ? "baseline" : s.optimizationVersion;
    default:
        return s.instanceId;
    }
}

} // namespace

Status EvalsService::GetQualitySummary(ServerContext* context,
                                       const pb::QualitySummaryRequest* request,
                                       pb::QualitySummaryResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    SampleQuery query;
    query.tenants = TenantScope::of(*caller).tenants(); // the caller's runs only
    query.sinceUs = request->since_us() ? request->since_us() : ctx_.nowUs() - 3600LL * 1'000'000;
    query.graphName = request->graph_name();
    auto samples = ctx_.store.runSamples(query);
    if (!samples)
        return toStatus(samples.error());
    std::map<std::string, std::vector<const RunSample*>> groups;
    for (const RunSample& s : *samples)
        groups[groupKey(request->group_by(), s)].push_back(&s);
    for (const auto& [key, members] : groups)
        *out->add_groups() = summarize(key, members);
    return Status::OK;
}

} // namespace nexus::server
