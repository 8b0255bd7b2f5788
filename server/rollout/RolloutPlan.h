#pragma once
// Step plans and guardrails: the built-in defaults, and the checks a
// launch request goes through before anything is stored.

#include "server/store/Store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::server {

// SetWeight 5 -> Analysis -> 25 -> Analysis -> 50 -> Analysis -> 100 -> Analysis.
std::vector<pb::RolloutStep> defaultRolloutPlan(std::int64_t analysisWindowSeconds,
                                                std::int32_t minSamples);

// max_quality_drop 0.10, max_p95_latency_increase 0.5, max_error_rate 0.2, min_samples 20.
pb::Guardrails defaultGuardrails();

// Fills zero fields from `defaults`; Invalid for values out of range.
StoreResult<pb::Guardrails> normalizeGuardrails(const pb::Guardrails& requested,
                                                const pb::Guardrails& defaults);

// Fills an analysis step's zero window/min_samples; Invalid for a step
// without a kind, a weight outside 0..100, negative durations, or more than
// 64 steps.
StoreResult<std::vector<pb::RolloutStep>> normalizeSteps(std::vector<pb::RolloutStep> steps,
                                                         std::int64_t analysisWindowSeconds,
                                                         std::int32_t minSamples);

// "set weight 25 %", "pause 60 s", "pause until promoted", "analysis 300 s, >= 20 runs a side".
std::string describeStep(const pb::RolloutStep& step);

} // namespace nexus::server
