// The graph canvas on the sample graphs: Graphviz layout (every node placed,
// no overlaps, deterministic, quiet), selection by click, state colours,
// plain-text names, exports, the placeholder and the size guard. Saves
// screenshots to <build>/screenshots/ for a person to look at.
#include "runtime/GraphLoader.h"
#include "widgets/GraphCanvas.h"
#include "widgets/GraphLayout.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QImage>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using nexus::models::NodeState;
using nexus::models::TakenEdge;
using nexus::runtime::Graph;
using nexus::widgets::GraphCanvas;
using nexus::widgets::GraphLayout;
using nexus::widgets::LayoutNode;

namespace {

const char* const kSamples[] = {"coding_agent", "rag_pipeline", "research_team", "support_triage"};

Graph loadSample(const QString& name)
{
    auto loaded = nexus::runtime::loadGraphFile(
        std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" + name.toStdString() + ".json");
    if (!loaded)
        qFatal("%s: %s", qPrintable(name), loaded.error().message.c_str());
    return loaded->graph;
}

std::shared_ptr<const Graph> sample(const QString& name)
{
    return std::make_shared<const Graph>(loadSample(name));
}

void save(QWidget& w, const char* name)
{
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/") + QLatin1String(name) +
                         QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

QStringList texts(const QGraphicsItem* item)
{
    QStringList out;
    for (const QGraphicsItem* child : item->childItems())
        if (auto* text = dynamic_cast<const QGraphicsSimpleTextItem*>(child))
            out << text->text();
    return out;
}

Graph hostileGraph()
{
    Graph g;
    g.name = "hostile";
    g.entryPoint = "<b>bold</b>";
    nexus::runtime::Node bold;
    bold.name = "<b>bold</b>";
    bold.type = {"llm", false};
    nexus::runtime::Node img;
    img.name = "a\"b <img src=x>";
    img.type = {"router", true};
    g.nodes = {bold, img};
    g.edges = {{bold.name, img.name, nexus::runtime::EdgeKind::Direct, "", std::nullopt, false},
               {img.name, "__end__", nexus::runtime::EdgeKind::Conditional, "<i>done</i>",
                std::nullopt, true}};
    return g;
}

// A chain of n transform nodes with a skip edge every tenth node.
Graph chain(std::size_t n)
{
    Graph g;
    g.name = "chain";
    g.entryPoint = "n0";
    for (std::size_t i = 0; i < n; ++i) {
        nexus::runtime::Node node;
        node.name = "n" + std::to_string(i);
        g.nodes.push_back(node);
        if (i + 1 < n)
            g.edges.push_back({node.name, "n" + std::to_string(i + 1),
                               nexus::runtime::EdgeKind::Direct, "", std::nullopt, false});
        if (i % 10 == 0 && i + 5 < n)
            g.edges.push_back({node.name, "n" + std::to_string(i + 5),
                               nexus::runtime::EdgeKind::Conditional, "skip", std::nullopt, false});
    }
    return g;
}

// Runs `work` with stderr redirected to a file; returns what was written.
template <class F> QByteArray stderrOf(F&& work)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("stderr.txt"));
    std::fflush(stderr);
    const int saved = dup(2);
    const int fd = open(path.toLocal8Bit().constData(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
    work();
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(unreadable)");
}

} // namespace

class TestGraphCanvas : public QObject
{
    Q_OBJECT
private slots:
    void graphvizPluginsLoad()
    {
        // "config" where the distribution's plugin config is installed (Debian's
        // libgvc6 is); "preloaded" is the fallback that opens the plugins by hand.
        const QString source = GraphLayout::pluginSource();
        qInfo("Graphviz plugins: %s", qPrintable(source));
        QVERIFY(source == QStringLiteral("config") || source == QStringLiteral("preloaded"));
        QString error;
        QVERIFY2(GraphLayout::preloadedPluginsWork(&error), qPrintable(error));
    }

    void layoutPlacesEveryNodeWithoutOverlap_data()
    {
        QTest::addColumn<QString>("name");
        for (const char* name : kSamples)
            QTest::newRow(name) << QString::fromLatin1(name);
    }
    void layoutPlacesEveryNodeWithoutOverlap()
    {
        QFETCH(QString, name);
        const Graph g = loadSample(name);
        const auto layout = GraphLayout::compute(g);
        QVERIFY2(layout.ok, qPrintable(layout.error));
        QVERIFY(!layout.simplified);
        QVERIFY2(layout.messages.isEmpty(), qPrintable(layout.messages.join('\n')));
        for (const auto& node : g.nodes)
            QVERIFY2(layout.findNode(node.name), node.name.c_str());
        const bool hasEnd = std::any_of(g.edges.begin(), g.edges.end(),
                                        [](const auto& e) { return e.to == "__end__"; });
        QCOMPARE(layout.nodes.size(), g.nodes.size() + 1 + (hasEnd ? 1 : 0)); // + start, end
        QCOMPARE(layout.nodes.front().kind, LayoutNode::Kind::Start);
        for (std::size_t i = 0; i < layout.nodes.size(); ++i) {
            const QRectF a = layout.nodes[i].rect;
            QVERIFY(layout.bounds.adjusted(-1, -1, 1, 1).contains(a));
            for (std::size_t j = i + 1; j < layout.nodes.size(); ++j)
                QVERIFY2(!a.intersects(layout.nodes[j].rect),
                         qPrintable(QStringLiteral("%1 overlaps %2")
                                        .arg(QString::fromStdString(layout.nodes[i].name),
                                             QString::fromStdString(layout.nodes[j].name))));
        }
        QCOMPARE(layout.edges.size(), g.edges.size() + 1);
        for (const auto& edge : layout.edges) {
            QVERIFY(!edge.path.isEmpty());
            QVERIFY(edge.hasArrow);
            // The arrowhead touches the target's box.
            const QRectF target = layout.findNode(edge.to)->rect.adjusted(-2, -2, 2, 2);
            QVERIFY2(target.contains(edge.arrowTip), edge.to.c_str());
            if (edge.kind == nexus::runtime::EdgeKind::Conditional && !edge.label.isEmpty())
                QVERIFY(!edge.labelRect.isEmpty());
        }

        // The canvas shows every node.
        GraphCanvas canvas;
        canvas.setGraph(std::make_shared<const Graph>(g));
        for (const auto& node : g.nodes) {
            auto* item = canvas.nodeItem(QString::fromStdString(node.name));
            QVERIFY(item);
            QCOMPARE(item->scene(), canvas.scene());
            QVERIFY(
                canvas.sceneRect().contains(canvas.nodeRect(QString::fromStdString(node.name))));
        }
        QVERIFY(canvas.shownMessage().isEmpty());
    }

    void layoutIsDeterministicAndQuiet()
    {
        for (const char* name : kSamples) {
            const Graph g = loadSample(QString::fromLatin1(name));
            Graph reordered = g;
            std::reverse(reordered.nodes.begin(), reordered.nodes.end());
            std::reverse(reordered.edges.begin(), reordered.edges.end());
            nexus::widgets::GraphLayoutResult a, b;
            QByteArray svg;
            const QByteArray said = stderrOf([&] {
                a = GraphLayout::compute(g);
                b = GraphLayout::compute(reordered);
                svg = GraphLayout::renderSvg(g);
            });
            QVERIFY2(said.isEmpty(), said.constData());
            QVERIFY(!svg.isEmpty());
            QCOMPARE(a.bounds, b.bounds);
            QCOMPARE(b.nodes.front().rect, a.nodes.front().rect); // the start marker
            for (const auto& node : a.nodes)
                if (node.kind != LayoutNode::Kind::Start)
                    QCOMPARE(b.findNode(node.name)->rect, node.rect);
        }
    }

    void clickSelectsAndDoubleClickActivates()
    {
        GraphCanvas canvas;
        canvas.resize(900, 700);
        canvas.setGraph(sample(QStringLiteral("support_triage")));
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        QSignalSpy selected(&canvas, &GraphCanvas::nodeSelected);
        QSignalSpy activated(&canvas, &GraphCanvas::nodeActivated);
        for (const QString& name :
             {QStringLiteral("classify"), QStringLiteral("billing_specialist"),
              QStringLiteral("send_reply")}) {
            const QRectF rect = canvas.nodeRect(name);
            QVERIFY2(!rect.isNull(), qPrintable(name));
            const QPoint at = canvas.mapFromScene(rect.center() + QPointF(0, rect.height() / 4));
            QTest::mouseClick(canvas.viewport(), Qt::LeftButton, {}, at);
            QCOMPARE(selected.count(), 1);
            QCOMPARE(selected.takeFirst().at(0).toString(), name);
            QCOMPARE(canvas.selectedNode(), name);
        }
        const QPoint at = canvas.mapFromScene(canvas.nodeRect(QStringLiteral("classify")).center());
        QTest::mouseDClick(canvas.viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toString(), QStringLiteral("classify"));
        // Empty space selects nothing.
        selected.clear();
        QTest::mouseClick(canvas.viewport(), Qt::LeftButton, {},
                          canvas.mapFromScene(canvas.sceneRect().topLeft() + QPointF(3, 3)));
        QCOMPARE(selected.count(), 0);
        save(canvas, "graph-canvas-support-triage-selected");
    }

    void statesColourNodes()
    {
        GraphCanvas canvas;
        canvas.resize(900, 720);
        canvas.setGraph(sample(QStringLiteral("coding_agent")));
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        auto fill = [&](const char* node) {
            return canvas.nodeItem(QString::fromLatin1(node))->brush().color();
        };
        auto border = [&](const char* node) {
            return canvas.nodeItem(QString::fromLatin1(node))->pen().color();
        };
        const QColor pending = fill("plan");
        QCOMPARE(fill("edit"), pending);
        QCOMPARE(fill("test"), pending);
        QCOMPARE(texts(canvas.nodeItem(QStringLiteral("plan"))),
                 QStringList({QStringLiteral("plan"), QStringLiteral("llm")}));

        canvas.setNodeStates({{"plan", NodeState::Done},
                              {"edit", NodeState::Done},
                              {"test", NodeState::Error},
                              {"human_review", NodeState::Active}},
                             {{"plan", QStringLiteral("2.21 s")},
                              {"edit", QStringLiteral("3.48 s \u00b7 \u00d72")}});
        QCOMPARE(fill("plan"), QColor(0xdcfce7));
        QCOMPARE(border("plan"), QColor(0x16a34a));
        QCOMPARE(fill("test"), QColor(0xfee2e2));
        QCOMPARE(border("test"), QColor(0xdc2626));
        QCOMPARE(fill("human_review"), QColor(0xdbeafe));
        QCOMPARE(border("human_review"), QColor(0x2563eb));
        QVERIFY(canvas.nodeItem(QStringLiteral("human_review"))->pen().widthF() >
                canvas.nodeItem(QStringLiteral("plan"))->pen().widthF());
        QVERIFY(texts(canvas.nodeItem(QStringLiteral("plan"))).contains(QStringLiteral("2.21 s")));
        canvas.setTakenEdges({{"plan", "edit", 3, true, false, ""},
                              {"edit", "test", 7, true, false, ""},
                              {"test", "edit", 11, true, true, ""},
                              {"edit", "test", 15, true, false, ""},
                              {"test", "human_review", 19, true, true, ""}});
        canvas.setSelectedNode(QStringLiteral("human_review"));
        save(canvas, "graph-canvas-coding-agent-states");

        // Back to pending.
        canvas.setNodeStates({}, {});
        QCOMPARE(fill("plan"), pending);
        QCOMPARE(texts(canvas.nodeItem(QStringLiteral("plan"))).last(), QStringLiteral("llm"));
    }

    void researchTeamRunScreenshot()
    {
        GraphCanvas canvas;
        canvas.resize(1000, 760);
        canvas.setGraph(sample(QStringLiteral("research_team")));
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        canvas.setNodeStates({{"plan", NodeState::Done},
                              {"web_researcher", NodeState::Done},
                              {"paper_researcher", NodeState::Active},
                              {"code_researcher", NodeState::Error}},
                             {{"plan", QStringLiteral("1.10 s")},
                              {"web_researcher", QStringLiteral("3.20 s")},
                              {"paper_researcher", QStringLiteral("2.05 s")}});
        canvas.setTakenEdges({{"plan", "web_researcher", 4, true, false, ""},
                              {"plan", "paper_researcher", 5, true, false, ""},
                              {"plan", "code_researcher", 6, true, false, ""}});
        save(canvas, "graph-canvas-research-team-running");

        // The same in a dark palette.
        QPalette dark = canvas.palette();
        dark.setColor(QPalette::Base, QColor(0x1e1f22));
        dark.setColor(QPalette::Window, QColor(0x2b2d30));
        dark.setColor(QPalette::Text, QColor(0xdfe1e5));
        dark.setColor(QPalette::WindowText, QColor(0xdfe1e5));
        dark.setColor(QPalette::PlaceholderText, QColor(0x8c8f94));
        canvas.setPalette(dark);
        QVERIFY(canvas.nodeItem(QStringLiteral("plan"))->brush().color().lightnessF() < 0.5);
        save(canvas, "graph-canvas-research-team-running-dark");
        canvas.setPalette(QPalette());

        canvas.setNodeStates({{"plan", NodeState::Done},
                              {"web_researcher", NodeState::Done},
                              {"paper_researcher", NodeState::Done},
                              {"code_researcher", NodeState::Done},
                              {"write_report", NodeState::Done},
                              {"fact_check", NodeState::Done}},
                             {{"write_report", QStringLiteral("0.92 s \u00b7 \u00d72")}});
        canvas.setTakenEdges({{"plan", "web_researcher", 4, true, false, ""},
                              {"write_report", "fact_check", 9, true, false, ""},
                              {"fact_check", "write_report", 10, true, true, "revise"},
                              {"fact_check", "__end__", 14, true, true, "publish"}});
        save(canvas, "graph-canvas-research-team-done");
    }

    void rendersSampleScreenshots()
    {
        for (const char* name : {"rag_pipeline", "support_triage"}) {
            GraphCanvas canvas;
            canvas.resize(900, 700);
            canvas.setGraph(sample(QString::fromLatin1(name)));
            canvas.show();
            QVERIFY(QTest::qWaitForWindowExposed(&canvas));
            save(canvas, (std::string("graph-canvas-") + name).c_str());
        }
    }

    void namesArePlainText()
    {
        GraphCanvas canvas;
        canvas.resize(600, 500);
        canvas.setGraph(std::make_shared<const Graph>(hostileGraph()));
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        QVERIFY(canvas.nodeItem(QStringLiteral("<b>bold</b>")));
        QCOMPARE(texts(canvas.nodeItem(QStringLiteral("<b>bold</b>"))).first(),
                 QStringLiteral("<b>bold</b>"));
        QCOMPARE(texts(canvas.nodeItem(QStringLiteral("a\"b <img src=x>"))).first(),
                 QStringLiteral("a\"b <img src=x>"));
        bool sawLabel = false;
        for (QGraphicsItem* item : canvas.scene()->items()) {
            QVERIFY(!dynamic_cast<QGraphicsTextItem*>(item));
            if (auto* text = dynamic_cast<QGraphicsSimpleTextItem*>(item))
                sawLabel = sawLabel || text->text() == QStringLiteral("<i>done</i>");
        }
        QVERIFY(sawLabel);
        // Tooltips are rich text, so the name in them is escaped.
        QVERIFY(canvas.nodeItem(QStringLiteral("<b>bold</b>"))
                    ->toolTip()
                    .contains(QStringLiteral("&lt;b&gt;bold&lt;/b&gt;")));
        save(canvas, "graph-canvas-hostile-names");
    }

    void exportsWriteFiles()
    {
        QTemporaryDir dir;
        GraphCanvas canvas;
        canvas.resize(800, 600);
        const auto graph = sample(QStringLiteral("research_team"));
        canvas.setGraph(graph);
        canvas.setNodeStates({{"plan", NodeState::Done}, {"fact_check", NodeState::Error}}, {});

        const QString png = dir.filePath(QStringLiteral("graph.png"));
        QVERIFY(canvas.exportPng(png));
        QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), (canvas.sceneRect().size() * 2).toSize());
        // The done node is green in the picture.
        const QRectF plan = canvas.nodeRect(QStringLiteral("plan"));
        const QPointF inside =
            (plan.topLeft() + QPointF(12, plan.height() / 2) - canvas.sceneRect().topLeft()) * 2;
        QCOMPARE(image.pixelColor(inside.toPoint()), QColor(0xdcfce7));

        const QString svgPath = dir.filePath(QStringLiteral("graph.svg"));
        QVERIFY(canvas.exportSvg(svgPath));
        QFile svgFile(svgPath);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray svg = svgFile.readAll();
        QVERIFY(svg.startsWith("<?xml") || svg.startsWith("<svg"));
        QVERIFY(svg.contains("</svg>"));
        for (const auto& node : graph->nodes)
            QVERIFY2(svg.contains(">" + QByteArray::fromStdString(node.name) + "<"),
                     node.name.c_str());
        QVERIFY(svg.contains("fill=\"#dcfce7\""));
        QVERIFY(svg.contains("fill=\"#fee2e2\""));
        // Keep copies to look at.
        QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
        for (const QString& file : {png, svgPath}) {
            const QString copy = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/graph-export-") +
                                 QFileInfo(file).fileName();
            QFile::remove(copy);
            QVERIFY(QFile::copy(file, copy));
        }

        const QString dot = canvas.toDotText();
        const QString mermaid = canvas.toMermaidText();
        QVERIFY(dot.startsWith(QLatin1String("digraph \"research_team\" {")));
        QVERIFY(dot.contains(QLatin1String("fillcolor=\"#dcfce7\"")));
        QVERIFY(mermaid.startsWith(QLatin1String("flowchart TD\n")));
        for (const auto& node : graph->nodes) {
            QVERIFY(dot.contains(QString::fromStdString("\"" + node.name + "\"")));
            QVERIFY(mermaid.contains(QString::fromStdString("\"" + node.name + "\"")));
        }

        // The hostile names are escaped in the SVG.
        canvas.setGraph(std::make_shared<const Graph>(hostileGraph()));
        QVERIFY(canvas.exportSvg(svgPath));
        QVERIFY(svgFile.seek(0));
        svgFile.close();
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray hostile = svgFile.readAll();
        QVERIFY(hostile.contains("&lt;b&gt;bold&lt;/b&gt;"));
        QVERIFY(!hostile.contains("<b>"));
        QVERIFY(!hostile.contains("<img"));
    }

    void placeholderWithoutGraph()
    {
        GraphCanvas canvas;
        canvas.resize(500, 300);
        QCOMPARE(canvas.shownMessage(), QStringLiteral("No graph schema for this run"));
        canvas.setPlaceholderText(QStringLiteral("No graph: schema over 2 MiB"));
        QCOMPARE(canvas.placeholderText(), QStringLiteral("No graph: schema over 2 MiB"));
        QCOMPARE(canvas.shownMessage(), QStringLiteral("No graph: schema over 2 MiB"));
        QTemporaryDir dir;
        QVERIFY(!canvas.exportPng(dir.filePath(QStringLiteral("x.png"))));
        QVERIFY(!canvas.exportSvg(dir.filePath(QStringLiteral("x.svg"))));
        QVERIFY(canvas.toDotText().isEmpty());
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        save(canvas, "graph-canvas-placeholder");

        canvas.setGraph(sample(QStringLiteral("rag_pipeline")));
        QVERIFY(canvas.shownMessage().isEmpty());
        canvas.setGraph(nullptr);
        QCOMPARE(canvas.shownMessage(), QStringLiteral("No graph: schema over 2 MiB"));
        QVERIFY(!canvas.nodeItem(QStringLiteral("retrieve")));
    }

    void sameSchemaKeepsLayout()
    {
        GraphCanvas canvas;
        canvas.setGraph(sample(QStringLiteral("rag_pipeline")));
        canvas.setSelectedNode(QStringLiteral("grade"));
        const auto* item = canvas.nodeItem(QStringLiteral("grade"));
        canvas.setGraph(sample(QStringLiteral("rag_pipeline"))); // new object, same schema
        QCOMPARE(canvas.nodeItem(QStringLiteral("grade")), item);
        Graph changed = loadSample(QStringLiteral("rag_pipeline"));
        changed.nodes.push_back(nexus::runtime::Node{"audit", "", {}, {}, {}, std::nullopt});
        canvas.setGraph(std::make_shared<const Graph>(changed));
        QVERIFY(canvas.nodeItem(QStringLiteral("audit")));
        QCOMPARE(canvas.selectedNode(), QStringLiteral("grade"));
    }

    // Switching between runs of a few graphs reuses their layouts: Graphviz
    // runs once per schema, and the picture comes back the same.
    void switchingGraphsReusesLayouts()
    {
        GraphCanvas canvas;
        canvas.setGraph(sample(QStringLiteral("rag_pipeline")));
        const QRectF grade = canvas.nodeRect(QStringLiteral("grade"));
        QCOMPARE(canvas.cachedLayouts(), 1);
        canvas.setGraph(sample(QStringLiteral("coding_agent")));
        QCOMPARE(canvas.cachedLayouts(), 2);
        QVERIFY(canvas.nodeRect(QStringLiteral("grade")).isEmpty());
        canvas.setGraph(sample(QStringLiteral("rag_pipeline")));
        QCOMPARE(canvas.cachedLayouts(), 2); // reused, not laid out again
        QCOMPARE(canvas.nodeRect(QStringLiteral("grade")), grade);
    }

    void zoomAndPan()
    {
        GraphCanvas canvas;
        canvas.resize(400, 300);
        canvas.setGraph(sample(QStringLiteral("research_team")));
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        const qreal fitted = canvas.zoom();
        QVERIFY(fitted < 1.0); // auto-fit on the first graph
        canvas.zoomIn();
        QVERIFY(canvas.zoom() > fitted);
        QTest::keyClick(&canvas, Qt::Key_Minus);
        QVERIFY(qAbs(canvas.zoom() - fitted) < 1e-6);
        QTest::keyClick(&canvas, Qt::Key_0);
        QCOMPARE(canvas.zoom(), 1.0);

        const QPointF center = canvas.viewport()->rect().center();
        QWheelEvent wheel(center, canvas.viewport()->mapToGlobal(center), QPoint(), QPoint(0, 120),
                          Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(canvas.viewport(), &wheel);
        QVERIFY(canvas.zoom() > 1.0);

        // Dragging empty space pans.
        QVERIFY(canvas.horizontalScrollBar()->maximum() > 0);
        canvas.horizontalScrollBar()->setValue(0);
        QPoint start;
        for (int y = 10; y < 290 && start.isNull(); y += 10)
            for (int x = 100; x < 390 && start.isNull(); x += 10)
                if (canvas.nodeAt(QPoint(x, y)).isEmpty() &&
                    canvas.nodeAt(QPoint(x - 60, y)).isEmpty())
                    start = QPoint(x, y);
        QVERIFY(!start.isNull());
        const QPoint end = start - QPoint(60, 0);
        QSignalSpy selected(&canvas, &GraphCanvas::nodeSelected);
        QTest::mousePress(canvas.viewport(), Qt::LeftButton, {}, start);
        QMouseEvent move(QEvent::MouseMove, QPointF(end),
                         QPointF(canvas.viewport()->mapToGlobal(end)), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(canvas.viewport(), &move);
        QTest::mouseRelease(canvas.viewport(), Qt::LeftButton, {}, end);
        QVERIFY(canvas.horizontalScrollBar()->value() > 0);
        QCOMPARE(selected.count(), 0);

        canvas.fitToView();
        QVERIFY(qAbs(canvas.zoom() - fitted) < 1e-6);
    }

    void largerGraphsAreLaidOutInTheBackground()
    {
        GraphCanvas canvas;
        canvas.resize(700, 500);
        QSignalSpy finished(&canvas, &GraphCanvas::layoutFinished);
        canvas.setGraph(std::make_shared<const Graph>(chain(GraphLayout::kSyncNodes + 20)));
        QVERIFY(canvas.isLayingOut());
        QVERIFY(
            canvas.shownMessage().startsWith(QStringLiteral("Laying out the graph (60 nodes)")));
        QVERIFY(!canvas.nodeItem(QStringLiteral("n0")));
        QVERIFY(finished.wait(60000));
        QVERIFY(!canvas.isLayingOut());
        QVERIFY(canvas.shownMessage().isEmpty());
        QVERIFY(canvas.nodeItem(QStringLiteral("n0")));
        QVERIFY(canvas.nodeItem(QStringLiteral("n59")));

        // A layout superseded while it runs is dropped.
        canvas.setGraph(std::make_shared<const Graph>(chain(GraphLayout::kSyncNodes + 21)));
        canvas.setGraph(sample(QStringLiteral("rag_pipeline")));
        QTRY_VERIFY(!canvas.isLayingOut());
        QVERIFY(canvas.nodeItem(QStringLiteral("retrieve")));
        QTest::qWait(300);
        QVERIFY(canvas.nodeItem(QStringLiteral("retrieve")));
        QVERIFY(!canvas.nodeItem(QStringLiteral("n0")));

        // Destroying a canvas while its layout runs is safe.
        {
            GraphCanvas doomed;
            doomed.setGraph(std::make_shared<const Graph>(chain(GraphLayout::kSyncNodes + 22)));
            QVERIFY(doomed.isLayingOut());
        }
        QTest::qWait(500);
    }

    void largeGraphsAreSimplifiedOrRefused()
    {
        const auto simplified = GraphLayout::compute(chain(GraphLayout::kFullNodes + 20));
        QVERIFY2(simplified.ok, qPrintable(simplified.error));
        QVERIFY(simplified.simplified);
        QCOMPARE(simplified.nodes.size(), GraphLayout::kFullNodes + 20 + 1);
        QVERIFY(!GraphLayout::compute(chain(GraphLayout::kFullNodes)).simplified);

        GraphCanvas canvas;
        canvas.setGraph(std::make_shared<const Graph>(chain(GraphLayout::kMaxNodes + 1)));
        QVERIFY(canvas.shownMessage().contains(QStringLiteral("too large")));
        QVERIFY(!canvas.graphLayout().ok);
        QVERIFY(!canvas.toDotText().isEmpty()); // text export still works
    }
};

QTEST_MAIN(TestGraphCanvas)
#include "tst_graph_canvas.moc"
