#include "widgets/GraphCanvas.h"

#include "runtime/GraphExport.h"

#include <QFile>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPathStroker>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

namespace nexus::widgets {
namespace {

using models::NodeState;

constexpr int kNameKey = 0;   // QGraphicsItem::data key: the node's name
constexpr qreal kMargin = 24; // around the layout, scene units
constexpr qreal kMinZoom = 0.05;
constexpr qreal kMaxZoom = 8.0;

QString qs(const std::string& text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QColor mix(const QColor& a, const QColor& b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

struct StateStyle
{
    QColor fill;
    QColor border;
    qreal width = 1.2;
};

// Pending grey outline, active blue (thicker), done green, error red; the
// light fills double as the SVG/DOT export colours.
StateStyle stateStyle(NodeState state, const QPalette& palette, bool forExport = false)
{
    const bool dark = !forExport && isDark(palette);
    switch (state) {
    case NodeState::Active:
        return {dark ? QColor(0x1e3a5f) : QColor(0xdbeafe),
                dark ? QColor(0x60a5fa) : QColor(0x2563eb), 2.8};
    case NodeState::Done:
        return {dark ? QColor(0x173b26) : QColor(0xdcfce7),
                dark ? QColor(0x4ade80) : QColor(0x16a34a), 1.8};
    case NodeState::Error:
        return {dark ? QColor(0x4c1d1d) : QColor(0xfee2e2),
                dark ? QColor(0xf87171) : QColor(0xdc2626), 2.2};
    case NodeState::Pending:
        break;
    }
    const QColor base = forExport ? QColor(Qt::white) : palette.color(QPalette::Base);
    const QColor text = forExport ? QColor(Qt::black) : palette.color(QPalette::Text);
    return {base, mix(base, text, 0.45), 1.2};
}

QColor accent(const QPalette& palette, bool strong)
{
    if (isDark(palette))
        return strong ? QColor(0xbfdbfe) : QColor(0x60a5fa);
    return strong ? QColor(0x1d4ed8) : QColor(0x3b82f6);
}

QString typeCaption(const LayoutNode& node)
{
    if (node.kind == LayoutNode::Kind::Undeclared)
        return QObject::tr("undeclared");
    if (node.type.name == "human_in_loop")
        return QObject::tr("human");
    return qs(node.type.name);
}

QPainterPath shapePath(const LayoutNode& node)
{
    const QRectF r = node.rect;
    QPainterPath path;
    switch (node.shape) {
    case NodeShape::RoundedRect:
        path.addRoundedRect(r, 9, 9);
        break;
    case NodeShape::Subroutine:
        path.addRect(r);
        path.moveTo(r.left() + 6, r.top());
        path.lineTo(r.left() + 6, r.bottom());
        path.moveTo(r.right() - 6, r.top());
        path.lineTo(r.right() - 6, r.bottom());
        break;
    case NodeShape::Hexagon: {
        const qreal inset = r.height() * 0.3;
        path.moveTo(r.left(), r.center().y());
        path.lineTo(r.left() + inset, r.top());
        path.lineTo(r.right() - inset, r.top());
        path.lineTo(r.right(), r.center().y());
        path.lineTo(r.right() - inset, r.bottom());
        path.lineTo(r.left() + inset, r.bottom());
        path.closeSubpath();
        break;
    }
    case NodeShape::Stadium:
        path.addRoundedRect(r, r.height() / 2, r.height() / 2);
        break;
    case NodeShape::Rect:
        path.addRect(r);
        break;
    case NodeShape::EndCircle:
        path.addEllipse(r);
        path.addEllipse(r.adjusted(3, 3, -3, -3));
        path.setFillRule(Qt::WindingFill);
        break;
    case NodeShape::StartDot:
        path.addEllipse(r);
        break;
    }
    return path;
}

// Text centred in a rectangle, elided to its width.
void placeText(QGraphicsSimpleTextItem* item, const QString& text, const QRectF& rect)
{
    const QFontMetricsF metrics(item->font());
    const QString shown = metrics.elidedText(text, Qt::ElideRight, rect.width() + 0.5);
    item->setText(shown);
    const qreal width = metrics.horizontalAdvance(shown);
    item->setPos(rect.center().x() - width / 2, rect.center().y() - metrics.height() / 2);
}

QPainterPath arrowHead(const LayoutEdge& edge)
{
    QPainterPath path;
    if (!edge.hasArrow)
        return path;
    const QPointF direction = edge.arrowTip - edge.arrowBase;
    const qreal length = std::hypot(direction.x(), direction.y());
    if (length < 0.01)
        return path;
    const QPointF normal(-direction.y() / length, direction.x() / length);
    const qreal half = std::max<qreal>(length * 0.42, 3.0);
    path.moveTo(edge.arrowTip);
    path.lineTo(edge.arrowBase + normal * half);
    path.lineTo(edge.arrowBase - normal * half);
    path.closeSubpath();
    return path;
}

// A parallel edge is drawn as the outline of a wide stroke: two lines.
QPainterPath doubledPath(const QPainterPath& path)
{
    QPainterPathStroker stroker;
    stroker.setWidth(3.6);
    stroker.setCapStyle(Qt::FlatCap);
    stroker.setJoinStyle(Qt::RoundJoin);
    return stroker.createStroke(path);
}

// Rich-text tooltips with every piece of wire text escaped.
QString tooltipFor(const LayoutNode& node)
{
    QString text = QStringLiteral("<b>%1</b>").arg(qs(node.name).toHtmlEscaped());
    if (node.kind == LayoutNode::Kind::Node)
        text += QStringLiteral("<br>%1%2")
                    .arg(node.type.custom ? QStringLiteral("custom: ") : QString(),
                         qs(node.type.name).toHtmlEscaped());
    else if (node.kind == LayoutNode::Kind::Undeclared)
        text += QStringLiteral("<br>") + QObject::tr("not declared in the schema");
    if (!node.description.isEmpty())
        text += QStringLiteral("<br>") + node.description.toHtmlEscaped();
    return text;
}

} // namespace

GraphCanvas::GraphCanvas(QWidget* parent)
    : QGraphicsView(parent), scene_(new QGraphicsScene(this)),
      placeholder_(tr("No graph schema for this run"))
{
    setScene(scene_);
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

QFont GraphCanvas::captionFont() const
{
    QFont caption = font();
    if (caption.pointSizeF() > 0)
        caption.setPointSizeF(caption.pointSizeF() * 0.85);
    else
        caption.setPixelSize(std::max(8, int(caption.pixelSize() * 0.85)));
    return caption;
}

void GraphCanvas::buildNode(const LayoutNode& node)
{
    NodeView view;
    view.layout = &node;
    view.shape = scene_->addPath(shapePath(node));
    view.shape->setZValue(2);
    view.shape->setData(kNameKey, qs(node.name));
    if (node.kind != LayoutNode::Kind::Start)
        view.shape->setToolTip(tooltipFor(node));
    if (node.kind != LayoutNode::Kind::Start) {
        view.name = new QGraphicsSimpleTextItem(view.shape);
        view.name->setFont(node.kind == LayoutNode::Kind::End ? captionFont() : font());
    }
    if (node.kind == LayoutNode::Kind::Node || node.kind == LayoutNode::Kind::Undeclared) {
        view.caption = new QGraphicsSimpleTextItem(view.shape);
        view.caption->setFont(captionFont());
    }
    nodes_.push_back(view);
}

void GraphCanvas::buildEdge(const LayoutEdge& edge)
{
    EdgeView view;
    view.layout = &edge;
    view.line = scene_->addPath(edge.kind == runtime::EdgeKind::Parallel ? doubledPath(edge.path)
                                                                         : edge.path);
    view.line->setZValue(0);
    view.arrow = scene_->addPath(arrowHead(edge));
    view.arrow->setZValue(0.1);
    if (!edge.label.isEmpty()) {
        view.labelBackground = scene_->addRect(QRectF());
        view.labelBackground->setZValue(1);
        view.labelBackground->setPen(Qt::NoPen);
        view.label = new QGraphicsSimpleTextItem(view.labelBackground);
        view.label->setFont(captionFont());
        view.label->setText(edge.label);
        const QFontMetricsF metrics(view.label->font());
        const QSizeF size(metrics.horizontalAdvance(edge.label), metrics.height());
        const QPointF center = edge.labelRect.center();
        view.label->setPos(center - QPointF(size.width() / 2, size.height() / 2));
        view.labelBackground->setRect(QRectF(
            center - QPointF(size.width() / 2 + 3, size.height() / 2 + 1), size + QSizeF(6, 2)));
    }
    edges_.push_back(view);
}

void GraphCanvas::restyle()
{
    styleEdges();
    styleNodes();
    styleSelection();
}

void GraphCanvas::styleNodes()
{
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::Text);
    const QColor muted = mix(pal.color(QPalette::Base), text, 0.62);
    bool endReached = false;
    for (const models::TakenEdge& edge : taken_)
        endReached = endReached || edge.to == runtime::kEndNode;

    for (NodeView& view : nodes_) {
        const LayoutNode& node = *view.layout;
        if (node.kind == LayoutNode::Kind::Start) {
            view.shape->setBrush(text);
            view.shape->setPen(Qt::NoPen);
            continue;
        }
        NodeState state = NodeState::Pending;
        if (auto it = states_.find(node.name); it != states_.end())
            state = it->second;
        if (node.kind == LayoutNode::Kind::End && endReached)
            state = NodeState::Done;
        const StateStyle style = stateStyle(state, pal);
        view.shape->setBrush(style.fill);
        QPen pen(style.border, style.width);
        if (node.kind == LayoutNode::Kind::Undeclared)
            pen.setStyle(Qt::DashLine);
        view.shape->setPen(pen);
        view.name->setBrush(text);
        placeText(view.name, node.displayName, node.nameRect);
        if (view.caption) {
            auto caption = captions_.find(node.name);
            const bool hasCaption = caption != captions_.end() && !caption->second.isEmpty();
            view.caption->setBrush(hasCaption ? text : muted);
            placeText(view.caption, hasCaption ? caption->second : typeCaption(node),
                      node.captionRect);
        }
    }
}

void GraphCanvas::styleEdges()
{
    const QPalette pal = palette();
    const QColor normal = mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.6);
    const QColor labelText = mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.8);
    QColor labelBackground = pal.color(QPalette::Base);
    labelBackground.setAlphaF(0.92f);

    // Which layout edges the run took; the newest taken edge is the strongest.
    std::set<const LayoutEdge*> taken;
    const LayoutEdge* newest = nullptr;
    std::uint32_t newestStep = 0;
    for (const models::TakenEdge& t : taken_) {
        std::vector<const LayoutEdge*> candidates;
        std::vector<const LayoutEdge*> byLabel;
        for (const LayoutEdge& e : layout_.edges) {
            if (e.edgeIndex < 0 || e.from != t.from || e.to != t.to)
                continue;
            candidates.push_back(&e);
            const runtime::Edge& source = graph_->edges[std::size_t(e.edgeIndex)];
            if (!t.conditionResult.empty() && source.label == t.conditionResult)
                byLabel.push_back(&e);
        }
        const auto& chosen = byLabel.empty() ? candidates : byLabel;
        for (const LayoutEdge* e : chosen) {
            taken.insert(e);
            if (!newest || t.step >= newestStep) {
                newest = e;
                newestStep = t.step;
            }
        }
    }
    const LayoutNode* entry = graph_ ? layout_.findNode(graph_->entryPoint) : nullptr;
    const bool started =
        entry && states_.count(entry->name) && states_.at(entry->name) != NodeState::Pending;

    for (EdgeView& view : edges_) {
        const LayoutEdge& edge = *view.layout;
        const bool isTaken = taken.count(&edge) || (edge.edgeIndex < 0 && started);
        const bool isNewest = &edge == newest;
        const QColor color = isTaken ? accent(pal, isNewest) : normal;
        qreal width = isNewest ? 3.0 : isTaken ? 2.2 : 1.3;
        QPen pen(color, width, Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin);
        if (edge.kind == runtime::EdgeKind::Conditional)
            pen.setDashPattern({4.0, 3.0});
        if (edge.kind == runtime::EdgeKind::Parallel)
            pen.setWidthF(isTaken ? width * 0.6 : 1.1);
        view.line->setPen(pen);
        view.line->setZValue(isNewest ? 0.8 : isTaken ? 0.6 : 0);
        view.arrow->setPen(QPen(color, 1));
        view.arrow->setBrush(color);
        view.arrow->setZValue(view.line->zValue() + 0.05);
        if (view.label) {
            view.label->setBrush(isTaken ? color : labelText);
            view.labelBackground->setBrush(labelBackground);
        }
    }
}

void GraphCanvas::styleSelection()
{
    if (!selectionRing_)
        return;
    const QRectF rect = nodeRect(selected_);
    QPainterPath ring;
    if (!rect.isNull())
        ring.addRoundedRect(rect.adjusted(-5, -5, 5, 5), 12, 12);
    selectionRing_->setPath(ring);
    selectionRing_->setPen(QPen(palette().color(QPalette::Highlight), 2.5));
    selectionRing_->setBrush(Qt::NoBrush);
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
    else if (event->type() == QEvent::FontChange && graph_)
        relayout();
}

std::map<std::string, std::string> GraphCanvas::stateFills() const
{
    std::map<std::string, std::string> fills;
    for (const auto& [name, state] : states_)
        if (state != NodeState::Pending)
            fills[name] = stateStyle(state, palette(), true).fill.name().toStdString();
    return fills;
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
