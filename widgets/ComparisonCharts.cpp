#include "widgets/ComparisonCharts.h"

#include "models/ComparisonModel.h"
#include "models/MetricSeriesStore.h"
#include "widgets/ChartAxes.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <limits>

namespace nexus::widgets {
namespace {

using nexus::models::ComparisonModel;

struct ChartSpec
{
    const char* title;
    const char* format; // y axis label format
    double scale;       // value as sent -> value shown
    double minSpan;     // smallest y span shown (a flat line stays readable)
};

// In ComparisonModel::metricAt order.
constexpr ChartSpec kCharts[ComparisonCharts::kChartCount] = {
    {"Throughput (runs/s)", "%.2f", 1, 0.5},
    {"Error rate (%)", "%.1f", 100, 2},
    {"p50 latency (ms)", "%.0f", 1, 100},
    {"p95 latency (ms)", "%.0f", 1, 100},
    {"Quality", "%.2f", 1, 0.05},
    {"Cost ($/hour)", "%.2f", 1e-6, 1},
};

constexpr qreal kBaselineWidth = 3.2;
constexpr qreal kLineWidth = 1.6;

} // namespace

ComparisonCharts::ComparisonCharts(QWidget* parent) : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    for (int i = 0; i < kChartCount; ++i) {
        auto* chart = new QChart;
        chart->setTitle(QString::fromLatin1(kCharts[i].title));
        chart->legend()->hide();
        chart->setMargins(QMargins(4, 2, 8, 2));
        chart->setBackgroundRoundness(0);
        auto* view = new QChartView(chart, this);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumSize(240, 170);
        followPalette(view);
        views_[std::size_t(i)] = view;
        grid->addWidget(view, i / 3, i % 3);
    }
}

void ComparisonCharts::setModel(nexus::models::ComparisonModel* model)
{
    model_ = model;
    refresh();
}

void ComparisonCharts::setRangeSeconds(int seconds)
{
    rangeSeconds_ = std::max(60, seconds);
}

QChart* ComparisonCharts::chart(int metricIndex) const
{
    return views_[std::size_t(std::clamp(metricIndex, 0, kChartCount - 1))]->chart();
}

void ComparisonCharts::refresh()
{
    const nexus::models::MetricSeriesStore* store = model_ ? model_->series() : nullptr;
    const QStringList ids = model_ ? model_->instances() : QStringList();
    for (int i = 0; i < kChartCount; ++i) {
        QChart* chart = views_[std::size_t(i)]->chart();
        chart->removeAllSeries();
        for (QAbstractAxis* axis : chart->axes()) {
            chart->removeAxis(axis);
            delete axis;
        }
        auto* x = new QDateTimeAxis;
        x->setFormat(rangeSeconds_ > 21600 ? QStringLiteral("dd HH:mm") : QStringLiteral("HH:mm"));
        x->setTickCount(5);
        auto* y = new QValueAxis;
        y->setLabelFormat(QString::fromLatin1(kCharts[i].format));
        y->setTickCount(5);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        styleChart(chart, palette());
        double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
        double t0 = lo, t1 = hi;
        const auto metric = ComparisonModel::metricAt(i);
        // The baseline first: the thinner lines stay visible on top of it.
        for (int k = 0; k < ids.size() && store; ++k) {
            const auto* data = store->series(metric, ids[k], false);
            if (!data || data->points.isEmpty())
                continue;
            QList<QPointF> points = data->points;
            for (QPointF& p : points) {
                p.setY(p.y() * kCharts[i].scale);
                lo = std::min(lo, p.y());
                hi = std::max(hi, p.y());
            }
            t0 = std::min(t0, points.front().x());
            t1 = std::max(t1, points.back().x());
            auto* line = new QLineSeries;
            line->setName(ids[k].toHtmlEscaped()); // series names may render as rich text
            line->setPen(
                QPen(ComparisonModel::instanceColor(k), k == 0 ? kBaselineWidth : kLineWidth));
            line->replace(points);
            line->setPointsVisible(points.size() < 5); // a line needs two points
            chart->addSeries(line);
            line->attachAxis(x);
            line->attachAxis(y);
        }
        fitAxes(x, y, {lo, hi, t0, t1}, rangeSeconds_, kCharts[i].minSpan);
    }
}

} // namespace nexus::widgets
