#pragma once
// What every gRPC service of nexusd shares: the store, the event hub, the
// authorizer, the clock, and the audit helper.

#include "server/api/Auth.h"
#include "server/events/EventHub.h"
#include "server/store/Store.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <grpcpp/grpcpp.h>
#include <string>

namespace nexus::server {

class RolloutController;
class FleetAggregator;

struct ServiceContext
{
    Store& store;
    EventHub& events;
    const Authorizer& auth;
    std::function<std::int64_t()> nowUs;
    std::string serverVersion;
    RolloutController* rollouts = nullptr; // null until the controller runs
    FleetAggregator* fleet = nullptr;      // null without ingestion
    std::atomic<bool>* stopping = nullptr; // set when the server shuts down; streams end

    // Authorizes a call; a refused *mutating* call is audited as "denied".
    protocol::Expected<Identity, grpc::Status> authorize(const grpc::ServerContext& context,
                                                         ::nexus::v1::Role required,
                                                         const std::string& auditAction = {},
                                                         const std::string& target = {},
                                                         const std::string& requestId = {}) const;

    void audit(const Identity& caller, const std::string& action, const std::string& target,
               const std::string& outcome, const std::string& requestId,
               const std::string& detail = {}, const std::string& tenant = {}) const;

    // PERMISSION_DENIED (audited as "denied") when `tenant`, the tenant of
    // the object `what` names, is outside the caller's scope; OK otherwise.
    grpc::Status checkTenant(const Identity& caller, const std::string& tenant,
                             const std::string& what, const std::string& action,
                             const std::string& target, const std::string& requestId = {}) const;
    // PERMISSION_DENIED (audited) for a fleet-wide action by a scoped caller.
    grpc::Status checkFleetWide(const Identity& caller, const std::string& what,
                                const std::string& action, const std::string& target,
                                const std::string& requestId = {}) const;

    bool streamShouldEnd(const grpc::ServerContext& context) const
    {
        return context.IsCancelled() || (stopping && stopping->load());
    }
};

grpc::Status toStatus(const StoreError& error);
int clampPageSize(int requested);

} // namespace nexus::server
