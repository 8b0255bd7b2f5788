// The console as a user first sees it: the Local sandbox starts in-process,
// the window connects to it over loopback sockets, and the fleet fills in,
// live. A screenshot is saved to look at.
#include "client/ConnectionProfile.h"
#include "models/FleetModel.h"

#include "ConsoleSession.h"
#include "MainWindow.h"

#include <QDir>
#include <QLabel>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

class TestConsoleSandbox : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void fleetFillsFromTheLocalSandbox()
    {
        nexus::app::MainWindow w;
        w.show();
        w.openProfile(nexus::client::ConnectionProfile::localSandbox());
        auto* nexusStatus = w.findChild<QLabel*>(QStringLiteral("nexusStatus"));
        auto* fleetStatus = w.findChild<QLabel*>(QStringLiteral("fleetStatus"));
        QVERIFY(nexusStatus && fleetStatus);
        QTRY_VERIFY_WITH_TIMEOUT(nexusStatus->text().contains(QStringLiteral("connected")), 60000);
        QVERIFY(nexusStatus->text().contains(QStringLiteral("127.0.0.1:")));
        QTRY_COMPARE_WITH_TIMEOUT(w.session()->fleet()->rowCount(), 24, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(fleetStatus->text().contains(QStringLiteral("live")), 30000);
        auto* table = w.findChild<QTableView*>(QStringLiteral("fleetTable"));
        QVERIFY(table && table->model()->rowCount() == 24);
        // Metrics arrive as the simulated runs finish.
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->fleet()->totals().runs_per_sec() > 0, 60000);

        const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
        QDir().mkpath(dir);
        QVERIFY(w.grab().save(dir + QStringLiteral("/console_sandbox_fleet.png")));
    }
};

QTEST_MAIN(TestConsoleSandbox)
#include "tst_console_sandbox.moc"
