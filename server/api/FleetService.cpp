#include "server/api/Aggregates.h"
#include "server/api/Services.h"
#include "server/ingest/FleetAggregator.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace nexus::server {

namespace {

// `tenants` empty = every tenant.
bool inTenants(const pb::Instance& i, const std::vector<std::string>& tenants)
{
    return tenants.empty() ||
           std::find(tenants.begin(), tenants.end(), i.tenant_id()) != tenants.end();
}

bool selected(const pb::Instance& i, const std::string& deployment,
              const std::vector<std::string>& tenants)
{
    return (deployment.empty() || i.deployment() == deployment) && inTenants(i, tenants);
}

} // namespace

Status FleetService::ListInstances(ServerContext* context, const pb::ListInstancesRequest* request,
                                   pb::ListInstancesResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto tenants = TenantScope::of(*caller).narrow(request->tenant_id());
    if (!tenants)
        return tenants.error();
    std::vector<pb::Instance> instances;
    if (ctx_.fleet) {
        FleetSnapshot snapshot = ctx_.fleet->snapshot(ctx_.nowUs());
        instances = std::move(snapshot.instances);
        // Totals over what the caller may see.
        *out->mutable_totals() =
            tenants->empty() ? snapshot.totals : ctx_.fleet->totalsFor(*tenants, snapshot.asOfUs);
        out->set_as_of_us(snapshot.asOfUs);
    } else {
        // No ingestion in this process: what the store knows, without live metrics.
        auto stored = ctx_.store.listInstances();
        if (!stored)
            return toStatus(stored.error());
        instances = std::move(*stored);
        out->set_as_of_us(ctx_.nowUs());
    }
    std::erase_if(instances, [&](const pb::Instance& i) {
        return !selected(i, request->deployment(), *tenants);
    });
    // Paging by position in the id-sorted list.
    std::sort(instances.begin(), instances.end(), [](const pb::Instance& a, const pb::Instance& b) {
        return a.instance_id() < b.instance_id();
    });
    std::size_t offset = 0;
    if (!request->page_token().empty()) {
        try {
            offset = std::stoul(request->page_token());
        } catch (...) {
            return Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page_token");
        }
    }
    const auto pageSize = static_cast<std::size_t>(clampPageSize(request->page_size()));
    for (std::size_t i = offset; i < instances.size() && i < offset + pageSize; ++i)
        *out->add_instances() = std::move(instances[i]);
    if (offset + pageSize < instances.size())
        out->set_next_page_token(std::to_string(offset + pageSize));
    return Status::OK;
}

Status FleetService::WatchFleet(ServerContext* context, const pb::WatchFleetRequest* request,
                                grpc::ServerWriter<pb::FleetUpdate>* writer)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    auto tenants = TenantScope::of(*caller).narrow(request->tenant_id());
    if (!tenants)
        return tenants.error();
    if (!ctx_.fleet)
        return Status(grpc::StatusCode::UNAVAILABLE,
                      "this Nexus does not ingest telemetry, so it has no live fleet");
    std::set<std::string> sent; // instance ids this subscriber was shown
    // The update as this caller may see it: its tenants' instances, removals
    // of instances it was shown, totals over its tenants.
    const auto scoped = [&](pb::FleetUpdate update) {
        if (tenants->empty())
            return update;
        pb::FleetUpdate out;
        out.set_full(update.full());
        if (update.full())
            sent.clear();
        for (auto& i : *update.mutable_upserted())
            if (inTenants(i, *tenants)) {
                sent.insert(i.instance_id());
                *out.add_upserted() = std::move(i);
            }
        for (const auto& id : update.removed())
            if (sent.erase(id) > 0)
                out.add_removed(id);
        *out.mutable_totals() = ctx_.fleet->totalsFor(*tenants, update.as_of_us());
        out.set_as_of_us(update.as_of_us());
        out.set_revision(update.revision());
        return out;
    };
    const auto interval = std::chrono::milliseconds(
        request->interval_ms() <= 0 ? 1000 : std::clamp(request->interval_ms(), 250, 60000));
    std::uint64_t revision = 0;
    bool seenInstance = false; // until then look every 100 ms: the first instance shows at once
    auto next = std::chrono::steady_clock::now();
    while (!ctx_.streamShouldEnd(*context)) {
        if (const auto now = std::chrono::steady_clock::now(); now >= next) {
            pb::FleetUpdate update = scoped(ctx_.fleet->changesSince(revision, ctx_.nowUs()));
            if (revision == 0 || update.full() || update.upserted_size() > 0 ||
                update.removed_size() > 0)
                if (!writer->Write(update))
                    return Status(grpc::StatusCode::CANCELLED, "the client went away");
            revision = update.revision();
            seenInstance = seenInstance || update.upserted_size() > 0;
            next = seenInstance ? next + interval : now + std::chrono::milliseconds(100);
        }
        std::this_thread::sleep_for(
            std::min<std::chrono::milliseconds>(interval, std::chrono::milliseconds(100)));
    }
    return Status(grpc::StatusCode::UNAVAILABLE, "Nexus is shutting down; reconnect to resume");
}

Status FleetService::GetMetricSeries(ServerContext* context,
                                     const pb::GetMetricSeriesRequest* request,
                                     pb::GetMetricSeriesResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    const std::int64_t end = request->end_us() ? request->end_us() : ctx_.nowUs();
    const std::int64_t start = request->start_us() ? request->start_us() : end - 3600LL * 1'000'000;
    if (start >= end)
        return Status(grpc::StatusCode::INVALID_ARGUMENT, "start_us must be before end_us");
    if (request->instance_ids_size() + request->deployments_size() > 64)
        return Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "at most 64 instances and deployments at once");
    std::int64_t stepUs =
        request->step_seconds() > 0 ? request->step_seconds() * 1'000'000LL : (end - start) / 120;
    stepUs = std::max<std::int64_t>(stepUs, 1'000'000);
    if ((end - start) / stepUs > 2000)
        return Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "too many points: use a larger step_seconds");

    SampleQuery query;
    query.sinceUs = start;
    query.untilUs = end;
    query.instanceIds.assign(request->instance_ids().begin(), request->instance_ids().end());
    query.deployments.assign(request->deployments().begin(), request->deployments().end());
    auto tenants = TenantScope::of(*caller).narrow(request->tenant_id());
    if (!tenants)
        return tenants.error();
    query.tenants = std::move(*tenants); // the caller's runs only (of the tenant asked for)
    auto samples = ctx_.store.runSamples(query);
    if (!samples)
        return toStatus(samples.error());

    // key -> bucket index -> samples
    std::map<std::pair<std::string, bool>, std::map<std::int64_t, std::vector<const RunSample*>>>
        buckets;
    for (const RunSample& s : *samples) {
        const std::int64_t bucket = (s.endedUs - start) / stepUs;
        for (const auto& id : request->instance_ids())
            if (s.instanceId == id)
                buckets[{id, false}][bucket].push_back(&s);
        for (const auto& d : request->deployments())
            if (s.deployment == d)
                buckets[{d, true}][bucket].push_back(&s);
    }
    std::vector<std::pair<std::string, bool>> keys;
    for (const auto& id : request->instance_ids())
        keys.emplace_back(id, false);
    for (const auto& d : request->deployments())
        keys.emplace_back(d, true);
    const double stepSeconds = static_cast<double>(stepUs) / 1e6;
    for (const auto& key : keys) {
        for (int m : request->metrics()) {
            const auto metric = static_cast<pb::Metric>(m);
            pb::MetricSeries* series = out->add_series();
            series->set_key(key.first);
            series->set_is_deployment(key.second);
            series->set_metric(metric);
            const auto& byBucket = buckets[key];
            for (std::int64_t b = 0; start + b * stepUs < end; ++b) {
                auto it = byBucket.find(b);
                pb::SeriesPoint* point = series->add_points();
                point->set_t_us(start + b * stepUs);
                if (it == byBucket.end())
                    continue;
                // count = the runs that have this metric (a failed run has no
                // quality): with none, the point has no value, not a zero.
                std::int64_t withValue = 0;
                for (const RunSample* s : it->second)
                    withValue += sampleValue(metric, *s).has_value() ? 1 : 0;
                if (withValue == 0)
                    continue;
                point->set_value(metricValue(metric, it->second, stepSeconds));
                point->set_count(withValue);
                if (request->include_samples())
                    for (const RunSample* s : it->second)
                        if (auto v = sampleValue(metric, *s))
                            series->add_samples(*v);
            }
        }
    }
    return Status::OK;
}

} // namespace nexus::server
