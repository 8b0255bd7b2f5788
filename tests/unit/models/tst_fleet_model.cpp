// FleetModel: the item-model contract under QAbstractItemModelTester, full
// updates diffed into inserts/removes/changes, deltas, no resets, outliers
// and their reasons, plain text from the wire, and a 10,000-instance tick.
#include "models/FleetModel.h"

#include "SyntheticFleet.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using nexus::models::FleetModel;
using nexus::testing::fullUpdate;
using nexus::testing::kAsOfUs;

namespace {

nexus::v1::Instance instance(const std::string& id, const std::string& deployment = "dasher",
                             double p95 = 1000)
{
    nexus::v1::Instance in;
    in.set_instance_id(id);
    in.set_deployment(deployment);
    in.set_version("1.9.0");
    in.set_host("h-" + id);
    in.set_region("us-east-1");
    in.set_status(nexus::v1::INSTANCE_STATUS_HEALTHY);
    in.set_last_seen_us(kAsOfUs - 3'000'000);
    in.mutable_metrics()->set_latency_p95_ms(p95);
    in.mutable_metrics()->set_latency_p50_ms(p95 / 2);
    in.mutable_metrics()->set_runs_per_sec(1.5);
    in.mutable_metrics()->set_error_rate(0.02);
    in.mutable_metrics()->set_runs_in_window(50);
    return in;
}

// One line per row: the columns the diffing tests care about.
QStringList print(const QAbstractItemModel& m)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r) {
        QStringList cells;
        for (int c : {FleetModel::InstanceIdColumn, FleetModel::StatusColumn,
                      FleetModel::LastSeenColumn, FleetModel::LatencyP95Column})
            cells << m.index(r, c).data().toString();
        out << cells.join(QLatin1String(" | "));
    }
    return out;
}

struct Spies
{
    explicit Spies(FleetModel& m)
        : reset(&m, &QAbstractItemModel::modelReset),
          inserted(&m, &QAbstractItemModel::rowsInserted),
          removed(&m, &QAbstractItemModel::rowsRemoved),
          changed(&m, &QAbstractItemModel::dataChanged)
    {}
    QSignalSpy reset, inserted, removed, changed;
};

} // namespace

class TestFleetModel : public QObject
{
    Q_OBJECT
private slots:
    void passesTheTesterThroughFullsAndDeltas()
    {
        FleetModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto fleet = nexus::testing::sandboxFleet();
        model.applyUpdate(fullUpdate(fleet.instances));
        QCOMPARE(model.rowCount(), 24);
        nexus::v1::FleetUpdate delta;
        *delta.add_upserted() = instance("new-one", "dev");
        delta.add_removed(fleet.instances[5].instance_id());
        delta.add_removed("never-was");
        delta.set_as_of_us(kAsOfUs + 1'000'000);
        model.applyUpdate(delta);
        QCOMPARE(model.rowCount(), 24);
        fleet.instances.resize(10);
        model.applyUpdate(fullUpdate(fleet.instances, kAsOfUs + 2'000'000));
        QCOMPARE(model.rowCount(), 10);
        model.applyUpdate(fullUpdate({}));
        QCOMPARE(model.rowCount(), 0);
    }

    void fullUpdateIsDiffedIntoInsertsRemovesAndChanges()
    {
        FleetModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.applyUpdate(fullUpdate({instance("a"), instance("b"), instance("c"), instance("d")}));
        Spies spies(model);
        auto b = instance("b", "dasher", 1500);
        b.set_status(nexus::v1::INSTANCE_STATUS_DEGRADED);
        model.applyUpdate(fullUpdate({instance("e"), b, instance("d")}, kAsOfUs + 60'000'000));
        QCOMPARE(print(model), QStringList({
                                   "b | degraded | 1 min ago | 1.50 s",
                                   "d | healthy | 1 min ago | 1.00 s",
                                   "e | healthy | 1 min ago | 1.00 s",
                               }));
        QCOMPARE(spies.reset.count(), 0);
        // a and c were not adjacent: two removals; e appended in one insert.
        QCOMPARE(spies.removed.count(), 2);
        QCOMPARE(spies.inserted.count(), 1);
        QCOMPARE(spies.inserted.at(0).at(1).toInt(), 2);
        // b changed: one full-width range for row 0; plus the "last seen" column for all.
        bool sawB = false;
        for (const auto& args : spies.changed) {
            const auto tl = args.at(0).toModelIndex(), br = args.at(1).toModelIndex();
            if (tl.row() == 0 && br.row() == 0 && tl.column() == 0)
                sawB = br.column() == FleetModel::ColumnCount - 1;
        }
        QVERIFY(sawB);
    }

    void identicalFullUpdateChangesNothing()
    {
        FleetModel model;
        const auto fleet = nexus::testing::sandboxFleet();
        model.applyUpdate(fullUpdate(fleet.instances));
        Spies spies(model);
        model.applyUpdate(fullUpdate(fleet.instances));
        QCOMPARE(spies.changed.count(), 0);
        QCOMPARE(spies.inserted.count() + spies.removed.count() + spies.reset.count(), 0);
    }

    void outliersCarryTheirReason()
    {
        FleetModel model;
        const auto fleet = nexus::testing::sandboxFleet();
        model.applyUpdate(fullUpdate(fleet.instances));
        QStringList flagged;
        for (int r = 0; r < model.rowCount(); ++r)
            if (model.index(r, 0).data(FleetModel::OutlierRole).toBool())
                flagged << model.index(r, 0).data(FleetModel::InstanceIdRole).toString();
        QCOMPARE(flagged, QStringList({QString::fromStdString(fleet.slowId),
                                       QString::fromStdString(fleet.errorProneId),
                                       QString::fromStdString(fleet.driftingId)}));
        const int slow = model.rowOf(QString::fromStdString(fleet.slowId));
        const QString reason = model.index(slow, 0).data(FleetModel::OutlierReasonRole).toString();
        QVERIFY2(reason.startsWith(QStringLiteral("p95 latency 2.8\u00d7 its deployment's median")),
                 qPrintable(reason));
        QVERIFY(model.index(slow, FleetModel::LatencyP95Column)
                    .data(FleetModel::FlaggedCellRole)
                    .toBool());
        QVERIFY(!model.index(slow, FleetModel::QualityColumn)
                     .data(FleetModel::FlaggedCellRole)
                     .toBool());
        QVERIFY(model.index(slow, FleetModel::LatencyP95Column)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("robust z")));
        // Fixed: the flag goes, with a dataChanged for that row.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        nexus::v1::FleetUpdate delta;
        auto healed = fleet.instances[std::size_t(slow)];
        healed.mutable_metrics()->set_latency_p95_ms(1800);
        *delta.add_upserted() = healed;
        delta.set_as_of_us(kAsOfUs);
        model.applyUpdate(delta);
        QVERIFY(!model.index(slow, 0).data(FleetModel::OutlierRole).toBool());
        QCOMPARE(changed.count(), 1);
    }

    void wireTextIsPlain()
    {
        FleetModel model;
        model.applyUpdate(fullUpdate({instance("<b>x</b>")}));
        const QModelIndex id = model.index(0, FleetModel::InstanceIdColumn);
        QCOMPARE(id.data().toString(), QStringLiteral("<b>x</b>"));
        const QString tip = id.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("&lt;b&gt;x&lt;/b&gt;")), qPrintable(tip));
        QVERIFY(!tip.contains(QStringLiteral("<b>")));
    }

    void sortRoleIsNumeric()
    {
        FleetModel model;
        model.applyUpdate(fullUpdate({instance("a", "d", 900), instance("b", "d", 1200)}));
        // As text "1.20 s" < "900 ms"; as numbers 900 < 1200.
        QCOMPARE(model.index(0, FleetModel::LatencyP95Column).data(FleetModel::SortRole).toDouble(),
                 900.0);
        QCOMPARE(model.index(1, FleetModel::LatencyP95Column).data().toString(),
                 QStringLiteral("1.20 s"));
    }

    void formats()
    {
        QCOMPARE(FleetModel::relativeTime(3'400'000), QStringLiteral("3 s ago"));
        QCOMPARE(FleetModel::relativeTime(125'000'000), QStringLiteral("2 min ago"));
        QCOMPARE(FleetModel::relativeTime(-5), QStringLiteral("0 s ago"));
        QCOMPARE(FleetModel::formatPercent(0.047), QStringLiteral("4.7 %"));
        QCOMPARE(FleetModel::formatCost(1'234'567), QStringLiteral("$1.23/h"));
    }

    void tenThousandInstancesTickWithoutReset()
    {
        FleetModel model;
        std::vector<nexus::v1::Instance> fleet;
        for (int i = 0; i < 10000; ++i) {
            char id[32];
            std::snprintf(id, sizeof id, "inst-%05d", i);
            fleet.push_back(instance(id, "dep-" + std::to_string(i % 10), 1000 + i % 97));
        }
        model.applyUpdate(fullUpdate(fleet));
        QCOMPARE(model.rowCount(), 10000);
        Spies spies(model);
        QElapsedTimer timer;
        qint64 worstNs = 0, totalNs = 0;
        const int ticks = 10;
        for (int t = 1; t <= ticks; ++t) {
            nexus::v1::FleetUpdate delta;
            delta.set_as_of_us(kAsOfUs + t * 1'000'000);
            for (auto& in : fleet) {
                in.mutable_metrics()->set_runs_per_sec(1.5 + 0.01 * t);
                in.set_last_seen_us(kAsOfUs + t * 1'000'000);
                *delta.add_upserted() = in;
            }
            timer.start();
            model.applyUpdate(delta);
            const qint64 ns = timer.nsecsElapsed();
            worstNs = std::max(worstNs, ns);
            totalNs += ns;
        }
        qInfo("10,000-instance delta tick: mean %.2f ms, worst %.2f ms (model work only)",
              double(totalNs) / ticks / 1e6, double(worstNs) / 1e6);
        QCOMPARE(spies.reset.count(), 0);
        QCOMPARE(spies.inserted.count() + spies.removed.count(), 0);
        // One contiguous range for all rows, one for the clock column, per tick.
        QCOMPARE(spies.changed.count(), 2 * ticks);
        QCOMPARE(model.rowCount(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestFleetModel)
#include "tst_fleet_model.moc"
