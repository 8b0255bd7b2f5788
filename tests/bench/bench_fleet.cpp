// The fleet table's model work per 1 Hz tick (DESIGN.md §6: 10,000
// instances, ≤ 10 ms per tick, no model resets): FleetModel under the
// console's FleetFilterProxy, sorted by error rate (a column every tick
// reorders) and viewed by the console's FleetTableView (offscreen, not
// painted). Each tick is one FleetUpdate delta in which every instance's
// metrics move, as Nexus sends them once per second.

#include "models/FleetFilterProxy.h"
#include "models/FleetModel.h"
#include "widgets/FleetTableView.h"

#include "../unit/models/SyntheticFleet.h"
#include "BenchSupport.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace nexus;
using namespace nexus::bench;
using models::FleetModel;

class BenchFleet : public QObject
{
    Q_OBJECT

private slots:
    void tenThousandInstancesOneHertz()
    {
        const int count = int(scaled(10'000, 1'000));
        auto fleet = testing::sandboxFleet(count).instances;

        FleetModel model;
        models::FleetFilterProxy proxy;
        proxy.setSourceModel(&model);
        widgets::FleetTableView view;
        view.setModel(&proxy);
        view.sortByColumn(FleetModel::ErrorRateColumn, Qt::DescendingOrder);
        view.resize(1400, 900);
        view.show();

        model.applyUpdate(testing::fullUpdate(fleet));
        QCOMPARE(model.rowCount(), count);
        QCOMPARE(proxy.rowCount(), count);
        QSignalSpy modelResets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy proxyResets(&proxy, &QAbstractItemModel::modelReset);

        Figure tick{"fleet.tick.ms",
                    "ms",
                    {},
                    {10, Better::Lower, "<= 10 ms model work per tick (median of ticks)"},
                    ""};
        Figure worst{"fleet.tick.p99_ms", "ms", {}, {}, ""};
        Figure cpu{"fleet.tick.cpu_ms", "ms", {}, {}, "GUI thread CPU time per tick (median)"};
        const int ticks = smoke() ? 3 : 30;
        std::vector<double> perRep;
        for (int rep = 0; rep < repetitions(); ++rep) {
            std::vector<double> times, cpuTimes;
            for (int t = 1; t <= ticks; ++t) {
                const int salt = rep * ticks + t;
                nexus::v1::FleetUpdate delta;
                delta.set_as_of_us(testing::kAsOfUs + salt * 1'000'000LL);
                for (int i = 0; i < count; ++i) {
                    auto& in = fleet[std::size_t(i)];
                    auto* m = in.mutable_metrics();
                    m->set_runs_per_sec(1.5 + 0.5 * testing::jitter(i, salt));
                    m->set_error_rate(0.02 + 0.015 * testing::jitter(i, salt + 1));
                    m->set_latency_p95_ms(1000 + 300 * testing::jitter(i, salt + 2));
                    m->set_quality(0.8 + 0.05 * testing::jitter(i, salt + 3));
                    in.set_last_seen_us(delta.as_of_us());
                    *delta.add_upserted() = in;
                }
                *delta.mutable_totals() = testing::totalsOf(fleet);
                QElapsedTimer timer;
                timer.start();
                const double cpuStart = threadCpuSeconds();
                model.applyUpdate(delta);
                times.push_back(double(timer.nsecsElapsed()) / 1e6);
                cpuTimes.push_back((threadCpuSeconds() - cpuStart) * 1000);
                QCoreApplication::processEvents(); // the view's deferred layout work, untimed
            }
            tick.samples.push_back(median(times));
            worst.samples.push_back(percentile(times, 99));
            cpu.samples.push_back(median(cpuTimes));
        }
        // The table really reordered: the highest error rate is on top.
        const double top =
            proxy.index(0, FleetModel::ErrorRateColumn).data(FleetModel::SortRole).toDouble();
        const double next =
            proxy.index(1, FleetModel::ErrorRateColumn).data(FleetModel::SortRole).toDouble();
        QVERIFY(top >= next);
        QCOMPARE(modelResets.count(), 0);
        QCOMPARE(proxyResets.count(), 0);
        tick.note = std::to_string(count) +
                    " instances, FleetModel + FleetFilterProxy sorted by error rate + view; "
                    "no model resets";
        report(tick);
        report(worst);
        report(cpu);
    }
};

QTEST_MAIN(BenchFleet)
#include "bench_fleet.moc"
