#pragma once
// The graph of a run: nodes laid out by Graphviz (GraphLayout), coloured by
// their state at the run view's cursor, with the edges the run took
// highlighted (the most recent one strongest).
//
// Shapes by node type: llm rounded, tool a box with side bars, router and
// other custom types pointed at both ends, human_in_loop a pill, transform a
// plain box, end a double circle; the entry point gets a start dot. Direct
// edges are solid, conditional ones dashed with their route label, parallel
// ones doubled. Text from the wire is shown as plain text only.
//
// Interaction: click a node to select it (nodeSelected), double-click to
// activate it; Ctrl+wheel or +/- to zoom, 0 for 100 %; drag empty space or
// use the scroll bars to pan. The first layout of a graph is fitted to the
// view until the user zooms or pans. A new graph is laid out again only when
// it differs from the shown one (its DOT text is the key), not when the same
// schema arrives in another object.
//
// Layout: graphs of the size agents have (GraphLayout::isSmall) are laid
// out on the GUI thread in milliseconds; larger ones on a worker thread while
// the canvas says "Laying out..." (dot cannot be interrupted, so a superseded
// layout finishes and is dropped). Very large graphs are simplified or
// refused (GraphLayout.h) and the canvas says so.

#include "models/RunStore.h"
#include "widgets/GraphLayout.h"

#include <QGraphicsView>
#include <QString>

#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

class QGraphicsItem;
class QGraphicsPathItem;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;

namespace nexus::widgets {

class GraphCanvas : public QGraphicsView
{
    Q_OBJECT
    Q_PROPERTY(QString placeholderText READ placeholderText WRITE setPlaceholderText)
public:
    explicit GraphCanvas(QWidget* parent = nullptr);
    ~GraphCanvas() override;

    // Null shows the placeholder text.
    void setGraph(std::shared_ptr<const runtime::Graph> graph);
    std::shared_ptr<const runtime::Graph> graph() const { return graph_; }
    const GraphLayoutResult& graphLayout() const { return layout_; }
    // A layout is running on a worker thread (layoutFinished follows).
    bool isLayingOut() const { return job_ != nullptr; }
    // Layouts kept for reuse when a graph comes back (at most 8).
    int cachedLayouts() const { return int(layoutCache_.size()); }

    // States by node name (missing = pending); captions ("1.24 s", "x3")
    // replace the node type under the name.
    void setNodeStates(const std::map<std::string, models::NodeState>& states,
                       const std::map<std::string, QString>& nodeCaptions = {});
    void setTakenEdges(const std::vector<models::TakenEdge>& edges);
    void setSelectedNode(const QString& node);
    QString selectedNode() const { return selected_; }

    void setPlaceholderText(const QString& text);
    QString placeholderText() const { return placeholder_; }
    // What the view shows instead of a graph ("" while a graph is shown).
    QString shownMessage() const;

    // A node's shape item (its children are the name and caption text
    // items), null when not shown; its scene rectangle.
    QGraphicsPathItem* nodeItem(const QString& node) const;
    QRectF nodeRect(const QString& node) const;
    // The node under a viewport position ("" for none).
    QString nodeAt(const QPoint& viewportPos) const;
    qreal zoom() const;

    // runtime::toDot / toMermaid of the graph, filled with the node states.
    QString toDotText() const;
    QString toMermaidText() const;
    // The scene at 2x on the palette's base colour.
    bool exportPng(const QString& path);
    // Graphviz's own SVG of the graph, filled with the node states.
    bool exportSvg(const QString& path);

public slots:
    void fitToView();
    void resetZoom();
    void zoomIn();
    void zoomOut();

signals:
    void nodeSelected(const QString& node);
    void nodeActivated(const QString& node);
    // A new layout is shown (or its failure is).
    void layoutFinished();

protected:
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct NodeView
    {
        const LayoutNode* layout = nullptr;
        QGraphicsPathItem* shape = nullptr;
        QGraphicsSimpleTextItem* name = nullptr;
        QGraphicsSimpleTextItem* caption = nullptr;
    };
    struct EdgeView
    {
        const LayoutEdge* layout = nullptr;
        QGraphicsPathItem* line = nullptr;
        QGraphicsPathItem* arrow = nullptr;
        QGraphicsRectItem* labelBackground = nullptr;
        QGraphicsSimpleTextItem* label = nullptr;
    };

    struct LayoutJob;

    void relayout();
    void cancelJob();
    void showLayout(GraphLayoutResult layout);
    void buildNode(const LayoutNode& node);
    void buildEdge(const LayoutEdge& edge);
    void restyle();
    void styleNodes();
    void styleEdges();
    void styleSelection();
    void zoomBy(qreal factor);
    std::map<std::string, std::string> stateFills() const;
    QFont captionFont() const;

    QGraphicsScene* scene_;
    std::shared_ptr<const runtime::Graph> graph_;
    std::string graphKey_; // DOT text of the laid-out graph
    GraphLayoutResult layout_;
    static constexpr std::size_t kLayoutCacheSize = 8;
    std::list<std::pair<std::string, GraphLayoutResult>> layoutCache_; // by DOT text, newest first
    std::shared_ptr<LayoutJob> job_; // the running background layout
    std::vector<NodeView> nodes_;
    std::vector<EdgeView> edges_;
    QGraphicsPathItem* selectionRing_ = nullptr;

    std::map<std::string, models::NodeState> states_;
    std::map<std::string, QString> captions_;
    std::vector<models::TakenEdge> taken_;
    QString selected_;
    QString placeholder_;

    bool fitPending_ = false; // refit on resize until the user zooms or pans
    bool panning_ = false;
    QPoint panFrom_;
};

} // namespace nexus::widgets
