#pragma once
// Shared by the trace comparison / cost breakdown tests (models and
// widgets): seeded runs of the sample graphs on a chosen thread, fed into
// one store, with what the runtime itself knows (node order, latencies, the
// Metrics it sent) to check the analysis against.

#include "RunStoreTestSupport.h"

#include <QFile>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace nexus::testing {

struct RecordedRun
{
    runtime::RunResult result;
    std::string threadId;
    std::vector<ds::DashStreamMessage> messages;
    std::vector<std::string> started;                              // NODE_START order
    std::map<std::pair<std::string, int>, std::int64_t> durations; // (node, visit) -> latency
    std::vector<json> diffStates; // the state after each StateDiff, in order
    std::uint64_t runId = 0;      // in the store it was applied to
};

inline json graphFileJson(const std::string& name)
{
    QFile file(QStringLiteral(NEXUS_SOURCE_DIR "/resources/graphs/%1.json")
                   .arg(QString::fromStdString(name)));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open graph %s", name.c_str());
    return json::parse(file.readAll().toStdString());
}

// Runs `graph` with `seed` on `thread` (message ids seeded from the thread,
// so two runs never share ids) and applies the telemetry to `store`.
inline RecordedRun recordRun(models::RunStore& store, const std::string& graph, std::uint64_t seed,
                             const std::string& thread)
{
    auto loaded = runtime::loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" +
                                         graph + ".json");
    if (!loaded)
        qFatal("%s", loaded.error().message.c_str());
    runtime::MemorySink sink;
    runtime::TelemetryOptions telemetry;
    telemetry.idSeed = std::hash<std::string>{}(thread) ^ seed;
    runtime::TelemetryEmitter emitter(sink, telemetry);
    Recorder recorder(emitter);
    runtime::RunOptions options;
    options.seed = seed;
    options.threadId = thread;
    runtime::Executor executor(loaded->graph, options, &recorder);
    RecordedRun out;
    out.result = executor.start();
    while (out.result.status == runtime::RunStatus::Interrupted)
        out.result = executor.resume(out.result.interrupt->autoResume);
    out.threadId = thread;
    out.messages = sink.messages();
    out.started = recorder.started;
    out.durations = recorder.durations;
    out.diffStates = recorder.diffStates;
    const models::ApplyResult applied = applyAll(store, out.messages);
    if (applied.added.size() != 1)
        qFatal("expected one new run for %s", thread.c_str());
    out.runId = applied.added.front();
    return out;
}

// The first seed from `from` whose run's final state satisfies `want`.
inline std::uint64_t findSeed(const std::string& graph, std::uint64_t from,
                              const std::function<bool(const runtime::RunResult&)>& want)
{
    auto loaded = runtime::loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" +
                                         graph + ".json");
    for (std::uint64_t seed = from; seed < from + 500; ++seed) {
        runtime::RunOptions options;
        options.seed = seed;
        runtime::Executor executor(loaded->graph, options);
        runtime::RunResult result = executor.start();
        while (result.status == runtime::RunStatus::Interrupted)
            result = executor.resume(result.interrupt->autoResume);
        if (want(result))
            return seed;
    }
    qFatal("no seed of %s does what the test needs", graph.c_str());
}

// Per node, what its Metrics messages said, in visit order.
struct NodeMetrics
{
    std::vector<std::int64_t> tokens; // prompt + completion per Metrics message with tokens
    double costUsd = 0;
    std::string model; // the "model" tag
};

inline std::map<std::string, NodeMetrics>
metricsByNode(const std::vector<ds::DashStreamMessage>& messages)
{
    std::map<std::string, NodeMetrics> out;
    for (const auto& m : messages) {
        if (!m.has_metrics() || m.metrics().scope() != "node")
            continue;
        const auto& values = m.metrics().metrics();
        NodeMetrics& node = out[m.metrics().scope_id()];
        if (values.count("prompt_tokens"))
            node.tokens.push_back(values.at("prompt_tokens").int_value() +
                                  values.at("completion_tokens").int_value());
        if (values.count("cost_usd"))
            node.costUsd += values.at("cost_usd").float_value();
        if (auto tag = m.metrics().tags().find("model"); tag != m.metrics().tags().end())
            node.model = tag->second;
    }
    return out;
}

inline std::int64_t graphEndDurationUs(const std::vector<ds::DashStreamMessage>& messages)
{
    for (const auto& m : messages)
        if (m.has_event() && m.event().event_type() == ds::EVENT_TYPE_GRAPH_END)
            return m.event().duration_us();
    return 0;
}

} // namespace nexus::testing
