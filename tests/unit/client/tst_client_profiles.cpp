// Connection profiles in a temporary INI file: round trip, the default
// "Local sandbox", and no secret ever written.
#include "client/NexusChannel.h"
#include "client/ProfileStore.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace nexus::client;

class TestClientProfiles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(dir_.isValid());
        iniPath_ = dir_.filePath(QStringLiteral("console-%1.ini").arg(++n_));
    }

    void localSandboxExistsByDefault()
    {
        QSettings settings(iniPath_, QSettings::IniFormat);
        ProfileStore store(&settings);
        QCOMPARE(store.names(), QStringList{"Local sandbox"});
        QCOMPARE(store.lastUsed(), QStringLiteral("Local sandbox"));
        const auto sandbox = store.profile(QStringLiteral("Local sandbox"));
        QVERIFY(sandbox);
        QCOMPARE(sandbox->kind, ConnectionProfile::Kind::LocalSandbox);
        QVERIFY(!store.remove(QStringLiteral("Local sandbox")));
        QVERIFY(!store.profile(QStringLiteral("nope")));
    }

    void roundTripWithoutSecrets()
    {
        const QByteArray token = "tok-super-secret-123";
        const QByteArray saslPassword = "sasl-pw-456";
        qputenv("NEXUS_TEST_TOKEN", token);
        const QString passwordFile = dir_.filePath(QStringLiteral("sasl.pw"));
        {
            QFile f(passwordFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(saslPassword + "\n");
        }

        ConnectionProfile prod;
        prod.name = QStringLiteral("prod/eu (west)");
        prod.nexusEndpoint = QStringLiteral("nexus.example.com:7420");
        prod.tlsCaPath = QStringLiteral("/etc/nexus/ca.pem");
        prod.token = {SecretSource::Kind::EnvVar, QStringLiteral("NEXUS_TEST_TOKEN")};
        prod.kafkaBootstrapServers = QStringLiteral("k1:9093,k2:9093");
        prod.topics = {QStringLiteral("dashstream-events"), QStringLiteral("dashstream-eu")};
        prod.kafkaProperties = {{QStringLiteral("security.protocol"), QStringLiteral("SASL_SSL")},
                                {QStringLiteral("sasl.mechanism"), QStringLiteral("SCRAM-SHA-512")},
                                {QStringLiteral("sasl.username"), QStringLiteral("console")}};
        prod.kafkaSecrets = {
            {QStringLiteral("sasl.password"), {SecretSource::Kind::File, passwordFile}}};
        {
            QSettings settings(iniPath_, QSettings::IniFormat);
            ProfileStore store(&settings);
            QVERIFY(store.save(prod));
            store.setLastUsed(prod.name);
        }
        // The secrets are nowhere in the file; where to find them is.
        QFile ini(iniPath_);
        QVERIFY(ini.open(QIODevice::ReadOnly));
        const QByteArray text = ini.readAll();
        QVERIFY2(!text.contains(token), text.constData());
        QVERIFY2(!text.contains(saslPassword), text.constData());
        QVERIFY(text.contains("NEXUS_TEST_TOKEN"));

        QSettings settings(iniPath_, QSettings::IniFormat);
        ProfileStore store(&settings);
        QCOMPARE(store.names(), (QStringList{"Local sandbox", "prod/eu (west)"}));
        QCOMPARE(store.lastUsed(), prod.name);
        const auto loaded = store.profile(prod.name);
        QVERIFY(loaded);
        QCOMPARE(*loaded, prod);

        // Secrets are read when connecting.
        const auto endpoint = nexusEndpointFor(*loaded);
        QVERIFY(endpoint);
        QCOMPARE(endpoint->token, QString::fromLatin1(token));
        const auto pw = resolveSecret(loaded->kafkaSecrets.value(QStringLiteral("sasl.password")));
        QVERIFY(pw);
        QCOMPARE(*pw, QString::fromLatin1(saslPassword));

        QVERIFY(store.remove(prod.name));
        QCOMPARE(store.names(), QStringList{"Local sandbox"});
        qunsetenv("NEXUS_TEST_TOKEN");
    }

    void secretPropertyRefused()
    {
        QSettings settings(iniPath_, QSettings::IniFormat);
        ProfileStore store(&settings);
        ConnectionProfile p;
        p.name = QStringLiteral("leaky");
        p.nexusEndpoint = QStringLiteral("h:1");
        p.kafkaProperties.insert(QStringLiteral("sasl.password"), QStringLiteral("hunter2"));
        const auto saved = store.save(p);
        QVERIFY(!saved);
        QVERIFY(saved.error().message.contains(QLatin1String("sasl.password")));
        settings.sync();
        QFile ini(iniPath_);
        QVERIFY(!ini.exists() ||
                (ini.open(QIODevice::ReadOnly) && !ini.readAll().contains("hunter2")));
    }

    void missingSecretsSayWhy()
    {
        ConnectionProfile p;
        p.name = QStringLiteral("r");
        p.nexusEndpoint = QStringLiteral("h:1");
        p.token = {SecretSource::Kind::EnvVar, QStringLiteral("NEXUS_TEST_UNSET_VAR")};
        auto endpoint = nexusEndpointFor(p);
        QVERIFY(!endpoint);
        QVERIFY(endpoint.error().message.contains(QLatin1String("NEXUS_TEST_UNSET_VAR")));
        p.token = {SecretSource::Kind::File, dir_.filePath(QStringLiteral("absent"))};
        endpoint = nexusEndpointFor(p);
        QVERIFY(!endpoint);
        QVERIFY(endpoint.error().message.contains(QLatin1String("absent")));
        p.token = {};
        p.nexusEndpoint.clear();
        QVERIFY(!nexusEndpointFor(p));
        QVERIFY(nexusEndpointFor(p, QStringLiteral("127.0.0.1:5")));
    }

private:
    QTemporaryDir dir_;
    QString iniPath_;
    int n_ = 0;
};

QTEST_GUILESS_MAIN(TestClientProfiles)
#include "tst_client_profiles.moc"
