// RunOptions::effects and TelemetryOptions::runAttributes: the hooks the
// fleet simulator uses to model faults and optimization versions. Defaults
// must leave seeded runs exactly as they were.
#include "protocol/MessageJson.h"
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/TelemetryEmitter.h"

#include "TestSupport.h"

using namespace nexus::runtime;
using json = nlohmann::json;

namespace {

const char* kGraph = R"({
  "format": "nexus-graph/1", "name": "effects",
  "entry_point": "draft",
  "nodes": [
    {"name": "draft", "type": "llm", "latency_ms": {"uniform": [100, 200]},
     "tools": [{"name": "search", "latency_ms": 50}],
     "updates": [{"op": "set", "path": "/draft", "value": "text"}]},
    {"name": "judge", "latency_ms": 40,
     "quality": {"accuracy": 0.9, "relevance": 0.8, "completeness": 0.2, "threshold": 0.5}}
  ],
  "edges": [{"from": "draft", "to": "judge"}, {"from": "judge", "to": "__end__"}]
})";

Graph graph()
{
    auto loaded = loadGraphText(kGraph);
    if (!loaded)
        qFatal("%s", loaded.error().message.c_str());
    return loaded->graph;
}

struct Run
{
    RunResult result;
    std::vector<ds::DashStreamMessage> messages;
};

Run run(RunEffects effects, TelemetryOptions telemetry = {})
{
    MemorySink sink;
    TelemetryEmitter emitter(sink, telemetry);
    RunOptions options;
    options.seed = 7;
    options.effects = effects;
    Executor executor(graph(), options, &emitter);
    Run out{executor.start(), {}};
    out.messages = sink.messages();
    return out;
}

const ds::Metrics* qualityMetrics(const Run& r)
{
    for (const auto& m : r.messages)
        if (m.has_metrics() && m.metrics().scope() == "quality")
            return &m.metrics();
    return nullptr;
}

} // namespace

class TestRunEffects : public QObject
{
    Q_OBJECT

private slots:
    void defaultsChangeNothing()
    {
        const Run plain = run({});
        const Run again = run(RunEffects{});
        QCOMPARE(plain.result.status, RunStatus::Completed);
        QCOMPARE(again.result.durationUs, plain.result.durationUs);
        QCOMPARE(again.messages.size(), plain.messages.size());
        for (std::size_t i = 0; i < plain.messages.size(); ++i)
            NEXUS_COMPARE_JSON(nexus::protocol::messageToJson(again.messages[i]),
                               nexus::protocol::messageToJson(plain.messages[i]));
    }

    void latencyFactorStretchesNodesAndTools()
    {
        const Run plain = run({});
        RunEffects slow;
        slow.latencyFactor = 3.0;
        const Run stretched = run(slow);
        QCOMPARE(stretched.result.status, RunStatus::Completed);
        QCOMPARE(stretched.result.path, plain.result.path);
        // Same draws, three times as long (each node rounds to the microsecond).
        QVERIFY(std::llabs(stretched.result.durationUs - 3 * plain.result.durationUs) <= 4);
        for (const auto& m : stretched.messages)
            if (m.has_tool_execution() && m.tool_execution().duration_us() > 0)
                QCOMPARE(m.tool_execution().duration_us(), std::int64_t(150'000));
    }

    void qualityOffsetShiftsEveryComponent()
    {
        RunEffects worse;
        worse.qualityOffset = -0.3;
        const Run r = run(worse);
        const ds::Metrics* q = qualityMetrics(r);
        QVERIFY(q);
        QCOMPARE(q->metrics().at("accuracy").float_value(), 0.9 - 0.3);
        QCOMPARE(q->metrics().at("relevance").float_value(), 0.8 - 0.3);
        QCOMPARE(q->metrics().at("completeness").float_value(), 0.0); // clamped
        QCOMPARE(q->metrics().at("passed").bool_value(), false);
    }

    void extraErrorProbabilityFailsNodes()
    {
        RunEffects broken;
        broken.extraErrorProbability = 1.0;
        broken.extraErrorMessage = "model endpoint overloaded";
        const Run failed = run(broken);
        QCOMPARE(failed.result.status, RunStatus::Failed);
        QCOMPARE(failed.result.failedNode, std::string("draft"));
        bool nodeError = false;
        for (const auto& m : failed.messages)
            if (m.has_event() && m.event().event_type() == ds::EVENT_TYPE_NODE_ERROR) {
                nodeError = true;
                QCOMPARE(m.event().attributes().at("error").string_value(),
                         std::string("model endpoint overloaded"));
            }
        QVERIFY(nodeError);
    }

    void runAttributesJoinGraphStart()
    {
        TelemetryOptions telemetry;
        telemetry.instanceLabels = {{"instance_id", "sim-01"}};
        telemetry.runAttributes = {
            {"optimization_version", "ver-2"}, {"rollout_id", ""}, {"graph_name", "not-this"}};
        const Run r = run({}, telemetry);
        const auto& start = r.messages.front().event();
        QCOMPARE(start.event_type(), ds::EVENT_TYPE_GRAPH_START);
        const auto& attributes = start.attributes();
        QCOMPARE(attributes.at("optimization_version").string_value(), std::string("ver-2"));
        QCOMPARE(attributes.at("instance_id").string_value(), std::string("sim-01"));
        QVERIFY(!attributes.contains("rollout_id")); // empty: left out
        QCOMPARE(attributes.at("graph_name").string_value(),
                 std::string("effects")); // not replaced
    }
};

QTEST_GUILESS_MAIN(TestRunEffects)
#include "tst_run_effects.moc"
