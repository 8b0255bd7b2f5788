// FleetFilterProxy over FleetModel: numeric sorting, text/deployment/status/
// outlier filters, and staying consistent (tester) while ticks arrive.
#include "models/FleetFilterProxy.h"
#include "models/FleetModel.h"

#include "SyntheticFleet.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using nexus::models::FleetFilterProxy;
using nexus::models::FleetModel;

namespace {

QStringList ids(const QAbstractItemModel& m)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << m.index(r, FleetModel::InstanceIdColumn).data().toString();
    return out;
}

} // namespace

class TestFleetFilterProxy : public QObject
{
    Q_OBJECT
    FleetModel model_;
    FleetFilterProxy proxy_;
    nexus::testing::SyntheticFleet fleet_;

private slots:
    void init()
    {
        proxy_.setSourceModel(nullptr);
        model_.applyUpdate(nexus::testing::fullUpdate({}));
        proxy_.setTextFilter({});
        proxy_.setDeploymentFilter({});
        proxy_.setTenantFilter({});
        proxy_.setStatusFilter(0);
        proxy_.setOutliersOnly(false);
        proxy_.setSourceModel(&model_);
        fleet_ = nexus::testing::sandboxFleet();
    }

    void filtersCombine()
    {
        QAbstractItemModelTester tester(&proxy_,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model_.applyUpdate(nexus::testing::fullUpdate(fleet_.instances));
        QCOMPARE(proxy_.rowCount(), 24);
        proxy_.setDeploymentFilter(QStringLiteral("dev"));
        QCOMPARE(ids(proxy_),
                 QStringList({"dev-use1-01", "dev-euw1-02", "dev-apse2-03", "dev-use1-04"}));
        proxy_.setTextFilter(QStringLiteral("RC1")); // version, case-insensitive
        QCOMPARE(ids(proxy_), QStringList({"dev-use1-01", "dev-apse2-03"}));
        proxy_.setTextFilter(QStringLiteral("node-b")); // host
        QCOMPARE(ids(proxy_), QStringList({"dev-euw1-02"}));
        proxy_.setTextFilter({});
        proxy_.setDeploymentFilter({});
        proxy_.setOutliersOnly(true);
        QCOMPARE(ids(proxy_), QStringList({"dasher-euw1-02", "dasher-apse2-03", "dasher-use1-04"}));
        proxy_.setOutliersOnly(false);
        proxy_.setStatusFilter(nexus::v1::INSTANCE_STATUS_DEGRADED);
        QCOMPARE(proxy_.rowCount(), 3);
        proxy_.setStatusFilter(nexus::v1::INSTANCE_STATUS_STALE);
        QCOMPARE(proxy_.rowCount(), 0);
    }

    void filtersByTenantAndListsTheTenants()
    {
        QAbstractItemModelTester tester(&proxy_,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (auto& in : fleet_.instances)
            in.set_tenant_id(in.deployment() == "dev" ? "globex" : "acme");
        QSignalSpy tenants(&model_, &FleetModel::tenantsChanged);
        model_.applyUpdate(nexus::testing::fullUpdate(fleet_.instances));
        QCOMPARE(model_.tenants(), QStringList({"acme", "globex"}));
        QCOMPARE(tenants.count(), 1);
        const QModelIndex first = model_.index(0, FleetModel::TenantColumn);
        QCOMPARE(model_.headerData(FleetModel::TenantColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Tenant"));
        QCOMPARE(first.data().toString(), first.data(FleetModel::TenantRole).toString());

        proxy_.setTenantFilter(QStringLiteral("globex"));
        QCOMPARE(ids(proxy_),
                 QStringList({"dev-use1-01", "dev-euw1-02", "dev-apse2-03", "dev-use1-04"}));
        proxy_.setDeploymentFilter(QStringLiteral("dasher")); // both: nothing
        QCOMPARE(proxy_.rowCount(), 0);
        proxy_.setDeploymentFilter({});
        proxy_.setTenantFilter(QStringLiteral("acme"));
        QCOMPARE(proxy_.rowCount(), 20);
        proxy_.setTenantFilter(QStringLiteral("initech")); // no such tenant: empty, not all
        QCOMPARE(proxy_.rowCount(), 0);
    }

    void sortsNumbersAsNumbersThroughTicks()
    {
        QAbstractItemModelTester tester(&proxy_,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model_.applyUpdate(nexus::testing::fullUpdate(fleet_.instances));
        proxy_.sort(FleetModel::LatencyP95Column, Qt::DescendingOrder);
        // The slow dasher (5.x s) first, then the dashers around 1.8 s, dash-ai last.
        QCOMPARE(proxy_.index(0, 0).data().toString(), QString::fromStdString(fleet_.slowId));
        QVERIFY(proxy_.index(23, 0).data().toString().startsWith(QStringLiteral("dash-ai")));
        // A tick makes a dash-ai instance the slowest: the proxy re-sorts it to the top.
        nexus::v1::FleetUpdate delta;
        auto in = fleet_.instances[12];
        in.mutable_metrics()->set_latency_p95_ms(20000);
        *delta.add_upserted() = in;
        delta.set_as_of_us(nexus::testing::kAsOfUs + 1'000'000);
        model_.applyUpdate(delta);
        QCOMPARE(proxy_.index(0, 0).data().toString(), QString::fromStdString(in.instance_id()));
        QCOMPARE(proxy_.index(0, FleetModel::LatencyP95Column).data().toString(),
                 QStringLiteral("20.00 s"));
        // Status sorts by severity, not by name.
        proxy_.sort(FleetModel::StatusColumn, Qt::DescendingOrder);
        QCOMPARE(proxy_.index(0, FleetModel::StatusColumn).data().toString(),
                 QStringLiteral("degraded"));
    }
};

QTEST_GUILESS_MAIN(TestFleetFilterProxy)
#include "tst_fleet_filter_proxy.moc"
