// The replay debugger on a long run: opening it and changing the graph it is
// checked against run on a worker with progress in the status line and a
// Cancel button; the debugger's controls wait for it; cancelling keeps what
// was shown (or lets Restart replay the trace again); closing the view while
// it works neither hangs nor crashes.
#include "models/ReplayStepsModel.h"
#include "widgets/ReplayDebuggerView.h"

#include "../runtime/LoopGraph.h"
#include "../runtime/ReplaySupport.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace nexus;
using namespace nexus::runtime;
using namespace replaytest;
using widgets::ReplayDebuggerView;

namespace {

constexpr int kSteps = 30'000;
constexpr int kLongWaitMs = 120'000; // a loaded CI machine under a sanitizer

const RecordedRun& longRun()
{
    static const RecordedRun run = record(graphFrom(loopGraph(kSteps)), 3);
    return run;
}

void screenshot(QWidget& w, const char* name)
{
    QCoreApplication::processEvents();
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/") + QLatin1String(name) +
                         QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
}

// A graph library holding the loop graph under its own name.
struct Library
{
    QTemporaryDir dir;
    Library()
    {
        QFile file(dir.filePath(QStringLiteral("bench_loop.json")));
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(QByteArray::fromStdString(loopGraph(kSteps).dump())) <= 0)
            qFatal("cannot write the test library");
    }
};

bool busyLooking(const ReplayDebuggerView& view)
{
    return view.isBusy() && view.progressBar()->isVisible() && view.cancelButton()->isVisible() &&
           !view.stepAction()->isEnabled() && !view.continueAction()->isEnabled() &&
           !view.routingBox()->isEnabled() && view.cancelAction()->isEnabled();
}

} // namespace

class TestReplayProgress : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(longRun().result.status == RunStatus::Completed);
        QCOMPARE(longRun().result.path.size(), std::size_t(kSteps));
    }

    void aLongTraceOpensOnAWorkerWithProgress()
    {
        Library library;
        ReplayDebuggerView view;
        view.resize(1200, 760);
        view.show();
        view.setGraphLibrary(library.dir.path());
        QSignalSpy ready(&view, &ReplayDebuggerView::replayReady);
        view.setTrace(longRun().messages, QStringLiteral("long loop"));
        QVERIFY2(busyLooking(view), "the debugger waits for the replay, with progress and Cancel");
        QCOMPARE(view.session(), nullptr);
        QCOMPARE(view.titleText(), QStringLiteral("long loop"));
        QVERIFY2(view.summaryText().contains(QStringLiteral("Replaying")),
                 qPrintable(view.summaryText()));

        // Figures come while it works, and the status line says what it does.
        QTRY_VERIFY_WITH_TIMEOUT(
            view.progressBar()->maximum() > 0 && view.progressBar()->value() > 0, kLongWaitMs);
        const QString status = view.statusText();
        QVERIFY2(status.contains(QStringLiteral("Reading the recording")) ||
                     status.contains(QStringLiteral("Replaying step")) ||
                     status.contains(QStringLiteral("Checking routes")),
                 qPrintable(status));
        screenshot(view, "replay-progress");

        QVERIFY(ready.wait(kLongWaitMs));
        QVERIFY(!view.isBusy());
        QVERIFY(view.progressBar()->isHidden());
        QVERIFY(view.cancelButton()->isHidden());
        QCOMPARE(view.stepCount(), std::size_t(kSteps));
        QVERIFY(view.session()->report().ok());
        QCOMPARE(view.routingSource(), ReplayDebuggerView::RoutingSource::Library);
        QVERIFY(view.stepAction()->isEnabled());
        QVERIFY(view.routingBox()->isEnabled());
        QVERIFY2(view.statusText().contains(QStringLiteral("initial state")),
                 qPrintable(view.statusText()));
    }

    void cancellingTheOpeningLetsRestartReplayItAgain()
    {
        ReplayDebuggerView view;
        QSignalSpy cancelled(&view, &ReplayDebuggerView::replayCancelled);
        QSignalSpy ready(&view, &ReplayDebuggerView::replayReady);
        view.setTrace(longRun().messages, QStringLiteral("long loop"));
        QVERIFY(view.isBusy());
        view.cancelButton()->click();
        QVERIFY(cancelled.wait(kLongWaitMs));
        QCOMPARE(ready.count(), 0);
        QVERIFY(!view.isBusy());
        QCOMPARE(view.session(), nullptr);
        QVERIFY(view.progressBar()->isHidden());
        QVERIFY2(view.statusText().contains(QStringLiteral("cancelled")),
                 qPrintable(view.statusText()));
        QCOMPARE(view.summaryText(), QStringLiteral("Replay cancelled"));
        QVERIFY(!view.stepAction()->isEnabled());
        QVERIFY2(view.restartAction()->isEnabled(), "Restart replays the cancelled trace");
        QVERIFY(!view.cancelAction()->isEnabled());

        view.restartAction()->trigger();
        QVERIFY(view.isBusy());
        QVERIFY(ready.wait(kLongWaitMs));
        QCOMPARE(view.stepCount(), std::size_t(kSteps));
        QCOMPARE(view.position(), std::size_t(0));
        QCOMPARE(view.session()->report().hashes.verified, std::size_t(kSteps));
    }

    void aNewGraphIsReplayedOnTheWorkerKeepingPositionAndBreakpoints()
    {
        Library library;
        ReplayDebuggerView view;
        view.setGraphLibrary(library.dir.path());
        QSignalSpy ready(&view, &ReplayDebuggerView::replayReady);
        QSignalSpy cancelled(&view, &ReplayDebuggerView::replayCancelled);
        view.setTrace(longRun().messages, QStringLiteral("long loop"));
        QVERIFY(ready.wait(kLongWaitMs));
        view.seek(5);
        view.toggleBreakpoint(); // before the node about to run
        QCOMPARE(view.session()->breakpoints().size(), std::size_t(1));
        const runtime::ReplaySession* before = view.session();

        // Against the recorded graph: routing cannot be checked, the rest stays.
        view.checkRoutingAgainstRecording();
        QVERIFY(view.isBusy());
        QCOMPARE(view.session(), before); // still shown while the new one is built
        QVERIFY(ready.wait(kLongWaitMs));
        QVERIFY(view.session() != before);
        QCOMPARE(view.routingSource(), ReplayDebuggerView::RoutingSource::Recorded);
        QCOMPARE(view.position(), std::size_t(5));
        QCOMPARE(view.session()->breakpoints().size(), std::size_t(1));
        QVERIFY(view.routingText().contains(QStringLiteral("cannot be checked")));

        // Cancelling a change of graph keeps the one shown.
        const runtime::ReplaySession* recorded = view.session();
        QVERIFY(view.checkRoutingAgainstLibrary());
        QVERIFY(view.isBusy());
        view.cancelAction()->trigger();
        QVERIFY(cancelled.wait(kLongWaitMs));
        QCOMPARE(view.session(), recorded);
        QCOMPARE(view.routingSource(), ReplayDebuggerView::RoutingSource::Recorded);
        QCOMPARE(view.routingBox()->currentText(), QStringLiteral("Recorded graph"));
        QCOMPARE(view.position(), std::size_t(5));
        QVERIFY2(view.statusText().contains(QStringLiteral("cancelled")),
                 qPrintable(view.statusText()));
        QVERIFY(view.stepAction()->isEnabled());
    }

    void openingAnotherTraceSupersedesTheOneBeingReplayed()
    {
        ReplayDebuggerView view;
        QSignalSpy ready(&view, &ReplayDebuggerView::replayReady);
        view.setTrace(longRun().messages, QStringLiteral("long loop"));
        QVERIFY(view.isBusy());
        const RecordedRun small = record(sample("support_triage"), 1);
        view.setTrace(small.messages, QStringLiteral("small")); // short: at once
        QVERIFY(!view.isBusy());
        QCOMPARE(view.stepCount(), small.result.path.size());
        QCOMPARE(ready.count(), 1);
        QVERIFY(view.stepAction()->isEnabled());
        QVERIFY(view.progressBar()->isHidden());
    }

    void closingTheViewWhileItWorksIsSafe()
    {
        auto view = std::make_unique<ReplayDebuggerView>();
        view->setTrace(longRun().messages, QStringLiteral("long loop"));
        QVERIFY(view->isBusy());
        view.reset(); // cancels and waits for the worker
        QVERIFY(!view);
    }
};

QTEST_MAIN(TestReplayProgress)
#include "tst_widgets_replay_progress.moc"
