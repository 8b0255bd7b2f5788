// The system keychain as a secret source, against a real Secret Service
// (GNOME keyring in a private D-Bus session, see with-keyring.sh): a token
// stored in the keychain is read back when connecting, and the settings
// file never holds it.
#include "client/ConnectionProfile.h"
#include "client/Keychain.h"
#include "client/ProfileStore.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace nexus::client;

class TestClientKeychain : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(keychainSupported()); }

    void storedTokenIsReadBackAndNeverWritten()
    {
        const QString key = QStringLiteral("test-") + QUuid::createUuid().toString(QUuid::Id128);
        const QString token = QStringLiteral("kc-token-%1").arg(QUuid::createUuid().toString());
        const auto written = writeKeychainSecret(key, token);
        QVERIFY2(written, written ? "" : qPrintable(written.error().message));

        QTemporaryDir dir;
        const QString ini = dir.filePath(QStringLiteral("console.ini"));
        {
            QSettings settings(ini, QSettings::IniFormat);
            ProfileStore store(&settings);
            ConnectionProfile p;
            p.name = QStringLiteral("prod");
            p.nexusEndpoint = QStringLiteral("nexus.example.com:7420");
            p.token = {SecretSource::Kind::Keychain, key};
            QVERIFY(store.save(p));
        }
        QSettings settings(ini, QSettings::IniFormat);
        ProfileStore store(&settings);
        const auto loaded = store.profile(QStringLiteral("prod"));
        QVERIFY(loaded);
        QCOMPARE(loaded->token.kind, SecretSource::Kind::Keychain);
        const auto secret = resolveSecret(loaded->token);
        QVERIFY2(secret, secret ? "" : qPrintable(secret.error().message));
        QCOMPARE(*secret, token);

        QFile file(ini);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(token.toUtf8()));

        QVERIFY(deleteKeychainSecret(key));
        const auto gone = resolveSecret(loaded->token);
        QVERIFY(!gone);
        QVERIFY2(gone.error().message.contains(QStringLiteral("no entry")),
                 qPrintable(gone.error().message));
        QVERIFY(gone.error().message.contains(key));
    }

    void missingEntryIsAClearMessage()
    {
        const auto secret =
            resolveSecret({SecretSource::Kind::Keychain, QStringLiteral("never-stored")});
        QVERIFY(!secret);
        QVERIFY2(secret.error().message.contains(QStringLiteral("\"never-stored\"")),
                 qPrintable(secret.error().message));
    }
};

QTEST_GUILESS_MAIN(TestClientKeychain)
#include "tst_client_keychain.moc"
