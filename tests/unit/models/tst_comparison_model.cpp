// ComparisonModel and its identity model: the item-model contract, values
// and deltas checked against the test's own arithmetic, Mann-Whitney
// significance (clear shift, identical distributions, too few runs), rates
// tested on buckets, version and graph differences, the 8-instance cap, live
// updates without resets, and the request the app sends.
#include "models/ComparisonIdentityModel.h"
#include "models/ComparisonModel.h"
#include "models/FleetModel.h"
#include "models/MetricSeriesStore.h"

#include "SyntheticComparison.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using nexus::models::ComparisonIdentityModel;
using nexus::models::ComparisonModel;
namespace pb = ::nexus::v1;
using nexus::testing::RunSpec;

namespace {

// The per-run latencies a spec produces, straight from the generator.
std::vector<double> latencies(const RunSpec& spec)
{
    std::vector<double> out;
    for (const auto& run : nexus::testing::makeRuns(spec, 60))
        out.push_back(run.durationMs);
    return out;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

RunSpec spec(const std::string& id, double latencyMs, std::uint64_t seed, int runs = 50)
{
    RunSpec s;
    s.id = id;
    s.latencyMs = latencyMs;
    s.latencySdMs = 10;
    s.runs = runs;
    s.seed = seed;
    return s;
}

struct Fixture
{
    nexus::models::FleetModel fleet;
    nexus::models::MetricSeriesStore store;
    ComparisonModel model;
    QAbstractItemModelTester deltasTester{&model,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest};
    QAbstractItemModelTester identityTester{model.identityModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest};

    Fixture()
    {
        model.setFleet(&fleet);
        model.setSeries(&store);
    }
};

QModelIndex cell(const ComparisonModel& m, pb::Metric metric, const char* id, int column)
{
    return m.index(m.rowOf(metric, QString::fromLatin1(id)), column);
}

} // namespace

class TestComparisonModel : public QObject
{
    Q_OBJECT
private slots:
    void emptyUntilTwoInstances()
    {
        Fixture f;
        QCOMPARE(f.model.rowCount(), 0);
        f.model.setInstances({QStringLiteral("a")});
        QVERIFY(!f.model.isComparable());
        QCOMPARE(f.model.rowCount(), 0);
        QCOMPARE(f.model.identityModel()->rowCount(), 1);
        f.model.setInstances({QStringLiteral("a"), QStringLiteral(" "), QStringLiteral("a"),
                              QStringLiteral("b"), QStringLiteral("c")});
        QCOMPARE(f.model.instances(), QStringList({"a", "b", "c"}));
        QCOMPARE(f.model.baselineId(), QStringLiteral("a"));
        QCOMPARE(f.model.rowCount(), ComparisonModel::kMetricCount * 2);
        QCOMPARE(f.model.droppedInstanceCount(), 0);
        QVERIFY(f.model.notice().isEmpty());
        // Nothing fetched yet: dashes, untested.
        QCOMPARE(cell(f.model, pb::METRIC_QUALITY, "b", ComparisonModel::ValueColumn).data(),
                 QVariant(QStringLiteral("\u2014")));
        QVERIFY(
            !cell(f.model, pb::METRIC_QUALITY, "b", 0).data(ComparisonModel::TestedRole).toBool());
    }

    void clearlySlowerLatencyIsSignificant()
    {
        Fixture f;
        const RunSpec base = spec("base-01", 100, 11), slow = spec("slow-02", 300, 22);
        f.model.setInstances({QStringLiteral("base-01"), QStringLiteral("slow-02")});
        f.store.setResponse(nexus::testing::comparisonSeries({base, slow}));

        // The test's own arithmetic: medians of the generated runs.
        const double b = median(latencies(base)), s = median(latencies(slow));
        const double expectedPercent = 100 * (s - b) / b;
        QVERIFY2(std::abs(expectedPercent - 200) < 15,
                 qPrintable(QString::number(expectedPercent)));

        const int row = f.model.rowOf(pb::METRIC_LATENCY_P50, QStringLiteral("slow-02"));
        QVERIFY(row >= 0);
        const auto at = [&](int column, int role = Qt::DisplayRole) {
            return f.model.index(row, column).data(role);
        };
        QCOMPARE(at(0, ComparisonModel::MetricRole).toInt(), int(pb::METRIC_LATENCY_P50));
        QVERIFY(at(0, ComparisonModel::SignificantRole).toBool());
        QVERIFY(at(0, ComparisonModel::PValueRole).toDouble() < 0.001);
        QVERIFY(std::abs(at(0, ComparisonModel::DeltaPercentRole).toDouble() - expectedPercent) <
                1e-6);
        QCOMPARE(at(0, ComparisonModel::DirectionRole).toInt(), int(ComparisonModel::Worse));
        QCOMPARE(at(ComparisonModel::PValueColumn).toString(), QStringLiteral("< 0.001"));
        QCOMPARE(at(ComparisonModel::SignificanceColumn).toString(),
                 QStringLiteral("significant, worse"));
        QCOMPARE(at(ComparisonModel::BaselineColumn).toString(),
                 QStringLiteral("%1 ms").arg(b, 0, 'f', 0));
        QCOMPARE(at(ComparisonModel::ValueColumn).toString(),
                 QStringLiteral("%1 ms").arg(s, 0, 'f', 0));
        QCOMPARE(at(ComparisonModel::DeltaPercentColumn).toString(),
                 QStringLiteral("+%1 %").arg(expectedPercent, 0, 'f', 1));
        QVERIFY(at(ComparisonModel::DeltaColumn, Qt::ForegroundRole).isValid());
        QVERIFY(at(ComparisonModel::DeltaColumn, Qt::FontRole).value<QFont>().bold());

        // p95 is significant too; the same error rate and quality are not.
        QVERIFY(cell(f.model, pb::METRIC_LATENCY_P95, "slow-02", 0)
                    .data(ComparisonModel::SignificantRole)
                    .toBool());

        // A smaller alpha than p: no longer significant.
        f.model.setAlpha(1e-30);
        QVERIFY(!at(0, ComparisonModel::SignificantRole).toBool());
        QCOMPARE(at(ComparisonModel::SignificanceColumn).toString(),
                 QStringLiteral("not significant"));
    }

    void identicalDistributionsAreNotSignificant()
    {
        Fixture f;
        // The same distribution, independent draws; and the very same values.
        f.model.setInstances(
            {QStringLiteral("base-01"), QStringLiteral("twin-02"), QStringLiteral("copy-03")});
        RunSpec copy = spec("copy-03", 100, 11);
        f.store.setResponse(nexus::testing::comparisonSeries(
            {spec("base-01", 100, 11), spec("twin-02", 100, 33), copy}));
        for (const char* id : {"twin-02", "copy-03"}) {
            const QModelIndex i = cell(f.model, pb::METRIC_LATENCY_P50, id, 0);
            QVERIFY(i.data(ComparisonModel::TestedRole).toBool());
            QVERIFY2(i.data(ComparisonModel::PValueRole).toDouble() >= 0.05, id);
            QVERIFY(!i.data(ComparisonModel::SignificantRole).toBool());
        }
        QCOMPARE(cell(f.model, pb::METRIC_LATENCY_P50, "copy-03", 0)
                     .data(ComparisonModel::PValueRole)
                     .toDouble(),
                 1.0);
        QCOMPARE(cell(f.model, pb::METRIC_LATENCY_P50, "copy-03", ComparisonModel::DeltaColumn)
                     .data()
                     .toString(),
                 QStringLiteral("0 ms"));
    }

    void tooFewRunsAreNotTested()
    {
        Fixture f;
        f.model.setInstances({QStringLiteral("base-01"), QStringLiteral("young-02")});
        f.store.setResponse(nexus::testing::comparisonSeries(
            {spec("base-01", 100, 11), spec("young-02", 300, 22, 4)}));
        const QModelIndex i = cell(f.model, pb::METRIC_LATENCY_P50, "young-02", 0);
        QVERIFY(!i.data(ComparisonModel::TestedRole).toBool());
        QVERIFY(!i.data(ComparisonModel::SignificantRole).toBool());
        QVERIFY(!i.data(ComparisonModel::PValueRole).isValid());
        QCOMPARE(f.model.index(i.row(), ComparisonModel::PValueColumn).data().toString(),
                 QStringLiteral("\u2014"));
        QCOMPARE(f.model.index(i.row(), ComparisonModel::SignificanceColumn).data().toString(),
                 QStringLiteral("not enough runs (4 vs 50)"));
        // The values are still shown.
        QVERIFY(f.model.index(i.row(), ComparisonModel::ValueColumn)
                    .data()
                    .toString()
                    .endsWith(QStringLiteral(" ms")));
        // With the minimum lowered to 4 it is tested.
        f.model.setMinimumRuns(4);
        QVERIFY(i.data(ComparisonModel::TestedRole).toBool());
    }

    void throughputIsTestedOnBuckets()
    {
        Fixture f;
        // Twice the runs per second. Each run's throughput sample is 1.0, so a
        // test on those could never tell; the per-bucket rates can.
        RunSpec base = spec("base-01", 100, 11, 720), busy = spec("busy-02", 100, 22, 1440);
        f.model.setInstances({QStringLiteral("base-01"), QStringLiteral("busy-02")});
        f.store.setResponse(nexus::testing::comparisonSeries({base, busy}));
        const QModelIndex i = cell(f.model, pb::METRIC_THROUGHPUT, "busy-02", 0);
        QVERIFY(i.data(ComparisonModel::SignificantRole).toBool());
        QCOMPARE(i.data(ComparisonModel::DirectionRole).toInt(), int(ComparisonModel::Better));
        QVERIFY(std::abs(i.data(ComparisonModel::DeltaPercentRole).toDouble() - 100) < 1e-6);
        QCOMPARE(f.model.index(i.row(), ComparisonModel::BaselineColumn).data().toString(),
                 QStringLiteral("0.20 runs/s"));
        QCOMPARE(f.model.index(i.row(), ComparisonModel::ValueColumn).data().toString(),
                 QStringLiteral("0.40 runs/s"));
        QCOMPARE(f.model.index(i.row(), ComparisonModel::SignificanceColumn).data().toString(),
                 QStringLiteral("significant, better"));
        // Cost per hour doubles with the runs; also tested on buckets.
        QVERIFY(cell(f.model, pb::METRIC_COST, "busy-02", 0)
                    .data(ComparisonModel::SignificantRole)
                    .toBool());
        QCOMPARE(cell(f.model, pb::METRIC_COST, "busy-02", 0)
                     .data(ComparisonModel::DirectionRole)
                     .toInt(),
                 int(ComparisonModel::Worse));
        // Same latency distribution: not significant.
        QVERIFY(!cell(f.model, pb::METRIC_LATENCY_P50, "busy-02", 0)
                     .data(ComparisonModel::SignificantRole)
                     .toBool());
    }

    void identityFlagsVersionAndGraphDifferences()
    {
        Fixture f;
        using nexus::testing::comparedInstance;
        f.fleet.applyUpdate(nexus::testing::fullUpdate({
            comparedInstance("base-01", "1.9.0", {"coding_agent", "research_team"}),
            comparedInstance("same-02", "1.9.0", {"research_team", "coding_agent"}),
            comparedInstance("newer-03", "2.0.0-rc1", {"coding_agent", "rag_pipeline"}),
        }));
        f.model.setInstances({QStringLiteral("base-01"), QStringLiteral("same-02"),
                              QStringLiteral("newer-03"), QStringLiteral("gone-04")});
        const ComparisonIdentityModel& id = *f.model.identityModel();
        using C = ComparisonIdentityModel;
        QCOMPARE(id.rowCount(), 4);
        QVERIFY(id.index(0, 0).data(C::BaselineRole).toBool());
        QCOMPARE(id.headerData(0, Qt::Vertical).toString(), QStringLiteral("baseline"));
        QCOMPARE(id.index(2, C::VersionColumn).data().toString(), QStringLiteral("2.0.0-rc1"));

        QVERIFY(!id.index(0, C::VersionColumn).data(C::DiffersRole).toBool()); // the baseline
        QVERIFY(!id.index(1, C::VersionColumn).data(C::DiffersRole).toBool());
        QVERIFY(
            !id.index(1, C::GraphsColumn).data(C::DiffersRole).toBool()); // order is no difference
        QVERIFY(id.index(2, C::VersionColumn).data(C::DiffersRole).toBool());
        QVERIFY(id.index(2, C::VersionColumn).data(C::HighlightRole).toBool());
        QVERIFY(id.index(2, C::VersionColumn).data(Qt::BackgroundRole).isValid());
        QVERIFY(id.index(2, C::VersionColumn).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!id.index(1, C::VersionColumn).data(Qt::BackgroundRole).isValid());
        QVERIFY(id.index(2, C::VersionColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("differs from base-01: 1.9.0")));
        QVERIFY(id.index(2, C::GraphsColumn).data(C::HighlightRole).toBool());
        const QString graphs = id.index(2, C::GraphsColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(graphs.contains(QStringLiteral("only here: rag_pipeline")), qPrintable(graphs));
        QVERIFY2(graphs.contains(QStringLiteral("missing here: research_team")),
                 qPrintable(graphs));
        // Hosts differ but are expected to: flagged, not highlighted.
        QVERIFY(id.index(1, C::HostColumn).data(C::DiffersRole).toBool());
        QVERIFY(!id.index(1, C::HostColumn).data(C::HighlightRole).toBool());
        // Not in the fleet: unknown, not different.
        QVERIFY(!id.index(3, 0).data(C::InFleetRole).toBool());
        QCOMPARE(id.index(3, C::StatusColumn).data().toString(), QStringLiteral("not in fleet"));
        QVERIFY(!id.index(3, C::VersionColumn).data(C::DiffersRole).toBool());

        // Live: same-02 is upgraded. dataChanged, no reset, and now flagged.
        QSignalSpy reset(f.model.identityModel(), &QAbstractItemModel::modelReset);
        QSignalSpy changed(f.model.identityModel(), &QAbstractItemModel::dataChanged);
        pb::FleetUpdate delta;
        *delta.add_upserted() =
            comparedInstance("same-02", "2.0.0-rc1", {"coding_agent", "research_team"});
        delta.set_as_of_us(nexus::testing::kAsOfUs + 1'000'000);
        f.fleet.applyUpdate(delta);
        QCOMPARE(reset.count(), 0);
        QVERIFY(changed.count() >= 1);
        QVERIFY(id.index(1, C::VersionColumn).data(C::HighlightRole).toBool());
    }

    void moreThanEightAreTruncated()
    {
        Fixture f;
        QStringList ids;
        for (int i = 1; i <= 11; ++i)
            ids << QStringLiteral("inst-%1").arg(i, 2, 10, QLatin1Char('0'));
        QSignalSpy kept(&f.model, &ComparisonModel::instancesChanged);
        f.model.setInstances(ids);
        QCOMPARE(f.model.instances().size(), 8);
        QCOMPARE(f.model.instances(), ids.mid(0, 8));
        QCOMPARE(f.model.droppedInstanceCount(), 3);
        QVERIFY(f.model.notice().contains(QStringLiteral("first 8 of 11")));
        QCOMPARE(f.model.rowCount(), ComparisonModel::kMetricCount * 7);
        QCOMPARE(f.model.identityModel()->rowCount(), 8);
        QCOMPARE(kept.count(), 1);
        QCOMPARE(kept.at(0).at(0).toStringList().size(), 8);
        f.model.setInstances(ids.mid(0, 3));
        QCOMPARE(f.model.droppedInstanceCount(), 0);
        QVERIFY(f.model.notice().isEmpty());
    }

    void liveStoreUpdateIsDataChangedNotReset()
    {
        Fixture f;
        f.model.setInstances({QStringLiteral("base-01"), QStringLiteral("slow-02")});
        f.store.setResponse(
            nexus::testing::comparisonSeries({spec("base-01", 100, 11), spec("slow-02", 100, 22)}));
        QVERIFY(!cell(f.model, pb::METRIC_LATENCY_P50, "slow-02", 0)
                     .data(ComparisonModel::SignificantRole)
                     .toBool());
        QSignalSpy reset(&f.model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&f.model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&f.model, &QAbstractItemModel::rowsInserted);
        f.store.setResponse(
            nexus::testing::comparisonSeries({spec("base-01", 100, 11), spec("slow-02", 300, 22)}));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(changed.count(), 1);
        QVERIFY(cell(f.model, pb::METRIC_LATENCY_P50, "slow-02", 0)
                    .data(ComparisonModel::SignificantRole)
                    .toBool());
        // The same response again changes nothing: no signal at all.
        f.store.setResponse(
            nexus::testing::comparisonSeries({spec("base-01", 100, 11), spec("slow-02", 300, 22)}));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(reset.count(), 0);
    }

    void requestAsksForSamplesOfEveryMetric()
    {
        Fixture f;
        f.fleet.applyUpdate(nexus::testing::fullUpdate(
            {nexus::testing::comparedInstance("base-01", "1.9.0", {"coding_agent"})}));
        f.model.setInstances({QStringLiteral("base-01"), QStringLiteral("slow-02")});
        f.model.setRangeSeconds(21600);
        const pb::GetMetricSeriesRequest r = f.model.request();
        QCOMPARE(r.instance_ids_size(), 2);
        QCOMPARE(r.instance_ids(0), std::string("base-01"));
        QCOMPARE(r.instance_ids(1), std::string("slow-02"));
        QCOMPARE(r.deployments_size(), 0);
        QCOMPARE(r.metrics_size(), ComparisonModel::kMetricCount);
        for (int i = 0; i < ComparisonModel::kMetricCount; ++i)
            QCOMPARE(r.metrics(i), int(nexus::testing::kComparedMetrics[i]));
        QVERIFY(r.include_samples());
        QCOMPARE(r.end_us(), nexus::testing::kAsOfUs); // the fleet's (server's) clock
        QCOMPARE(r.end_us() - r.start_us(), qint64(21600) * 1'000'000);
        QCOMPARE(f.model.request(1'000'000'000).end_us(), qint64(1'000'000'000));
    }
};

QTEST_GUILESS_MAIN(TestComparisonModel)
#include "tst_comparison_model.moc"
