// The run view over a real RunStore fed with the embedded runtime's own
// telemetry: every node on the canvas, node details (tokens, tool calls),
// exports, the integrity banner after a dropped StateDiff, the schema
// banner and history when a graph's schema changes, and wire text shown
// literally. Screenshots are saved to look at.
#include "models/RunStore.h"
#include "widgets/GraphCanvas.h"
#include "widgets/NodeDetailsView.h"
#include "widgets/RunView.h"
#include "widgets/SchemaHistoryDialog.h"

#include "../models/RunStoreTestSupport.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace nexus;
using nexus::testing::applyAll;
using nexus::testing::runSample;

namespace {

QString screenshotDir()
{
    const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

QString readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

class TestRunView : public QObject
{
    Q_OBJECT
private slots:
    void showsARunWithNodeDetails()
    {
        auto sample = runSample("coding_agent", 0, 11);
        models::RunStore store;
        const models::ApplyResult result = applyAll(store, sample.messages);
        QCOMPARE(result.added.size(), std::size_t(1));
        widgets::RunView view;
        view.resize(1400, 900);
        view.setStore(&store);
        view.storeChanged(result);
        view.showRun(result.added.front());
        view.show();
        const models::Run* run = view.run();
        QVERIFY(run && run->graph);
        QCOMPARE(view.cursor(), std::uint32_t(run->steps.size() - 1));
        for (const auto& node : run->graph->nodes)
            QVERIFY2(!view.canvas()->nodeRect(QString::fromStdString(node.name)).isEmpty(),
                     node.name.c_str());

        // A node that streamed tokens, and one that called tools.
        const models::NodeSpan* llm = nullptr;
        const models::NodeSpan* tools = nullptr;
        for (const auto& span : run->spans) {
            if (!llm && !span.tokenText.empty())
                llm = &span;
            if (!tools && !span.tools.empty())
                tools = &span;
        }
        QVERIFY(llm);
        QVERIFY(tools);
        widgets::NodeDetailsView* details = view.nodeDetails();
        view.selectNode(QString::fromStdString(llm->node));
        // The latest execution at the cursor is shown: its token stream.
        const models::NodeSpan* latest = nullptr;
        for (const auto& span : run->spans)
            if (span.node == llm->node)
                latest = &span;
        auto* tokens = details->findChild<QPlainTextEdit*>(QStringLiteral("nodeTokenText"));
        QVERIFY(tokens);
        QCOMPARE(tokens->toPlainText(), QString::fromStdString(latest->tokenText));
        QVERIFY(view.grab().save(screenshotDir() + QStringLiteral("/run-view-node.png")));

        view.selectNode(QString::fromStdString(tools->node));
        auto* toolTable = details->findChild<QTableWidget*>(QStringLiteral("nodeTools"));
        QVERIFY(toolTable);
        const models::NodeSpan* latestTools = nullptr;
        for (const auto& span : run->spans)
            if (span.node == tools->node)
                latestTools = &span;
        QCOMPARE(toolTable->rowCount(), int(latestTools->tools.size()));
        QCOMPARE(toolTable->item(0, 0)->text(),
                 QString::fromStdString(latestTools->tools.front().name));

        // Back in time: at the first step no node has run yet.
        view.setCursor(0);
        QVERIFY(!view.followLive());
        QCOMPARE(details->spanIndex(), -1);
    }

    void exportsTheGraph()
    {
        auto sample = runSample("research_team", 0, 3);
        models::RunStore store;
        const auto result = applyAll(store, sample.messages);
        widgets::RunView view;
        view.resize(1200, 800);
        view.setStore(&store);
        view.showRun(result.added.front());
        QTemporaryDir dir;
        for (const QString& format : {QStringLiteral("png"), QStringLiteral("svg"),
                                      QStringLiteral("dot"), QStringLiteral("mermaid")}) {
            const QString path = dir.filePath(QStringLiteral("graph.") + format);
            QVERIFY2(view.exportGraph(format, path), qPrintable(format));
            QVERIFY2(QFileInfo(path).size() > 100, qPrintable(format));
        }
        QVERIFY(!view.exportGraph(QStringLiteral("bmp"), dir.filePath(QStringLiteral("x.bmp"))));
        const QString dot = readAll(dir.filePath(QStringLiteral("graph.dot")));
        const QString mermaid = readAll(dir.filePath(QStringLiteral("graph.mermaid")));
        const QString svg = readAll(dir.filePath(QStringLiteral("graph.svg")));
        QVERIFY(mermaid.startsWith(QStringLiteral("flowchart")));
        for (const auto& node : sample.graph.nodes) {
            const QString name = QString::fromStdString(node.name);
            QVERIFY2(dot.contains(name), qPrintable(name));
            QVERIFY2(mermaid.contains(name), qPrintable(name));
            QVERIFY2(svg.contains(name), qPrintable(name));
        }
    }

    void integrityBannerAfterADroppedStateDiff()
    {
        auto sample = runSample("rag_pipeline", 0, 4);
        int diffs = 0;
        for (auto it = sample.messages.begin(); it != sample.messages.end(); ++it)
            if (it->has_state_diff() && ++diffs == 2) {
                sample.messages.erase(it);
                break;
            }
        QCOMPARE(diffs, 2);
        models::RunStore store;
        const auto result = applyAll(store, sample.messages);
        widgets::RunView view;
        view.resize(1200, 800);
        view.setStore(&store);
        view.showRun(result.added.front());
        view.show();
        auto* banner = view.findChild<QLabel*>(QStringLiteral("runIntegrity"));
        QVERIFY(banner);
        QVERIFY(banner->isVisible());
        QVERIFY2(banner->text().contains(QStringLiteral("step")), qPrintable(banner->text()));
        QVERIFY(!view.run()->issues.empty());
        QVERIFY(view.grab().save(screenshotDir() + QStringLiteral("/run-view-integrity.png")));
    }

    void schemaChangeShowsBannerAndHistory()
    {
        auto first = runSample("rag_pipeline", 0, 6);
        // The same graph with one more node before the end: a new schema id.
        auto loaded =
            runtime::loadGraphFile(NEXUS_SOURCE_DIR "/resources/graphs/rag_pipeline.json");
        QVERIFY(loaded);
        runtime::Graph changed = loaded->graph;
        runtime::Node audit;
        audit.name = "audit";
        changed.nodes.push_back(audit);
        bool redirected = false;
        for (auto& edge : changed.edges)
            if (!redirected && edge.to == runtime::kEndNode &&
                edge.kind == runtime::EdgeKind::Direct) {
                edge.to = "audit";
                redirected = true;
            }
        QVERIFY(redirected);
        runtime::Edge toEnd;
        toEnd.from = "audit";
        toEnd.to = runtime::kEndNode;
        changed.edges.push_back(toEnd);
        QVERIFY(runtime::schemaId(changed) != runtime::schemaId(loaded->graph));

        runtime::MemorySink sink;
        runtime::TelemetryEmitter emitter(sink);
        runtime::RunOptions options;
        options.seed = 9;
        runtime::Executor executor(changed, options, &emitter);
        executor.start();

        models::RunStore store;
        widgets::RunView view;
        view.resize(1200, 800);
        view.setStore(&store);
        view.show();
        const auto r1 = applyAll(store, first.messages);
        view.storeChanged(r1);
        view.showRun(r1.added.front());
        auto* banner = view.findChild<QWidget*>(QStringLiteral("schemaBanner"));
        QVERIFY(banner);
        QVERIFY(!banner->isVisible());

        const auto r2 = applyAll(store, sink.messages());
        QCOMPARE(r2.schemaChanges, std::vector<std::string>{"rag_pipeline"});
        view.storeChanged(r2);
        QVERIFY(banner->isVisible());
        auto* text = view.findChild<QLabel*>(QStringLiteral("schemaBannerText"));
        QVERIFY(text->text().contains(QString::fromStdString(runtime::schemaId(changed))));

        widgets::SchemaHistoryDialog history(QStringLiteral("rag_pipeline"), store.schemaHistory());
        history.resize(1000, 650);
        history.show();
        QCOMPARE(history.schemaCount(), 2);
        QVERIFY2(history.changesText().contains(QStringLiteral("+ node audit")),
                 qPrintable(history.changesText()));
        QVERIFY2(history.changesText().contains(QStringLiteral("+ edge audit")),
                 qPrintable(history.changesText()));
        QVERIFY(history.grab().save(screenshotDir() + QStringLiteral("/schema-history.png")));
    }

    void wireTextIsShownLiterally()
    {
        const std::string schema =
            R"({"name":"<i>g</i>","version":"1.0.0","description":null,"nodes":[)"
            R"({"name":"<b>bold</b>","description":"<img src=x>","node_type":{"custom":"router"},)"
            R"("input_fields":[],"output_fields":[],"position":null,"attributes":{}}],)"
            R"("edges":[{"from":"<b>bold</b>","to":"__end__","edge_type":"direct","label":null,)"
            R"("conditional_targets":null}],"entry_point":"<b>bold</b>","state_type":null,)"
            R"("exported_at":"2026-01-01T00:00:00Z","metadata":{}})";
        testing::StreamBuilder b("hostile");
        std::vector<protocol::ds::DashStreamMessage> messages;
        messages.push_back(b.graphStart(1, schema, {{"x", "<script>"}}));
        messages.push_back(b.event(protocol::ds::EVENT_TYPE_NODE_START, "<b>bold</b>", 2));
        messages.push_back(b.event(protocol::ds::EVENT_TYPE_NODE_ERROR, "<b>bold</b>", 3,
                                   {{"error", "<a href=x>boom</a>"}}));
        models::RunStore store;
        const auto result = applyAll(store, messages);
        widgets::RunView view;
        view.setStore(&store);
        view.showRun(result.added.front());
        view.show();
        view.selectNode(QStringLiteral("<b>bold</b>"));
        auto* title = view.nodeDetails()->findChild<QLabel*>(QStringLiteral("nodeTitle"));
        auto* error = view.nodeDetails()->findChild<QLabel*>(QStringLiteral("nodeError"));
        QCOMPARE(title->text(), QStringLiteral("<b>bold</b>"));
        QCOMPARE(title->textFormat(), Qt::PlainText);
        QCOMPARE(error->text(), QStringLiteral("<a href=x>boom</a>"));
        QCOMPARE(error->textFormat(), Qt::PlainText);
        auto* runTitle = view.findChild<QLabel*>(QStringLiteral("runTitle"));
        QVERIFY(runTitle->text().startsWith(QStringLiteral("<i>g</i>")));
        QCOMPARE(runTitle->textFormat(), Qt::PlainText);
    }
};

QTEST_MAIN(TestRunView)
#include "tst_run_view.moc"
