#pragma once
// The charts of an instance comparison: one Qt Charts chart per compared
// metric, one line per instance in the instance's colour (the same in every
// chart and table; ComparisonModel::instanceColor), the baseline's line
// thicker. No legends: the comparison's header is the legend.

#include <QWidget>

#include <array>

class QChart;
class QChartView;

namespace nexus::models {
class ComparisonModel;
}

namespace nexus::widgets {

class ComparisonCharts : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kChartCount = 6; // ComparisonModel::kMetricCount

    explicit ComparisonCharts(QWidget* parent = nullptr);

    void setModel(nexus::models::ComparisonModel* model);
    void setRangeSeconds(int seconds); // the x axis spans at least this much
    QChart* chart(int metricIndex) const;

public slots:
    void refresh(); // rebuild the lines from the model's store

private:
    nexus::models::ComparisonModel* model_ = nullptr;
    std::array<QChartView*, kChartCount> views_{};
    int rangeSeconds_ = 3600;
};

} // namespace nexus::widgets
