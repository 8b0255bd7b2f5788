#include "server/rollout/RolloutSteps.h"

#include "server/rollout/RolloutPlan.h"

#include <cstdio>

namespace nexus::server {

namespace {

constexpr std::int64_t kMicros = 1'000'000;

std::string stepLabel(const pb::Rollout& r)
{
    return "step " + std::to_string(r.current_step() + 1) + "/" + std::to_string(r.steps_size());
}

bool laterAnalysisExists(const pb::Rollout& r)
{
    for (int i = r.current_step() + 1; i < r.steps_size(); ++i)
        if (r.steps(i).has_analysis())
            return true;
    return false;
}

// The analysis already recorded for the current step while it waits for data.
pb::AnalysisResult* waitingAnalysis(pb::Rollout& r)
{
    if (r.analyses_size() == 0)
        return nullptr;
    pb::AnalysisResult* last = r.mutable_analyses(r.analyses_size() - 1);
    if (last->step_index() == r.current_step() &&
        last->verdict() == pb::VERDICT_INSUFFICIENT_DATA &&
        last->window_start_us() == r.step_started_us())
        return last;
    return nullptr;
}

enum class Wait
{
    No,
    Yes,
};

Wait runPause(pb::Rollout& r, const pb::PauseStep& pause, const StepContext& ctx)
{
    const std::int64_t duration = pause.duration_seconds() * kMicros;
    if (duration > 0 && ctx.nowUs - r.step_started_us() >= duration) {
        r.set_phase(pb::ROLLOUT_PHASE_PROGRESSING);
        r.set_paused_by_step(false);
        addEvent(r, ctx.nowUs, "resumed",
                 stepLabel(r) + ": pause of " + std::to_string(pause.duration_seconds()) +
                     " s over",
                 kControllerActor);
        enterNextStep(r, ctx.nowUs);
        return Wait::No;
    }
    if (r.phase() != pb::ROLLOUT_PHASE_PAUSED) {
        r.set_phase(pb::ROLLOUT_PHASE_PAUSED);
        r.set_paused_by_step(true);
        addEvent(r, ctx.nowUs, "paused",
                 stepLabel(r) + ": " + describeStep(r.steps(r.current_step())), kControllerActor);
    }
    return Wait::Yes;
}

StoreResult<Wait> runAnalysis(pb::Rollout& r, const pb::AnalysisStep& step, const StepContext& ctx)
{
    if (ctx.nowUs - r.step_started_us() < step.window_seconds() * kMicros)
        return Wait::Yes;
    auto samples = ctx.samples(r, r.step_started_us());
    if (!samples)
        return samples.error();

    pb::AnalysisResult result;
    const auto minimum = static_cast<std::size_t>(step.min_samples());
    if (samples->canary.size() < minimum || samples->baseline.size() < minimum) {
        if (waitingAnalysis(r))
            return Wait::Yes; // already said so; no new revision for every tick
        result.set_verdict(pb::VERDICT_INSUFFICIENT_DATA);
    } else {
        result = analyseCanary(*samples, ctx.scoring, step.min_samples());
    }
    result.set_step_index(r.current_step());
    result.set_window_start_us(r.step_started_us());
    result.set_window_end_us(ctx.nowUs);
    result.set_at_us(ctx.nowUs);

    const std::string counts = " (canary " + std::to_string(samples->canary.size()) +
                               ", baseline " + std::to_string(samples->baseline.size()) + " runs)";
    if (pb::AnalysisResult* waiting = waitingAnalysis(r))
        *waiting = result; // the waiting result becomes the verdict
    else
        *r.add_analyses() = result;

    char score[32];
    std::snprintf(score, sizeof score, "%.1f", result.score());
    const std::string verdict = verdictName(result.verdict());
    if (result.verdict() == pb::VERDICT_INSUFFICIENT_DATA) {
        addEvent(r, ctx.nowUs, "analysis",
                 stepLabel(r) + ": INSUFFICIENT_DATA, waiting for " + std::to_string(minimum) +
                     " runs a side" + counts,
                 kControllerActor);
        return Wait::Yes;
    }
    addEvent(r, ctx.nowUs, "analysis", stepLabel(r) + ": " + verdict + ", score " + score + counts,
             kControllerActor);

    if (result.verdict() == pb::VERDICT_FAIL) {
        markRolledBack(r, ctx.nowUs,
                       "analysis at " + stepLabel(r) + " failed with score " + score + ": " +
                           describeFailures(result));
        return Wait::Yes;
    }
    if (result.verdict() == pb::VERDICT_MARGINAL && !laterAnalysisExists(r)) {
        // No later analysis would catch a real regression: a person decides.
        r.set_phase(pb::ROLLOUT_PHASE_PAUSED);
        r.set_paused_by_step(false);
        addEvent(r, ctx.nowUs, "paused",
                 stepLabel(r) + ": the last analysis is MARGINAL (score " + score +
                     "); promote or abort",
                 kControllerActor);
        return Wait::Yes;
    }
    enterNextStep(r, ctx.nowUs);
    return Wait::No;
}

} // namespace

bool isActive(const pb::Rollout& r)
{
    return r.phase() == pb::ROLLOUT_PHASE_PROGRESSING || r.phase() == pb::ROLLOUT_PHASE_PAUSED;
}

void addEvent(pb::Rollout& r, std::int64_t atUs, const std::string& kind, const std::string& detail,
              const std::string& actor)
{
    pb::RolloutEvent* e = r.add_history();
    e->set_at_us(atUs);
    e->set_kind(kind);
    e->set_detail(detail);
    e->set_actor(actor);
}

void enterNextStep(pb::Rollout& r, std::int64_t nowUs)
{
    r.set_current_step(r.current_step() + 1);
    r.set_step_started_us(nowUs);
    if (r.current_step() < r.steps_size())
        addEvent(r, nowUs, "step", stepLabel(r) + ": " + describeStep(r.steps(r.current_step())),
                 kControllerActor);
}

void markPromoted(pb::Rollout& r, std::int64_t nowUs, const std::string& actor,
                  const std::string& detail)
{
    r.set_phase(pb::ROLLOUT_PHASE_PROMOTED);
    r.set_paused_by_step(false);
    r.set_weight_percent(100);
    r.set_current_step(r.steps_size());
    r.set_step_started_us(nowUs);
    addEvent(r, nowUs, "promoted", detail, actor);
}

void markRolledBack(pb::Rollout& r, std::int64_t nowUs, const std::string& reason)
{
    r.set_phase(pb::ROLLOUT_PHASE_ROLLED_BACK);
    r.set_paused_by_step(false);
    r.set_weight_percent(0);
    r.set_reason(reason);
    addEvent(r, nowUs, "rolled_back", reason, kControllerActor);
}

StoreStatus runSteps(pb::Rollout& r, const StepContext& ctx)
{
    while (r.phase() == pb::ROLLOUT_PHASE_PROGRESSING ||
           (r.phase() == pb::ROLLOUT_PHASE_PAUSED && r.paused_by_step())) {
        if (r.current_step() >= r.steps_size()) {
            markPromoted(r, ctx.nowUs, ctx.actor, "every step done: the canary is live");
            break;
        }
        const pb::RolloutStep& step = r.steps(r.current_step());
        Wait wait = Wait::No;
        switch (step.step_case()) {
        case pb::RolloutStep::kSetWeight:
            r.set_weight_percent(step.set_weight().percent());
            addEvent(r, ctx.nowUs, "weight",
                     stepLabel(r) + ": weight " + std::to_string(step.set_weight().percent()) +
                         " %",
                     ctx.actor);
            enterNextStep(r, ctx.nowUs);
            break;
        case pb::RolloutStep::kPause:
            wait = runPause(r, step.pause(), ctx);
            break;
        case pb::RolloutStep::kAnalysis: {
            auto analysed = runAnalysis(r, step.analysis(), ctx);
            if (!analysed)
                return analysed.error();
            wait = *analysed;
            break;
        }
        case pb::RolloutStep::STEP_NOT_SET:
            enterNextStep(r, ctx.nowUs); // normalizeSteps refuses these; never stall on one
            break;
        }
        if (wait == Wait::Yes)
            break;
    }
    return protocol::Ok{};
}

} // namespace nexus::server
