// Executor semantics: edge kinds, recursion limit, interrupts, parallel
// merge, checkpoints, failures, seed determinism.
#include "protocol/MessageJson.h"
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/TelemetryEmitter.h"

#include "TestSupport.h"

using namespace nexus::runtime;
using json = nlohmann::json;

namespace {

RunOptions seeded(std::uint64_t seed, std::optional<int> recursionLimit = std::nullopt)
{
    RunOptions options;
    options.seed = seed;
    options.recursionLimit = recursionLimit;
    return options;
}

Graph graphFrom(const std::string& text)
{
    auto loaded = loadGraphText(text);
    if (!loaded)
        qFatal("test graph does not load: %s", loaded.error().message.c_str());
    return loaded->graph;
}

Graph sample(const char* name)
{
    auto loaded =
        loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" + name + ".json");
    if (!loaded)
        qFatal("%s", loaded.error().message.c_str());
    return loaded->graph;
}

// Records what the executor reports, as short strings.
class Recorder : public ExecutionObserver
{
public:
    std::vector<std::string> log;
    void nodeStarted(const std::string& n, std::int64_t) override { log.push_back("start " + n); }
    void nodeFinished(const std::string& n, const NodeOutcome&, const json&, std::int64_t) override
    {
        log.push_back("end " + n);
    }
    void nodeFailed(const std::string& n, const std::string&, std::int64_t) override
    {
        log.push_back("error " + n);
    }
    void edgeTaken(const Edge& e, std::int64_t) override
    {
        log.push_back("edge " + e.from + "->" + e.to + (e.label.empty() ? "" : " " + e.label));
    }
    void interrupted(const std::string& n, InterruptWhen w, std::int64_t) override
    {
        log.push_back(std::string("interrupt ") +
                      (w == InterruptWhen::Before ? "before " : "after ") + n);
    }
    void graphFinished(const json&, std::int64_t, std::int64_t) override { log.push_back("done"); }
};

const char* kRouter = R"({"format": "nexus-graph/1", "entry_point": "triage",
  "nodes": [{"name": "triage"}, {"name": "billing"}, {"name": "tech"}, {"name": "other"}],
  "edges": [{"from": "triage", "routes": [
      {"label": "pay", "to": "billing", "when": {"and": [
          {"path": "/topic", "op": "in", "value": ["invoice", "refund"]},
          {"not": {"path": "/vip", "op": "exists"}}]}},
      {"label": "bug", "to": "tech", "when": {"path": "/severity", "op": ">=", "value": 3}},
      {"label": "fallback", "to": "other", "default": true}]},
    {"from": "billing", "to": "__end__"}, {"from": "tech", "to": "__end__"},
    {"from": "other", "to": "__end__"}]})";

const char* kFanOut = R"({"format": "nexus-graph/1", "entry_point": "split",
  "initial_state": {"items": ["seed"], "winner": "none"},
  "nodes": [
    {"name": "split", "latency_ms": 10},
    {"name": "slow", "latency_ms": 300, "updates": [
        {"op": "append", "path": "/items", "value": "slow"},
        {"op": "set", "path": "/winner", "value": "slow"},
        {"op": "set", "path": "/only_slow", "value": 1}]},
    {"name": "fast", "latency_ms": 100, "updates": [
        {"op": "append", "path": "/items", "value": "fast"},
        {"op": "set", "path": "/winner", "value": "fast"},
        {"op": "set", "path": "/only_fast", "value": 2}]},
    {"name": "join", "updates": [{"op": "set", "path": "/joined", "value": "{{/items}}"}]}],
  "edges": [{"from": "split", "parallel": ["slow", "fast"]},
    {"from": "slow", "to": "join"}, {"from": "fast", "to": "join"},
    {"from": "join", "to": "__end__"}]})";

const char* kLoop = R"({"format": "nexus-graph/1", "entry_point": "spin",
  "nodes": [{"name": "spin", "updates": [{"op": "increment", "path": "/n"}]}],
  "edges": [{"from": "spin", "to": "spin"}]})";

const char* kLine = R"({"format": "nexus-graph/1", "entry_point": "a",
  "nodes": [
    {"name": "a", "latency_ms": {"uniform": [10, 50]}, "updates": [{"op": "set", "path": "/a", "int_range": [1, 1000]}]},
    {"name": "b", "latency_ms": {"uniform": [10, 50]}, "updates": [{"op": "set", "path": "/b", "uniform": [0, 1]}]},
    {"name": "c", "latency_ms": {"uniform": [10, 50]}, "updates": [{"op": "set", "path": "/c", "value": "{{/a}}-{{/b}}"}]}],
  "edges": [{"from": "a", "to": "b"}, {"from": "b", "to": "c"}, {"from": "c", "to": "__end__"}]})";

std::vector<json> telemetryJson(const Graph& graph, std::uint64_t seed)
{
    MemorySink sink;
    TelemetryEmitter emitter(sink);
    RunOptions options;
    options.seed = seed;
    Executor executor(graph, options, &emitter);
    RunResult result = executor.start();
    while (result.status == RunStatus::Interrupted)
        result = executor.resume(result.interrupt->autoResume);
    std::vector<json> out;
    for (const auto& message : sink.messages())
        out.push_back(nexus::protocol::messageToJson(message));
    return out;
}

} // namespace

class TestExecutor : public QObject
{
    Q_OBJECT

private slots:
    void directEdgesRunInOrder()
    {
        Recorder recorder;
        Executor executor(graphFrom(kLine), seeded(1), &recorder);
        const RunResult r = executor.start();
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(r.path, (std::vector<std::string>{"a", "b", "c"}));
        QCOMPARE(r.steps, std::int64_t(3));
        QVERIFY(r.state["a"].is_number_integer());
        QCOMPARE(r.state["c"].get<std::string>(),
                 std::to_string(r.state["a"].get<int>()) + "-" + r.state["b"].dump());
        QCOMPARE(recorder.log, (std::vector<std::string>{"start a", "end a", "edge a->b", "start b",
                                                         "end b", "edge b->c", "start c", "end c",
                                                         "edge c->__end__", "done"}));
        QVERIFY(r.durationUs >= 30'000 && r.durationUs <= 150'000); // simulated, not slept
    }

    void conditionalEdgesFollowTheState_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("label");
        QTest::newRow("in + not exists") << R"({"topic": "refund"})"
                                         << "billing"
                                         << "pay";
        QTest::newRow("and fails on vip") << R"({"topic": "refund", "vip": true})"
                                          << "other"
                                          << "fallback";
        QTest::newRow("numeric >=") << R"({"topic": "crash", "severity": 4})"
                                    << "tech"
                                    << "bug";
        QTest::newRow("below threshold") << R"({"severity": 2})"
                                         << "other"
                                         << "fallback";
        QTest::newRow("type mismatch is false") << R"({"severity": "4"})"
                                                << "other"
                                                << "fallback";
    }

    void conditionalEdgesFollowTheState()
    {
        QFETCH(QString, input);
        QFETCH(QString, target);
        QFETCH(QString, label);
        Recorder recorder;
        Executor executor(graphFrom(kRouter), seeded(1), &recorder);
        const RunResult r = executor.start(json::parse(input.toStdString()));
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(r.path, (std::vector<std::string>{"triage", target.toStdString()}));
        QCOMPARE(recorder.log[2],
                 "edge triage->" + target.toStdString() + " " + label.toStdString());
    }

    void conditionalWithoutMatchingRouteFails()
    {
        auto graph = graphFrom(R"({"format": "nexus-graph/1", "entry_point": "a",
            "nodes": [{"name": "a"}, {"name": "b"}],
            "edges": [{"from": "a", "routes": [{"to": "b", "when": {"path": "/go", "op": "==", "value": true}}]},
                      {"from": "b", "to": "__end__"}]})");
        Executor executor(graph, seeded(1));
        const RunResult r = executor.start();
        QCOMPARE(r.status, RunStatus::Failed);
        QCOMPARE(r.error->code, ErrorCode::NoRoute);
        QCOMPARE(r.failedNode, std::string("a"));
    }

    void parallelBranchesMergeInFrontierOrder()
    {
        Recorder recorder;
        Executor executor(graphFrom(kFanOut), seeded(1), &recorder);
        const RunResult r = executor.start();
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(r.path, (std::vector<std::string>{"split", "slow", "fast", "join"}));
        QCOMPARE(r.steps, std::int64_t(3)); // split, {slow, fast}, join
        // Appends concatenate in frontier order, although "fast" finished first.
        NEXUS_COMPARE_JSON(r.state["items"], json({"seed", "slow", "fast"}));
        NEXUS_COMPARE_JSON(r.state["winner"], "fast"); // later in frontier order wins
        NEXUS_COMPARE_JSON(r.state["only_slow"], 1);
        NEXUS_COMPARE_JSON(r.state["only_fast"], 2);
        NEXUS_COMPARE_JSON(r.state["joined"], r.state["items"]);
        QCOMPARE(r.durationUs, std::int64_t(10'000 + 300'000)); // the slowest branch
        // Both start together; "fast" ends first in simulated time; join runs once.
        const std::vector<std::string> expected = {
            "start split",        "end split",  "edge split->slow",
            "edge split->fast",   "start slow", "start fast",
            "end fast",           "end slow",   "edge slow->join",
            "edge fast->join",    "start join", "end join",
            "edge join->__end__", "done"};
        QCOMPARE(recorder.log, expected);
    }

    void recursionLimitStopsLoops()
    {
        Executor limited(graphFrom(kLoop), seeded(1, 5));
        RunResult r = limited.start();
        QCOMPARE(r.status, RunStatus::Failed);
        QCOMPARE(r.error->code, ErrorCode::RecursionLimit);
        QCOMPARE(r.steps, std::int64_t(5));
        NEXUS_COMPARE_JSON(r.state["n"], 5);

        Executor byDefault(graphFrom(kLoop), seeded(1));
        r = byDefault.start();
        QCOMPARE(r.error->code, ErrorCode::RecursionLimit);
        QCOMPARE(r.steps, std::int64_t(25)); // DashFlow's default
    }

    void interruptsPauseAndResumeExactly()
    {
        const Graph graph = graphFrom(kLine);
        Executor straight(graph, seeded(9));
        const RunResult expected = straight.start();

        RunOptions options = seeded(9);
        options.interruptBefore = {"b"};
        options.interruptAfter = {"b"};
        Recorder recorder;
        Executor paused(graph, options, &recorder);
        RunResult r = paused.start();
        QCOMPARE(r.status, RunStatus::Interrupted);
        QCOMPARE(r.interrupt->node, std::string("b"));
        QCOMPARE(r.interrupt->when, InterruptWhen::Before);
        QCOMPARE(r.path, std::vector<std::string>{"a"});
        QVERIFY(!r.state.contains("b"));

        r = paused.resume();
        QCOMPARE(r.status, RunStatus::Interrupted);
        QCOMPARE(r.interrupt->when, InterruptWhen::After);
        QVERIFY(r.state.contains("b"));
        QVERIFY(!r.state.contains("c"));

        r = paused.resume();
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(r.path, expected.path);
        NEXUS_COMPARE_JSON(r.state, expected.state); // same draws, same results
        QCOMPARE(r.durationUs, expected.durationUs);
        QVERIFY(std::find(recorder.log.begin(), recorder.log.end(), "interrupt before b") !=
                recorder.log.end());

        const RunResult refused = paused.resume();
        QCOMPARE(refused.error->code, ErrorCode::InvalidState);
        QCOMPARE(paused.result().status, RunStatus::Completed);
    }

    void resumeUpdateSteersTheRun()
    {
        const Graph graph = sample("coding_agent");
        Executor executor(graph, seeded(1));
        RunResult r = executor.start();
        QCOMPARE(r.status, RunStatus::Interrupted);
        QCOMPARE(r.interrupt->node, std::string("human_review"));
        r = executor.resume(json{{"approval", {{"approved", false}}}});
        // Changes requested: back to edit, and again to the review.
        QCOMPARE(r.status, RunStatus::Interrupted);
        QCOMPARE(r.path.back(), std::string("test"));
        QVERIFY(std::count(r.path.begin(), r.path.end(), "human_review") == 1);
        r = executor.resume(r.interrupt->autoResume);
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(r.path.back(), std::string("commit"));
        NEXUS_COMPARE_JSON(r.state["commit"]["sha"], "4f1c2e9");
    }

    void checkpointsAfterEveryStep()
    {
        InMemoryCheckpointSaver saver;
        RunOptions options = seeded(3);
        options.checkpointSaver = &saver;
        Executor executor(sample("rag_pipeline"), options);
        const RunResult r = executor.start();
        QCOMPARE(r.status, RunStatus::Completed);
        const auto list = saver.list(executor.threadId());
        QCOMPARE(std::int64_t(list.size()), r.steps);
        for (std::size_t i = 0; i < list.size(); ++i) {
            QCOMPARE(list[i].step, std::int64_t(i + 1));
            QCOMPARE(list[i].nodes, std::vector<std::string>{r.path[i]});
            QCOMPARE(list[i].parentId, i == 0 ? std::string() : list[i - 1].id);
        }
        NEXUS_COMPARE_JSON(list.back().state, r.state);
        QCOMPARE(saver.latest(executor.threadId())->id, list.back().id);

        // Fork from the first checkpoint with edited state: routing is recomputed.
        Executor fork(executor.graph(), seeded(3));
        const RunResult forked = fork.startFrom(list[0], json{{"attempts", 7}});
        QCOMPARE(forked.status, RunStatus::Completed);
        QCOMPARE(forked.path.front(), std::string("grade"));
        NEXUS_COMPARE_JSON(forked.state["attempts"], 7);
    }

    void scriptedFailureStopsTheRun()
    {
        auto graph = graphFrom(R"({"format": "nexus-graph/1", "entry_point": "a",
            "nodes": [{"name": "a", "error_probability": 1, "error_message": "boom",
                       "updates": [{"op": "set", "path": "/x", "value": 1}]}],
            "edges": [{"from": "a", "to": "__end__"}]})");
        Recorder recorder;
        Executor executor(graph, seeded(1), &recorder);
        const RunResult r = executor.start();
        QCOMPARE(r.status, RunStatus::Failed);
        QCOMPARE(r.error->code, ErrorCode::NodeFailed);
        QVERIFY(r.error->message.find("boom") != std::string::npos);
        QVERIFY(!r.state.contains("x"));
        QCOMPARE(recorder.log, (std::vector<std::string>{"start a", "error a"}));
    }

    void dashFlowShapedGraphsRun()
    {
        auto manifest =
            loadGraphFile(std::string(NEXUS_TEST_DATA) + "/runtime/dashflow_graph_manifest.json");
        QVERIFY(manifest.ok());
        Executor executor(manifest->graph, seeded(1));
        const RunResult r = executor.start();
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(r.path, (std::vector<std::string>{"split", "worker_a", "worker_b", "merge"}));

        auto schema =
            loadGraphFile(std::string(NEXUS_TEST_DATA) + "/runtime/dashflow_graph_schema.json");
        QVERIFY(schema.ok());
        Executor drawOnly(schema->graph, seeded(1));
        const RunResult stopped = drawOnly.start();
        QCOMPARE(stopped.error->code, ErrorCode::NotRoutable);
    }

    void seededRunsAreIdentical()
    {
        for (const char* name :
             {"rag_pipeline", "research_team", "coding_agent", "support_triage"}) {
            const Graph graph = sample(name);
            const auto first = telemetryJson(graph, 42);
            const auto second = telemetryJson(graph, 42);
            QVERIFY(first.size() > 10);
            QCOMPARE(first.size(), second.size());
            for (std::size_t i = 0; i < first.size(); ++i)
                NEXUS_COMPARE_JSON(second[i], first[i]); // ids, timestamps, states, all of it
            const auto other = telemetryJson(graph, 43);
            QVERIFY(other != first);
        }
    }

    void unseededRunsDiffer()
    {
        Executor a(graphFrom(kLine)), b(graphFrom(kLine));
        QVERIFY(a.threadId() != b.threadId());
        QVERIFY(a.start().state != b.start().state);
    }
};

QTEST_GUILESS_MAIN(TestExecutor)
#include "tst_executor.moc"
