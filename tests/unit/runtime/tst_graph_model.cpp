// Graph model: DashFlow's two shapes, our format, validation, schema_id.
#include "runtime/GraphExport.h"
#include "runtime/GraphLoader.h"

#include "TestSupport.h"

#include <QCryptographicHash>
#include <QTest>

using namespace nexus::runtime;
using json = nlohmann::json;

namespace {

std::string fixture(const char* name)
{
    return std::string(NEXUS_TEST_DATA) + "/runtime/" + name;
}

// schema_id recomputed here from DASHSTREAM.md §5.1 with Qt's SHA-256, not
// with the code under test.
std::string expectedSchemaId(const std::string& canonical)
{
    const QByteArray digest =
        QCryptographicHash::hash(QByteArray::fromStdString(canonical), QCryptographicHash::Sha256);
    return digest.left(8).toHex().toStdString();
}

std::string firstErrorOf(const char* text)
{
    auto loaded = loadGraphText(text);
    return loaded ? std::string() : loaded.error().message;
}

} // namespace

class TestGraphModel : public QObject
{
    Q_OBJECT

private slots:
    void loadsDashFlowGraphSchemaJson()
    {
        auto loaded = loadGraphFile(fixture("dashflow_graph_schema.json"));
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().message.c_str());
        QCOMPARE(loaded->format, GraphFormat::DashFlowSchema);
        const Graph& g = loaded->graph;
        QCOMPARE(g.name, std::string("customer_router"));
        QCOMPARE(g.entryPoint, std::string("route"));
        QCOMPARE(g.nodes.size(), std::size_t(4));
        // HashMap order in the file; sorted by name in the model.
        QCOMPARE(g.nodes.front().name, std::string("escalate"));
        QCOMPARE(g.findNode("route")->type, (NodeType{"router", true}));
        QCOMPARE(g.findNode("escalate")->type, (NodeType{"human_in_loop", false}));
        QCOMPARE(g.findNode("escalate")->description, std::string("Hands over to a person"));
        QCOMPARE(g.edges.size(), std::size_t(6));
        const auto routes = g.outgoing("route");
        QCOMPARE(routes.size(), std::size_t(3));
        for (const Edge* e : routes)
            QCOMPARE(e->kind, EdgeKind::Conditional);
        QCOMPARE(routes[0]->label, std::string("angry"));
        QCOMPARE(routes[0]->to, std::string("escalate"));
        QCOMPARE(g.outgoing("respond").front()->to, std::string(kEndNode));
    }

    void loadsDashFlowGraphManifest()
    {
        auto loaded = loadGraphFile(fixture("dashflow_graph_manifest.json"));
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().message.c_str());
        QCOMPARE(loaded->format, GraphFormat::DashFlowManifest);
        const Graph& g = loaded->graph;
        QCOMPARE(g.name, std::string("fanout"));
        QCOMPARE(g.entryPoint, std::string("split"));
        QCOMPARE(g.findNode("worker_a")->type, (NodeType{"tool", false}));
        QCOMPARE(g.findNode("worker_b")->type, (NodeType{"llm", false}));
        QCOMPARE(g.findNode("merge")->type, (NodeType{"aggregator", true}));
        QCOMPARE(g.findNode("worker_b")->outputFields, std::vector<std::string>{"result_b"});
        const auto fan = g.outgoing("split");
        QCOMPARE(fan.size(), std::size_t(2));
        QCOMPARE(fan[0]->kind, EdgeKind::Parallel);
        QCOMPARE(fan[0]->to, std::string("worker_a")); // sorted, not the file's order
        QCOMPARE(fan[1]->to, std::string("worker_b"));
    }

    void schemaIdFollowsDashFlowAlgorithm()
    {
        auto schema = loadGraphFile(fixture("dashflow_graph_schema.json"));
        QVERIFY(schema.ok());
        const std::string canonical =
            "entry:route;nodes:escalate,lookup,respond,route;edges:escalate->__end__:false,"
            "lookup->respond:false,respond->__end__:false,route->escalate:true,"
            "route->lookup:true,route->respond:true";
        QCOMPARE(schemaIdCanonical(schema->graph), canonical);
        QCOMPARE(schemaId(schema->graph), expectedSchemaId(canonical));
        QCOMPARE(schemaId(schema->graph).size(), std::size_t(16));

        // The parallel flag is not part of the id.
        auto manifest = loadGraphFile(fixture("dashflow_graph_manifest.json"));
        QVERIFY(manifest.ok());
        QCOMPARE(schemaId(manifest->graph),
                 expectedSchemaId("entry:split;nodes:merge,split,worker_a,worker_b;edges:"
                                  "merge->__end__:false,split->worker_a:false,"
                                  "split->worker_b:false,worker_a->merge:false,"
                                  "worker_b->merge:false"));
    }

    void exportRoundTripsThroughDashFlowShapes()
    {
        auto loaded = loadGraphFile(fixture("dashflow_graph_schema.json"));
        QVERIFY(loaded.ok());
        const json schema = toGraphSchemaJson(loaded->graph, "2025-01-01T00:00:00.000000Z");
        QCOMPARE(schema["nodes"].size(), std::size_t(4));
        QVERIFY(schema["description"].is_null());
        QVERIFY(schema["state_type"].is_null());
        auto again = loadGraph(schema);
        QVERIFY(again.ok());
        QCOMPARE(schemaId(again->graph), schemaId(loaded->graph));

        const json manifest = toGraphManifest(loaded->graph);
        NEXUS_COMPARE_JSON(manifest["nodes"]["route"]["node_type"], json({{"custom", "router"}}));
        NEXUS_COMPARE_JSON(manifest["nodes"]["escalate"]["node_type"], json("approval"));
        QCOMPARE(manifest["edges"]["route"].size(), std::size_t(3));
        NEXUS_COMPARE_JSON(manifest["metadata"]["has_cycles"], json(false));
        auto fromManifest = loadGraph(manifest);
        QVERIFY(fromManifest.ok());
        QCOMPARE(schemaId(fromManifest->graph), schemaId(loaded->graph));
        QCOMPARE(fromManifest->graph.findNode("escalate")->type,
                 (NodeType{"human_in_loop", false}));
    }

    void loadsEverySampleGraph_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* name : {"rag_pipeline", "research_team", "coding_agent", "support_triage"})
            QTest::newRow(name)
                << QString("%1/resources/graphs/%2.json").arg(NEXUS_SOURCE_DIR, name);
    }

    void loadsEverySampleGraph()
    {
        QFETCH(QString, file);
        auto loaded = loadGraphFile(file.toStdString());
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().message.c_str());
        QCOMPARE(loaded->format, GraphFormat::Nexus);
        QVERIFY2(loaded->warnings.empty(),
                 loaded->warnings.empty() ? "" : loaded->warnings[0].c_str());
        for (const Node& node : loaded->graph.nodes)
            QVERIFY(node.script.has_value());
    }

    void rejectsInvalidGraphs()
    {
        QVERIFY(firstErrorOf("{not json").find("not valid JSON") != std::string::npos);
        QVERIFY(firstErrorOf(R"({"nodes": 3})").find("not a graph") != std::string::npos);
        const std::string unknownNode = firstErrorOf(R"({"format": "nexus-graph/1",
            "entry_point": "a", "nodes": [{"name": "a"}], "edges": [{"from": "a", "to": "b"}]})");
        QVERIFY2(unknownNode.find("edge from \"a\" to unknown node \"b\"") != std::string::npos,
                 unknownNode.c_str());
        const std::string noEntry = firstErrorOf(R"({"format": "nexus-graph/1",
            "nodes": [{"name": "a"}], "edges": []})");
        QVERIFY2(noEntry.find("no entry point") != std::string::npos, noEntry.c_str());
        const std::string badEntry = firstErrorOf(R"({"format": "nexus-graph/1",
            "entry_point": "x", "nodes": [{"name": "a"}]})");
        QVERIFY2(badEntry.find("entry point \"x\" is not a node") != std::string::npos,
                 badEntry.c_str());
        const std::string twoDirect = firstErrorOf(R"({"format": "nexus-graph/1",
            "entry_point": "a", "nodes": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
            "edges": [{"from": "a", "to": "b"}, {"from": "a", "to": "c"}]})");
        QVERIFY2(twoDirect.find("several direct edges") != std::string::npos, twoDirect.c_str());
        const std::string badCondition = firstErrorOf(R"({"format": "nexus-graph/1",
            "entry_point": "a", "nodes": [{"name": "a"}], "edges": [{"from": "a", "routes": [
            {"to": "__end__", "when": {"path": "/x", "op": "~="}}]}]})");
        QVERIFY2(badCondition.find("unknown op") != std::string::npos, badCondition.c_str());
        const std::string badUpdate = firstErrorOf(R"({"format": "nexus-graph/1",
            "entry_point": "a", "nodes": [{"name": "a", "updates": [{"op": "double"}]}]})");
        QVERIFY2(badUpdate.find("unknown op \"double\"") != std::string::npos, badUpdate.c_str());
        QVERIFY(firstErrorOf(R"({"format": "nexus-graph/9", "nodes": []})")
                    .find("unsupported graph format") != std::string::npos);
    }

    void warnsAboutUnreachableNodes()
    {
        auto loaded = loadGraphText(R"({"format": "nexus-graph/1", "entry_point": "a",
            "nodes": [{"name": "a"}, {"name": "island"}],
            "edges": [{"from": "a", "to": "__end__"}, {"from": "island", "to": "__end__"}]})");
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->warnings.size(), std::size_t(1));
        QVERIFY(loaded->warnings[0].find("\"island\" is unreachable") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestGraphModel)
#include "tst_graph_model.moc"
