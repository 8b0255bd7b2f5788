#include "server/api/Services.h"

namespace nexus::server {

Status AuditService::ListAudit(ServerContext* context, const pb::ListAuditRequest* request,
                               pb::ListAuditResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_OPERATOR);
    if (!caller)
        return caller.error();
    // A scoped caller sees the records of its tenants and its own.
    auto tenants = TenantScope::of(*caller).narrow(request->tenant_id());
    if (!tenants)
        return tenants.error();
    const bool scoped = !TenantScope::of(*caller).all();
    pb::ListAuditRequest query = *request;
    query.set_page_size(clampPageSize(request->page_size()));
    auto page = ctx_.store.listAudit(
        query, TenantFilter{*tenants, scoped && request->tenant_id().empty() ? caller->actor : ""});
    if (!page)
        return toStatus(page.error());
    for (auto& r : page->records)
        *out->add_records() = std::move(r);
    out->set_next_page_token(page->nextPageToken);
    return Status::OK;
}

} // namespace nexus::server
