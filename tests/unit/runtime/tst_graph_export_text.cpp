// DOT and Mermaid text of graphs: every node and edge present, edge kinds
// styled apart, hostile names escaped (and read back by Graphviz's own
// parser), output independent of declaration order.
#include "runtime/GraphExport.h"
#include "runtime/GraphLoader.h"

#include "TestSupport.h"

#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <cctype>
#include <graphviz/cgraph.h>
#include <set>

using namespace nexus::runtime;

namespace {

const char* const kSamples[] = {"coding_agent", "rag_pipeline", "research_team", "support_triage"};

Graph sample(const char* name)
{
    auto loaded =
        loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" + name + ".json");
    if (!loaded)
        qFatal("%s: %s", name, loaded.error().message.c_str());
    return loaded->graph;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

std::string dq(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

// The line of `text` that contains `part` ("" when none).
std::string lineWith(const std::string& text, const std::string& part)
{
    const auto at = text.find(part);
    if (at == std::string::npos)
        return {};
    const auto begin = text.rfind('\n', at) + 1;
    const auto end = text.find('\n', at);
    return text.substr(begin, end - begin);
}

// Mermaid node ids by node name: the node line whose id starts with the
// sanitized name and whose label is the (plain) name.
std::map<std::string, std::string> mermaidIds(const std::string& mermaid, const Graph& graph)
{
    std::map<std::string, std::string> ids;
    for (const Node& node : graph.nodes) {
        std::string prefix = "    n_";
        for (char c : node.name)
            prefix += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
        prefix += '_';
        for (std::size_t at = mermaid.find(prefix); at != std::string::npos;
             at = mermaid.find(prefix, at + 1)) {
            const std::string line = lineWith(mermaid.substr(at), prefix);
            const auto end = line.find_first_of("([{");
            const bool plain = std::all_of(node.name.begin(), node.name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ';
            });
            const bool labelled = !plain || contains(line, "\"" + node.name + "\"");
            if (end != std::string::npos && line[end - 1] != ' ' && labelled) {
                ids[node.name] = line.substr(4, end - 4);
                break;
            }
        }
    }
    return ids;
}

// The line that declares a Mermaid node.
std::string nodeLine(const std::string& mermaid, const std::string& id)
{
    return lineWith(mermaid, "    " + id +
                                 (mermaid.find("    " + id + "(") != std::string::npos   ? "("
                                  : mermaid.find("    " + id + "[") != std::string::npos ? "["
                                                                                         : "{"));
}

Graph hostileGraph()
{
    Graph g;
    g.name = "hostile \"graph\"";
    g.entryPoint = "start";
    Node start;
    start.name = "start";
    start.type = NodeType{"router", true};
    Node hostile;
    hostile.name = "a\"b <img src=x>";
    hostile.type = NodeType{"llm", false};
    Node slash;
    slash.name = "back\\slash\\";
    slash.type = NodeType{"tool", false};
    Node spaced;
    spaced.name = "a b";
    Node underscored;
    underscored.name = "a_b";
    Node endWord;
    endWord.name = "end";
    endWord.type = NodeType{"human_in_loop", false};
    g.nodes = {start, hostile, slash, spaced, underscored, endWord};
    Edge toHostile{"start", hostile.name, EdgeKind::Conditional, "x\"y|<z>", std::nullopt, false};
    Edge toSlash{"start", slash.name, EdgeKind::Conditional, "other", std::nullopt, true};
    g.edges = {toHostile,
               toSlash,
               {hostile.name, "a b", EdgeKind::Parallel, "", std::nullopt, false},
               {hostile.name, "a_b", EdgeKind::Parallel, "", std::nullopt, false},
               {"a b", "end", EdgeKind::Direct, "", std::nullopt, false},
               {"a_b", "end", EdgeKind::Direct, "", std::nullopt, false},
               {slash.name, kEndNode, EdgeKind::Direct, "", std::nullopt, false},
               {"end", kEndNode, EdgeKind::Direct, "", std::nullopt, false}};
    return g;
}

} // namespace

class TestGraphExportText : public QObject
{
    Q_OBJECT

private slots:
    void dotHasEveryNodeAndEdge_data()
    {
        QTest::addColumn<QString>("name");
        for (const char* name : kSamples)
            QTest::newRow(name) << QString::fromLatin1(name);
    }
    void dotHasEveryNodeAndEdge()
    {
        QFETCH(QString, name);
        const Graph g = sample(name.toLatin1().constData());
        const std::string dot = toDot(g);
        QVERIFY(dot.starts_with("digraph " + dq(g.name) + " {\n"));
        QVERIFY(contains(dot, "rankdir=TB"));
        for (const Node& node : g.nodes)
            QVERIFY2(contains(dot, "  " + dq(node.name) + " [label=" + dq(node.name)),
                     node.name.c_str());
        QVERIFY(contains(dot, " -> " + dq(g.entryPoint) + ";\n")); // the start marker
        bool toEnd = false;
        for (const Edge& edge : g.edges) {
            toEnd = toEnd || edge.to == kEndNode;
            std::string expected = "  " + dq(edge.from) + " -> " + dq(edge.to);
            if (edge.kind == EdgeKind::Conditional)
                expected += " [style=dashed, label=" + dq(edge.label) + "];";
            else if (edge.kind == EdgeKind::Parallel)
                expected += " [style=bold, color=\"#505050:invis:#505050\"];";
            else
                expected += ";";
            QVERIFY2(contains(dot, expected + "\n"), expected.c_str());
        }
        QCOMPARE(contains(dot, "\"__end__\" [label=\"end\", shape=doublecircle"), toEnd);
        QVERIFY(dot.ends_with("}\n"));
    }

    void dotParsesBackWithGraphviz_data() { dotHasEveryNodeAndEdge_data(); }
    void dotParsesBackWithGraphviz()
    {
        QFETCH(QString, name);
        checkGraphvizRoundTrip(sample(name.toLatin1().constData()));
    }

    void mermaidHasEveryNodeAndEdge_data() { dotHasEveryNodeAndEdge_data(); }
    void mermaidHasEveryNodeAndEdge()
    {
        QFETCH(QString, name);
        const Graph g = sample(name.toLatin1().constData());
        const std::string mermaid = toMermaid(g);
        QVERIFY(mermaid.starts_with("flowchart TD\n"));
        const auto ids = mermaidIds(mermaid, g);
        const QRegularExpression idPattern(QStringLiteral("^n_[A-Za-z0-9_]+$"));
        std::set<std::string> distinct;
        for (const Node& node : g.nodes) {
            const std::string& id = ids.at(node.name);
            QVERIFY2(idPattern.match(QString::fromStdString(id)).hasMatch(), id.c_str());
            distinct.insert(id);
        }
        QCOMPARE(distinct.size(), g.nodes.size());
        QVERIFY(contains(mermaid, "n__start --> " + ids.at(g.entryPoint) + "\n"));
        for (const Edge& edge : g.edges) {
            const std::string from = ids.at(edge.from);
            const std::string to =
                edge.to == kEndNode ? lineWith(mermaid, "((\"end\"))").substr(4) : ids.at(edge.to);
            std::string arrow = " --> ";
            if (edge.kind == EdgeKind::Parallel)
                arrow = " ==> ";
            else if (edge.kind == EdgeKind::Conditional)
                arrow = " -.->|\"" + edge.label + "\"| ";
            const std::string expected = "    " + from + arrow + to.substr(0, to.find('(')) + "\n";
            QVERIFY2(contains(mermaid, expected), expected.c_str());
        }
    }

    void shapesFollowNodeTypes()
    {
        const Graph g = hostileGraph();
        const std::string mermaid = toMermaid(g);
        const auto ids = mermaidIds(mermaid, g);
        QVERIFY(contains(nodeLine(mermaid, ids.at("start")), "{\"start\"}")); // router: rhombus
        QVERIFY(contains(nodeLine(mermaid, ids.at("a b")), "[\"a b\"]"));     // transform
        QVERIFY(contains(nodeLine(mermaid, ids.at("end")), "([\"end\"])"));   // human: stadium
        QVERIFY(contains(nodeLine(mermaid, ids.at("back\\slash\\")),
                         "[[\"back\\slash\\\"]]")); // tool: subroutine
        QVERIFY(contains(nodeLine(mermaid, ids.at("a\"b <img src=x>")),
                         "(\"a#quot;b #lt;img src=x#gt;\")")); // llm: rounded
        QVERIFY(contains(mermaid, "((\"end\"))"));             // __end__: circle

        const std::string dot = toDot(g);
        QVERIFY(contains(lineWith(dot, "  \"start\" ["), "shape=diamond"));
        QVERIFY(contains(lineWith(dot, "  \"end\" ["), "shape=ellipse"));
        QVERIFY(contains(lineWith(dot, "  \"back\\\\slash"), "shape=hexagon"));
        QVERIFY(contains(lineWith(dot, "img src=x>\" ["), "style=\"rounded\""));
    }

    void escapesHostileNames()
    {
        const Graph g = hostileGraph();
        const std::string dot = toDot(g);
        QVERIFY(dot.starts_with("digraph \"hostile \\\"graph\\\"\" {"));
        QVERIFY(contains(dot, "  \"a\\\"b <img src=x>\" [label=\"a\\\"b <img src=x>\""));
        QVERIFY(contains(dot, "  \"back\\\\slash\\\\\" [label=\"back\\\\slash\\\\\""));
        QVERIFY(contains(dot, "label=\"x\\\"y|<z>\""));
        checkGraphvizRoundTrip(g);

        const std::string mermaid = toMermaid(g);
        QVERIFY(!contains(mermaid, "<"));
        QVERIFY(!contains(mermaid, ">\"")); // no raw '>' inside labels
        QVERIFY(contains(mermaid, "\"a#quot;b #lt;img src=x#gt;\""));
        QVERIFY(contains(mermaid, "-.->|\"x#quot;y#124;#lt;z#gt;\"|"));
        // Every line is "flowchart", a comment, or starts with a sanitized id.
        const QRegularExpression line(QStringLiteral("^    n_[A-Za-z0-9_]+[ (\\[{]"));
        const QStringList lines = QString::fromStdString(mermaid).split(QLatin1Char('\n'));
        for (const QString& l : lines.mid(2))
            if (!l.isEmpty())
                QVERIFY2(line.match(l).hasMatch(), qPrintable(l));
        // "a b" and "a_b" sanitize alike but keep distinct ids; "end" is not an id.
        const auto ids = mermaidIds(mermaid, g);
        QVERIFY(ids.at("a b") != ids.at("a_b"));
        QVERIFY(ids.at("end") != "end");
        QVERIFY(QString::fromStdString(ids.at("end")).startsWith(QLatin1String("n_end_")));
    }

    void outputIsStableUnderReordering_data() { dotHasEveryNodeAndEdge_data(); }
    void outputIsStableUnderReordering()
    {
        QFETCH(QString, name);
        const Graph g = sample(name.toLatin1().constData());
        Graph reordered = g;
        std::reverse(reordered.nodes.begin(), reordered.nodes.end());
        std::reverse(reordered.edges.begin(), reordered.edges.end());
        std::rotate(reordered.edges.begin(), reordered.edges.begin() + 1, reordered.edges.end());
        QCOMPARE(toDot(reordered), toDot(g));
        QCOMPARE(toMermaid(reordered), toMermaid(g));
        Graph hostile = hostileGraph();
        const std::string dot = toDot(hostile);
        std::reverse(hostile.nodes.begin(), hostile.nodes.end());
        std::reverse(hostile.edges.begin(), hostile.edges.end());
        QCOMPARE(toDot(hostile), dot);
    }

    void fillColoursAreValidated()
    {
        const Graph g = sample("coding_agent");
        const std::map<std::string, std::string> fills{
            {"plan", "#dcfce7"}, {"edit", "red\"]; x [label=\"y"}, {"test", "#FEE2E2"}};
        const std::string dot = toDot(g, fills);
        QVERIFY(contains(lineWith(dot, "  \"plan\" ["), "style=\"rounded,filled\""));
        QVERIFY(contains(lineWith(dot, "  \"plan\" ["), "fillcolor=\"#dcfce7\""));
        QVERIFY(contains(lineWith(dot, "  \"test\" ["), "fillcolor=\"#FEE2E2\""));
        QVERIFY(!contains(dot, "red"));
        QVERIFY(!contains(lineWith(dot, "  \"edit\" ["), "filled"));
        const std::string mermaid = toMermaid(g, fills);
        const auto ids = mermaidIds(mermaid, g);
        QVERIFY(contains(mermaid, "    style " + ids.at("plan") + " fill:#dcfce7\n"));
        QVERIFY(!contains(mermaid, "red"));
        QVERIFY(!contains(toMermaid(g), "style "));
    }

private:
    // Graphviz's parser reads the DOT back with every node name intact and
    // every edge present.
    void checkGraphvizRoundTrip(const Graph& g)
    {
        const std::string dot = toDot(g);
        Agraph_t* parsed = agmemread(dot.c_str());
        QVERIFY2(parsed, dot.c_str());
        std::set<std::string> names;
        for (Agnode_t* n = agfstnode(parsed); n; n = agnxtnode(parsed, n)) {
            // ids keep doubled backslashes; labels are what people see
            std::string label = agget(n, const_cast<char*>("label"));
            std::string unescaped;
            for (std::size_t i = 0; i < label.size(); ++i) {
                if (label[i] == '\\' && i + 1 < label.size())
                    ++i;
                unescaped += label[i];
            }
            names.insert(unescaped);
        }
        for (const Node& node : g.nodes)
            QVERIFY2(names.count(node.name), node.name.c_str());
        QCOMPARE(agnedges(parsed), int(g.edges.size()) + 1); // + the start edge
        agclose(parsed);
    }
};

QTEST_GUILESS_MAIN(TestGraphExportText)
#include "tst_graph_export_text.moc"
