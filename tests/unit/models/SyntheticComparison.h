#pragma once
// Synthetic GetMetricSeries responses for instance comparisons, built the way
// server/api/FleetService.cpp builds them: runs in time buckets, one point per
// bucket (rates count empty buckets as zero; ratios leave them without a
// value), and per-run samples — throughput's sample is 1.0 per run, as the
// server sends it. Deterministic on every platform: its own generator.

#include "SyntheticFleet.h"
#include "nexus/v1/fleet.pb.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace nexus::testing {

// splitmix64 and Box-Muller: the same numbers with every standard library.
class Rng
{
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    double uniform() // (0, 1)
    {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        return (double(z >> 11) + 0.5) / 9007199254740992.0;
    }
    double normal(double mean, double sd)
    {
        const double u1 = uniform(), u2 = uniform();
        return mean + sd * std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

private:
    std::uint64_t state_;
};

struct RunSpec
{
    std::string id;
    int runs = 50;          // in the window, each in a random bucket
    double latencyMs = 100; // normal(latencyMs, latencySdMs), at least 1 ms
    double latencySdMs = 10;
    double errorRate = 0.02; // chance that a run fails (a failed run has no quality)
    double quality = 0.86;   // normal(quality, 0.03), clamped to 0..1
    double costPerRunMicros = 2000;
    std::uint64_t seed = 1;
};

struct Run
{
    int bucket = 0;
    double durationMs = 0;
    bool failed = false;
    double quality = 0;
    double costMicros = 0;
};

inline std::vector<Run> makeRuns(const RunSpec& spec, int buckets)
{
    Rng rng(spec.seed);
    std::vector<Run> runs;
    for (int k = 0; k < spec.runs; ++k) {
        Run run;
        run.bucket = std::min(buckets - 1, int(rng.uniform() * buckets));
        run.durationMs = std::max(1.0, rng.normal(spec.latencyMs, spec.latencySdMs));
        run.failed = rng.uniform() < spec.errorRate;
        run.quality = std::clamp(rng.normal(spec.quality, 0.03), 0.0, 1.0);
        run.costMicros =
            std::max(0.0, rng.normal(spec.costPerRunMicros, spec.costPerRunMicros * 0.1));
        runs.push_back(run);
    }
    return runs;
}

// Type-7 percentile, as the server's (and the test's own) reference.
inline double percentileOf(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const double pos = p / 100 * double(v.size() - 1);
    const auto lo = std::size_t(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}

inline void addSeries(nexus::v1::GetMetricSeriesResponse& out, const RunSpec& spec,
                      nexus::v1::Metric metric, const std::vector<Run>& runs, int buckets,
                      std::int64_t startUs, std::int64_t stepUs)
{
    auto* s = out.add_series();
    s->set_key(spec.id);
    s->set_metric(metric);
    const double stepSeconds = double(stepUs) / 1e6;
    for (int b = 0; b < buckets; ++b) {
        auto* point = s->add_points();
        point->set_t_us(startUs + b * stepUs);
        std::vector<double> values;
        int count = 0;
        for (const Run& r : runs) {
            if (r.bucket != b)
                continue;
            ++count;
            switch (metric) {
            case nexus::v1::METRIC_THROUGHPUT:
                values.push_back(1.0);
                break;
            case nexus::v1::METRIC_ERROR_RATE:
                values.push_back(r.failed ? 1.0 : 0.0);
                break;
            case nexus::v1::METRIC_QUALITY:
                if (!r.failed)
                    values.push_back(r.quality);
                break;
            case nexus::v1::METRIC_COST:
                values.push_back(r.costMicros);
                break;
            default: // latencies
                values.push_back(r.durationMs);
            }
        }
        if (values.empty())
            continue;
        double sum = 0;
        for (double v : values)
            sum += v;
        double value = 0;
        switch (metric) {
        case nexus::v1::METRIC_THROUGHPUT:
            value = double(count) / stepSeconds;
            break;
        case nexus::v1::METRIC_LATENCY_P50:
            value = percentileOf(values, 50);
            break;
        case nexus::v1::METRIC_LATENCY_P95:
            value = percentileOf(values, 95);
            break;
        case nexus::v1::METRIC_COST:
            value = sum / stepSeconds * 3600.0;
            break;
        default:
            value = sum / double(values.size());
        }
        point->set_value(value);
        point->set_count(std::int64_t(values.size()));
        for (double v : values)
            s->add_samples(v);
    }
}

inline constexpr nexus::v1::Metric kComparedMetrics[6] = {
    nexus::v1::METRIC_THROUGHPUT,  nexus::v1::METRIC_ERROR_RATE, nexus::v1::METRIC_LATENCY_P50,
    nexus::v1::METRIC_LATENCY_P95, nexus::v1::METRIC_QUALITY,    nexus::v1::METRIC_COST};

// A response for `specs` over the window ending at kAsOfUs.
inline nexus::v1::GetMetricSeriesResponse comparisonSeries(const std::vector<RunSpec>& specs,
                                                           std::int64_t windowSeconds = 3600,
                                                           int buckets = 60)
{
    nexus::v1::GetMetricSeriesResponse out;
    const std::int64_t stepUs = windowSeconds * 1'000'000 / buckets;
    const std::int64_t startUs = kAsOfUs - windowSeconds * 1'000'000;
    for (const RunSpec& spec : specs) {
        const std::vector<Run> runs = makeRuns(spec, buckets);
        for (nexus::v1::Metric m : kComparedMetrics)
            addSeries(out, spec, m, runs, buckets, startUs, stepUs);
    }
    return out;
}

// A fleet instance for the identity table.
inline nexus::v1::Instance comparedInstance(const std::string& id, const std::string& version,
                                            std::vector<std::string> graphs,
                                            const std::string& deployment = "dasher")
{
    nexus::v1::Instance in;
    in.set_instance_id(id);
    in.set_deployment(deployment);
    in.set_version(version);
    in.set_host(deployment + "-node-" + id.substr(id.size() - 2));
    in.set_region("us-east-1");
    in.set_status(nexus::v1::INSTANCE_STATUS_HEALTHY);
    in.set_last_seen_us(kAsOfUs - 2'000'000);
    for (auto& g : graphs)
        in.add_graphs(g);
    return in;
}

} // namespace nexus::testing
