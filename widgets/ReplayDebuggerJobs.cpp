// ReplayDebuggerView: opening a trace and changing the graph routing is
// checked against — the replay built at once for a short run, on a worker
// with progress and Cancel for a long one (ReplayJob.h).
#include "models/ReplayStepsModel.h"
#include "runtime/GraphLoader.h"
#include "widgets/GraphCanvas.h"
#include "widgets/ReplayBreakpointsPanel.h"
#include "widgets/ReplayDebuggerView.h"
#include "widgets/ReplayForkPanel.h"
#include "widgets/StatePanel.h"

#include <QAction>
#include <QComboBox>
#include <QFileInfo>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>

namespace nexus::widgets {

namespace {

// A run of about this many messages per node execution (start, end, diff).
constexpr std::size_t kMessagesPerStep = 3;

QString count(std::size_t n)
{
    return QLocale().toString(qulonglong(n));
}

} // namespace

void ReplayDebuggerView::setTrace(std::vector<protocol::ds::DashStreamMessage> messages,
                                  QString title)
{
    title_ = std::move(title);
    session_.reset(); // a new trace starts at position 0 without breakpoints
    recording_.reset();
    fileGraph_.reset();
    fileGraphPath_.clear();
    fileGraphWarning_.clear();
    selectedNode_.clear();
    cancelledMessages_.clear();
    routing_ = RoutingSource::Recorded;
    forkPanel_->clear(tr("Choose a position and press \u201cFork from here\u2026\u201d."));
    side_->setCurrentIndex(StateTab);
    const bool background = messages.size() / kMessagesPerStep >= backgroundSteps_;
    if (background) { // nothing of the previous trace stays on screen meanwhile
        stepsModel_->clear();
        breakpointsPanel_->setSession(nullptr);
        breakpointsPanel_->setNodes({});
        canvas_->setGraph(nullptr);
        statePanel_->clear(tr("Replaying\u2026"));
    }
    ReplayJobInput input;
    input.messages = std::move(messages);
    input.library = library_;
    pending_ = Pending{true, background, RoutingSource::Recorded, std::nullopt, {}};
    runJob(std::move(input), background);
}

void ReplayDebuggerView::setGraphLibrary(QString dir)
{
    library_ = std::move(dir);
    if (!recording_ || routing_ == RoutingSource::File || isBusy()) {
        fillRoutingBox();
        return;
    }
    if (!checkRoutingAgainstLibrary()) {
        if (routing_ == RoutingSource::Library)
            checkRoutingAgainstRecording(); // the new library has no file for it
        else
            refresh(); // a warning about the library file may have changed
        fillRoutingBox();
    }
}

bool ReplayDebuggerView::checkRoutingAgainstLibrary()
{
    if (!recording_ || isBusy())
        return false;
    LibraryGraph library = loadLibraryGraph(library_, recordedGraphName(*recording_));
    fileGraphWarning_ = library.warning;
    if (!library.graph)
        return false;
    replayAgainst(RoutingSource::Library, std::move(library.graph), library.path);
    return true;
}

bool ReplayDebuggerView::checkRoutingAgainstFile(const QString& path)
{
    if (!recording_ || isBusy())
        return false;
    auto loaded = runtime::loadGraphFile(path.toStdString());
    if (!loaded) {
        showStatus(
            tr("%1 cannot be used: %2")
                .arg(QFileInfo(path).fileName(), QString::fromStdString(loaded.error().message)),
            true);
        fillRoutingBox(); // back to what is checked now
        return false;
    }
    replayAgainst(RoutingSource::File, std::move(loaded->graph), path);
    return true;
}

void ReplayDebuggerView::checkRoutingAgainstRecording()
{
    if (recording_ && !isBusy())
        replayAgainst(RoutingSource::Recorded, std::nullopt, {});
}

void ReplayDebuggerView::replayAgainst(RoutingSource routing, std::optional<runtime::Graph> graph,
                                       QString path)
{
    ReplayJobInput input;
    input.recording = recording_;
    input.graph = graph;
    input.source = routing == RoutingSource::Recorded ? "recording" : path.toStdString();
    const bool background = recording_->executions.size() >= backgroundSteps_;
    pending_ = Pending{false, background, routing, std::move(graph), std::move(path)};
    runJob(std::move(input), background);
}

void ReplayDebuggerView::runJob(ReplayJobInput input, bool background)
{
    if (!background) {
        runner_->drop(); // a long one still running is superseded
        const auto output = std::make_shared<ReplayJobOutput>(runReplayJob(std::move(input)));
        jobFinished(output);
        return;
    }
    runner_->start(std::move(input));
    setBusy(true);
    showStatus(tr("Replaying\u2026 (Esc cancels)"), false);
}

void ReplayDebuggerView::jobProgressed(ReplayPhase phase, qulonglong done, qulonglong total)
{
    if (phase == ReplayPhase::Reading) {
        progress_->setRange(0, 1000);
        progress_->setValue(total ? int(done * 1000 / total) : 0);
        progress_->setFormat(tr("Reading %p%"));
        showStatus(tr("Reading the recording: message %1 of %2\u2026 (Esc cancels)")
                       .arg(count(done), count(total)),
                   false);
        return;
    }
    // The session's work: every step's state and hash, then every route.
    const std::size_t steps = total / 2;
    progress_->setRange(0, 1000);
    progress_->setValue(total ? int(done * 1000 / total) : 0);
    progress_->setFormat(tr("Replaying %p%"));
    showStatus(done < steps
                   ? tr("Replaying step %1 of %2: states and hashes\u2026 (Esc cancels)")
                         .arg(count(done + 1), count(steps))
                   : tr("Checking routes: step %1 of %2\u2026 (Esc cancels)")
                         .arg(count(std::min<std::size_t>(done - steps + 1, steps)), count(steps)),
               false);
}

void ReplayDebuggerView::jobFinished(const std::shared_ptr<ReplayJobOutput>& output)
{
    if (!pending_)
        return; // cleared meanwhile
    const Pending pending = std::move(*pending_);
    pending_.reset();
    setBusy(false);
    if (pending.opening) {
        recording_ = output->recording;
        fileGraphWarning_ = output->library.warning;
        if (output->library.graph) {
            fileGraph_ = std::move(output->library.graph);
            fileGraphPath_ = output->library.path;
            routing_ = RoutingSource::Library;
        }
    } else {
        routing_ = pending.routing;
        if (pending.routing != RoutingSource::Recorded) {
            fileGraph_ = pending.graph;
            fileGraphPath_ = pending.path;
        }
    }
    installSession(output->session);
    if (pending.opening)
        showStatus(recording_->executions.empty()
                       ? tr("The trace has no node executions to replay.")
                       : tr("At the initial state. F10 steps, F5 continues."),
                   recording_->executions.empty());
    else if (pending.routing == RoutingSource::File)
        showStatus(tr("Routing is now checked against %1.").arg(QFileInfo(pending.path).fileName()),
                   false);
    else if (pending.background)
        showStatus(tr("Replayed again. %1").arg(routingText()), false);
    emit replayReady();
}

void ReplayDebuggerView::jobCancelled(const std::shared_ptr<ReplayJobOutput>& output)
{
    if (!pending_)
        return;
    const bool opening = pending_->opening;
    pending_.reset();
    setBusy(false);
    if (opening) {
        cancelledMessages_ = std::move(output->messages);
        statePanel_->clear(tr("Replay cancelled"));
        refresh();
        showStatus(tr("Replay cancelled. Restart (Ctrl+Shift+F5) replays the trace again."), true);
    } else {
        fillRoutingBox(); // back to what is checked now
        refresh();
        showStatus(tr("Replay cancelled: %1, as before.").arg(routingText()), true);
    }
    emit replayCancelled();
}

void ReplayDebuggerView::cancelReplay()
{
    if (isBusy()) {
        runner_->cancel();
        showStatus(tr("Cancelling\u2026"), false);
    }
}

bool ReplayDebuggerView::isBusy() const
{
    return runner_->busy();
}

void ReplayDebuggerView::setBusy(bool busy)
{
    progress_->setVisible(busy);
    cancelButton_->setVisible(busy);
    cancel_->setEnabled(busy);
    if (busy) {
        progress_->setRange(0, 0); // until the first figures come
        progress_->setFormat(QString());
    }
    fillRoutingBox();
    refreshSummary();
    refreshActions();
}

void ReplayDebuggerView::installSession(std::shared_ptr<runtime::ReplaySession> session)
{
    // Keep the position and the breakpoints across a change of graph.
    const std::size_t position = session_ ? session_->position() : 0;
    std::vector<runtime::Breakpoint> breakpoints;
    if (session_)
        breakpoints = session_->breakpoints();
    session_ = std::move(session);
    for (const runtime::Breakpoint& bp : breakpoints) {
        int id = 0;
        if (bp.kind == runtime::BreakpointKind::BeforeNode)
            id = session_->addBreakpointBefore(bp.node);
        else if (bp.kind == runtime::BreakpointKind::AfterNode)
            id = session_->addBreakpointAfter(bp.node);
        else if (bp.when)
            if (auto added = session_->addBreakpointWhen(bp.when->toJson()))
                id = *added;
        if (id && !bp.enabled)
            session_->setBreakpointEnabled(id, false);
    }
    session_->seek(position);

    const runtime::Graph* shown = session_->graph();
    shownGraph_ = shown ? std::make_shared<const runtime::Graph>(*shown) : nullptr;
    canvas_->setGraph(shownGraph_);
    QStringList nodes;
    if (shown)
        for (const runtime::Node& node : shown->nodes)
            nodes << QString::fromStdString(node.name);
    for (const runtime::ReplayStep& s : session_->steps())
        if (!nodes.contains(QString::fromStdString(s.node)))
            nodes << QString::fromStdString(s.node);
    breakpointsPanel_->setNodes(nodes);
    breakpointsPanel_->setSession(session_);
    stepsModel_->setSession(session_);
    fillRoutingBox();
    refresh();
}

} // namespace nexus::widgets
