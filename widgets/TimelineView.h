#pragma once
// The run timeline (a Gantt, like Jaeger's trace view): one row per lane of
// node spans (parallel branches get their own rows) coloured by state, a
// thin event row of markers (token chunks, tool executions, metrics, errors,
// integrity issues), a time axis relative to the run's start, and a cursor
// at a step. Binds to a Run owned elsewhere; the host calls runChanged()
// when steps arrive. Paints only the visible time range and merges markers
// that fall on the same pixel, so 100,000-step runs stay fast.
//
// Keys: Left/Right previous/next step, Home/End first/last, +/- zoom,
// 0 or F fit. Ctrl+wheel zooms around the mouse.

#include "models/RunStore.h"
#include "widgets/TimelineIndex.h"

#include <QAbstractScrollArea>

#include <cstdint>

class QTimer;

namespace nexus::widgets {

class TimelineView : public QAbstractScrollArea
{
    Q_OBJECT
    Q_PROPERTY(bool followLive READ followLive WRITE setFollowLive NOTIFY followLiveChanged)
public:
    explicit TimelineView(QWidget* parent = nullptr);
    ~TimelineView() override;

    // The run must outlive its time here (until setRun/clear).
    void setRun(const models::Run* run);
    const models::Run* run() const { return run_; }
    void clear();

    std::uint32_t cursorStep() const { return cursor_; }
    int selectedSpan() const { return selectedSpan_; }
    bool followLive() const { return followLive_; }
    double microsecondsPerPixel() const { return usPerPx_; }
    bool isFitted() const { return fitted_; }

    // Geometry in viewport coordinates (for tests and overlays).
    int laneCount() const;
    double xForTime(std::int64_t us) const;
    std::int64_t timeForX(double x) const;
    double xForStep(std::uint32_t step) const;
    QRectF spanRect(int spanIndex) const; // empty when the span is not laid out
    QRect eventRowRect() const;
    int spanAt(const QPoint& pos) const; // -1 when none
    std::uint32_t nearestStep(std::int64_t us) const;
    // What the tooltip at `pos` says (plain text; "" when nothing is there).
    QString toolTipText(const QPoint& pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    // New steps / spans / issues in the bound run: repaints (coalesced).
    void runChanged();
    // Moves the cursor without emitting cursorMoved; scrolls it into view
    // unless following live.
    void setCursorStep(std::uint32_t step);
    void setFollowLive(bool follow);
    void zoomIn();
    void zoomOut();
    void zoomToFit();

signals:
    void cursorMoved(std::uint32_t step); // the user moved the cursor
    void spanActivated(int spanIndex);    // the user clicked a span
    void followLiveChanged(bool follow);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    struct Metrics
    {
        int gutter = 0;
        int axis = 0;
        int events = 0;
        int lane = 0;
        int header() const { return axis + events; }
    };

    void sync() const;
    void syncNow();
    void updateScrollBars();
    void fitScale();
    void zoomAround(double factor, double anchorX);
    void userMovesCursor(std::uint32_t step);
    void ensureTimeVisible(std::int64_t us);
    double plotLeft() const { return metrics_.gutter; }
    double plotWidth() const;
    std::int64_t spanUs() const;
    int laneAt(int y) const;
    QString spanToolTip(int spanIndex) const;
    QString markerToolTip(const QPoint& pos) const;

    void paintAxisGrid(QPainter& p) const;
    void paintLanes(QPainter& p) const;
    void paintSpan(QPainter& p, int spanIndex, int& lastPixel) const;
    void paintMarkers(QPainter& p) const;
    void paintGutter(QPainter& p) const;
    void paintCursor(QPainter& p) const;

    const models::Run* run_ = nullptr;
    mutable TimelineIndex index_;
    mutable bool indexDirty_ = false;  // the run grew: catch the index up
    mutable bool layoutDirty_ = false; // scale and scroll bars need a look
    QTimer* syncTimer_;
    Metrics metrics_;
    double usPerPx_ = 1000.0;
    bool fitted_ = true;
    bool followLive_ = false;
    bool dragging_ = false;
    std::uint32_t cursor_ = models::kNoIndex;
    int selectedSpan_ = -1;
};

} // namespace nexus::widgets
