// nexusd's options: --sim-realtime from the command line and from a
// --config file (the command line wins), off by default, and in --help.
#include "server/api/ServerOptions.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace nexus::server;

class TestServerOptions : public QObject
{
    Q_OBJECT
private slots:
    void simRealTimeIsOffByDefault()
    {
        auto parsed = parseServerOptions({"--sandbox"});
        QVERIFY(parsed.ok());
        QVERIFY(!parsed->options.simRealTime);
    }

    void simRealTimeFromTheCommandLine()
    {
        auto on = parseServerOptions({"--sandbox", "--sim-realtime"});
        QVERIFY(on.ok());
        QVERIFY(on->options.simRealTime);
        QVERIFY(on->options.sandbox); // a flag takes no value: --sandbox is still read
        auto off = parseServerOptions({"--sim-realtime=false"});
        QVERIFY(off.ok());
        QVERIFY(!off->options.simRealTime);
    }

    void simRealTimeFromTheConfigFile()
    {
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/nexusd.json")).toStdString();
        std::ofstream(path) << R"({"sandbox": true, "sim-realtime": true})";
        auto fromFile = parseServerOptions({"--config", path});
        QVERIFY(fromFile.ok());
        QVERIFY(fromFile->options.simRealTime);
        auto overridden = parseServerOptions({"--config", path, "--sim-realtime=false"});
        QVERIFY(overridden.ok());
        QVERIFY(!overridden->options.simRealTime);

        const std::string underscored = (dir.path() + QStringLiteral("/u.json")).toStdString();
        std::ofstream(underscored) << R"({"sim_realtime": true})";
        auto alias = parseServerOptions({"--config", underscored});
        QVERIFY(alias.ok());
        QVERIFY(alias->options.simRealTime);
    }

    void helpDocumentsSimRealTime()
    {
        QVERIFY(std::string(serverOptionsHelp()).find("--sim-realtime") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestServerOptions)
#include "tst_server_options.moc"
