// nexusd on PostgreSQL as an operator runs it: `nexusd --sandbox --store
// postgres://...` against a cluster this test starts; the simulated fleet's
// traces land in PostgreSQL, nexusctl reads them back over gRPC, and the
// process stops cleanly on SIGTERM.
#include "server/store/PgMigrations.h"

#include "PgTestCluster.h"
#include "StoreBackend.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class TestNexusdPostgres : public QObject
{
    Q_OBJECT

    std::unique_ptr<nexus::test::PgTestCluster> cluster_;

private slots:
    void initTestCase()
    {
        QString why;
        cluster_ = nexus::test::PgTestCluster::start(&why);
        if (!cluster_)
            QSKIP(qPrintable(why));
    }

    void sandboxServesFromPostgres()
    {
        const std::string uri = cluster_->createDatabase();
        QVERIFY(!uri.empty());
        QTemporaryDir data;
        QProcess nexusd;
        nexusd.start(QStringLiteral(NEXUSD_BIN),
                     {"--sandbox", "--listen", "127.0.0.1:0", "--data-dir", data.path(),
                      "--simulate", "3", "--sim-rate", "4", "--store",
                      QString::fromStdString(uri)});
        QVERIFY(nexusd.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += nexusd.readAllStandardOutput()).contains("kafka: "),
                                 20000);
        const auto nexus = QRegularExpression(QStringLiteral("nexus: (127\\.0\\.0\\.1:\\d+)"))
                               .match(QString::fromUtf8(out));
        QVERIFY2(nexus.hasMatch(), out.constData());
        const QByteArray err = nexusd.readAllStandardError();
        QVERIFY2(err.contains("store PostgreSQL postgres://"), err.constData());

        // The schema is in PostgreSQL, and ingested runs arrive there.
        nexus::test::PgRawDb raw(uri);
        QCOMPARE(raw.column("SELECT COUNT(*) FROM schema_migrations"),
                 std::vector<std::string>{
                     std::to_string(nexus::server::pg::pgSchemaMigrations().size())});
        QTRY_VERIFY_WITH_TIMEOUT(std::stoi(raw.column("SELECT COUNT(*) FROM traces").at(0)) > 0,
                                 30000);

        QProcess ctl;
        ctl.start(QStringLiteral(NEXUSCTL_BIN),
                  {"trace", "ls", "--nexus", nexus.captured(1), "--json"});
        QVERIFY(ctl.waitForFinished(30000));
        QCOMPARE(ctl.exitCode(), 0);
        const QByteArray listed = ctl.readAllStandardOutput();
        const std::string someThread =
            raw.column("SELECT thread_id FROM traces ORDER BY started_us LIMIT 1").at(0);
        QVERIFY2(listed.contains(QByteArray::fromStdString(someThread)), listed.constData());

        ::kill(static_cast<pid_t>(nexusd.processId()), SIGTERM);
        QVERIFY(nexusd.waitForFinished(20000));
        QCOMPARE(nexusd.exitStatus(), QProcess::NormalExit);
        QCOMPARE(nexusd.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestNexusdPostgres)
#include "tst_nexusd_postgres.moc"
