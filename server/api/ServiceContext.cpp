#include "server/api/ServiceContext.h"

#include <algorithm>

namespace nexus::server {

protocol::Expected<Identity, grpc::Status>
ServiceContext::authorize(const grpc::ServerContext& context, ::nexus::v1::Role required,
                          const std::string& auditAction, const std::string& target,
                          const std::string& requestId) const
{
    auto caller = auth.identify(context);
    if (!caller) {
        // A refused attempt to change something is audited also when the
        // caller is unknown: actor "unauthenticated", never the token sent.
        if (!auditAction.empty())
            audit(Identity{"unauthenticated", ::nexus::v1::ROLE_UNSPECIFIED, {}, context.peer()},
                  auditAction, target, "denied: " + caller.error().error_message(), requestId);
        return caller;
    }
    if (caller->role >= required)
        return caller;
    grpc::Status status = Authorizer::denied(*caller, required);
    if (!auditAction.empty()) // a refused attempt to change something is audited
        audit(*caller, auditAction, target, "denied: " + status.error_message(), requestId);
    return status;
}

void ServiceContext::audit(const Identity& caller, const std::string& action,
                           const std::string& target, const std::string& outcome,
                           const std::string& requestId, const std::string& detail,
                           const std::string& tenant) const
{
    ::nexus::v1::AuditRecord record;
    record.set_at_us(nowUs());
    record.set_actor(caller.actor);
    record.set_role(roleName(caller.role));
    record.set_action(action);
    record.set_target(target);
    record.set_outcome(outcome);
    record.set_request_id(requestId);
    record.set_peer(caller.peer);
    record.set_detail(detail);
    record.set_tenant_id(tenant);
    (void)store.appendAudit(std::move(record));
}

grpc::Status ServiceContext::checkTenant(const Identity& caller, const std::string& tenant,
                                         const std::string& what, const std::string& action,
                                         const std::string& target,
                                         const std::string& requestId) const
{
    const TenantScope scope = TenantScope::of(caller);
    if (scope.allows(tenant))
        return grpc::Status::OK;
    grpc::Status status = scope.deniedObject(what);
    audit(caller, action, target, "denied: " + status.error_message(), requestId, {}, tenant);
    return status;
}

grpc::Status ServiceContext::checkFleetWide(const Identity& caller, const std::string& what,
                                            const std::string& action, const std::string& target,
                                            const std::string& requestId) const
{
    const TenantScope scope = TenantScope::of(caller);
    if (scope.all())
        return grpc::Status::OK;
    grpc::Status status = scope.deniedFleetWide(what);
    audit(caller, action, target, "denied: " + status.error_message(), requestId);
    return status;
}

grpc::Status toStatus(const StoreError& error)
{
    switch (error.code) {
    case StoreError::Code::NotFound:
        return {grpc::StatusCode::NOT_FOUND, error.message};
    case StoreError::Code::Stale:
        return {grpc::StatusCode::FAILED_PRECONDITION, error.message};
    case StoreError::Code::AlreadyExists:
        return {grpc::StatusCode::ALREADY_EXISTS, error.message};
    case StoreError::Code::Invalid:
        return {grpc::StatusCode::INVALID_ARGUMENT, error.message};
    case StoreError::Code::Io:
        return {grpc::StatusCode::UNAVAILABLE, "the Nexus store failed: " + error.message};
    }
    return {grpc::StatusCode::INTERNAL, error.message};
}

int clampPageSize(int requested)
{
    return requested <= 0 ? 100 : std::min(requested, 1000);
}

} // namespace nexus::server
