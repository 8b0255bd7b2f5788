// Hostile graphs: cycles (legal loops and invalid structure), self-loops,
// missing / duplicate node ids, 10,000 nodes with 50,000 edges, in all three
// graph formats; the embedded runtime on a cyclic graph (stops at its
// recursion limit, never hangs); the console's graph canvas on a 10,000-node
// graph (refused quickly, says so) and on a cyclic one (drawn). Screenshots
// go to <build>/screenshots/hostile-graph-*.png.
#include "models/RunStore.h"
#include "runtime/Executor.h"
#include "runtime/GraphExport.h"
#include "runtime/GraphLoader.h"
#include "widgets/GraphCanvas.h"
#include "widgets/GraphLayout.h"
#include "widgets/RunView.h"

#include "../unit/models/RunStoreTestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QGraphicsPathItem>
#include <QTest>

using namespace nexus;
using nexus::runtime::Graph;
using nexus::widgets::GraphCanvas;
using nexus::widgets::GraphLayout;
using json = nlohmann::json;

namespace {

// A nexus-graph/1 document: nodes n0..n{nodes-1}, direct edges as given.
json nexusDoc(int nodes, const std::vector<std::pair<std::string, std::string>>& edges,
              std::optional<int> recursionLimit = {})
{
    json doc = {{"format", runtime::kGraphFormatTag},
                {"name", "hostile"},
                {"entry_point", "n0"},
                {"nodes", json::array()},
                {"edges", json::array()}};
    for (int i = 0; i < nodes; ++i)
        doc["nodes"].push_back({{"name", "n" + std::to_string(i)}});
    for (const auto& [from, to] : edges)
        doc["edges"].push_back({{"from", from}, {"to", to}});
    if (recursionLimit)
        doc["recursion_limit"] = *recursionLimit;
    return doc;
}

// The same graph in DashFlow's two shapes.
json schemaDoc(const Graph& graph)
{
    return runtime::toGraphSchemaJson(graph, "2026-01-01T00:00:00Z");
}

Graph graphOf(const json& doc)
{
    auto loaded = runtime::loadGraph(doc);
    if (!loaded)
        qFatal("%s", loaded.error().message.c_str());
    return loaded->graph;
}

// 10,000 nodes and 50,000 edges: a chain n0 -> ... -> n9999 -> __end__ as
// the direct edges, plus parallel fan-out edges (parallel edges may share a
// source, direct ones may not) that make every node reachable many ways.
Graph hugeGraph()
{
    Graph g;
    g.name = "huge";
    g.entryPoint = "n0";
    constexpr int kNodes = 10'000;
    for (int i = 0; i < kNodes; ++i)
        g.nodes.push_back(runtime::Node{"n" + std::to_string(i), "", {}, {}, {}, std::nullopt});
    for (int i = 0; i < kNodes; ++i)
        for (int k = 1; k <= 5; ++k) {
            runtime::Edge e;
            e.from = "n" + std::to_string(i);
            const int to = i + k;
            e.to = to < kNodes ? "n" + std::to_string(to) : std::string(runtime::kEndNode);
            e.kind = runtime::EdgeKind::Parallel;
            g.edges.push_back(e);
        }
    return g;
}

void save(QWidget& w, const char* name)
{
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/") + QLatin1String(name) +
                         QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

runtime::RunOptions seeded()
{
    runtime::RunOptions options;
    options.seed = 1;
    return options;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestHostileGraphs : public QObject
{
    Q_OBJECT

private slots:
    void legalCyclesAndSelfLoopsLoadInEveryFormat()
    {
        // n0 -> n1 -> n0 (a loop with a conditional way out) and n2 -> n2.
        json doc = nexusDoc(3, {});
        doc["edges"] = json::parse(R"([
          {"from": "n0", "to": "n1"},
          {"from": "n1", "routes": [
             {"label": "again", "to": "n0", "when": {"path": "/done", "op": "!=", "value": true}},
             {"label": "on", "to": "n2", "default": true}]},
          {"from": "n2", "routes": [
             {"label": "self", "to": "n2", "when": {"path": "/x", "op": "==", "value": 1}},
             {"label": "out", "to": "__end__", "default": true}]}])");
        auto nexusLoaded = runtime::loadGraph(doc);
        QVERIFY2(nexusLoaded, nexusLoaded ? "" : nexusLoaded.error().message.c_str());
        const Graph& g = nexusLoaded->graph;
        QCOMPARE(g.edges.size(), std::size_t(5));
        auto schema = runtime::loadGraph(schemaDoc(g));
        QVERIFY2(schema, schema ? "" : schema.error().message.c_str());
        QCOMPARE(schema->format, runtime::GraphFormat::DashFlowSchema);
        QCOMPARE(schema->graph.edges.size(), std::size_t(5));
        auto manifest = runtime::loadGraph(runtime::toGraphManifest(g));
        QVERIFY2(manifest, manifest ? "" : manifest.error().message.c_str());
        QCOMPARE(manifest->format, runtime::GraphFormat::DashFlowManifest);
        QCOMPARE(manifest->graph.edges.size(), std::size_t(5));
    }

    void invalidStructureIsRefusedWithEveryReason()
    {
        // Duplicate node, edge to a missing node, edge from a missing node,
        // an entry point that is not a node.
        json doc = nexusDoc(2, {{"n0", "n1"}, {"n1", "ghost"}, {"phantom", "n0"}});
        doc["nodes"].push_back({{"name", "n1"}});
        doc["entry_point"] = "nowhere";
        for (const json& d : {doc}) {
            auto loaded = runtime::loadGraph(d);
            QVERIFY(!loaded);
            const std::string& m = loaded.error().message;
            QVERIFY2(contains(m, "node \"n1\" is defined twice"), m.c_str());
            QVERIFY2(contains(m, "edge from \"n1\" to unknown node \"ghost\""), m.c_str());
            QVERIFY2(contains(m, "edge from unknown node \"phantom\""), m.c_str());
            QVERIFY2(contains(m, "entry point \"nowhere\" is not a node"), m.c_str());
        }
        // The same faults in DashFlow's arrays form.
        json schema = json::parse(R"({"name":"bad","version":"1","description":null,
          "nodes":[{"name":"a","node_type":"llm"},{"name":"a","node_type":"tool"}],
          "edges":[{"from":"a","to":"zz","edge_type":"direct"},
                   {"from":"a","to":"a","edge_type":"direct"}],
          "entry_point":"a"})");
        auto loaded = runtime::loadGraph(schema);
        QVERIFY(!loaded);
        QVERIFY2(contains(loaded.error().message, "node \"a\" is defined twice"),
                 loaded.error().message.c_str());
        QVERIFY2(contains(loaded.error().message, "unknown node \"zz\""),
                 loaded.error().message.c_str());
        // Not a graph at all, and JSON that nests 10,000 levels.
        QVERIFY(!runtime::loadGraphText("{\"nodes\": 5}"));
        auto deep = runtime::loadGraphText(std::string(10'000, '[') + std::string(10'000, ']'));
        QVERIFY(!deep);
    }

    void tenThousandNodesLoadInEveryFormat()
    {
        const Graph huge = hugeGraph();
        QCOMPARE(huge.edges.size(), std::size_t(50'000));
        QElapsedTimer timer;
        timer.start();
        json doc = {{"format", runtime::kGraphFormatTag}, {"name", "huge"}, {"entry_point", "n0"}};
        doc["nodes"] = json::array();
        for (const auto& n : huge.nodes)
            doc["nodes"].push_back({{"name", n.name}});
        doc["edges"] = json::array();
        for (int i = 0; i < 10'000; ++i) {
            json to = json::array();
            for (int k = 1; k <= 5; ++k)
                to.push_back(i + k < 10'000 ? "n" + std::to_string(i + k) : "__end__");
            doc["edges"].push_back({{"from", "n" + std::to_string(i)}, {"parallel", to}});
        }
        auto nexusLoaded = runtime::loadGraphText(doc.dump());
        QVERIFY2(nexusLoaded, nexusLoaded ? "" : nexusLoaded.error().message.c_str());
        QCOMPARE(nexusLoaded->graph.nodes.size(), std::size_t(10'000));
        QCOMPARE(nexusLoaded->graph.edges.size(), std::size_t(50'000));
        auto schema = runtime::loadGraphText(schemaDoc(huge).dump());
        QVERIFY2(schema, schema ? "" : schema.error().message.c_str());
        QCOMPARE(schema->graph.nodes.size(), std::size_t(10'000));
        QCOMPARE(schema->graph.edges.size(), std::size_t(50'000));
        auto manifest = runtime::loadGraphText(runtime::toGraphManifest(huge).dump());
        QVERIFY2(manifest, manifest ? "" : manifest.error().message.c_str());
        QCOMPARE(manifest->graph.nodes.size(), std::size_t(10'000));
        QCOMPARE(manifest->graph.edges.size(), std::size_t(50'000));
        QVERIFY2(timer.elapsed() < 30'000, std::to_string(timer.elapsed()).c_str());

        // A chain of 100,000 nodes: export (cycle detection) and validation
        // neither recurse per node nor scan every edge per node.
        Graph chain;
        chain.entryPoint = "n0";
        for (int i = 0; i < 100'000; ++i) {
            chain.nodes.push_back(
                runtime::Node{"n" + std::to_string(i), "", {}, {}, {}, std::nullopt});
            chain.edges.push_back({"n" + std::to_string(i),
                                   i + 1 < 100'000 ? "n" + std::to_string(i + 1) : "__end__",
                                   runtime::EdgeKind::Direct, "", std::nullopt, false});
        }
        timer.restart();
        QVERIFY(runtime::validate(chain).ok());
        const json chainManifest = runtime::toGraphManifest(chain);
        QVERIFY(runtime::loadGraph(chainManifest));
        QVERIFY2(timer.elapsed() < 30'000, std::to_string(timer.elapsed()).c_str());
    }

    void cyclicGraphStopsAtTheRecursionLimit()
    {
        // n0 -> n1 -> n0 forever, and a self-loop n0 -> n0.
        for (const auto& edges :
             {std::vector<std::pair<std::string, std::string>>{{"n0", "n1"}, {"n1", "n0"}},
              std::vector<std::pair<std::string, std::string>>{{"n0", "n0"}}}) {
            runtime::Executor executor(graphOf(nexusDoc(2, edges)), seeded());
            QElapsedTimer timer;
            timer.start();
            const runtime::RunResult result = executor.start();
            QVERIFY(timer.elapsed() < 5000);
            QCOMPARE(result.status, runtime::RunStatus::Failed);
            QVERIFY(result.error);
            QCOMPARE(result.error->code, runtime::ErrorCode::RecursionLimit);
            QVERIFY2(contains(result.error->message, "recursion limit of 25 steps reached"),
                     result.error->message.c_str());
            QCOMPARE(result.steps, std::int64_t(25));
        }
    }

    void recursionLimitHasACeiling()
    {
        // A file asking for two billion steps of a cycle would never end: refused.
        auto loaded = runtime::loadGraph(nexusDoc(2, {{"n0", "n1"}, {"n1", "n0"}}, 2'000'000'000));
        QVERIFY(!loaded);
        QVERIFY2(contains(loaded.error().message, "recursion_limit must be at most 100000"),
                 loaded.error().message.c_str());
        // The ceiling itself runs to its end in bounded time.
        runtime::Executor executor(
            graphOf(nexusDoc(2, {{"n0", "n1"}, {"n1", "n0"}}, runtime::kMaxRecursionLimit)),
            seeded());
        QElapsedTimer timer;
        timer.start();
        const runtime::RunResult result = executor.start();
        QCOMPARE(result.status, runtime::RunStatus::Failed);
        QCOMPARE(result.error->code, runtime::ErrorCode::RecursionLimit);
        QCOMPARE(result.steps, std::int64_t(runtime::kMaxRecursionLimit));
        QVERIFY2(timer.elapsed() < 60'000, std::to_string(timer.elapsed()).c_str());
        // A run option above the ceiling is clamped to it.
        runtime::RunOptions options;
        options.seed = 1;
        options.recursionLimit = 2'000'000'000;
        runtime::Executor clamped(graphOf(nexusDoc(2, {{"n0", "n0"}})), options);
        const runtime::RunResult r = clamped.start();
        QCOMPARE(r.steps, std::int64_t(runtime::kMaxRecursionLimit));
    }

    void canvasRefusesHugeGraphsQuicklyAndSaysSo()
    {
        GraphCanvas canvas;
        canvas.resize(900, 600);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        QElapsedTimer timer;
        timer.start();
        canvas.setGraph(std::make_shared<const Graph>(hugeGraph()));
        QCoreApplication::processEvents();
        QVERIFY2(timer.elapsed() < 3000, std::to_string(timer.elapsed()).c_str());
        QVERIFY(!canvas.isLayingOut());
        QCOMPARE(canvas.shownMessage(),
                 QStringLiteral("The graph is too large to draw (10000 nodes, 50000 edges; the "
                                "limit is 2000 nodes and 8000 edges). Export it as DOT or Mermaid "
                                "instead."));
        QVERIFY(!canvas.nodeItem(QStringLiteral("n0")));
        save(canvas, "hostile-graph-huge");
    }

    // A GRAPH_START whose schema is over the size limit, or lists thousands
    // of faults: no graph, and a reason of bounded length the run view shows.
    void runStoreBoundsHugeSchemas()
    {
        const std::string huge = schemaDoc(hugeGraph()).dump();
        QVERIFY(huge.size() > 2 * 1024 * 1024);
        Graph faulty;
        faulty.entryPoint = "n0";
        for (int i = 0; i < 5000; ++i) {
            faulty.nodes.push_back(
                runtime::Node{"n" + std::to_string(i % 2500), "", {}, {}, {}, std::nullopt});
            runtime::Edge e;
            e.from = "n" + std::to_string(i % 2500);
            e.to = "ghost" + std::to_string(i);
            e.kind = runtime::EdgeKind::Parallel;
            faulty.edges.push_back(e);
        }
        testing::StreamBuilder a("huge-schema"), b("faulty-schema");
        models::RunStore store;
        testing::applyAll(store, {a.graphStart(1, huge, json::object()),
                                  b.graphStart(1, schemaDoc(faulty).dump(), json::object())});
        const models::Run* big = store.runForThread("huge-schema");
        QVERIFY(big && !big->graph);
        QVERIFY2(contains(big->graphProblem, "graph_schema_json is " + std::to_string(huge.size()) +
                                                 " bytes, over the 2097152-byte limit"),
                 big->graphProblem.c_str());
        const models::Run* bad = store.runForThread("faulty-schema");
        QVERIFY(bad && !bad->graph);
        QVERIFY2(bad->graphProblem.size() < 1100, std::to_string(bad->graphProblem.size()).c_str());
        QVERIFY2(contains(bad->graphProblem, "node \"n0\" is defined twice"),
                 bad->graphProblem.c_str());
        QVERIFY2(contains(bad->graphProblem, " bytes]"), bad->graphProblem.c_str());

        widgets::RunView view;
        view.resize(1000, 700);
        view.setStore(&store);
        view.showRun(bad->id);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto* canvas = view.findChild<GraphCanvas*>();
        QVERIFY(canvas);
        QVERIFY2(canvas->shownMessage().startsWith(QStringLiteral("No graph: graph_schema_json")),
                 qPrintable(canvas->shownMessage().left(200)));
        QVERIFY(view.minimumSizeHint().width() < 1920);
        save(view, "hostile-graph-faulty-schema");
    }

    void canvasDrawsCyclesAndSelfLoops()
    {
        json doc = nexusDoc(4, {{"n0", "n1"}, {"n2", "n0"}, {"n3", "n3"}});
        doc["edges"].push_back(json::parse(R"({"from": "n1", "routes": [
             {"label": "loop", "to": "n2", "when": {"path": "/again", "op": "==", "value": true}},
             {"label": "done", "to": "n3", "default": true}]})"));
        auto loaded = runtime::loadGraph(doc);
        QVERIFY2(loaded, loaded ? "" : loaded.error().message.c_str());
        GraphCanvas canvas;
        canvas.resize(600, 500);
        canvas.setGraph(std::make_shared<const Graph>(loaded->graph));
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        QTRY_VERIFY(!canvas.isLayingOut());
        QVERIFY2(canvas.shownMessage().isEmpty(), qPrintable(canvas.shownMessage()));
        for (const char* n : {"n0", "n1", "n2", "n3"})
            QVERIFY(canvas.nodeItem(QString::fromLatin1(n)));
        QVERIFY(canvas.graphLayout().ok);
        QCOMPARE(canvas.graphLayout().edges.size(), std::size_t(6)); // + the start edge
        save(canvas, "hostile-graph-cyclic");
    }
};

QTEST_MAIN(TestHostileGraphs)
#include "tst_hostile_graphs.moc"
