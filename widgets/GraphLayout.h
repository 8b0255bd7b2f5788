#pragma once
// Graph layout by Graphviz's "dot" engine (libgvc + libcgraph), read back as
// Qt geometry for the graph canvas, and Graphviz's own SVG renderer for
// exports. Nothing here is laid out by hand.
//
// Node boxes are sized with Qt's font metrics and given to Graphviz as fixed
// sizes, so the canvas draws text in exactly the space dot reserved. Graphviz
// coordinates (points, y up) become scene coordinates (1 point = 1 unit, y
// down). Nodes and edges are sorted before the Graphviz graph is built, so
// the same schema always gets the same picture, whatever order it came in.
//
// Size guard (dot's time grows fast with crossings and long edges: 64
// random nodes with 256 edges already take seconds with splines):
//   - up to kFullNodes nodes and kFullEdges edges: curved edges (splines);
//   - above: straight edges (splines=line) and capped crossing-minimisation
//     and network-simplex passes (GraphLayoutResult::simplified);
//   - above kMaxNodes / kMaxEdges: no layout, an error that says so (DOT
//     and Mermaid export still work).
// The canvas lays out graphs up to kSyncNodes / kSyncEdges on the GUI thread
// and larger ones on a worker thread: prepare() (Qt font metrics) runs on
// the GUI thread, run() (Graphviz only) anywhere.
//
// Graphviz is not thread-safe: every Graphviz call here takes one
// process-wide lock. Its messages never reach stderr; they come back in
// `messages`.

#include "runtime/Graph.h"

#include <QByteArray>
#include <QFont>
#include <QPainterPath>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace nexus::widgets {

// How a node is drawn, by node type; the layout sizes boxes for it.
enum class NodeShape
{
    RoundedRect, // llm
    Subroutine,  // tool: a box with inner side bars
    Hexagon,     // router and other custom types: pointed left and right ends
    Stadium,     // human_in_loop
    Rect,        // transform, undeclared
    EndCircle,   // "__end__"
    StartDot,    // the entry marker
};
NodeShape nodeShapeFor(const runtime::NodeType& type);

struct LayoutNode
{
    enum class Kind
    {
        Node,       // a declared node
        Start,      // the marker pointing at the entry point
        End,        // "__end__"
        Undeclared, // named by an edge (or as entry point) but not declared
    };
    Kind kind = Kind::Node;
    std::string name;       // "" for the start marker
    QString displayName;    // elided to fit the box; the full name is `name`
    runtime::NodeType type; // declared nodes only
    NodeShape shape = NodeShape::Rect;
    QString description;
    QRectF rect;        // scene coordinates
    QRectF nameRect;    // where the name goes inside `rect`
    QRectF captionRect; // the line reserved for a caption under the name
};

struct LayoutEdge
{
    std::string from; // "" for the start marker's edge
    std::string to;
    runtime::EdgeKind kind = runtime::EdgeKind::Direct;
    QString label;      // elided route label; "" for none
    int edgeIndex = -1; // index into Graph::edges; -1 for the start edge
    QPainterPath path;  // the curve, ending at the arrowhead's base
    bool hasArrow = false;
    QPointF arrowBase;
    QPointF arrowTip;
    QRectF labelRect; // where dot put the label; empty when none
};

struct GraphLayoutResult
{
    bool ok = false;
    QString error;     // why there is no layout, when !ok
    bool busy = false; // another layout held Graphviz for longer than run() would wait
    bool simplified = false;
    std::vector<LayoutNode> nodes; // start marker first, then by name
    std::vector<LayoutEdge> edges; // start edge first, then by (from, to, kind, label)
    QRectF bounds;                 // everything, scene coordinates
    QStringList messages;          // what Graphviz said (warnings), if anything

    const LayoutNode* findNode(const std::string& name) const;
};

struct GraphLayoutOptions
{
    QFont font;                // node names
    QFont captionFont;         // the caption line and edge labels
    qreal maxNameWidth = 220;  // longer names are elided (full name in tooltips)
    qreal maxLabelWidth = 140; // longer route labels are elided
};

// Everything Graphviz needs, measured with Qt's fonts: a value that can go
// to a worker thread.
struct PreparedLayout
{
    QString error; // too large
    bool simplified = false;
    std::vector<LayoutNode> nodes; // rectangles hold only the sizes
    std::vector<LayoutEdge> edges;
    std::vector<std::pair<std::size_t, std::size_t>> ends; // node indices per edge
    std::string labelFont;
    int labelFontSize = 9;
};

class GraphLayout
{
public:
    static constexpr std::size_t kSyncNodes = 40;
    static constexpr std::size_t kSyncEdges = 80;
    static constexpr std::size_t kFullNodes = 80;
    static constexpr std::size_t kFullEdges = 160;
    static constexpr std::size_t kMaxNodes = 2000;
    static constexpr std::size_t kMaxEdges = 8000;

    // Small enough to lay out on the GUI thread.
    static bool isSmall(const runtime::Graph& graph);

    // GUI thread (font metrics).
    static PreparedLayout prepare(const runtime::Graph& graph,
                                  const GraphLayoutOptions& options = {});
    // Any thread. Waits at most `wait` for the Graphviz lock; when another
    // layout holds it longer, the result is `busy` (and not ok).
    static GraphLayoutResult run(PreparedLayout prepared,
                                 std::chrono::milliseconds wait = std::chrono::hours(1));
    // prepare + run.
    static GraphLayoutResult compute(const runtime::Graph& graph,
                                     const GraphLayoutOptions& options = {});

    // The graph as Graphviz draws it (runtime::toDot with the fill colours,
    // laid out by dot, rendered by the core "svg" renderer). Empty on
    // failure, with the reason in *error. Runs on the calling thread.
    static QByteArray renderSvg(const runtime::Graph& graph,
                                const std::map<std::string, std::string>& nodeFillColors = {},
                                QString* error = nullptr);

    // How the plugins were found: "config" (gvContext reading the installed
    // plugin config), "preloaded" (the dot layout and core plugins opened by
    // hand, for installs without a config) or "" when neither works.
    static QString pluginSource();
    // Builds a context from the preloaded plugins only and lays out and
    // renders a two-node graph with it; for tests of the fallback.
    static bool preloadedPluginsWork(QString* error = nullptr);
};

} // namespace nexus::widgets
