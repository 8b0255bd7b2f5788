#pragma once
// The painted part of FlameGraphView: an icicle graph (the run on top, its
// nodes below, their tool calls and LLM calls below those), each frame as
// wide as its share of its parent by the chosen metric. Zoomed into a frame,
// that frame fills the width and its ancestors stay as full-width bars above
// it (as in speedscope and Chrome's flame charts). Labels are elided to fit;
// frames narrower than a pixel are not drawn.

#include "models/CostBreakdown.h"

#include <QWidget>

#include <memory>
#include <vector>

namespace nexus::widgets {

enum class FlameColoring
{
    NodeType,
    Model,
};

class FlameCanvas : public QWidget
{
    Q_OBJECT
public:
    explicit FlameCanvas(QWidget* parent = nullptr);

    void setBreakdown(std::shared_ptr<const models::CostBreakdown> breakdown);
    const std::shared_ptr<const models::CostBreakdown>& breakdown() const { return breakdown_; }
    void setMetric(models::FlameMetric metric);
    models::FlameMetric metric() const { return metric_; }
    void setColoring(FlameColoring coloring);
    FlameColoring coloring() const { return coloring_; }

    int zoomedFrame() const { return zoom_; } // 0 = the run
    void zoomTo(int frame);                   // clamps to a valid frame
    int hoveredFrame() const { return hover_; }

    // Geometry in widget coordinates; empty when the frame is not drawn.
    QRectF frameRect(int frame) const;
    int frameAt(const QPointF& pos) const; // -1 when none
    // What the tooltip at `pos` says (plain text; "" when no frame is there).
    QString toolTipText(const QPointF& pos) const;
    QString frameToolTip(int frame) const;
    QColor frameColor(int frame) const;
    int rowHeight() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void frameClicked(int frame);
    void zoomChanged(int frame);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override; // Esc zooms out one level
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    bool event(QEvent* event) override;

private:
    void layout();
    void layoutChildren(int frame, double x, double width);

    std::shared_ptr<const models::CostBreakdown> breakdown_;
    models::FlameMetric metric_ = models::FlameMetric::Time;
    FlameColoring coloring_ = FlameColoring::NodeType;
    int zoom_ = 0;
    int hover_ = -1;
    std::vector<QRectF> rects_; // per frame; empty = not drawn
    int maxDepth_ = 0;
};

} // namespace nexus::widgets
