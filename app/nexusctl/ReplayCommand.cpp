// nexusctl trace replay | fork: the replay / fork engine (runtime/Replay.h,
// runtime/Fork.h) on a recorded .dstrace file. No Nexus connection needed.
#include "runtime/Fork.h"
#include "runtime/GraphLoader.h"
#include "runtime/Replay.h"

#include "ArgParser.h"
#include "Commands.h"
#include "Output.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nexusctl {

namespace {

namespace rt = nexus::runtime;
using json = nlohmann::json;

int usageError(const char* command, const std::string& problem)
{
    return printError(std::string("trace ") + command,
                      problem + " (see nexusctl trace " + command + " --help)", 2);
}

void printReplayHelp()
{
    std::printf(
        "Usage: nexusctl trace replay FILE.dstrace [--graph GRAPH] [--thread ID] [--json]\n\n"
        "Replays a recorded run: applies every node's recorded output, recomputes the state\n"
        "hash after each step and compares it with the recorded one, and checks where the\n"
        "graph routes from each step's state against where the run went (docs/replay.md).\n\n"
        "Options:\n"
        "  --graph GRAPH   check routing against this graph file (docs/graph-format.md), e.g.\n"
        "                  one with declarative conditions or a newer version; default: the\n"
        "                  graph the recording's GRAPH_START carries (no conditions)\n"
        "  --thread ID     the run to replay when the file holds several (default: the first)\n"
        "  --json          print the report as one JSON object\n"
        "  --states        with --json: include every step's replayed states\n"
        "  -h, --help      show this help\n\n"
        "Exit status: 0 every recorded hash verified and no divergence, 1 a divergence, a hash\n"
        "mismatch or a damaged record, 2 usage error or no readable run in FILE.\n");
}

void printForkHelp()
{
    std::printf(
        "Usage: nexusctl trace fork FILE.dstrace --at STEP --out FORK.dstrace [OPTIONS]\n\n"
        "Forks a recorded run after step STEP (0 = before the first node) with an edited\n"
        "state and executes forward: scripted nodes run, other nodes reuse their recorded\n"
        "output (same visit, else the latest); a node with neither needs --output.\n\n"
        "Options:\n"
        "  --set JSON|@FILE        merged over the state at STEP (RFC 7386) before forking\n"
        "  --graph GRAPH           the graph to execute (default: the recording's own graph,\n"
        "                          which has no conditions and no scripts)\n"
        "  --output NODE=JSON      the output of NODE when the fork needs one (repeatable)\n"
        "  --thread ID             the run to fork when the file holds several\n"
        "  --seed N                seed of the fork's random draws (default 1)\n"
        "  --fork-number N         the fork's thread id is <thread>~fork<N> (default 1)\n"
        "  --json                  print the summary as one JSON object\n"
        "  -h, --help              show this help\n\n"
        "Exit status: 0 the fork completed, 1 it failed or stopped for a missing output\n"
        "(the trace so far is still written), 2 usage error or unreadable input.\n");
}

bool readJsonArgument(const std::string& text, json& out)
{
    std::string body = text;
    if (!text.empty() && text[0] == '@') {
        std::ifstream in(text.substr(1), std::ios::binary);
        if (!in)
            return false;
        std::ostringstream buffer;
        buffer << in.rdbuf();
        body = buffer.str();
    }
    out = json::parse(body, nullptr, false);
    return !out.is_discarded() && out.is_object();
}

// The recording and the graph to check against, or an exit code.
struct Loaded
{
    rt::Recording recording;
    std::optional<rt::Graph> graph;
    std::string graphSource = "recording";
};

int load(const char* command, const ArgParser& args, Loaded& out)
{
    if (args.positional().size() != 1)
        return usageError(command, args.positional().empty() ? "missing FILE.dstrace"
                                                             : "one FILE.dstrace only");
    rt::RecordingOptions options;
    options.threadId = args.value("thread", "");
    auto recording = rt::readRecordingFile(args.positional()[0], options);
    if (!recording) {
        return printError(std::string("trace ") + command, recording.error().message, 2);
    }
    out.recording = std::move(*recording);
    if (const auto path = args.value("graph")) {
        auto loaded = rt::loadGraphFile(*path);
        if (!loaded) {
            return printError(std::string("trace ") + command, loaded.error().message, 2);
        }
        out.graph = std::move(loaded->graph);
        out.graphSource = *path;
    }
    return -1;
}

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& name : names)
        out += (out.empty() ? "" : ",") + name;
    return out.empty() ? "-" : out;
}

std::string where(const rt::RecordingProblem& problem)
{
    std::string out = "record " + std::to_string(problem.record);
    if (problem.hasOffset)
        out += " (byte " + std::to_string(problem.offset) + ")";
    return out;
}

void printReplay(const rt::ReplaySession& session)
{
    const rt::ReplayReport& r = session.report();
    const rt::Recording& recording = session.recording();
    std::printf("thread      %s (%s, %zu steps)\n", r.threadId.c_str(),
                rt::recordingStatusName(r.status), r.steps);
    if (!r.otherThreads.empty())
        std::printf("also        %s\n", joined(r.otherThreads).c_str());
    if (session.graph()) {
        const bool same = r.graphSchemaId == r.recordedSchemaId;
        std::printf("graph       %s from %s, schema_id %s%s\n",
                    r.graphName.empty() ? "(unnamed)" : r.graphName.c_str(), r.graphSource.c_str(),
                    r.graphSchemaId.c_str(),
                    same ? "" : (" (recorded: " + r.recordedSchemaId + ")").c_str());
    } else {
        std::printf("graph       none: routing cannot be checked (%s)\n",
                    recording.graphError.c_str());
    }
    std::printf("\n");
    Table table({"STEP", "NODE", "VISIT", "HASH", "ROUTE", "RECORDED NEXT", "GRAPH NEXT"});
    for (const rt::ReplayStep& s : session.steps())
        table.add({std::to_string(s.step), s.node, std::to_string(s.visit),
                   rt::stepVerdictName(s.hash), rt::routeVerdictName(s.route),
                   joined(s.recordedNext), joined(s.expectedNext)});
    table.print();
    const auto& h = r.hashes;
    std::size_t updates = 0;
    for (const rt::ReplayStep& s : session.steps())
        updates += s.updates;
    std::printf("\nhashes      %zu verified, %zu mismatched, %zu unverified, %zu not applied\n",
                h.verified, h.mismatched, h.unverified, h.notApplied);
    if (updates > 0)
        std::printf("updates     %zu between steps (a human's answer at an interrupt): %s\n",
                    updates, rt::stepVerdictName(r.updatesHash));
    if (!recording.finalUpdates.empty())
        std::printf("final state %s\n", rt::stepVerdictName(r.finalHash));
    if (r.divergences.empty())
        std::printf("divergences none\n");
    for (const rt::Divergence& d : r.divergences)
        std::printf("divergence  step %zu (%s, %s): %s\n", d.step, d.node.c_str(),
                    rt::divergenceKindName(d.kind), d.reason.c_str());
    for (const rt::RecordingProblem& p : r.problems)
        std::printf("problem     %s: %s: %s\n", where(p).c_str(), p.code.c_str(),
                    p.message.c_str());
    if (!recording.error.empty())
        std::printf("run error   %s\n", recording.error.c_str());
    if (r.ok())
        std::printf("result      OK: every recorded hash verified, no divergence\n");
    else if (const rt::Divergence* first = r.firstDivergence())
        std::printf("result      DIVERGED at step %zu (%s)\n", first->step, first->node.c_str());
    else
        std::printf("result      NOT VERIFIED\n");
}

} // namespace

int traceReplayCommand(const Args& raw)
{
    const ArgParser args(raw, {"graph", "thread"}, {"json", "states", "help"});
    if (args.flag("help") || (!raw.empty() && raw[0] == "-h")) {
        printReplayHelp();
        return 0;
    }
    if (!args.ok())
        return usageError("replay", args.error());
    Loaded loaded;
    if (const int rc = load("replay", args, loaded); rc >= 0)
        return rc;
    rt::ReplayOptions options;
    options.graphSource = loaded.graphSource;
    const rt::ReplaySession session(std::move(loaded.recording), std::move(loaded.graph), options);
    if (args.flag("json"))
        std::printf("%s\n", rt::replayReportJson(session, args.flag("states"))
                                .dump(-1, ' ', false, json::error_handler_t::replace)
                                .c_str());
    else
        printReplay(session);
    return session.report().ok() ? 0 : 1;
}

namespace {

json forkSummary(const rt::Fork& fork, const rt::ForkResult& result, const std::string& out)
{
    json nodes = json::array();
    for (const rt::ForkedNode& node : result.nodes) {
        json item = {{"node", node.node},
                     {"visit", node.visit},
                     {"source", rt::outputSourceName(node.source)}};
        if (node.recordedStep > 0)
            item["recorded_step"] = node.recordedStep;
        nodes.push_back(std::move(item));
    }
    json summary = {{"thread_id", fork.threadId()},
                    {"forked_at", fork.position()},
                    {"status", rt::forkStatusName(result.status)},
                    {"nodes", std::move(nodes)},
                    {"messages", fork.messages().size()},
                    {"out", out},
                    {"final_state", result.run.state}};
    if (result.needsOutput)
        summary["needs_output"] = {{"node", result.needsOutput->node},
                                   {"visit", result.needsOutput->visit},
                                   {"reason", result.needsOutput->reason}};
    if (result.run.error)
        summary["error"] = result.run.error->message;
    return summary;
}

void printFork(const json& s)
{
    std::printf("fork        %s after step %zu: %s\n", s["thread_id"].get<std::string>().c_str(),
                s["forked_at"].get<std::size_t>(), s["status"].get<std::string>().c_str());
    for (const json& node : s["nodes"])
        std::printf("  %-24s visit %lld  %s\n", node["node"].get<std::string>().c_str(),
                    node["visit"].get<long long>(), node["source"].get<std::string>().c_str());
    if (s.contains("needs_output"))
        std::printf("needs       an output for \"%s\" (visit %lld): %s\n"
                    "            give it with --output %s='{...}'\n",
                    s["needs_output"]["node"].get<std::string>().c_str(),
                    s["needs_output"]["visit"].get<long long>(),
                    s["needs_output"]["reason"].get<std::string>().c_str(),
                    s["needs_output"]["node"].get<std::string>().c_str());
    if (s.contains("error"))
        std::printf("error       %s\n", s["error"].get<std::string>().c_str());
    std::printf("trace       %zu messages written to %s\n", s["messages"].get<std::size_t>(),
                s["out"].get<std::string>().c_str());
    std::printf("state       %s\n", s["final_state"].dump(2).c_str());
}

// --output NODE=JSON may repeat; ArgParser keeps one value per option.
int takeOutputs(Args& raw, std::map<std::string, json>& outputs)
{
    for (std::size_t i = 0; i < raw.size();) {
        std::string value;
        if (raw[i] == "--output" && i + 1 < raw.size()) {
            value = raw[i + 1];
            raw.erase(raw.begin() + long(i), raw.begin() + long(i) + 2);
        } else if (raw[i].rfind("--output=", 0) == 0) {
            value = raw[i].substr(9);
            raw.erase(raw.begin() + long(i));
        } else {
            ++i;
            continue;
        }
        const auto eq = value.find('=');
        json output;
        if (eq == std::string::npos || eq == 0 || !readJsonArgument(value.substr(eq + 1), output))
            return usageError("fork", "--output needs NODE=JSON (a JSON object)");
        outputs[value.substr(0, eq)] = std::move(output);
    }
    return -1;
}

} // namespace

int traceForkCommand(const Args& rawArgs)
{
    Args raw = rawArgs;
    std::map<std::string, json> outputs;
    if (const int rc = takeOutputs(raw, outputs); rc >= 0)
        return rc;
    const ArgParser args(raw, {"graph", "thread", "at", "set", "out", "seed", "fork-number"},
                         {"json", "help"});
    if (args.flag("help") || (!raw.empty() && raw[0] == "-h")) {
        printForkHelp();
        return 0;
    }
    if (!args.ok())
        return usageError("fork", args.error());
    const auto at = args.integer("at", -1);
    const auto seed = args.integer("seed", 1);
    const auto number = args.integer("fork-number", 1);
    if (!at || *at < 0)
        return usageError("fork", "--at STEP is required (0 = before the first node)");
    if (!seed || *seed < 0 || !number || *number < 1)
        return usageError("fork", "--seed and --fork-number take positive numbers");
    const auto out = args.value("out");
    if (!out)
        return usageError("fork", "--out FORK.dstrace is required");
    json edit = json::object();
    if (const auto set = args.value("set"); set && !readJsonArgument(*set, edit))
        return usageError("fork", "--set needs a JSON object or @FILE");
    Loaded loaded;
    if (const int rc = load("fork", args, loaded); rc >= 0)
        return rc;
    const rt::ReplaySession replay(loaded.recording, std::nullopt);
    const auto position = std::size_t(*at);
    const rt::JsonPtr base = replay.stateAt(position);
    if (position > replay.size() || !base) {
        return printError("trace fork",
                          position > replay.size()
                              ? "the run has " + std::to_string(replay.size()) + " steps"
                              : "the state at that step is unknown (see nexusctl trace replay)",
                          2);
    }
    json state = *base;
    state.merge_patch(edit);
    std::optional<rt::Graph> graph = loaded.graph ? loaded.graph : loaded.recording.graph;
    if (!graph) {
        return printError("trace fork", "the recording carries no graph; give --graph", 2);
    }
    rt::ForkOptions options;
    options.seed = std::uint64_t(*seed);
    options.forkNumber = int(*number);
    auto fork = rt::Fork::create(loaded.recording, std::move(*graph), position, state, options);
    if (!fork) {
        return printError("trace fork", fork.error().message, 2);
    }
    auto result = (*fork)->start();
    while (result && result->status == rt::ForkStatus::NeedsOutput &&
           outputs.count(result->needsOutput->node))
        result = (*fork)->provideOutput(outputs.at(result->needsOutput->node));
    if (!result) {
        return printError("trace fork", result.error().message, 1);
    }
    if (auto written = (*fork)->writeDstraceFile(*out); !written) {
        return printError("trace fork", written.error().message, 2);
    }
    const json summary = forkSummary(**fork, *result, *out);
    if (args.flag("json"))
        std::printf("%s\n", summary.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    else
        printFork(summary);
    return result->status == rt::ForkStatus::Completed ? 0 : 1;
}

} // namespace nexusctl
