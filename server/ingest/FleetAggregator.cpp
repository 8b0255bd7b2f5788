#include "server/ingest/FleetAggregator.h"

#include <algorithm>
#include <cmath>
#include <google/protobuf/util/message_differencer.h>
#include <limits>

namespace nexus::server {
namespace {

constexpr std::int64_t kOpenRun = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kMaxOpenRunsPerInstance = 10'000;
constexpr std::size_t kMaxRemovalsKept = 10'000;

// Nearest-rank percentile of unsorted values (q in 0..1); 0 when empty.
double percentile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0;
    const auto rank = std::size_t(std::ceil(q * double(values.size())));
    const std::size_t index = std::min(values.size() - 1, rank == 0 ? 0 : rank - 1);
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(index), values.end());
    return values[index];
}

double median(std::vector<double> values)
{
    return percentile(std::move(values), 0.5);
}

} // namespace

FleetAggregator::FleetAggregator(FleetAggregatorOptions options) : options_(options) {}

FleetAggregator::Entry& FleetAggregator::entryFor(const std::string& instanceId)
{
    Entry& entry = entries_[instanceId];
    if (entry.labels.instance_id().empty())
        entry.labels.set_instance_id(instanceId);
    return entry;
}

void FleetAggregator::observe(const InstanceSighting& sighting)
{
    std::lock_guard lock(mutex_);
    Entry& entry = entryFor(sighting.instance.instance_id());
    entry.labels = sighting.instance;
    if (entry.firstSeenUs == 0)
        entry.firstSeenUs = sighting.heardUs;
    entry.lastSeenUs = std::max(entry.lastSeenUs, sighting.heardUs);
    entry.graphs.insert(sighting.graphs.begin(), sighting.graphs.end());
    dirty_ = true;
}

void FleetAggregator::runStarted(const std::string& instanceId, const std::string& threadId)
{
    std::lock_guard lock(mutex_);
    Entry& entry = entryFor(instanceId);
    if (entry.open.size() < kMaxOpenRunsPerInstance)
        entry.open.try_emplace(threadId, kOpenRun);
    dirty_ = true;
}

void FleetAggregator::addRun(const RunSample& sample)
{
    std::lock_guard lock(mutex_);
    Entry& entry = entryFor(sample.instanceId);
    entry.runs.push_back({sample.endedUs, sample.durationUs, sample.failed, sample.quality,
                          sample.tokens, sample.costMicros});
    // A simulated run's telemetry arrives at once, its end lies in the
    // future: it is active until then.
    if (auto it = entry.open.find(sample.threadId); it != entry.open.end())
        it->second = sample.endedUs;
    dirty_ = true;
}

void FleetAggregator::rebuild(const std::vector<pb::Instance>& instances,
                              const std::vector<RunSample>& samples, std::int64_t nowUs)
{
    std::lock_guard lock(mutex_);
    for (const pb::Instance& instance : instances) {
        Entry& entry = entryFor(instance.instance_id());
        entry.labels.set_deployment(instance.deployment());
        entry.labels.set_version(instance.version());
        entry.labels.set_host(instance.host());
        entry.labels.set_region(instance.region());
        entry.labels.set_tenant_id(instance.tenant_id());
        entry.labels.set_unlabelled(instance.unlabelled());
        entry.firstSeenUs = entry.firstSeenUs
                                ? std::min(entry.firstSeenUs, instance.first_seen_us())
                                : instance.first_seen_us();
        entry.lastSeenUs = std::max(entry.lastSeenUs, instance.last_seen_us());
        entry.graphs.insert(instance.graphs().begin(), instance.graphs().end());
    }
    for (const RunSample& sample : samples) {
        if (sample.endedUs < nowUs - options_.windowUs)
            continue;
        Entry& entry = entryFor(sample.instanceId);
        if (entry.labels.deployment().empty())
            entry.labels.set_deployment(sample.deployment);
        if (entry.labels.version().empty())
            entry.labels.set_version(sample.version);
        if (entry.labels.tenant_id().empty())
            entry.labels.set_tenant_id(sample.tenantId);
        if (entry.firstSeenUs == 0)
            entry.firstSeenUs = sample.endedUs;
        entry.runs.push_back({sample.endedUs, sample.durationUs, sample.failed, sample.quality,
                              sample.tokens, sample.costMicros});
    }
    dirty_ = true;
}

pb::Instance FleetAggregator::compute(Entry& entry, std::int64_t nowUs) const
{
    const std::int64_t windowStart = nowUs - options_.windowUs;
    std::erase_if(entry.runs, [&](const WindowRun& run) { return run.endedUs < windowStart; });
    std::erase_if(entry.open, [&](const auto& open) { return open.second <= nowUs; });

    std::vector<double> completedMs, allMs;
    double qualitySum = 0, tokens = 0, costMicros = 0;
    std::int64_t failed = 0, withQuality = 0;
    for (const WindowRun& run : entry.runs) {
        allMs.push_back(double(run.durationUs) / 1000.0);
        if (run.failed)
            ++failed;
        else
            completedMs.push_back(double(run.durationUs) / 1000.0);
        if (run.quality) {
            qualitySum += *run.quality;
            ++withQuality;
        }
        tokens += double(run.tokens);
        costMicros += double(run.costMicros);
    }
    const std::vector<double>& latencies = completedMs.empty() ? allMs : completedMs;
    const std::int64_t known = entry.firstSeenUs ? nowUs - entry.firstSeenUs : options_.windowUs;
    const std::int64_t spanUs =
        std::clamp(known, std::min(options_.minRateSpanUs, options_.windowUs), options_.windowUs);
    const double spanSeconds = double(spanUs) / 1e6;
    const auto n = std::int64_t(entry.runs.size());

    pb::Instance out = entry.labels;
    out.set_first_seen_us(entry.firstSeenUs);
    out.set_last_seen_us(entry.lastSeenUs);
    out.clear_graphs();
    for (const auto& graph : entry.graphs)
        out.add_graphs(graph);
    pb::InstanceMetrics* m = out.mutable_metrics();
    m->set_runs_per_sec(double(n) / spanSeconds);
    m->set_error_rate(n ? double(failed) / double(n) : 0.0);
    m->set_latency_p50_ms(percentile(latencies, 0.50));
    m->set_latency_p95_ms(percentile(latencies, 0.95));
    m->set_latency_p99_ms(percentile(latencies, 0.99));
    m->set_has_quality(withQuality > 0);
    m->set_quality(withQuality ? qualitySum / double(withQuality) : 0.0);
    m->set_tokens_per_sec(tokens / spanSeconds);
    m->set_cost_per_hour_micros(std::llround(costMicros / spanSeconds * 3600.0));
    m->set_runs_in_window(n);
    m->set_window_seconds(spanUs / 1'000'000);
    m->set_active_runs(std::int64_t(entry.open.size()));
    return out;
}

void FleetAggregator::applyStatuses(std::vector<pb::Instance*>& computed, std::int64_t nowUs) const
{
    std::map<std::string, std::vector<double>> p95s, qualities;
    for (const pb::Instance* instance : computed) {
        const auto& m = instance->metrics();
        if (m.runs_in_window() < options_.minRunsForStatus)
            continue;
        p95s[instance->deployment()].push_back(m.latency_p95_ms());
        if (m.has_quality())
            qualities[instance->deployment()].push_back(m.quality());
    }
    auto peerMedian = [&](const std::map<std::string, std::vector<double>>& by,
                          const std::string& deployment) -> std::optional<double> {
        auto it = by.find(deployment);
        if (it == by.end() || int(it->second.size()) < options_.minPeersForComparison)
            return std::nullopt;
        return median(it->second);
    };
    for (pb::Instance* instance : computed) {
        const auto& m = instance->metrics();
        const bool enoughRuns = m.runs_in_window() >= options_.minRunsForStatus;
        const auto latencyPeers = peerMedian(p95s, instance->deployment());
        const auto qualityPeers = peerMedian(qualities, instance->deployment());
        pb::InstanceStatus status = pb::INSTANCE_STATUS_HEALTHY;
        if (nowUs - instance->last_seen_us() > options_.staleAfterUs)
            status = pb::INSTANCE_STATUS_STALE;
        else if (enoughRuns && m.error_rate() >= options_.unhealthyErrorRate)
            status = pb::INSTANCE_STATUS_UNHEALTHY;
        else if (enoughRuns &&
                 (m.error_rate() >= options_.degradedErrorRate ||
                  (latencyPeers && *latencyPeers > 0 &&
                   m.latency_p95_ms() >= options_.degradedLatencyFactor * *latencyPeers) ||
                  (qualityPeers && m.has_quality() &&
                   m.quality() <= *qualityPeers - options_.degradedQualityDrop)))
            status = pb::INSTANCE_STATUS_DEGRADED;
        instance->set_status(status);
    }
}

pb::FleetTotals FleetAggregator::totalsFor(const std::vector<std::string>& tenants,
                                           std::int64_t nowUs)
{
    std::lock_guard lock(mutex_);
    refresh(nowUs, false);
    return totals(nowUs, &tenants);
}

pb::FleetTotals FleetAggregator::totals(std::int64_t nowUs,
                                        const std::vector<std::string>* tenants) const
{
    pb::FleetTotals t;
    std::vector<double> completedMs;
    double qualitySum = 0;
    std::int64_t withQuality = 0, runs = 0, failed = 0;
    for (const auto& [id, entry] : entries_) {
        const pb::Instance& p = entry.published;
        if (tenants && std::find(tenants->begin(), tenants->end(), p.tenant_id()) == tenants->end())
            continue;
        t.set_instances(t.instances() + 1);
        switch (p.status()) {
        case pb::INSTANCE_STATUS_HEALTHY:
            t.set_healthy(t.healthy() + 1);
            break;
        case pb::INSTANCE_STATUS_DEGRADED:
            t.set_degraded(t.degraded() + 1);
            break;
        case pb::INSTANCE_STATUS_UNHEALTHY:
            t.set_unhealthy(t.unhealthy() + 1);
            break;
        case pb::INSTANCE_STATUS_STALE:
            t.set_stale(t.stale() + 1);
            break;
        default:
            break;
        }
        t.set_runs_per_sec(t.runs_per_sec() + p.metrics().runs_per_sec());
        t.set_cost_per_hour_micros(t.cost_per_hour_micros() + p.metrics().cost_per_hour_micros());
        for (const WindowRun& run : entry.runs) {
            if (run.endedUs < nowUs - options_.windowUs)
                continue;
            ++runs;
            if (run.failed)
                ++failed;
            else
                completedMs.push_back(double(run.durationUs) / 1000.0);
            if (run.quality) {
                qualitySum += *run.quality;
                ++withQuality;
            }
        }
    }
    t.set_error_rate(runs ? double(failed) / double(runs) : 0.0);
    t.set_latency_p95_ms(percentile(std::move(completedMs), 0.95));
    t.set_quality(withQuality ? qualitySum / double(withQuality) : 0.0);
    return t;
}

void FleetAggregator::refresh(std::int64_t nowUs, bool force)
{
    if (!force && !dirty_ && nowUs >= lastRefreshUs_ &&
        nowUs - lastRefreshUs_ < options_.refreshIntervalUs)
        return;
    for (auto it = entries_.begin(); it != entries_.end();) {
        const bool forgotten = options_.forgetAfterUs > 0 && it->second.lastSeenUs > 0 &&
                               nowUs - it->second.lastSeenUs > options_.forgetAfterUs;
        if (!forgotten) {
            ++it;
            continue;
        }
        removals_.emplace_back(++revision_, it->first);
        it = entries_.erase(it);
    }
    while (removals_.size() > kMaxRemovalsKept) {
        removalsFloor_ = removals_.front().first;
        removals_.pop_front();
    }
    std::vector<pb::Instance> computed;
    computed.reserve(entries_.size());
    for (auto& [id, entry] : entries_)
        computed.push_back(compute(entry, nowUs));
    std::vector<pb::Instance*> pointers;
    for (auto& instance : computed)
        pointers.push_back(&instance);
    applyStatuses(pointers, nowUs);
    std::size_t i = 0;
    for (auto& [id, entry] : entries_) {
        pb::Instance& next = computed[i++];
        if (entry.revision != 0 &&
            google::protobuf::util::MessageDifferencer::Equals(entry.published, next))
            continue;
        entry.published = std::move(next);
        entry.revision = ++revision_;
    }
    totals_ = totals(nowUs);
    lastRefreshUs_ = nowUs;
    dirty_ = false;
}

FleetSnapshot FleetAggregator::snapshot(std::int64_t nowUs)
{
    std::lock_guard lock(mutex_);
    refresh(nowUs, false);
    FleetSnapshot out;
    out.instances.reserve(entries_.size());
    for (const auto& [id, entry] : entries_)
        out.instances.push_back(entry.published);
    out.totals = totals_;
    out.revision = revision_;
    out.asOfUs = nowUs;
    return out;
}

pb::FleetUpdate FleetAggregator::changesSince(std::uint64_t revision, std::int64_t nowUs)
{
    std::lock_guard lock(mutex_);
    refresh(nowUs, false);
    pb::FleetUpdate update;
    const bool full = revision == 0 || revision < removalsFloor_ || revision > revision_;
    update.set_full(full);
    for (const auto& [id, entry] : entries_)
        if (full || entry.revision > revision)
            *update.add_upserted() = entry.published;
    if (!full)
        for (const auto& [removedAt, id] : removals_)
            if (removedAt > revision && !entries_.contains(id))
                update.add_removed(id);
    *update.mutable_totals() = totals_;
    update.set_as_of_us(nowUs);
    update.set_revision(revision_);
    return update;
}

std::optional<pb::Instance> FleetAggregator::instance(const std::string& instanceId,
                                                      std::int64_t nowUs)
{
    std::lock_guard lock(mutex_);
    refresh(nowUs, false);
    auto it = entries_.find(instanceId);
    if (it == entries_.end())
        return std::nullopt;
    return it->second.published;
}

std::uint64_t FleetAggregator::revision() const
{
    std::lock_guard lock(mutex_);
    return revision_;
}

} // namespace nexus::server
