// The connection profile editor's mutual-TLS fields: a client certificate
// and the *path* of its key are saved with the profile (never the key),
// half of the pair is refused with a reason, and "Test Connection" against a
// real Nexus that requires client certificates (a test CA made by openssl)
// gets through with the certificate and says clearly why without it.
#include "client/ProfileStore.h"

#include "../server/api/TestPki.h"
#include "ConsoleTestNexus.h"
#include "ProfileDialog.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using nexus::app::ProfileDialog;
using nexus::client::SecretSource;

namespace {

template <class T> T* child(QWidget& w, const char* name)
{
    auto* c = w.findChild<T*>(QLatin1String(name));
    if (!c)
        qFatal("no child %s", name);
    return c;
}

} // namespace

class TestProfileDialogTls : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;
    nexus::testing::Pki pki_;
    std::unique_ptr<nexus::server::NexusServer> nexus_;

    void fill(ProfileDialog& d, const QString& cert, const QString& key)
    {
        QTest::mouseClick(child<QPushButton>(d, "newProfile"), Qt::LeftButton);
        child<QLineEdit>(d, "profileName")->setText(QStringLiteral("prod (mTLS)"));
        child<QComboBox>(d, "profileKind")->setCurrentIndex(1);
        child<QLineEdit>(d, "nexusEndpoint")
            ->setText(QString::fromStdString(nexus_->nexusAddress()));
        child<QLineEdit>(d, "tlsCa")->setText(pki_.path(QStringLiteral("ca"), ".pem"));
        child<QLineEdit>(d, "tlsClientCert")->setText(cert);
        child<QLineEdit>(d, "tlsClientKey")->setText(key);
        child<QComboBox>(d, "tokenSource")->setCurrentIndex(1); // environment variable
        child<QLineEdit>(d, "tokenReference")->setText(QStringLiteral("NEXUS_TLS_TEST_TOKEN"));
    }

    QString testConnection(ProfileDialog& d)
    {
        auto* message = child<QLabel>(d, "profileMessage");
        QTest::mouseClick(child<QPushButton>(d, "testConnection"), Qt::LeftButton);
        (void)QTest::qWaitFor([&] { return !message->text().endsWith(QChar(0x2026)); }, 20000);
        return message->text();
    }

private slots:
    void initTestCase()
    {
        pki_.dir = dir_.path();
        QVERIFY(pki_.ca(QStringLiteral("ca")));
        QVERIFY(pki_.issue(QStringLiteral("server"), QStringLiteral("ca"),
                           QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost")));
        QVERIFY(pki_.issue(QStringLiteral("client"), QStringLiteral("ca"),
                           QStringLiteral("extendedKeyUsage=clientAuth")));
        nexus_ = nexus::testing::startConsoleNexus(
            dir_, "127.0.0.1:0",
            R"({"tokens": [{"name": "olga", "role": "operator", "token": "op-tls-secret"}]})",
            false, [this](nexus::server::ServerOptions& o) {
                o.tlsCert = pki_.path(QStringLiteral("server"), ".pem").toStdString();
                o.tlsKey = pki_.path(QStringLiteral("server"), ".key").toStdString();
                o.tlsClientCa = pki_.path(QStringLiteral("ca"), ".pem").toStdString();
            });
        qputenv("NEXUS_TLS_TEST_TOKEN", "op-tls-secret");
    }

    void certificateAndKeyPathAreSavedAndUsed()
    {
        const QString ini = dir_.filePath(QStringLiteral("console.ini"));
        QSettings settings(ini, QSettings::IniFormat);
        ProfileDialog d(&settings, QString());
        d.resize(900, 600);
        d.show();
        const QString cert = pki_.path(QStringLiteral("client"), ".pem");
        const QString key = pki_.path(QStringLiteral("client"), ".key");

        // Half of the pair is refused, with the reason, and nothing is saved.
        fill(d, cert, QString());
        QVERIFY(!d.saveCurrent());
        QVERIFY2(d.message().contains(QLatin1String("go together")), qPrintable(d.message()));
        QVERIFY(!nexus::client::ProfileStore(&settings).profile(QStringLiteral("prod (mTLS)")));

        // Without a client certificate Nexus refuses the handshake: said so.
        child<QLineEdit>(d, "tlsClientCert")->clear();
        const QString refused = testConnection(d);
        QVERIFY2(refused.contains(QLatin1String("refused this client's TLS certificate")),
                 qPrintable(refused));

        child<QLineEdit>(d, "tlsClientCert")->setText(cert);
        child<QLineEdit>(d, "tlsClientKey")->setText(key);
        const QString ok = testConnection(d);
        QVERIFY2(ok.contains(QLatin1String("as olga (operator)")), qPrintable(ok));
        QVERIFY(d.grab().save(nexus::testing::screenshotDir() +
                              QStringLiteral("/profile-dialog-mtls.png")));

        QVERIFY(d.saveCurrent());
        const auto saved =
            nexus::client::ProfileStore(&settings).profile(QStringLiteral("prod (mTLS)"));
        QVERIFY(saved);
        QCOMPARE(saved->tlsCertPath, cert);
        QCOMPARE(saved->tlsKeyPath, key);
        QFile file(ini);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QFile keyFile(key);
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        const QByteArray keyPem = keyFile.readAll();
        QVERIFY(!bytes.contains(keyPem.mid(40, 40))); // no piece of the key itself
        QVERIFY(!bytes.contains("op-tls-secret"));
    }
};

QTEST_MAIN(TestProfileDialogTls)
#include "tst_profile_dialog_tls.moc"
