#include "server/api/Services.h"

namespace nexus::server {

namespace {
// Keep each chunk well below gRPC's default 4 MiB message limit.
constexpr std::size_t kChunkBytes = 2 * 1024 * 1024;
constexpr int kChunkRecords = 2000;
} // namespace

Status TracesService::SearchTraces(ServerContext* context, const pb::SearchTracesRequest* request,
                                   pb::SearchTracesResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto tenants = TenantScope::of(*caller).narrow(request->tenant_id());
    if (!tenants)
        return tenants.error();
    pb::SearchTracesRequest query = *request;
    query.set_page_size(clampPageSize(request->page_size()));
    auto page = ctx_.store.searchTraces(query, TenantFilter{*tenants, {}});
    if (!page)
        return toStatus(page.error());
    for (auto& t : page->traces)
        *out->add_traces() = std::move(t);
    out->set_next_page_token(page->nextPageToken);
    out->set_total_matches(page->totalMatches);
    return Status::OK;
}

Status TracesService::GetTrace(ServerContext* context, const pb::GetTraceRequest* request,
                               grpc::ServerWriter<pb::TraceChunk>* writer)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto summary = ctx_.store.traceSummary(request->thread_id());
    if (!summary)
        return toStatus(summary.error());
    if (!summary->has_value())
        return Status(grpc::StatusCode::NOT_FOUND,
                      "no trace with thread id " + request->thread_id());
    if (auto denied =
            ctx_.checkTenant(*caller, (*summary)->tenant_id(), "trace " + request->thread_id(),
                             "trace.get", request->thread_id());
        !denied.ok())
        return denied;
    auto records = ctx_.store.traceRecords(request->thread_id());
    if (!records)
        return toStatus(records.error());

    pb::TraceChunk chunk;
    *chunk.mutable_summary() = **summary;
    std::size_t bytes = 0;
    for (auto& record : *records) {
        if (chunk.records_size() > 0 &&
            (bytes + record.size() > kChunkBytes || chunk.records_size() >= kChunkRecords)) {
            if (!writer->Write(chunk))
                return Status(grpc::StatusCode::CANCELLED, "the client went away");
            chunk.Clear();
            bytes = 0;
        }
        bytes += record.size();
        chunk.add_records(std::move(record));
    }
    chunk.set_last(true);
    writer->Write(chunk);
    return Status::OK;
}

Status TracesService::GetGraphSchema(ServerContext* context,
                                     const pb::GetGraphSchemaRequest* request, pb::GraphSchema* out)
{
    if (auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER); !caller)
        return caller.error();
    auto schema = ctx_.store.schema(request->schema_id());
    if (!schema)
        return toStatus(schema.error());
    if (!schema->has_value())
        return Status(grpc::StatusCode::NOT_FOUND, "no graph schema " + request->schema_id());
    *out = **schema;
    return Status::OK;
}

} // namespace nexus::server
