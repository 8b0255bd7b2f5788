// The connection profile editor: a profile typed into the form is saved and
// read back, bad input is refused with a reason and writes nothing, "Test
// Connection" asks a real Nexus on loopback (good token: who we are; bad
// token: a clear refusal), and "Connect" switches the window to the profile.
#include "client/ConnectionProfile.h"
#include "client/ProfileStore.h"

#include "ConsoleSession.h"
#include "ConsoleTestNexus.h"
#include "MainWindow.h"
#include "ProfileDialog.h"

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using nexus::app::ProfileDialog;
using nexus::client::ConnectionProfile;
using nexus::client::SecretSource;

namespace {

template <class T> T* child(QWidget& w, const char* name)
{
    auto* c = w.findChild<T*>(QLatin1String(name));
    if (!c)
        qFatal("no child %s", name);
    return c;
}

void fillRemote(ProfileDialog& d, const QString& name, const QString& endpoint,
                const QString& tokenEnv)
{
    QTest::mouseClick(child<QPushButton>(d, "newProfile"), Qt::LeftButton);
    child<QLineEdit>(d, "profileName")->setText(name);
    child<QComboBox>(d, "profileKind")->setCurrentIndex(1);
    child<QLineEdit>(d, "nexusEndpoint")->setText(endpoint);
    child<QComboBox>(d, "tokenSource")->setCurrentIndex(1); // environment variable
    child<QLineEdit>(d, "tokenReference")->setText(tokenEnv);
}

std::unique_ptr<nexus::server::NexusServer> startNexus(const QTemporaryDir& dir)
{
    return nexus::testing::startConsoleNexus(
        dir, "127.0.0.1:0",
        R"({"tokens": [{"name": "olga", "role": "operator", "token": "op-secret"}]})");
}

} // namespace

class TestProfileDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // As main() does: without them QSettings() refuses to write.
        QCoreApplication::setOrganizationName(QStringLiteral("NexusTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_profile_dialog"));
        qputenv("PD_GOOD_TOKEN", "op-secret");
        qputenv("PD_BAD_TOKEN", "wrong");
    }

    void init()
    {
        QSettings().clear();
        iniPath_ = dir_.filePath(QStringLiteral("p%1.ini").arg(++n_));
    }

    void typedProfileIsSavedWithoutSecrets()
    {
        QSettings settings(iniPath_, QSettings::IniFormat);
        ProfileDialog d(&settings, QString());
        d.show();
        QCOMPARE(d.selectedName(), ConnectionProfile::localSandboxName());
        fillRemote(d, QStringLiteral("staging"), QStringLiteral("nexus.staging:7420"),
                   QStringLiteral("STAGING_TOKEN"));
        child<QLineEdit>(d, "kafkaBootstrap")->setText(QStringLiteral("kafka1:9092,kafka2:9092"));
        child<QLineEdit>(d, "kafkaTopics")->setText(QStringLiteral("events-a, events-b"));
        auto* props = child<QTableWidget>(d, "kafkaProperties");
        // Two rows: a plain property and a secret one read from a file.
        const auto addRow = [&](const QString& key, const QString& value, int from) {
            const auto buttons = d.findChildren<QPushButton*>();
            for (QPushButton* b : buttons)
                if (b->text() == QLatin1String("Add Property"))
                    b->click();
            const int row = props->rowCount() - 1;
            props->item(row, 0)->setText(key);
            props->item(row, 1)->setText(value);
            qobject_cast<QComboBox*>(props->cellWidget(row, 2))->setCurrentIndex(from);
        };
        addRow(QStringLiteral("security.protocol"), QStringLiteral("SASL_SSL"), 0);
        addRow(QStringLiteral("sasl.password"), QStringLiteral("/run/secrets/sasl"), 2);
        QVERIFY2(d.saveCurrent(), qPrintable(d.message()));
        QVERIFY(d.message().contains(QStringLiteral("Saved")));

        QSettings reread(iniPath_, QSettings::IniFormat);
        const auto p = nexus::client::ProfileStore(&reread).profile(QStringLiteral("staging"));
        QVERIFY(p);
        QCOMPARE(p->kind, ConnectionProfile::Kind::Remote);
        QCOMPARE(p->nexusEndpoint, QStringLiteral("nexus.staging:7420"));
        QCOMPARE(p->token,
                 (SecretSource{SecretSource::Kind::EnvVar, QStringLiteral("STAGING_TOKEN")}));
        QCOMPARE(p->kafkaBootstrapServers, QStringLiteral("kafka1:9092,kafka2:9092"));
        QCOMPARE(p->topics, (QStringList{QStringLiteral("events-a"), QStringLiteral("events-b")}));
        QCOMPARE(p->kafkaProperties.value(QStringLiteral("security.protocol")),
                 QStringLiteral("SASL_SSL"));
        QVERIFY(!p->kafkaProperties.contains(QStringLiteral("sasl.password")));
        QCOMPARE(p->kafkaSecrets.value(QStringLiteral("sasl.password")),
                 (SecretSource{SecretSource::Kind::File, QStringLiteral("/run/secrets/sasl")}));

        QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
        QVERIFY(d.grab().save(QStringLiteral(NEXUS_BINARY_DIR "/screenshots/profile-dialog.png")));
    }

    void badInputIsRefusedAndWritesNothing_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QString>("tokenEnv");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no port") << "nexus.example.com"
                                 << "T"
                                 << "host:port";
        QTest::newRow("port too big") << "nexus:99999"
                                      << "T"
                                      << "host:port";
        QTest::newRow("env name") << "nexus:7420"
                                  << "not a name"
                                  << "environment variable";
    }

    void badInputIsRefusedAndWritesNothing()
    {
        QFETCH(QString, endpoint);
        QFETCH(QString, tokenEnv);
        QFETCH(QString, expected);
        QSettings settings(iniPath_, QSettings::IniFormat);
        ProfileDialog d(&settings, QString());
        fillRemote(d, QStringLiteral("broken"), endpoint, tokenEnv);
        QVERIFY(!d.saveCurrent());
        QVERIFY2(d.message().contains(expected), qPrintable(d.message()));
        QVERIFY(!nexus::client::ProfileStore(&settings).profile(QStringLiteral("broken")));
    }

    void plainSecretPropertyIsRefused()
    {
        ConnectionProfile p;
        p.name = QStringLiteral("x");
        p.nexusEndpoint = QStringLiteral("h:1");
        p.kafkaProperties.insert(QStringLiteral("ssl.key.password"), QStringLiteral("hunter2"));
        const QString error = nexus::app::validateProfileForm(p);
        QVERIFY2(error.contains(QStringLiteral("ssl.key.password")) &&
                     error.contains(QStringLiteral("secret")),
                 qPrintable(error));
    }

    void testConnectionAsksTheRealNexus()
    {
        QTemporaryDir dir;
        auto nexus = startNexus(dir);
        const QString address = QString::fromStdString(nexus->nexusAddress());
        QSettings settings(iniPath_, QSettings::IniFormat);
        ProfileDialog d(&settings, QString());
        d.show();
        auto* message = child<QLabel>(d, "profileMessage");

        fillRemote(d, QStringLiteral("good"), address, QStringLiteral("PD_GOOD_TOKEN"));
        QTest::mouseClick(child<QPushButton>(d, "testConnection"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(QStringLiteral("as olga (operator)")),
                                 20000);

        child<QLineEdit>(d, "tokenReference")->setText(QStringLiteral("PD_BAD_TOKEN"));
        QTest::mouseClick(child<QPushButton>(d, "testConnection"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!message->text().contains(QStringLiteral("Asking")), 20000);
        QVERIFY2(message->text().contains(QStringLiteral("token"), Qt::CaseInsensitive),
                 qPrintable(message->text()));
        QVERIFY(!message->text().contains(QStringLiteral("as olga")));

        child<QLineEdit>(d, "tokenReference")->setText(QStringLiteral("PD_UNSET_TOKEN"));
        QTest::mouseClick(child<QPushButton>(d, "testConnection"), Qt::LeftButton);
        QVERIFY2(message->text().contains(QStringLiteral("PD_UNSET_TOKEN is not set")),
                 qPrintable(message->text()));
    }

    void connectSwitchesTheWindowToTheProfile()
    {
        QTemporaryDir dir;
        auto nexus = startNexus(dir);
        const QString address = QString::fromStdString(nexus->nexusAddress());
        nexus::app::MainWindow w;
        w.show();
        ProfileDialog* d = w.showProfiles();
        QVERIFY(d);
        fillRemote(*d, QStringLiteral("loopback"), address, QStringLiteral("PD_GOOD_TOKEN"));
        QSignalSpy requested(d, &ProfileDialog::connectRequested);
        QTest::mouseClick(child<QPushButton>(*d, "connectProfile"), Qt::LeftButton);
        QVERIFY2(requested.count() == 1, qPrintable(d->message()));
        QCOMPARE(w.session()->profile().name, QStringLiteral("loopback"));
        QVERIFY(w.windowTitle().startsWith(QStringLiteral("loopback")));
        auto* status = w.findChild<QLabel*>(QStringLiteral("nexusStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(address + QStringLiteral(": connected")),
                                 20000);
        // Remembered for the next start.
        QSettings settings;
        QCOMPARE(nexus::client::ProfileStore(&settings).lastUsed(), QStringLiteral("loopback"));
    }

private:
    QTemporaryDir dir_;
    QString iniPath_;
    int n_ = 0;
};

QTEST_MAIN(TestProfileDialog)
#include "tst_profile_dialog.moc"
