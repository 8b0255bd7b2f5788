#include "server/api/Services.h"

namespace nexus::server {

Status SessionService::WhoAmI(ServerContext* context, const pb::WhoAmIRequest*,
                              pb::WhoAmIResponse* out)
{
    auto caller = ctx_.auth.identify(*context);
    if (!caller)
        return caller.error();
    out->set_actor(caller->actor);
    out->set_role(caller->role);
    for (const auto& t : caller->tenants)
        out->add_tenants(t);
    out->set_server_version(ctx_.serverVersion);
    out->set_sandbox(ctx_.auth.sandbox());
    return Status::OK;
}

} // namespace nexus::server
