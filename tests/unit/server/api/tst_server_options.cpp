// nexusd's options: --sim-realtime from the command line and from a
// --config file (the command line wins), off by default, and in --help.
#include "server/api/NexusServer.h"
#include "server/api/ServerOptions.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace nexus::server;

class TestServerOptions : public QObject
{
    Q_OBJECT
private slots:
    void kafkaPropertiesFromCommandLineAndConfig()
    {
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/nexusd.json")).toStdString();
        std::ofstream(path) << R"({"kafka_property": ["security.protocol=SASL_SSL",
                                                      "sasl.mechanism=PLAIN"]})";
        auto parsed = parseServerOptions(
            {"--config", path, "--kafka-property", "sasl.mechanism=SCRAM-SHA-512"});
        QVERIFY(parsed.ok());
        const auto& props = parsed->options.kafkaProperties;
        QCOMPARE(props.size(), std::size_t(2));
        QCOMPARE(props.at("security.protocol"), std::string("SASL_SSL"));
        QCOMPARE(props.at("sasl.mechanism"), std::string("SCRAM-SHA-512")); // the command line wins
        auto bad = parseServerOptions({"--kafka-property", "no-equals-sign"});
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("KEY=VALUE") != std::string::npos);
    }

    void kafkaPropertiesReachTheKafkaClients()
    {
        // A property librdkafka refuses stops the start, naming it: proof the
        // properties are handed to nexusd's consumer rather than dropped.
        QTemporaryDir dir;
        auto parsed = parseServerOptions({"--sandbox", "--listen", "127.0.0.1:0",
                                          "--kafka-property", "security.protocol=carrier-pigeon"});
        QVERIFY(parsed.ok());
        parsed->options.dataDir = dir.path().toStdString();
        auto resolved = resolveServerOptions(parsed->options);
        QVERIFY(resolved.ok());
        auto server = NexusServer::start(*resolved);
        QVERIFY(!server.ok());
        QVERIFY2(server.error().message.find("security.protocol") != std::string::npos,
                 server.error().message.c_str());
    }

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
