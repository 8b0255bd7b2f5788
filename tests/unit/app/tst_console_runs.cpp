// The live execution view as a user meets it: the Local sandbox runs its
// fleet in real time, the console's own Kafka consumer feeds the run store,
// the Runs tab follows the newest run, the canvas shows every node of the
// run's graph, clicking a node opens its details, and scrubbing the cursor
// back shows the state and the changes at that step. Screenshots are saved
// to look at.
#include "client/ConnectionProfile.h"
#include "models/RunStore.h"
#include "widgets/GraphCanvas.h"
#include "widgets/NodeDetailsView.h"
#include "widgets/RunView.h"
#include "widgets/TimelineView.h"

#include "ConsoleSession.h"
#include "MainWindow.h"
#include "RunsPage.h"

#include <QDir>
#include <QLabel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using nexus::models::Run;
using nexus::models::RunStatus;

class TestConsoleRuns : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void watchALiveRunAndScrubBack()
    {
        nexus::app::MainWindow w;
        w.resize(1600, 1000);
        w.show();
        nexus::app::SandboxSettings settings;
        settings.instances = 4; // a small fleet, in real time (the default)
        w.session()->setSandboxSettings(settings);
        w.openProfile(nexus::client::ConnectionProfile::localSandbox());
        QVERIFY(w.showView(QStringLiteral("runs")));
        nexus::app::RunsPage* page = w.runsPage();
        QVERIFY(page);
        nexus::widgets::RunView* view = page->runView();
        QVERIFY(page->followNewest());

        // "Follow newest" picks a run as soon as one starts. Wait for one
        // that is still running and has its graph: the user watches it move.
        const auto shownRunning = [view] {
            const Run* r = view->run();
            return r && r->graph && r->status == RunStatus::Running && r->nodesDone >= 1;
        };
        QTRY_VERIFY_WITH_TIMEOUT(shownRunning(), 90000);
        const Run* run = view->run();
        const std::uint64_t runId = run->id;
        page->setFollowNewest(false); // pin it
        QVERIFY(view->followLive());

        // The canvas shows every node of the run's graph.
        nexus::widgets::GraphCanvas* canvas = view->canvas();
        QCOMPARE(canvas->graph().get(), run->graph.get());
        for (const auto& node : run->graph->nodes)
            QVERIFY2(!canvas->nodeRect(QString::fromStdString(node.name)).isEmpty(),
                     node.name.c_str());
        // The live cursor sits on the newest step.
        QCOMPARE(view->cursor(), std::uint32_t(run->steps.size() - 1));
        const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
        QDir().mkpath(dir);
        QVERIFY(w.grab().save(dir + QStringLiteral("/console_runs_live.png")));

        // Clicking a node that already ran opens its details.
        QString done;
        for (const auto& span : run->spans)
            if (span.state == nexus::models::NodeState::Done) {
                done = QString::fromStdString(span.node);
                break;
            }
        QVERIFY(!done.isEmpty());
        const QPoint at = canvas->mapFromScene(canvas->nodeRect(done).center());
        QTest::mouseClick(canvas->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(view->selectedNode(), done);
        nexus::widgets::NodeDetailsView* details = view->nodeDetails();
        QCOMPARE(details->node(), done);
        QVERIFY(details->isVisible());
        QVERIFY(details->spanIndex() >= 0);
        auto* title = details->findChild<QLabel*>(QStringLiteral("nodeTitle"));
        QVERIFY(title);
        QCOMPARE(title->text(), done);

        // The run goes on to its end while we watch.
        QTRY_VERIFY_WITH_TIMEOUT(view->run() && view->run()->id == runId &&
                                     view->run()->status != RunStatus::Running,
                                 120000);
        run = view->run();
        QCOMPARE(view->cursor(), std::uint32_t(run->steps.size() - 1));
        QVERIFY(run->issues.empty());

        // Scrub back to the first NODE_END: following stops, the canvas shows
        // that node done and the rest pending, the state is the one then.
        std::uint32_t firstEnd = 0;
        while (firstEnd < run->steps.size() &&
               run->steps[firstEnd].kind != nexus::models::StepKind::NodeEnd)
            ++firstEnd;
        QVERIFY(firstEnd < run->steps.size());
        view->setCursor(firstEnd);
        QVERIFY(!view->followLive());
        QCOMPARE(view->timeline()->cursorStep(), firstEnd);
        const auto states = run->nodeStatesAt(firstEnd);
        int doneCount = 0;
        for (const auto& [node, state] : states)
            doneCount += state == nexus::models::NodeState::Done;
        QCOMPARE(doneCount, 1);
        auto* stepLabel = view->findChild<QLabel*>(QStringLiteral("runStep"));
        QVERIFY(stepLabel->text().startsWith(
            QStringLiteral("Step %1 / %2").arg(firstEnd).arg(run->steps.size() - 1)));
        QVERIFY(w.grab().save(dir + QStringLiteral("/console_runs_scrubbed.png")));

        // Live again: the cursor jumps back to the newest step.
        view->setFollowLive(true);
        QCOMPARE(view->cursor(), std::uint32_t(run->steps.size() - 1));
    }
};

QTEST_MAIN(TestConsoleRuns)
#include "tst_console_runs.moc"
