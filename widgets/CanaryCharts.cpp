#include "widgets/CanaryCharts.h"

#include "models/RolloutFormat.h"
#include "widgets/ChartAxes.h"
#include "widgets/ThemeStyle.h"

#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QLineSeries>
#include <QRegularExpression>
#include <QScatterSeries>
#include <QStackedLayout>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nexus::widgets {

namespace pb = ::nexus::v1;
namespace fmt = ::nexus::models::rolloutfmt;

namespace {

struct ChartSpec
{
    const char* metric; // GetRolloutSeries id
    const char* title;
    const char* prefix; // y label text around the number
    const char* suffix;
    double scale;   // value as sent -> value shown
    double minSpan; // smallest y span shown (a flat line stays readable)
    bool fromZero;  // the y axis starts at 0 (rates)
};

constexpr ChartSpec kCharts[CanaryCharts::kChartCount] = {
    {"quality", "Quality (mean)", "", "", 1, 0.05, false},
    {"latency_p95_ms", "p95 latency", "", " ms", 1, 100, false},
    {"error_rate", "Error rate", "", " %%", 100, 2, true},
    {"cost_micros", "Cost per run", "$", "", 1e-6, 0.001, false},
};

int chartIndex(const QString& metric)
{
    for (int i = 0; i < CanaryCharts::kChartCount; ++i)
        if (metric == QLatin1String(kCharts[i].metric))
            return i;
    return -1;
}

// Decimals that show the ticks' step exactly (0.25 -> 2, 50 -> 0).
int decimalsFor(double step)
{
    for (int d = 0; d < 6; ++d) {
        const double scaled = step * std::pow(10.0, d);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled))
            return d;
    }
    return 6;
}

} // namespace

namespace canarycharts {

// One chart: both sides as points plus line pieces between neighbouring
// buckets, and the rollout's markers painted over the plot area.
class ChartPanel : public QChartView
{
public:
    struct Side
    {
        QScatterSeries* points = nullptr;
        std::vector<QLineSeries*> segments; // a pool: pieces are reused, never deleted
        int used = 0;                       // segments in use
        QHash<qint64, qint64> counts;       // point time (ms) -> runs behind it
    };

    ChartPanel(const ChartSpec& spec, QWidget* parent) : QChartView(new QChart, parent), spec_(spec)
    {
        setRenderHint(QPainter::Antialiasing);
        setMinimumSize(300, 210);
        QChart* c = chart();
        c->setTitle(QString::fromLatin1(spec.title));
        c->legend()->hide(); // one legend for all four charts, above them
        c->setMargins(QMargins(4, 2, 8, 2));
        c->setBackgroundRoundness(0);
        x_ = new QDateTimeAxis;
        x_->setFormat(QStringLiteral("HH:mm:ss"));
        x_->setTickCount(4);
        y_ = new QValueAxis;
        c->addAxis(x_, Qt::AlignBottom);
        c->addAxis(y_, Qt::AlignLeft);
        followPalette(this);
        // The baseline first, so the canary's points stay visible on top.
        sides_[0] = makeSide(CanaryCharts::baselineColor(), tr("Baseline"));
        sides_[1] = makeSide(CanaryCharts::canaryColor(), tr("Canary"));
    }

    const Side& side(bool canary) const { return sides_[canary ? 1 : 0]; }

    void setData(const pb::RolloutMetricSeries* series, qint64 startMs, qint64 endMs,
                 qint64 bucketMs, int timeTicks)
    {
        x_->setTickCount(std::max(2, timeTicks));
        double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
        for (bool canary : {false, true}) {
            Side& s = sides_[canary ? 1 : 0];
            QList<QPointF> points;
            s.counts.clear();
            if (series)
                for (const pb::SeriesPoint& p : canary ? series->canary() : series->baseline()) {
                    if (!std::isfinite(p.value()))
                        continue;
                    points.append(QPointF(double(p.t_us() / 1000), p.value() * spec_.scale));
                    s.counts.insert(p.t_us() / 1000, p.count());
                }
            std::sort(points.begin(), points.end(),
                      [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
            for (const QPointF& p : points) {
                lo = std::min(lo, p.y());
                hi = std::max(hi, p.y());
            }
            s.points->replace(points);
            setSegments(s, points, bucketMs);
        }
        if (lo > hi) { // no point on either side: an empty frame over the same time
            lo = 0;
            hi = spec_.minSpan;
        }
        if (spec_.fromZero)
            lo = std::min(lo, 0.0);
        fitAxes(x_, y_, {lo, hi, double(startMs), double(endMs)}, 0, spec_.minSpan);
        const double step = (y_->max() - y_->min()) / std::max(1, y_->tickCount() - 1);
        y_->setLabelFormat(QStringLiteral("%1%.%2f%3")
                               .arg(QLatin1String(spec_.prefix))
                               .arg(decimalsFor(step))
                               .arg(QLatin1String(spec_.suffix)));
        viewport()->update();
    }

    void setMarkers(std::vector<CanaryCharts::Marker> markers)
    {
        markers_ = std::move(markers);
        viewport()->update();
    }

protected:
    void drawForeground(QPainter* painter, const QRectF& rect) override
    {
        QChartView::drawForeground(painter, rect);
        if (markers_.empty())
            return;
        const QRectF plot = chart()->mapRectToScene(chart()->plotArea());
        const qint64 minMs = x_->min().toMSecsSinceEpoch(), maxMs = x_->max().toMSecsSinceEpoch();
        if (maxMs <= minMs)
            return;
        painter->save();
        QFont font = painter->font();
        font.setPointSizeF(font.pointSizeF() * 0.85);
        painter->setFont(font);
        const QFontMetrics metrics(font);
        std::vector<double> rowEnds; // right edge of the last label in each row
        for (const CanaryCharts::Marker& m : markers_) {
            if (m.atMs < minMs || m.atMs > maxMs)
                continue;
            const double x =
                plot.left() + plot.width() * double(m.atMs - minMs) / double(maxMs - minMs);
            QPen pen(m.color, 1.2, Qt::DashLine);
            painter->setPen(pen);
            painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
            // Labels at the top of the plot, moved down a row when they would overlap.
            const double width = metrics.horizontalAdvance(m.label) + 6;
            const double left = std::clamp(x + 2, plot.left(), plot.right() - width);
            std::size_t row = 0;
            while (row < rowEnds.size() && rowEnds[row] > left)
                ++row;
            if (row == rowEnds.size())
                rowEnds.push_back(0);
            rowEnds[row] = left + width + 2;
            const QRectF box(left, plot.top() + 1 + double(row) * (metrics.height() + 2), width,
                             metrics.height());
            painter->fillRect(box, QColor(255, 255, 255, 220));
            painter->setPen(m.color.darker(130));
            painter->drawText(box, Qt::AlignCenter, m.label);
        }
        painter->restore();
    }

private:
    Side makeSide(const QColor& color, const QString& name)
    {
        Side s;
        s.points = new QScatterSeries;
        s.points->setName(name);
        s.points->setColor(color);
        s.points->setBorderColor(color);
        s.points->setMarkerSize(6.5);
        chart()->addSeries(s.points);
        s.points->attachAxis(x_);
        s.points->attachAxis(y_);
        const bool canary = name == tr("Canary");
        connect(s.points, &QScatterSeries::hovered, this,
                [this, canary](const QPointF& p, bool entered) {
                    if (!entered) {
                        QToolTip::hideText();
                        return;
                    }
                    const qint64 ms = qint64(p.x());
                    const qint64 runs = side(canary).counts.value(ms);
                    const QString value =
                        fmt::metricValue(QLatin1String(spec_.metric), p.y() / spec_.scale);
                    QToolTip::showText(QCursor::pos(),
                                       tr("%1 at %2: %3 (%4 runs)")
                                           .arg(canary ? tr("Canary") : tr("Baseline"),
                                                QDateTime::fromMSecsSinceEpoch(ms).toString(
                                                    QStringLiteral("HH:mm:ss")),
                                                value, fmt::runCount(runs)),
                                       this);
                });
        return s;
    }

    // One line piece per run of neighbouring buckets; a missing bucket ends a piece.
    void setSegments(Side& s, const QList<QPointF>& points, qint64 bucketMs)
    {
        std::vector<QList<QPointF>> pieces;
        for (const QPointF& p : points) {
            if (pieces.empty() || p.x() - pieces.back().back().x() > 1.5 * double(bucketMs))
                pieces.emplace_back();
            pieces.back().append(p);
        }
        const QColor color = s.points->color();
        while (s.segments.size() < pieces.size()) {
            auto* line = new QLineSeries;
            line->setPen(QPen(color, 2));
            chart()->addSeries(line);
            line->attachAxis(x_);
            line->attachAxis(y_);
            s.segments.push_back(line);
        }
        for (std::size_t i = 0; i < s.segments.size(); ++i)
            s.segments[i]->replace(i < pieces.size() ? pieces[i] : QList<QPointF>());
        s.used = int(pieces.size());
    }

    const ChartSpec& spec_;
    QDateTimeAxis* x_ = nullptr;
    QValueAxis* y_ = nullptr;
    std::array<Side, 2> sides_;
    std::vector<CanaryCharts::Marker> markers_;
};

} // namespace canarycharts

using canarycharts::ChartPanel;

QColor CanaryCharts::canaryColor()
{
    return QColor(0xf9, 0x73, 0x16); // orange
}

QColor CanaryCharts::baselineColor()
{
    return QColor(0x25, 0x63, 0xeb); // blue
}

CanaryCharts::CanaryCharts(QWidget* parent) : QWidget(parent)
{
    auto* charts = new QWidget(this);
    auto* legendRow = new QHBoxLayout;
    legend_ = new QLabel(charts);
    legend_->setObjectName(QStringLiteral("chartLegend"));
    legend_->setTextFormat(Qt::RichText);
    legend_->setText(
        tr("<span style='color:%1; font-size:large'>&#9679;</span>&nbsp;Canary (the new "
           "version) &nbsp;&nbsp; <span style='color:%2; font-size:large'>&#9679;</span>&nbsp;"
           "Baseline (the rest of the rollout's runs)")
            .arg(canaryColor().name(), baselineColor().name()));
    totals_ = new QLabel(charts);
    totals_->setObjectName(QStringLiteral("chartTotals"));
    totals_->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(totals_, QStringLiteral("QLabel { color: #5f6368; }"));
    legendRow->addWidget(legend_);
    legendRow->addStretch();
    legendRow->addWidget(totals_);

    auto* grid = new QGridLayout;
    grid->setSpacing(4);
    for (int i = 0; i < kChartCount; ++i) {
        panels_[std::size_t(i)] = new ChartPanel(kCharts[i], charts);
        panels_[std::size_t(i)]->setObjectName(QStringLiteral("chart_") +
                                               QLatin1String(kCharts[i].metric));
        grid->addWidget(panels_[std::size_t(i)], i / 2, i % 2);
    }
    auto* chartsLayout = new QVBoxLayout(charts);
    chartsLayout->setContentsMargins(6, 4, 6, 0);
    chartsLayout->addLayout(legendRow);
    chartsLayout->addLayout(grid, 1);

    empty_ = new QLabel(this);
    empty_->setObjectName(QStringLiteral("emptyState"));
    empty_->setAlignment(Qt::AlignCenter);
    empty_->setWordWrap(true);
    empty_->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(empty_, QStringLiteral("QLabel { color: #5f6368; font-size: 14px; }"));

    stack_ = new QStackedLayout(this);
    stack_->addWidget(charts);
    stack_->addWidget(empty_);
    clear();
}

CanaryCharts::~CanaryCharts() = default;

void CanaryCharts::clear()
{
    series_ = pb::GetRolloutSeriesResponse();
    markers_.clear();
    for (ChartPanel* panel : panels_)
        panel->setMarkers({});
    refit();
}

void CanaryCharts::setSeries(const pb::GetRolloutSeriesResponse& series)
{
    series_ = series;
    refit();
}

void CanaryCharts::setMarkers(const pb::Rollout& rollout)
{
    markers_ = markersOf(rollout);
    for (ChartPanel* panel : panels_)
        panel->setMarkers(markers_);
}

void CanaryCharts::refit()
{
    // Ticks a round interval apart from the launch (5 min, not 6 min 40 s):
    // the frame ends on the first tick at or after the series' end.
    const qint64 startMs = series_.start_us() / 1000;
    const qint64 spanMs = std::max<qint64>(series_.end_us() / 1000 - startMs, 60'000);
    qint64 intervalMs = 0;
    for (qint64 seconds : {10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                           43200, 86400, 172800, 604800}) {
        intervalMs = seconds * 1000;
        if (spanMs <= 5 * intervalMs)
            break;
    }
    const qint64 intervals = std::max<qint64>(1, (spanMs + intervalMs - 1) / intervalMs);
    const qint64 endMs = startMs + intervals * intervalMs;
    const qint64 bucketMs = std::max<qint64>(1, series_.step_seconds()) * 1000;
    for (int i = 0; i < kChartCount; ++i) {
        const pb::RolloutMetricSeries* found = nullptr;
        for (const pb::RolloutMetricSeries& s : series_.series())
            if (s.metric() == kCharts[i].metric)
                found = &s;
        panels_[std::size_t(i)]->setData(found, startMs, endMs,
                                         series_.step_seconds() > 0 ? bucketMs : 60'000,
                                         int(intervals) + 1);
    }
    totals_->setText(series_.canary_runs() + series_.baseline_runs() > 0
                         ? tr("%1 canary and %2 baseline runs since the launch · buckets of %3")
                               .arg(fmt::runCount(series_.canary_runs()),
                                    fmt::runCount(series_.baseline_runs()),
                                    fmt::duration(std::max(1, series_.step_seconds())))
                         : QString());
    updateEmptyState();
}

void CanaryCharts::updateEmptyState()
{
    bool any = false;
    for (ChartPanel* panel : panels_)
        any =
            any || panel->side(true).points->count() > 0 || panel->side(false).points->count() > 0;
    empty_->setText(tr("No runs yet on either side.\nThe charts fill in as the rollout's runs "
                       "end, canary against baseline."));
    stack_->setCurrentIndex(any ? 0 : 1);
}

int CanaryCharts::pointCount(const QString& metric, bool canary) const
{
    const int i = chartIndex(metric);
    return i < 0 ? 0 : panels_[std::size_t(i)]->side(canary).points->count();
}

int CanaryCharts::segmentCount(const QString& metric, bool canary) const
{
    const int i = chartIndex(metric);
    return i < 0 ? 0 : panels_[std::size_t(i)]->side(canary).used;
}

bool CanaryCharts::isEmptyStateVisible() const
{
    return stack_->currentIndex() == 1;
}

QString CanaryCharts::emptyText() const
{
    return isEmptyStateVisible() ? empty_->text() : QString();
}

QStringList CanaryCharts::markerLabels() const
{
    QStringList labels;
    for (const Marker& m : markers_)
        labels << m.label;
    return labels;
}

QChart* CanaryCharts::chart(const QString& metric) const
{
    const int i = chartIndex(metric);
    return i < 0 ? nullptr : panels_[std::size_t(i)]->chart();
}

std::vector<CanaryCharts::Marker> CanaryCharts::markersOf(const pb::Rollout& rollout)
{
    static const QRegularExpression weight(QStringLiteral("weight (\\d+) %"));
    std::vector<Marker> out;
    for (const pb::RolloutEvent& e : rollout.history()) {
        const qint64 ms = e.at_us() / 1000;
        if (e.kind() == "weight") {
            const auto match = weight.match(QString::fromStdString(e.detail()));
            if (match.hasMatch())
                out.push_back(
                    {ms, match.captured(1) + QStringLiteral(" %"), QColor(0x4b, 0x55, 0x63)});
        } else if (e.kind() == "paused") {
            out.push_back({ms, tr("paused"), QColor(0xd9, 0x77, 0x06)});
        } else if (e.kind() == "promoted") {
            out.push_back({ms, tr("promoted"), QColor(0x15, 0x80, 0x3d)});
        } else if (e.kind() == "rolled_back") {
            out.push_back({ms, tr("rolled back"), QColor(0xdc, 0x26, 0x26)});
        } else if (e.kind() == "aborted") {
            out.push_back({ms, tr("aborted"), QColor(0x37, 0x41, 0x51)});
        }
    }
    return out;
}

} // namespace nexus::widgets
