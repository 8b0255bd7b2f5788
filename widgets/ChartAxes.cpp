#include "widgets/ChartAxes.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QLegend>
#include <QPalette>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nexus::widgets {

AxisData emptyAxisData()
{
    const double max = std::numeric_limits<double>::max();
    return {max, -max, max, -max};
}

void fitAxes(QDateTimeAxis* x, QValueAxis* y, AxisData d, int rangeSeconds, double minSpan)
{
    if (d.lo > d.hi) { // nothing to show: an empty, labelled frame ending now
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        d = {0, minSpan, double(now - qint64(rangeSeconds) * 1000), double(now)};
    }
    double lo = d.lo, hi = d.hi;
    const double pad = (hi - lo) * 0.1;
    lo -= pad;
    hi += pad;
    if (hi - lo < minSpan) { // a flat line: centre it in a readable span
        const double mid = (hi + lo) / 2;
        lo = mid - minSpan / 2;
        hi = mid + minSpan / 2;
    }
    if (lo < 0 && d.lo >= 0) { // nothing here is negative: start at zero
        hi -= lo;
        lo = 0;
    }
    // Round ticks, 4-6 of them (QValueAxis::applyNiceNumbers may choose
    // more than a small chart has room for, and Qt then elides every label).
    const double raw = (hi - lo) / 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude * 10;
    for (double f : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (f * magnitude >= raw) {
            step = f * magnitude;
            break;
        }
    lo = std::floor(lo / step + 1e-9) * step;
    hi = std::ceil(hi / step - 1e-9) * step;
    y->setRange(lo, hi);
    y->setTickCount(int(std::lround((hi - lo) / step)) + 1);
    // Every chart spans the selected range, so charts line up in time (a
    // metric that needs runs may have data only at the end).
    const double t0 = std::min(d.t0, d.t1 - double(rangeSeconds) * 1000.0);
    x->setRange(QDateTime::fromMSecsSinceEpoch(qint64(t0)),
                QDateTime::fromMSecsSinceEpoch(qint64(d.t1)));
}

namespace {

QColor blend(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

class PaletteFollower : public QObject
{
public:
    explicit PaletteFollower(QChartView* view) : QObject(view), view_(view) {}

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == view_ && event->type() == QEvent::PaletteChange) {
            styleChart(view_->chart(), view_->palette());
            view_->setBackgroundBrush(view_->palette().base());
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QChartView* view_;
};

} // namespace

void styleChart(QChart* chart, const QPalette& palette)
{
    if (!chart)
        return;
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    chart->setBackgroundBrush(base);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    const QColor labels = blend(base, text, 0.75);
    const QColor line = blend(base, text, 0.45);
    const QColor grid = blend(base, text, 0.15);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsColor(labels);
        axis->setTitleBrush(text);
        axis->setLinePenColor(line);
        axis->setGridLineColor(grid);
        axis->setMinorGridLineColor(grid);
    }
}

void followPalette(QChartView* view)
{
    styleChart(view->chart(), view->palette());
    view->setBackgroundBrush(view->palette().base());
    view->installEventFilter(new PaletteFollower(view));
}

} // namespace nexus::widgets
