#include "server/rollout/CanaryAnalysis.h"

#include "stats/Descriptive.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace nexus::server {

namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

std::string format(const char* fmt, ...)
{
    char buffer[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buffer, sizeof buffer, fmt, args);
    va_end(args);
    return buffer;
}

template <class Pick> std::vector<double> values(const std::vector<RunSample>& runs, Pick pick)
{
    std::vector<double> out;
    out.reserve(runs.size());
    for (const RunSample& run : runs)
        if (const std::optional<double> v = pick(run))
            out.push_back(*v);
    return out;
}

std::optional<double> quality(const RunSample& r)
{
    return r.quality;
}
std::optional<double> latencyMs(const RunSample& r)
{
    return static_cast<double>(r.durationUs) / 1000.0;
}
std::optional<double> error(const RunSample& r)
{
    return r.failed ? 1.0 : 0.0;
}
std::optional<double> cost(const RunSample& r)
{
    return static_cast<double>(r.costMicros);
}

pb::MetricAnalysis metricToProto(const stats::MetricScore& m)
{
    pb::MetricAnalysis out;
    out.set_metric(m.spec.name);
    out.set_higher_is_better(m.spec.higherIsBetter);
    out.set_canary_samples(static_cast<std::int64_t>(m.canarySamples));
    out.set_baseline_samples(static_cast<std::int64_t>(m.baselineSamples));
    out.set_canary_mean(m.canaryMean);
    out.set_baseline_mean(m.baselineMean);
    out.set_u_statistic(m.test.u);
    out.set_p_value(m.test.pValue);
    out.set_effect_size(m.test.effectSize);
    out.set_verdict(toProto(m.verdict));
    return out;
}

} // namespace

pb::Verdict toProto(stats::Verdict verdict)
{
    switch (verdict) {
    case stats::Verdict::Pass:
        return pb::VERDICT_PASS;
    case stats::Verdict::Marginal:
        return pb::VERDICT_MARGINAL;
    case stats::Verdict::Fail:
        return pb::VERDICT_FAIL;
    case stats::Verdict::InsufficientData:
        break;
    }
    return pb::VERDICT_INSUFFICIENT_DATA;
}

const char* verdictName(pb::Verdict verdict)
{
    switch (verdict) {
    case pb::VERDICT_PASS:
        return "PASS";
    case pb::VERDICT_MARGINAL:
        return "MARGINAL";
    case pb::VERDICT_FAIL:
        return "FAIL";
    default:
        return "INSUFFICIENT_DATA";
    }
}

CanarySamples splitSamples(std::vector<RunSample> runs, const pb::Rollout& rollout)
{
    CanarySamples out;
    for (RunSample& run : runs) {
        if (run.optimizationVersion == rollout.version_id())
            out.canary.push_back(std::move(run));
        else if (run.optimizationVersion.empty() ||
                 run.optimizationVersion == rollout.baseline_version_id())
            out.baseline.push_back(std::move(run));
    }
    return out;
}

pb::AnalysisResult analyseCanary(const CanarySamples& s, stats::ScoringOptions options,
                                 std::int32_t minSamples)
{
    options.minSamples = static_cast<std::size_t>(std::max(minSamples, 1));
    std::vector<stats::MetricScore> metrics;
    auto score = [&](stats::MetricSpec spec, auto pick) {
        metrics.push_back(
            stats::scoreMetric(spec, values(s.canary, pick), values(s.baseline, pick), options));
    };
    score({"quality", true, true}, quality);
    score({"latency_ms", false, false}, latencyMs);
    score({"error", false, true}, error);
    score({"cost_micros", false, false}, cost);
    const stats::CanaryScore total = stats::scoreCanary(std::move(metrics), options);

    pb::AnalysisResult result;
    for (const stats::MetricScore& m : total.metrics)
        *result.add_metrics() = metricToProto(m);
    result.set_score(total.score);
    result.set_verdict(toProto(total.verdict));
    return result;
}

std::string describeFailures(const pb::AnalysisResult& result)
{
    std::string out;
    for (const pb::MetricAnalysis& m : result.metrics()) {
        if (m.verdict() != pb::VERDICT_FAIL && m.verdict() != pb::VERDICT_MARGINAL)
            continue;
        const double change =
            m.baseline_mean() != 0 ? (m.canary_mean() - m.baseline_mean()) / m.baseline_mean() : 0;
        out += format("%s%s %s: canary %.4g vs baseline %.4g (%+.1f %%), p = %.4f",
                      out.empty() ? "" : "; ", m.metric().c_str(), verdictName(m.verdict()),
                      m.canary_mean(), m.baseline_mean(), change * 100, m.p_value());
    }
    return out;
}

std::optional<std::string> guardrailBreach(const CanarySamples& s, const pb::Guardrails& g)
{
    const auto minimum = static_cast<std::size_t>(std::max(g.min_samples(), 1));
    if (s.canary.size() < minimum || s.baseline.size() < minimum)
        return std::nullopt;

    const std::vector<double> canaryQuality = values(s.canary, quality);
    const std::vector<double> baselineQuality = values(s.baseline, quality);
    if (canaryQuality.size() >= minimum && baselineQuality.size() >= minimum) {
        const double c = stats::mean(canaryQuality);
        const double b = stats::mean(baselineQuality);
        if (b > 0 && c < b * (1 - g.max_quality_drop()))
            return format("quality guardrail: canary %.2f vs baseline %.2f (%+.1f %%, limit "
                          "-%g %%) over %zu/%zu runs",
                          c, b, (c - b) / b * 100, g.max_quality_drop() * 100, canaryQuality.size(),
                          baselineQuality.size());
    }

    const double canaryP95 = stats::quantile(values(s.canary, latencyMs), 0.95);
    const double baselineP95 = stats::quantile(values(s.baseline, latencyMs), 0.95);
    if (baselineP95 > 0 && canaryP95 > baselineP95 * (1 + g.max_p95_latency_increase()))
        return format("p95 latency guardrail: canary %.0f ms vs baseline %.0f ms (%+.1f %%, "
                      "limit +%g %%) over %zu/%zu runs",
                      canaryP95, baselineP95, (canaryP95 - baselineP95) / baselineP95 * 100,
                      g.max_p95_latency_increase() * 100, s.canary.size(), s.baseline.size());

    std::size_t failed = 0;
    for (const RunSample& r : s.canary)
        failed += r.failed ? 1 : 0;
    const double rate = static_cast<double>(failed) / static_cast<double>(s.canary.size());
    if (rate > g.max_error_rate())
        return format("error rate guardrail: canary %.1f %% (%zu of %zu runs failed), limit %g %%",
                      rate * 100, failed, s.canary.size(), g.max_error_rate() * 100);
    return std::nullopt;
}

} // namespace nexus::server
