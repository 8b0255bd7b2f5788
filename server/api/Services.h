#pragma once
// The nexus.v1 gRPC services (docs/nexus-api.md). Each is thin: authorize,
// validate, call the store / controller / aggregator, map errors, audit.

#include "server/api/ServiceContext.h"

#include "nexus/v1/audit.grpc.pb.h"
#include "nexus/v1/common.grpc.pb.h"
#include "nexus/v1/evals.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"
#include "nexus/v1/knowledge.grpc.pb.h"
#include "nexus/v1/rollouts.grpc.pb.h"
#include "nexus/v1/traces.grpc.pb.h"

namespace nexus::server {

namespace pb = ::nexus::v1;
using grpc::ServerContext;
using grpc::Status;

class SessionService final : public pb::Session::Service
{
public:
    explicit SessionService(ServiceContext& ctx) : ctx_(ctx) {}
    Status WhoAmI(ServerContext*, const pb::WhoAmIRequest*, pb::WhoAmIResponse*) override;

private:
    ServiceContext& ctx_;
};

class TracesService final : public pb::Traces::Service
{
public:
    explicit TracesService(ServiceContext& ctx) : ctx_(ctx) {}
    Status SearchTraces(ServerContext*, const pb::SearchTracesRequest*,
                        pb::SearchTracesResponse*) override;
    Status GetTrace(ServerContext*, const pb::GetTraceRequest*,
                    grpc::ServerWriter<pb::TraceChunk>*) override;
    Status GetGraphSchema(ServerContext*, const pb::GetGraphSchemaRequest*,
                          pb::GraphSchema*) override;

private:
    ServiceContext& ctx_;
};

class KnowledgeService final : public pb::Knowledge::Service
{
public:
    explicit KnowledgeService(ServiceContext& ctx) : ctx_(ctx) {}
    Status ListEntries(ServerContext*, const pb::ListEntriesRequest*,
                       pb::ListEntriesResponse*) override;
    Status GetEntry(ServerContext*, const pb::GetEntryRequest*, pb::GetEntryResponse*) override;
    Status ReviewEntry(ServerContext*, const pb::ReviewEntryRequest*,
                       pb::ReviewEntryResponse*) override;
    Status WatchKnowledge(ServerContext*, const pb::WatchKnowledgeRequest*,
                          grpc::ServerWriter<pb::KnowledgeEvent>*) override;

private:
    ServiceContext& ctx_;
};

class AuditService final : public pb::Audit::Service
{
public:
    explicit AuditService(ServiceContext& ctx) : ctx_(ctx) {}
    Status ListAudit(ServerContext*, const pb::ListAuditRequest*, pb::ListAuditResponse*) override;

private:
    ServiceContext& ctx_;
};

class EvalsService final : public pb::Evals::Service
{
public:
    explicit EvalsService(ServiceContext& ctx) : ctx_(ctx) {}
    Status GetQualitySummary(ServerContext*, const pb::QualitySummaryRequest*,
                             pb::QualitySummaryResponse*) override;

private:
    ServiceContext& ctx_;
};

class FleetService final : public pb::Fleet::Service
{
public:
    explicit FleetService(ServiceContext& ctx) : ctx_(ctx) {}
    Status ListInstances(ServerContext*, const pb::ListInstancesRequest*,
                         pb::ListInstancesResponse*) override;
    Status WatchFleet(ServerContext*, const pb::WatchFleetRequest*,
                      grpc::ServerWriter<pb::FleetUpdate>*) override;
    Status GetMetricSeries(ServerContext*, const pb::GetMetricSeriesRequest*,
                           pb::GetMetricSeriesResponse*) override;

private:
    ServiceContext& ctx_;
};

class RolloutsService final : public pb::Rollouts::Service
{
public:
    explicit RolloutsService(ServiceContext& ctx) : ctx_(ctx) {}
    Status ListVersions(ServerContext*, const pb::ListVersionsRequest*,
                        pb::ListVersionsResponse*) override;
    Status CreateVersion(ServerContext*, const pb::CreateVersionRequest*,
                         pb::OptimizationVersion*) override;
    Status ListRollouts(ServerContext*, const pb::ListRolloutsRequest*,
                        pb::ListRolloutsResponse*) override;
    Status GetRollout(ServerContext*, const pb::GetRolloutRequest*, pb::Rollout*) override;
    Status LaunchRollout(ServerContext*, const pb::LaunchRolloutRequest*, pb::Rollout*) override;
    Status SetWeight(ServerContext*, const pb::RolloutActionRequest*, pb::Rollout*) override;
    Status Pause(ServerContext*, const pb::RolloutActionRequest*, pb::Rollout*) override;
    Status Resume(ServerContext*, const pb::RolloutActionRequest*, pb::Rollout*) override;
    Status Promote(ServerContext*, const pb::RolloutActionRequest*, pb::Rollout*) override;
    Status Abort(ServerContext*, const pb::RolloutActionRequest*, pb::Rollout*) override;
    Status WatchRollouts(ServerContext*, const pb::WatchRolloutsRequest*,
                         grpc::ServerWriter<pb::Rollout>*) override;
    // Canary vs baseline over time (RolloutsSeries.cpp).
    Status GetRolloutSeries(ServerContext*, const pb::GetRolloutSeriesRequest*,
                            pb::GetRolloutSeriesResponse*) override;
    // Puts a graph/node back on an earlier version (RolloutsActions.cpp).
    Status RestoreVersion(ServerContext*, const pb::RestoreVersionRequest*,
                          pb::ListVersionsResponse*) override;

private:
    ServiceContext& ctx_;
};

} // namespace nexus::server
