// What the deployment charts draw from: gaps where a bucket had no runs for
// a metric that needs runs, zeros where a rate really is zero, and hostile
// values dropped.
#include "models/MetricSeriesStore.h"

#include <QTest>

#include <cmath>

namespace pb = ::nexus::v1;

namespace {

void addSeries(pb::GetMetricSeriesResponse& r, pb::Metric metric,
               std::initializer_list<std::pair<double, int>> points)
{
    auto* s = r.add_series();
    s->set_key("dasher");
    s->set_is_deployment(true);
    s->set_metric(metric);
    std::int64_t t = 1'700'000'000'000'000;
    for (const auto& [value, count] : points) {
        auto* p = s->add_points();
        p->set_t_us(t);
        p->set_value(value);
        p->set_count(count);
        t += 60'000'000;
    }
}

} // namespace

class TestMetricSeriesStore : public QObject
{
    Q_OBJECT
private slots:
    void emptyBucketsAreGapsForRatiosAndZerosForRates()
    {
        pb::GetMetricSeriesResponse response;
        addSeries(response, pb::METRIC_QUALITY, {{0, 0}, {0.8, 12}, {0, 0}, {0.9, 3}});
        addSeries(response, pb::METRIC_LATENCY_P95, {{0, 0}, {1200, 12}});
        addSeries(response, pb::METRIC_THROUGHPUT, {{0, 0}, {0.2, 12}});
        addSeries(response, pb::METRIC_ERROR_RATE, {{0, 0}, {std::nan(""), 4}, {0.1, 5}});
        nexus::models::MetricSeriesStore store;
        store.setResponse(response);
        const QString dasher = QStringLiteral("dasher");
        QCOMPARE(store.series(pb::METRIC_QUALITY, dasher, true)->points.size(), 2);
        QCOMPARE(store.series(pb::METRIC_QUALITY, dasher, true)->points.at(0).y(), 0.8);
        QCOMPARE(store.series(pb::METRIC_LATENCY_P95, dasher, true)->points.size(), 1);
        QCOMPARE(store.series(pb::METRIC_THROUGHPUT, dasher, true)->points.size(),
                 2); // 0 runs/s is a value
        QCOMPARE(store.series(pb::METRIC_ERROR_RATE, dasher, true)->points.size(),
                 1); // gap and NaN dropped
    }
};

QTEST_GUILESS_MAIN(TestMetricSeriesStore)
#include "tst_metric_series_store.moc"
