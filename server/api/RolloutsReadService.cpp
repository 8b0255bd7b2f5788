// Rollouts: reads, versions and the watch stream. The actions that change a
// rollout are in RolloutsActions.cpp (they go through the controller).
#include "server/api/Services.h"

#include <algorithm>
#include <chrono>

namespace nexus::server {

namespace {

// The rollout tenants a caller lists: its own and the fleet-wide ones (""),
// or just the tenant it asks for.
protocol::Expected<std::vector<std::string>, grpc::Status>
visibleRolloutTenants(const Identity& caller, const std::string& requested)
{
    auto tenants = TenantScope::of(caller).narrow(requested);
    if (tenants && requested.empty() && !tenants->empty())
        tenants->push_back("");
    return tenants;
}

} // namespace

Status RolloutsService::ListVersions(ServerContext* context, const pb::ListVersionsRequest* request,
                                     pb::ListVersionsResponse* out)
{
    if (auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER); !caller)
        return caller.error();
    auto versions = ctx_.store.listVersions(request->graph_name(), request->node_id());
    if (!versions)
        return toStatus(versions.error());
    for (auto& v : *versions)
        *out->add_versions() = std::move(v);
    return Status::OK;
}

Status RolloutsService::CreateVersion(ServerContext* context,
                                      const pb::CreateVersionRequest* request,
                                      pb::OptimizationVersion* out)
{
    const std::string action = "version.create";
    auto caller = ctx_.authorize(*context, pb::ROLE_APPROVER, action, request->source_entry_id(),
                                 request->request_id());
    if (!caller)
        return caller.error();
    // Versions are graph-level: one made by hand affects every tenant.
    if (request->source_entry_id().empty())
        if (auto denied = ctx_.checkFleetWide(*caller, "a version without a source entry", action,
                                              {}, request->request_id());
            !denied.ok())
            return denied;
    if (request->request_id().empty())
        return Status(grpc::StatusCode::INVALID_ARGUMENT, "CreateVersion needs a request_id");
    if (auto seen = ctx_.store.findRequest(request->request_id()); seen && seen->has_value()) {
        out->ParseFromString(**seen);
        return Status::OK;
    }

    pb::OptimizationVersion version = request->version();
    if (!request->source_entry_id().empty()) {
        auto entry = ctx_.store.getEntry(request->source_entry_id());
        if (!entry)
            return toStatus(entry.error());
        const pb::KnowledgeEntry& e = entry->entry();
        if (auto denied = ctx_.checkTenant(*caller, e.tenant_id(), "entry " + e.entry_id(), action,
                                           e.entry_id(), request->request_id());
            !denied.ok())
            return denied;
        if (e.kind() != pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION)
            return Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "only a prompt optimization can become an optimization version");
        if (e.status() != pb::KNOWLEDGE_STATUS_APPROVED)
            return Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "entry " + e.entry_id() +
                              " is not approved; approve it before rolling it out");
        version.set_graph_name(e.graph_name());
        version.set_node_id(e.node_id());
        if (version.target_param().empty())
            version.set_target_param("prompt");
        version.set_content(e.prompt_optimization().optimized_prompt());
        if (version.description().empty())
            version.set_description(e.title());
        version.set_source_entry_id(e.entry_id());
    }
    if (version.graph_name().empty() || version.node_id().empty())
        return Status(grpc::StatusCode::INVALID_ARGUMENT, "a version needs a graph and a node");
    version.set_state(pb::VERSION_STATE_CANDIDATE);
    auto created = ctx_.store.createVersion(version, ctx_.nowUs());
    if (!created)
        return toStatus(created.error());
    *out = *created;
    (void)ctx_.store.rememberRequest(request->request_id(), action, out->SerializeAsString(),
                                     ctx_.nowUs());
    ctx_.audit(*caller, action, out->version_id(), "ok", request->request_id(),
               out->graph_name() + "/" + out->node_id());
    return Status::OK;
}

Status RolloutsService::ListRollouts(ServerContext* context, const pb::ListRolloutsRequest* request,
                                     pb::ListRolloutsResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto tenants = visibleRolloutTenants(*caller, request->tenant_id());
    if (!tenants)
        return tenants.error();
    auto rollouts = ctx_.store.listRollouts(request->active_only(), request->graph_name(),
                                            TenantFilter{*tenants, {}});
    if (!rollouts)
        return toStatus(rollouts.error());
    for (auto& r : *rollouts)
        *out->add_rollouts() = std::move(r);
    return Status::OK;
}

Status RolloutsService::GetRollout(ServerContext* context, const pb::GetRolloutRequest* request,
                                   pb::Rollout* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto rollout = ctx_.store.rollout(request->rollout_id());
    if (!rollout)
        return toStatus(rollout.error());
    if (!rollout->has_value())
        return Status(grpc::StatusCode::NOT_FOUND, "no rollout " + request->rollout_id());
    if (!(*rollout)->tenant_id().empty()) // fleet-wide rollouts are readable by all
        if (auto denied = ctx_.checkTenant(*caller, (*rollout)->tenant_id(),
                                           "rollout " + request->rollout_id(), "rollout.get",
                                           request->rollout_id());
            !denied.ok())
            return denied;
    *out = **rollout;
    return Status::OK;
}

Status RolloutsService::WatchRollouts(ServerContext* context,
                                      const pb::WatchRolloutsRequest* request,
                                      grpc::ServerWriter<pb::Rollout>* writer)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto tenants = visibleRolloutTenants(*caller, request->tenant_id());
    if (!tenants)
        return tenants.error();
    const auto visible = [&](const pb::Rollout& r) {
        return tenants->empty() ||
               std::find(tenants->begin(), tenants->end(), r.tenant_id()) != tenants->end();
    };
    auto queue = ctx_.events.rollouts.subscribe();
    writer->SendInitialMetadata(); // the watch is in place
    // Start with the current state, so a watcher never has to poll first.
    if (auto current = ctx_.store.listRollouts(false, {}, TenantFilter{*tenants, {}}); current)
        for (const auto& r : *current)
            if (request->rollout_id().empty() || r.rollout_id() == request->rollout_id())
                if (!writer->Write(r))
                    return Status(grpc::StatusCode::CANCELLED, "the client went away");
    while (!ctx_.streamShouldEnd(*context)) {
        auto rollout = queue->next(std::chrono::milliseconds(250));
        if (queue->takeOverflow())
            return Status(grpc::StatusCode::ABORTED, "the rollout stream fell behind; re-watch");
        if (rollout && visible(*rollout) &&
            (request->rollout_id().empty() || rollout->rollout_id() == request->rollout_id()))
            if (!writer->Write(*rollout))
                return Status(grpc::StatusCode::CANCELLED, "the client went away");
        if (queue->closed() && !rollout)
            break;
    }
    return Status(grpc::StatusCode::UNAVAILABLE, "Nexus is shutting down; reconnect to resume");
}

} // namespace nexus::server
