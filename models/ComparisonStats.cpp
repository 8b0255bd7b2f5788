#include "models/ComparisonStats.h"

#include "stats/Descriptive.h"
#include "stats/MannWhitney.h"

#include <cmath>

namespace nexus::models {
namespace {

bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

double meanOfPoints(const QList<QPointF>& points)
{
    if (points.isEmpty())
        return kNoValue;
    double sum = 0;
    for (const QPointF& p : points)
        sum += p.y();
    return sum / double(points.size());
}

} // namespace

bool MetricComparison::operator==(const MetricComparison& o) const
{
    return same(baseline, o.baseline) && same(value, o.value) && same(delta, o.delta) &&
           same(deltaPercent, o.deltaPercent) && baselineSamples == o.baselineSamples &&
           valueSamples == o.valueSamples && tested == o.tested && same(pValue, o.pValue) &&
           significant == o.significant && direction == o.direction;
}

bool lowerIsBetter(nexus::v1::Metric metric)
{
    return metric != nexus::v1::METRIC_THROUGHPUT && metric != nexus::v1::METRIC_QUALITY &&
           metric != nexus::v1::METRIC_TOKENS;
}

bool testsBuckets(nexus::v1::Metric metric)
{
    return metric == nexus::v1::METRIC_THROUGHPUT || metric == nexus::v1::METRIC_COST ||
           metric == nexus::v1::METRIC_TOKENS;
}

MetricSummary summarize(nexus::v1::Metric metric, const SeriesData* data)
{
    MetricSummary s;
    if (!data)
        return s;
    if (testsBuckets(metric)) {
        // The window mean of a rate; empty buckets are zeros (the store keeps them).
        s.value = meanOfPoints(data->points);
        s.buckets.reserve(std::size_t(data->points.size()));
        for (const QPointF& p : data->points)
            s.buckets.push_back(p.y());
        return s;
    }
    s.runs = &data->samples;
    if (data->samples.empty()) {
        // Fetched without include_samples: show the points' mean, test nothing.
        s.value = meanOfPoints(data->points);
        return s;
    }
    switch (metric) {
    case nexus::v1::METRIC_LATENCY_P50:
        s.value = nexus::stats::quantile(data->samples, 0.50);
        break;
    case nexus::v1::METRIC_LATENCY_P95:
        s.value = nexus::stats::quantile(data->samples, 0.95);
        break;
    case nexus::v1::METRIC_LATENCY_P99:
        s.value = nexus::stats::quantile(data->samples, 0.99);
        break;
    default: // error rate (0/1 per run), quality
        s.value = nexus::stats::mean(data->samples);
    }
    return s;
}

MetricComparison compare(nexus::v1::Metric metric, const MetricSummary& baseline,
                         const MetricSummary& other, double alpha, int minimumSamples)
{
    MetricComparison c;
    c.baseline = baseline.value;
    c.value = other.value;
    c.baselineSamples = baseline.sampleCount();
    c.valueSamples = other.sampleCount();
    if (!std::isnan(c.baseline) && !std::isnan(c.value)) {
        c.delta = c.value - c.baseline;
        if (c.baseline != 0)
            c.deltaPercent = 100.0 * c.delta / std::abs(c.baseline);
        if (c.delta != 0)
            c.direction = (c.delta < 0) == lowerIsBetter(metric) ? 1 : -1;
    }
    c.tested = c.baselineSamples >= minimumSamples && c.valueSamples >= minimumSamples;
    if (c.tested) {
        c.pValue = nexus::stats::mannWhitneyU(other.testSamples(), baseline.testSamples()).pValue;
        c.significant = c.pValue < alpha;
    }
    return c;
}

} // namespace nexus::models
