// Mutual TLS on the gRPC port, with certificates made at test time by
// openssl: a test CA signs the server's certificate (SAN 127.0.0.1 and
// localhost) and a client's; ANOTHER CA signs a second client certificate.
// Nexus (nexusd --tls-client-ca) lets the right client in and checks its
// token on top; a client without a certificate, with one from the other CA,
// one that does not trust the server, or one that speaks plaintext is
// refused, and the console and nexusctl say so in a sentence a person can
// act on.
#include "client/GrpcStatusText.h"
#include "client/NexusChannel.h"
#include "client/NexusClient.h"

#include "ApiTestServer.h"
#include "TestPki.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

namespace pb = ::nexus::v1;
using nexus::client::NexusEndpoint;
using nexus::testing::Pki;

namespace {

std::string readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().toStdString() : std::string();
}

} // namespace

class TestNexusAccess : public QObject
{
    Q_OBJECT

    ApiTestServer t_;
    Pki pki_;

    std::shared_ptr<grpc::Channel> channel(const QString& trust, const QString& client,
                                           const std::string& address = {})
    {
        grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = readAll(pki_.path(trust, ".pem"));
        if (!client.isEmpty()) {
            ssl.pem_cert_chain = readAll(pki_.path(client, ".pem"));
            ssl.pem_private_key = readAll(pki_.path(client, ".key"));
        }
        return grpc::CreateChannel(address.empty() ? t_.server->nexusAddress() : address,
                                   grpc::SslCredentials(ssl));
    }

    static grpc::Status whoAmI(const std::shared_ptr<grpc::Channel>& channel, const char* token,
                               pb::WhoAmIResponse* me)
    {
        auto ctx = ApiTestServer::as(token);
        ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(8));
        return pb::Session::NewStub(channel)->WhoAmI(ctx.get(), {}, me);
    }

    // The console's client: the sentence it shows, or "" when it connected.
    QString consoleSays(const QString& trust, const QString& client, const char* token)
    {
        NexusEndpoint e;
        e.address = QString::fromStdString(t_.server->nexusAddress());
        e.tlsCaPath = pki_.path(trust, ".pem");
        if (!client.isEmpty()) {
            e.tlsCertPath = pki_.path(client, ".pem");
            e.tlsKeyPath = pki_.path(client, ".key");
        }
        e.token = QString::fromLatin1(token);
        e.callTimeout = std::chrono::milliseconds(8000);
        nexus::client::NexusClient nexus(e);
        QSignalSpy ok(&nexus, &nexus::client::NexusClient::whoAmIReceived);
        QSignalSpy failed(&nexus, &nexus::client::NexusClient::callFailed);
        nexus.connectToNexus();
        if (!QTest::qWaitFor([&] { return ok.count() + failed.count() > 0; }, 20000))
            return QStringLiteral("(no answer)");
        if (!ok.isEmpty())
            return {};
        return failed.front().at(1).value<nexus::client::CallError>().text;
    }

    struct Ctl
    {
        int exitCode = -1;
        QString err, out;
    };
    Ctl nexusctl(const QStringList& tls)
    {
        QProcess p;
        p.start(QStringLiteral(NEXUSCTL_BIN),
                QStringList{"whoami", "--nexus", QString::fromStdString(t_.server->nexusAddress()),
                            "--token", ApiTestServer::viewerToken, "--timeout", "8"} +
                    tls);
        if (!p.waitForFinished(30000))
            return {};
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardError()),
                QString::fromUtf8(p.readAllStandardOutput())};
    }

private slots:
    void initTestCase()
    {
        pki_.dir = t_.dir.path();
        QVERIFY(pki_.ca(QStringLiteral("nexus-test-ca")));
        QVERIFY(pki_.ca(QStringLiteral("other-ca")));
        QVERIFY(pki_.issue(QStringLiteral("server"), QStringLiteral("nexus-test-ca"),
                           QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost")));
        QVERIFY(pki_.issue(QStringLiteral("wrong-san"), QStringLiteral("nexus-test-ca"),
                           QStringLiteral("subjectAltName=DNS:elsewhere.example")));
        QVERIFY(pki_.issue(QStringLiteral("client"), QStringLiteral("nexus-test-ca"),
                           QStringLiteral("extendedKeyUsage=clientAuth")));
        QVERIFY(pki_.issue(QStringLiteral("stranger"), QStringLiteral("other-ca"),
                           QStringLiteral("extendedKeyUsage=clientAuth")));
        t_.options.tlsCert = pki_.path(QStringLiteral("server"), ".pem").toStdString();
        t_.options.tlsKey = pki_.path(QStringLiteral("server"), ".key").toStdString();
        t_.options.tlsClientCa = pki_.path(QStringLiteral("nexus-test-ca"), ".pem").toStdString();
        QVERIFY(t_.start());
    }

    void rightCertificateAndTokenGetThrough()
    {
        pb::WhoAmIResponse me;
        auto status = whoAmI(channel("nexus-test-ca", "client"), ApiTestServer::viewerToken, &me);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(me.actor(), std::string("vic"));
        // The certificate does not replace the token: both are needed.
        auto noToken = whoAmI(channel("nexus-test-ca", "client"), nullptr, &me);
        QCOMPARE(noToken.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    }

    void refusedConnections_data()
    {
        QTest::addColumn<QString>("trust");
        QTest::addColumn<QString>("client");
        QTest::addColumn<QString>("advice"); // what the console's sentence must say
        QTest::newRow("no client certificate")
            << "nexus-test-ca" << QString() << "refused this client's TLS certificate";
        QTest::newRow("client certificate from another CA")
            << "nexus-test-ca"
            << "stranger"
            << "refused this client's TLS certificate";
        QTest::newRow("server not trusted") << "other-ca"
                                            << "client"
                                            << "certificate is not trusted";
    }

    void refusedConnections()
    {
        QFETCH(QString, trust);
        QFETCH(QString, client);
        QFETCH(QString, advice);
        pb::WhoAmIResponse me;
        auto status = whoAmI(channel(trust, client), ApiTestServer::viewerToken, &me);
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAVAILABLE);
        const QString text =
            nexus::client::grpcStatusText(status, {},
                                          client.isEmpty() ? nexus::client::ChannelTls::ServerOnly
                                                           : nexus::client::ChannelTls::Mutual);
        QVERIFY2(text.contains(advice), qPrintable(text));

        const QString console = consoleSays(trust, client, ApiTestServer::viewerToken);
        QVERIFY2(console.contains(advice), qPrintable(console));

        QStringList tls{"--tls-ca", pki_.path(trust, ".pem")};
        if (!client.isEmpty())
            tls << "--tls-cert" << pki_.path(client, ".pem") << "--tls-key"
                << pki_.path(client, ".key");
        const Ctl ctl = nexusctl(tls);
        QCOMPARE(ctl.exitCode, 3);
        QVERIFY2(ctl.err.contains(advice), qPrintable(ctl.err));
    }

    void plaintextClientIsRefused()
    {
        pb::WhoAmIResponse me;
        auto status = whoAmI(t_.channel(), ApiTestServer::viewerToken, &me);
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAVAILABLE);
        const Ctl ctl = nexusctl({});
        QCOMPARE(ctl.exitCode, 3);
        QVERIFY2(ctl.err.contains(QLatin1String("unreachable")), qPrintable(ctl.err));
    }

    void consoleAndNexusctlGetThroughWithTheirCertificate()
    {
        QCOMPARE(consoleSays(QStringLiteral("nexus-test-ca"), QStringLiteral("client"),
                             ApiTestServer::viewerToken),
                 QString());
        const Ctl ctl = nexusctl({"--tls-ca", pki_.path(QStringLiteral("nexus-test-ca"), ".pem"),
                                  "--tls-cert", pki_.path(QStringLiteral("client"), ".pem"),
                                  "--tls-key", pki_.path(QStringLiteral("client"), ".key")});
        QVERIFY2(ctl.exitCode == 0, qPrintable(ctl.err));
        QVERIFY2(ctl.out.contains(QLatin1String("vic")), qPrintable(ctl.out));
        // A certificate without its key is a usage problem, said before connecting.
        const Ctl half = nexusctl({"--tls-ca", pki_.path(QStringLiteral("nexus-test-ca"), ".pem"),
                                   "--tls-cert", pki_.path(QStringLiteral("client"), ".pem")});
        QVERIFY(half.exitCode != 0);
        QVERIFY2(half.err.contains(QLatin1String("go together")), qPrintable(half.err));
    }

    void serverCertificateForAnotherNameIsRefused()
    {
        ApiTestServer other;
        other.options.tlsCert = pki_.path(QStringLiteral("wrong-san"), ".pem").toStdString();
        other.options.tlsKey = pki_.path(QStringLiteral("wrong-san"), ".key").toStdString();
        QVERIFY(other.start());
        pb::WhoAmIResponse me;
        auto status = whoAmI(channel("nexus-test-ca", {}, other.server->nexusAddress()),
                             ApiTestServer::viewerToken, &me);
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAVAILABLE);
        const QString text = nexus::client::grpcStatusText(status);
        QVERIFY2(text.contains(QLatin1String("certificate")), qPrintable(text));
    }

    void clientCaMustBeReadable()
    {
        ApiTestServer bad;
        bad.options.tlsCert = t_.options.tlsCert;
        bad.options.tlsKey = t_.options.tlsKey;
        bad.options.tlsClientCa = (t_.dir.path() + "/missing-ca.pem").toStdString();
        auto started = nexus::server::NexusServer::start(bad.options);
        QVERIFY(!started);
        QVERIFY2(started.error().message.find("missing-ca.pem") != std::string::npos,
                 started.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestNexusAccess)
#include "tst_nexus_access.moc"
