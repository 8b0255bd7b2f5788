// Fault: nexusd (a real process, ingesting from an external Kafka into its
// own SQLite file) is killed with SIGKILL mid-stream and started again on
// the same store and port. The console shows Nexus and the fleet as
// disconnected while it is gone, keeps showing live runs from Kafka, and
// reconnects by itself; nexusd resumes from its committed offsets and its
// store ends with every record exactly once.
#include "models/FleetModel.h"
#include "models/RunStore.h"

#include "FaultConsole.h"
#include "FaultSupport.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

#include <csignal>

using namespace nexus;
using namespace nexus::faults;

namespace {

constexpr int kPartitions = 4;

// nexusd on `listen`, ingesting `kafka`; returns its gRPC address ("" when it did not start).
QString startNexusd(QProcess& process, const QTemporaryDir& dir, const QString& listen,
                    const std::string& kafka)
{
    const QString tokens = dir.filePath(QStringLiteral("tokens.json"));
    std::ofstream(tokens.toStdString())
        << R"({"tokens": [{"name": "op", "role": "viewer", "token": "fault-secret"}]})";
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(QStringLiteral(NEXUSD_BIN),
                  {QStringLiteral("--kafka"), QString::fromStdString(kafka),
                   QStringLiteral("--tokens"), tokens, QStringLiteral("--data-dir"),
                   dir.filePath(QStringLiteral("nexusd-data")), QStringLiteral("--listen"),
                   listen});
    if (!process.waitForStarted(10'000))
        return {};
    QByteArray out;
    QElapsedTimer waited;
    waited.start();
    while (!out.contains("\n") && waited.elapsed() < 30'000 &&
           process.state() == QProcess::Running) {
        process.waitForReadyRead(500);
        out += process.readAllStandardOutput();
    }
    const auto match = QRegularExpression(QStringLiteral("nexus: (127\\.0\\.0\\.1:\\d+)"))
                           .match(QString::fromUtf8(out));
    return match.hasMatch() ? match.captured(1) : QString();
}

} // namespace

class TestFaultNexusRestart : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void nexusdKilledAndRestarted()
    {
        const Corpus corpus = makeCorpus(2500, 51);
        auto broker = startCluster(1, kPartitions, 1);
        QVERIFY(broker);
        QTemporaryDir dir;
        const std::string dbPath =
            dir.filePath(QStringLiteral("nexusd-data/nexus.db")).toStdString();

        QProcess nexusd;
        const QString address =
            startNexusd(nexusd, dir, QStringLiteral("127.0.0.1:0"), broker->bootstrapServers());
        QVERIFY2(!address.isEmpty(), nexusd.readAllStandardError().constData());

        app::ConsoleSession session;
        ConsoleWatch watch(session);
        session.open(remoteProfile(address.toStdString(), broker->bootstrapServers()));
        QVERIFY(readingFromNow(*session.kafka(), kPartitions));
        QTRY_VERIFY_WITH_TIMEOUT(ConsoleWatch::last(watch.nexus).text.endsWith("connected"),
                                 30'000);

        Fleet fleet(broker->bootstrapServers(), corpus, 100);
        // nexusd ingests (the fleet view shows the agents) ...
        QTRY_VERIFY_WITH_TIMEOUT(session.fleet()->rowCount() > 0, 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(ConsoleWatch::last(watch.fleet).text.contains("live"), 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(fleet.sent() >= 800, 30'000);

        // ... until it is killed, with no chance to flush or commit.
        nexusd.kill();
        QVERIFY(nexusd.waitForFinished(10'000));
        const qint64 killedAt = watch.clock.elapsed();
        const std::size_t stepsAtKill = stepsIn(*session.runStore());

        QTRY_VERIFY_WITH_TIMEOUT(ConsoleWatch::first(watch.fleet, killedAt,
                                                     [](const StatusLine& l) {
                                                         return l.problem &&
                                                                l.text.contains("disconnected");
                                                     }),
                                 20'000);
        QTRY_VERIFY_WITH_TIMEOUT(ConsoleWatch::last(watch.nexus).problem &&
                                     ConsoleWatch::last(watch.nexus).text.endsWith("disconnected"),
                                 20'000);
        const StatusLine fleetTold =
            *ConsoleWatch::first(watch.fleet, killedAt, [](const StatusLine& l) {
                return l.problem && l.text.contains("disconnected");
            });
        QVERIFY2(fleetTold.text.contains("showing the last data"), qPrintable(fleetTold.text));
        QVERIFY(session.fleet()->rowCount() > 0); // the last fleet stays on screen
        // Live runs come straight from Kafka: they keep arriving while Nexus is gone.
        QTRY_VERIFY_WITH_TIMEOUT(stepsIn(*session.runStore()) > stepsAtKill, 20'000);
        qInfo("console told after %lld ms (fleet: \"%s\")", fleetTold.atMs - killedAt,
              qPrintable(fleetTold.text));

        // Started again on the same store and port; the console is not touched.
        QProcess again;
        QCOMPARE(startNexusd(again, dir, address, broker->bootstrapServers()), address);
        const qint64 restartedAt = watch.clock.elapsed();
        QTRY_VERIFY_WITH_TIMEOUT(ConsoleWatch::last(watch.fleet).text.contains("live") &&
                                     !ConsoleWatch::last(watch.fleet).problem,
                                 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(!ConsoleWatch::last(watch.nexus).problem &&
                                     ConsoleWatch::last(watch.nexus).text.endsWith("connected"),
                                 30'000);
        const qint64 consoleBackMs = watch.clock.elapsed() - restartedAt;

        // Live runs on the console are complete: they never depended on Nexus.
        QTRY_VERIFY_WITH_TIMEOUT(fleet.finished(), 60'000);
        QCOMPARE(fleet.deliveredCount(), corpus.records.size());
        std::size_t steps = 0;
        for (const auto& [thread, n] : corpus.stepsPerThread)
            steps += n;
        QTRY_COMPARE_WITH_TIMEOUT(stepsIn(*session.runStore()), steps, 30'000);
        const QString console = checkRunStore(*session.runStore(), corpus);
        QVERIFY2(console.isEmpty(), qPrintable(console));
        qInfo("restarted: console live again after %lld ms", consoleBackMs);

        // nexusd resumes from its committed offsets: what it had stored but not
        // committed comes again and is recognised; nothing is missing.
        auto opened = server::SqliteStore::open(dbPath);
        QVERIFY(opened);
        server::SqliteStore& store = **opened;
        QTRY_COMPARE_WITH_TIMEOUT(recordsIn(store, corpus), corpus.records.size(), 80'000);
        const qint64 allInMs = watch.clock.elapsed() - restartedAt;
        const QString stored = checkStore(store, corpus);
        QVERIFY2(stored.isEmpty(), qPrintable(stored));
        qInfo("nexusd's store complete %lld ms after the restart", allInMs);

        session.close();
        ::kill(static_cast<pid_t>(again.processId()), SIGTERM);
        QVERIFY(again.waitForFinished(20'000));
        QCOMPARE(again.exitCode(), 0);
    }
};

QTEST_MAIN(TestFaultNexusRestart)
#include "tst_fault_nexus_restart.moc"
