// nexusd as an operator runs it: ready lines on stdout, nexusctl against
// it, a clean stop on SIGTERM, and clear refusals of unusable options.
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

Run run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000))
        qFatal("%s did not finish", qPrintable(program));
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

} // namespace

class TestNexusdProcess : public QObject
{
    Q_OBJECT
    QTemporaryDir scratch_; // data dirs of runs that must not touch any other run

private slots:
    void sandboxServesAndStopsOnSigterm()
    {
        QTemporaryDir data;
        QProcess nexusd;
        nexusd.start(QStringLiteral(NEXUSD_BIN),
                     {QStringLiteral("--sandbox"), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"), data.path(),
                      QStringLiteral("--simulate"), QStringLiteral("3"),
                      QStringLiteral("--sim-rate"), QStringLiteral("2")});
        QVERIFY(nexusd.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += nexusd.readAllStandardOutput()).contains("kafka: "),
                                 20000);
        const auto nexus = QRegularExpression(QStringLiteral("nexus: (127\\.0\\.0\\.1:\\d+)"))
                               .match(QString::fromUtf8(out));
        const auto kafka = QRegularExpression(QStringLiteral("kafka: (127\\.0\\.0\\.1:\\d+)"))
                               .match(QString::fromUtf8(out));
        QVERIFY2(nexus.hasMatch() && kafka.hasMatch(), out.constData());
        const QString address = nexus.captured(1);

        const Run health = run(QStringLiteral(NEXUSCTL_BIN),
                               {QStringLiteral("health"), QStringLiteral("--nexus"), address});
        QCOMPARE(health.exitCode, 0);
        QVERIFY(health.out.contains("serving"));
        const Run me = run(QStringLiteral(NEXUSCTL_BIN),
                           {QStringLiteral("whoami"), QStringLiteral("--nexus"), address});
        QCOMPARE(me.exitCode, 0);
        QVERIFY(me.out.contains("sandbox (admin)"));

        ::kill(static_cast<pid_t>(nexusd.processId()), SIGTERM);
        QVERIFY(nexusd.waitForFinished(20000));
        QCOMPARE(nexusd.exitStatus(), QProcess::NormalExit);
        QCOMPARE(nexusd.exitCode(), 0);
        QVERIFY(nexusd.readAllStandardError().contains("SIGTERM, stopping"));
        // Stopped means stopped: nobody answers on the port any more.
        const Run after = run(QStringLiteral(NEXUSCTL_BIN),
                              {QStringLiteral("health"), QStringLiteral("--nexus"), address,
                               QStringLiteral("--timeout"), QStringLiteral("2")});
        QCOMPARE(after.exitCode, 3);
    }

    void unusableOptionsAreRefusedClearly_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no tokens outside the sandbox") << QStringList{} << "needs --tokens";
        QTest::newRow("sandbox on a public address")
            << QStringList{QStringLiteral("--sandbox"), QStringLiteral("--listen"),
                           QStringLiteral("0.0.0.0:7420")}
            << "loopback only";
        QTest::newRow("simulation without Kafka")
            << QStringList{QStringLiteral("--simulate"), QStringLiteral("3"),
                           QStringLiteral("--tokens"), QStringLiteral("x")}
            << "needs a Kafka";
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("--frobnicate")} << "unknown option --frobnicate";
        QTest::newRow("bad number")
            << QStringList{QStringLiteral("--simulate"), QStringLiteral("many")}
            << "needs a number";
        QTest::newRow("missing token file")
            << QStringList{QStringLiteral("--tokens"),   QStringLiteral("/nonexistent/tokens.json"),
                           QStringLiteral("--listen"),   QStringLiteral("127.0.0.1:0"),
                           QStringLiteral("--data-dir"), scratch_.filePath(QStringLiteral("data"))}
            << "cannot read the token file";
    }
    void unusableOptionsAreRefusedClearly()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(QStringLiteral(NEXUSD_BIN), args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty()); // no ready line when it does not serve
    }

    void helpDocumentsEveryOption()
    {
        const Run r = run(QStringLiteral(NEXUSD_BIN), {QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        for (const char* option :
             {"--listen", "--data-dir", "--kafka", "--topic", "--group-id", "--embedded-kafka",
              "--simulate", "--sim-rate", "--tokens", "--tls-cert", "--tls-key", "--sandbox",
              "--config", "--retention-days", "--sim-realtime", "--metrics-listen"})
            QVERIFY2(r.out.contains(option), option);
    }

    void configFileIsReadAndTheCommandLineWins()
    {
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("nexusd.json"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"sandbox": true, "listen": "0.0.0.0:1", "simulate": 0})");
        f.close();
        // The file alone would be refused (a public address in sandbox mode) ...
        const Run refused = run(QStringLiteral(NEXUSD_BIN), {QStringLiteral("--config"), config});
        QVERIFY(refused.err.contains("loopback only"));
        // ... the command line overrides it.
        QProcess nexusd;
        nexusd.start(QStringLiteral(NEXUSD_BIN),
                     {QStringLiteral("--config"), config, QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"),
                      dir.filePath(QStringLiteral("d"))});
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += nexusd.readAllStandardOutput()).contains("nexus: 127.0.0.1:"), 20000);
        ::kill(static_cast<pid_t>(nexusd.processId()), SIGINT);
        QVERIFY(nexusd.waitForFinished(20000));
        QCOMPARE(nexusd.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestNexusdProcess)
#include "tst_nexusd_process.moc"
