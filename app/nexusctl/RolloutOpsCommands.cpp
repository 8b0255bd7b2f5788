// nexusctl rollout series | restore | wait: the commands a pipeline runs
// around a rollout (chart it, put a graph/node back, block until it is done).
#include "RolloutOpsCommands.h"

#include "Output.h"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

namespace nexusctl {

namespace pb = ::nexus::v1;

std::string rolloutPhaseText(pb::RolloutPhase phase)
{
    return enumSuffix(pb::RolloutPhase_Name(phase), "ROLLOUT_PHASE_");
}

void printVersionsTable(const pb::ListVersionsResponse& response)
{
    Table t({"VERSION", "GRAPH/NODE", "STATE", "CREATED (UTC)", "FROM ENTRY", "DESCRIPTION"});
    for (const auto& v : response.versions())
        t.add({v.version_id(), v.graph_name() + "/" + v.node_id(),
               enumSuffix(pb::VersionState_Name(v.state()), "VERSION_STATE_"),
               formatTime(v.created_us()), v.source_entry_id().empty() ? "-" : v.source_entry_id(),
               v.description()});
    t.print();
}

void announceRequestId(const std::string& requestId)
{
    if (jsonErrors()) // with --json, stderr carries JSON objects only
        std::fprintf(stderr, "%s\n",
                     nlohmann::json{{"request_id", requestId}}
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                         .c_str());
    else
        std::fprintf(stderr, "request id: %s\n", requestId.c_str());
}

namespace {

// --- series

const pb::SeriesPoint* pointAt(const google::protobuf::RepeatedPtrField<pb::SeriesPoint>& points,
                               std::int64_t tUs)
{
    for (const auto& p : points)
        if (p.t_us() == tUs)
            return &p;
    return nullptr;
}

std::string pair(const pb::RolloutMetricSeries* s, std::int64_t tUs,
                 std::string (*format)(const pb::SeriesPoint&))
{
    if (!s)
        return "- / -";
    const pb::SeriesPoint* c = pointAt(s->canary(), tUs);
    const pb::SeriesPoint* b = pointAt(s->baseline(), tUs);
    return (c ? format(*c) : "-") + " / " + (b ? format(*b) : "-");
}

std::string runsOf(const pb::SeriesPoint& p)
{
    return std::to_string(p.count());
}
std::string qualityOf(const pb::SeriesPoint& p)
{
    return formatFixed(p.value(), 3);
}
std::string millisOf(const pb::SeriesPoint& p)
{
    return formatFixed(p.value(), 0);
}
std::string errorsOf(const pb::SeriesPoint& p)
{
    return formatFixed(p.value() * 100.0, 1) + "%";
}
std::string costOf(const pb::SeriesPoint& p)
{
    return "$" + formatFixed(p.value() / 1e6, 4);
}

const pb::RolloutMetricSeries* seriesNamed(const pb::GetRolloutSeriesResponse& r,
                                           const std::string& metric)
{
    for (const auto& s : r.series())
        if (s.metric() == metric)
            return &s;
    return nullptr;
}

void printSeries(const pb::GetRolloutSeriesResponse& r)
{
    std::printf("rollout %s from %s to %s UTC, step %d s: %lld canary runs, %lld baseline runs\n",
                r.rollout_id().c_str(), formatTime(r.start_us()).c_str(),
                formatTime(r.end_us()).c_str(), r.step_seconds(),
                static_cast<long long>(r.canary_runs()), static_cast<long long>(r.baseline_runs()));
    const auto* quality = seriesNamed(r, "quality");
    const auto* latency = seriesNamed(r, "latency_p95_ms");
    const auto* errors = seriesNamed(r, "error_rate");
    const auto* cost = seriesNamed(r, "cost_micros");
    Table t({"TIME (UTC)", "RUNS C / B", "QUALITY C / B", "P95 MS C / B", "ERRORS C / B",
             "COST C / B"});
    const std::int64_t stepUs = static_cast<std::int64_t>(r.step_seconds()) * 1'000'000;
    for (std::int64_t tUs = r.start_us(); stepUs > 0 && tUs < r.end_us(); tUs += stepUs) {
        // Every run has an error value, so the error series says where runs are.
        if (!errors || (!pointAt(errors->canary(), tUs) && !pointAt(errors->baseline(), tUs)))
            continue;
        t.add({formatTime(tUs), pair(errors, tUs, runsOf), pair(quality, tUs, qualityOf),
               pair(latency, tUs, millisOf), pair(errors, tUs, errorsOf), pair(cost, tUs, costOf)});
    }
    t.print();
}

// --- wait

struct Until
{
    enum class Kind
    {
        Promoted,
        Done,
        Step,
    } kind = Kind::Done;
    int step = 0; // 1-based, as `rollout status` shows it
    std::string text;
};

std::optional<Until> parseUntil(const std::string& text)
{
    Until u;
    u.text = text;
    if (text == "promoted") {
        u.kind = Until::Kind::Promoted;
        return u;
    }
    if (text == "done") {
        u.kind = Until::Kind::Done;
        return u;
    }
    if (text.rfind("step:", 0) == 0) {
        try {
            std::size_t used = 0;
            u.step = std::stoi(text.substr(5), &used);
            if (used == text.size() - 5 && u.step >= 1) {
                u.kind = Until::Kind::Step;
                return u;
            }
        } catch (...) {
        }
    }
    return std::nullopt;
}

enum class Outcome
{
    Waiting,
    Reached,
    EndedOtherwise,
};

bool ended(const pb::Rollout& r)
{
    return r.phase() != pb::ROLLOUT_PHASE_PROGRESSING && r.phase() != pb::ROLLOUT_PHASE_PAUSED;
}

Outcome judge(const pb::Rollout& r, const Until& until)
{
    switch (until.kind) {
    case Until::Kind::Done:
        return ended(r) ? Outcome::Reached : Outcome::Waiting;
    case Until::Kind::Promoted:
        break;
    case Until::Kind::Step:
        if (!ended(r) && r.current_step() + 1 >= until.step)
            return Outcome::Reached;
        break;
    }
    if (r.phase() == pb::ROLLOUT_PHASE_PROMOTED)
        return Outcome::Reached; // a promoted rollout has passed every step
    return ended(r) ? Outcome::EndedOtherwise : Outcome::Waiting;
}

std::string where(const pb::Rollout& r)
{
    const int step = std::min(r.current_step() + 1, r.steps_size());
    return rolloutPhaseText(r.phase()) + ", step " + std::to_string(step) + "/" +
           std::to_string(r.steps_size()) + ", weight " + std::to_string(r.weight_percent()) + "%";
}

} // namespace

int rolloutSeries(const ArgParser& args, const Connection& c)
{
    if (args.positional().size() < 2)
        return usage("rollout", "rollout series needs a ROLLOUT_ID");
    const auto step = args.integer("step", 0);
    if (!step || *step < 0 || *step > 1'000'000'000)
        return usage("rollout", "--step takes a number of seconds");
    pb::GetRolloutSeriesRequest request;
    request.set_rollout_id(args.positional()[1]);
    request.set_step_seconds(static_cast<std::int32_t>(*step));
    auto service = pb::Rollouts::NewStub(c.channel);
    pb::GetRolloutSeriesResponse response;
    auto ctx = c.context();
    if (auto s = service->GetRolloutSeries(ctx.get(), request, &response); !s.ok())
        return reportError("rollout series", s);
    if (args.flag("json"))
        printJson(response);
    else
        printSeries(response);
    return 0;
}

int rolloutRestore(const ArgParser& args, const Connection& c)
{
    const auto& pos = args.positional();
    const bool shipped = args.flag("shipped");
    if (pos.size() < 3 || (pos.size() < 4 && !shipped))
        return usage("rollout", "rollout restore needs GRAPH NODE and a VERSION_ID (or --shipped)");
    if (pos.size() >= 4 && shipped)
        return usage("rollout", "give a VERSION_ID or --shipped, not both");
    const auto reason = args.value("reason");
    if (!reason || reason->empty())
        return usage("rollout", "rollout restore needs --reason (it goes into the audit log)");
    const auto seenLive = args.value("seen-live");
    if (seenLive && args.flag("seen-shipped"))
        return usage("rollout", "give --seen-live ID or --seen-shipped, not both");

    pb::RestoreVersionRequest request;
    request.set_graph_name(pos[1]);
    request.set_node_id(pos[2]);
    request.set_version_id(shipped ? std::string() : pos[3]);
    request.set_reason(*reason);
    request.set_request_id(args.value("request-id", newRequestId()));
    auto service = pb::Rollouts::NewStub(c.channel);
    if (seenLive) {
        request.set_seen_live_version_id(*seenLive);
    } else if (!args.flag("seen-shipped")) {
        // What is live now is what the caller decides against.
        pb::ListVersionsRequest list;
        list.set_graph_name(request.graph_name());
        list.set_node_id(request.node_id());
        pb::ListVersionsResponse versions;
        auto ctx = c.context();
        if (auto s = service->ListVersions(ctx.get(), list, &versions); !s.ok())
            return reportError("rollout restore", s);
        for (const auto& v : versions.versions())
            if (v.state() == pb::VERSION_STATE_LIVE && v.node_id() == request.node_id())
                request.set_seen_live_version_id(v.version_id());
    }
    announceRequestId(request.request_id());
    pb::ListVersionsResponse response;
    auto ctx = c.context();
    if (auto s = service->RestoreVersion(ctx.get(), request, &response); !s.ok())
        return reportError("rollout restore", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    const auto describe = [](const std::string& id) {
        return id.empty() ? std::string("the graph as shipped") : "version " + id;
    };
    std::printf("restored %s/%s: %s is live (was %s)\n", request.graph_name().c_str(),
                request.node_id().c_str(), describe(request.version_id()).c_str(),
                describe(request.seen_live_version_id()).c_str());
    printVersionsTable(response);
    return 0;
}

int rolloutWait(const ArgParser& args, const Connection& c)
{
    if (args.positional().size() < 2)
        return usage("rollout", "rollout wait needs a ROLLOUT_ID");
    const auto until = parseUntil(args.value("until", ""));
    if (!until)
        return usage("rollout", "rollout wait needs --until promoted, done or step:N (N from 1)");
    std::optional<std::chrono::system_clock::time_point> deadline;
    double timeoutSeconds = 0;
    if (auto t = args.value("timeout")) {
        try {
            timeoutSeconds = std::stod(*t);
        } catch (...) {
            return usage("rollout", "--timeout takes seconds");
        }
        deadline = std::chrono::system_clock::now() +
                   std::chrono::milliseconds(static_cast<long long>(timeoutSeconds * 1000));
    }
    const bool json = args.flag("json");
    // The closing line: on stdout for people; with --json stdout stays JSON
    // Lines of the rollout, and this goes to stderr as {"outcome", "message"}.
    const auto summary = [json](const char* outcome, const std::string& line) {
        if (json)
            std::fprintf(stderr, "%s\n",
                         nlohmann::json{{"outcome", outcome}, {"message", line}}
                             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                             .c_str());
        else
            std::printf("%s\n", line.c_str());
    };
    const std::string id = args.positional()[1];
    auto service = pb::Rollouts::NewStub(c.channel);

    // An unknown rollout is an error now, not a wait for ever (the watch sends
    // nothing for it).
    pb::Rollout last;
    {
        pb::GetRolloutRequest get;
        get.set_rollout_id(id);
        auto ctx = c.context();
        if (auto s = service->GetRollout(ctx.get(), get, &last); !s.ok()) {
            (void)reportError("rollout wait", s);
            return 1;
        }
    }

    std::string lastLine;
    int failedWatches = 0; // in a row, without a message
    pb::WatchRolloutsRequest watch;
    watch.set_rollout_id(id);
    for (;;) {
        auto ctx = c.context(true);
        if (deadline)
            ctx->set_deadline(*deadline);
        auto reader = service->WatchRollouts(ctx.get(), watch);
        pb::Rollout r;
        while (reader->Read(&r)) {
            last = r;
            failedWatches = 0;
            if (json) {
                printJson(r);
            } else if (const std::string line = where(r); line != lastLine) {
                std::printf("%s  %s\n", formatTime(r.updated_us()).c_str(), line.c_str());
                lastLine = line;
            }
            std::fflush(stdout);
            const Outcome outcome = judge(r, *until);
            if (outcome == Outcome::Waiting)
                continue;
            ctx->TryCancel();
            while (reader->Read(&r)) {
            }
            (void)reader->Finish();
            if (outcome == Outcome::Reached) {
                summary("reached", "reached: rollout " + id + " " + where(last));
                return 0;
            }
            summary("ended", "ended: rollout " + id + " " + rolloutPhaseText(last.phase()) +
                                 " (waiting for " + until->text + "): " +
                                 (last.reason().empty() ? "no reason given" : last.reason()));
            return 3;
        }
        const grpc::Status s = reader->Finish();
        const bool timedOut = deadline && std::chrono::system_clock::now() >= *deadline;
        if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED || timedOut) {
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%g", timeoutSeconds);
            summary("timed_out", std::string("timed out after ") + seconds + " s: rollout " + id +
                                     " " + where(last));
            return 4;
        }
        if ((s.error_code() != grpc::StatusCode::UNAVAILABLE &&
             s.error_code() != grpc::StatusCode::ABORTED) ||
            ++failedWatches > 30) {
            (void)reportError("rollout wait", s);
            return 1;
        }
        // Nexus restarted or the stream fell behind: watch again (it starts
        // with the current state, so nothing is missed).
        std::fprintf(stderr, "nexusctl: rollout wait: the watch ended (%s); watching again\n",
                     s.error_message().c_str());
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

} // namespace nexusctl
