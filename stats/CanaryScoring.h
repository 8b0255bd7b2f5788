#pragma once
// Kayenta-style canary scoring: a verdict per metric from a Mann-Whitney U
// test of canary against baseline, then one score for the whole comparison.
// docs/rollouts.md explains the thresholds.

#include "stats/MannWhitney.h"

#include <cstddef>
#include <string>
#include <vector>

namespace nexus::stats {

enum class Verdict
{
    Pass,
    Marginal,
    Fail,
    InsufficientData,
};

const char* verdictName(Verdict verdict); // "PASS", "MARGINAL", "FAIL", "INSUFFICIENT_DATA"

struct ScoringOptions
{
    // Per metric. The canary is "worse" when it tends to the bad side
    // (rank-biserial effect) and its mean is worse by more than `tolerance`
    // (relative to the baseline mean): then p < alpha is FAIL and
    // p < marginalAlpha MARGINAL. Anything else is PASS.
    double alpha = 0.05;
    double marginalAlpha = 0.20;
    double tolerance = 0.02;
    std::size_t minSamples = 20; // per side; fewer = INSUFFICIENT_DATA

    // Overall: score = 100 * (pass + 0.5 * marginal) / judged metrics.
    double passScore = 95;
    double marginalScore = 75;
};

struct MetricSpec
{
    std::string name;
    bool higherIsBetter = false;
    bool critical = false; // a FAIL on this metric fails the whole comparison
};

struct MetricScore
{
    MetricSpec spec;
    std::size_t canarySamples = 0;
    std::size_t baselineSamples = 0;
    double canaryMean = 0;
    double baselineMean = 0;
    double relativeChange = 0; // (canary - baseline) / |baseline|; 0 when both are 0
    MannWhitneyResult test;    // a = canary, b = baseline
    Verdict verdict = Verdict::InsufficientData;
};

struct CanaryScore
{
    std::vector<MetricScore> metrics;
    double score = 0; // 0..100 over the judged (not INSUFFICIENT_DATA) metrics
    Verdict verdict = Verdict::InsufficientData;
};

MetricScore scoreMetric(const MetricSpec& spec, const std::vector<double>& canary,
                        const std::vector<double>& baseline, const ScoringOptions& options = {});

// INSUFFICIENT_DATA when no metric could be judged; FAIL when a critical
// metric fails, whatever the score.
CanaryScore scoreCanary(std::vector<MetricScore> metrics, const ScoringOptions& options = {});

} // namespace nexus::stats
