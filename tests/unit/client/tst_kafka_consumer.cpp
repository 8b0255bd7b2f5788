// KafkaConsumer against a real Kafka-protocol broker on loopback (the
// embedded broker, librdkafka's mock cluster), fed by a plain librdkafka
// producer: batches instead of one signal per record, duplicates dropped,
// bad records named and skipped, overflow keeps the newest, and the status
// bar's numbers (state, lag, records/s).
#include "client/KafkaConsumer.h"
#include "protocol/Framing.h"
#include "protocol/Ids.h"
#include "server/kafka/EmbeddedBroker.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <chrono>
#include <librdkafka/rdkafka.h>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <thread>

using namespace nexus::client;
using nexus::server::EmbeddedBroker;
namespace ds = nexus::protocol::ds;

namespace {

constexpr int kTimeoutMs = 30'000;
const std::string kTopic = "dashstream-events"; // 4 partitions in the embedded broker

// A plain librdkafka producer, alive across several produce calls.
class TestProducer
{
public:
    explicit TestProducer(const std::string& bootstrap,
                          const std::map<std::string, std::string>& extra = {})
    {
        char errstr[256];
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
        rd_kafka_conf_set(conf, "linger.ms", "5", errstr, sizeof errstr);
        for (const auto& [key, value] : extra)
            rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr);
        producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    }
    ~TestProducer()
    {
        if (producer_)
            rd_kafka_destroy(producer_);
    }
    TestProducer(const TestProducer&) = delete;
    TestProducer& operator=(const TestProducer&) = delete;

    // partition -1: by key (librdkafka's partitioner).
    bool produce(const std::string& value, const std::string& key = "t1", int partition = -1,
                 const std::string& topic = kTopic)
    {
        return producer_ &&
               rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(topic.c_str()),
                                 RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_KEY(key.data(), key.size()),
                                 RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    bool flush() { return producer_ && rd_kafka_flush(producer_, kTimeoutMs) == 0; }

private:
    rd_kafka_t* producer_ = nullptr;
};

// A framed NODE_START of `thread` with a fresh message_id.
std::string nodeStartRecord(const std::string& thread, std::uint64_t sequence)
{
    ds::DashStreamMessage m;
    ds::Event* event = m.mutable_event();
    ds::Header* h = event->mutable_header();
    h->set_message_id(nexus::protocol::newMessageId());
    h->set_timestamp_us(1'700'000'000'000'000 + std::int64_t(sequence));
    h->set_tenant_id("default");
    h->set_thread_id(thread);
    h->set_sequence(sequence);
    h->set_type(ds::MESSAGE_TYPE_EVENT);
    h->set_schema_version(1);
    event->set_event_type(ds::EVENT_TYPE_NODE_START);
    event->set_node_id("agent");
    auto framed = nexus::protocol::encodeRecord(m);
    return framed ? framed.value() : std::string();
}

// Everything recordsReceived() delivered, in order.
struct Received
{
    std::vector<ConsumedRecord> records;
    std::vector<std::uint64_t> droppedBefore;
    int batches = 0;

    void connectTo(KafkaConsumer& consumer)
    {
        QObject::connect(&consumer, &KafkaConsumer::recordsReceived,
                         [this](const std::shared_ptr<const RecordBatch>& batch) {
                             ++batches;
                             droppedBefore.push_back(batch->droppedBefore);
                             records.insert(records.end(), batch->records.begin(),
                                            batch->records.end());
                         });
    }
    std::size_t size() const { return records.size(); }
};

std::unique_ptr<EmbeddedBroker> startBroker(nexus::server::EmbeddedBrokerOptions options = {})
{
    auto started = EmbeddedBroker::start(std::move(options));
    if (!started) {
        qWarning("embedded broker: %s", started.error().message.c_str());
        return nullptr;
    }
    return std::move(started.value());
}

KafkaConsumerConfig configFor(const EmbeddedBroker& broker)
{
    KafkaConsumerConfig config;
    config.bootstrapServers = QString::fromStdString(broker.bootstrapServers());
    config.fromBeginning = true; // no race between assignment and the first produce
    return config;
}

} // namespace

class TestKafkaConsumer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsArriveDecodedInBatches();
    void sameMessageIdIsDeliveredOnce();
    void badRecordsAreNamedAndSkipped();
    void badRecordReportsAreRateLimited();
    void overflowDropsTheOldest();
    void statsShowRateAndLag();
    void brokerGoneShowsDisconnected();
    void brokerBackShowsConnected();
    void refusedConfigFailsAtOnce();
};

void TestKafkaConsumer::recordsArriveDecodedInBatches()
{
    auto broker = startBroker();
    QVERIFY(broker);
    KafkaConsumer consumer(configFor(*broker));
    Received received;
    received.connectTo(consumer);
    QVERIFY(consumer.start());
    QVERIFY(consumer.groupId().startsWith("nexus-console-"));
    QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().state, KafkaState::Connected, kTimeoutMs);

    TestProducer producer(broker->bootstrapServers());
    constexpr int count = 5000;
    for (int i = 1; i <= count; ++i)
        QVERIFY(producer.produce(nodeStartRecord("thread-" + std::to_string(i % 8), i),
                                 "thread-" + std::to_string(i % 8)));
    QVERIFY(producer.flush());

    QTRY_COMPARE_WITH_TIMEOUT(received.size(), std::size_t(count), kTimeoutMs);
    QVERIFY2(received.batches < 100, qPrintable(QString::number(received.batches)));
    std::set<std::uint64_t> sequences;
    std::set<int> partitions;
    for (const ConsumedRecord& r : received.records) {
        QCOMPARE(r.topic, QString::fromStdString(kTopic));
        QVERIFY(r.message.has_event());
        QCOMPARE(r.message.event().node_id(), std::string("agent"));
        sequences.insert(r.message.event().header().sequence());
        partitions.insert(r.partition);
    }
    QCOMPARE(sequences.size(), std::size_t(count)); // each record once
    QVERIFY(partitions.size() > 1);                 // all four partitions are read
    QCOMPARE(consumer.stats().delivered, std::uint64_t(count));
    QCOMPARE(consumer.stats().duplicates, std::uint64_t(0));
}

void TestKafkaConsumer::sameMessageIdIsDeliveredOnce()
{
    auto broker = startBroker();
    QVERIFY(broker);
    KafkaConsumer consumer(configFor(*broker));
    Received received;
    received.connectTo(consumer);
    QVERIFY(consumer.start());

    // A producer retry: the same bytes (same message_id) twice, then another.
    TestProducer producer(broker->bootstrapServers());
    const std::string first = nodeStartRecord("t1", 1);
    QVERIFY(producer.produce(first));
    QVERIFY(producer.produce(first));
    QVERIFY(producer.produce(nodeStartRecord("t1", 2)));
    QVERIFY(producer.flush());

    QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().records, std::uint64_t(3), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), std::size_t(2), kTimeoutMs);
    QCOMPARE(consumer.stats().duplicates, std::uint64_t(1));
    QCOMPARE(received.records[0].message.event().header().sequence(), std::uint64_t(1));
    QCOMPARE(received.records[1].message.event().header().sequence(), std::uint64_t(2));
}

void TestKafkaConsumer::badRecordsAreNamedAndSkipped()
{
    auto broker = startBroker();
    QVERIFY(broker);
    KafkaConsumerConfig config = configFor(*broker);
    config.limits.maxRecordBytes = 4096;
    config.problemIntervalMs = 0; // every bad record reported
    KafkaConsumer consumer(config);
    Received received;
    received.connectTo(consumer);
    QSignalSpy problems(&consumer, &KafkaConsumer::problem);
    QVERIFY(consumer.start());

    TestProducer producer(broker->bootstrapServers());
    QVERIFY(producer.produce("\x07garbage", "t1", 2));                                   // offset 0
    QVERIFY(producer.produce(std::string(1, '\0') + std::string(10'000, 'x'), "t1", 2)); // offset 1
    for (int i = 1; i <= 10; ++i)
        QVERIFY(producer.produce(nodeStartRecord("t1", i), "t1", 2));
    QVERIFY(producer.flush());

    QTRY_COMPARE_WITH_TIMEOUT(received.size(), std::size_t(10), kTimeoutMs);
    QCOMPARE(consumer.stats().badRecords, std::uint64_t(2));
    QCOMPARE(problems.count(), 2);
    const QString garbage = problems.at(0).at(0).toString();
    const QString oversize = problems.at(1).at(0).toString();
    QVERIFY2(garbage.startsWith("Kafka record at dashstream-events[2]@0 could not be decoded: "),
             qPrintable(garbage));
    QVERIFY2(garbage.contains("unknown frame byte 0x07"), qPrintable(garbage));
    QVERIFY2(oversize.startsWith("Kafka record at dashstream-events[2]@1 could not be decoded: "),
             qPrintable(oversize));
    QVERIFY2(oversize.contains("exceeds the limit of 4096 bytes"), qPrintable(oversize));
    QCOMPARE(received.records.front().offset, std::int64_t(2));
    QCOMPARE(received.records.back().offset, std::int64_t(11));
}

void TestKafkaConsumer::badRecordReportsAreRateLimited()
{
    auto broker = startBroker();
    QVERIFY(broker);
    KafkaConsumer consumer(configFor(*broker)); // default: one report per 5 s
    Received received;
    received.connectTo(consumer);
    QSignalSpy problems(&consumer, &KafkaConsumer::problem);
    QVERIFY(consumer.start());

    TestProducer producer(broker->bootstrapServers());
    for (int i = 0; i < 50; ++i)
        QVERIFY(producer.produce("\x02not dashstream", "t1", 0));
    QVERIFY(producer.produce(nodeStartRecord("t1", 1), "t1", 0));
    QVERIFY(producer.flush());

    // Reports are posted before the delivery of what follows them.
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), std::size_t(1), kTimeoutMs);
    QCOMPARE(consumer.stats().badRecords, std::uint64_t(50));
    QCOMPARE(problems.count(), 1);
    QVERIFY(problems.at(0).at(0).toString().contains("dashstream-events[0]@0"));
}

void TestKafkaConsumer::overflowDropsTheOldest()
{
    nexus::server::EmbeddedBrokerOptions options;
    options.topics = {{kTopic, 1}};
    auto broker = startBroker(options);
    QVERIFY(broker);
    constexpr int count = 1000;
    {
        TestProducer producer(broker->bootstrapServers());
        for (int i = 1; i <= count; ++i)
            QVERIFY(producer.produce(nodeStartRecord("t1", i)));
        QVERIFY(producer.flush());
    }
    KafkaConsumerConfig config = configFor(*broker);
    config.maxPendingRecords = 100;
    KafkaConsumer consumer(config);
    Received received;
    received.connectTo(consumer);
    QSignalSpy problems(&consumer, &KafkaConsumer::problem);
    QVERIFY(consumer.start());

    // The owner's thread is busy (no event loop) while everything arrives.
    QElapsedTimer busy;
    busy.start();
    while (consumer.stats().records < count && busy.elapsed() < kTimeoutMs)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    QCOMPARE(consumer.stats().records, std::uint64_t(count));

    QTRY_COMPARE_WITH_TIMEOUT(received.size() + consumer.stats().dropped, std::size_t(count),
                              kTimeoutMs);
    const KafkaStats stats = consumer.stats();
    QVERIFY(stats.dropped >= count - 100);
    QCOMPARE(std::accumulate(received.droppedBefore.begin(), received.droppedBefore.end(),
                             std::uint64_t(0)),
             stats.dropped);
    // The newest records are kept, in order; the first batch says what is missing before it.
    QCOMPARE(received.records.back().message.event().header().sequence(), std::uint64_t(count));
    QCOMPARE(received.records.front().message.event().header().sequence(),
             received.droppedBefore.front() + 1);
    for (std::size_t i = 1; i < received.size(); ++i)
        QVERIFY(received.records[i].offset > received.records[i - 1].offset);
    QCOMPARE(problems.count(), 1);
    QVERIFY2(problems.at(0).at(0).toString().contains("fell behind"),
             qPrintable(problems.at(0).at(0).toString()));
}

void TestKafkaConsumer::statsShowRateAndLag()
{
    nexus::server::EmbeddedBrokerOptions options;
    options.topics = {{kTopic, 1}};
    auto broker = startBroker(options);
    QVERIFY(broker);
    constexpr int count = 400;
    {
        // One record per Kafka batch, so that a small fetch returns a few.
        TestProducer producer(broker->bootstrapServers(),
                              {{"batch.num.messages", "1"}, {"linger.ms", "0"}});
        for (int i = 1; i <= count; ++i)
            QVERIFY(producer.produce(nodeStartRecord("t1", i)));
        QVERIFY(producer.flush());
    }
    // A slow broker and small fetches: the console falls behind the topic.
    QVERIFY(broker->setBrokerRttMs(1, 100));
    KafkaConsumerConfig config = configFor(*broker);
    config.properties = {{"fetch.max.bytes", "1000"},
                         {"message.max.bytes", "1000"},
                         {"max.partition.fetch.bytes", "1000"}};
    KafkaConsumer consumer(config);
    Received received;
    received.connectTo(consumer);
    QSignalSpy statsSpy(&consumer, &KafkaConsumer::statsChanged);
    QVERIFY(consumer.start());

    QTRY_VERIFY_WITH_TIMEOUT(consumer.stats().lag > 0, kTimeoutMs);
    QCOMPARE(consumer.stats().assignedPartitions, 1);
    QVERIFY(received.size() < std::size_t(count));

    QVERIFY(broker->setBrokerRttMs(1, 0)); // catch up
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), std::size_t(count), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().lag, std::int64_t(0), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(consumer.stats().recordsPerSecond > 0, kTimeoutMs);
    QCOMPARE(consumer.stats().records, std::uint64_t(count));
    QCOMPARE(consumer.stats().state, KafkaState::Connected);

    // statsChanged carries the same numbers, at about one per second.
    QVERIFY(statsSpy.count() > 1);
    const auto last = statsSpy.last().at(0).value<KafkaStats>();
    QCOMPARE(last.state, KafkaState::Connected);
    QCOMPARE(last.assignedPartitions, 1);
}

void TestKafkaConsumer::brokerGoneShowsDisconnected()
{
    auto broker = startBroker();
    QVERIFY(broker);
    KafkaConsumer consumer(configFor(*broker));
    QSignalSpy statsSpy(&consumer, &KafkaConsumer::statsChanged);
    QVERIFY(consumer.start());
    QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().assignedPartitions, 4, kTimeoutMs);
    QCOMPARE(consumer.stats().state, KafkaState::Connected);

    broker->stop();
    QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().state, KafkaState::Disconnected, kTimeoutMs);
    QVERIFY2(consumer.stats().stateDetail.contains("Kafka"),
             qPrintable(consumer.stats().stateDetail));
    QTRY_VERIFY_WITH_TIMEOUT(
        statsSpy.last().at(0).value<KafkaStats>().state == KafkaState::Disconnected, kTimeoutMs);

    QElapsedTimer stopping;
    stopping.start();
    consumer.stop();
    QVERIFY2(stopping.elapsed() < 5000, qPrintable(QString::number(stopping.elapsed())));
    QVERIFY(!consumer.running());
    QCOMPARE(consumer.stats().state, KafkaState::Stopped);
}

void TestKafkaConsumer::brokerBackShowsConnected()
{
    nexus::server::EmbeddedBrokerOptions options;
    options.topics = {{kTopic, 1}};
    auto broker = startBroker(options);
    QVERIFY(broker);
    KafkaConsumer consumer(configFor(*broker));
    Received received;
    received.connectTo(consumer);
    QVERIFY(consumer.start());
    QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().assignedPartitions, 1, kTimeoutMs);

    QVERIFY(broker->setBrokerDown(1));
    QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().state, KafkaState::Disconnected, kTimeoutMs);
    QVERIFY(broker->setBrokerUp(1));
    QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().state, KafkaState::Connected, kTimeoutMs);

    TestProducer producer(broker->bootstrapServers());
    QVERIFY(producer.produce(nodeStartRecord("t1", 1)));
    QVERIFY(producer.flush());
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), std::size_t(1), kTimeoutMs);
    QCOMPARE(consumer.stats().state, KafkaState::Connected);
}

void TestKafkaConsumer::refusedConfigFailsAtOnce()
{
    KafkaConsumerConfig config;
    config.bootstrapServers = "127.0.0.1:1";
    config.properties = {{"no.such.property", "1"}};
    KafkaConsumer unknown(config);
    QSignalSpy statsSpy(&unknown, &KafkaConsumer::statsChanged);
    QVERIFY(!unknown.start());
    QVERIFY(!unknown.running());
    QCOMPARE(unknown.stats().state, KafkaState::Failed);
    QVERIFY2(unknown.stats().stateDetail.contains("no.such.property"),
             qPrintable(unknown.stats().stateDetail));
    QVERIFY2(unknown.stats().stateDetail.contains("No such configuration property"),
             qPrintable(unknown.stats().stateDetail));
    QCOMPARE(statsSpy.count(), 1);
    QCOMPARE(statsSpy.at(0).at(0).value<KafkaStats>().state, KafkaState::Failed);

    config.properties = {{"session.timeout.ms", "soon"}};
    KafkaConsumer badValue(config);
    QVERIFY(!badValue.start());
    QCOMPARE(badValue.stats().state, KafkaState::Failed);
    QVERIFY2(badValue.stats().stateDetail.contains("session.timeout.ms"),
             qPrintable(badValue.stats().stateDetail));
    QVERIFY2(badValue.stats().stateDetail.contains("Invalid value"),
             qPrintable(badValue.stats().stateDetail));
}

QTEST_GUILESS_MAIN(TestKafkaConsumer)
#include "tst_kafka_consumer.moc"
