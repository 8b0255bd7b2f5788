#pragma once
// Rollouts as nexusd writes them, for the rollout widget tests: the default
// plan of rag_pipeline / generate, analyses, history events with the
// server's wording, series buckets and optimization versions. Times are
// local wall-clock times on a fixed day, so "20:31" reads the same in every
// time zone.

#include "nexus/v1/rollouts.pb.h"

#include <QDate>
#include <QDateTime>
#include <QTime>

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::testing::rollouts {

namespace pb = ::nexus::v1;

inline std::int64_t at(int hour, int minute, int second = 0)
{
    return QDateTime(QDate(2026, 3, 14), QTime(hour, minute, second)).toMSecsSinceEpoch() * 1000;
}

inline pb::RolloutStep weight(int percent)
{
    pb::RolloutStep s;
    s.mutable_set_weight()->set_percent(percent);
    return s;
}

inline pb::RolloutStep analysisStep(std::int64_t windowSeconds, int minSamples)
{
    pb::RolloutStep s;
    s.mutable_analysis()->set_window_seconds(windowSeconds);
    s.mutable_analysis()->set_min_samples(minSamples);
    return s;
}

inline pb::RolloutStep pauseStep(std::int64_t seconds)
{
    pb::RolloutStep s;
    s.mutable_pause()->set_duration_seconds(seconds);
    return s;
}

inline void event(pb::Rollout& r, std::int64_t atUs, const char* kind, const std::string& detail,
                  const char* actor = "controller")
{
    pb::RolloutEvent* e = r.add_history();
    e->set_at_us(atUs);
    e->set_kind(kind);
    e->set_detail(detail);
    e->set_actor(actor);
}

inline pb::MetricAnalysis metric(const char* id, bool higherIsBetter, double canary,
                                 double baseline, double p, double r, pb::Verdict verdict,
                                 std::int64_t canaryRuns = 143, std::int64_t baselineRuns = 1402)
{
    pb::MetricAnalysis m;
    m.set_metric(id);
    m.set_higher_is_better(higherIsBetter);
    m.set_canary_samples(canaryRuns);
    m.set_baseline_samples(baselineRuns);
    m.set_canary_mean(canary);
    m.set_baseline_mean(baseline);
    m.set_p_value(p);
    m.set_effect_size(r);
    m.set_u_statistic(90000);
    m.set_verdict(verdict);
    return m;
}

// A passing analysis of step 2/7 over 20:31–20:36, 143 canary and 1 402 baseline runs.
inline pb::AnalysisResult passingAnalysis(int stepIndex, std::int64_t startUs, std::int64_t endUs)
{
    pb::AnalysisResult a;
    a.set_step_index(stepIndex);
    a.set_window_start_us(startUs);
    a.set_window_end_us(endUs);
    a.set_at_us(endUs);
    *a.add_metrics() = metric("quality", true, 0.87, 0.86, 0.41, 0.04, pb::VERDICT_PASS);
    *a.add_metrics() = metric("latency_ms", false, 402, 420, 0.22, -0.07, pb::VERDICT_PASS);
    *a.add_metrics() = metric("error", false, 0.021, 0.02, 0.93, 0.0, pb::VERDICT_PASS, 143, 1402);
    *a.add_metrics() = metric("cost_micros", false, 4100, 4200, 0.35, -0.05, pb::VERDICT_PASS);
    a.set_score(100);
    a.set_verdict(pb::VERDICT_PASS);
    return a;
}

// rag_pipeline / generate on the default plan, launched at 20:26, at 25 %
// and analysed once (step 2/7 passed at 20:36), now in step 4/7's analysis.
inline pb::Rollout progressingRollout()
{
    pb::Rollout r;
    r.set_rollout_id("1a2b3c4d-0000-4000-8000-000000000001");
    r.set_version_id("5e6f7a8b-0000-4000-8000-000000000002");
    r.set_baseline_version_id("9f8e7d6c-0000-4000-8000-000000000003");
    r.set_graph_name("rag_pipeline");
    r.set_node_id("generate");
    for (const pb::RolloutStep& s :
         {weight(5), analysisStep(300, 20), weight(25), analysisStep(300, 20), weight(50),
          analysisStep(300, 20), weight(100)})
        *r.add_steps() = s;
    r.mutable_guardrails()->set_max_quality_drop(0.1);
    r.mutable_guardrails()->set_max_p95_latency_increase(0.5);
    r.mutable_guardrails()->set_max_error_rate(0.2);
    r.mutable_guardrails()->set_min_samples(20);
    r.set_phase(pb::ROLLOUT_PHASE_PROGRESSING);
    r.set_current_step(3);
    r.set_weight_percent(25);
    r.set_created_us(at(20, 26));
    r.set_step_started_us(at(20, 36));
    r.set_revision(6);
    event(r, at(20, 26), "launched", "version 5e6f7a8b against 9f8e7d6c", "alice");
    event(r, at(20, 26), "weight", "step 1/7: weight 5 %");
    event(r, at(20, 31), "step", "step 2/7: analysis 300 s, >= 20 runs a side");
    *r.add_analyses() = passingAnalysis(1, at(20, 31), at(20, 36));
    event(r, at(20, 36), "analysis",
          "step 2/7: PASS, score 100.0 (canary 143, baseline 1402 runs)");
    event(r, at(20, 36), "weight", "step 3/7: weight 25 %");
    return r;
}

// The same rollout waiting in step 4/7: 12 of 20 canary runs when the window ended.
inline pb::Rollout waitingRollout()
{
    pb::Rollout r = progressingRollout();
    pb::AnalysisResult* waiting = r.add_analyses();
    waiting->set_step_index(3);
    waiting->set_window_start_us(at(20, 36));
    waiting->set_window_end_us(at(20, 41));
    waiting->set_at_us(at(20, 41));
    waiting->set_verdict(pb::VERDICT_INSUFFICIENT_DATA);
    event(r, at(20, 41), "analysis",
          "step 4/7: INSUFFICIENT_DATA, waiting for 20 runs a side (canary 12, baseline 30 runs)");
    r.set_revision(7);
    return r;
}

inline const char* kQualityReason =
    "quality guardrail: canary 0.70 vs baseline 0.86 (-18.6 %, limit -10 %) over 30/30 runs";

// Rolled back by the quality guardrail at 20:44.
inline pb::Rollout rolledBackRollout()
{
    pb::Rollout r = waitingRollout();
    r.set_phase(pb::ROLLOUT_PHASE_ROLLED_BACK);
    r.set_weight_percent(0);
    r.set_reason(kQualityReason);
    event(r, at(20, 44), "rolled_back", kQualityReason);
    r.set_revision(8);
    return r;
}

inline pb::SeriesPoint point(std::int64_t tUs, double value, std::int64_t count)
{
    pb::SeriesPoint p;
    p.set_t_us(tUs);
    p.set_value(value);
    p.set_count(count);
    return p;
}

// 20 one-minute buckets from 20:26; the canary has no run in bucket 7.
inline pb::GetRolloutSeriesResponse series(int gapBucket = 7)
{
    pb::GetRolloutSeriesResponse s;
    s.set_rollout_id("1a2b3c4d-0000-4000-8000-000000000001");
    s.set_start_us(at(20, 26));
    s.set_end_us(at(20, 46));
    s.set_step_seconds(60);
    struct Spec
    {
        const char* id;
        double canary, baseline, slope;
    };
    const Spec specs[] = {{"quality", 0.84, 0.86, -0.006},
                          {"latency_p95_ms", 460, 420, 12},
                          {"error_rate", 0.03, 0.02, 0.008},
                          {"cost_micros", 4300, 4200, 10}};
    std::int64_t canaryRuns = 0, baselineRuns = 0;
    for (const Spec& spec : specs) {
        pb::RolloutMetricSeries* m = s.add_series();
        m->set_metric(spec.id);
        for (int b = 0; b < 20; ++b) {
            const std::int64_t t = at(20, 26) + std::int64_t(b) * 60'000'000;
            const std::int64_t nCanary = b < 10 ? 3 : 12, nBaseline = b < 10 ? 57 : 48;
            const double wiggle = (b % 3 - 1) * spec.slope * 0.5;
            if (b != gapBucket) {
                *m->add_canary() = point(t, spec.canary + spec.slope * b + wiggle, nCanary);
                if (spec.id == std::string("quality"))
                    canaryRuns += nCanary;
            }
            *m->add_baseline() = point(t, spec.baseline - wiggle, nBaseline);
            if (spec.id == std::string("quality"))
                baselineRuns += nBaseline;
        }
    }
    s.set_canary_runs(canaryRuns);
    s.set_baseline_runs(baselineRuns);
    return s;
}

inline pb::OptimizationVersion version(const char* id, const char* graph, const char* node,
                                       pb::VersionState state, const char* description,
                                       std::int64_t createdUs)
{
    pb::OptimizationVersion v;
    v.set_version_id(id);
    v.set_graph_name(graph);
    v.set_node_id(node);
    v.set_target_param("system_prompt");
    v.set_state(state);
    v.set_description(description);
    v.set_created_us(createdUs);
    v.set_content(std::string("You are a careful assistant for ") + graph +
                  ".\nAnswer in at most three sentences.\nCite the retrieved passages as [1], "
                  "[2].\nSay \"I don't know\" when the passages do not answer.");
    return v;
}

inline std::vector<pb::OptimizationVersion> versions()
{
    return {
        version("5e6f7a8b-0000-4000-8000-000000000002", "rag_pipeline", "generate",
                pb::VERSION_STATE_CANDIDATE, "Shorter answers that cite sources", at(19, 50)),
        version("9f8e7d6c-0000-4000-8000-000000000003", "rag_pipeline", "generate",
                pb::VERSION_STATE_LIVE, "Answer with citations", at(9, 12)),
        version("c0ffee01-0000-4000-8000-000000000004", "support_triage", "classify",
                pb::VERSION_STATE_CANDIDATE, "Route billing questions first", at(18, 5)),
        version("deadbeef-0000-4000-8000-000000000005", "rag_pipeline", "rewrite_query",
                pb::VERSION_STATE_CANDIDATE, "Expand acronyms before retrieval", at(20, 2)),
        version("0badf00d-0000-4000-8000-000000000006", "rag_pipeline", "generate",
                pb::VERSION_STATE_RETIRED, "First optimization", at(8, 0)),
    };
}

} // namespace nexus::testing::rollouts
