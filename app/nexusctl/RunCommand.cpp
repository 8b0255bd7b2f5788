// nexusctl run: execute a graph on the embedded runtime and record its
// DashStream telemetry (.dstrace file, Kafka, or just a summary).
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/KafkaSink.h"
#include "runtime/TelemetryEmitter.h"

#include "Commands.h"
#include "Output.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nexusctl {

namespace {

namespace rt = nexus::runtime;
using json = nlohmann::json;

void printHelp()
{
    std::printf(
        "Usage: nexusctl run GRAPH [OPTIONS]\n\n"
        "Runs GRAPH (a graph file, docs/graph-format.md) on the embedded runtime. Node latency\n"
        "is simulated time: the run finishes at once and its telemetry carries the simulated\n"
        "timestamps. Without --out or --kafka a summary is printed.\n\n"
        "Options:\n"
        "  --seed N                 reproducible run: same seed and input, same telemetry\n"
        "  --input JSON|@FILE       merged over the graph's initial_state (RFC 7386)\n"
        "  --out FILE.dstrace       write the DashStream records to FILE\n"
        "  --kafka BROKERS          also produce the records to Kafka (key = thread_id)\n"
        "  --topic NAME             Kafka topic (default dashstream-events)\n"
        "  --thread-id ID           DashStream thread id (default run-<uuid>)\n"
        "  --tenant ID              tenant id (default \"default\")\n"
        "  --recursion-limit N      override the graph's recursion limit (default 25)\n"
        "  --checkpoint-interval N  a Checkpoint message after every N state diffs\n"
        "  --interrupts auto|stop   at an interrupt: resume with the graph's auto_resume\n"
        "                           update (auto, the default) or stop there (stop)\n"
        "  --resume JSON            the update applied at every interrupt instead\n"
        "  --interrupt-before NODE  add an interrupt (repeatable); also --interrupt-after\n"
        "  --label KEY=VALUE        GRAPH_START instance label: instance_id, deployment,\n"
        "                           version, host, region (repeatable)\n"
        "  --json                   print the summary as one JSON object\n"
        "  -h, --help               show this help\n\n"
        "Exit status: 0 completed (or stopped at an interrupt with --interrupts stop),\n"
        "1 the run failed, 2 usage, graph or I/O error.\n");
}

struct Options
{
    std::string graphPath;
    rt::RunOptions run;
    rt::TelemetryOptions telemetry;
    json input = json::object();
    std::string outPath;
    std::string kafkaBrokers;
    std::string topic = rt::kDefaultTopic;
    bool stopAtInterrupts = false;
    std::optional<json> resumeUpdate;
    bool jsonSummary = false;
};

bool parseJsonArg(const std::string& text, json& out)
{
    std::string body = text;
    if (!text.empty() && text[0] == '@') {
        std::ifstream in(text.substr(1));
        if (!in)
            return false;
        std::ostringstream buffer;
        buffer << in.rdbuf();
        body = buffer.str();
    }
    out = json::parse(body, nullptr, false);
    return !out.is_discarded() && out.is_object();
}

int usage(const std::string& message)
{
    return printError("run", message + " (see nexusctl run --help)", 2);
}

bool parseNumber(const std::string& text, std::uint64_t& out)
{
    try {
        std::size_t used = 0;
        out = std::stoull(text, &used);
        return used == text.size();
    } catch (...) {
        return false;
    }
}

int parseOption(const Args& args, std::size_t& i, Options& o)
{
    const std::string& a = args[i];
    const bool hasValue = i + 1 < args.size();
    const std::string value = hasValue ? args[i + 1] : std::string();
    std::uint64_t number = 0;
    auto needs = [&](bool ok, const char* what) { return ok ? -1 : usage(a + " needs " + what); };
    if (a == "--json") {
        o.jsonSummary = true;
        return -1;
    }
    if (!hasValue)
        return usage(a + " needs a value");
    ++i;
    if (a == "--seed") {
        if (const int rc = needs(parseNumber(value, number), "a number"); rc >= 0)
            return rc;
        o.run.seed = number;
    } else if (a == "--recursion-limit" || a == "--checkpoint-interval") {
        if (const int rc = needs(parseNumber(value, number) && number > 0 && number < 1'000'000,
                                 "a positive number");
            rc >= 0)
            return rc;
        if (a == "--recursion-limit")
            o.run.recursionLimit = int(number);
        else
            o.telemetry.checkpointInterval = int(number);
    } else if (a == "--input") {
        return needs(parseJsonArg(value, o.input), "a JSON object or @FILE");
    } else if (a == "--resume") {
        json update;
        if (const int rc = needs(parseJsonArg(value, update), "a JSON object or @FILE"); rc >= 0)
            return rc;
        o.resumeUpdate = update;
    } else if (a == "--interrupts") {
        if (value != "auto" && value != "stop")
            return usage("--interrupts is auto or stop");
        o.stopAtInterrupts = value == "stop";
    } else if (a == "--label") {
        const auto eq = value.find('=');
        if (eq == std::string::npos || eq == 0)
            return usage("--label needs KEY=VALUE");
        o.telemetry.instanceLabels[value.substr(0, eq)] = value.substr(eq + 1);
    } else if (a == "--out") {
        o.outPath = value;
    } else if (a == "--kafka") {
        o.kafkaBrokers = value;
    } else if (a == "--topic") {
        o.topic = value;
    } else if (a == "--thread-id") {
        o.run.threadId = value;
    } else if (a == "--tenant") {
        o.run.tenantId = value;
    } else if (a == "--interrupt-before") {
        o.run.interruptBefore.push_back(value);
    } else if (a == "--interrupt-after") {
        o.run.interruptAfter.push_back(value);
    } else {
        return usage("unknown option '" + a + "'");
    }
    return -1;
}

int parse(const Args& args, Options& o)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            printHelp();
            return 0;
        }
        if (a.size() > 1 && a[0] == '-') {
            if (const int rc = parseOption(args, i, o); rc >= 0)
                return rc;
        } else if (o.graphPath.empty()) {
            o.graphPath = a;
        } else {
            return usage("one GRAPH only");
        }
    }
    return o.graphPath.empty() ? usage("missing GRAPH") : -1;
}

std::string joinPath(const std::vector<std::string>& path)
{
    std::string out;
    for (const auto& node : path)
        out += (out.empty() ? "" : " -> ") + node;
    return out;
}

json summaryJson(const rt::Executor& executor, const rt::RunResult& r, std::uint64_t messages,
                 int interrupts)
{
    json s = {{"graph", executor.graph().name},
              {"schema_id", rt::schemaId(executor.graph())},
              {"thread_id", executor.threadId()},
              {"status", rt::runStatusName(r.status)},
              {"steps", r.steps},
              {"path", r.path},
              {"duration_us", r.durationUs},
              {"prompt_tokens", r.totals.promptTokens},
              {"completion_tokens", r.totals.completionTokens},
              {"cost_usd", r.totals.costUsd},
              {"tool_calls", r.totals.toolCalls},
              {"interrupts_resumed", interrupts},
              {"messages", messages},
              {"final_state", r.state}};
    if (r.error)
        s["error"] = {{"code", rt::errorCodeName(r.error->code)}, {"message", r.error->message}};
    if (r.interrupt)
        s["interrupt"] = {
            {"node", r.interrupt->node},
            {"when", r.interrupt->when == rt::InterruptWhen::Before ? "before" : "after"}};
    return s;
}

void printSummary(const json& s)
{
    std::printf("graph      %s (schema_id %s)\n", s["graph"].get<std::string>().c_str(),
                s["schema_id"].get<std::string>().c_str());
    std::printf("thread     %s\n", s["thread_id"].get<std::string>().c_str());
    std::printf("status     %s after %lld steps, %.3f s simulated\n",
                s["status"].get<std::string>().c_str(), s["steps"].get<long long>(),
                double(s["duration_us"].get<std::int64_t>()) / 1e6);
    std::printf("path       %s\n", joinPath(s["path"].get<std::vector<std::string>>()).c_str());
    std::printf("llm        %lld prompt + %lld completion tokens, $%.6f\n",
                s["prompt_tokens"].get<long long>(), s["completion_tokens"].get<long long>(),
                s["cost_usd"].get<double>());
    std::printf("telemetry  %llu messages\n", s["messages"].get<unsigned long long>());
    if (s.contains("interrupt"))
        std::printf("stopped    %s interrupt at %s\n",
                    s["interrupt"]["when"].get<std::string>().c_str(),
                    s["interrupt"]["node"].get<std::string>().c_str());
    if (s.contains("error"))
        std::printf("error      %s\n", s["error"]["message"].get<std::string>().c_str());
    std::printf("state      %s\n", s["final_state"].dump(2).c_str());
}

} // namespace

int runCommand(const Args& args)
{
    Options o;
    if (const int rc = parse(args, o); rc >= 0)
        return rc;
    auto loaded = rt::loadGraphFile(o.graphPath);
    if (!loaded) {
        return printError("run", loaded.error().message, 2);
    }
    for (const auto& warning : loaded->warnings)
        std::fprintf(stderr, "nexusctl run: warning: %s\n", warning.c_str());

    rt::FanOutSink sinks;
    rt::MemorySink counter; // nothing else configured: still count the messages
    std::ofstream file;
    std::unique_ptr<rt::DstraceSink> dstrace;
    std::unique_ptr<rt::KafkaSink> kafka;
    if (!o.outPath.empty()) {
        file.open(o.outPath, std::ios::binary | std::ios::trunc);
        if (!file) {
            return printError("run", "cannot write " + o.outPath, 2);
        }
        dstrace = std::make_unique<rt::DstraceSink>(file);
        sinks.add(dstrace.get());
    }
    if (!o.kafkaBrokers.empty()) {
        rt::KafkaSinkOptions kafkaOptions;
        kafkaOptions.bootstrapServers = o.kafkaBrokers;
        kafkaOptions.topic = o.topic;
        auto created = rt::KafkaSink::create(kafkaOptions);
        if (!created) {
            return printError("run", created.error().message, 2);
        }
        kafka = std::move(created.value());
        sinks.add(kafka.get());
    }
    if (!dstrace && !kafka)
        sinks.add(&counter);

    rt::TelemetryEmitter emitter(sinks, o.telemetry);
    rt::Executor executor(loaded->graph, o.run, &emitter);
    rt::RunResult result = executor.start(o.input);
    int resumed = 0;
    while (result.status == rt::RunStatus::Interrupted && !o.stopAtInterrupts) {
        result = executor.resume(o.resumeUpdate.value_or(result.interrupt->autoResume));
        ++resumed;
    }
    rt::Status flushed = sinks.flush();
    const json summary = summaryJson(executor, result, emitter.emitted(), resumed);
    if (o.jsonSummary)
        std::printf("%s\n", summary.dump().c_str());
    else
        printSummary(summary);
    if (emitter.sinkFailures() > 0 || !flushed) {
        const auto& error = emitter.firstSinkError() ? *emitter.firstSinkError() : flushed.error();
        return printError("run",
                          "telemetry: " + std::to_string(emitter.sinkFailures()) + " of " +
                              std::to_string(emitter.emitted()) +
                              " messages failed: " + error.message,
                          2);
    }
    return result.status == rt::RunStatus::Failed ? 1 : 0;
}

} // namespace nexusctl
