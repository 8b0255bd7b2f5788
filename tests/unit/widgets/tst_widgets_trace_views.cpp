// The flame graph / cost breakdown panel and the trace comparison view over
// real runs of the embedded runtime fed through a RunStore: frames as wide as
// their values, click to zoom and Esc / breadcrumb to zoom out, tooltips with
// exact numbers, the comparison's divergence and the steps it picks.
// Screenshots are saved to build/<dir>/screenshots to look at.
#include "models/CostBreakdown.h"
#include "models/TraceComparison.h"
#include "widgets/CostBreakdownView.h"
#include "widgets/FlameCanvas.h"
#include "widgets/FlameGraphView.h"
#include "widgets/TraceCompareView.h"

#include "../models/TraceTestSupport.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace nexus;
using namespace nexus::testing;
using models::FlameFrame;
using models::FlameMetric;

namespace {

QString screenshotDir()
{
    const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

// The NODE_END step of `node`'s first span, found by scanning the steps.
std::uint32_t nodeEndStep(const models::Run& run, const std::string& node)
{
    for (std::uint32_t i = 0; i < run.steps.size(); ++i)
        if (run.steps[i].kind == models::StepKind::NodeEnd && run.string(run.steps[i].node) == node)
            return i;
    return models::kNoIndex;
}

QString percentText(double part, double whole)
{
    return QString::number(100.0 * part / whole, 'f', 1) + QStringLiteral(" %");
}

} // namespace

class TestTraceViews : public QObject
{
    Q_OBJECT
private slots:
    void flameFramesAreAsWideAsTheirValues()
    {
        models::RunStore store;
        const auto rec = recordRun(store, "coding_agent", 11, "flame-width");
        widgets::CostBreakdownView view;
        view.resize(1400, 860);
        view.setRun(store.run(rec.runId));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        widgets::FlameCanvas* canvas = view.flameGraph()->canvas();
        const auto& b = *view.breakdown();
        const double rootWidth = canvas->frameRect(0).width();
        QVERIFY(rootWidth > 1000);
        for (FlameMetric metric : {FlameMetric::Time, FlameMetric::Tokens, FlameMetric::Cost}) {
            // Switch with the metric buttons, as a user does.
            auto* button = view.findChild<QToolButton*>(
                QStringLiteral("metric-%1")
                    .arg(QString::fromLatin1(models::flameMetricName(metric))));
            QVERIFY(button);
            QTest::mouseClick(button, Qt::LeftButton);
            QCOMPARE(view.flameGraph()->metric(), metric);
            const double root = b.root().value(metric);
            QVERIFY(root > 0);
            double x = canvas->frameRect(0).left();
            for (int child : b.root().children) {
                const FlameFrame& f = b.frames[std::size_t(child)];
                const QRectF r = canvas->frameRect(child);
                const double expected = rootWidth * f.value(metric) / root;
                if (expected < 0.5) { // too narrow to draw: tool-only nodes by tokens / cost
                    QVERIFY(r.isEmpty());
                    continue;
                }
                QVERIFY2(qAbs(r.width() - expected) < 0.01, f.label.c_str());
                QVERIFY(qAbs(r.left() - x) < 0.01); // side by side in execution order
                x = r.right();
                QVERIFY(r.top() > canvas->frameRect(0).top()); // one row below the run
            }
        }
        // Pixels: the frame of the longest node is painted in its type colour.
        QTest::mouseClick(view.findChild<QToolButton*>(QStringLiteral("metric-time")),
                          Qt::LeftButton);
        int longest = b.root().children.front();
        for (int child : b.root().children)
            if (b.frames[std::size_t(child)].timeUs > b.frames[std::size_t(longest)].timeUs)
                longest = child;
        const QImage image = canvas->grab().toImage();
        const QRectF r = canvas->frameRect(longest);
        const QColor painted = image.pixelColor(int(r.right()) - 3, int(r.bottom()) - 3);
        QCOMPARE(painted.rgb(), canvas->frameColor(longest).rgb());
        QVERIFY(view.grab().save(screenshotDir() + QStringLiteral("/cost-breakdown-time.png")));

        // Tokens, coloured by model.
        QTest::mouseClick(view.findChild<QToolButton*>(QStringLiteral("metric-tokens")),
                          Qt::LeftButton);
        view.flameGraph()->setColoring(widgets::FlameColoring::Model);
        QCOMPARE(canvas->coloring(), widgets::FlameColoring::Model);
        QVERIFY(view.grab().save(screenshotDir() +
                                 QStringLiteral("/cost-breakdown-tokens-by-model.png")));
        // Tables: one row per node and per model.
        QCOMPARE(view.nodeTable()->model()->rowCount(), int(b.nodes.size()));
        QCOMPARE(view.modelTable()->model()->rowCount(), int(b.models.size()));
        QVERIFY(view.summaryText().contains(QStringLiteral("coding_agent")));

        // "Each visit": one node frame per execution, rebuilt from the run.
        auto* each = view.findChild<QCheckBox*>();
        QVERIFY(each);
        QTest::mouseClick(each, Qt::LeftButton);
        QVERIFY(view.breakdown()->perVisit);
        QCOMPARE(view.breakdown()->root().children.size(), rec.started.size());
        QCOMPARE(view.flameGraph()->zoomedFrame(), 0);
    }

    void clickZoomsAndEscZoomsOut()
    {
        models::RunStore store;
        const auto rec = recordRun(store, "support_triage",
                                   findSeed("support_triage", 1,
                                            [](const runtime::RunResult& r) {
                                                return r.state.value("category", "") == "billing";
                                            }),
                                   "flame-zoom");
        widgets::CostBreakdownView view;
        view.resize(1200, 760);
        view.setRun(store.run(rec.runId));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        widgets::FlameGraphView* flame = view.flameGraph();
        widgets::FlameCanvas* canvas = flame->canvas();
        const auto& b = *view.breakdown();
        // The second node the run executed, with a tool call and an LLM call.
        const int node = b.root().children[1];
        const FlameFrame& frame = b.frames[std::size_t(node)];
        QCOMPARE(frame.node, rec.started[1]);
        QCOMPARE(frame.children.size(), std::size_t(2));
        QSignalSpy activated(flame, &widgets::FlameGraphView::nodeActivated);
        QSignalSpy viewActivated(&view, &widgets::CostBreakdownView::nodeActivated);
        QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->frameRect(node).center().toPoint());
        QCOMPARE(flame->zoomedFrame(), node);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toString(), QString::fromStdString(frame.node));
        QCOMPARE(viewActivated.count(), 1);
        // The node table selects it too.
        const QModelIndexList selected = view.nodeTable()->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.front().data().toString(), QString::fromStdString(frame.node));
        // Zoomed: the frame fills the width, its children share it by value.
        QCOMPARE(canvas->frameRect(node).width(), canvas->frameRect(0).width());
        double children = 0;
        for (int child : frame.children)
            children += canvas->frameRect(child).width();
        double values = 0;
        for (int child : frame.children)
            values += double(b.frames[std::size_t(child)].timeUs);
        QVERIFY(qAbs(children - canvas->frameRect(node).width() * values / double(frame.timeUs)) <
                0.01);
        // Siblings are out of view.
        QVERIFY(canvas->frameRect(b.root().children[0]).isEmpty());
        QCOMPARE(flame->breadcrumb(), (QStringList{QStringLiteral("support_triage"),
                                                   QString::fromStdString(frame.node)}));
        QVERIFY(view.grab().save(screenshotDir() + QStringLiteral("/cost-breakdown-zoomed.png")));

        // Deeper, then Esc twice back to the run.
        const int llm = frame.children.back();
        QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->frameRect(llm).center().toPoint());
        QCOMPARE(flame->zoomedFrame(), llm);
        QCOMPARE(flame->breadcrumb().size(), 3);
        canvas->setFocus();
        QTest::keyClick(canvas, Qt::Key_Escape);
        QCOMPARE(flame->zoomedFrame(), node);
        // The breadcrumb's first crumb zooms out to the run.
        QToolButton* runCrumb = nullptr;
        for (auto* button : flame->findChildren<QToolButton*>())
            if (button->isVisible() && button->text() == QStringLiteral("support_triage"))
                runCrumb = button;
        QVERIFY(runCrumb);
        QTest::mouseClick(runCrumb, Qt::LeftButton);
        QTRY_COMPARE(flame->zoomedFrame(), 0);
        QCOMPARE(canvas->frameRect(b.root().children[0]).isEmpty(), false);
        // Clicking the run frame at the top does not select a node.
        QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->frameRect(0).center().toPoint());
        QCOMPARE(activated.count(), 2);
    }

    void tooltipsGiveExactNumbers()
    {
        models::RunStore store;
        const auto rec = recordRun(store, "support_triage", 4, "flame-tip");
        widgets::CostBreakdownView view;
        view.resize(1200, 700);
        view.setRun(store.run(rec.runId));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        widgets::FlameCanvas* canvas = view.flameGraph()->canvas();
        const auto& b = *view.breakdown();
        const int node = b.root().children[0]; // classify
        const FlameFrame& f = b.frames[std::size_t(node)];
        const QString tip = canvas->toolTipText(canvas->frameRect(node).center());
        const auto metrics = metricsByNode(rec.messages).at("classify");
        QVERIFY2(tip.startsWith(QStringLiteral("classify (router)\n1 visit\n")), qPrintable(tip));
        QVERIFY2(tip.contains(percentText(double(rec.durations.at({"classify", 1})),
                                          double(graphEndDurationUs(rec.messages)))),
                 qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Tokens %1").arg(metrics.tokens[0])), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Model gpt-4o-mini")), qPrintable(tip));
        QCOMPARE(f.tokens, metrics.tokens[0]);
        // The LLM child says where its time comes from; nothing at empty space.
        const int llm = f.children.back();
        QVERIFY(canvas->toolTipText(canvas->frameRect(llm).center())
                    .startsWith(QStringLiteral("LLM gpt-4o-mini (LLM call in classify)")));
        QCOMPARE(canvas->toolTipText(QPointF(canvas->width() - 2, canvas->height() - 2)),
                 QString());
    }

    void compareViewShowsTheDivergence()
    {
        const auto category = [](const char* want) {
            return [want](const runtime::RunResult& r) {
                return r.state.value("category", "") == want;
            };
        };
        models::RunStore store;
        const auto a = recordRun(store, "support_triage",
                                 findSeed("support_triage", 1, category("billing")), "cmp-a");
        const auto b = recordRun(store, "support_triage",
                                 findSeed("support_triage", 1, category("technical")), "cmp-b");
        widgets::TraceCompareView view;
        view.resize(1400, 900);
        view.setRuns(store, a.runId, b.runId);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto& c = *view.comparison();
        QVERIFY(c.divergence);
        QVERIFY(view.divergenceText().contains(QStringLiteral("State after classify differs")));
        QVERIFY(view.divergenceButton()->isVisible());
        // Header: both runs and the deltas.
        QCOMPARE(view.headerCell(0, 1), QStringLiteral("cmp-a"));
        QCOMPARE(view.headerCell(1, 1), QStringLiteral("cmp-b"));
        QCOMPARE(view.headerCell(0, 3), QStringLiteral("completed"));
        QVERIFY(view.headerCell(2, 4).contains(QLatin1Char('%')));
        // The divergence row is selected, with its state differences.
        QCOMPARE(view.selectedRow(), c.divergence->row);
        QCOMPARE(view.stateTable()->model()->rowCount(), int(c.rows[0].stateChanges.size()));
        QVERIFY(view.stateTitle().startsWith(QStringLiteral("State after classify")));
        QCOMPARE(view.pathTable()->model()->rowCount(), 4);
        QCOMPARE(view.nodeTable()->model()->rowCount(), 4);
        QVERIFY(view.grab().save(screenshotDir() + QStringLiteral("/trace-compare.png")));

        // Going to the divergence picks classify's NODE_END in both runs.
        view.selectRow(3);
        QSignalSpy pickedA(&view, &widgets::TraceCompareView::stepPickedA);
        QSignalSpy pickedB(&view, &widgets::TraceCompareView::stepPickedB);
        QTest::mouseClick(view.divergenceButton(), Qt::LeftButton);
        QCOMPARE(view.selectedRow(), 0);
        QCOMPARE(pickedA.count(), 1);
        QCOMPARE(pickedA.at(0).at(0).toUInt(), nodeEndStep(*store.run(a.runId), "classify"));
        QCOMPARE(pickedB.at(0).at(0).toUInt(), nodeEndStep(*store.run(b.runId), "classify"));
        // Activating a row only B ran picks a step in B only.
        QTableView* table = view.pathTable();
        const QRect cell = table->visualRect(table->model()->index(2, 2));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(pickedA.count(), 1);
        QCOMPARE(pickedB.count(), 2);
        QCOMPARE(pickedB.at(1).at(0).toUInt(), nodeEndStep(*store.run(b.runId), "tech_specialist"));
        QVERIFY(view.stateTitle().contains(QStringLiteral("ran only in B")));
        QCOMPARE(view.stateTable()->model()->rowCount(), 0);
    }

    void compareViewOfIdenticalRuns()
    {
        models::RunStore store;
        const auto a = recordRun(store, "research_team", 3, "same-x");
        const auto b = recordRun(store, "research_team", 3, "same-y");
        widgets::TraceCompareView view;
        view.resize(1400, 800);
        view.setRuns(store, a.runId, b.runId);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.divergenceText().startsWith(QStringLiteral("No divergence")));
        QVERIFY(!view.divergenceButton()->isVisible());
        QCOMPARE(view.headerCell(2, 4), QStringLiteral("0"));
        QVERIFY(view.stateTitle().contains(QStringLiteral("the same in A and B")));
        QVERIFY(view.grab().save(screenshotDir() + QStringLiteral("/trace-compare-identical.png")));
        view.clear();
        QCOMPARE(view.pathTable()->model()->rowCount(), 0);
        QCOMPARE(view.divergenceText(), QString());
        // Unknown runs clear the view.
        view.setRuns(store, a.runId, 999);
        QVERIFY(!view.comparison());
    }
};

QTEST_MAIN(TestTraceViews)
#include "tst_widgets_trace_views.moc"
