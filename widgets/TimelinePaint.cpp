// TimelineView's painting: the time axis and grid, the lanes of spans, the
// event row's markers, the cursor and the lane gutter.
#include "widgets/TimelineFormat.h"
#include "widgets/TimelineView.h"

#include <QDateTime>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nexus::widgets {

using models::kNoIndex;
using models::NodeSpan;
using models::NodeState;

namespace {

constexpr int kMinTickPx = 96;

QColor stateColor(NodeState state)
{
    switch (state) {
    case NodeState::Active:
        return QColor(0x19, 0x76, 0xd2);
    case NodeState::Done:
        return QColor(0x38, 0x8e, 0x3c);
    case NodeState::Error:
        return QColor(0xd3, 0x2f, 0x2f);
    case NodeState::Pending:
        break;
    }
    return QColor(0x9e, 0x9e, 0x9e);
}

const QColor kCursorColor(0x6a, 0x1b, 0x9a);
const QColor kTokenColor(0x5c, 0x6b, 0xc0);
const QColor kMetricColor(0x54, 0x6e, 0x7a);
const QColor kToolColor(0x00, 0x89, 0x7b);
const QColor kIssueColor(0xef, 0x6c, 0x00);
const QColor kErrorColor(0xd3, 0x2f, 0x2f);

} // namespace

void TimelineView::paintEvent(QPaintEvent*)
{
    syncNow();
    QPainter p(viewport());
    const QRect all = viewport()->rect();
    p.fillRect(all, palette().base());
    if (!run_ || (index_.steps().empty() && index_.laneCount() == 0)) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(all, Qt::AlignCenter,
                   run_ ? QStringLiteral("Waiting for the first step…")
                        : QStringLiteral("No run selected"));
        return;
    }
    p.save();
    p.setClipRect(QRect(metrics_.gutter, 0, all.width() - metrics_.gutter, all.height()));
    paintLanes(p);
    paintAxisGrid(p);
    paintMarkers(p);
    paintCursor(p);
    p.restore();
    paintGutter(p);
}

void TimelineView::paintAxisGrid(QPainter& p) const
{
    const QRect all = viewport()->rect();
    const std::int64_t origin = run_->startUs != 0 ? run_->startUs : index_.minUs();
    const std::int64_t step = timelinefmt::niceTickStepUs(usPerPx_, kMinTickPx);
    const std::int64_t from = timeForX(plotLeft()) - origin;
    const std::int64_t to = timeForX(all.width()) - origin;
    std::int64_t tick = (from >= 0 ? (from + step - 1) / step : from / step) * step;

    p.fillRect(QRect(0, 0, all.width(), metrics_.axis), palette().window());
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(70);
    const QFontMetrics fm(font());
    double lastLabelRight = -1e9;
    for (; tick <= to; tick += step) {
        const double x = std::round(xForTime(origin + tick)) + 0.5;
        p.setPen(grid);
        p.drawLine(QPointF(x, metrics_.axis), QPointF(x, all.height()));
        p.setPen(palette().color(QPalette::WindowText));
        p.drawLine(QPointF(x, metrics_.axis - 5), QPointF(x, metrics_.axis));
        const QString label = timelinefmt::formatOffsetUs(tick, step);
        const int labelWidth = fm.horizontalAdvance(label);
        // The last label goes left of its tick rather than off the edge.
        const double labelX = x + 3 + labelWidth <= all.width() ? x + 3 : x - 3 - labelWidth;
        if (labelX < lastLabelRight + 8)
            continue;
        lastLabelRight = labelX + labelWidth;
        p.drawText(QPointF(labelX, (metrics_.axis - 5 + fm.ascent() - fm.descent()) / 2.0 + 1),
                   label);
    }
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(0, metrics_.axis, all.width(), metrics_.axis);
    p.drawLine(0, metrics_.header(), all.width(), metrics_.header());
}

void TimelineView::paintLanes(QPainter& p) const
{
    const QRect all = viewport()->rect();
    const int scrollY = verticalScrollBar()->value();
    const int firstLane = scrollY / metrics_.lane;
    const int lastLane = std::min(index_.laneCount() - 1,
                                  (scrollY + all.height() - metrics_.header()) / metrics_.lane);
    p.save();
    p.setClipRect(
        QRect(metrics_.gutter, metrics_.header(), all.width(), all.height() - metrics_.header()));
    const std::int64_t visibleFrom = timeForX(plotLeft() - 2);
    const std::int64_t visibleTo = timeForX(all.width() + 2);
    for (int lane = firstLane; lane <= lastLane; ++lane) {
        const int y = metrics_.header() + lane * metrics_.lane - scrollY;
        if (lane % 2)
            p.fillRect(QRect(0, y, all.width(), metrics_.lane), palette().alternateBase());
        const auto& spans = index_.lane(lane);
        const std::int64_t from = visibleFrom - index_.laneMaxDurationUs(lane);
        auto it = std::lower_bound(spans.begin(), spans.end(), from, [this](int s, std::int64_t v) {
            return run_->spans[std::size_t(s)].startUs < v;
        });
        int lastPixel = std::numeric_limits<int>::min();
        for (; it != spans.end() && run_->spans[std::size_t(*it)].startUs <= visibleTo; ++it)
            if (run_->spans[std::size_t(*it)].state != NodeState::Active)
                paintSpan(p, *it, lastPixel);
    }
    for (int index : index_.activeSpans()) {
        const int lane = TimelineIndex::laneOf(run_->spans[std::size_t(index)]);
        int lastPixel = std::numeric_limits<int>::min();
        if (lane >= firstLane && lane <= lastLane)
            paintSpan(p, index, lastPixel);
    }
    p.restore();
}

void TimelineView::paintSpan(QPainter& p, int spanIndex, int& lastPixel) const
{
    const NodeSpan& span = run_->spans[std::size_t(spanIndex)];
    const QRectF r = spanRect(spanIndex);
    const double width = viewport()->width();
    if (r.right() < plotLeft() || r.left() > width)
        return;
    const QColor color = stateColor(span.state);
    // Spans thinner than a pixel: one pixel column per pixel, errors always.
    if (r.width() < 1.5 && span.state != NodeState::Error && spanIndex != selectedSpan_) {
        const int px = int(std::floor(r.left()));
        if (px == lastPixel)
            return;
        lastPixel = px;
        p.fillRect(QRectF(px, r.top(), 1, r.height()), color);
        return;
    }
    QRectF bar = r;
    if (bar.width() < 2)
        bar.setWidth(2);
    p.setRenderHint(QPainter::Antialiasing, bar.width() > 6);
    p.setBrush(color);
    if (spanIndex == selectedSpan_)
        p.setPen(QPen(palette().color(QPalette::Text), 2));
    else
        p.setPen(Qt::NoPen);
    p.drawRoundedRect(bar, 3, 3);
    p.setRenderHint(QPainter::Antialiasing, false);

    // The label sticks to the visible part of the bar.
    const double textLeft = std::max(bar.left(), plotLeft()) + 5;
    const double textRight = std::min(bar.right(), width) - 5;
    const int available = int(textRight - textLeft);
    if (available < 16)
        return;
    QString name = QString::fromStdString(span.node);
    if (span.visit > 1)
        name += QStringLiteral(" #%1").arg(span.visit);
    const QString duration =
        span.state == NodeState::Active
            ? QStringLiteral("running")
            : timelinefmt::formatDurationUs(TimelineIndex::spanEndUs(*run_, span) - span.startUs);
    const QFontMetrics fm(font());
    const QString sep = QStringLiteral("  ");
    QString text = name + sep + duration;
    if (fm.horizontalAdvance(text) > available) {
        const int durationWidth = fm.horizontalAdvance(sep + duration);
        if (available - durationWidth >= 40)
            text = fm.elidedText(name, Qt::ElideRight, available - durationWidth) + sep + duration;
        else
            text = fm.elidedText(name, Qt::ElideRight, available);
    }
    p.setPen(Qt::white);
    p.drawText(QRectF(textLeft, bar.top(), available, bar.height()),
               Qt::AlignVCenter | Qt::AlignLeft | Qt::TextSingleLine, text);
}

void TimelineView::paintMarkers(QPainter& p) const
{
    const int top = metrics_.axis;
    const int bottom = metrics_.header();
    const double mid = (top + bottom) / 2.0;
    const double low = (mid + bottom) / 2.0;
    const std::int64_t from = timeForX(plotLeft() - 8);
    const std::int64_t to = timeForX(viewport()->width() + 8);
    p.setRenderHint(QPainter::Antialiasing, true);
    for (int k = 0; k < kMarkerKinds; ++k) {
        const auto kind = MarkerKind(k);
        const auto& markers = index_.markers(kind);
        auto [i, end] = TimelineIndex::range(markers, from, to);
        while (i < end) {
            const int px = int(std::floor(xForTime(markers[i].us)));
            const double x = px + 0.5;
            switch (kind) {
            // Problems in the upper band, activity in the lower one.
            case MarkerKind::Token:
                p.setPen(QPen(kTokenColor, 1));
                p.drawLine(QPointF(x, mid + 2), QPointF(x, bottom - 2));
                break;
            case MarkerKind::Metric:
                p.setPen(Qt::NoPen);
                p.setBrush(kMetricColor);
                p.drawEllipse(QPointF(x, low), 2.5, 2.5);
                break;
            case MarkerKind::Tool: {
                p.setPen(QPen(palette().color(QPalette::Base), 1));
                p.setBrush(kToolColor);
                const QPointF d[] = {
                    {x, low - 4.5}, {x + 4.5, low}, {x, low + 4.5}, {x - 4.5, low}};
                p.drawPolygon(d, 4);
                break;
            }
            case MarkerKind::Issue: {
                p.setPen(QPen(kIssueColor, 1.5));
                p.drawLine(QPointF(x, top + 2), QPointF(x, mid));
                p.setPen(Qt::NoPen);
                p.setBrush(kIssueColor);
                const QPointF f[] = {{x, top + 2.0}, {x + 8, top + 5.5}, {x, top + 9.0}};
                p.drawPolygon(f, 3);
                break;
            }
            case MarkerKind::Error: {
                p.setPen(QPen(palette().color(QPalette::Base), 1));
                p.setBrush(kErrorColor);
                const QPointF t[] = {{x - 5.5, top + 2.0}, {x + 5.5, top + 2.0}, {x, mid + 1.0}};
                p.drawPolygon(t, 3);
                break;
            }
            }
            // Everything else on this pixel is the same mark: skip it.
            const std::int64_t nextUs = timeForX(px + 1);
            auto next = std::lower_bound(
                markers.begin() + std::ptrdiff_t(i) + 1, markers.begin() + std::ptrdiff_t(end),
                nextUs, [](const TimedStep& s, std::int64_t t) { return s.us < t; });
            i = std::size_t(next - markers.begin());
        }
    }
    p.setRenderHint(QPainter::Antialiasing, false);
}

void TimelineView::paintCursor(QPainter& p) const
{
    if (cursor_ == kNoIndex)
        return;
    const double x = std::round(xForStep(cursor_));
    if (x < plotLeft() - 1 || x > viewport()->width() + 1)
        return;
    p.setPen(QPen(kCursorColor, 2));
    p.drawLine(QPointF(x, metrics_.axis - 6), QPointF(x, viewport()->height()));
    // A handle on the axis naming the step.
    const QFontMetrics fm(font());
    const QString label = QStringLiteral("step %1").arg(cursor_);
    const int w = fm.horizontalAdvance(label) + 10;
    const int h = fm.height() + 2;
    double left = x + 1;
    if (left + w > viewport()->width())
        left = x - 1 - w;
    const QRectF handle(left, (metrics_.axis - h) / 2.0 - 1, w, h);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(Qt::NoPen);
    p.setBrush(kCursorColor);
    p.drawRoundedRect(handle, 3, 3);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(Qt::white);
    p.drawText(handle, Qt::AlignCenter, label);
}

void TimelineView::paintGutter(QPainter& p) const
{
    const QRect all = viewport()->rect();
    const int g = metrics_.gutter;
    p.fillRect(QRect(0, 0, g, all.height()), palette().window());
    p.setPen(palette().color(QPalette::WindowText));
    const std::int64_t origin = run_->startUs != 0 ? run_->startUs : index_.minUs();
    const QString start =
        QDateTime::fromMSecsSinceEpoch(origin / 1000).toString(QStringLiteral("HH:mm:ss"));
    p.drawText(QRect(6, 0, g - 10, metrics_.axis), Qt::AlignVCenter | Qt::AlignLeft, start);
    p.drawText(QRect(6, metrics_.axis, g - 10, metrics_.events), Qt::AlignVCenter | Qt::AlignLeft,
               QStringLiteral("Events"));
    p.save();
    p.setClipRect(QRect(0, metrics_.header(), g, all.height() - metrics_.header()));
    const int scrollY = verticalScrollBar()->value();
    for (int lane = 0; lane < index_.laneCount(); ++lane) {
        const int y = metrics_.header() + lane * metrics_.lane - scrollY;
        if (y + metrics_.lane < metrics_.header() || y > all.height())
            continue;
        if (lane % 2)
            p.fillRect(QRect(0, y, g, metrics_.lane), palette().alternateBase());
        p.drawText(QRect(6, y, g - 10, metrics_.lane), Qt::AlignVCenter | Qt::AlignLeft,
                   QStringLiteral("Lane %1").arg(lane + 1));
    }
    p.restore();
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(g - 1, 0, g - 1, all.height());
    p.drawLine(0, metrics_.axis, g, metrics_.axis);
    p.drawLine(0, metrics_.header(), g, metrics_.header());
}

} // namespace nexus::widgets
