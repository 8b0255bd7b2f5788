// The fleet overview widgets on a synthetic 24-instance sandbox fleet: the
// table (status pills, outlier badges, plain-text ids), the KPI tiles and the
// per-deployment charts with their range selector. Saves screenshots to
// <build>/screenshots/ for a person to look at.
#include "models/FleetFilterProxy.h"
#include "models/FleetModel.h"
#include "models/MetricSeriesStore.h"
#include "widgets/DeploymentCharts.h"
#include "widgets/FleetTableView.h"
#include "widgets/KpiTiles.h"

#include "../models/SyntheticFleet.h"

#include <QAbstractButton>
#include <QApplication>
#include <QChart>
#include <QDir>
#include <QSignalSpy>
#include <QSplitter>
#include <QTest>
#include <QToolButton>
#include <QVBoxLayout>

using nexus::models::FleetModel;

namespace {

void save(QWidget& w, const char* name)
{
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/") + QLatin1String(name) +
                         QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

std::vector<nexus::v1::Instance> fleetWithHostileId()
{
    auto fleet = nexus::testing::sandboxFleet().instances;
    nexus::v1::Instance hostile;
    hostile.set_instance_id("tenant:<b>x</b>");
    hostile.set_unlabelled(true);
    hostile.set_status(nexus::v1::INSTANCE_STATUS_STALE);
    hostile.set_last_seen_us(nexus::testing::kAsOfUs - 400'000'000);
    fleet.push_back(hostile);
    return fleet;
}

} // namespace

class TestFleetWidgets : public QObject
{
    Q_OBJECT
private slots:
    void fleetOverview()
    {
        FleetModel model;
        nexus::models::FleetFilterProxy proxy;
        proxy.setSourceModel(&model);
        nexus::models::MetricSeriesStore store;

        QWidget window;
        window.resize(1500, 1050);
        auto* layout = new QVBoxLayout(&window);
        auto* tiles = new nexus::widgets::KpiTiles(&window);
        auto* table = new nexus::widgets::FleetTableView(&window);
        auto* charts = new nexus::widgets::DeploymentCharts(&window);
        layout->addWidget(tiles);
        layout->addWidget(table, 1);
        layout->addWidget(charts, 1);
        tiles->setModel(&model);
        table->setModel(&proxy);
        charts->setStore(&store);

        model.applyUpdate(nexus::testing::fullUpdate(fleetWithHostileId()));
        store.setResponse(nexus::testing::deploymentSeries());
        charts->refresh();
        table->sortByColumn(FleetModel::StatusColumn, Qt::DescendingOrder);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QCOMPARE(tiles->valueText(nexus::widgets::KpiTiles::Instances), QStringLiteral("25"));
        QCOMPARE(tiles->valueText(nexus::widgets::KpiTiles::Degraded), QStringLiteral("3"));
        QCOMPARE(tiles->valueText(nexus::widgets::KpiTiles::Stale), QStringLiteral("1"));
        for (int i = 0; i < nexus::widgets::DeploymentCharts::kMetricCount; ++i)
            QCOMPARE(charts->chart(i)->series().size(), 3);
        // The hostile id is shown as typed, not as bold "x".
        const int hostile = model.rowOf(QStringLiteral("tenant:<b>x</b>"));
        QCOMPARE(model.index(hostile, 0).data().toString(), QStringLiteral("tenant:<b>x</b>"));

        save(window, "fleet-overview");
        save(*table, "fleet-table");
        save(*tiles, "fleet-kpi-tiles");
        save(*charts, "fleet-deployment-charts");

        // Outliers only: the three planted faults.
        proxy.setOutliersOnly(true);
        QCOMPARE(proxy.rowCount(), 3);
        save(*table, "fleet-table-outliers-only");
    }

    void rangeSelectorEmitsIntent()
    {
        nexus::widgets::DeploymentCharts charts;
        QSignalSpy spy(&charts, &nexus::widgets::DeploymentCharts::rangeChanged);
        QToolButton* sixHours = nullptr;
        for (auto* b : charts.findChildren<QToolButton*>())
            if (b->text() == QStringLiteral("6 h"))
                sixHours = b;
        QVERIFY(sixHours);
        sixHours->click();
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 21600);
        sixHours->click(); // same range again: no new intent
        QCOMPARE(spy.count(), 1);
        charts.setRangeSeconds(900); // programmatic: no intent
        QCOMPARE(spy.count(), 1);
        QCOMPARE(charts.rangeSeconds(), 900);
    }

    void tableSelectionGivesIds()
    {
        FleetModel model;
        nexus::widgets::FleetTableView table;
        table.setModel(&model);
        model.applyUpdate(nexus::testing::fullUpdate(nexus::testing::sandboxFleet().instances));
        QSignalSpy activated(&table, &nexus::widgets::FleetTableView::instanceActivated);
        table.selectRow(0);
        QCOMPARE(table.selectedInstanceIds(), QStringList({"dasher-use1-01"}));
        emit table.activated(model.index(1, 3));
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toString(), QStringLiteral("dasher-euw1-02"));
    }
};

QTEST_MAIN(TestFleetWidgets)
#include "tst_fleet_widgets.moc"
