// The console as a user first sees it: the Local sandbox starts in-process,
// the window connects to it over loopback sockets, and the fleet fills in,
// live; the simulator's three faulty instances are the ones flagged. A
// screenshot is saved to look at.
#include "client/ConnectionProfile.h"
#include "models/ComparisonModel.h"
#include "models/FleetModel.h"
#include "models/OutlierDetector.h"

#include "ConsoleSession.h"
#include "MainWindow.h"

#include <QAction>
#include <QDir>
#include <QElapsedTimer>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMap>
#include <QStandardPaths>
#include <QTabWidget>
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
        // The console's own Kafka consumer reads the sandbox's broker: the
        // status bar says connected, with the lag and the record rate.
        auto* kafkaStatus = w.findChild<QLabel*>(QStringLiteral("kafkaStatus"));
        QVERIFY(kafkaStatus);
        QVERIFY(w.session()->kafka());
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->kafka()->stats().delivered > 0, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(
            kafkaStatus->text().contains(QStringLiteral(": connected, lag ")) &&
                !kafkaStatus->text().contains(QStringLiteral(" 0.0 records/s")),
            30000);

        const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
        QDir().mkpath(dir);
        QVERIFY(w.grab().save(dir + QStringLiteral("/console_sandbox_fleet.png")));
    }

    // docs/fleet-simulator.md: dasher-*-02 is slow, -03 error-prone, -04
    // drifting. The window must flag exactly those, each for its own metric.
    // The simulator runs faster and drifts faster here so that every
    // instance has its 10 runs and the drift shows within seconds.
    void outliersAreTheSimulatorsFaultyOnes()
    {
        nexus::app::MainWindow w;
        w.show();
        nexus::app::SandboxSettings settings;
        settings.runsPerSecondPerInstance = 2.0;
        settings.driftPerMinute = 3.0;
        settings.realTime = false; // needs 10 finished runs per instance fast, slow one's too
        w.session()->setSandboxSettings(settings);
        w.openProfile(nexus::client::ConnectionProfile::localSandbox());
        QTRY_COMPARE_WITH_TIMEOUT(w.session()->fleet()->rowCount(), 24, 60000);

        auto* table = w.findChild<QTableView*>(QStringLiteral("fleetTable"));
        QVERIFY(table);
        using FM = nexus::models::FleetModel;
        // What the table shows: instance id -> the metrics its row flags.
        const auto flagged = [table] {
            QMap<QString, int> result;
            QAbstractItemModel* m = table->model();
            for (int r = 0; r < m->rowCount(); ++r) {
                const QModelIndex id = m->index(r, FM::InstanceIdColumn);
                if (!id.data(FM::OutlierRole).toBool())
                    continue;
                int metrics = 0;
                if (m->index(r, FM::LatencyP95Column).data(FM::FlaggedCellRole).toBool())
                    metrics |= nexus::models::OutlierLatency;
                if (m->index(r, FM::ErrorRateColumn).data(FM::FlaggedCellRole).toBool())
                    metrics |= nexus::models::OutlierErrorRate;
                if (m->index(r, FM::QualityColumn).data(FM::FlaggedCellRole).toBool())
                    metrics |= nexus::models::OutlierQuality;
                result.insert(id.data(FM::InstanceIdRole).toString(), metrics);
            }
            return result;
        };
        const auto faultOf = [](const QMap<QString, int>& f, const QString& suffix) {
            for (auto it = f.cbegin(); it != f.cend(); ++it)
                if (it.key().startsWith(QLatin1String("dasher-")) && it.key().endsWith(suffix))
                    return it.value();
            return 0;
        };
        // With ten runs an instance is judged, and a healthy one can be
        // flagged for a moment by chance (one failed run is 10 %); the user
        // sees the table settle on the three faulty ones, each for its metric.
        const auto settled = [&] {
            const QMap<QString, int> f = flagged();
            return f.size() == 3 &&
                   (faultOf(f, QStringLiteral("-02")) & nexus::models::OutlierLatency) &&
                   (faultOf(f, QStringLiteral("-03")) & nexus::models::OutlierErrorRate) &&
                   (faultOf(f, QStringLiteral("-04")) & nexus::models::OutlierQuality);
        };
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY2_WITH_TIMEOUT(settled(), qPrintable(QStringList(flagged().keys()).join(u' ')),
                                  90000);
        qInfo("outliers flagged after %lld ms", clock.elapsed());
        const QMap<QString, int> f = flagged();
        // The reason is there for a person to read.
        const int row = w.session()->fleet()->rowOf(f.firstKey());
        QVERIFY(row >= 0);
        QVERIFY(!w.session()->fleet()->row(row).outlierReason.isEmpty());
        QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
        QVERIFY(
            w.grab().save(QStringLiteral(NEXUS_BINARY_DIR "/screenshots/console_outliers.png")));

        // Put the slow instance next to a healthy peer: select both rows in
        // the table and "Compare Selected". The comparison tab shows them and
        // the slow one's p95 latency is significantly worse.
        QString healthy, slow;
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            const QString id =
                table->model()->index(r, FM::InstanceIdColumn).data(FM::InstanceIdRole).toString();
            if (id.startsWith(QLatin1String("dasher-")) && id.endsWith(QLatin1String("-01")))
                healthy = id;
            if (id.startsWith(QLatin1String("dasher-")) && id.endsWith(QLatin1String("-02")))
                slow = id;
        }
        QVERIFY(!healthy.isEmpty() && !slow.isEmpty());
        table->clearSelection();
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            const QModelIndex index = table->model()->index(r, FM::InstanceIdColumn);
            const QString id = index.data(FM::InstanceIdRole).toString();
            if (id == healthy || id == slow)
                table->selectionModel()->select(index, QItemSelectionModel::Select |
                                                           QItemSelectionModel::Rows);
        }
        auto* compare = w.findChild<QAction*>(QStringLiteral("compareSelected"));
        QVERIFY(compare);
        QVERIFY(compare->isEnabled());
        compare->trigger();
        auto* views = w.findChild<QTabWidget*>(QStringLiteral("views"));
        QCOMPARE(views->currentIndex(), 1);
        nexus::models::ComparisonModel* comparison = w.session()->comparison();
        QCOMPARE(comparison->instances().size(), 2);
        QVERIFY(comparison->instances().contains(slow));
        const auto latencyRow = [&] {
            const QString other = comparison->baselineId() == slow ? healthy : slow;
            return comparison->rowOf(nexus::v1::METRIC_LATENCY_P95, other);
        };
        QTRY_VERIFY_WITH_TIMEOUT(latencyRow() >= 0 &&
                                     comparison->comparison(latencyRow()).significant,
                                 150000); // the slow instance's runs take ~50 s each
        qInfo("comparison significant after %lld ms", clock.elapsed());
        const auto& c = comparison->comparison(latencyRow());
        QVERIFY2(c.pValue < 0.01, qPrintable(QString::number(c.pValue)));
        // Worse when the slow one is compared with the baseline, better the other way round.
        QCOMPARE(c.direction, comparison->baselineId() == slow ? 1 : -1);
        QVERIFY(w.grab().save(QStringLiteral(NEXUS_BINARY_DIR "/screenshots/console_compare.png")));
    }
};

QTEST_MAIN(TestConsoleSandbox)
#include "tst_console_sandbox.moc"
