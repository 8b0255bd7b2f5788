#include "widgets/GraphCanvas.h"

#include "runtime/GraphExport.h"
#include "widgets/GraphCanvasItems.h"

#include <QFile>
#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

namespace nexus::widgets {
namespace {

using graphcanvas::kNameKey;
using graphcanvas::qs;

constexpr qreal kMargin = 24; // around the layout, scene units
constexpr qreal kMinZoom = 0.05;
constexpr qreal kMaxZoom = 8.0;

} // namespace

GraphCanvas::GraphCanvas(QWidget* parent)
    : QGraphicsView(parent), scene_(new QGraphicsScene(this)),
      placeholder_(tr("No graph schema for this run"))
{
    setScene(scene_);
    setAccessibleName(tr("Graph"));
    setToolTip(tr("The graph's nodes and edges; click a node for its details, scroll to zoom"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::NoDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);
    setBackgroundRole(QPalette::Base);
    viewport()->setMouseTracking(true);
    setMinimumSize(160, 120);
}

// A background layout. The worker posts its result only while `canvas` is
// set; the canvas clears it (under the mutex) when it starts another layout
// or is destroyed, so the worker never posts to a dead object.
struct GraphCanvas::LayoutJob
{
    std::mutex mutex;
    GraphCanvas* canvas = nullptr;
    std::atomic<bool> cancelled{false};
};

GraphCanvas::~GraphCanvas()
{
    cancelJob();
}

void GraphCanvas::cancelJob()
{
    if (!job_)
        return;
    job_->cancelled = true;
    std::lock_guard lock(job_->mutex);
    job_->canvas = nullptr;
    job_.reset();
}

void GraphCanvas::setGraph(std::shared_ptr<const runtime::Graph> graph)
{
    if (graph == graph_)
        return;
    std::string key = graph ? runtime::toDot(*graph) : std::string();
    graph_ = std::move(graph);
    if (graph_ && key == graphKey_ && (layout_.ok || job_))
        return; // the same schema in another object: keep the picture
    graphKey_ = std::move(key);
    relayout();
}

void GraphCanvas::relayout()
{
    cancelJob();
    selectionRing_ = nullptr;
    nodes_.clear();
    edges_.clear();
    scene_->clear();
    layout_ = GraphLayoutResult();
    scene_->setSceneRect(QRectF());
    viewport()->update();
    if (!graph_)
        return;
    // A run view switches between a handful of graphs all the time: their
    // layouts are kept (by DOT text, for the current font) and reused.
    for (auto it = layoutCache_.begin(); it != layoutCache_.end(); ++it)
        if (it->first == graphKey_) {
            layoutCache_.splice(layoutCache_.begin(), layoutCache_, it);
            showLayout(layoutCache_.front().second);
            return;
        }
    GraphLayoutOptions options;
    options.font = font();
    options.captionFont = captionFont();
    PreparedLayout prepared = GraphLayout::prepare(*graph_, options);
    if (GraphLayout::isSmall(*graph_) || !prepared.error.isEmpty()) {
        // Waits briefly when a background layout holds Graphviz.
        GraphLayoutResult result = GraphLayout::run(prepared, std::chrono::milliseconds(100));
        if (!result.busy) {
            showLayout(std::move(result));
            return;
        }
    }
    job_ = std::make_shared<LayoutJob>();
    job_->canvas = this;
    std::thread([job = job_, prepared = std::move(prepared)]() mutable {
        if (job->cancelled)
            return;
        GraphLayoutResult result = GraphLayout::run(std::move(prepared));
        std::lock_guard lock(job->mutex);
        if (!job->canvas)
            return;
        QMetaObject::invokeMethod(
            job->canvas,
            [job, result = std::move(result)]() mutable {
                GraphCanvas* canvas = nullptr;
                {
                    std::lock_guard lock(job->mutex);
                    canvas = job->canvas;
                }
                if (canvas && canvas->job_ == job) {
                    canvas->job_.reset();
                    canvas->showLayout(std::move(result));
                }
            },
            Qt::QueuedConnection);
    }).detach();
}

void GraphCanvas::showLayout(GraphLayoutResult layout)
{
    layout_ = std::move(layout);
    if (layout_.ok && (layoutCache_.empty() || layoutCache_.front().first != graphKey_)) {
        layoutCache_.emplace_front(graphKey_, layout_);
        if (layoutCache_.size() > kLayoutCacheSize)
            layoutCache_.pop_back();
    }
    if (layout_.ok && !layout_.nodes.empty()) {
        for (const LayoutEdge& edge : layout_.edges)
            buildEdge(edge);
        for (const LayoutNode& node : layout_.nodes)
            buildNode(node);
        selectionRing_ = scene_->addPath(QPainterPath());
        selectionRing_->setZValue(1.5);
        scene_->setSceneRect(layout_.bounds.adjusted(-kMargin, -kMargin, kMargin, kMargin));
        restyle();
        fitToView();
        fitPending_ = true;
    }
    viewport()->update();
    emit layoutFinished();
}

void GraphCanvas::setNodeStates(const std::map<std::string, models::NodeState>& states,
                                const std::map<std::string, QString>& nodeCaptions)
{
    states_ = states;
    captions_ = nodeCaptions;
    styleNodes();
    styleEdges(); // the start edge follows the entry node's state
}

void GraphCanvas::setTakenEdges(const std::vector<models::TakenEdge>& edges)
{
    taken_ = edges;
    styleEdges();
    styleNodes(); // the end node turns done when an edge to it was taken
}

void GraphCanvas::setSelectedNode(const QString& node)
{
    selected_ = node;
    styleSelection();
}

void GraphCanvas::setPlaceholderText(const QString& text)
{
    placeholder_ = text;
    viewport()->update();
}

QString GraphCanvas::shownMessage() const
{
    if (!graph_)
        return placeholder_;
    if (job_)
        return tr("Laying out the graph (%1 nodes)\u2026").arg(graph_->nodes.size());
    if (!layout_.ok)
        return layout_.error;
    if (layout_.nodes.empty())
        return tr("The graph has no nodes");
    return {};
}

QGraphicsPathItem* GraphCanvas::nodeItem(const QString& node) const
{
    const std::string name = node.toStdString();
    for (const NodeView& view : nodes_)
        if (view.layout->kind != LayoutNode::Kind::Start && view.layout->name == name)
            return view.shape;
    return nullptr;
}

QRectF GraphCanvas::nodeRect(const QString& node) const
{
    const QGraphicsPathItem* item = nodeItem(node);
    return item ? item->path().boundingRect() : QRectF();
}

QString GraphCanvas::nodeAt(const QPoint& viewportPos) const
{
    for (QGraphicsItem* item : items(viewportPos)) {
        while (item->parentItem())
            item = item->parentItem();
        const QString name = item->data(kNameKey).toString();
        if (!name.isEmpty() && name != QLatin1String(runtime::kEndNode))
            return name;
    }
    return {};
}

qreal GraphCanvas::zoom() const
{
    return transform().m11();
}

void GraphCanvas::fitToView()
{
    if (scene_->items().isEmpty())
        return;
    fitInView(sceneRect(), Qt::KeepAspectRatio);
    if (zoom() > 1.0) {
        setTransform(QTransform());
        centerOn(sceneRect().center());
    }
}

void GraphCanvas::resetZoom()
{
    fitPending_ = false;
    const QPointF center = mapToScene(viewport()->rect().center());
    setTransform(QTransform());
    centerOn(center);
}

void GraphCanvas::zoomIn()
{
    zoomBy(1.25);
}

void GraphCanvas::zoomOut()
{
    zoomBy(1 / 1.25);
}

void GraphCanvas::zoomBy(qreal factor)
{
    fitPending_ = false;
    const qreal target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    if (zoom() > 0)
        scale(target / zoom(), target / zoom());
}

void GraphCanvas::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        zoomBy(std::pow(1.0015, event->angleDelta().y()));
        event->accept();
        return;
    }
    fitPending_ = false;
    QGraphicsView::wheelEvent(event);
}

void GraphCanvas::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        return;
    case Qt::Key_Minus:
        zoomOut();
        return;
    case Qt::Key_0:
        resetZoom();
        return;
    default:
        QGraphicsView::keyPressEvent(event);
    }
}

void GraphCanvas::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QGraphicsView::mousePressEvent(event);
        return;
    }
    const QString node = nodeAt(event->position().toPoint());
    if (!node.isEmpty()) {
        setSelectedNode(node);
        emit nodeSelected(node);
    } else {
        panning_ = true;
        panFrom_ = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
    }
    event->accept();
}

void GraphCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (panning_) {
        fitPending_ = false;
        const QPoint delta = pos - panFrom_;
        panFrom_ = pos;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    viewport()->setCursor(nodeAt(pos).isEmpty() ? Qt::ArrowCursor : Qt::PointingHandCursor);
    QGraphicsView::mouseMoveEvent(event);
}

void GraphCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && panning_) {
        panning_ = false;
        viewport()->setCursor(Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void GraphCanvas::mouseDoubleClickEvent(QMouseEvent* event)
{
    const QString node =
        event->button() == Qt::LeftButton ? nodeAt(event->position().toPoint()) : QString();
    if (node.isEmpty()) {
        QGraphicsView::mouseDoubleClickEvent(event);
        return;
    }
    emit nodeActivated(node);
    event->accept();
}

void GraphCanvas::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    if (fitPending_)
        fitToView();
}

void GraphCanvas::paintEvent(QPaintEvent* event)
{
    QGraphicsView::paintEvent(event);
    QString message = shownMessage();
    if (message.isEmpty() && layout_.simplified)
        message = tr("Large graph: simplified layout with straight edges");
    if (message.isEmpty())
        return;
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const bool overlay = !shownMessage().isEmpty();
    const QRect area = viewport()->rect().adjusted(16, 12, -16, -12);
    painter.drawText(area,
                     (overlay ? Qt::AlignCenter : Qt::AlignTop | Qt::AlignLeft) | Qt::TextWordWrap,
                     message);
}

void GraphCanvas::changeEvent(QEvent* event)
{
    QGraphicsView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        restyle();
    else if (event->type() == QEvent::FontChange && graph_) {
        layoutCache_.clear(); // node boxes are measured with the font
        relayout();
    }
}

QString GraphCanvas::toDotText() const
{
    return graph_ ? qs(runtime::toDot(*graph_, stateFills())) : QString();
}

QString GraphCanvas::toMermaidText() const
{
    return graph_ ? qs(runtime::toMermaid(*graph_, stateFills())) : QString();
}

bool GraphCanvas::exportPng(const QString& path)
{
    if (!layout_.ok || layout_.nodes.empty())
        return false;
    const QRectF source = sceneRect();
    QImage image((source.size() * 2).toSize(), QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        return false;
    image.fill(palette().color(QPalette::Base));
    {
        QPainter painter(&image);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                               QPainter::SmoothPixmapTransform);
        scene_->render(&painter, QRectF(image.rect()), source);
    }
    return image.save(path, "PNG");
}

bool GraphCanvas::exportSvg(const QString& path)
{
    if (!graph_)
        return false;
    const QByteArray svg = GraphLayout::renderSvg(*graph_, stateFills());
    if (svg.isEmpty())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(svg) == svg.size() && file.flush();
}

} // namespace nexus::widgets
