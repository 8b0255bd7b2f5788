// The GUI thread under live ingest (DESIGN.md §6: "GUI thread under 20,000
// records/s live ingest: event-loop stall p99 ≤ 50 ms"). The real console
// window (MainWindow + ConsoleSession), offscreen, shows the Runs view (the
// live runs list and the run detail following the newest run) while a
// producer thread of this process feeds its Kafka topic at 20,000 realistic
// records/s (runs of the sample graphs, keyed by thread_id), paced in 10 ms
// slices. A 5 ms precise timer on the GUI thread measures how late each tick
// fires (actual minus expected interval): that lateness is the stall.
//
// Nexus runs in this process for the console's connection, without the
// embedded broker's ingestion or the fleet simulator: the load is ours. The
// broker is a separate embedded broker in this process.

#include "client/ConnectionProfile.h"
#include "client/KafkaConsumer.h"
#include "models/RunListModel.h"
#include "models/RunStore.h"
#include "widgets/RunView.h"

#include "../unit/app/ConsoleTestNexus.h"
#include "BenchKafka.h"
#include "BenchSupport.h"
#include "ConsoleSession.h"
#include "MainWindow.h"
#include "RunsPage.h"

#include <QEventLoop>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>

using namespace nexus;
using namespace nexus::bench;

namespace {

const std::string kTopic = "bench-live";
constexpr int kPartitions = 8;
constexpr double kRecordsPerSecond = 20'000;
constexpr auto kSlice = std::chrono::milliseconds(10);
constexpr int kProbeMs = 5;

struct Load
{
    std::vector<std::string> records;
    std::vector<std::string> keys;
};

// Runs of the sample graphs, encoded, in chunks of fresh seeds (from
// `firstSeed` on) so that the messages themselves need not be held all at once.
Load makeLoad(std::size_t count, std::uint64_t firstSeed = 1)
{
    Load load;
    constexpr std::size_t kChunk = 20'000;
    for (std::uint64_t chunk = 0; load.records.size() < count; ++chunk) {
        const auto messages = sampleMessages(std::min(kChunk, count - load.records.size()),
                                             firstSeed + chunk * 1'000'000);
        auto records = encodeAll(messages, false);
        for (std::size_t i = 0; i < records.size(); ++i) {
            load.records.push_back(std::move(records[i]));
            load.keys.push_back(recordKey(messages[i]));
        }
    }
    load.records.resize(count);
    load.keys.resize(count);
    return load;
}

// Produces `load` paced at kRecordsPerSecond: every slice, what is due by
// then (a late slice catches up). Returns the seconds it took.
double producePaced(Producer& producer, const Load& load)
{
    const auto start = std::chrono::steady_clock::now();
    std::size_t sent = 0;
    auto next = start;
    while (sent < load.records.size()) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto due =
            std::min(load.records.size(), std::size_t(elapsed * kRecordsPerSecond) + 1);
        for (; sent < due; ++sent)
            if (!producer.produce(load.records[sent], load.keys[sent]))
                qFatal("produce failed");
        producer.poll();
        next += kSlice;
        std::this_thread::sleep_until(next);
    }
    producer.flush();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs the event loop for `seconds`.
void spin(double seconds)
{
    QEventLoop loop;
    QTimer::singleShot(int(seconds * 1000), &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

class BenchGuiStall : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("NEXUS_BENCH_TOKEN", "bench-secret");
    }

    void liveIngestStall()
    {
        const double loadSeconds = smoke() ? 2 : 20;
        const auto total = std::size_t(loadSeconds * kRecordsPerSecond);
        const Load load = makeLoad(total);
        const std::size_t bytes = totalBytes(load.records);

        QTemporaryDir dir;
        auto broker = startBroker(kTopic, kPartitions);
        auto nexus = testing::startConsoleNexus(
            dir, "127.0.0.1:0",
            R"({"tokens": [{"name": "bench", "role": "viewer", "token": "bench-secret"}]})");

        app::MainWindow w;
        w.resize(1600, 1000);
        w.show();
        client::ConnectionProfile profile;
        profile.name = QStringLiteral("bench");
        profile.kind = client::ConnectionProfile::Kind::Remote;
        profile.nexusEndpoint = QString::fromStdString(nexus->nexusAddress());
        profile.token = {client::SecretSource::Kind::EnvVar, QStringLiteral("NEXUS_BENCH_TOKEN")};
        profile.kafkaBootstrapServers = QString::fromStdString(broker->bootstrapServers());
        profile.topics = {QString::fromStdString(kTopic)};
        w.openProfile(profile);
        QVERIFY(w.showView(QStringLiteral("runs")));
        app::RunsPage* page = w.runsPage();
        QVERIFY(page && page->isVisible() && page->followNewest());
        QTRY_VERIFY_WITH_TIMEOUT(
            w.session()->kafka() && w.session()->kafka()->stats().assignedPartitions == kPartitions,
            60'000);
        // Records of the load are those at or after the offsets the topic
        // ends at before the load starts (after the warm-up).
        std::vector<std::int64_t> loadStart(kPartitions, INT64_MAX);
        std::size_t applied = 0, loadApplied = 0, batches = 0;
        connect(w.session(), &app::ConsoleSession::recordsReceived, this,
                [&](const std::shared_ptr<const client::RecordBatch>& batch) {
                    applied += batch->records.size();
                    for (const client::ConsumedRecord& r : batch->records)
                        loadApplied += r.offset >= loadStart[std::size_t(r.partition)];
                    ++batches;
                });

        Producer producer(broker->bootstrapServers(), kTopic);
        // The console reads from the end: warm-up runs, a new one each
        // second, until it applies some: its positions are set.
        for (std::uint64_t attempt = 0; attempt < 60; ++attempt) {
            const Load warmup = makeLoad(100, 900'000'000 + attempt * 1000);
            for (std::size_t i = 0; i < warmup.records.size(); ++i)
                QVERIFY(producer.produce(warmup.records[i], warmup.keys[i]));
            QVERIFY(producer.flush());
            if (QTest::qWaitFor([&] { return applied > 0; }, 1000))
                break;
        }
        QVERIFY(applied > 0);
        std::vector<std::int64_t> low;
        QVERIFY(producer.watermarks(kPartitions, low, loadStart));
        batches = 0;

        // The probe: how late each 5 ms tick of the GUI thread fires.
        std::vector<double> stallsMs;
        stallsMs.reserve(std::size_t(loadSeconds * 1000 / kProbeMs) + 16);
        double lastTick = 0;
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        probe.setInterval(kProbeMs);
        connect(&probe, &QTimer::timeout, this, [&] {
            const double now = nowSeconds();
            if (lastTick > 0)
                stallsMs.push_back(std::max(0.0, (now - lastTick) * 1000 - kProbeMs));
            lastTick = now;
        });

        std::atomic<double> producedSeconds{0};
        const double mainCpu0 = threadCpuSeconds();
        const double start = nowSeconds();
        probe.start();
        std::thread producerThread([&] { producedSeconds = producePaced(producer, load); });
        spin(loadSeconds);
        probe.stop();
        const double window = nowSeconds() - start;
        const double mainCpu = threadCpuSeconds() - mainCpu0;
        const std::size_t appliedInWindow = loadApplied;
        // Let the producer finish and the console drain what is left.
        spin(0.1);
        while (producedSeconds == 0)
            spin(0.1);
        producerThread.join();
        QTRY_VERIFY_WITH_TIMEOUT(loadApplied >= total, 30'000);

        // The console really applied every record of the load: runs in the
        // list, one shown.
        const client::KafkaStats stats = w.session()->kafka()->stats();
        QCOMPARE(loadApplied, total);
        QCOMPARE(stats.dropped, std::uint64_t(0));
        QVERIFY(w.session()->runList()->rowCount() > 0);
        QVERIFY(page->table()->model()->rowCount() > 0);
        QVERIFY(page->runView()->run() != nullptr);
        QVERIFY(!stallsMs.empty());
        QVERIFY(w.grab().save(testing::screenshotDir() + QStringLiteral("/bench_gui_stall.png")));

        const std::string note = std::to_string(total) + " records of " +
                                 std::to_string(bytes / std::max<std::size_t>(1, total)) +
                                 " bytes (mean) offered over " + std::to_string(int(loadSeconds)) +
                                 " s, Runs view shown";
        report(Figure{"gui.stall.p99_ms",
                      "ms",
                      {percentile(stallsMs, 99)},
                      Budget{50, Better::Lower, "p99 ≤ 50 ms"},
                      "5 ms precise timer on the GUI thread; " + note});
        report(Figure{"gui.stall.p50_ms", "ms", {percentile(stallsMs, 50)}, {}, note});
        report(Figure{"gui.stall.max_ms",
                      "ms",
                      {*std::max_element(stallsMs.begin(), stallsMs.end())},
                      {},
                      note});
        report(Figure{"gui.stall.ingest.records_per_s",
                      "records/s",
                      {double(appliedInWindow) / window},
                      {},
                      "records applied by the console during the load window"});
        report(Figure{"gui.stall.produced.records_per_s",
                      "records/s",
                      {double(total) / producedSeconds},
                      {},
                      "the paced producer's rate"});
        report(Figure{"gui.stall.main_thread_cpu",
                      "fraction",
                      {mainCpu / window},
                      {},
                      "GUI thread CPU time / wall time during the load"});
        std::printf("load: %zu records applied in %zu batches (%zu in the window), %d runs "
                    "listed; consumer: %llu records (warm-up included), %llu dropped, %llu "
                    "duplicates, %llu bad; %zu probe ticks\n",
                    loadApplied, batches, appliedInWindow, w.session()->runList()->rowCount(),
                    static_cast<unsigned long long>(stats.records),
                    static_cast<unsigned long long>(stats.dropped),
                    static_cast<unsigned long long>(stats.duplicates),
                    static_cast<unsigned long long>(stats.badRecords), stallsMs.size());
        w.session()->close();
    }
};

QTEST_MAIN(BenchGuiStall)
#include "bench_gui_stall.moc"
