// Fault: partition leadership moves to other brokers, twice, while the
// agents send (a Kafka controller failover or a reassignment). The console
// and nexusd's ingestion follow the new leaders by themselves: every record
// arrives once, and the user is not alarmed (no problem on the status bar,
// no outage line from nexusd).
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

} // namespace

class TestFaultLeaderChange : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void leadersMoveMidStream()
    {
        const Corpus corpus = makeCorpus(2400, 31);
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
        QVERIFY(readingFromNow(*session.kafka(), kPartitions));
        QTRY_VERIFY_WITH_TIMEOUT(nexusd.ingestor->stats().kafkaConnected, 30'000);
        const qint64 startedAt = watch.clock.elapsed();

        Fleet fleet(broker->bootstrapServers(), corpus, 200);
        // Two moves: every partition to another broker, then to a third one.
        for (int round = 1; round <= 2; ++round) {
            QTRY_VERIFY_WITH_TIMEOUT(fleet.sent() >= std::size_t(700 * round), 30'000);
            for (int p = 0; p < kPartitions; ++p)
                QVERIFY(broker->setPartitionLeader(kTopic, p, (p + round) % kBrokers + 1));
        }

        std::size_t steps = 0;
        for (const auto& [thread, n] : corpus.stepsPerThread)
            steps += n;
        QTRY_VERIFY_WITH_TIMEOUT(fleet.finished(), 60'000);
        QCOMPARE(fleet.deliveredCount(), corpus.records.size());
        QTRY_COMPARE_WITH_TIMEOUT(stepsIn(*session.runStore()), steps, 60'000);
        QTRY_COMPARE_WITH_TIMEOUT(recordsIn(*nexusd.store, corpus), corpus.records.size(), 60'000);
        const QString console = checkRunStore(*session.runStore(), corpus);
        QVERIFY2(console.isEmpty(), qPrintable(console));
        const QString stored = checkStore(*nexusd.store, corpus);
        QVERIFY2(stored.isEmpty(), qPrintable(stored));

        // Nobody was told of an outage: there was none.
        for (const StatusLine& line : watch.kafka)
            QVERIFY2(line.atMs < startedAt || !line.problem, qPrintable(line.text));
        QVERIFY(ConsoleWatch::last(watch.kafka).text.contains("connected"));
        QVERIFY(nexusd.statusLines().empty());
        QCOMPARE(nexusd.ingestor->stats().kafkaOutages, std::uint64_t(0));
        qInfo("every record in both %lld ms after the first produce",
              watch.clock.elapsed() - startedAt);

        session.close();
        nexusd.ingestor->stop();
    }
};

QTEST_MAIN(TestFaultLeaderChange)
#include "tst_fault_leader_change.moc"
