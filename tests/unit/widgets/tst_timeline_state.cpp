// The run timeline and the state panel on hand-built runs: two parallel
// lanes, markers, an error span and an active span; cursor by click, drag
// and keys; span activation; zoom and live follow; the state panel's header,
// search, copy actions, diff counts and expansion kept across steps. Saves
// screenshots to <build>/screenshots/ for a person to look at.
#include "models/JsonTreeModel.h"
#include "models/RunStore.h"
#include "models/StateDiffModel.h"
#include "widgets/StatePanel.h"
#include "widgets/TimelineView.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QTreeView>

using namespace nexus::models;
using nexus::widgets::StatePanel;
using nexus::widgets::TimelineView;
using json = nlohmann::json;

namespace {

void save(QWidget& w, const char* name)
{
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/") + QLatin1String(name) +
                         QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

constexpr std::int64_t kStartUs = 1'700'000'000'000'000; // wall clock µs
constexpr std::int64_t ms(double v)
{
    return kStartUs + std::int64_t(v * 1000);
}

struct RunBuilder
{
    Run run;

    std::uint32_t step(StepKind kind, std::int64_t us, const char* node = nullptr,
                       const char* detail = nullptr)
    {
        Step s;
        s.kind = kind;
        s.timestampUs = us;
        s.sequence = run.steps.size() + 1;
        s.node = node ? run.intern(node) : kNoIndex;
        s.detail = detail ? run.intern(detail) : kNoIndex;
        run.steps.push_back(s);
        run.lastUs = std::max(run.lastUs, us);
        return std::uint32_t(run.steps.size() - 1);
    }
    int start(const char* node, std::int64_t us, int lane)
    {
        NodeSpan span;
        span.node = node;
        span.startStep = step(StepKind::NodeStart, us, node);
        span.startUs = us;
        span.lane = lane;
        run.spans.push_back(span);
        return int(run.spans.size() - 1);
    }
    void end(int index, std::int64_t us, NodeState state = NodeState::Done)
    {
        NodeSpan& span = run.spans[std::size_t(index)];
        span.endStep = step(state == NodeState::Error ? StepKind::NodeError : StepKind::NodeEnd, us,
                            span.node.c_str());
        span.endUs = us;
        span.durationUs = us - span.startUs;
        span.state = state;
    }
};

// planner -> (search_web || search_docs) -> writer (still running).
struct SampleRun
{
    RunBuilder b;
    int planner, web, docs, writer;
    std::uint32_t toolStep, errorStep, lastStep;

    SampleRun()
    {
        Run& r = b.run;
        r.threadId = "thread-1";
        r.graphName = "research";
        r.startUs = kStartUs;
        r.sawGraphStart = true;
        b.step(StepKind::GraphStart, ms(0));
        planner = b.start("planner", ms(2), 0);
        for (int i = 0; i < 4; ++i)
            b.step(StepKind::TokenChunk, ms(10 + 6 * i), "planner", "tokens");
        b.step(StepKind::StateDiff, ms(38));
        b.end(planner, ms(40));
        r.spans[std::size_t(planner)].promptTokens = 120;
        r.spans[std::size_t(planner)].completionTokens = 80;
        r.spans[std::size_t(planner)].model = "gpt-4o-mini";
        b.step(StepKind::Parallel, ms(45));
        web = b.start("search_web <b>x</b>", ms(50), 0);
        docs = b.start("search_docs", ms(52), 1);
        toolStep =
            b.step(StepKind::ToolExecution, ms(70), "search_docs", "tool vector_search completed");
        b.step(StepKind::Metrics, ms(90), "search_docs", "latency");
        b.end(docs, ms(120));
        errorStep =
            b.step(StepKind::Error, ms(148), "search_web <b>x</b>", "HTTP 503 from upstream");
        b.end(web, ms(150), NodeState::Error);
        r.spans[std::size_t(web)].error = "HTTP 503 from upstream";
        b.step(StepKind::StateDiff, ms(155));
        writer = b.start("writer", ms(160), 0);
        for (int i = 0; i < 12; ++i)
            b.step(StepKind::TokenChunk, ms(170 + 7 * i), "writer", "tokens");
        lastStep = b.step(StepKind::StateDiff, ms(260));
        r.issues.push_back({std::uint32_t(lastStep - 3), IssueKind::SequenceGap,
                            "sequence gap: expected 30, got 32"});
    }
};

std::shared_ptr<const json> stateDoc()
{
    return std::make_shared<const json>(json::parse(R"({
        "messages": [
            {"role": "user", "content": "Find papers on <img src=x> tags"},
            {"role": "assistant", "content": "Searching the web and the docs"}
        ],
        "plan": {"steps": ["search", "write"], "done": false, "attempt": 2},
        "a/b": {"m~n": 9007199254740993},
        "budget": {"tokens": 18446744073709551615, "cost_usd": 0.0125}
    })"));
}

std::vector<PathChange> stateChanges()
{
    std::vector<PathChange> c(3);
    c[0] = {ChangeKind::Added, "/messages/1", nullptr,
            json::parse(R"({"role": "assistant", "content": "Searching the web and the docs"})")};
    c[1] = {ChangeKind::Changed, "/plan/attempt", 1, 2};
    c[2] = {ChangeKind::Removed, "/scratch", "tmp", nullptr};
    return c;
}

QPoint center(const QRectF& r)
{
    return r.center().toPoint();
}

} // namespace

class TestTimelineState : public QObject
{
    Q_OBJECT
private slots:
    void timelineLanesAndCursor()
    {
        SampleRun sample;
        TimelineView view;
        view.resize(960, 190);
        view.setRun(&sample.b.run);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.laneCount(), 2);
        QVERIFY(view.isFitted());

        // Parallel spans are on separate rows; the error span is laid out.
        const QRectF web = view.spanRect(sample.web);
        const QRectF docs = view.spanRect(sample.docs);
        QVERIFY(docs.top() > web.bottom());
        QVERIFY(web.width() > 50);
        QVERIFY(view.spanRect(sample.writer).right() <= view.viewport()->width());

        // A click in the axis row puts the cursor on the nearest step.
        QSignalSpy moved(&view, &TimelineView::cursorMoved);
        const int axisY = 6;
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {},
                          QPoint(int(view.xForStep(sample.toolStep)) + 1, axisY));
        QCOMPARE(moved.count(), 1);
        QCOMPARE(moved.at(0).at(0).toUInt(), sample.toolStep);
        QCOMPARE(view.cursorStep(), sample.toolStep);

        // Dragging moves it on.
        QTest::mousePress(view.viewport(), Qt::LeftButton, {},
                          QPoint(int(view.xForStep(sample.toolStep)), axisY));
        QMouseEvent drag(
            QEvent::MouseMove, QPointF(view.xForStep(sample.errorStep), axisY),
            view.viewport()->mapToGlobal(QPointF(view.xForStep(sample.errorStep), axisY)),
            Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view.viewport(), &drag);
        QTest::mouseRelease(view.viewport(), Qt::LeftButton, {},
                            QPoint(int(view.xForStep(sample.errorStep)), axisY));
        QCOMPARE(view.cursorStep(), sample.errorStep);
        QCOMPARE(moved.last().at(0).toUInt(), sample.errorStep);

        // Keys: Right / Left step, Home / End jump.
        view.setFocus();
        moved.clear();
        QTest::keyClick(&view, Qt::Key_Right);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(moved.at(0).at(0).toUInt(), sample.errorStep + 1);
        QTest::keyClick(&view, Qt::Key_Left);
        QCOMPARE(view.cursorStep(), sample.errorStep);
        QTest::keyClick(&view, Qt::Key_End);
        QCOMPARE(view.cursorStep(), sample.lastStep);
        moved.clear();
        QTest::keyClick(&view, Qt::Key_Right); // already last: stays, no signal
        QCOMPARE(view.cursorStep(), sample.lastStep);
        QCOMPARE(moved.count(), 0);
        QTest::keyClick(&view, Qt::Key_Home);
        QCOMPARE(view.cursorStep(), 0u);

        // Clicking a span activates it and puts the cursor at its end.
        QSignalSpy activated(&view, &TimelineView::spanActivated);
        moved.clear();
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, center(view.spanRect(sample.docs)));
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toInt(), sample.docs);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(moved.at(0).at(0).toUInt(), sample.b.run.spans[std::size_t(sample.docs)].endStep);
        QCOMPARE(view.selectedSpan(), sample.docs);

        // Setting the cursor from outside does not echo.
        moved.clear();
        view.setCursorStep(sample.errorStep);
        QCOMPARE(view.cursorStep(), sample.errorStep);
        QCOMPARE(moved.count(), 0);

        // Tooltips: plain text with node, start, duration and tokens.
        const QString tip = view.toolTipText(center(view.spanRect(sample.planner)));
        QVERIFY2(tip.startsWith(QStringLiteral("planner\n")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Start +2.00 ms · duration 38.0 ms")),
                 qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Tokens 120 prompt + 80 completion")),
                 qPrintable(tip));
        const QString webTip = view.toolTipText(center(view.spanRect(sample.web)));
        QVERIFY2(webTip.startsWith(QStringLiteral("search_web <b>x</b>\nerror")),
                 qPrintable(webTip));
        QVERIFY(webTip.contains(QStringLiteral("HTTP 503")));
        const QString markerTip = view.toolTipText(
            QPoint(int(view.xForStep(sample.toolStep)), view.eventRowRect().center().y()));
        QVERIFY2(markerTip.contains(QStringLiteral("tool execution at step")),
                 qPrintable(markerTip));

        view.setCursorStep(sample.toolStep);
        save(view, "timeline");
    }

    void timelineZoomAndFollow()
    {
        SampleRun sample;
        TimelineView view;
        view.resize(700, 160);
        view.setRun(&sample.b.run);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const double fit = view.microsecondsPerPixel();
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_Plus);
        QVERIFY(view.microsecondsPerPixel() < fit);
        QVERIFY(!view.isFitted());
        QVERIFY(view.horizontalScrollBar()->maximum() > 0);

        // Ctrl+wheel zooms around the mouse: the time under it stays put.
        const QPoint mouse(300, 10);
        const std::int64_t before = view.timeForX(mouse.x());
        QWheelEvent wheel(mouse, view.viewport()->mapToGlobal(mouse), {}, QPoint(0, 240),
                          Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.viewport(), &wheel);
        QVERIFY(std::abs(view.timeForX(mouse.x()) - before) <=
                std::int64_t(2 * view.microsecondsPerPixel()) + 1);
        QTest::keyClick(&view, Qt::Key_0);
        QVERIFY(view.isFitted());
        QCOMPARE(view.microsecondsPerPixel(), fit);

        // Following live keeps the end in view as steps arrive.
        QTest::keyClick(&view, Qt::Key_Plus);
        QTest::keyClick(&view, Qt::Key_Plus);
        view.horizontalScrollBar()->setValue(0);
        QSignalSpy follow(&view, &TimelineView::followLiveChanged);
        view.setFollowLive(true);
        QCOMPARE(follow.count(), 1);
        QCOMPARE(view.horizontalScrollBar()->value(), view.horizontalScrollBar()->maximum());
        const int maxBefore = view.horizontalScrollBar()->maximum();
        for (int i = 0; i < 20; ++i)
            sample.b.step(StepKind::TokenChunk, ms(265 + 10 * i), "writer", "tokens");
        view.runChanged();
        QTRY_VERIFY(view.horizontalScrollBar()->maximum() > maxBefore);
        QCOMPARE(view.horizontalScrollBar()->value(), view.horizontalScrollBar()->maximum());
        QVERIFY(view.xForTime(sample.b.run.lastUs) <= view.viewport()->width());
        // The active span grew with the run.
        QVERIFY(view.spanRect(sample.writer).right() >= view.xForTime(sample.b.run.lastUs) - 1);
        // Scrolling back by hand stops following.
        view.horizontalScrollBar()->triggerAction(QAbstractSlider::SliderPageStepSub);
        QVERIFY(!view.followLive());
        QCOMPARE(follow.count(), 2);

        view.clear();
        QCOMPARE(view.laneCount(), 0);
        QCOMPARE(view.cursorStep(), kNoIndex);
    }

    void timelineBigRun()
    {
        // 100,000 steps: 25,000 spans on 4 lanes, markers on most pixels.
        RunBuilder b;
        b.run.startUs = kStartUs;
        std::int64_t t = kStartUs;
        int open[4] = {-1, -1, -1, -1};
        for (int i = 0; b.run.steps.size() < 100'000; ++i) {
            const int lane = i % 4;
            if (open[lane] >= 0)
                b.end(open[lane], t, i % 97 == 0 ? NodeState::Error : NodeState::Done);
            open[lane] = b.start(lane == 0 ? "agent" : "tool_worker", t + 3, lane);
            b.step(i % 5 ? StepKind::TokenChunk : StepKind::ToolExecution, t + 5, "agent");
            b.step(StepKind::Metrics, t + 7, "agent");
            t += 40;
        }
        b.run.issues.push_back({50'000, IssueKind::HashMismatch, "state hash mismatch"});
        TimelineView view;
        view.resize(960, 190);
        view.setRun(&b.run);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.laneCount(), 4);
        // The nearest step by time, found by binary search.
        QCOMPARE(view.nearestStep(b.run.steps[77'777].timestampUs), 77'777u);
        view.setCursorStep(50'000);
        save(view, "timeline-100k-steps");
        for (int i = 0; i < 6; ++i)
            view.zoomIn();
        save(view, "timeline-100k-steps-zoomed");
    }

    void statePanelShowsStateAndDiff()
    {
        StatePanel panel;
        panel.resize(640, 520);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(panel.headerText(), QStringLiteral("No run selected"));

        StateAt at;
        at.state = stateDoc();
        at.stateStep = 3;
        at.verdict = StateVerdict::Verified;
        panel.setState(at, stateChanges(),
                       QStringLiteral("State after step 42 · StateDiff · verified"));
        QCOMPARE(panel.headerText(), QStringLiteral("State after step 42 · StateDiff · verified"));
        QVERIFY(!panel.headerIsWarning());
        QCOMPARE(panel.diffSummary(), QStringLiteral("1 added, 1 changed, 1 removed"));
        QCOMPARE(panel.diffModel()->rowCount(), 3);
        QCOMPARE(panel.filterModel()->rowCount(), 4);

        // Expanded by path; kept across an in-place step and a reset.
        QTreeView* tree = panel.treeView();
        QVERIFY(panel.revealPath(QStringLiteral("/plan/attempt")));
        tree->expand(tree->currentIndex().parent()); // the user's expansion is recorded
        QVERIFY(panel.revealPath(QStringLiteral("/messages/1")));
        tree->expand(tree->currentIndex());
        tree->expand(tree->currentIndex().parent());
        auto expanded = [&](const char* path) {
            const QModelIndex source = panel.treeModel()->indexForPath(path);
            return tree->isExpanded(panel.filterModel()->mapFromSource(source));
        };
        QVERIFY(expanded("/plan"));
        QVERIFY(expanded("/messages/1"));
        QVERIFY(panel.revealPath(QStringLiteral("/plan/done")));
        save(panel, "state-panel");

        // Copy Path / Copy Value of the current item.
        QVERIFY(panel.revealPath(QStringLiteral("/a~1b/m~0n")));
        panel.copyPathAction()->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("/a~1b/m~0n"));
        panel.copyValueAction()->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("9007199254740993"));
        QVERIFY(panel.revealPath(QStringLiteral("/messages/0")));
        panel.copyValueAction()->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(),
                 QStringLiteral(R"({"content":"Find papers on <img src=x> tags","role":"user"})"));
        // The shortcut works from the tree.
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        tree->setFocus();
        QVERIFY(panel.revealPath(QStringLiteral("/budget/tokens")));
        QTest::keySequence(tree, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("/budget/tokens"));

        // Next step: same shape, one value changed -> expansion stays.
        auto next = std::make_shared<json>(*stateDoc());
        (*next)["plan"]["attempt"] = 3;
        at.state = next;
        std::vector<PathChange> one(1);
        one[0] = {ChangeKind::Changed, "/plan/attempt", 2, 3};
        panel.setState(at, one, QStringLiteral("State after step 43 · StateDiff · verified"));
        QCOMPARE(panel.diffSummary(), QStringLiteral("0 added, 1 changed, 0 removed"));
        QVERIFY(expanded("/plan"));
        QVERIFY(expanded("/messages/1"));
        QCOMPARE(panel.treeModel()
                     ->indexForPath("/plan/attempt", JsonTreeModel::ValueColumn)
                     .data()
                     .toString(),
                 QStringLiteral("3"));

        // No state, then the state again: expansion comes back by path.
        panel.setState(StateAt{}, {}, QStringLiteral("step 1"));
        QCOMPARE(panel.headerText(), QStringLiteral("No state at this step"));
        QCOMPARE(panel.filterModel()->rowCount(), 0);
        at.state = stateDoc();
        panel.setState(at, stateChanges(),
                       QStringLiteral("State after step 42 · StateDiff · verified"));
        QVERIFY(expanded("/plan"));
        QVERIFY(expanded("/messages/1"));

        // Corrupted: a warning.
        at.corrupted = true;
        at.verdict = StateVerdict::Skipped;
        panel.setState(at, {}, QStringLiteral("State after step 44 · StateDiff · skipped"), 17);
        QCOMPARE(panel.headerText(),
                 QStringLiteral("State after step 44 · StateDiff · skipped · "
                                "corrupted since step 17 — state may be wrong"));
        QVERIFY(panel.headerIsWarning());
        save(panel, "state-panel-corrupted");

        panel.clear(QStringLiteral("No run selected"));
        QCOMPARE(panel.filterModel()->rowCount(), 0);
        QCOMPARE(panel.diffSummary(), QStringLiteral("0 added, 0 changed, 0 removed"));
    }

    void statePanelSearchKeepsAncestors()
    {
        StatePanel panel;
        panel.resize(640, 420);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        StateAt at;
        at.state = stateDoc();
        panel.setState(at, stateChanges(), QString());
        QCOMPARE(panel.headerText(), QStringLiteral("State · unverified"));
        QVERIFY(!panel.headerIsWarning());

        // Typing filters after a pause; a value match keeps its ancestors.
        QTest::keyClicks(panel.searchField(), QStringLiteral("ASSISTANT"));
        QSortFilterProxyModel* proxy = panel.filterModel();
        QTRY_COMPARE(proxy->rowCount(), 1);
        const QModelIndex messages = proxy->index(0, 0);
        QCOMPARE(messages.data(JsonTreeModel::PathRole).toString(), QStringLiteral("/messages"));
        QCOMPARE(proxy->rowCount(messages), 1);
        const QModelIndex second = proxy->index(0, 0, messages);
        QCOMPARE(second.data(JsonTreeModel::PathRole).toString(), QStringLiteral("/messages/1"));
        QCOMPARE(proxy->rowCount(second), 1);
        QCOMPARE(proxy->index(0, 0, second).data(JsonTreeModel::PathRole).toString(),
                 QStringLiteral("/messages/1/role"));
        QVERIFY(panel.treeView()->isExpanded(messages));
        QVERIFY(panel.treeView()->isExpanded(second));

        // A key match brings its contents along.
        panel.setFilterText(QStringLiteral("plan"));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(proxy->rowCount(proxy->index(0, 0)), 3);

        // Markup in values is searched and shown as typed.
        panel.setFilterText(QStringLiteral("<img"));
        QCOMPARE(proxy->rowCount(), 1);
        save(panel, "state-panel-search");

        // Nothing matches: empty; cleared: everything back.
        panel.setFilterText(QStringLiteral("no such thing"));
        QCOMPARE(proxy->rowCount(), 0);
        panel.setFilterText(QString());
        QCOMPARE(proxy->rowCount(), 4);
    }
};

QTEST_MAIN(TestTimelineState)
#include "tst_timeline_state.moc"
