#pragma once
// Canary against baseline over time (GetRolloutSeries): four Qt Charts in a
// 2×2 grid — quality (mean), p95 latency, error rate, cost per run — with the
// canary in orange and the baseline in blue in every chart and one legend
// above them. x is wall-clock time; each side is drawn as points joined by
// lines, and a bucket without runs on a side is a gap in that side's line,
// never a drop to zero. Vertical markers show what happened to the rollout
// (weight changes, pauses, promotion, rollback, abort), labelled.
//
// setSeries replaces the points of the existing series in place, so a
// periodic refresh does not flicker. With no point on either side the
// charts give way to a sentence.

#include "nexus/v1/rollouts.pb.h"

#include <QWidget>

#include <array>
#include <vector>

class QChart;
class QLabel;
class QStackedLayout;

namespace nexus::widgets {

namespace canarycharts {
class ChartPanel;
}

class CanaryCharts : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kChartCount = 4;

    explicit CanaryCharts(QWidget* parent = nullptr);
    ~CanaryCharts() override;

    // Replaces the points in place (no flicker, no new charts).
    void setSeries(const nexus::v1::GetRolloutSeriesResponse& series);
    // Vertical markers at weight changes / pauses / promotion / rollback.
    void setMarkers(const nexus::v1::Rollout& rollout);
    void clear();

    // For tests. metric = the series id ("quality", "latency_p95_ms",
    // "error_rate", "cost_micros").
    int pointCount(const QString& metric, bool canary) const;
    // Separate line pieces of a side (1 without gaps; 0 without points).
    int segmentCount(const QString& metric, bool canary) const;
    bool isEmptyStateVisible() const;
    QString emptyText() const;
    QStringList markerLabels() const;
    QChart* chart(const QString& metric) const;

    static QColor canaryColor();
    static QColor baselineColor();

    struct Marker
    {
        qint64 atMs;
        QString label; // "25 %", "paused", "promoted", "rolled back", "aborted"
        QColor color;
    };
    // The markers a rollout's history gives, oldest first.
    static std::vector<Marker> markersOf(const nexus::v1::Rollout& rollout);

private:
    void updateEmptyState();
    void refit();

    std::array<canarycharts::ChartPanel*, kChartCount> panels_{};
    QStackedLayout* stack_ = nullptr;
    QLabel* empty_ = nullptr;
    QLabel* totals_ = nullptr;
    QLabel* legend_ = nullptr;
    nexus::v1::GetRolloutSeriesResponse series_;
    std::vector<Marker> markers_;
};

} // namespace nexus::widgets
