// Telemetry of the sample graphs, read back through the protocol decoder:
// headers, DashFlow's emission order (DASHSTREAM.md §3.2), state replay with
// every state_hash verified, schema_id, checkpoints.
#include "protocol/CanonicalJson.h"
#include "protocol/Dstrace.h"
#include "protocol/Framing.h"
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/TelemetryEmitter.h"

#include "TestSupport.h"

#include <QCryptographicHash>

#include <set>
#include <sstream>
#include <zstd.h>

using namespace nexus::runtime;
namespace protocol = nexus::protocol;
using json = nlohmann::json;

namespace {

struct Recorded
{
    std::vector<ds::DashStreamMessage> messages;
    RunResult result;
    std::string threadId;
};

Recorded runSample(const std::string& name, int checkpointInterval)
{
    auto loaded =
        loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" + name + ".json");
    if (!loaded)
        qFatal("%s", loaded.error().message.c_str());
    std::stringstream file;
    DstraceSink sink(file);
    TelemetryOptions telemetry;
    telemetry.checkpointInterval = checkpointInterval;
    telemetry.instanceLabels = {{"instance_id", "sim-007"}, {"region", "eu-west-1"}};
    TelemetryEmitter emitter(sink, telemetry);
    RunOptions options;
    options.seed = 5;
    Executor executor(loaded->graph, options, &emitter);
    Recorded out;
    out.result = executor.start();
    while (out.result.status == RunStatus::Interrupted)
        out.result = executor.resume(out.result.interrupt->autoResume);
    out.threadId = executor.threadId();

    protocol::DstraceReader reader(file);
    protocol::RecordDecoder decoder;
    while (auto record = reader.next()) {
        if (!record->ok())
            qFatal("bad .dstrace record: %s", record->error().message.c_str());
        ds::DashStreamMessage message;
        auto info = decoder.decode(record->value().value, message);
        if (!info)
            qFatal("record does not decode: %s", info.error().message.c_str());
        out.messages.push_back(std::move(message));
    }
    return out;
}

const ds::Event* eventOf(const ds::DashStreamMessage& m)
{
    return m.has_event() ? &m.event() : nullptr;
}

bool isEvent(const ds::DashStreamMessage& m, ds::EventType type)
{
    return m.has_event() && m.event().event_type() == type;
}

std::string attribute(const ds::Event& event, const std::string& key)
{
    const auto it = event.attributes().find(key);
    return it == event.attributes().end() ? std::string() : it->second.string_value();
}

// DASHSTREAM.md §5.1, recomputed from the GRAPH_START schema with Qt's SHA-256.
std::string independentSchemaId(const json& schema)
{
    std::vector<std::string> nodes, edges;
    for (const json& n : schema["nodes"])
        nodes.push_back(n["name"].get<std::string>());
    for (const json& e : schema["edges"])
        edges.push_back(e["from"].get<std::string>() + "->" + e["to"].get<std::string>() + ":" +
                        (e["edge_type"] == "conditional" ? "true" : "false"));
    std::sort(nodes.begin(), nodes.end());
    std::sort(edges.begin(), edges.end());
    std::string canonical = "entry:" + schema["entry_point"].get<std::string>() + ";nodes:";
    for (std::size_t i = 0; i < nodes.size(); ++i)
        canonical += (i ? "," : "") + nodes[i];
    canonical += ";edges:";
    for (std::size_t i = 0; i < edges.size(); ++i)
        canonical += (i ? "," : "") + edges[i];
    return QCryptographicHash::hash(QByteArray::fromStdString(canonical),
                                    QCryptographicHash::Sha256)
        .left(8)
        .toHex()
        .toStdString();
}

json opsToPatch(const ds::StateDiff& diff)
{
    static const char* names[] = {"add", "remove", "replace", "move", "copy", "test"};
    json patch = json::array();
    for (const auto& op : diff.operations()) {
        json item = {{"op", names[op.op()]}, {"path", op.path()}};
        if (!op.value().empty())
            item["value"] = json::parse(op.value());
        else if (op.op() == ds::DiffOperation::OP_TYPE_ADD)
            item["value"] = nullptr; // DashFlow: an empty add value means null
        if (!op.from().empty())
            item["from"] = op.from();
        patch.push_back(item);
    }
    return patch;
}

json checkpointState(const ds::Checkpoint& checkpoint)
{
    std::string text = checkpoint.state();
    if (checkpoint.has_compression_info() &&
        checkpoint.compression_info().type() == ds::COMPRESSION_ZSTD) {
        const auto size = ZSTD_getFrameContentSize(text.data(), text.size());
        std::string plain(size, '\0');
        const auto got = ZSTD_decompress(plain.data(), plain.size(), text.data(), text.size());
        if (ZSTD_isError(got) || got != size)
            qFatal("checkpoint state does not decompress");
        text = plain;
    }
    const auto digest = protocol::sha256(text);
    if (checkpoint.checksum() != std::string(reinterpret_cast<const char*>(digest.data()), 32))
        qFatal("checkpoint checksum mismatch");
    return json::parse(text);
}

} // namespace

class TestTelemetry : public QObject
{
    Q_OBJECT

private slots:
    void sampleRun_data()
    {
        QTest::addColumn<QString>("graph");
        for (const char* name : {"rag_pipeline", "research_team", "coding_agent", "support_triage"})
            QTest::newRow(name) << name;
    }

    void sampleRun()
    {
        QFETCH(QString, graph);
        const Recorded run = runSample(graph.toStdString(), 2);
        QCOMPARE(run.result.status, RunStatus::Completed);
        const auto& messages = run.messages;
        QVERIFY(messages.size() > 10);

        std::set<std::string> ids;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            const ds::Header* h = protocol::headerOf(messages[i]);
            QVERIFY(h);
            QCOMPARE(h->sequence(), std::uint64_t(i + 1)); // per thread, from 1, no gaps
            QCOMPARE(h->message_id().size(), std::size_t(16));
            QVERIFY(ids.insert(h->message_id()).second);
            QCOMPARE(h->thread_id(), run.threadId);
            QCOMPARE(h->tenant_id(), std::string("default"));
            QCOMPARE(h->schema_version(), 1u);
            QCOMPARE(h->type(), protocol::messageTypeOf(protocol::kindOf(messages[i])));
            if (i > 0)
                QVERIFY(h->timestamp_us() >= protocol::headerOf(messages[i - 1])->timestamp_us());
        }
        checkGraphStart(messages.front(), run);
        checkOrder(messages);
        checkReplay(messages, run.result.state);
    }

    void failedRunEndsWithNodeErrorAndFatalError()
    {
        auto loaded = loadGraphText(R"({"format": "nexus-graph/1", "entry_point": "a",
            "nodes": [{"name": "a"}, {"name": "b", "error_probability": 1, "error_message": "model overloaded"}],
            "edges": [{"from": "a", "to": "b"}, {"from": "b", "to": "__end__"}]})");
        QVERIFY(loaded.ok());
        MemorySink sink;
        TelemetryEmitter emitter(sink);
        RunOptions options;
        options.seed = 1;
        Executor executor(loaded->graph, options, &emitter);
        QCOMPARE(executor.start().status, RunStatus::Failed);
        const auto& m = sink.messages();
        const ds::DashStreamMessage& nodeError = m[m.size() - 2];
        QVERIFY(isEvent(nodeError, ds::EVENT_TYPE_NODE_ERROR));
        QCOMPARE(nodeError.event().node_id(), std::string("b"));
        QCOMPARE(attribute(nodeError.event(), "error"), std::string("model overloaded"));
        QVERIFY(m.back().has_error());
        QCOMPARE(m.back().error().severity(), ds::Error::SEVERITY_FATAL);
        QCOMPARE(m.back().error().error_code(), std::string("node_failed"));
        for (const auto& message : m)
            QVERIFY(!isEvent(message, ds::EVENT_TYPE_GRAPH_END));
    }

    void largeStateFallsBackToFullState()
    {
        auto loaded = loadGraphText(R"({"format": "nexus-graph/1", "entry_point": "a",
            "initial_state": {"list": [1, 2, 3, 4, 5, 6, 7, 8]},
            "nodes": [{"name": "a", "updates": [{"op": "set", "path": "/list", "value": [9, 8, 7, 6, 5, 4, 3, 2]}]}],
            "edges": [{"from": "a", "to": "__end__"}]})");
        QVERIFY(loaded.ok());
        MemorySink sink;
        TelemetryEmitter emitter(sink);
        Executor executor(loaded->graph, RunOptions{}, &emitter);
        executor.start();
        const auto& diff = sink.messages()[3].state_diff(); // GRAPH_START, NODE_START, Metrics
        QCOMPARE(diff.operations_size(), 0); // eight replaces are bigger than 1.1x the state
        NEXUS_COMPARE_JSON(json::parse(diff.full_state()),
                           json({{"list", {9, 8, 7, 6, 5, 4, 3, 2}}}));
    }

private:
    void checkGraphStart(const ds::DashStreamMessage& first, const Recorded& run)
    {
        QVERIFY(isEvent(first, ds::EVENT_TYPE_GRAPH_START));
        const ds::Event& e = first.event();
        QCOMPARE(e.node_id(), std::string());
        const json schema = json::parse(attribute(e, "graph_schema_json"));
        const json manifest = json::parse(attribute(e, "graph_manifest"));
        QCOMPARE(attribute(e, "schema_id"), independentSchemaId(schema));
        QCOMPARE(attribute(e, "graph_entry_point"), schema["entry_point"].get<std::string>());
        QCOMPARE(attribute(e, "graph_name"), schema["name"].get<std::string>());
        QCOMPARE(e.attributes().at("graph_node_count").int_value(),
                 std::int64_t(schema["nodes"].size()));
        QCOMPARE(e.attributes().at("graph_edge_count").int_value(),
                 std::int64_t(schema["edges"].size()));
        QCOMPARE(manifest["nodes"].size(), schema["nodes"].size());
        QCOMPARE(attribute(e, "instance_id"), std::string("sim-007"));
        QCOMPARE(attribute(e, "region"), std::string("eu-west-1"));
        QVERIFY(!e.attributes().contains("deployment"));
        QVERIFY(json::parse(attribute(e, "initial_state_json")).is_object());
        (void)run;
    }

    // DASHSTREAM.md §3.2: StateDiff, optional Checkpoint, then NODE_END (or
    // GRAPH_END); edges after their source's NODE_END and before the target's
    // NODE_START.
    void checkOrder(const std::vector<ds::DashStreamMessage>& m)
    {
        QVERIFY(isEvent(m.back(), ds::EVENT_TYPE_GRAPH_END));
        std::map<std::string, int> open; // NODE_START seen, NODE_END pending
        std::set<std::string> ended;
        std::vector<std::string> pendingTargets;
        for (std::size_t i = 0; i < m.size(); ++i) {
            const ds::Event* e = eventOf(m[i]);
            if (m[i].has_state_diff()) {
                std::size_t next = i + 1;
                if (next < m.size() && m[next].has_checkpoint())
                    ++next;
                QVERIFY(next < m.size());
                QVERIFY(isEvent(m[next], ds::EVENT_TYPE_NODE_END) ||
                        isEvent(m[next], ds::EVENT_TYPE_GRAPH_END) ||
                        isEvent(m[next], ds::EVENT_TYPE_HUMAN_RESUME));
            }
            if (!e)
                continue;
            switch (e->event_type()) {
            case ds::EVENT_TYPE_NODE_START:
                QCOMPARE(open[e->node_id()], 0);
                open[e->node_id()] = 1;
                std::erase(pendingTargets, e->node_id());
                break;
            case ds::EVENT_TYPE_NODE_END: {
                QCOMPARE(open[e->node_id()], 1);
                open[e->node_id()] = 0;
                ended.insert(e->node_id());
                std::size_t before = i - 1;
                if (m[before].has_checkpoint())
                    --before;
                QVERIFY(m[before].has_state_diff());
                break;
            }
            case ds::EVENT_TYPE_EDGE_TRAVERSAL:
            case ds::EVENT_TYPE_CONDITIONAL_BRANCH:
                QVERIFY2(ended.count(e->node_id()), e->node_id().c_str());
                QVERIFY(!attribute(*e, "to").empty());
                QCOMPARE(e->event_type() == ds::EVENT_TYPE_CONDITIONAL_BRANCH,
                         !attribute(*e, "condition_result").empty());
                if (attribute(*e, "to") != kEndNode)
                    pendingTargets.push_back(attribute(*e, "to"));
                break;
            case ds::EVENT_TYPE_GRAPH_END:
                QVERIFY(m[i - 1].has_state_diff() || m[i - 1].has_checkpoint());
                QVERIFY(pendingTargets.empty()); // every edge led to a node that ran
                break;
            default:
                break;
            }
        }
        for (const auto& [node, isOpen] : open)
            QVERIFY2(isOpen == 0, node.c_str());
    }

    void checkReplay(const std::vector<ds::DashStreamMessage>& m, const json& finalState)
    {
        json state = json::parse(attribute(m.front().event(), "initial_state_json"));
        int diffs = 0, checkpoints = 0;
        for (const auto& message : m) {
            if (message.has_checkpoint()) {
                NEXUS_COMPARE_JSON(checkpointState(message.checkpoint()), state);
                ++checkpoints;
                continue;
            }
            if (!message.has_state_diff())
                continue;
            const ds::StateDiff& diff = message.state_diff();
            if (!diff.full_state().empty())
                state = json::parse(diff.full_state());
            else
                state = state.patch(opsToPatch(diff));
            QCOMPARE(diff.state_hash(), protocol::stateHashBytes(state));
            ++diffs;
        }
        NEXUS_COMPARE_JSON(state, finalState);
        QVERIFY(diffs >= 2);
        QCOMPARE(checkpoints, diffs / 2); // interval 2
    }
};

QTEST_GUILESS_MAIN(TestTelemetry)
#include "tst_telemetry.moc"
