#include "widgets/GraphLayout.h"

#include "runtime/GraphExport.h"
#include "widgets/GraphvizContext.h"

#include <QFontInfo>
#include <QFontMetricsF>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <graphviz/gvc.h>
#include <mutex>
#include <tuple>
#include <utility>

namespace nexus::widgets {
namespace {

using runtime::Edge;
using runtime::EdgeKind;
using runtime::Graph;

using graphviz::Context;
using graphviz::context;
using graphviz::graphvizMutex;
using graphviz::takeMessages;

// Graphviz's C API takes char* for strings it only reads.
char* cs(const char* text)
{
    return const_cast<char*>(text);
}

// --- what to lay out -----------------------------------------------------------

QString qs(const std::string& text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

struct Metrics
{
    QFontMetricsF name;
    QFontMetricsF caption;
    qreal padX = 14;
    qreal padY = 7;
    qreal minWidth = 96;
};

QSizeF nodeSize(const LayoutNode& node, const Metrics& m)
{
    switch (node.shape) {
    case NodeShape::StartDot:
        return {14, 14};
    case NodeShape::EndCircle:
        return {34, 34};
    default:
        break;
    }
    const qreal height = 2 * m.padY + m.name.height() + m.caption.height();
    qreal width = m.name.horizontalAdvance(node.displayName) + 2 * m.padX;
    if (node.shape == NodeShape::Hexagon)
        width += height * 0.6; // room for the points
    else if (node.shape == NodeShape::Subroutine)
        width += 12; // the side bars
    else if (node.shape == NodeShape::Stadium)
        width += height * 0.3;
    return {std::ceil(std::max(width, m.minWidth)), std::ceil(height)};
}

// Name and caption lines inside a node's rectangle (sized, at the origin).
void placeText(LayoutNode& node, const Metrics& m)
{
    if (node.shape == NodeShape::StartDot || node.shape == NodeShape::EndCircle) {
        node.nameRect = node.rect;
        return;
    }
    const qreal textHeight = m.name.height() + m.caption.height();
    const qreal top = node.rect.center().y() - textHeight / 2;
    qreal inset = m.padX;
    if (node.shape == NodeShape::Hexagon)
        inset += node.rect.height() * 0.3;
    else if (node.shape == NodeShape::Subroutine)
        inset += 6;
    else if (node.shape == NodeShape::Stadium)
        inset += node.rect.height() * 0.15;
    const qreal left = node.rect.left() + inset;
    const qreal width = std::max<qreal>(node.rect.width() - 2 * inset, 1);
    node.nameRect = QRectF(left, top, width, m.name.height());
    node.captionRect = QRectF(left, top + m.name.height(), width, m.caption.height());
}

// Moves a node (and its text lines) to where dot put it.
void moveNode(LayoutNode& node, const QPointF& center, const QSizeF& size)
{
    const QPointF shift = center - node.rect.center();
    node.nameRect.translate(shift);
    node.captionRect.translate(shift);
    node.rect = QRectF(center - QPointF(size.width() / 2, size.height() / 2), size);
}

void plan(const Graph& graph, const GraphLayoutOptions& options, const Metrics& m,
          PreparedLayout& p)
{
    std::map<std::string, LayoutNode> byName;
    for (const runtime::Node& node : graph.nodes) {
        LayoutNode n;
        n.name = node.name;
        n.type = node.type;
        n.shape = nodeShapeFor(node.type);
        n.description = qs(node.description);
        byName.emplace(node.name, std::move(n));
    }
    auto addImplicit = [&](const std::string& name) {
        if (byName.count(name))
            return;
        LayoutNode n;
        n.name = name;
        const bool end = name == runtime::kEndNode;
        n.kind = end ? LayoutNode::Kind::End : LayoutNode::Kind::Undeclared;
        n.shape = end ? NodeShape::EndCircle : NodeShape::Rect;
        byName.emplace(name, std::move(n));
    };
    if (!graph.entryPoint.empty()) {
        addImplicit(graph.entryPoint);
        LayoutNode start;
        start.kind = LayoutNode::Kind::Start;
        start.shape = NodeShape::StartDot;
        p.nodes.push_back(std::move(start));
    }
    std::vector<const Edge*> edges;
    for (const Edge& edge : graph.edges) {
        addImplicit(edge.from);
        addImplicit(edge.to);
        edges.push_back(&edge);
    }
    std::map<std::string, std::size_t> index;
    for (auto& [name, node] : byName) {
        node.displayName = node.kind == LayoutNode::Kind::End
                               ? QStringLiteral("end")
                               : m.name.elidedText(qs(name), Qt::ElideRight, options.maxNameWidth);
        index[name] = p.nodes.size();
        p.nodes.push_back(std::move(node));
    }
    for (LayoutNode& node : p.nodes) {
        node.rect = QRectF(QPointF(), nodeSize(node, m));
        placeText(node, m);
    }

    if (!graph.entryPoint.empty()) {
        LayoutEdge start;
        start.to = graph.entryPoint;
        p.edges.push_back(std::move(start));
        p.ends.emplace_back(0, index[graph.entryPoint]);
    }
    std::stable_sort(edges.begin(), edges.end(), [](const Edge* a, const Edge* b) {
        return std::tie(a->from, a->to, a->kind, a->label, a->isDefault) <
               std::tie(b->from, b->to, b->kind, b->label, b->isDefault);
    });
    for (const Edge* edge : edges) {
        LayoutEdge e;
        e.from = edge->from;
        e.to = edge->to;
        e.kind = edge->kind;
        e.edgeIndex = int(edge - graph.edges.data());
        if (edge->kind == EdgeKind::Conditional && !edge->label.empty())
            e.label = m.caption.elidedText(qs(edge->label), Qt::ElideRight, options.maxLabelWidth);
        p.edges.push_back(std::move(e));
        p.ends.emplace_back(index[edge->from], index[edge->to]);
    }
}

// --- Graphviz graph -----------------------------------------------------------

const char* graphvizShape(NodeShape shape)
{
    switch (shape) {
    case NodeShape::EndCircle:
    case NodeShape::StartDot:
        return "circle";
    default:
        return "box";
    }
}

std::string number(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4f", value);
    return buffer;
}

struct GraphvizGraph
{
    Agraph_t* g = nullptr;
    std::vector<Agnode_t*> nodes;
    std::vector<Agedge_t*> edges;
};

void simplify(Agraph_t* g)
{
    agattr(g, AGRAPH, cs("splines"), cs("line"));
    agattr(g, AGRAPH, cs("mclimit"), cs("0.1"));
    agattr(g, AGRAPH, cs("nslimit"), cs("2"));
    agattr(g, AGRAPH, cs("nslimit1"), cs("2"));
    agattr(g, AGRAPH, cs("remincross"), cs("false"));
}

GraphvizGraph build(const PreparedLayout& p)
{
    GraphvizGraph out;
    out.g = agopen(cs("graph"), Agdirected, nullptr);
    Agraph_t* g = out.g;
    agattr(g, AGRAPH, cs("rankdir"), cs("TB"));
    agattr(g, AGRAPH, cs("nodesep"), cs("0.3"));
    agattr(g, AGRAPH, cs("ranksep"), cs("0.42"));
    agattr(g, AGRAPH, cs("ordering"), cs("out"));
    if (p.simplified)
        simplify(g);
    agattr(g, AGNODE, cs("fixedsize"), cs("true"));
    agattr(g, AGNODE, cs("label"), cs(""));
    Agsym_t* shape = agattr(g, AGNODE, cs("shape"), cs("box"));
    Agsym_t* width = agattr(g, AGNODE, cs("width"), cs("1"));
    Agsym_t* height = agattr(g, AGNODE, cs("height"), cs("0.5"));
    const std::string size = std::to_string(p.labelFontSize);
    agattr(g, AGEDGE, cs("fontname"), cs(p.labelFont.c_str()));
    agattr(g, AGEDGE, cs("fontsize"), cs(size.c_str()));
    agattr(g, AGEDGE, cs("arrowsize"), cs("0.8"));
    Agsym_t* label = agattr(g, AGEDGE, cs("label"), cs(""));

    for (std::size_t i = 0; i < p.nodes.size(); ++i) {
        const std::string id = "n" + std::to_string(i);
        Agnode_t* n = agnode(g, cs(id.c_str()), 1);
        agxset(n, shape, cs(graphvizShape(p.nodes[i].shape)));
        agxset(n, width, cs(number(p.nodes[i].rect.width() / 72.0).c_str()));
        agxset(n, height, cs(number(p.nodes[i].rect.height() / 72.0).c_str()));
        out.nodes.push_back(n);
    }
    for (std::size_t i = 0; i < p.edges.size(); ++i) {
        const std::string key = "e" + std::to_string(i);
        Agedge_t* e =
            agedge(g, out.nodes[p.ends[i].first], out.nodes[p.ends[i].second], cs(key.c_str()), 1);
        if (!p.edges[i].label.isEmpty())
            agxset(e, label, cs(p.edges[i].label.toStdString().c_str()));
        out.edges.push_back(e);
    }
    return out;
}

// Reads dot's geometry back: points with y up -> scene units with y down.
void readBack(const GraphvizGraph& gv, PreparedLayout& p, GraphLayoutResult& result)
{
    const boxf bb = GD_bb(gv.g);
    auto scene = [&](pointf point) { return QPointF(point.x - bb.LL.x, bb.UR.y - point.y); };
    for (std::size_t i = 0; i < p.nodes.size(); ++i) {
        Agnode_t* n = gv.nodes[i];
        const QSizeF size(ND_width(n) * 72.0, ND_height(n) * 72.0);
        const QPointF center = scene(ND_coord(n));
        moveNode(p.nodes[i], center, size);
    }
    for (std::size_t i = 0; i < p.edges.size(); ++i) {
        Agedge_t* e = gv.edges[i];
        LayoutEdge& edge = p.edges[i];
        const splines* spl = ED_spl(e);
        if (spl && spl->size > 0) {
            for (int b = 0; b < spl->size; ++b) {
                const bezier& bz = spl->list[b];
                if (bz.size < 1)
                    continue;
                edge.path.moveTo(scene(bz.list[0]));
                for (int k = 1; k + 2 < bz.size; k += 3)
                    edge.path.cubicTo(scene(bz.list[k]), scene(bz.list[k + 1]),
                                      scene(bz.list[k + 2]));
                if (bz.eflag) {
                    edge.hasArrow = true;
                    edge.arrowBase = scene(bz.list[bz.size - 1]);
                    edge.arrowTip = scene(bz.ep);
                }
            }
        } else {
            // No spline (should not happen with dot): a straight line.
            const auto [from, to] = p.ends[i];
            edge.path.moveTo(p.nodes[from].rect.center());
            edge.path.lineTo(p.nodes[to].rect.center());
        }
        if (const textlabel_t* l = ED_label(e); l && l->set) {
            const QPointF c = scene(l->pos);
            edge.labelRect =
                QRectF(c.x() - l->dimen.x / 2, c.y() - l->dimen.y / 2, l->dimen.x, l->dimen.y);
        }
    }
    result.bounds = QRectF(0, 0, bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
}

QString tooLarge(const Graph& graph)
{
    if (graph.nodes.size() > GraphLayout::kMaxNodes || graph.edges.size() > GraphLayout::kMaxEdges)
        return QStringLiteral("The graph is too large to draw (%1 nodes, %2 edges; the limit is "
                              "%3 nodes and %4 edges). Export it as DOT or Mermaid instead.")
            .arg(graph.nodes.size())
            .arg(graph.edges.size())
            .arg(GraphLayout::kMaxNodes)
            .arg(GraphLayout::kMaxEdges);
    return {};
}

bool needsSimplifying(const Graph& graph)
{
    return graph.nodes.size() > GraphLayout::kFullNodes ||
           graph.edges.size() > GraphLayout::kFullEdges;
}

} // namespace

NodeShape nodeShapeFor(const runtime::NodeType& type)
{
    if (type.custom)
        return NodeShape::Hexagon;
    if (type.name == "llm")
        return NodeShape::RoundedRect;
    if (type.name == "tool")
        return NodeShape::Subroutine;
    if (type.name == "human_in_loop")
        return NodeShape::Stadium;
    return NodeShape::Rect;
}

const LayoutNode* GraphLayoutResult::findNode(const std::string& name) const
{
    for (const LayoutNode& node : nodes)
        if (node.kind != LayoutNode::Kind::Start && node.name == name)
            return &node;
    return nullptr;
}

bool GraphLayout::isSmall(const Graph& graph)
{
    return graph.nodes.size() <= kSyncNodes && graph.edges.size() <= kSyncEdges;
}

PreparedLayout GraphLayout::prepare(const Graph& graph, const GraphLayoutOptions& options)
{
    PreparedLayout p;
    p.error = tooLarge(graph);
    if (!p.error.isEmpty())
        return p;
    p.simplified = needsSimplifying(graph);
    p.labelFont = options.captionFont.family().toStdString();
    p.labelFontSize = std::max(QFontInfo(options.captionFont).pixelSize(), 6);
    const Metrics m{QFontMetricsF(options.font), QFontMetricsF(options.captionFont)};
    plan(graph, options, m, p);
    return p;
}

GraphLayoutResult GraphLayout::run(PreparedLayout p, std::chrono::milliseconds wait)
{
    GraphLayoutResult result;
    result.error = p.error;
    result.simplified = p.simplified;
    if (!result.error.isEmpty())
        return result;
    if (p.nodes.empty()) {
        result.ok = true;
        return result;
    }
    std::unique_lock lock(graphvizMutex(), std::defer_lock);
    if (!lock.try_lock_for(wait)) {
        result.busy = true;
        result.error = QStringLiteral("Graphviz is busy with another layout");
        return result;
    }
    Context& ctx = context();
    if (!ctx.gvc) {
        result.error = ctx.error;
        return result;
    }
    takeMessages();
    GraphvizGraph gv = build(p);
    if (gvLayout(ctx.gvc, gv.g, "dot") != 0) {
        result.messages = takeMessages();
        result.error = QStringLiteral("Graphviz could not lay out the graph: %1")
                           .arg(result.messages.join(QLatin1Char(' ')));
        agclose(gv.g);
        return result;
    }
    readBack(gv, p, result);
    gvFreeLayout(ctx.gvc, gv.g);
    agclose(gv.g);
    result.messages = takeMessages();
    result.nodes = std::move(p.nodes);
    result.edges = std::move(p.edges);
    result.ok = true;
    return result;
}

GraphLayoutResult GraphLayout::compute(const Graph& graph, const GraphLayoutOptions& options)
{
    return run(prepare(graph, options));
}

QByteArray GraphLayout::renderSvg(const Graph& graph,
                                  const std::map<std::string, std::string>& nodeFillColors,
                                  QString* error)
{
    auto fail = [&](const QString& why) {
        if (error)
            *error = why;
        return QByteArray();
    };
    if (const QString why = tooLarge(graph); !why.isEmpty())
        return fail(why);
    const std::string dot = runtime::toDot(graph, nodeFillColors);

    // An export waits a little for a running layout, not for ever.
    std::unique_lock lock(graphvizMutex(), std::defer_lock);
    if (!lock.try_lock_for(std::chrono::seconds(2)))
        return fail(QStringLiteral("Graphviz is busy with another layout; try again"));
    Context& ctx = context();
    if (!ctx.gvc)
        return fail(ctx.error);
    takeMessages();
    Agraph_t* g = agmemread(dot.c_str());
    if (!g)
        return fail(QStringLiteral("Graphviz could not read the graph: %1")
                        .arg(takeMessages().join(QLatin1Char(' '))));
    if (needsSimplifying(graph))
        simplify(g);
    QByteArray svg;
    if (gvLayout(ctx.gvc, g, "dot") == 0) {
        char* data = nullptr;
        unsigned int length = 0;
        // The core renderer keeps text as <text>; cairo's would turn it into paths.
        if (gvRenderData(ctx.gvc, g, "svg:svg:core", &data, &length) == 0 && data)
            svg = QByteArray(data, qsizetype(length));
        gvFreeRenderData(data);
        gvFreeLayout(ctx.gvc, g);
    }
    agclose(g);
    const QStringList messages = takeMessages();
    if (svg.isEmpty())
        return fail(QStringLiteral("Graphviz could not render the graph: %1")
                        .arg(messages.join(QLatin1Char(' '))));
    return svg;
}

} // namespace nexus::widgets
