// nexusd's options: --sim-realtime, --store and --metrics-listen from the
// command line and from a --config file (the command line wins), their
// defaults, and in --help.
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

    void metricsListenFromCommandLineConfigAndSandbox()
    {
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/nexusd.json")).toStdString();
        std::ofstream(path) << R"({"metrics_listen": "127.0.0.1:9464", "tokens": "t.json"})";
        auto fromFile = parseServerOptions({"--config", path});
        QVERIFY(fromFile.ok());
        QCOMPARE(fromFile->options.metricsListen, std::string("127.0.0.1:9464"));
        auto overridden = parseServerOptions({"--config", path, "--metrics-listen", "[::1]:0"});
        QVERIFY(overridden.ok());
        QCOMPARE(overridden->options.metricsListen, std::string("[::1]:0"));

        // Off by default, also in the console's in-process sandbox; nexusd
        // --sandbox serves it on a free loopback port; "off" is off.
        ServerOptions plain;
        plain.tokensFile = "t.json";
        QCOMPARE(resolveServerOptions(plain)->metricsListen, std::string());
        ServerOptions sandbox;
        sandbox.sandbox = true;
        sandbox.dataDir = dir.path().toStdString();
        QCOMPARE(resolveServerOptions(sandbox)->metricsListen, std::string());
        applySandboxMetricsDefault(plain);
        QCOMPARE(plain.metricsListen, std::string());
        applySandboxMetricsDefault(sandbox);
        QCOMPARE(sandbox.metricsListen, std::string("127.0.0.1:0"));
        sandbox.metricsListen = "off";
        applySandboxMetricsDefault(sandbox);
        QCOMPARE(resolveServerOptions(sandbox)->metricsListen, std::string());
        QVERIFY(std::string(serverOptionsHelp()).find("--metrics-listen") != std::string::npos);
        QVERIFY(std::string(serverOptionsHelp()).find("metrics: HOST:PORT") != std::string::npos);
    }

    void helpDocumentsSimRealTime()
    {
        QVERIFY(std::string(serverOptionsHelp()).find("--sim-realtime") != std::string::npos);
    }

    void replicaOptions()
    {
        const auto defaults = parseServerOptions({});
        QVERIFY(defaults->options.consumerProperties.empty());
        QVERIFY(defaults->options.replicaName.empty()); // HOST:PID
        QCOMPARE(defaults->options.leaseTtlSeconds, 10.0);
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/nexusd.json")).toStdString();
        std::ofstream(path) << R"({"replica_name": "r1", "lease_ttl": 3,
                                   "consumer_property": ["session.timeout.ms=6000"]})";
        auto parsed = parseServerOptions({"--config", path, "--replica-name", "r2",
                                          "--consumer-property", "heartbeat.interval.ms=500"});
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->options.replicaName, std::string("r2")); // the command line wins
        QCOMPARE(parsed->options.leaseTtlSeconds, 3.0);
        QCOMPARE(parsed->options.consumerProperties.size(), std::size_t(2));
        QCOMPARE(parsed->options.consumerProperties.at("session.timeout.ms"), std::string("6000"));
        QVERIFY(parsed->options.kafkaProperties.empty()); // not for the DLQ producer
        QVERIFY(!parseServerOptions({"--consumer-property", "x"}).ok());
        auto zero = parseServerOptions({"--lease-ttl", "0"});
        QVERIFY(zero.ok());
        const auto refused = resolveServerOptions(zero->options);
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().message.find("--lease-ttl") != std::string::npos);
        for (const char* option : {"--consumer-property", "--replica-name", "--lease-ttl"})
            QVERIFY(std::string(serverOptionsHelp()).find(option) != std::string::npos);
    }

    void storeFromCommandLineAndConfig()
    {
        QVERIFY(parseServerOptions({})->options.store.empty()); // SQLite in --data-dir
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/nexusd.json")).toStdString();
        std::ofstream(path) << R"({"store": "postgres://nexus@db.internal/nexus"})";
        auto fromFile = parseServerOptions({"--config", path});
        QVERIFY(fromFile.ok());
        QCOMPARE(fromFile->options.store, std::string("postgres://nexus@db.internal/nexus"));
        auto overridden = parseServerOptions({"--config", path, "--store", "sqlite:/tmp/x.db"});
        QVERIFY(overridden.ok());
        QCOMPARE(overridden->options.store, std::string("sqlite:/tmp/x.db"));
        QVERIFY(std::string(serverOptionsHelp()).find("--store") != std::string::npos);
    }

    void anUnreachableStoreStopsTheStartWithoutShowingThePassword()
    {
        QTemporaryDir dir;
        auto parsed =
            parseServerOptions({"--sandbox", "--listen", "127.0.0.1:0", "--store",
                                "postgres://nexus:hunter2@127.0.0.1:1/nexus?connect_timeout=5"});
        QVERIFY(parsed.ok());
        parsed->options.dataDir = dir.path().toStdString();
        auto server = NexusServer::start(parsed->options);
        QVERIFY(!server.ok());
        const std::string& message = server.error().message;
        QVERIFY2(message.find("cannot open the store: PostgreSQL") != std::string::npos,
                 message.c_str());
        QVERIFY2(message.find("hunter2") == std::string::npos, message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestServerOptions)
#include "tst_server_options.moc"
