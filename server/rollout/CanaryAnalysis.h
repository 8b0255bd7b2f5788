#pragma once
// Canary against baseline over a set of finished runs: the per-metric
// Mann-Whitney analysis of an Analysis step, and the guardrails checked on
// every tick.

#include "stats/CanaryScoring.h"
#include "server/store/Store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::server {

// The runs of one rollout, split by what they were routed to: the canary
// ran version_id; the baseline ran baseline_version_id or no version.
struct CanarySamples
{
    std::vector<RunSample> canary;
    std::vector<RunSample> baseline;
};

CanarySamples splitSamples(std::vector<RunSample> runs, const pb::Rollout& rollout);

// quality (higher is better, critical; runs without a quality are left out),
// latency_ms, error (critical) and cost_micros (lower is better).
pb::AnalysisResult analyseCanary(const CanarySamples& samples, stats::ScoringOptions options,
                                 std::int32_t minSamples);

// "latency_ms: canary 140 vs baseline 100 (+40.0 %), p = 0.0001; ..." for the failing metrics.
std::string describeFailures(const pb::AnalysisResult& result);

// The first guardrail breached, as a reason a person can read, or nullopt.
// Judges only when both sides have guardrails.min_samples runs.
std::optional<std::string> guardrailBreach(const CanarySamples& samples,
                                           const pb::Guardrails& guardrails);

pb::Verdict toProto(stats::Verdict verdict);
const char* verdictName(pb::Verdict verdict);

} // namespace nexus::server
