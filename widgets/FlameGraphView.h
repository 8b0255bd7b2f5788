#pragma once
// Where the time, tokens or money of a run went, as a flame (icicle) graph
// of a CostBreakdown: a bar of controls (metric: time / tokens / cost;
// colour by node type or model; one frame per node or per visit), the
// breadcrumb of the zoomed frame (each crumb zooms out to it) and the
// painted graph (FlameCanvas). Hover a frame for its exact numbers and
// share; click it to zoom in (and to select its node); Esc zooms out.

#include "models/CostBreakdown.h"
#include "widgets/FlameCanvas.h"

#include <QStringList>
#include <QWidget>

#include <memory>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;

namespace nexus::widgets {

class FlameGraphView : public QWidget
{
    Q_OBJECT
public:
    explicit FlameGraphView(QWidget* parent = nullptr);

    void setBreakdown(std::shared_ptr<const models::CostBreakdown> breakdown);
    const std::shared_ptr<const models::CostBreakdown>& breakdown() const;

    models::FlameMetric metric() const;
    FlameColoring coloring() const;
    bool perVisit() const; // the "each visit" box; the owner rebuilds the breakdown
    int zoomedFrame() const;
    QStringList breadcrumb() const; // labels from the run down to the zoomed frame
    FlameCanvas* canvas() const { return canvas_; }

public slots:
    void setMetric(models::FlameMetric metric);
    void setColoring(FlameColoring coloring);
    void setPerVisit(bool perVisit); // emits perVisitChanged when it changes
    void zoomTo(int frame);
    void zoomOut(); // one level up

signals:
    void nodeActivated(const QString& node); // the user clicked a frame of that node
    void metricChanged(models::FlameMetric metric);
    void perVisitChanged(bool perVisit);
    void zoomChanged(int frame);

private:
    void rebuildBreadcrumb();

    FlameCanvas* canvas_ = nullptr;
    QButtonGroup* metrics_ = nullptr;
    QComboBox* coloringBox_ = nullptr;
    QCheckBox* perVisit_ = nullptr;
    QWidget* crumbs_ = nullptr;
    QHBoxLayout* crumbLayout_ = nullptr;
    QLabel* hint_ = nullptr;
};

} // namespace nexus::widgets
