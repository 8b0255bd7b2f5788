// The Traces tab's analysis views as a user meets them, with no server: two
// recorded runs of support_triage that took different branches are opened
// from .dstrace files; the Cost tab breaks the selected one down, the
// Compare tab finds where the two diverge, the Debugger replays it with
// every hash verified against the library graph, and a fork with an edited
// state takes the other branch, is saved under the forks directory and
// opens as a new trace. Screenshots are saved to look at.
#include "models/CostBreakdown.h"
#include "models/RunStore.h"
#include "models/TraceComparison.h"
#include "protocol/Dstrace.h"
#include "runtime/Replay.h"
#include "widgets/CostBreakdownView.h"
#include "widgets/JsonStateEditor.h"
#include "widgets/ReplayDebuggerView.h"
#include "widgets/ReplayForkPanel.h"
#include "widgets/RunView.h"
#include "widgets/TraceCompareView.h"

#include "../client/TraceSeed.h"
#include "ConsoleTestNexus.h"
#include "MainWindow.h"
#include "TraceAnalysisTabs.h"
#include "TracesPage.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <map>

using nexus::app::TraceAnalysisTabs;
using nexus::app::TracesPage;
using nexus::testing::RunSpec;
using nexus::testing::SeededTrace;

using nexus::testing::screenshotDir;

namespace {

void writeFile(const QString& path, const std::vector<std::string>& records)
{
    std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
    nexus::protocol::DstraceWriter writer(out);
    for (const std::string& r : records)
        if (!writer.append(r).ok())
            qFatal("write failed");
}

// support_triage's routes (resources/graphs/support_triage.json): the
// category classify sets, by the specialist it leads to.
const std::map<std::string, std::string> kCategoryOf = {{"billing_specialist", "billing"},
                                                        {"tech_specialist", "technical"},
                                                        {"account_specialist", "account"}};

} // namespace

class TestConsoleTraceAnalysis : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<nexus::app::MainWindow> window_;
    TracesPage* page_ = nullptr;
    TraceAnalysisTabs* tabs_ = nullptr;
    SeededTrace a_, b_; // b_ is opened last, so it is the selected trace
    std::uint64_t runA_ = 0, runB_ = 0;

    bool shot(const char* name)
    {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        return window_->grab().save(screenshotDir() + QLatin1Char('/') + QLatin1String(name));
    }

    std::uint64_t open(const SeededTrace& trace, const char* file)
    {
        const QString path = dir_.filePath(QLatin1String(file));
        writeFile(path, trace.records);
        QSignalSpy loaded(page_, &TracesPage::loadFinished);
        window_->openTrace(path);
        if (!loaded.wait(10000))
            return 0;
        const nexus::models::Run* run = page_->traceStore().runForThread(trace.threadId);
        return run ? run->id : 0;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // Two runs whose classify chose different specialists (both known routes).
        std::map<std::string, SeededTrace> byBranch;
        for (std::uint64_t seed = 1; seed <= 60 && byBranch.size() < 2; ++seed) {
            SeededTrace t = nexus::testing::recordRun(
                {"support_triage", "triage-" + std::to_string(seed), "laptop", seed, 0});
            QVERIFY(t.nodes.size() >= 2);
            if (kCategoryOf.count(t.nodes[1]) && !byBranch.count(t.nodes[1]))
                byBranch.emplace(t.nodes[1], std::move(t));
        }
        QCOMPARE(byBranch.size(), std::size_t(2));
        a_ = std::move(byBranch.begin()->second);
        b_ = std::move(std::next(byBranch.begin())->second);

        window_ = std::make_unique<nexus::app::MainWindow>();
        window_->resize(1500, 950);
        window_->show();
        QVERIFY(window_->showView(QStringLiteral("traces")));
        page_ = window_->tracesPage();
        tabs_ = window_->traceAnalysis();
        QVERIFY(page_ && tabs_);
        runA_ = open(a_, "a.dstrace");
        runB_ = open(b_, "b.dstrace");
        QVERIFY(runA_ && runB_);
        QCOMPARE(page_->currentRunId(), runB_);
    }

    void cleanupTestCase()
    {
        if (!tabs_->lastForkPath().isEmpty())
            QFile::remove(tabs_->lastForkPath());
        window_.reset();
    }

    void costTabBreaksDownTheSelectedTrace()
    {
        page_->inspectorTabs()->setCurrentWidget(tabs_->costView());
        QCOMPARE(tabs_->costView()->run(), page_->traceStore().run(runB_));
        tabs_->costView()->rebuild();
        const auto breakdown = tabs_->costView()->breakdown();
        QVERIFY(breakdown);
        // One row per node the run executed, as the runtime reported its path.
        QCOMPARE(tabs_->costView()->nodeTable()->model()->rowCount(), int(b_.nodes.size()));
        std::int64_t tokens = 0;
        for (const auto& node : breakdown->nodes)
            tokens += node.tokens();
        QCOMPARE(tokens, b_.summary.tokens());
        QVERIFY(shot("traces_cost.png"));
    }

    void compareTabFindsWhereTheRunsDiverge()
    {
        QWidget* comparePage = tabs_->compareView()->parentWidget();
        page_->inspectorTabs()->setCurrentWidget(comparePage);
        QCOMPARE(tabs_->compareWith()->count(), 1);
        QCOMPARE(tabs_->compareWith()->currentData().toULongLong(), quint64(runA_));
        const auto comparison = tabs_->compareView()->comparison();
        QVERIFY(comparison);
        QCOMPARE(comparison->a.threadId, b_.threadId); // the selected trace is A
        QCOMPARE(comparison->b.threadId, a_.threadId);
        QVERIFY(comparison->divergence);
        const QString text = tabs_->compareView()->divergenceText();
        QVERIFY2(text.contains(QStringLiteral("classify")), qPrintable(text));
        QVERIFY(shot("traces_compare.png"));

        // "Go to divergence" opens A's run view at the divergent step.
        const std::uint32_t stepA = comparison->divergence->stepA;
        QVERIFY(stepA != nexus::models::kNoIndex);
        QTest::mouseClick(tabs_->compareView()->divergenceButton(), Qt::LeftButton);
        QCOMPARE(page_->inspectorTabs()->currentWidget(), page_->runView());
        QCOMPARE(page_->currentRunId(), runB_);
        QCOMPARE(page_->runView()->cursor(), stepA);
        // A recorded trace has nothing live to follow.
        auto* live = page_->runView()->findChild<QWidget*>(QStringLiteral("runLive"));
        QVERIFY(live && !live->isVisible());
    }

    void debuggerReplaysTheSelectedTraceAgainstTheLibraryGraph()
    {
        auto* debugger = tabs_->debugger();
        page_->inspectorTabs()->setCurrentWidget(debugger);
        QVERIFY(debugger->session());
        QCOMPARE(debugger->stepCount(), b_.nodes.size());
        const auto& report = debugger->session()->report();
        QCOMPARE(report.threadId, b_.threadId);
        QCOMPARE(report.hashes.verified, b_.nodes.size());
        QCOMPARE(report.hashes.mismatched, std::size_t(0));
        QVERIFY(report.divergences.empty());
        QVERIFY2(debugger->routingText().contains(QStringLiteral("support_triage.json")),
                 qPrintable(debugger->routingText()));
        QVERIFY(shot("traces_debugger.png"));
    }

    void aForkTakesTheOtherBranchAndOpensAsANewTrace()
    {
        auto* debugger = tabs_->debugger();
        page_->inspectorTabs()->setCurrentWidget(debugger);
        debugger->seek(1); // after classify
        debugger->forkFromHere();
        auto* panel = debugger->forkPanel();
        const auto state = debugger->session()->stateAt(1);
        QVERIFY(state);
        nlohmann::json edited = *state;
        QCOMPARE(edited.value("category", std::string()), kCategoryOf.at(b_.nodes[1]));
        edited["category"] = kCategoryOf.at(a_.nodes[1]);
        panel->stateEditor()->setText(QString::fromStdString(edited.dump(2)));
        QVERIFY(panel->stateEditor()->isValid());

        QSignalSpy saved(tabs_, &TraceAnalysisTabs::forkSaved);
        QSignalSpy opened(page_, &TracesPage::traceOpened);
        QVERIFY2(panel->runFork(), qPrintable(panel->messageText()));
        QCOMPARE(saved.count(), 1);
        QCOMPARE(saved.at(0).at(1).toString(), QString());
        const QString path = saved.at(0).at(0).toString();
        QVERIFY2(path.startsWith(tabs_->forksDir()) && QFile::exists(path), qPrintable(path));
        QVERIFY(opened.wait(10000));

        // The fork is a new open trace, linked to its origin, down A's branch.
        const std::string forkThread = b_.threadId + "~fork1";
        const nexus::models::Run* fork = page_->traceStore().runForThread(forkThread);
        QVERIFY(fork);
        QCOMPARE(fork->startAttributes.at("forked_from_thread"), b_.threadId);
        std::vector<std::string> path2;
        for (const auto& span : fork->spans)
            path2.push_back(span.node);
        QVERIFY(std::find(path2.begin(), path2.end(), a_.nodes[1]) != path2.end());
        QVERIFY(std::find(path2.begin(), path2.end(), b_.nodes[1]) == path2.end());
        QVERIFY(page_->rawRecords(fork->id));

        // The saved file reads back as the same trace (kept across sessions).
        QSignalSpy loaded(page_, &TracesPage::loadFinished);
        page_->openFile(path);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.at(0).at(2).toInt(), 0); // no bad records
        QVERIFY(shot("traces_fork.png"));
    }
};

QTEST_MAIN(TestConsoleTraceAnalysis)
#include "tst_console_trace_analysis.moc"
