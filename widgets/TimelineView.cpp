#include "widgets/TimelineView.h"

#include "widgets/TimelineFormat.h"

#include <QDateTime>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QTextDocument>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace nexus::widgets {

using models::kNoIndex;
using models::NodeSpan;
using models::NodeState;

namespace {

constexpr int kRightPad = 12;
constexpr double kMaxContentPx = 1e9; // keeps scroll bar values in int range
constexpr double kMinUsPerPx = 0.01;
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

QString stateText(NodeState state)
{
    switch (state) {
    case NodeState::Active:
        return QStringLiteral("running");
    case NodeState::Done:
        return QStringLiteral("done");
    case NodeState::Error:
        return QStringLiteral("error");
    case NodeState::Pending:
        break;
    }
    return QStringLiteral("pending");
}

QString oneLine(const std::string& text, int maxChars = 160)
{
    QString s = QString::fromStdString(text).simplified();
    if (s.size() > maxChars)
        s = s.left(maxChars) + QChar(0x2026);
    return s;
}

} // namespace

TimelineView::TimelineView(QWidget* parent)
    : QAbstractScrollArea(parent), syncTimer_(new QTimer(this))
{
    syncTimer_->setSingleShot(true);
    syncTimer_->setInterval(0);
    connect(syncTimer_, &QTimer::timeout, this, &TimelineView::syncNow);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    viewport()->setMouseTracking(true);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    connect(horizontalScrollBar(), &QScrollBar::actionTriggered, this, [this] {
        // Scrolling back in time by hand stops following the live end.
        if (followLive_ &&
            horizontalScrollBar()->sliderPosition() < horizontalScrollBar()->maximum())
            setFollowLive(false);
    });
    const QFontMetrics fm(font());
    metrics_.gutter = std::max(fm.horizontalAdvance(QStringLiteral("Lane 888")),
                               fm.horizontalAdvance(QStringLiteral("00:00:00"))) +
                      18;
    metrics_.axis = fm.height() + 10;
    metrics_.events = std::max(26, fm.height() + 10);
    metrics_.lane = fm.height() + 12;
}

TimelineView::~TimelineView() = default;

QSize TimelineView::sizeHint() const
{
    const int lanes = std::clamp(laneCount(), 3, 8);
    return {800, metrics_.header() + lanes * metrics_.lane + 2 * frameWidth() +
                     horizontalScrollBar()->sizeHint().height()};
}

QSize TimelineView::minimumSizeHint() const
{
    return {metrics_.gutter + 120, metrics_.header() + metrics_.lane + 2 * frameWidth()};
}

// --- binding -----------------------------------------------------------------

void TimelineView::setRun(const models::Run* run)
{
    run_ = run;
    index_.reset();
    indexDirty_ = run != nullptr;
    cursor_ = kNoIndex;
    selectedSpan_ = -1;
    fitted_ = true;
    layoutDirty_ = true;
    syncNow();
    viewport()->update();
}

void TimelineView::clear()
{
    setRun(nullptr);
}

void TimelineView::runChanged()
{
    if (!run_)
        return;
    indexDirty_ = true;
    if (!syncTimer_->isActive())
        syncTimer_->start();
}

void TimelineView::sync() const
{
    if (!indexDirty_)
        return;
    indexDirty_ = false;
    if (run_)
        index_.sync(*run_);
    layoutDirty_ = true;
}

void TimelineView::syncNow()
{
    sync();
    if (!layoutDirty_)
        return;
    layoutDirty_ = false;
    if (run_) {
        if (selectedSpan_ >= int(run_->spans.size()))
            selectedSpan_ = -1;
        if (cursor_ != kNoIndex && cursor_ >= run_->steps.size())
            cursor_ = run_->steps.empty() ? kNoIndex : std::uint32_t(run_->steps.size() - 1);
    }
    if (fitted_)
        fitScale();
    updateScrollBars();
    if (followLive_ && !fitted_)
        horizontalScrollBar()->setValue(horizontalScrollBar()->maximum());
    viewport()->update();
}

void TimelineView::setFollowLive(bool follow)
{
    if (follow == followLive_)
        return;
    followLive_ = follow;
    if (follow) {
        syncNow();
        horizontalScrollBar()->setValue(horizontalScrollBar()->maximum());
    }
    emit followLiveChanged(follow);
}

void TimelineView::setCursorStep(std::uint32_t step)
{
    syncNow();
    if (!run_ || run_->steps.empty())
        step = kNoIndex;
    else if (step != kNoIndex && step >= run_->steps.size())
        step = std::uint32_t(run_->steps.size() - 1);
    if (step == cursor_)
        return;
    cursor_ = step;
    if (step != kNoIndex && !followLive_)
        ensureTimeVisible(run_->steps[step].timestampUs);
    viewport()->update();
}

void TimelineView::userMovesCursor(std::uint32_t step)
{
    if (step == kNoIndex)
        return;
    cursor_ = step;
    viewport()->update();
    emit cursorMoved(step);
}

// --- geometry ----------------------------------------------------------------

int TimelineView::laneCount() const
{
    sync();
    return index_.laneCount();
}

double TimelineView::plotWidth() const
{
    return std::max(10.0, double(viewport()->width() - metrics_.gutter - kRightPad));
}

std::int64_t TimelineView::spanUs() const
{
    // In double: timestamps from the wire may be far apart (or garbage).
    return std::int64_t(std::clamp(double(index_.maxUs()) - double(index_.minUs()), 1.0, 1e15));
}

double TimelineView::xForTime(std::int64_t us) const
{
    sync();
    return plotLeft() + (double(us) - double(index_.minUs())) / usPerPx_ -
           horizontalScrollBar()->value();
}

std::int64_t TimelineView::timeForX(double x) const
{
    sync();
    const double t = double(index_.minUs()) +
                     std::floor((x - plotLeft() + horizontalScrollBar()->value()) * usPerPx_);
    return std::int64_t(std::clamp(t, -9.2e18, 9.2e18));
}

double TimelineView::xForStep(std::uint32_t step) const
{
    if (!run_ || step >= run_->steps.size())
        return -1;
    return xForTime(run_->steps[step].timestampUs);
}

std::uint32_t TimelineView::nearestStep(std::int64_t us) const
{
    sync();
    return index_.nearestStep(us);
}

QRect TimelineView::eventRowRect() const
{
    return {metrics_.gutter, metrics_.axis, viewport()->width() - metrics_.gutter, metrics_.events};
}

QRectF TimelineView::spanRect(int spanIndex) const
{
    sync();
    if (!run_ || spanIndex < 0 || spanIndex >= int(run_->spans.size()))
        return {};
    const NodeSpan& span = run_->spans[std::size_t(spanIndex)];
    const double x0 = xForTime(span.startUs);
    const double x1 = xForTime(TimelineIndex::spanEndUs(*run_, span));
    const double y = metrics_.header() + TimelineIndex::laneOf(span) * metrics_.lane -
                     verticalScrollBar()->value() + 3;
    return {x0, y, std::max(1.0, x1 - x0), double(metrics_.lane - 6)};
}

int TimelineView::laneAt(int y) const
{
    if (y < metrics_.header())
        return -1;
    const int lane = (y - metrics_.header() + verticalScrollBar()->value()) / metrics_.lane;
    return lane < index_.laneCount() ? lane : -1;
}

int TimelineView::spanAt(const QPoint& pos) const
{
    sync();
    if (!run_ || pos.x() < metrics_.gutter)
        return -1;
    const int lane = laneAt(pos.y());
    if (lane < 0)
        return -1;
    const std::int64_t t = timeForX(pos.x());
    const std::int64_t tolerance = std::int64_t(std::ceil(3 * usPerPx_));
    int best = -1;
    std::int64_t bestDistance = std::numeric_limits<std::int64_t>::max();
    auto consider = [&](int index) {
        const NodeSpan& span = run_->spans[std::size_t(index)];
        if (TimelineIndex::laneOf(span) != lane)
            return;
        const std::int64_t end = TimelineIndex::spanEndUs(*run_, span);
        if (t < span.startUs - tolerance || t > end + tolerance)
            return;
        const std::int64_t distance = t < span.startUs ? span.startUs - t : (t > end ? t - end : 0);
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = index;
        }
    };
    const auto& spans = index_.lane(lane);
    const std::int64_t from = t - tolerance - index_.laneMaxDurationUs(lane);
    auto it = std::lower_bound(spans.begin(), spans.end(), from, [this](int s, std::int64_t v) {
        return run_->spans[std::size_t(s)].startUs < v;
    });
    for (; it != spans.end() && run_->spans[std::size_t(*it)].startUs <= t + tolerance; ++it)
        if (run_->spans[std::size_t(*it)].state != NodeState::Active)
            consider(*it);
    for (int index : index_.activeSpans())
        consider(index);
    return best;
}

void TimelineView::fitScale()
{
    usPerPx_ = std::max({double(spanUs()) / plotWidth(), kMinUsPerPx, spanUs() / kMaxContentPx});
}

void TimelineView::updateScrollBars()
{
    const double content = double(spanUs()) / usPerPx_;
    QScrollBar* h = horizontalScrollBar();
    h->setRange(0, std::max(0, int(std::ceil(content - plotWidth()))));
    h->setPageStep(int(plotWidth()));
    h->setSingleStep(std::max(1, int(plotWidth() / 10)));
    QScrollBar* v = verticalScrollBar();
    const int lanesHeight = index_.laneCount() * metrics_.lane;
    v->setRange(0, std::max(0, lanesHeight - (viewport()->height() - metrics_.header())));
    v->setPageStep(std::max(1, viewport()->height() - metrics_.header()));
    v->setSingleStep(metrics_.lane);
}

void TimelineView::zoomAround(double factor, double anchorX)
{
    syncNow();
    if (!run_)
        return;
    anchorX = std::clamp(anchorX, plotLeft(), plotLeft() + plotWidth());
    const double anchorPx = anchorX - plotLeft();
    const double anchorUs = (anchorPx + horizontalScrollBar()->value()) * usPerPx_;
    const double fitUsPerPx = std::max(double(spanUs()) / plotWidth(), kMinUsPerPx);
    const double minUsPerPx = std::max(kMinUsPerPx, spanUs() / kMaxContentPx);
    const double next = std::clamp(usPerPx_ / factor, minUsPerPx, std::max(minUsPerPx, fitUsPerPx));
    if (next >= fitUsPerPx * 0.999) {
        zoomToFit();
        return;
    }
    fitted_ = false;
    usPerPx_ = next;
    updateScrollBars();
    horizontalScrollBar()->setValue(int(std::lround(anchorUs / usPerPx_ - anchorPx)));
    viewport()->update();
}

void TimelineView::zoomIn()
{
    const double x = xForStep(cursor_);
    zoomAround(2.0,
               x >= plotLeft() && x <= plotLeft() + plotWidth() ? x : plotLeft() + plotWidth() / 2);
}

void TimelineView::zoomOut()
{
    const double x = xForStep(cursor_);
    zoomAround(0.5,
               x >= plotLeft() && x <= plotLeft() + plotWidth() ? x : plotLeft() + plotWidth() / 2);
}

void TimelineView::zoomToFit()
{
    fitted_ = true;
    layoutDirty_ = true;
    syncNow();
    horizontalScrollBar()->setValue(0);
}

void TimelineView::ensureTimeVisible(std::int64_t us)
{
    const double x = xForTime(us);
    const double margin = std::min(40.0, plotWidth() / 4);
    if (x >= plotLeft() + margin && x <= plotLeft() + plotWidth() - margin)
        return;
    QScrollBar* h = horizontalScrollBar();
    h->setValue(h->value() + int(std::lround(x - (plotLeft() + plotWidth() / 2))));
}

// --- painting ----------------------------------------------------------------

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

// --- interaction -------------------------------------------------------------

void TimelineView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    layoutDirty_ = true;
    syncNow();
}

void TimelineView::scrollContentsBy(int, int)
{
    viewport()->update();
}

void TimelineView::mousePressEvent(QMouseEvent* event)
{
    syncNow();
    if (event->button() != Qt::LeftButton || !run_ || run_->steps.empty() ||
        event->position().x() < metrics_.gutter) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const QPoint pos = event->position().toPoint();
    if (const int span = spanAt(pos); span >= 0) {
        selectedSpan_ = span;
        const NodeSpan& s = run_->spans[std::size_t(span)];
        emit spanActivated(span);
        if (run_) // a slot may have unbound the run
            userMovesCursor(s.endStep < run_->steps.size() ? s.endStep
                                                           : std::uint32_t(run_->steps.size() - 1));
        event->accept();
        return;
    }
    dragging_ = true;
    userMovesCursor(nearestStep(timeForX(pos.x())));
    event->accept();
}

void TimelineView::mouseMoveEvent(QMouseEvent* event)
{
    if (!dragging_ || !run_) {
        QAbstractScrollArea::mouseMoveEvent(event);
        return;
    }
    const std::uint32_t step = nearestStep(timeForX(event->position().x()));
    if (step != cursor_)
        userMovesCursor(step);
    event->accept();
}

void TimelineView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        dragging_ = false;
        event->accept();
        return;
    }
    QAbstractScrollArea::mouseReleaseEvent(event);
}

void TimelineView::wheelEvent(QWheelEvent* event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        if (delta.y() != 0)
            zoomAround(std::pow(1.25, delta.y() / 120.0), event->position().x());
        event->accept();
        return;
    }
    const bool horizontal = (event->modifiers() & Qt::ShiftModifier) ||
                            std::abs(delta.x()) > std::abs(delta.y()) ||
                            verticalScrollBar()->maximum() == 0;
    if (!horizontal) {
        QAbstractScrollArea::wheelEvent(event);
        return;
    }
    QScrollBar* h = horizontalScrollBar();
    const int d = delta.x() != 0 ? delta.x() : delta.y();
    h->setValue(h->value() - d * h->singleStep() / 120);
    if (followLive_ && h->value() < h->maximum())
        setFollowLive(false);
    event->accept();
}

void TimelineView::keyPressEvent(QKeyEvent* event)
{
    syncNow();
    const std::size_t count = run_ ? run_->steps.size() : 0;
    std::uint32_t target = kNoIndex;
    switch (event->key()) {
    case Qt::Key_Left:
        if (count)
            target =
                cursor_ == kNoIndex ? std::uint32_t(count - 1) : (cursor_ > 0 ? cursor_ - 1 : 0);
        break;
    case Qt::Key_Right:
        if (count)
            target = cursor_ == kNoIndex ? 0 : std::min<std::uint32_t>(cursor_ + 1, count - 1);
        break;
    case Qt::Key_Home:
        if (count)
            target = 0;
        break;
    case Qt::Key_End:
        if (count)
            target = std::uint32_t(count - 1);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        event->accept();
        return;
    case Qt::Key_Minus:
        zoomOut();
        event->accept();
        return;
    case Qt::Key_0:
    case Qt::Key_F:
        zoomToFit();
        event->accept();
        return;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
    if (target == kNoIndex || target == cursor_)
        return;
    ensureTimeVisible(run_->steps[target].timestampUs);
    userMovesCursor(target);
}

bool TimelineView::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = toolTipText(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            // Node names and details come from the wire: shown as plain text.
            QToolTip::showText(help->globalPos(),
                               Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal), viewport());
        }
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

// --- tooltips ----------------------------------------------------------------

QString TimelineView::toolTipText(const QPoint& pos) const
{
    sync();
    if (!run_ || pos.x() < metrics_.gutter)
        return {};
    if (pos.y() >= metrics_.axis && pos.y() < metrics_.header())
        return markerToolTip(pos);
    const int span = spanAt(pos);
    return span >= 0 ? spanToolTip(span) : QString();
}

QString TimelineView::spanToolTip(int spanIndex) const
{
    const NodeSpan& s = run_->spans[std::size_t(spanIndex)];
    const std::int64_t origin = run_->startUs != 0 ? run_->startUs : index_.minUs();
    QStringList lines;
    QString title = oneLine(s.node);
    if (s.visit > 1)
        title += QStringLiteral(" (visit %1)").arg(s.visit);
    lines << title;
    lines
        << QStringLiteral("%1 · lane %2").arg(stateText(s.state)).arg(TimelineIndex::laneOf(s) + 1);
    const std::int64_t end = TimelineIndex::spanEndUs(*run_, s);
    const std::int64_t duration =
        s.state != NodeState::Active && s.durationUs > 0 ? s.durationUs : end - s.startUs;
    lines << QStringLiteral("Start +%1 · %2 %3")
                 .arg(timelinefmt::formatDurationUs(s.startUs - origin),
                      s.state == NodeState::Active ? QStringLiteral("running for")
                                                   : QStringLiteral("duration"),
                      timelinefmt::formatDurationUs(duration));
    if (s.promptTokens || s.completionTokens)
        lines << QStringLiteral("Tokens %1 prompt + %2 completion")
                     .arg(s.promptTokens)
                     .arg(s.completionTokens);
    if (s.costUsd > 0 || !s.model.empty()) {
        QString line = QStringLiteral("Cost $%1").arg(s.costUsd, 0, 'f', 4);
        if (!s.model.empty())
            line += QStringLiteral(" · model ") + oneLine(s.model, 60);
        lines << line;
    }
    if (!s.tools.empty()) {
        QStringList names;
        for (std::size_t i = 0; i < s.tools.size() && i < 4; ++i)
            names << oneLine(s.tools[i].name, 40);
        if (s.tools.size() > 4)
            names << QStringLiteral("+%1 more").arg(s.tools.size() - 4);
        lines << QStringLiteral("Tools: ") + names.join(QStringLiteral(", "));
    }
    if (!s.error.empty())
        lines << QStringLiteral("Error: ") + oneLine(s.error, 300);
    return lines.join(QLatin1Char('\n'));
}

QString TimelineView::markerToolTip(const QPoint& pos) const
{
    const std::int64_t origin = run_->startUs != 0 ? run_->startUs : index_.minUs();
    const std::int64_t from = timeForX(pos.x() - 4);
    const std::int64_t to = timeForX(pos.x() + 5);
    QStringList lines;
    static const struct
    {
        MarkerKind kind;
        const char* one;
        const char* many;
    } kinds[] = {
        {MarkerKind::Error, "error", "errors"},
        {MarkerKind::Issue, "integrity issue", "integrity issues"},
        {MarkerKind::Tool, "tool execution", "tool executions"},
        {MarkerKind::Metric, "metrics", "metrics"},
        {MarkerKind::Token, "token chunk", "token chunks"},
    };
    for (const auto& k : kinds) {
        const auto& markers = index_.markers(k.kind);
        const auto [lo, hi] = TimelineIndex::range(markers, from, to);
        if (lo == hi)
            continue;
        if (hi - lo > 3) {
            lines << QStringLiteral("%1 %2").arg(hi - lo).arg(QLatin1String(k.many));
            continue;
        }
        for (std::size_t i = lo; i < hi; ++i) {
            QString line = QLatin1String(k.one);
            if (k.kind == MarkerKind::Issue) {
                const auto& issue = run_->issues[markers[i].item];
                line += QStringLiteral(" at step %1: ").arg(issue.step) + oneLine(issue.message);
            } else {
                const models::Step& step = run_->steps[markers[i].item];
                line += QStringLiteral(" at step %1").arg(markers[i].item);
                if (step.node != kNoIndex)
                    line += QStringLiteral(" · ") + oneLine(run_->string(step.node), 60);
                if (step.detail != kNoIndex)
                    line += QStringLiteral(": ") + oneLine(run_->string(step.detail));
            }
            lines << line;
        }
    }
    if (lines.isEmpty())
        return {};
    lines.prepend(QStringLiteral("+") + timelinefmt::formatDurationUs((from + to) / 2 - origin));
    return lines.join(QLatin1Char('\n'));
}

} // namespace nexus::widgets
