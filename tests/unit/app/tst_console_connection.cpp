// The console against a remote Nexus that misbehaves: it goes away and comes
// back (the window says so, keeps the last fleet, and recovers by itself),
// or it refuses the token (a clear message, not a hang).
#include "client/ConnectionProfile.h"
#include "models/FleetModel.h"
#include "server/store/Store.h"

#include "ConsoleSession.h"
#include "ConsoleTestNexus.h"
#include "MainWindow.h"

#include <QDateTime>
#include <QLabel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

namespace {

std::unique_ptr<nexus::server::NexusServer> startNexus(const QTemporaryDir& dir,
                                                       const std::string& listen)
{
    // ingestion gives the fleet view; a run makes an instance
    return nexus::testing::startConsoleNexus(
        dir, listen, R"({"tokens": [{"name": "vic", "role": "viewer", "token": "viewer-secret"}]})",
        true);
}

nexus::client::ConnectionProfile remote(const std::string& address, const char* tokenEnv)
{
    nexus::client::ConnectionProfile p;
    p.name = QStringLiteral("test");
    p.kind = nexus::client::ConnectionProfile::Kind::Remote;
    p.nexusEndpoint = QString::fromStdString(address);
    p.token = {nexus::client::SecretSource::Kind::EnvVar, QLatin1String(tokenEnv)};
    return p;
}

void seedInstance(nexus::server::NexusServer& server)
{
    nexus::v1::Instance i;
    i.set_instance_id("dasher-use1-01");
    i.set_deployment("dasher");
    // Seen just now: the aggregator forgets instances silent for a day.
    i.set_last_seen_us(QDateTime::currentMSecsSinceEpoch() * 1000);
    if (!server.store().upsertInstance(i).ok())
        qFatal("upsertInstance failed");
}

} // namespace

class TestConsoleConnection : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("TEST_GOOD_TOKEN", "viewer-secret");
        qputenv("TEST_BAD_TOKEN", "not-a-token");
    }

    void nexusGoesAwayAndComesBack()
    {
        QTemporaryDir dir;
        auto nexus = startNexus(dir, "127.0.0.1:0");
        seedInstance(*nexus); // the aggregator rebuilds from the store at start ...
        const std::string address = nexus->nexusAddress();
        nexus.reset();
        nexus = startNexus(dir, address); // ... so restart once to see it

        nexus::app::MainWindow w;
        w.show();
        w.openProfile(remote(address, "TEST_GOOD_TOKEN"));
        auto* nexusStatus = w.findChild<QLabel*>(QStringLiteral("nexusStatus"));
        auto* fleetStatus = w.findChild<QLabel*>(QStringLiteral("fleetStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(nexusStatus->text().contains(QStringLiteral("connected")), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(w.session()->fleet()->rowCount(), 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(fleetStatus->text().contains(QStringLiteral("live")), 20000);

        nexus.reset(); // killed
        QTRY_VERIFY_WITH_TIMEOUT(nexusStatus->text().contains(QStringLiteral("disconnected")),
                                 20000);
        QTRY_VERIFY_WITH_TIMEOUT(
            fleetStatus->text().contains(QStringLiteral("showing the last data")), 20000);
        QCOMPARE(w.session()->fleet()->rowCount(), 1); // the last data stays on screen

        nexus = startNexus(dir, address); // back on the same port
        QTRY_VERIFY_WITH_TIMEOUT(fleetStatus->text().contains(QStringLiteral("live")), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(nexusStatus->text().contains(QStringLiteral("connected")) &&
                                     !nexusStatus->text().contains(QStringLiteral("disconnected")),
                                 30000);
        QCOMPARE(w.session()->fleet()->rowCount(), 1);
    }

    void aWrongTokenSaysSoQuickly()
    {
        QTemporaryDir dir;
        auto nexus = startNexus(dir, "127.0.0.1:0");
        nexus::app::MainWindow w;
        w.show();
        w.openProfile(remote(nexus->nexusAddress(), "TEST_BAD_TOKEN"));
        auto* nexusStatus = w.findChild<QLabel*>(QStringLiteral("nexusStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(nexusStatus->text().contains(QStringLiteral("not signed in")),
                                 10000);
        QVERIFY(w.notificationCount() >= 1); // the reason, in the notification area
    }
};

QTEST_MAIN(TestConsoleConnection)
#include "tst_console_connection.moc"
