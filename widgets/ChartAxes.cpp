#include "widgets/ChartAxes.h"

#include <QDateTime>
#include <QDateTimeAxis>
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

} // namespace nexus::widgets
