#pragma once
// The step engine: moves a rollout through its plan at a given time. Pure
// state changes on the message; the controller stores and publishes them.
// docs/rollouts.md describes the semantics.

#include "server/rollout/CanaryAnalysis.h"
#include "stats/CanaryScoring.h"
#include "server/store/Store.h"

#include <cstdint>
#include <functional>
#include <string>

namespace nexus::server {

inline constexpr const char* kControllerActor = "controller";

struct StepContext
{
    std::int64_t nowUs = 0;
    std::string actor = kControllerActor; // whose action moved the plan
    // The rollout's runs that ended in [sinceUs, nowUs].
    std::function<StoreResult<CanarySamples>(const pb::Rollout&, std::int64_t sinceUs)> samples;
    stats::ScoringOptions scoring;
};

bool isActive(const pb::Rollout& rollout);

void addEvent(pb::Rollout& rollout, std::int64_t atUs, const std::string& kind,
              const std::string& detail, const std::string& actor);

// Runs steps that can complete at ctx.nowUs (weights apply at once, timed
// pauses that are over, analyses whose window is over and have the samples)
// until one must wait, the plan ends (PROMOTED) or an analysis fails
// (ROLLED_BACK). Does nothing for a rollout a person paused.
StoreStatus runSteps(pb::Rollout& rollout, const StepContext& ctx);

// Leaves the current step and enters the next (no steps run).
void enterNextStep(pb::Rollout& rollout, std::int64_t nowUs);

void markPromoted(pb::Rollout& rollout, std::int64_t nowUs, const std::string& actor,
                  const std::string& detail);
void markRolledBack(pb::Rollout& rollout, std::int64_t nowUs, const std::string& reason);

} // namespace nexus::server
