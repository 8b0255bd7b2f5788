// The Kafka sink against librdkafka's mock cluster over real sockets, read
// back with a real librdkafka consumer.
#include "protocol/Framing.h"
#include "protocol/MessageJson.h"
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/KafkaSink.h"
#include "runtime/TelemetryEmitter.h"

#include "TestSupport.h"

#include <chrono>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

using namespace nexus::runtime;
namespace protocol = nexus::protocol;
using json = nlohmann::json;

namespace {

const char* kTopic = "dashstream-test";

// A mock cluster lives inside an rd_kafka_t of its own.
struct MockCluster
{
    rd_kafka_t* host = nullptr;
    rd_kafka_mock_cluster_t* cluster = nullptr;
    std::string bootstraps;

    MockCluster()
    {
        char errstr[256];
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        cluster = rd_kafka_mock_cluster_new(host, 1);
        bootstraps = rd_kafka_mock_cluster_bootstraps(cluster);
        rd_kafka_mock_topic_create(cluster, kTopic, 1, 1);
    }
    ~MockCluster()
    {
        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(host);
    }
};

struct Consumed
{
    std::string key;
    std::string value;
};

// Reads `count` records from partition 0 of kTopic, or what arrived before the deadline.
std::vector<Consumed> consume(const std::string& bootstraps, std::size_t count)
{
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps.c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "runtime-test", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, kTopic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);

    std::vector<Consumed> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 200);
        if (!m)
            continue;
        if (!m->err)
            out.push_back({std::string(static_cast<const char*>(m->key), m->key_len),
                           std::string(static_cast<const char*>(m->payload), m->len)});
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    return out;
}

} // namespace

class TestKafkaSink : public QObject
{
    Q_OBJECT

private slots:
    void recordsRoundTripThroughKafka()
    {
        MockCluster mock;
        KafkaSinkOptions options;
        options.bootstrapServers = mock.bootstraps;
        options.topic = kTopic;
        auto created = KafkaSink::create(options);
        QVERIFY2(created.ok(), created.ok() ? "" : created.error().message.c_str());
        std::unique_ptr<KafkaSink> kafka = std::move(created.value());

        auto loaded =
            loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/coding_agent.json");
        QVERIFY(loaded.ok());
        MemorySink memory;
        FanOutSink sinks;
        sinks.add(&memory);
        sinks.add(kafka.get());
        TelemetryEmitter emitter(sinks);
        RunOptions run;
        run.seed = 11;
        run.threadId = "kafka-thread-1";
        Executor executor(loaded->graph, run, &emitter);
        RunResult result = executor.start();
        while (result.status == RunStatus::Interrupted)
            result = executor.resume(result.interrupt->autoResume);
        QCOMPARE(result.status, RunStatus::Completed);

        auto closed = kafka->close();
        QVERIFY2(closed.ok(), closed.ok() ? "" : closed.error().message.c_str());
        QCOMPARE(emitter.sinkFailures(), std::uint64_t(0));
        QCOMPARE(kafka->delivered(), memory.messages().size());
        QCOMPARE(kafka->failed(), std::uint64_t(0));

        const auto records = consume(mock.bootstraps, memory.messages().size());
        QCOMPARE(records.size(), memory.messages().size());
        protocol::RecordDecoder decoder;
        for (std::size_t i = 0; i < records.size(); ++i) {
            QCOMPARE(records[i].key, std::string("kafka-thread-1"));
            QVERIFY(records[i].value[0] == 0x00 || records[i].value[0] == 0x01);
            ds::DashStreamMessage message;
            auto info = decoder.decode(records[i].value, message);
            QVERIFY2(info.ok(), info.ok() ? "" : info.error().message.c_str());
            QCOMPARE(protocol::headerOf(message)->sequence(), std::uint64_t(i + 1));
            json got = protocol::messageToJson(message);
            json sent = protocol::messageToJson(memory.messages()[i]);
            // The encoder mirrors a 0x01 frame into header.compression; nothing else may differ.
            got.erase("header");
            sent.erase("header");
            NEXUS_COMPARE_JSON(got, sent);
        }
    }

    void deliveryFailuresAreCountedAndReported()
    {
        MockCluster mock;
        rd_kafka_mock_broker_set_down(mock.cluster, 1);
        KafkaSinkOptions options;
        options.bootstrapServers = mock.bootstraps;
        options.topic = kTopic;
        options.config["message.timeout.ms"] = "500";
        options.flushTimeoutMs = 10'000;
        auto created = KafkaSink::create(options);
        QVERIFY(created.ok());
        KafkaSink& kafka = *created.value();

        ds::DashStreamMessage message;
        message.mutable_event()->mutable_header()->set_thread_id("t-down");
        message.mutable_event()->set_event_type(ds::EVENT_TYPE_GRAPH_START);
        QVERIFY(kafka.publish(message).ok()); // queued
        auto flushed = kafka.flush();
        QVERIFY(!flushed.ok());
        QVERIFY2(flushed.error().message.find("not delivered") != std::string::npos,
                 flushed.error().message.c_str());
        QCOMPARE(kafka.failed(), std::uint64_t(1));
        QCOMPARE(kafka.delivered(), std::uint64_t(0));

        ds::DashStreamMessage keyless;
        keyless.mutable_event()->set_event_type(ds::EVENT_TYPE_GRAPH_START);
        QVERIFY(!kafka.publish(keyless).ok()); // DashFlow refuses an empty thread_id too
    }
};

QTEST_GUILESS_MAIN(TestKafkaSink)
#include "tst_kafka_sink.moc"
