// GraphCanvas's scene items: building them from a layout and styling them
// by node state, taken edges, selection and palette.
#include "widgets/GraphCanvasItems.h"

#include "widgets/GraphCanvas.h"

#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QPainterPathStroker>

#include <algorithm>
#include <cmath>
#include <set>

namespace nexus::widgets {
namespace {

using graphcanvas::kNameKey;
using graphcanvas::qs;
using models::NodeState;

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

std::map<std::string, std::string> GraphCanvas::stateFills() const
{
    std::map<std::string, std::string> fills;
    for (const auto& [name, state] : states_)
        if (state != NodeState::Pending)
            fills[name] = stateStyle(state, palette(), true).fill.name().toStdString();
    return fills;
}

} // namespace nexus::widgets
