// nexusctl rollout ls | versions | create-version | launch | status | set-weight | promote | pause
// | resume | abort, and the dispatch to series | restore | wait (RolloutOpsCommands.cpp)
#include "Commands.h"
#include "NexusClient.h"
#include "Output.h"
#include "RolloutOpsCommands.h"
#include "nexus/v1/rollouts.grpc.pb.h"

#include <cstdio>
#include <sstream>

namespace nexusctl {

namespace pb = ::nexus::v1;

namespace {

std::string phaseText(pb::RolloutPhase p)
{
    return rolloutPhaseText(p);
}

std::string stepText(const pb::RolloutStep& s)
{
    if (s.has_set_weight())
        return "weight " + std::to_string(s.set_weight().percent()) + "%";
    if (s.has_pause())
        return s.pause().duration_seconds()
                   ? "pause " + std::to_string(s.pause().duration_seconds()) + "s"
                   : "pause until promoted";
    if (s.has_analysis())
        return "analysis " + std::to_string(s.analysis().window_seconds()) + "s";
    return "?";
}

void printRollout(const pb::Rollout& r)
{
    std::printf("rollout   %s (revision %lld)\nversion   %s -> %s/%s (baseline %s)\nphase     %s, "
                "step %d of "
                "%d, weight %d%%\n",
                r.rollout_id().c_str(), static_cast<long long>(r.revision()),
                r.version_id().c_str(), r.graph_name().c_str(), r.node_id().c_str(),
                r.baseline_version_id().empty() ? "as shipped" : r.baseline_version_id().c_str(),
                phaseText(r.phase()).c_str(), r.current_step() + 1, r.steps_size(),
                r.weight_percent());
    if (!r.reason().empty())
        std::printf("reason    %s\n", r.reason().c_str());
    std::printf("steps    ");
    for (int i = 0; i < r.steps_size(); ++i)
        std::printf(" %s%s%s", i == r.current_step() ? "[" : "", stepText(r.steps(i)).c_str(),
                    i == r.current_step() ? "]" : "");
    std::printf("\n");
    for (const auto& a : r.analyses()) {
        std::printf("analysis  step %d: %s, score %.0f\n", a.step_index() + 1,
                    enumSuffix(pb::Verdict_Name(a.verdict()), "VERDICT_").c_str(), a.score());
        for (const auto& m : a.metrics())
            std::printf("          %-12s canary %.4g vs baseline %.4g (n=%lld/%lld), p=%.3g, "
                        "effect %.2f: %s\n",
                        m.metric().c_str(), m.canary_mean(), m.baseline_mean(),
                        static_cast<long long>(m.canary_samples()),
                        static_cast<long long>(m.baseline_samples()), m.p_value(), m.effect_size(),
                        enumSuffix(pb::Verdict_Name(m.verdict()), "VERDICT_").c_str());
    }
    for (const auto& h : r.history())
        std::printf("%s  %-11s %s (%s)\n", formatTime(h.at_us()).c_str(), h.kind().c_str(),
                    h.detail().c_str(), h.actor().c_str());
}

// "5,25,50,100" with an analysis window after each weight.
bool parseSteps(const std::string& text, long long analysisSeconds, long long minSamples,
                pb::LaunchRolloutRequest& request)
{
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        try {
            const int percent = std::stoi(part);
            if (percent < 0 || percent > 100)
                return false;
            request.add_steps()->mutable_set_weight()->set_percent(percent);
            if (percent > 0 && percent < 100) { // at 0 or 100 % one side has no runs to compare
                auto* analysis = request.add_steps()->mutable_analysis();
                analysis->set_window_seconds(analysisSeconds);
                analysis->set_min_samples(static_cast<int>(minSamples));
            }
        } catch (...) {
            return false;
        }
    }
    return request.steps_size() > 0;
}

using Action = grpc::Status (pb::Rollouts::Stub::*)(grpc::ClientContext*,
                                                    const pb::RolloutActionRequest&, pb::Rollout*);

int action(const ArgParser& args, const Connection& c, const std::string& name, Action call)
{
    if (args.positional().size() < 2)
        return usage("rollout", "rollout " + name + " needs a ROLLOUT_ID");
    pb::RolloutActionRequest request;
    request.set_rollout_id(args.positional()[1]);
    request.set_request_id(args.value("request-id", newRequestId()));
    const auto revision = args.integer("revision", 0);
    if (!revision)
        return usage("rollout", "--revision takes a number");
    request.set_seen_revision(*revision);
    request.set_full(args.flag("full"));
    request.set_reason(args.value("reason", ""));
    if (name == "set-weight") {
        if (args.positional().size() < 3)
            return usage("rollout", "rollout set-weight needs ROLLOUT_ID PERCENT");
        try {
            request.set_weight_percent(std::stoi(args.positional()[2]));
        } catch (...) {
            return usage("rollout", "PERCENT must be a number from 0 to 100");
        }
    }
    if (name == "abort" && request.reason().empty())
        return usage("rollout", "rollout abort needs --reason (it goes into the audit log)");
    announceRequestId(request.request_id());
    auto service = pb::Rollouts::NewStub(c.channel);
    pb::Rollout response;
    auto ctx = c.context();
    if (auto s = ((*service).*call)(ctx.get(), request, &response); !s.ok())
        return reportError("rollout " + name, s);
    if (args.flag("json"))
        printJson(response);
    else
        printRollout(response);
    return 0;
}

int launch(const ArgParser& args, const Connection& c)
{
    if (args.positional().size() < 2)
        return usage("rollout", "rollout launch needs a VERSION_ID");
    pb::LaunchRolloutRequest request;
    request.set_version_id(args.positional()[1]);
    request.set_request_id(args.value("request-id", newRequestId()));
    request.set_tenant_id(args.value("tenant", ""));
    const auto window = args.integer("analysis-seconds", 120);
    const auto minSamples = args.integer("min-samples", 20);
    if (!window || !minSamples)
        return usage("rollout", "--analysis-seconds and --min-samples take numbers");
    if (auto steps = args.value("steps");
        steps && !parseSteps(*steps, *window, *minSamples, request))
        return usage("rollout", "--steps is a comma list of weights, e.g. 5,25,50,100");
    auto* g = request.mutable_guardrails();
    try {
        g->set_max_quality_drop(std::stod(args.value("max-quality-drop", "0.10")));
        g->set_max_p95_latency_increase(std::stod(args.value("max-p95-increase", "0.50")));
        g->set_max_error_rate(std::stod(args.value("max-error-rate", "0.20")));
    } catch (...) {
        return usage("rollout", "guardrails take numbers (fractions, e.g. 0.10)");
    }
    g->set_min_samples(static_cast<int>(*minSamples));
    announceRequestId(request.request_id());
    auto service = pb::Rollouts::NewStub(c.channel);
    pb::Rollout response;
    auto ctx = c.context();
    if (auto s = service->LaunchRollout(ctx.get(), request, &response); !s.ok())
        return reportError("rollout launch", s);
    if (args.flag("json"))
        printJson(response);
    else
        printRollout(response);
    return 0;
}

int list(const ArgParser& args, const Connection& c)
{
    auto service = pb::Rollouts::NewStub(c.channel);
    pb::ListRolloutsRequest request;
    request.set_active_only(args.flag("active"));
    request.set_graph_name(args.value("graph", ""));
    request.set_tenant_id(args.value("tenant", ""));
    pb::ListRolloutsResponse response;
    auto ctx = c.context();
    if (auto s = service->ListRollouts(ctx.get(), request, &response); !s.ok())
        return reportError("rollout ls", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    Table t({"ROLLOUT", "VERSION", "GRAPH/NODE", "PHASE", "STEP", "WEIGHT", "UPDATED (UTC)"});
    for (const auto& r : response.rollouts())
        t.add({r.rollout_id(), r.version_id(), r.graph_name() + "/" + r.node_id(),
               phaseText(r.phase()),
               std::to_string(r.current_step() + 1) + "/" + std::to_string(r.steps_size()),
               std::to_string(r.weight_percent()) + "%", formatTime(r.updated_us())});
    t.print();
    return 0;
}

int versions(const ArgParser& args, const Connection& c)
{
    auto service = pb::Rollouts::NewStub(c.channel);
    pb::ListVersionsRequest request;
    request.set_graph_name(args.value("graph", ""));
    request.set_node_id(args.value("node", ""));
    pb::ListVersionsResponse response;
    auto ctx = c.context();
    if (auto s = service->ListVersions(ctx.get(), request, &response); !s.ok())
        return reportError("rollout versions", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    printVersionsTable(response);
    return 0;
}

int createVersion(const ArgParser& args, const Connection& c)
{
    const auto entry = args.value("from-entry");
    if (!entry)
        return usage(
            "rollout",
            "rollout create-version needs --from-entry ENTRY_ID (an approved prompt optimization)");
    auto service = pb::Rollouts::NewStub(c.channel);
    pb::CreateVersionRequest request;
    request.set_source_entry_id(*entry);
    request.set_request_id(args.value("request-id", newRequestId()));
    announceRequestId(request.request_id());
    pb::OptimizationVersion response;
    auto ctx = c.context();
    if (auto s = service->CreateVersion(ctx.get(), request, &response); !s.ok())
        return reportError("rollout create-version", s);
    if (args.flag("json"))
        printJson(response);
    else
        std::printf("%s: %s/%s from entry %s\n", response.version_id().c_str(),
                    response.graph_name().c_str(), response.node_id().c_str(),
                    response.source_entry_id().c_str());
    return 0;
}

int status(const ArgParser& args, const Connection& c)
{
    if (args.positional().size() < 2)
        return usage("rollout", "rollout status needs a ROLLOUT_ID");
    auto service = pb::Rollouts::NewStub(c.channel);
    pb::GetRolloutRequest request;
    request.set_rollout_id(args.positional()[1]);
    pb::Rollout response;
    auto ctx = c.context();
    if (auto s = service->GetRollout(ctx.get(), request, &response); !s.ok())
        return reportError("rollout status", s);
    if (args.flag("json"))
        printJson(response);
    else
        printRollout(response);
    return 0;
}

void help()
{
    std::printf(
        "Usage: nexusctl rollout ls [--active] [--graph G] [--tenant T] [--json]\n"
        "       nexusctl rollout versions [--graph G] [--node N] [--json]\n"
        "       nexusctl rollout create-version --from-entry ENTRY_ID [--json]\n"
        "       nexusctl rollout launch VERSION_ID [--steps 5,25,50,100] [--analysis-seconds S]\n"
        "                [--min-samples N] [--max-quality-drop F] [--max-p95-increase F] "
        "[--max-error-rate F] [--tenant T] [--json]\n"
        "       nexusctl rollout status ROLLOUT_ID [--json]\n"
        "       nexusctl rollout set-weight ROLLOUT_ID PERCENT [--json]\n"
        "       nexusctl rollout promote ROLLOUT_ID [--full] [--json]\n"
        "       nexusctl rollout pause|resume ROLLOUT_ID [--json]\n"
        "       nexusctl rollout abort ROLLOUT_ID --reason TEXT [--json]\n"
        "       nexusctl rollout series ROLLOUT_ID [--step SECONDS] [--json]\n"
        "       nexusctl rollout restore GRAPH NODE (VERSION_ID | --shipped) --reason TEXT\n"
        "                [--seen-live ID | --seen-shipped] [--json]\n"
        "       nexusctl rollout wait ROLLOUT_ID --until promoted|done|step:N [--timeout S] "
        "[--json]\n\n"
        "Actions (create-version, launch, set-weight, promote, pause, resume, abort, restore)\n"
        "take --request-id ID: retry-safe, the same id never acts twice; default: a new one,\n"
        "printed on stderr as \"request id: ID\". The rollout actions also take --revision N\n"
        "(refused if the rollout changed since you looked; default: no check).\n"
        "Launch, set-weight, promote, resume, create-version and restore need the approver role;\n"
        "pause and abort the operator role.\n\n"
        "series: canary / baseline per time bucket (0 = about 60 buckets over the rollout).\n"
        "restore: puts GRAPH/NODE back on a RETIRED version, or the graph as shipped; refused\n"
        "while the graph has an active rollout, or when the live version is no longer the one\n"
        "you saw (default: the one live now; --seen-live ID / --seen-shipped to pin it).\n"
        "wait: watches the rollout and prints each change. --until promoted: the rollout is\n"
        "promoted; done: it ended in any way; step:N: it reached step N (or was promoted).\n"
        "Exit status of wait: 0 reached, 1 error (unknown rollout, Nexus gone), 2 usage,\n"
        "3 the rollout ended otherwise (aborted or rolled back; the reason is printed),\n"
        "4 --timeout passed first.\n");
}

} // namespace

int rolloutCommand(const Args& raw)
{
    auto options = connectionOptions();
    options.insert({"graph", "from-entry", "steps", "analysis-seconds", "min-samples",
                    "max-quality-drop", "max-p95-increase", "max-error-rate", "request-id",
                    "revision", "reason", "node", "step", "until", "seen-live", "tenant"});
    const ArgParser args(raw, options,
                         {"json", "help", "active", "full", "shipped", "seen-shipped"});
    if (args.flag("help") || args.positional().empty()) {
        help();
        return args.flag("help") ? 0 : 2;
    }
    if (!args.ok())
        return usage("rollout", args.error());
    auto c = connect(args);
    if (!c)
        return 2;
    const std::string& sub = args.positional()[0];
    if (sub == "ls")
        return list(args, *c);
    if (sub == "versions")
        return versions(args, *c);
    if (sub == "create-version")
        return createVersion(args, *c);
    if (sub == "launch")
        return launch(args, *c);
    if (sub == "status")
        return status(args, *c);
    if (sub == "set-weight")
        return action(args, *c, sub, &pb::Rollouts::Stub::SetWeight);
    if (sub == "promote")
        return action(args, *c, sub, &pb::Rollouts::Stub::Promote);
    if (sub == "pause")
        return action(args, *c, sub, &pb::Rollouts::Stub::Pause);
    if (sub == "resume")
        return action(args, *c, sub, &pb::Rollouts::Stub::Resume);
    if (sub == "abort")
        return action(args, *c, sub, &pb::Rollouts::Stub::Abort);
    if (sub == "series")
        return rolloutSeries(args, *c);
    if (sub == "restore")
        return rolloutRestore(args, *c);
    if (sub == "wait")
        return rolloutWait(args, *c);
    return usage("rollout", "unknown subcommand " + sub);
}

} // namespace nexusctl
