// Fault: the console's view is slower than the stream. (1) A slot that takes
// long on every batch while the agents send fast: the consumer coalesces into
// bigger batches, says how much waits for the view, and loses nothing. (2) The
// GUI thread blocked outright: the waiting records stay under the cap (memory
// is bounded), the oldest are dropped and the user is told so, and once the
// GUI is back new runs arrive whole. (3) nexusd's ingestion against a slow
// broker: it falls behind and catches up with every record once.
#include "client/KafkaConsumer.h"
#include "models/RunStore.h"

#include "FaultConsole.h"
#include "FaultSupport.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QThread>

#include <algorithm>

using namespace nexus;
using namespace nexus::faults;

namespace {

constexpr int kPartitions = 4;

std::size_t totalSteps(const Corpus& corpus)
{
    std::size_t steps = 0;
    for (const auto& [thread, n] : corpus.stepsPerThread)
        steps += n;
    return steps;
}

} // namespace

class TestFaultSlowConsumer : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void slowViewLosesNothing()
    {
        const Corpus corpus = makeCorpus(4000, 71);
        auto broker = startCluster(1, kPartitions, 1);
        QVERIFY(broker);
        QTemporaryDir dir;
        auto nexus = startNexus(dir);
        app::ConsoleSession session;
        ConsoleWatch watch(session);
        session.open(remoteProfile(nexus->nexusAddress(), broker->bootstrapServers()));
        QVERIFY(readingFromNow(*session.kafka(), kPartitions));
        QSignalSpy stats(session.kafka(), &client::KafkaConsumer::statsChanged);

        // Every batch costs the view a second on top of the run store's own work.
        std::size_t batches = 0, largest = 0;
        connect(&session, &app::ConsoleSession::recordsReceived, &session,
                [&](const std::shared_ptr<const client::RecordBatch>& batch) {
                    ++batches;
                    largest = std::max(largest, batch->records.size());
                    QThread::msleep(1000);
                });
        Fleet fleet(broker->bootstrapServers(), corpus, 1000);

        // The user is told the view is behind (statsChanged, which the status bar shows).
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(stats.cbegin(), stats.cend(),
                        [](const QList<QVariant>& s) {
                            return s.at(0).value<client::KafkaStats>().waiting > 0;
                        }),
            30'000);
        QTRY_VERIFY_WITH_TIMEOUT(fleet.finished(), 30'000);
        QTRY_COMPARE_WITH_TIMEOUT(stepsIn(*session.runStore()), totalSteps(corpus), 60'000);
        const QString console = checkRunStore(*session.runStore(), corpus);
        QVERIFY2(console.isEmpty(), qPrintable(console));
        QCOMPARE(session.kafka()->stats().dropped, std::uint64_t(0));
        // Coalesced: a few big batches, not one per record.
        QVERIFY2(batches < corpus.records.size() / 20, qPrintable(QString::number(batches)));
        QVERIFY(largest > 100);
        // Caught up: nothing waits any more, and the status says so.
        QTRY_COMPARE_WITH_TIMEOUT(session.kafka()->stats().waiting, std::uint64_t(0), 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(!stats.isEmpty() &&
                                     stats.last().at(0).value<client::KafkaStats>().waiting == 0 &&
                                     stats.last().at(0).value<client::KafkaStats>().lag == 0,
                                 10'000);
        QVERIFY(!ConsoleWatch::last(watch.kafka).problem);
        qInfo("%zu batches, largest %zu records", batches, largest);
        session.close();
    }

    void blockedGuiStaysBoundedAndSaysSo()
    {
        const Corpus corpus = makeCorpus(3000, 91);
        const Corpus later = makeCorpus(200, 5000);
        auto broker = startCluster(1, kPartitions, 1);
        QVERIFY(broker);
        app::ConsoleSession session; // its run store and notifications, fed as it feeds them
        ConsoleWatch watch(session);
        client::KafkaConsumerConfig config;
        config.bootstrapServers = QString::fromStdString(broker->bootstrapServers());
        config.maxPendingRecords = 500;
        config.fromBeginning = true;
        client::KafkaConsumer consumer(config);
        connect(&consumer, &client::KafkaConsumer::recordsReceived, &session,
                [&](const std::shared_ptr<const client::RecordBatch>& batch) {
                    session.applyRecords(*batch);
                });
        QSignalSpy problems(&consumer, &client::KafkaConsumer::problem);
        QVERIFY(consumer.start());
        QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().assignedPartitions, kPartitions, 30'000);

        // The GUI thread hangs (no event loop) while the agents send everything.
        std::uint64_t mostWaiting = 0;
        {
            Fleet fleet(broker->bootstrapServers(), corpus, 3000);
            QElapsedTimer hung;
            hung.start();
            while (consumer.stats().records < corpus.records.size() && hung.elapsed() < 60'000) {
                mostWaiting = std::max(mostWaiting, consumer.stats().waiting);
                QThread::msleep(2);
            }
            QTRY_VERIFY_WITH_TIMEOUT(fleet.finished(), 30'000);
        }
        QCOMPARE(consumer.stats().records, std::uint64_t(corpus.records.size()));
        QVERIFY2(mostWaiting <= config.maxPendingRecords, qPrintable(QString::number(mostWaiting)));
        QVERIFY(consumer.stats().dropped >= corpus.records.size() - config.maxPendingRecords);

        // Back: the user reads that records were dropped, and why.
        QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 10'000);
        QVERIFY2(problems.first().at(0).toString().contains("fell behind"),
                 qPrintable(problems.first().at(0).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(watch.notes.cbegin(), watch.notes.cend(),
                        [](const QString& n) { return n.contains("were dropped"); }),
            10'000);
        QTRY_COMPARE_WITH_TIMEOUT(consumer.stats().waiting, std::uint64_t(0), 10'000);

        // Caught up: runs started now arrive whole.
        Fleet fresh(broker->bootstrapServers(), later, 1000);
        QTRY_VERIFY_WITH_TIMEOUT(fresh.finished(), 30'000);
        for (const auto& [thread, steps] : later.stepsPerThread)
            QTRY_VERIFY_WITH_TIMEOUT(session.runStore()->runForThread(thread) &&
                                         session.runStore()->runForThread(thread)->steps.size() ==
                                             steps,
                                     30'000);
        consumer.stop();
    }

    void nexusdBehindASlowBrokerCatchesUp()
    {
        const Corpus corpus = makeCorpus(1500, 111);
        auto broker = startCluster(1, kPartitions, 1);
        QVERIFY(broker);
        QTemporaryDir dir;
        {
            Fleet fleet(broker->bootstrapServers(), corpus, 5000);
            QTRY_VERIFY_WITH_TIMEOUT(fleet.finished(), 30'000);
        }
        // Every answer of the broker takes 150 ms: nexusd reads far slower than
        // the agents sent.
        QVERIFY(broker->setBrokerRttMs(1, 150));
        // Small fetches, so that it takes many round trips.
        NexusdIngest nexusd(dir, broker->bootstrapServers(),
                            {{"fetch.max.bytes", "2000"},
                             {"max.partition.fetch.bytes", "2000"},
                             {"message.max.bytes", "2000"}});
        QVERIFY(nexusd.ingestor->start());
        QTRY_VERIFY_WITH_TIMEOUT(nexusd.ingestor->stats().stored > 0, 30'000);
        QVERIFY(recordsIn(*nexusd.store, corpus) < corpus.records.size());
        QVERIFY(broker->setBrokerRttMs(1, 0));
        QTRY_COMPARE_WITH_TIMEOUT(recordsIn(*nexusd.store, corpus), corpus.records.size(), 60'000);
        const QString stored = checkStore(*nexusd.store, corpus);
        QVERIFY2(stored.isEmpty(), qPrintable(stored));
        QVERIFY(nexusd.statusLines().empty()); // slow is not down: no outage reported
        nexusd.ingestor->stop();
    }
};

QTEST_MAIN(TestFaultSlowConsumer)
#include "tst_fault_slow_consumer.moc"
