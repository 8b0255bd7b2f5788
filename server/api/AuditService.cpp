#include "server/api/Services.h"

namespace nexus::server {

Status AuditService::ListAudit(ServerContext* context, const pb::ListAuditRequest* request,
                               pb::ListAuditResponse* out)
{
    if (auto caller = ctx_.authorize(*context, pb::ROLE_OPERATOR); !caller)
        return caller.error();
    pb::ListAuditRequest query = *request;
    query.set_page_size(clampPageSize(request->page_size()));
    auto page = ctx_.store.listAudit(query);
    if (!page)
        return toStatus(page.error());
    for (auto& r : page->records)
        *out->add_records() = std::move(r);
    out->set_next_page_token(page->nextPageToken);
    return Status::OK;
}

} // namespace nexus::server
