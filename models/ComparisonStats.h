#pragma once
// One metric of one instance against the baseline: the summary value of each
// side, the difference, and a Mann-Whitney U test on the windowed samples.
// What is summarised and tested per metric: docs/instance-comparison.md.

#include "models/MetricSeriesStore.h"

#include "nexus/v1/fleet.pb.h"

#include <limits>
#include <vector>

namespace nexus::models {

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// A side of a comparison: the value shown and the samples tested.
struct MetricSummary
{
    double value = kNoValue;                   // NaN: no data in the window
    const std::vector<double>* runs = nullptr; // per-run samples, owned by the store
    std::vector<double> buckets;               // per-bucket values, for rates (throughput, cost)

    const std::vector<double>& testSamples() const { return runs ? *runs : buckets; }
    int sampleCount() const { return int(testSamples().size()); }
};

struct MetricComparison
{
    double baseline = kNoValue;
    double value = kNoValue;
    double delta = kNoValue;        // value - baseline
    double deltaPercent = kNoValue; // 100 * delta / baseline; NaN when the baseline is 0
    int baselineSamples = 0;
    int valueSamples = 0;
    bool tested = false;      // both sides had the minimum sample count
    double pValue = kNoValue; // two-sided; NaN when not tested
    bool significant = false; // tested and p < alpha
    int direction = 0;        // +1 better than the baseline, -1 worse, 0 same or unknown

    bool operator==(const MetricComparison& o) const;
};

// Lower is better for error rate, latency and cost; higher for throughput and quality.
bool lowerIsBetter(nexus::v1::Metric metric);

// Rates (throughput, cost per hour) are tested on per-bucket values: the
// server's per-run sample of throughput is always 1.0 and one run's cost is
// not a cost per hour.
bool testsBuckets(nexus::v1::Metric metric);

// `data` may be null (nothing fetched for the instance yet).
MetricSummary summarize(nexus::v1::Metric metric, const SeriesData* data);

MetricComparison compare(nexus::v1::Metric metric, const MetricSummary& baseline,
                         const MetricSummary& other, double alpha, int minimumSamples);

} // namespace nexus::models
