// End to end from Kafka (DESIGN.md §6, second row): the console's consumer
// (client::KafkaConsumer: consume + decode + dedupe on its worker, batches
// delivered to the main thread) and ConsoleSession::applyRecords (RunStore +
// run list) against a raw librdkafka consumer of the same topic, measured in
// the same run, alternating. The topic lives on the embedded broker in this
// process and holds realistic records (runs of the sample graphs, keyed by
// thread_id as DashFlow keys them), produced once before the measurements.
//
// Rates count from the first record seen to the N-th: the consumer group's
// join is not part of either. The console's first record is the first
// delivered batch (its records are left out of the count), as the worker's
// first poll is not visible from outside.

#include "client/KafkaConsumer.h"
#include "models/RunListModel.h"
#include "models/RunStore.h"

#include "BenchKafka.h"
#include "BenchSupport.h"
#include "ConsoleSession.h"

#include <QEventLoop>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

using namespace nexus;
using namespace nexus::bench;

namespace {

const std::string kTopic = "bench-ingest";
constexpr double kStallSeconds = 60; // no progress for this long: the pass failed

double processCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::string freshGroup(const char* what)
{
    return std::string("bench-") + what + "-" +
           QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
}

struct Pass
{
    std::size_t records = 0;  // records counted (raw) or applied (console)
    double seconds = 0;       // from the first record to the N-th
    std::size_t leftOut = 0;  // records before the clock started (not in the rate)
    double processCpu = 0;    // the whole process (broker included), whole pass
    double mainThreadCpu = 0; // the console's main thread, whole pass
    double applyCpu = 0;      // of which in ConsoleSession::applyRecords
    std::size_t runs = 0;     // runs in the console's store
    client::KafkaStats stats; // the console's consumer at the end

    double rate() const { return seconds > 0 ? double(records - leftOut) / seconds : 0.0; }
};

// A raw librdkafka consumer with the console's group settings: subscribe,
// poll, count the records; nothing decoded.
Pass rawPass(const std::string& bootstrap, std::size_t expected)
{
    char errstr[512] = {};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::string group = freshGroup("raw");
    const std::pair<const char*, const char*> settings[] = {
        {"bootstrap.servers", bootstrap.c_str()}, {"group.id", group.c_str()},
        {"enable.auto.commit", "false"},          {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},        {"enable.partition.eof", "false"},
        {"log.connection.close", "false"},
    };
    for (const auto& [key, value] : settings)
        if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
            qFatal("raw consumer setting %s: %s", key, errstr);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk)
        qFatal("raw consumer: %s", errstr);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, kTopic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);

    Pass pass;
    const double cpu0 = processCpuSeconds();
    double first = 0, last = 0, progress = nowSeconds();
    while (pass.records < expected && nowSeconds() - progress < kStallSeconds) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (!m->err) {
            last = progress = nowSeconds();
            if (pass.records++ == 0)
                first = last;
        }
        rd_kafka_message_destroy(m);
    }
    pass.processCpu = processCpuSeconds() - cpu0;
    pass.seconds = last - first;
    pass.leftOut = 1; // the first record starts the clock
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return pass;
}

// The console's path: its KafkaConsumer with the console's defaults (from
// the beginning, as for the Local sandbox), every batch applied on this
// (the main) thread by ConsoleSession::applyRecords.
Pass consolePass(const std::string& bootstrap, std::size_t expected)
{
    app::ConsoleSession session;
    client::KafkaConsumerConfig config;
    config.bootstrapServers = QString::fromStdString(bootstrap);
    config.topics = {QString::fromStdString(kTopic)};
    config.groupId = QString::fromStdString(freshGroup("console"));
    config.fromBeginning = true;
    client::KafkaConsumer consumer(config);

    Pass pass;
    QEventLoop loop;
    double first = 0, last = 0, progress = nowSeconds();
    QObject::connect(&consumer, &client::KafkaConsumer::recordsReceived, &loop,
                     [&](const std::shared_ptr<const client::RecordBatch>& batch) {
                         const double cpu = threadCpuSeconds();
                         session.applyRecords(*batch);
                         pass.applyCpu += threadCpuSeconds() - cpu;
                         const double now = nowSeconds();
                         if (pass.records == 0) {
                             first = now;
                             pass.leftOut = batch->records.size();
                         }
                         pass.records += batch->records.size();
                         progress = last = now;
                         if (pass.records >= expected)
                             loop.quit();
                     });
    QTimer watchdog;
    QObject::connect(&watchdog, &QTimer::timeout, &loop, [&] {
        if (nowSeconds() - progress > kStallSeconds)
            loop.quit();
    });
    watchdog.start(1000);

    const double cpu0 = processCpuSeconds();
    const double main0 = threadCpuSeconds();
    if (!consumer.start())
        qFatal("console consumer: %s", qPrintable(consumer.stats().stateDetail));
    loop.exec();
    pass.mainThreadCpu = threadCpuSeconds() - main0;
    pass.processCpu = processCpuSeconds() - cpu0;
    pass.seconds = last - first;
    pass.stats = consumer.stats();
    pass.runs = session.runStore()->size();
    consumer.stop();
    return pass;
}

} // namespace

class BenchKafkaIngest : public QObject
{
    Q_OBJECT

    std::unique_ptr<server::EmbeddedBroker> broker_;
    std::size_t records_ = 0;
    double meanBytes_ = 0;

private slots:
    void initTestCase()
    {
        const auto messages = sampleMessages(scaled(200'000, 5'000));
        const auto records = encodeAll(messages, false);
        records_ = records.size();
        meanBytes_ = double(totalBytes(records)) / double(records_);
        // The broker keeps about 5 MB per partition (DESIGN.md §7; about
        // 250 bytes a record with its overhead): room for twice the topic,
        // as keys spread records unevenly.
        const double stored = double(records_) * (meanBytes_ + 60);
        const int partitions = std::max(16, int(2 * stored / 5e6) + 1);
        broker_ = startBroker(kTopic, partitions);

        Producer producer(broker_->bootstrapServers(), kTopic);
        for (std::size_t i = 0; i < records.size(); ++i)
            QVERIFY(producer.produce(records[i], recordKey(messages[i])));
        QVERIFY(producer.flush());
        // Every record is still there: none fell out of the retention.
        QCOMPARE(producer.retained(partitions), std::int64_t(records_));
        std::printf("topic %s: %zu records, mean %.0f bytes, %d partitions\n", kTopic.c_str(),
                    records_, meanBytes_, partitions);
    }

    void consumeRawAndConsole()
    {
        const std::string bootstrap = broker_->bootstrapServers();
        const std::string size = "records of " + std::to_string(int(meanBytes_ + 0.5)) +
                                 " bytes (mean), embedded broker";
        Figure raw{"ingest.kafka.raw.records_per_s",
                   "records/s",
                   {},
                   {},
                   "raw librdkafka consume, no decode; " + size};
        Figure console{"ingest.kafka.console.records_per_s",
                       "records/s",
                       {},
                       {},
                       "KafkaConsumer + ConsoleSession::applyRecords; " + size};
        Figure ratio{"ingest.kafka.ratio",
                     "x raw",
                     {},
                     Budget{0.7, Better::Higher, "≥ 0.7× raw librdkafka (same run)"},
                     "console rate / raw rate, each repetition in the same run"};
        Figure rawCpu{"ingest.kafka.raw.cpu_us_per_record",
                      "us/record",
                      {},
                      {},
                      "process CPU (broker included) per record, whole pass"};
        Figure consoleCpu{"ingest.kafka.console.cpu_us_per_record",
                          "us/record",
                          {},
                          {},
                          "process CPU (broker included) per record, whole pass"};
        Figure mainCpu{"ingest.kafka.console.main_thread_us_per_record",
                       "us/record",
                       {},
                       {},
                       "main thread CPU per record (apply, batch delivery and release)"};
        Figure applyCpu{"ingest.kafka.console.apply_us_per_record",
                        "us/record",
                        {},
                        {},
                        "main thread CPU in ConsoleSession::applyRecords per record"};
        for (int r = 0; r < repetitions(); ++r) {
            const Pass a = rawPass(bootstrap, records_);
            QCOMPARE(a.records, records_); // every record arrived
            const Pass b = consolePass(bootstrap, records_);
            // Every record arrived, decoded, none a duplicate or dropped, and
            // the store made runs of them.
            QCOMPARE(b.records, records_);
            QCOMPARE(b.stats.records, std::uint64_t(records_));
            QCOMPARE(b.stats.delivered, std::uint64_t(records_));
            QCOMPARE(b.stats.badRecords, std::uint64_t(0));
            QCOMPARE(b.stats.duplicates, std::uint64_t(0));
            QCOMPARE(b.stats.dropped, std::uint64_t(0));
            QVERIFY(b.runs > 0);
            raw.samples.push_back(a.rate());
            console.samples.push_back(b.rate());
            ratio.samples.push_back(a.rate() > 0 ? b.rate() / a.rate() : 0.0);
            rawCpu.samples.push_back(a.processCpu * 1e6 / double(records_));
            consoleCpu.samples.push_back(b.processCpu * 1e6 / double(records_));
            mainCpu.samples.push_back(b.mainThreadCpu * 1e6 / double(records_));
            applyCpu.samples.push_back(b.applyCpu * 1e6 / double(records_));
            std::printf("rep %d: raw %.0f/s, console %.0f/s (first batch %zu records), %zu runs\n",
                        r + 1, a.rate(), b.rate(), b.leftOut, b.runs);
        }
        report(raw);
        report(console);
        report(ratio);
        report(rawCpu);
        report(consoleCpu);
        report(mainCpu);
        report(applyCpu);
    }

    void cleanupTestCase() { broker_.reset(); }
};

QTEST_MAIN(BenchKafkaIngest)
#include "bench_kafka_ingest.moc"
