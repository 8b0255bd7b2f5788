// nexusctl trace ls | get
#include "protocol/Dstrace.h"

#include "Commands.h"
#include "NexusClient.h"
#include "Output.h"
#include "nexus/v1/traces.grpc.pb.h"

#include <cstdio>
#include <fstream>

namespace nexusctl {

namespace pb = ::nexus::v1;

namespace {

bool parseStatus(const std::string& text, pb::RunStatus& status)
{
    for (int i = pb::RunStatus_MIN; i <= pb::RunStatus_MAX; ++i)
        if (pb::RunStatus_IsValid(i) &&
            enumSuffix(pb::RunStatus_Name(static_cast<pb::RunStatus>(i)), "RUN_STATUS_") == text) {
            status = static_cast<pb::RunStatus>(i);
            return true;
        }
    return false;
}

int traceLs(const ArgParser& args, const Connection& c)
{
    pb::SearchTracesRequest request;
    request.set_instance_id(args.value("instance", ""));
    request.set_graph_name(args.value("graph", ""));
    request.set_deployment(args.value("deployment", ""));
    request.set_text(args.value("text", ""));
    request.set_tenant_id(args.value("tenant", ""));
    if (auto s = args.value("status")) {
        pb::RunStatus status;
        if (!parseStatus(*s, status))
            return usage("trace", "--status is running, completed, failed, stale or interrupted");
        request.set_status(status);
    }
    const auto limit = args.integer("limit", 50);
    if (!limit)
        return usage("trace", "--limit takes a number");
    request.set_page_size(static_cast<int>(*limit));
    auto service = pb::Traces::NewStub(c.channel);
    pb::SearchTracesResponse response;
    auto ctx = c.context();
    if (auto s = service->SearchTraces(ctx.get(), request, &response); !s.ok())
        return reportError("trace ls", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    Table t({"THREAD", "GRAPH", "INSTANCE", "STATUS", "STARTED (UTC)", "DURATION", "NODES",
             "TOKENS", "COST"});
    for (const auto& tr : response.traces())
        t.add({tr.thread_id(), tr.graph_name(), tr.instance_id(),
               enumSuffix(pb::RunStatus_Name(tr.status()), "RUN_STATUS_"),
               formatTime(tr.started_us()), formatDuration(tr.duration_us()),
               std::to_string(tr.nodes_done()), std::to_string(tr.tokens()),
               formatMoney(tr.cost_micros())});
    t.print();
    std::printf("\n%lld matching runs\n", static_cast<long long>(response.total_matches()));
    return 0;
}

int traceGet(const ArgParser& args, const Connection& c)
{
    if (args.positional().size() < 2)
        return usage("trace", "trace get needs a THREAD_ID");
    const auto out = args.value("out");
    if (!out)
        return usage("trace", "trace get needs --out FILE.dstrace");
    auto service = pb::Traces::NewStub(c.channel);
    pb::GetTraceRequest request;
    request.set_thread_id(args.positional()[1]);
    auto ctx = c.context(true);
    auto reader = service->GetTrace(ctx.get(), request);
    // Write to a temporary name first: a broken stream must not leave a
    // half trace under the name the user asked for.
    const std::string partial = *out + ".partial";
    std::ofstream file(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
        std::fprintf(stderr, "nexusctl: cannot write %s\n", partial.c_str());
        return 1;
    }
    nexus::protocol::DstraceWriter writer(file);
    pb::TraceChunk chunk;
    pb::TraceSummary summary;
    while (reader->Read(&chunk)) {
        if (chunk.has_summary())
            summary = chunk.summary();
        for (const auto& record : chunk.records())
            if (!writer.append(record).ok()) {
                std::fprintf(stderr, "nexusctl: writing %s failed\n", partial.c_str());
                return 1;
            }
    }
    const grpc::Status status = reader->Finish();
    file.close();
    if (!status.ok()) {
        std::remove(partial.c_str());
        return reportError("trace get", status);
    }
    if (std::rename(partial.c_str(), out->c_str()) != 0) {
        std::fprintf(stderr, "nexusctl: cannot rename %s to %s\n", partial.c_str(), out->c_str());
        return 1;
    }
    if (args.flag("json"))
        printJson(summary);
    else
        std::printf("%s: %llu records of %s (%s) written to %s\n", summary.thread_id().c_str(),
                    static_cast<unsigned long long>(writer.records()), summary.graph_name().c_str(),
                    enumSuffix(pb::RunStatus_Name(summary.status()), "RUN_STATUS_").c_str(),
                    out->c_str());
    return 0;
}

} // namespace

int traceCommand(const Args& raw)
{
    if (!raw.empty() && (raw[0] == "replay" || raw[0] == "fork")) { // local: no connection
        const Args rest(raw.begin() + 1, raw.end());
        return raw[0] == "replay" ? traceReplayCommand(rest) : traceForkCommand(rest);
    }
    auto options = connectionOptions();
    options.insert({"instance", "graph", "deployment", "status", "text", "limit", "out", "tenant"});
    const ArgParser args(raw, options, {"json", "help"});
    if (args.flag("help") || args.positional().empty()) {
        std::printf("Usage: nexusctl trace ls [--instance I] [--graph G] [--deployment D] "
                    "[--status S] [--text T] [--tenant T]\n"
                    "                         [--limit N] [--json]\n"
                    "       nexusctl trace get THREAD_ID --out FILE.dstrace [--json]\n"
                    "       nexusctl trace replay FILE.dstrace [--graph GRAPH] [--json]\n"
                    "       nexusctl trace fork FILE.dstrace --at STEP --out FORK.dstrace "
                    "[--set JSON]\n\n"
                    "ls lists recorded runs, newest first; get downloads a run's full DashStream "
                    "record log\n"
                    "(read it with nexusctl decode, or open it in nexus-console); replay checks a "
                    "recorded run's\n"
                    "hashes and routing and fork re-executes it from a step with an edited state "
                    "(no Nexus\n"
                    "needed; see their --help).\n");
        return args.flag("help") ? 0 : 2;
    }
    if (!args.ok())
        return usage("trace", args.error());
    auto c = connect(args);
    if (!c)
        return 2;
    const std::string& sub = args.positional()[0];
    if (sub == "ls")
        return traceLs(args, *c);
    if (sub == "get")
        return traceGet(args, *c);
    return usage("trace", "unknown subcommand " + sub);
}

} // namespace nexusctl
