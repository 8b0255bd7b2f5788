#include "server/api/Services.h"

#include <algorithm>
#include <chrono>

namespace nexus::server {

Status KnowledgeService::ListEntries(ServerContext* context, const pb::ListEntriesRequest* request,
                                     pb::ListEntriesResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto tenants = TenantScope::of(*caller).narrow(request->tenant_id());
    if (!tenants)
        return tenants.error();
    pb::ListEntriesRequest query = *request;
    query.set_page_size(clampPageSize(request->page_size()));
    auto page = ctx_.store.listEntries(query, TenantFilter{*tenants, {}});
    if (!page)
        return toStatus(page.error());
    for (auto& e : page->entries)
        *out->add_entries() = std::move(e);
    out->set_next_page_token(page->nextPageToken);
    for (const auto& [status, count] : page->countsByStatus)
        (*out->mutable_counts_by_status())[status] = count;
    return Status::OK;
}

Status KnowledgeService::GetEntry(ServerContext* context, const pb::GetEntryRequest* request,
                                  pb::GetEntryResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto entry = ctx_.store.getEntry(request->entry_id());
    if (!entry)
        return toStatus(entry.error());
    if (auto denied =
            ctx_.checkTenant(*caller, entry->entry().tenant_id(), "entry " + request->entry_id(),
                             "knowledge.get", request->entry_id());
        !denied.ok())
        return denied;
    *out = std::move(*entry);
    return Status::OK;
}

Status KnowledgeService::ReviewEntry(ServerContext* context, const pb::ReviewEntryRequest* request,
                                     pb::ReviewEntryResponse* out)
{
    const std::string action = "knowledge.review";
    auto caller = ctx_.authorize(*context, pb::ROLE_APPROVER, action, request->entry_id(),
                                 request->request_id());
    if (!caller)
        return caller.error();
    if (request->request_id().empty())
        return Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "a review needs a request_id, so that a retry cannot apply it twice");
    if (request->decision() != pb::REVIEW_DECISION_APPROVE &&
        request->decision() != pb::REVIEW_DECISION_REJECT)
        return Status(grpc::StatusCode::INVALID_ARGUMENT, "the decision must be approve or reject");
    if (request->decision() == pb::REVIEW_DECISION_REJECT && request->comment().empty())
        return Status(grpc::StatusCode::INVALID_ARGUMENT, "a rejection needs a comment");

    const char* verb = request->decision() == pb::REVIEW_DECISION_APPROVE ? "approve" : "reject";
    std::string tenant;
    if (auto current = ctx_.store.getEntry(request->entry_id()); current) {
        tenant = current->entry().tenant_id();
        if (auto denied = ctx_.checkTenant(*caller, tenant, "entry " + request->entry_id(), action,
                                           request->entry_id(), request->request_id());
            !denied.ok())
            return denied;
    }
    auto outcome = ctx_.store.reviewEntry(*request, caller->actor, ctx_.nowUs());
    if (!outcome) {
        ctx_.audit(*caller, action, request->entry_id(), "refused: " + outcome.error().message,
                   request->request_id(), verb, tenant);
        return toStatus(outcome.error());
    }
    out->mutable_entry()->Swap(&outcome->entry);
    out->mutable_review()->Swap(&outcome->review);
    out->set_replayed(outcome->replayed);
    if (!outcome->replayed) {
        ctx_.audit(*caller, action, request->entry_id(), std::string("ok: ") + verb,
                   request->request_id(), request->comment(), tenant);
        pb::KnowledgeEvent event;
        event.set_type(pb::KnowledgeEvent::TYPE_REVIEWED);
        *event.mutable_entry() = out->entry();
        *event.mutable_review() = out->review();
        ctx_.events.knowledge.publish(event);
    }
    return Status::OK;
}

Status KnowledgeService::WatchKnowledge(ServerContext* context,
                                        const pb::WatchKnowledgeRequest* request,
                                        grpc::ServerWriter<pb::KnowledgeEvent>* writer)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto tenants = TenantScope::of(*caller).narrow(request->tenant_id());
    if (!tenants)
        return tenants.error();
    const auto visible = [&](const pb::KnowledgeEvent& e) {
        return tenants->empty() ||
               std::find(tenants->begin(), tenants->end(), e.entry().tenant_id()) != tenants->end();
    };
    auto queue = ctx_.events.knowledge.subscribe();
    // Tell the client the watch is in place: what happens from now on reaches it.
    writer->SendInitialMetadata();
    while (!ctx_.streamShouldEnd(*context)) {
        auto event = queue->next(std::chrono::milliseconds(250));
        if (queue->takeOverflow())
            return Status(grpc::StatusCode::ABORTED,
                          "the knowledge stream fell behind; list the entries again and re-watch");
        if (event && visible(*event) && !writer->Write(*event))
            return Status(grpc::StatusCode::CANCELLED, "the client went away");
        if (queue->closed() && !event)
            break;
    }
    return Status(grpc::StatusCode::UNAVAILABLE, "Nexus is shutting down; reconnect to resume");
}

} // namespace nexus::server
