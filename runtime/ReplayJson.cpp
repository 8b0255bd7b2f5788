// The replay report as JSON (docs/replay.md shows an example).
#include "runtime/Replay.h"

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

json problemJson(const RecordingProblem& problem)
{
    json out = {{"record", problem.record}, {"code", problem.code}, {"message", problem.message}};
    if (problem.hasOffset)
        out["offset"] = problem.offset;
    return out;
}

json stepJson(const ReplayStep& s, const RecordedExecution& e, bool withStates)
{
    json out = {{"step", s.step},
                {"node", s.node},
                {"super_step", s.superStep},
                {"visit", s.visit},
                {"start_us", e.startUs},
                {"duration_us", e.durationUs},
                {"hash", stepVerdictName(s.hash)},
                {"recorded_hash", s.recordedHash},
                {"replayed_hash", s.replayedHash},
                {"route", routeVerdictName(s.route)},
                {"recorded_next", s.recordedNext},
                {"expected_next", s.expectedNext},
                {"next_source", nextSourceName(e.nextSource)}};
    if (!s.routeDetail.empty())
        out["route_detail"] = s.routeDetail;
    if (s.divergence)
        out["divergence"] = *s.divergence;
    if (s.updates > 0)
        out["updates_before"] = {{"count", s.updates}, {"hash", stepVerdictName(s.updatesHash)}};
    if (!e.routeLabels.empty())
        out["route_labels"] = e.routeLabels;
    if (e.failed)
        out["error"] = e.error;
    if (e.promptTokens || e.completionTokens) {
        out["prompt_tokens"] = e.promptTokens;
        out["completion_tokens"] = e.completionTokens;
        out["cost_usd"] = e.costUsd;
        out["model"] = e.model;
    }
    if (withStates) {
        out["state_before"] = s.stateBefore ? *s.stateBefore : json(nullptr);
        out["state_after"] = s.stateAfter ? *s.stateAfter : json(nullptr);
    }
    return out;
}

} // namespace

json replayReportJson(const ReplaySession& session, bool withStates)
{
    const ReplayReport& r = session.report();
    const Recording& recording = session.recording();
    std::size_t updates = 0; // recorded between steps (a human's answer at an interrupt)
    for (const ReplayStep& s : session.steps())
        updates += s.updates;
    json steps = json::array();
    for (std::size_t i = 0; i < session.steps().size(); ++i)
        steps.push_back(stepJson(session.steps()[i], recording.executions[i], withStates));
    json divergences = json::array();
    for (const Divergence& d : r.divergences)
        divergences.push_back({{"step", d.step},
                               {"node", d.node},
                               {"kind", divergenceKindName(d.kind)},
                               {"recorded_next", d.recordedNext},
                               {"expected_next", d.expectedNext},
                               {"reason", d.reason}});
    json problems = json::array();
    for (const RecordingProblem& problem : r.problems)
        problems.push_back(problemJson(problem));
    json out = {
        {"source", recording.source},
        {"thread_id", r.threadId},
        {"other_threads", r.otherThreads},
        {"status", recordingStatusName(r.status)},
        {"graph",
         {{"name", r.graphName},
          {"source", r.graphSource},
          {"schema_id", r.graphSchemaId},
          {"recorded_schema_id", r.recordedSchemaId},
          {"schema_id_matches",
           !r.recordedSchemaId.empty() && r.graphSchemaId == r.recordedSchemaId}}},
        {"summary",
         {{"steps", r.steps},
          {"verified", r.hashes.verified},
          {"mismatched", r.hashes.mismatched},
          {"unverified", r.hashes.unverified},
          {"not_applied", r.hashes.notApplied},
          {"updates", updates},
          {"updates_hash", updates == 0 ? "none" : stepVerdictName(r.updatesHash)},
          {"final_hash", recording.finalUpdates.empty() ? "none" : stepVerdictName(r.finalHash)},
          {"divergences", r.divergences.size()},
          {"problems", r.problems.size()},
          {"records", recording.records},
          {"bad_records", recording.badRecords},
          {"duplicates", recording.duplicates}}},
        {"ok", r.ok()},
        {"steps", std::move(steps)},
        {"divergences", std::move(divergences)},
        {"problems", std::move(problems)}};
    if (const Divergence* first = r.firstDivergence())
        out["first_divergence_step"] = first->step;
    if (!recording.error.empty())
        out["run_error"] = recording.error;
    if (!recording.attributes.empty())
        for (const char* key : {"forked_from_thread", "forked_from_step"})
            if (const auto it = recording.attributes.find(key); it != recording.attributes.end())
                out[key] = it->second;
    if (withStates)
        out["final_state"] = session.finalState() ? *session.finalState() : json(nullptr);
    return out;
}

} // namespace nexus::runtime
