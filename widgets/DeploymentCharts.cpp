#include "widgets/DeploymentCharts.h"

#include "models/MetricSeriesStore.h"
#include "widgets/ChartAxes.h"

#include <QButtonGroup>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QTimer>
#include <QToolButton>
#include <QValueAxis>

#include <algorithm>
#include <limits>

namespace nexus::widgets {
namespace {

struct MetricSpec
{
    nexus::v1::Metric metric;
    const char* title;
    const char* format; // y axis label format
    double scale;       // value as sent -> value shown
    double minSpan;     // smallest y span shown (a flat line stays readable)
};

constexpr MetricSpec kMetrics[DeploymentCharts::kMetricCount] = {
    {nexus::v1::METRIC_THROUGHPUT, "Throughput (runs/s)", "%.1f", 1, 0.5},
    {nexus::v1::METRIC_ERROR_RATE, "Error rate (%)", "%.1f", 100, 2},
    {nexus::v1::METRIC_LATENCY_P95, "p95 latency (ms)", "%.0f", 1, 100},
    {nexus::v1::METRIC_QUALITY, "Quality", "%.2f", 1, 0.05},
    {nexus::v1::METRIC_COST, "Cost ($/hour)", "%.2f", 1e-6, 1},
};

struct RangeSpec
{
    int seconds;
    const char* label;
};
constexpr RangeSpec kRanges[] = {{900, "15 min"}, {3600, "1 h"}, {21600, "6 h"}, {86400, "24 h"}};

// Fixed, distinguishable colours; a deployment keeps its colour in every chart.
QColor deploymentColor(int index)
{
    static const QColor palette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                     QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                                     QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b)};
    return palette[index % int(std::size(palette))];
}

} // namespace

DeploymentCharts::DeploymentCharts(QWidget* parent) : QWidget(parent)
{
    auto* top = new QHBoxLayout;
    auto* title = new QLabel(tr("Deployments"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    top->addWidget(title);
    top->addStretch();
    ranges_ = new QButtonGroup(this);
    ranges_->setExclusive(true);
    for (const RangeSpec& r : kRanges) {
        auto* button = new QToolButton(this);
        button->setText(QString::fromLatin1(r.label));
        button->setCheckable(true);
        button->setChecked(r.seconds == rangeSeconds_);
        button->setAutoRaise(false);
        ranges_->addButton(button, r.seconds);
        top->addWidget(button);
    }
    connect(ranges_, &QButtonGroup::idClicked, this, [this](int seconds) {
        if (seconds == rangeSeconds_)
            return;
        rangeSeconds_ = seconds;
        emit rangeChanged(seconds);
    });

    auto* grid = new QGridLayout;
    grid->setSpacing(4);
    for (int i = 0; i < kMetricCount; ++i) {
        auto* chart = new QChart;
        chart->setTitle(QString::fromLatin1(kMetrics[i].title));
        chart->legend()->setAlignment(Qt::AlignBottom);
        chart->setMargins(QMargins(4, 4, 4, 4));
        chart->setBackgroundRoundness(0);
        auto* view = new QChartView(chart, this);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumSize(260, 200);
        followPalette(view);
        views_[std::size_t(i)] = view;
        grid->addWidget(view, i / 3, i % 3);
    }
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(grid, 1);

    coalesce_ = new QTimer(this);
    coalesce_->setSingleShot(true);
    coalesce_->setInterval(40);
    connect(coalesce_, &QTimer::timeout, this, &DeploymentCharts::refresh);
}

void DeploymentCharts::setStore(nexus::models::MetricSeriesStore* store)
{
    if (store_)
        disconnect(store_, nullptr, this, nullptr);
    store_ = store;
    if (store_)
        connect(store_, &nexus::models::MetricSeriesStore::seriesChanged, coalesce_,
                qOverload<>(&QTimer::start));
    refresh();
}

void DeploymentCharts::setRangeSeconds(int seconds)
{
    if (auto* button = ranges_->button(seconds)) {
        button->setChecked(true);
        rangeSeconds_ = seconds;
    }
}

QChart* DeploymentCharts::chart(int metricIndex) const
{
    return views_[std::size_t(metricIndex)]->chart();
}

void DeploymentCharts::refresh()
{
    coalesce_->stop();
    // Colours follow the sorted union of deployments, so they agree across charts.
    QStringList deployments;
    if (store_)
        for (const MetricSpec& m : kMetrics)
            for (const QString& key : store_->keys(m.metric, true))
                if (!deployments.contains(key))
                    deployments << key;
    deployments.sort();

    for (int i = 0; i < kMetricCount; ++i) {
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
        y->setLabelFormat(QString::fromLatin1(kMetrics[i].format));
        y->setTickCount(5);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        styleChart(chart, palette());
        double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
        double t0 = lo, t1 = hi;
        for (int d = 0; d < deployments.size(); ++d) {
            const auto* data = store_->series(kMetrics[i].metric, deployments[d], true);
            if (!data || data->points.isEmpty())
                continue;
            QList<QPointF> points = data->points;
            for (QPointF& p : points) {
                p.setY(p.y() * kMetrics[i].scale);
                lo = std::min(lo, p.y());
                hi = std::max(hi, p.y());
            }
            t0 = std::min(t0, points.front().x());
            t1 = std::max(t1, points.back().x());
            auto* line = new QLineSeries;
            line->setName(deployments[d].toHtmlEscaped()); // legends render rich text
            line->setColor(deploymentColor(d));
            line->replace(points);
            // A line needs two points; a young fleet may have one bucket.
            line->setPointsVisible(points.size() < 5);
            chart->addSeries(line);
            line->attachAxis(x);
            line->attachAxis(y);
        }
        fitAxes(x, y, {lo, hi, t0, t1}, rangeSeconds_, kMetrics[i].minSpan);
    }
}

} // namespace nexus::widgets
