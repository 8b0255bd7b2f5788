#include "server/api/Aggregates.h"

#include <algorithm>
#include <cmath>

namespace nexus::server {

namespace pb = ::nexus::v1;

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const auto hi = static_cast<std::size_t>(std::ceil(rank));
    return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

pb::QualityGroup summarize(const std::string& key, const std::vector<const RunSample*>& samples)
{
    pb::QualityGroup g;
    g.set_key(key);
    g.set_runs(static_cast<std::int64_t>(samples.size()));
    std::vector<double> latencies;
    double qualitySum = 0;
    std::int64_t failed = 0, withQuality = 0, tokens = 0, cost = 0;
    for (const RunSample* s : samples) {
        latencies.push_back(static_cast<double>(s->durationUs) / 1000.0);
        failed += s->failed ? 1 : 0;
        if (s->quality) {
            ++withQuality;
            qualitySum += *s->quality;
        }
        tokens += s->tokens;
        cost += s->costMicros;
    }
    g.set_runs_with_quality(withQuality);
    g.set_mean_quality(withQuality ? qualitySum / static_cast<double>(withQuality) : 0.0);
    g.set_error_rate(
        samples.empty() ? 0.0 : static_cast<double>(failed) / static_cast<double>(samples.size()));
    g.set_latency_p50_ms(percentile(latencies, 50));
    g.set_latency_p95_ms(percentile(latencies, 95));
    g.set_tokens(tokens);
    g.set_cost_micros(cost);
    return g;
}

std::optional<double> sampleValue(pb::Metric metric, const RunSample& s)
{
    switch (metric) {
    case pb::METRIC_ERROR_RATE:
        return s.failed ? 1.0 : 0.0;
    case pb::METRIC_LATENCY_P50:
    case pb::METRIC_LATENCY_P95:
    case pb::METRIC_LATENCY_P99:
        return static_cast<double>(s.durationUs) / 1000.0;
    case pb::METRIC_QUALITY:
        return s.quality;
    case pb::METRIC_COST:
        return static_cast<double>(s.costMicros);
    case pb::METRIC_TOKENS:
        return static_cast<double>(s.tokens);
    case pb::METRIC_THROUGHPUT:
        return 1.0;
    default:
        return std::nullopt;
    }
}

double metricValue(pb::Metric metric, const std::vector<const RunSample*>& samples, double seconds)
{
    if (samples.empty())
        return 0.0;
    std::vector<double> values;
    for (const RunSample* s : samples)
        if (auto v = sampleValue(metric, *s))
            values.push_back(*v);
    double sum = 0;
    for (double v : values)
        sum += v;
    const double perSecond = seconds > 0 ? 1.0 / seconds : 0.0;
    switch (metric) {
    case pb::METRIC_THROUGHPUT:
        return static_cast<double>(samples.size()) * perSecond;
    case pb::METRIC_ERROR_RATE:
        return sum / static_cast<double>(samples.size());
    case pb::METRIC_LATENCY_P50:
        return percentile(values, 50);
    case pb::METRIC_LATENCY_P95:
        return percentile(values, 95);
    case pb::METRIC_LATENCY_P99:
        return percentile(values, 99);
    case pb::METRIC_QUALITY:
        return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
    case pb::METRIC_COST:
        return sum * perSecond * 3600.0; // micro-dollars per hour
    case pb::METRIC_TOKENS:
        return sum * perSecond;
    default:
        return 0.0;
    }
}

} // namespace nexus::server
