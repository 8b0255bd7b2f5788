#include "widgets/TimelineView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QTextDocument>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nexus::widgets {

using models::kNoIndex;
using models::NodeSpan;
using models::NodeState;

namespace {

constexpr int kRightPad = 12;
constexpr double kMaxContentPx = 1e9; // keeps scroll bar values in int range
constexpr double kMinUsPerPx = 0.01;

} // namespace

TimelineView::TimelineView(QWidget* parent)
    : QAbstractScrollArea(parent), syncTimer_(new QTimer(this))
{
    syncTimer_->setSingleShot(true);
    setAccessibleName(tr("Run timeline"));
    setToolTip(
        tr("Each node visit as a bar over time; click a bar to select the node, scroll to zoom"));
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

} // namespace nexus::widgets
