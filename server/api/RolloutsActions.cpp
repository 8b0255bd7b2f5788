// Rollouts: the actions. The controller does the work (and audits what it
// did); this layer authorizes, maps errors to gRPC codes, and audits refusals
// for lack of a role.
#include "server/api/Services.h"
#include "server/rollout/RolloutController.h"

namespace nexus::server {

namespace {

Status toStatus(const RolloutError& e)
{
    switch (e.code) {
    case RolloutError::Code::NotFound:
        return {grpc::StatusCode::NOT_FOUND, e.message};
    case RolloutError::Code::Stale:
    case RolloutError::Code::FailedPrecondition:
        return {grpc::StatusCode::FAILED_PRECONDITION, e.message};
    case RolloutError::Code::Invalid:
        return {grpc::StatusCode::INVALID_ARGUMENT, e.message};
    case RolloutError::Code::Io:
        return {grpc::StatusCode::UNAVAILABLE, e.message};
    }
    return {grpc::StatusCode::INTERNAL, e.message};
}

Caller controllerCaller(const Identity& who)
{
    return Caller{who.actor, roleName(who.role), who.peer};
}

using Action = RolloutResult (RolloutController::*)(const pb::RolloutActionRequest&, const Caller&,
                                                    std::int64_t);

Status act(ServiceContext& ctx, ServerContext* context, const pb::RolloutActionRequest* request,
           pb::Role role, const char* verb, Action action, pb::Rollout* out)
{
    const std::string auditAction = std::string("rollout.") + verb;
    auto who =
        ctx.authorize(*context, role, auditAction, request->rollout_id(), request->request_id());
    if (!who)
        return who.error();
    // Another tenant's rollout is refused; a fleet-wide one needs an unscoped token.
    if (auto stored = ctx.store.rollout(request->rollout_id()); stored && stored->has_value()) {
        const std::string what = "rollout " + request->rollout_id();
        const Status denied = (*stored)->tenant_id().empty()
                                  ? ctx.checkFleetWide(*who, what, auditAction,
                                                       request->rollout_id(), request->request_id())
                                  : ctx.checkTenant(*who, (*stored)->tenant_id(), what, auditAction,
                                                    request->rollout_id(), request->request_id());
        if (!denied.ok())
            return denied;
    }
    if (!ctx.rollouts)
        return Status(grpc::StatusCode::UNAVAILABLE, "the rollout controller is not running");
    if (request->request_id().empty())
        return Status(grpc::StatusCode::INVALID_ARGUMENT,
                      std::string("rollout ") + verb +
                          " needs a request_id, so that a retry cannot act twice");
    auto result = (ctx.rollouts->*action)(*request, controllerCaller(*who), ctx.nowUs());
    if (!result)
        return toStatus(result.error());
    *out = std::move(*result);
    return Status::OK;
}

} // namespace

Status RolloutsService::LaunchRollout(ServerContext* context,
                                      const pb::LaunchRolloutRequest* request, pb::Rollout* out)
{
    auto who = ctx_.authorize(*context, pb::ROLE_APPROVER, "rollout.launch", request->version_id(),
                              request->request_id());
    if (!who)
        return who.error();
    if (!ctx_.rollouts)
        return Status(grpc::StatusCode::UNAVAILABLE, "the rollout controller is not running");
    if (request->request_id().empty())
        return Status(grpc::StatusCode::INVALID_ARGUMENT, "a launch needs a request_id");
    // The rollout's tenant: the one named, else the caller's only tenant;
    // fleet-wide ("") only for a token that is not limited to tenants.
    const TenantScope scope = TenantScope::of(*who);
    pb::LaunchRolloutRequest launch = *request;
    if (launch.tenant_id().empty() && !scope.all()) {
        if (scope.tenants().size() != 1) {
            const Status status(grpc::StatusCode::INVALID_ARGUMENT,
                                "this token may see several tenants (" + scope.describe() +
                                    "): name the tenant whose runs the rollout routes");
            ctx_.audit(*who, "rollout.launch", request->version_id(),
                       "refused: " + status.error_message(), request->request_id());
            return status;
        }
        launch.set_tenant_id(scope.tenants().front());
    }
    if (auto narrowed = scope.narrow(launch.tenant_id()); !narrowed) {
        ctx_.audit(*who, "rollout.launch", request->version_id(),
                   "denied: " + narrowed.error().error_message(), request->request_id(), {},
                   launch.tenant_id());
        return narrowed.error();
    }
    auto result = ctx_.rollouts->launch(launch, controllerCaller(*who), ctx_.nowUs());
    if (!result)
        return toStatus(result.error());
    *out = std::move(*result);
    return Status::OK;
}

Status RolloutsService::RestoreVersion(ServerContext* context,
                                       const pb::RestoreVersionRequest* request,
                                       pb::ListVersionsResponse* out)
{
    auto who =
        ctx_.authorize(*context, pb::ROLE_APPROVER, "version.restore",
                       request->graph_name() + "/" + request->node_id(), request->request_id());
    if (!who)
        return who.error();
    if (auto denied = ctx_.checkFleetWide(*who, "restoring a version", "version.restore",
                                          request->graph_name() + "/" + request->node_id(),
                                          request->request_id());
        !denied.ok())
        return denied;
    if (!ctx_.rollouts)
        return Status(grpc::StatusCode::UNAVAILABLE, "the rollout controller is not running");
    if (request->request_id().empty())
        return Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "a restore needs a request_id, so that a retry cannot act twice");
    auto result = ctx_.rollouts->restore(*request, controllerCaller(*who), ctx_.nowUs());
    if (!result)
        return toStatus(result.error());
    *out = std::move(*result);
    return Status::OK;
}

Status RolloutsService::SetWeight(ServerContext* c, const pb::RolloutActionRequest* r,
                                  pb::Rollout* out)
{
    return act(ctx_, c, r, pb::ROLE_APPROVER, "set_weight", &RolloutController::setWeight, out);
}

Status RolloutsService::Promote(ServerContext* c, const pb::RolloutActionRequest* r,
                                pb::Rollout* out)
{
    return act(ctx_, c, r, pb::ROLE_APPROVER, "promote", &RolloutController::promote, out);
}

Status RolloutsService::Resume(ServerContext* c, const pb::RolloutActionRequest* r,
                               pb::Rollout* out)
{
    return act(ctx_, c, r, pb::ROLE_APPROVER, "resume", &RolloutController::resume, out);
}

Status RolloutsService::Pause(ServerContext* c, const pb::RolloutActionRequest* r, pb::Rollout* out)
{
    return act(ctx_, c, r, pb::ROLE_OPERATOR, "pause", &RolloutController::pause, out);
}

Status RolloutsService::Abort(ServerContext* c, const pb::RolloutActionRequest* r, pb::Rollout* out)
{
    return act(ctx_, c, r, pb::ROLE_OPERATOR, "abort", &RolloutController::abort, out);
}

} // namespace nexus::server
