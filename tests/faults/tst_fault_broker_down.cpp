// Fault: the whole Kafka cluster (three brokers, every partition replicated
// to all three) goes down for 30 s while the agents keep sending, then comes
// back. The console (its live Kafka consumer feeding the run store, its
// status bar) and nexusd's ingestion (its SQLite store, its status lines)
// both say so while it lasts, recover by themselves, and end up with every
// record exactly once.
#include "models/RunStore.h"

#include "FaultConsole.h"
#include "FaultSupport.h"

#include <QStandardPaths>
#include <QTest>

using namespace nexus;
using namespace nexus::faults;

namespace {

constexpr int kBrokers = 3;
constexpr int kPartitions = 4;
constexpr qint64 kOutageMs = 30'000;
constexpr int kToldWithinMs = 15'000;      // the user hears of the outage within this
constexpr int kRecoveredWithinMs = 45'000; // everything is in after the brokers are back

} // namespace

class TestFaultBrokerDown : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void brokersDownForThirtySecondsAndBack()
    {
        const Corpus corpus = makeCorpus(3000, 11);
        auto broker = startCluster(kBrokers, kPartitions, kBrokers);
        QVERIFY(broker);

        QTemporaryDir dir;
        NexusdIngest nexusd(dir, broker->bootstrapServers());
        QVERIFY(nexusd.ingestor->start());
        auto nexus = startNexus(dir);
        app::ConsoleSession session;
        ConsoleWatch watch(session);
        session.open(remoteProfile(nexus->nexusAddress(), broker->bootstrapServers()));
        QVERIFY(session.kafka());
        // A remote profile reads Kafka from now on: wait until it has its partitions.
        QVERIFY(readingFromNow(*session.kafka(), kPartitions));
        QTRY_VERIFY_WITH_TIMEOUT(nexusd.ingestor->stats().kafkaConnected, 30'000);

        Fleet fleet(broker->bootstrapServers(), corpus, 100, 50);
        QTRY_VERIFY_WITH_TIMEOUT(fleet.sent() >= 600, 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(
            stepsIn(*session.runStore()) > 0 && nexusd.ingestor->stats().stored > 0, 30'000);

        // --- down
        for (int id = 1; id <= kBrokers; ++id)
            QVERIFY(broker->setBrokerDown(id));
        const qint64 downAt = watch.clock.elapsed();
        const qint64 downAtIngest = nexusd.clock.elapsed();

        // The console's status bar turns into a problem naming Kafka ...
        QTRY_VERIFY_WITH_TIMEOUT(ConsoleWatch::first(watch.kafka, downAt,
                                                     [](const StatusLine& l) {
                                                         return l.problem &&
                                                                l.text.contains("disconnected");
                                                     }),
                                 kToldWithinMs);
        const StatusLine told = *ConsoleWatch::first(watch.kafka, downAt, [](const StatusLine& l) {
            return l.problem && l.text.contains("disconnected");
        });
        QVERIFY2(
            told.text.startsWith("Kafka " + QString::fromStdString(broker->bootstrapServers())),
            qPrintable(told.text));
        // ... and nexusd says it once, with what it does about it.
        QTRY_VERIFY_WITH_TIMEOUT(!nexusd.statusLines().empty(), kToldWithinMs);
        const auto ingestTold = nexusd.statusLines().front();
        QVERIFY(ingestTold.second);
        QVERIFY2(ingestTold.first.find("unreachable") != std::string::npos ||
                     ingestTold.first.find("lost the connection") != std::string::npos,
                 ingestTold.first.c_str());
        QVERIFY2(ingestTold.first.find("retrying") != std::string::npos, ingestTold.first.c_str());
        QVERIFY(!nexusd.ingestor->stats().kafkaProblem.empty());
        qInfo("told after: console %lld ms, nexusd %lld ms", told.atMs - downAt,
              nexusd.lineTime(0) - downAtIngest);

        // The outage lasts its 30 s (the fault's length, not a synchronisation);
        // the agents keep sending meanwhile and the problem stays shown.
        QTest::qWait(int(std::max<qint64>(0, kOutageMs - (watch.clock.elapsed() - downAt))));
        QVERIFY(ConsoleWatch::last(watch.kafka).problem);
        QCOMPARE(nexusd.statusLines().size(), std::size_t(1)); // told once, not once per retry
        QVERIFY(!nexusd.ingestor->stats().kafkaProblem.empty());
        QVERIFY(fleet.sent() > 600);

        // --- up: nobody restarts anything
        for (int id = 1; id <= kBrokers; ++id)
            QVERIFY(broker->setBrokerUp(id));
        const qint64 upAt = watch.clock.elapsed();

        QTRY_VERIFY_WITH_TIMEOUT(!ConsoleWatch::last(watch.kafka).problem &&
                                     ConsoleWatch::last(watch.kafka).text.contains("connected"),
                                 kRecoveredWithinMs);
        const qint64 consoleBackMs = watch.clock.elapsed() - upAt;
        QTRY_COMPARE_WITH_TIMEOUT(nexusd.statusLines().size(), std::size_t(2), kRecoveredWithinMs);
        const auto ingestBack = nexusd.statusLines().back();
        QVERIFY(!ingestBack.second);
        QVERIFY2(ingestBack.first.find("reachable again after") != std::string::npos,
                 ingestBack.first.c_str());
        QVERIFY(nexusd.ingestor->stats().kafkaProblem.empty());
        QCOMPARE(nexusd.ingestor->stats().kafkaOutages, std::uint64_t(1));

        // Every record the agents sent is in Kafka, and reaches both, once.
        QTRY_VERIFY_WITH_TIMEOUT(fleet.finished(), kRecoveredWithinMs);
        QCOMPARE(fleet.failures(), std::size_t(0));
        QCOMPARE(fleet.deliveredCount(), corpus.records.size());
        std::size_t steps = 0;
        for (const auto& [thread, n] : corpus.stepsPerThread)
            steps += n;
        QTRY_COMPARE_WITH_TIMEOUT(stepsIn(*session.runStore()), steps, kRecoveredWithinMs);
        QTRY_COMPARE_WITH_TIMEOUT(recordsIn(*nexusd.store, corpus), corpus.records.size(),
                                  kRecoveredWithinMs);
        const qint64 allInMs = watch.clock.elapsed() - upAt;
        const QString console = checkRunStore(*session.runStore(), corpus);
        QVERIFY2(console.isEmpty(), qPrintable(console));
        const QString stored = checkStore(*nexusd.store, corpus);
        QVERIFY2(stored.isEmpty(), qPrintable(stored));
        // The resends were recognised, not applied.
        QVERIFY(session.kafka()->stats().duplicates > 0);
        QVERIFY(nexusd.ingestor->stats().duplicates > 0);
        QVERIFY(ConsoleWatch::last(watch.kafka).text.contains("connected"));
        qInfo("recovered: console connected %lld ms after the brokers came back, every record "
              "in both after %lld ms",
              consoleBackMs, allInMs);

        session.close();
        nexusd.ingestor->stop();
    }
};

QTEST_MAIN(TestFaultBrokerDown)
#include "tst_fault_broker_down.moc"
