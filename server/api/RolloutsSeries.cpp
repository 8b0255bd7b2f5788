// Rollouts: canary against baseline over time, for charts. The rollout's runs
// are split the way the controller's analysis splits them (splitSamples) and
// put in buckets by the time they ended.
#include "server/api/Services.h"
#include "server/rollout/CanaryAnalysis.h"
#include "server/rollout/RolloutSteps.h"

#include "stats/Descriptive.h"

#include <algorithm>
#include <functional>

namespace nexus::server {

namespace {

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kMinStepSeconds = 10;
constexpr std::int64_t kTargetBuckets = 60;
constexpr std::int64_t kMaxBuckets = 500;

using Bucket = std::vector<const RunSample*>;

// One metric of one bucket: the value and the runs behind it, or nothing
// when no run has the metric.
using MetricOf = std::function<std::optional<std::pair<double, std::int64_t>>(const Bucket&)>;

std::optional<std::pair<double, std::int64_t>> meanQuality(const Bucket& runs)
{
    double sum = 0;
    std::int64_t n = 0;
    for (const RunSample* r : runs)
        if (r->quality) {
            sum += *r->quality;
            ++n;
        }
    if (n == 0)
        return std::nullopt;
    return std::pair{sum / static_cast<double>(n), n};
}

// The controller's latency guardrail uses the same quantile.
std::optional<std::pair<double, std::int64_t>> p95LatencyMs(const Bucket& runs)
{
    if (runs.empty())
        return std::nullopt;
    std::vector<double> ms;
    ms.reserve(runs.size());
    for (const RunSample* r : runs)
        ms.push_back(static_cast<double>(r->durationUs) / 1000.0);
    return std::pair{stats::quantile(std::move(ms), 0.95), static_cast<std::int64_t>(runs.size())};
}

std::optional<std::pair<double, std::int64_t>> errorRate(const Bucket& runs)
{
    if (runs.empty())
        return std::nullopt;
    std::int64_t failed = 0;
    for (const RunSample* r : runs)
        failed += r->failed ? 1 : 0;
    const auto n = static_cast<std::int64_t>(runs.size());
    return std::pair{static_cast<double>(failed) / static_cast<double>(n), n};
}

std::optional<std::pair<double, std::int64_t>> meanCost(const Bucket& runs)
{
    if (runs.empty())
        return std::nullopt;
    double sum = 0;
    for (const RunSample* r : runs)
        sum += static_cast<double>(r->costMicros);
    const auto n = static_cast<std::int64_t>(runs.size());
    return std::pair{sum / static_cast<double>(n), n};
}

std::vector<Bucket> bucketize(const std::vector<RunSample>& runs, std::int64_t startUs,
                              std::int64_t stepUs, std::int64_t buckets)
{
    std::vector<Bucket> out(static_cast<std::size_t>(buckets));
    for (const RunSample& r : runs) {
        // A run that ended exactly at the end belongs to the last bucket.
        const std::int64_t b = std::min((r.endedUs - startUs) / stepUs, buckets - 1);
        if (b >= 0)
            out[static_cast<std::size_t>(b)].push_back(&r);
    }
    return out;
}

void addPoints(google::protobuf::RepeatedPtrField<pb::SeriesPoint>* points,
               const std::vector<Bucket>& buckets, std::int64_t startUs, std::int64_t stepUs,
               const MetricOf& metric)
{
    for (std::size_t b = 0; b < buckets.size(); ++b) {
        const auto value = metric(buckets[b]);
        if (!value)
            continue; // no runs on this side: no point, not a zero
        pb::SeriesPoint* p = points->Add();
        p->set_t_us(startUs + static_cast<std::int64_t>(b) * stepUs);
        p->set_value(value->first);
        p->set_count(value->second);
    }
}

} // namespace

Status RolloutsService::GetRolloutSeries(ServerContext* context,
                                         const pb::GetRolloutSeriesRequest* request,
                                         pb::GetRolloutSeriesResponse* out)
{
    auto caller = ctx_.authorize(*context, pb::ROLE_VIEWER);
    if (!caller)
        return caller.error();
    if (request->step_seconds() < 0)
        return Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "step_seconds is a number of seconds (0 = chosen by Nexus)");
    auto stored = ctx_.store.rollout(request->rollout_id());
    if (!stored)
        return toStatus(stored.error());
    if (!stored->has_value())
        return Status(grpc::StatusCode::NOT_FOUND, "no rollout " + request->rollout_id());
    const pb::Rollout& rollout = **stored;
    const TenantScope scope = TenantScope::of(*caller);
    // A fleet-wide rollout is readable by every caller, over its own runs.
    if (!rollout.tenant_id().empty())
        if (auto denied =
                ctx_.checkTenant(*caller, rollout.tenant_id(), "rollout " + rollout.rollout_id(),
                                 "rollout.series", rollout.rollout_id());
            !denied.ok())
            return denied;

    // From the launch to the end of the rollout, or now while it is active.
    const std::int64_t startUs = rollout.created_us();
    const std::int64_t endUs =
        std::max(isActive(rollout) ? ctx_.nowUs() : rollout.updated_us(), startUs + 1);
    const std::int64_t range = endUs - startUs;
    std::int64_t stepSeconds = request->step_seconds();
    if (stepSeconds == 0)
        stepSeconds = std::max(kMinStepSeconds,
                               (range + kTargetBuckets * kMicros - 1) / (kTargetBuckets * kMicros));
    const std::int64_t stepUs = stepSeconds * kMicros;
    const std::int64_t buckets = (range + stepUs - 1) / stepUs;
    if (buckets > kMaxBuckets) {
        const std::int64_t smallest = (range + kMaxBuckets * kMicros - 1) / (kMaxBuckets * kMicros);
        return Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "a step of " + std::to_string(stepSeconds) + " s makes " +
                          std::to_string(buckets) + " buckets over this rollout, at most " +
                          std::to_string(kMaxBuckets) + ": use a step of at least " +
                          std::to_string(smallest) + " s (or 0 to let Nexus choose)");
    }

    SampleQuery query; // no limit: a long rollout is read whole
    query.rolloutId = rollout.rollout_id();
    query.tenants = scope.tenants();
    query.sinceUs = startUs;
    query.untilUs = endUs + 1; // runs that ended at the end count
    auto runs = ctx_.store.runSamples(query);
    if (!runs)
        return toStatus(runs.error());
    const CanarySamples sides = splitSamples(std::move(*runs), rollout);
    const std::vector<Bucket> canary = bucketize(sides.canary, startUs, stepUs, buckets);
    const std::vector<Bucket> baseline = bucketize(sides.baseline, startUs, stepUs, buckets);

    out->set_rollout_id(rollout.rollout_id());
    out->set_start_us(startUs);
    out->set_end_us(endUs);
    out->set_step_seconds(static_cast<std::int32_t>(stepSeconds));
    out->set_canary_runs(static_cast<std::int64_t>(sides.canary.size()));
    out->set_baseline_runs(static_cast<std::int64_t>(sides.baseline.size()));
    const std::pair<const char*, MetricOf> metrics[] = {
        {"quality", meanQuality},
        {"latency_p95_ms", p95LatencyMs},
        {"error_rate", errorRate},
        {"cost_micros", meanCost},
    };
    for (const auto& [name, metric] : metrics) {
        pb::RolloutMetricSeries* series = out->add_series();
        series->set_metric(name);
        addPoints(series->mutable_canary(), canary, startUs, stepUs, metric);
        addPoints(series->mutable_baseline(), baseline, startUs, stepUs, metric);
    }
    return Status::OK;
}

} // namespace nexus::server
