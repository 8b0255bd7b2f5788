// TLS on the gRPC port: a certificate made by the test (openssl, on a
// loopback SAN), a client that trusts it gets through, a plaintext client
// does not.
#include "ApiTestServer.h"

#include <QProcess>
#include <QTest>

#include <fstream>
#include <sstream>

namespace pb = ::nexus::v1;

class TestNexusTls : public QObject
{
    Q_OBJECT
private slots:
    void tlsClientsGetThroughPlaintextDoesNot()
    {
        ApiTestServer t;
        const QString cert = t.dir.filePath(QStringLiteral("server.pem"));
        const QString key = t.dir.filePath(QStringLiteral("server.key"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                       QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"),
                       QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost"),
                       QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert});
        QVERIFY(openssl.waitForFinished(60000));
        QCOMPARE(openssl.exitCode(), 0);

        t.options.tlsCert = cert.toStdString();
        t.options.tlsKey = key.toStdString();
        QVERIFY(t.start());

        std::ifstream in(cert.toStdString());
        std::stringstream pem;
        pem << in.rdbuf();
        grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = pem.str();
        auto secure = grpc::CreateChannel(t.server->nexusAddress(), grpc::SslCredentials(ssl));
        pb::WhoAmIResponse me;
        auto ok = pb::Session::NewStub(secure)->WhoAmI(
            ApiTestServer::as(ApiTestServer::viewerToken).get(), {}, &me);
        QVERIFY2(ok.ok(), ok.error_message().c_str());
        QCOMPARE(me.actor(), std::string("vic"));

        auto plain = pb::Session::NewStub(t.channel());
        auto ctx = ApiTestServer::as(ApiTestServer::viewerToken);
        ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
        auto refused = plain->WhoAmI(ctx.get(), {}, &me);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
    }
};

QTEST_GUILESS_MAIN(TestNexusTls)
#include "tst_nexus_tls.moc"
