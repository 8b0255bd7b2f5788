#include "server/rollout/RolloutPlan.h"

namespace nexus::server {

namespace {

pb::RolloutStep weightStep(int percent)
{
    pb::RolloutStep step;
    step.mutable_set_weight()->set_percent(percent);
    return step;
}

pb::RolloutStep analysisStep(std::int64_t windowSeconds, std::int32_t minSamples)
{
    pb::RolloutStep step;
    step.mutable_analysis()->set_window_seconds(windowSeconds);
    step.mutable_analysis()->set_min_samples(minSamples);
    return step;
}

StoreError invalid(std::string message)
{
    return StoreError{StoreError::Code::Invalid, std::move(message)};
}

} // namespace

std::vector<pb::RolloutStep> defaultRolloutPlan(std::int64_t analysisWindowSeconds,
                                                std::int32_t minSamples)
{
    std::vector<pb::RolloutStep> plan;
    for (int percent : {5, 25, 50}) {
        plan.push_back(weightStep(percent));
        plan.push_back(analysisStep(analysisWindowSeconds, minSamples));
    }
    // Reaching 100 % ends the plan and promotes: at full weight no baseline
    // runs are left to compare against.
    plan.push_back(weightStep(100));
    return plan;
}

pb::Guardrails defaultGuardrails()
{
    pb::Guardrails g;
    g.set_max_quality_drop(0.10);
    g.set_max_p95_latency_increase(0.5);
    g.set_max_error_rate(0.2);
    g.set_min_samples(20);
    return g;
}

StoreResult<pb::Guardrails> normalizeGuardrails(const pb::Guardrails& requested,
                                                const pb::Guardrails& defaults)
{
    pb::Guardrails g = requested;
    if (g.max_quality_drop() < 0 || g.max_quality_drop() > 1)
        return invalid("max_quality_drop must be a fraction between 0 and 1");
    if (g.max_p95_latency_increase() < 0)
        return invalid("max_p95_latency_increase must not be negative");
    if (g.max_error_rate() < 0 || g.max_error_rate() > 1)
        return invalid("max_error_rate must be a fraction between 0 and 1");
    if (g.min_samples() < 0)
        return invalid("guardrail min_samples must not be negative");
    if (g.max_quality_drop() == 0)
        g.set_max_quality_drop(defaults.max_quality_drop());
    if (g.max_p95_latency_increase() == 0)
        g.set_max_p95_latency_increase(defaults.max_p95_latency_increase());
    if (g.max_error_rate() == 0)
        g.set_max_error_rate(defaults.max_error_rate());
    if (g.min_samples() == 0)
        g.set_min_samples(defaults.min_samples());
    return g;
}

StoreResult<std::vector<pb::RolloutStep>> normalizeSteps(std::vector<pb::RolloutStep> steps,
                                                         std::int64_t analysisWindowSeconds,
                                                         std::int32_t minSamples)
{
    if (steps.size() > 64)
        return invalid("a rollout plan has at most 64 steps");
    int weight = 0; // the canary's share when each step runs
    for (std::size_t i = 0; i < steps.size(); ++i) {
        pb::RolloutStep& step = steps[i];
        const std::string where = "step " + std::to_string(i + 1) + ": ";
        switch (step.step_case()) {
        case pb::RolloutStep::kSetWeight:
            if (step.set_weight().percent() < 0 || step.set_weight().percent() > 100)
                return invalid(where + "a weight is a percentage, 0 to 100");
            weight = step.set_weight().percent();
            break;
        case pb::RolloutStep::kPause:
            if (step.pause().duration_seconds() < 0)
                return invalid(where + "a pause cannot be negative");
            break;
        case pb::RolloutStep::kAnalysis:
            if (step.analysis().window_seconds() < 0 || step.analysis().min_samples() < 0)
                return invalid(where + "an analysis window and its minimum cannot be negative");
            if (weight == 0 || weight == 100)
                return invalid(
                    where +
                    "an analysis compares canary and baseline runs, so it needs a weight "
                    "between 1 and 99 % before it (at " +
                    std::to_string(weight) + " % one side has no runs)");
            if (step.analysis().window_seconds() == 0)
                step.mutable_analysis()->set_window_seconds(analysisWindowSeconds);
            if (step.analysis().min_samples() == 0)
                step.mutable_analysis()->set_min_samples(minSamples);
            break;
        case pb::RolloutStep::STEP_NOT_SET:
            return invalid(where + "set_weight, pause or analysis is required");
        }
    }
    return steps;
}

std::string describeStep(const pb::RolloutStep& step)
{
    switch (step.step_case()) {
    case pb::RolloutStep::kSetWeight:
        return "set weight " + std::to_string(step.set_weight().percent()) + " %";
    case pb::RolloutStep::kPause:
        if (step.pause().duration_seconds() == 0)
            return "pause until promoted";
        return "pause " + std::to_string(step.pause().duration_seconds()) + " s";
    case pb::RolloutStep::kAnalysis:
        return "analysis " + std::to_string(step.analysis().window_seconds()) +
               " s, >= " + std::to_string(step.analysis().min_samples()) + " runs a side";
    case pb::RolloutStep::STEP_NOT_SET:
        break;
    }
    return "empty step";
}

} // namespace nexus::server
