// Ingestion end to end over real Kafka sockets: the embedded broker, real
// librdkafka producers (our runtime's KafkaSink, and a plain foreign
// producer of hand-built records), the Ingestor's consumer, a store.
#include "protocol/Framing.h"
#include "protocol/Ids.h"
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/KafkaSink.h"
#include "runtime/TelemetryEmitter.h"
#include "server/ingest/FleetAggregator.h"
#include "server/ingest/Ingestor.h"
#include "server/kafka/EmbeddedBroker.h"
#include "server/store/SqliteStore.h"

#include "KafkaTestSupport.h"
#include "MemoryStore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace nexus::server;
using namespace nexus::server::test;
namespace rt = nexus::runtime;
namespace protocol = nexus::protocol;
using json = nlohmann::json;

namespace {

constexpr int kTimeoutMs = 30'000;

std::unique_ptr<EmbeddedBroker> startBroker(const std::string& topic, int partitions = 2)
{
    EmbeddedBrokerOptions options;
    options.topics = {{topic, partitions}, {topic + "-dlq", 1}};
    auto broker = EmbeddedBroker::start(options);
    if (!broker)
        qFatal("broker: %s", broker.error().message.c_str());
    return std::move(broker.value());
}

IngestorOptions ingestOptions(const EmbeddedBroker& broker, const std::string& topic)
{
    IngestorOptions options;
    options.bootstrapServers = broker.bootstrapServers();
    options.topics = {topic};
    options.groupId = "nexusd-test-" + protocol::toHex(protocol::newMessageId()).substr(0, 6);
    options.maxBatchWaitMs = 20;
    options.persistIntervalMs = 100;
    options.sweepIntervalMs = 100;
    // A member that left is forgotten after its session (the mock
    // coordinator waits for it before a rejoin completes).
    options.kafkaConfig["session.timeout.ms"] = "6000";
    options.kafkaConfig["heartbeat.interval.ms"] = "500";
    return options;
}

struct ProducedRun
{
    std::string threadId;
    rt::RunResult result;
    std::size_t messages = 0;
};

// Runs a sample graph on the runtime and publishes it through a KafkaSink
// with the given instance labels and run attributes.
ProducedRun produceRun(const std::string& bootstrap, const std::string& topic,
                       const std::string& graph, std::uint64_t seed,
                       std::map<std::string, std::string> labels,
                       std::map<std::string, std::string> runAttributes = {})
{
    auto loaded =
        rt::loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" + graph + ".json");
    if (!loaded)
        qFatal("%s", loaded.error().message.c_str());
    rt::KafkaSinkOptions sinkOptions;
    sinkOptions.bootstrapServers = bootstrap;
    sinkOptions.topic = topic;
    auto sink = rt::KafkaSink::create(sinkOptions);
    if (!sink)
        qFatal("%s", sink.error().message.c_str());
    rt::MemorySink memory;
    rt::FanOutSink fanOut;
    fanOut.add(sink.value().get());
    fanOut.add(&memory);
    rt::TelemetryOptions telemetry;
    telemetry.instanceLabels = std::move(labels);
    telemetry.runAttributes = std::move(runAttributes);
    rt::TelemetryEmitter emitter(fanOut, telemetry);
    rt::RunOptions options;
    options.seed = seed;
    options.startTimeUs = rt::wallClockUs();
    rt::Executor executor(loaded->graph, options, &emitter);
    rt::RunResult result = executor.start();
    while (result.status == rt::RunStatus::Interrupted)
        result = executor.resume(result.interrupt->autoResume);
    if (auto closed = sink.value()->close(); !closed)
        qFatal("%s", closed.error().message.c_str());
    return {executor.threadId(), result, memory.messages().size()};
}

std::map<std::string, std::string> labelsOf(const std::string& instance)
{
    return {{"instance_id", instance},
            {"deployment", "dasher"},
            {"version", "1.9.0"},
            {"host", "dasher-node-7"},
            {"region", "eu-west-1"}};
}

// Hand-built DashStream records, as a producer that is not ours would send.
struct Foreign
{
    std::string threadId;
    std::string tenant;
    std::uint64_t sequence = 0;
    std::int64_t t = 0;

    ds::Header header(ds::MessageType type)
    {
        ds::Header h;
        h.set_message_id(protocol::newMessageId());
        h.set_timestamp_us(t += 150'000);
        h.set_tenant_id(tenant);
        h.set_thread_id(threadId);
        h.set_sequence(++sequence);
        h.set_type(type);
        h.set_schema_version(1);
        return h;
    }
    std::pair<std::string, std::string> event(ds::EventType type, const std::string& node,
                                              std::map<std::string, std::string> attributes = {},
                                              std::int64_t durationUs = 0)
    {
        ds::DashStreamMessage m;
        ds::Event* e = m.mutable_event();
        *e->mutable_header() = header(ds::MESSAGE_TYPE_EVENT);
        e->set_event_type(type);
        e->set_node_id(node);
        e->set_duration_us(durationUs);
        for (const auto& [k, v] : attributes)
            (*e->mutable_attributes())[k].set_string_value(v);
        return {threadId, protocol::encodeRecord(m).value()};
    }
    std::pair<std::string, std::string> quality(double score)
    {
        ds::DashStreamMessage m;
        ds::Metrics* metrics = m.mutable_metrics();
        *metrics->mutable_header() = header(ds::MESSAGE_TYPE_METRICS);
        metrics->set_scope("quality");
        metrics->set_scope_id(threadId);
        (*metrics->mutable_metrics())["quality_score"].set_float_value(score);
        return {threadId, protocol::encodeRecord(m).value()};
    }
};

} // namespace

class TestIngest : public QObject
{
    Q_OBJECT

private slots:
    void simulatedRunsFlowIntoTheStore()
    {
        const std::string topic = "ingest-flow";
        auto broker = startBroker(topic);
        std::vector<ProducedRun> runs;
        runs.push_back(produceRun(broker->bootstrapServers(), topic, "rag_pipeline", 1,
                                  labelsOf("sim-a"),
                                  {{"optimization_version", "ver-7"}, {"rollout_id", "ro-1"}}));
        runs.push_back(
            produceRun(broker->bootstrapServers(), topic, "coding_agent", 2, labelsOf("sim-a")));
        runs.push_back(
            produceRun(broker->bootstrapServers(), topic, "research_team", 3, labelsOf("sim-b")));

        QTemporaryDir dir;
        auto opened = SqliteStore::open(dir.filePath("nexus.db").toStdString());
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        Store& store = *opened.value();
        FleetAggregator fleet;
        Ingestor ingestor(ingestOptions(*broker, topic), store, fleet);
        QVERIFY(ingestor.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(ingestor.stats().runsFinished == 3, kTimeoutMs);

        for (const ProducedRun& run : runs) {
            auto summary = store.traceSummary(run.threadId);
            QVERIFY(summary.ok() && summary.value().has_value());
            const pb::TraceSummary& s = *summary.value();
            QCOMPARE(s.status(), pb::RUN_STATUS_COMPLETED);
            QCOMPARE(s.deployment(), std::string("dasher"));
            QCOMPARE(s.version(), std::string("1.9.0"));
            QVERIFY(!s.schema_id().empty());
            QVERIFY(s.nodes_done() > 0);
            QVERIFY(s.tokens() > 0);
            QVERIFY(s.cost_micros() > 0);
            QVERIFY(s.has_quality());
            QCOMPARE(s.records(), std::int64_t(run.messages));
            QCOMPARE(s.duration_us(), run.result.durationUs);
            auto schema = store.schema(s.schema_id());
            QVERIFY(schema.ok() && schema.value().has_value());
            QVERIFY(!schema.value()->graph_schema_json().empty());

            // The stored log decodes and replays to the run's final state.
            auto records = store.traceRecords(run.threadId);
            QVERIFY(records.ok());
            QCOMPARE(records.value().size(), run.messages);
            const Replay replay = replayRecordLog(records.value());
            QVERIFY2(replay.ok, replay.error.c_str());
            QVERIFY(replay.state == run.result.state);
        }
        auto first = store.traceSummary(runs[0].threadId);
        QCOMPARE(first.value()->instance_id(), std::string("sim-a"));
        QCOMPARE(first.value()->optimization_version(), std::string("ver-7"));
        QCOMPARE(first.value()->rollout_id(), std::string("ro-1"));

        SampleQuery all;
        auto samples = store.runSamples(all);
        QVERIFY(samples.ok());
        QCOMPARE(samples.value().size(), std::size_t(3));

        auto a = fleet.instance("sim-a", rt::wallClockUs());
        QVERIFY(a);
        QCOMPARE(a->host(), std::string("dasher-node-7"));
        QCOMPARE(a->region(), std::string("eu-west-1"));
        QCOMPARE(a->metrics().runs_in_window(), std::int64_t(2));
        QVERIFY(!a->unlabelled());
        // Instances reach the store (throttled).
        QTRY_VERIFY_WITH_TIMEOUT(store.listInstances().value().size() == 2, kTimeoutMs);
        QCOMPARE(ingestor.stats().badRecords, std::uint64_t(0));
        ingestor.stop();
    }

    void foreignProducerIsGroupedUnderItsTenant()
    {
        const std::string topic = "ingest-foreign";
        auto broker = startBroker(topic);
        Foreign f{"legacy-thread-1", "acme", 0, rt::wallClockUs()};
        QVERIFY(
            produceRaw(broker->bootstrapServers(), topic,
                       {f.event(ds::EVENT_TYPE_GRAPH_START, "", {{"graph_name", "legacy_agent"}}),
                        f.event(ds::EVENT_TYPE_NODE_START, "answer"),
                        f.event(ds::EVENT_TYPE_NODE_END, "answer", {}, 120'000), f.quality(0.82),
                        f.event(ds::EVENT_TYPE_GRAPH_END, "", {}, 450'000)}));
        MemoryStore store;
        FleetAggregator fleet;
        Ingestor ingestor(ingestOptions(*broker, topic), store, fleet);
        QVERIFY(ingestor.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(store.sampleCount() == 1, kTimeoutMs);

        const pb::TraceSummary s = store.summaries().at("legacy-thread-1");
        QCOMPARE(s.instance_id(), std::string("tenant:acme"));
        QCOMPARE(s.tenant_id(), std::string("acme"));
        QCOMPARE(s.status(), pb::RUN_STATUS_COMPLETED);
        QCOMPARE(s.graph_name(), std::string("legacy_agent"));
        QCOMPARE(s.nodes_done(), 1);
        QCOMPARE(s.duration_us(), std::int64_t(450'000));
        QVERIFY(s.has_quality());
        QCOMPARE(s.quality(), 0.82);
        auto instance = fleet.instance("tenant:acme", rt::wallClockUs());
        QVERIFY(instance);
        QVERIFY(instance->unlabelled());
        QCOMPARE(instance->tenant_id(), std::string("acme"));
        QCOMPARE(instance->metrics().runs_in_window(), std::int64_t(1));
    }

    void failedRunWithoutGraphEndIsFinished()
    {
        const std::string topic = "ingest-failed";
        auto broker = startBroker(topic);
        Foreign f{"failing-thread", "acme", 0, rt::wallClockUs()};
        QVERIFY(
            produceRaw(broker->bootstrapServers(), topic,
                       {f.event(ds::EVENT_TYPE_GRAPH_START, "", {{"graph_name", "legacy_agent"}}),
                        f.event(ds::EVENT_TYPE_NODE_START, "retrieve"),
                        f.event(ds::EVENT_TYPE_NODE_ERROR, "retrieve",
                                {{"error", "vector index unavailable"}})}));
        // A run that goes silent without finishing becomes STALE.
        Foreign silent{"silent-thread", "acme", 0, rt::wallClockUs()};
        QVERIFY(produceRaw(broker->bootstrapServers(), topic,
                           {silent.event(ds::EVENT_TYPE_GRAPH_START, "")}));
        MemoryStore store;
        FleetAggregator fleet;
        IngestorOptions options = ingestOptions(*broker, topic);
        options.runs.staleAfterUs = 500'000;
        Ingestor ingestor(options, store, fleet);
        QVERIFY(ingestor.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(store.sampleCount() == 2, kTimeoutMs);

        const auto summaries = store.summaries();
        const pb::TraceSummary& failed = summaries.at("failing-thread");
        QCOMPARE(failed.status(), pb::RUN_STATUS_FAILED);
        QCOMPARE(failed.error(), std::string("retrieve: vector index unavailable"));
        QVERIFY(failed.ended_us() > failed.started_us());
        QCOMPARE(summaries.at("silent-thread").status(), pb::RUN_STATUS_STALE);
        for (const RunSample& sample : store.samples())
            QVERIFY(sample.failed);
    }

    void malformedRecordsAreDeadLetteredAndIngestionGoesOn()
    {
        const std::string topic = "ingest-bad";
        auto broker = startBroker(topic, 1);
        const std::string huge = std::string(1, '\x7f') + std::string(600 * 1024, 'x');
        QVERIFY(produceRaw(broker->bootstrapServers(), topic,
                           {{"bad-thread", std::string("\x02garbage", 8)},
                            {"bad-thread", std::string("\x01\x28\xb5\x2f\xfd\x00", 6)},
                            {"bad-thread", huge}}));
        const ProducedRun good =
            produceRun(broker->bootstrapServers(), topic, "support_triage", 4, labelsOf("sim-c"));

        MemoryStore store;
        FleetAggregator fleet;
        IngestorOptions options = ingestOptions(*broker, topic);
        options.consumerId = "nexusd-test-consumer";
        Ingestor ingestor(options, store, fleet);
        QVERIFY(ingestor.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(ingestor.stats().runsFinished == 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(ingestor.stats().deadLettered == 3, kTimeoutMs);
        QCOMPARE(ingestor.stats().badRecords, std::uint64_t(3));
        QCOMPARE(store.summaries().at(good.threadId).status(), pb::RUN_STATUS_COMPLETED);

        const auto letters = consumeAll(broker->bootstrapServers(), topic + "-dlq", 3);
        QCOMPARE(letters.size(), std::size_t(3));
        std::set<std::string> types;
        std::set<std::int64_t> offsets;
        for (const Consumed& letter : letters) {
            const json j = json::parse(letter.value);
            QCOMPARE(letter.key, j.at("trace_id").get<std::string>());
            QCOMPARE(j.at("source_topic").get<std::string>(), topic);
            QCOMPARE(j.at("source_partition").get<int>(), 0);
            QCOMPARE(j.at("consumer_id").get<std::string>(), std::string("nexusd-test-consumer"));
            QCOMPARE(j.at("thread_id").get<std::string>(), std::string("bad-thread"));
            QVERIFY(!j.at("error").get<std::string>().empty());
            const std::string timestamp = j.at("timestamp").get<std::string>();
            QVERIFY2(timestamp.size() == 32 && timestamp[10] == 'T' &&
                         timestamp.ends_with("+00:00"),
                     timestamp.c_str());
            QCOMPARE(j.at("trace_id").get<std::string>().size(), std::size_t(36));
            types.insert(j.at("error_type").get<std::string>());
            offsets.insert(j.at("source_offset").get<std::int64_t>());
            const std::string payload = j.at("original_payload_base64").get<std::string>();
            if (j.contains("original_payload_truncated")) {
                QCOMPARE(j.at("original_payload_truncated").get<bool>(), true);
                QCOMPARE(j.at("original_payload_size_bytes").get<std::size_t>(), huge.size());
                QCOMPARE(j.at("original_payload_included_bytes").get<std::size_t>(),
                         std::size_t(512 * 1024));
                QCOMPARE(j.at("original_payload_sha256").get<std::string>().size(),
                         std::size_t(64));
                QCOMPARE(payload.size(), std::size_t(4 * ((512 * 1024 + 2) / 3)));
            } else {
                QCOMPARE(QByteArray::fromBase64(QByteArray::fromStdString(payload)).size() > 0,
                         true);
            }
        }
        QCOMPARE(offsets, (std::set<std::int64_t>{0, 1, 2}));
        QVERIFY(types.contains("decode_error"));
        QVERIFY(types.contains("decompression_error"));
    }

    void storeFailuresAreRetriedAndNothingIsStoredTwice()
    {
        const std::string topic = "ingest-retry";
        auto broker = startBroker(topic);
        const ProducedRun first =
            produceRun(broker->bootstrapServers(), topic, "rag_pipeline", 5, labelsOf("sim-d"));
        MemoryStore store;
        store.failWrites = 3;
        FleetAggregator fleet;
        IngestorOptions options = ingestOptions(*broker, topic);
        {
            Ingestor ingestor(options, store, fleet);
            QVERIFY(ingestor.start().ok());
            QTRY_VERIFY_WITH_TIMEOUT(ingestor.stats().runsFinished == 1, kTimeoutMs);
            QVERIFY(ingestor.stats().storeFailures >= 3);
            QCOMPARE(store.traceRecords(first.threadId).value().size(), first.messages);
        } // stopped: offsets committed

        // A second ingestor in the same group: committed records are not read
        // again, and a redelivered one would be a duplicate of a stored run.
        const ProducedRun second =
            produceRun(broker->bootstrapServers(), topic, "rag_pipeline", 6, labelsOf("sim-d"));
        FleetAggregator fleetAfterRestart;
        Ingestor restarted(options, store, fleetAfterRestart);
        QVERIFY(restarted.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(store.sampleCount() == 2, kTimeoutMs);
        QCOMPARE(store.traceRecords(first.threadId).value().size(), first.messages);
        QCOMPARE(store.traceRecords(second.threadId).value().size(), second.messages);
        // The fleet view was rebuilt from the store's samples.
        auto d = fleetAfterRestart.instance("sim-d", rt::wallClockUs());
        QVERIFY(d);
        QCOMPARE(d->metrics().runs_in_window(), std::int64_t(2));
    }
};

QTEST_GUILESS_MAIN(TestIngest)
#include "tst_ingest.moc"
