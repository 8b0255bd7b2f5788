#pragma once
// Per-deployment time series (throughput, error rate, p95 latency, quality,
// cost): one Qt Charts chart per metric, one line per deployment, the same
// colour for a deployment in every chart. Reads a MetricSeriesStore; the time
// range selector only emits rangeChanged(seconds) — the app fetches.

#include <QWidget>

#include <array>

class QButtonGroup;
class QChart;
class QChartView;
class QTimer;

namespace nexus::models {
class MetricSeriesStore;
}

namespace nexus::widgets {

class DeploymentCharts : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMetricCount = 5;

    explicit DeploymentCharts(QWidget* parent = nullptr);

    void setStore(nexus::models::MetricSeriesStore* store);
    void setRangeSeconds(int seconds); // selects the button; emits nothing
    int rangeSeconds() const { return rangeSeconds_; }
    QChart* chart(int metricIndex) const; // 0..4 in the order above; for tests

public slots:
    void refresh(); // rebuild the lines now (normally coalesced after seriesChanged)

signals:
    void rangeChanged(int seconds); // 900, 3600, 21600 or 86400

private:
    nexus::models::MetricSeriesStore* store_ = nullptr;
    std::array<QChartView*, kMetricCount> views_{};
    QButtonGroup* ranges_ = nullptr;
    QTimer* coalesce_ = nullptr;
    int rangeSeconds_ = 3600;
};

} // namespace nexus::widgets
