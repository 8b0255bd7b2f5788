// ReplayDebuggerView: what follows a move — summary, canvas, state, actions,
// the status line — and the breakpoint / fork / divergence commands.
#include "models/ReplayStepsModel.h"
#include "models/TraceComparison.h"
#include "widgets/GraphCanvas.h"
#include "widgets/KnowledgeBadges.h"
#include "widgets/ReplayBreakpointsPanel.h"
#include "widgets/ReplayDebuggerView.h"
#include "widgets/ReplayForkPanel.h"
#include "widgets/StatePanel.h"

#include <QAction>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QStringList>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>

#include <algorithm>

namespace nexus::widgets {

using models::ReplayStepsModel;
using runtime::ReplayStep;
using runtime::StepVerdict;
using runtime::StopReason;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

models::StateVerdict stateVerdict(StepVerdict verdict)
{
    switch (verdict) {
    case StepVerdict::Verified:
        return models::StateVerdict::Verified;
    case StepVerdict::Mismatch:
        return models::StateVerdict::Mismatch;
    case StepVerdict::Unverified:
        return models::StateVerdict::Unverified;
    case StepVerdict::NotApplied:
        return models::StateVerdict::PatchFailed;
    }
    return models::StateVerdict::Unverified;
}

QString statusName(runtime::RecordingStatus status)
{
    switch (status) {
    case runtime::RecordingStatus::Completed:
        return ReplayDebuggerView::tr("run completed");
    case runtime::RecordingStatus::Failed:
        return ReplayDebuggerView::tr("run failed");
    case runtime::RecordingStatus::Incomplete:
        return ReplayDebuggerView::tr("run incomplete");
    }
    return {};
}

} // namespace

QString ReplayDebuggerView::titleText() const
{
    return titleLabel_->text();
}

QString ReplayDebuggerView::summaryText() const
{
    return summary_->text();
}

QString ReplayDebuggerView::statusText() const
{
    return status_->text();
}

QString ReplayDebuggerView::routingText() const
{
    return routingNote_->text();
}

void ReplayDebuggerView::showStatus(const QString& text, bool warning)
{
    status_->setText(text);
    QPalette pal = status_->palette();
    pal.setColor(QPalette::WindowText,
                 warning ? QColor(0xdc2626) : palette().color(QPalette::WindowText));
    status_->setPalette(pal);
}

void ReplayDebuggerView::refresh()
{
    refreshSummary();
    refreshCanvas();
    refreshState();
    refreshActions();
}

void ReplayDebuggerView::refreshSummary()
{
    firstDivergence_->hide();
    if (!session_) { // none yet, one being built, or a cancelled one
        const bool opening = isBusy() || !cancelledMessages_.empty();
        titleLabel_->setText(opening && !title_.isEmpty() ? title_ : tr("Replay debugger"));
        summary_->setText(isBusy()                      ? tr("Replaying the trace\u2026")
                          : !cancelledMessages_.empty() ? tr("Replay cancelled")
                                                        : tr("No trace"));
        routingNote_->clear();
        return;
    }
    const runtime::Recording& rec = session_->recording();
    const runtime::ReplayReport& report = session_->report();
    QString title = title_.isEmpty() ? qs(rec.threadId) : title_;
    if (!title_.isEmpty() && !rec.threadId.empty() && !title_.contains(qs(rec.threadId)))
        title += QStringLiteral(" \u00b7 ") + qs(rec.threadId);
    if (!report.graphName.empty())
        title += tr(" \u00b7 graph %1").arg(qs(report.graphName));
    titleLabel_->setText(title);

    QStringList parts;
    parts << (report.steps == 1 ? tr("1 step") : tr("%1 steps").arg(report.steps));
    QString hashes = tr("hashes: %1 verified, %2 mismatched, %3 unverified")
                         .arg(report.hashes.verified)
                         .arg(report.hashes.mismatched)
                         .arg(report.hashes.unverified);
    if (report.hashes.notApplied > 0)
        hashes += tr(", %1 not applied").arg(report.hashes.notApplied);
    parts << hashes;
    parts << (report.divergences.empty()
                  ? tr("no divergence")
                  : (report.divergences.size() == 1
                         ? tr("1 divergence")
                         : tr("%1 divergences").arg(report.divergences.size())));
    if (!report.problems.empty())
        parts << (report.problems.size() == 1
                      ? tr("1 problem reading the trace")
                      : tr("%1 problems reading the trace").arg(report.problems.size()));
    parts << statusName(report.status);
    summary_->setText(parts.join(QStringLiteral(" \u00b7 ")));
    QStringList problems;
    for (std::size_t i = 0; i < report.problems.size() && i < 10; ++i)
        problems << tr("record %1: %2")
                        .arg(report.problems[i].record)
                        .arg(qs(report.problems[i].message));
    summary_->setToolTip(problems.isEmpty() ? QString()
                                            : knowledgeui::plainToolTip(problems.join(
                                                  QLatin1Char('\n')))); // wire text as typed

    if (const runtime::Divergence* first = report.firstDivergence()) {
        firstDivergence_->setText(
            tr("First divergence: step %1 (%2) \u2192").arg(first->step).arg(qs(first->node)));
        firstDivergence_->setToolTip(knowledgeui::plainToolTip(qs(first->reason)));
        firstDivergence_->show();
    }

    QString routing;
    const QString file = QFileInfo(fileGraphPath_).fileName();
    const runtime::Graph* graph = session_->graph();
    switch (routing_) {
    case RoutingSource::Library:
        routing = tr("Routing checked against the library file %1 (graph version %2): its "
                     "conditions decide every branch.")
                      .arg(file, graph ? qs(graph->version) : QString());
        break;
    case RoutingSource::File:
        routing = tr("Routing checked against %1 (graph version %2).")
                      .arg(fileGraphPath_, graph ? qs(graph->version) : QString());
        break;
    case RoutingSource::Recorded:
        routing =
            graph ? tr("Routing checked against the recorded graph: it has no conditions, "
                       "so conditional branches cannot be checked. Choose a graph file to "
                       "check them.")
                  : tr("The trace has no graph (%1): routing cannot be checked.")
                        .arg(rec.graphError.empty() ? tr("no GRAPH_START") : qs(rec.graphError));
        break;
    }
    if (routing_ != RoutingSource::Recorded && !report.recordedSchemaId.empty() &&
        report.graphSchemaId != report.recordedSchemaId)
        routing += tr(" Its schema (%1) differs from the recorded one (%2).")
                       .arg(qs(report.graphSchemaId), qs(report.recordedSchemaId));
    if (!fileGraphWarning_.isEmpty())
        routing += QLatin1Char(' ') + fileGraphWarning_;
    routingNote_->setText(routing);
}

void ReplayDebuggerView::refreshCanvas()
{
    if (!session_) {
        canvas_->setNodeStates({});
        canvas_->setTakenEdges({});
        return;
    }
    const std::size_t p = session_->position();
    const auto& steps = session_->steps();
    const auto& executions = session_->recording().executions;
    const runtime::Graph* graph = session_->graph();
    std::map<std::string, models::NodeState> states;
    std::map<std::string, QString> captions;
    std::map<std::string, int> visits;
    std::vector<models::TakenEdge> edges;
    for (std::size_t i = 0; i < p && i < steps.size(); ++i) {
        const ReplayStep& s = steps[i];
        const bool failed = i < executions.size() && executions[i].failed;
        states[s.node] = failed ? models::NodeState::Error : models::NodeState::Done;
        const int n = ++visits[s.node];
        captions[s.node] = n > 1 ? tr("ran \u00d7%1").arg(n) : tr("ran");
        for (const std::string& to : s.recordedNext) {
            models::TakenEdge edge;
            edge.from = s.node;
            edge.to = to;
            edge.step = std::uint32_t(i);
            edge.inferred =
                i < executions.size() && executions[i].nextSource != runtime::NextSource::Edges;
            if (graph)
                for (const runtime::Edge* e : graph->outgoing(s.node))
                    edge.conditional =
                        edge.conditional || e->kind == runtime::EdgeKind::Conditional;
            if (i < executions.size() && executions[i].routeLabels.size() == 1)
                edge.conditionResult = executions[i].routeLabels.front();
            edges.push_back(std::move(edge));
        }
    }
    // The nodes about to run: the rest of the current super-step, or the next one.
    if (p < steps.size()) {
        const std::int64_t superStep = steps[p].superStep;
        for (std::size_t i = p; i < steps.size() && steps[i].superStep == superStep; ++i) {
            states[steps[i].node] = models::NodeState::Active;
            captions[steps[i].node] = tr("next");
        }
    }
    // The latest divergence already replayed: its node red, where the graph goes instead.
    for (std::size_t i = std::min(p, steps.size()); i-- > 0;) {
        if (!steps[i].divergence)
            continue;
        states[steps[i].node] = models::NodeState::Error;
        captions[steps[i].node] = tr("diverges here");
        for (const std::string& expected : steps[i].expectedNext)
            if (!captions.count(expected) || states[expected] == models::NodeState::Pending)
                captions[expected] = tr("expected");
        break;
    }
    canvas_->setNodeStates(states, captions);
    canvas_->setTakenEdges(edges);
}

void ReplayDebuggerView::refreshState()
{
    if (!session_) {
        statePanel_->clear(tr("No trace"));
        return;
    }
    const std::size_t p = session_->position();
    models::StateAt at;
    at.state = session_->stateAt(p);
    std::vector<models::PathChange> changes;
    QString label;
    if (p == 0) {
        label = tr("Initial state \u00b7 position 0");
    } else {
        const ReplayStep& last = session_->steps()[p - 1];
        at.verdict = stateVerdict(last.hash);
        label = tr("State after step %1 (%2) \u00b7 %3")
                    .arg(p)
                    .arg(qs(last.node))
                    .arg(ReplayStepsModel::hashText(last.hash));
        const auto before = session_->stateAt(p - 1);
        if (before && at.state)
            changes = models::diffJson(*before, *at.state, 5000);
    }
    statePanel_->setState(at, changes, label);
}

void ReplayDebuggerView::refreshActions()
{
    const bool busy = isBusy(); // the debugger waits for the replay being built
    const bool has = session_ && session_->size() > 0 && !busy;
    const std::size_t p = position();
    const std::size_t n = stepCount();
    continue_->setEnabled(has && p < n);
    step_->setEnabled(has && p < n);
    stepBack_->setEnabled(has && p > 0);
    runToCursor_->setEnabled(has && selectedRow() >= 0);
    restart_->setEnabled((has && p > 0) || (!busy && !session_ && !cancelledMessages_.empty()));
    toggleBreakpoint_->setEnabled(has);
    const bool boundary = session_ && session_->isStepBoundary(p);
    fork_->setEnabled(boundary && !busy);
    if (!session_) {
        fork_->setToolTip(tr("Open a trace to fork it"));
    } else if (!boundary) {
        const std::int64_t superStep = session_->steps()[p].superStep;
        std::size_t first = p, last = p;
        while (first > 0 && session_->steps()[first - 1].superStep == superStep)
            --first;
        while (last + 1 < n && session_->steps()[last + 1].superStep == superStep)
            ++last;
        fork_->setToolTip(tr("Position %1 lies between the branches of parallel super-step %2: "
                             "a fork can start at position %3 (before it) or %4 (after it)")
                              .arg(p)
                              .arg(superStep)
                              .arg(first)
                              .arg(last + 1));
    } else {
        fork_->setToolTip(tr("Edit the state at position %1 and execute forward from it").arg(p));
    }
}

void ReplayDebuggerView::stopped(const runtime::StopInfo& info)
{
    stepsModel_->refreshPosition();
    refresh();
    const std::size_t p = info.position;
    const auto& steps = session_->steps();
    const QString where =
        p == 0 ? tr("position 0 (initial state)")
               : tr("position %1, after step %1 (%2)").arg(p).arg(qs(steps[p - 1].node));
    switch (info.reason) {
    case StopReason::Step:
        showStatus(tr("Stepped to %1.").arg(where), false);
        break;
    case StopReason::Reached:
        showStatus(tr("At %1.").arg(where), false);
        break;
    case StopReason::Start:
        showStatus(tr("At the start: nothing before position 0."), false);
        break;
    case StopReason::End:
        showStatus(tr("At the end of the run: %1.").arg(where), false);
        break;
    case StopReason::Breakpoint: {
        QStringList which;
        for (int id : info.breakpoints)
            for (const runtime::Breakpoint& bp : session_->breakpoints())
                if (bp.id == id)
                    which << (bp.kind == runtime::BreakpointKind::BeforeNode
                                  ? tr("before %1").arg(qs(bp.node))
                              : bp.kind == runtime::BreakpointKind::AfterNode
                                  ? tr("after %1").arg(qs(bp.node))
                                  : tr("when %1").arg(bp.when ? qs(bp.when->toJson().dump())
                                                              : QString()));
        showStatus(tr("Breakpoint (%1) at %2.").arg(which.join(QStringLiteral(", ")), where),
                   false);
        break;
    }
    case StopReason::Divergence:
        showStatus(tr("Stopped at a divergence, %1: %2").arg(where, qs(info.detail)), true);
        break;
    case StopReason::HashMismatch:
        showStatus(tr("Stopped at a hash mismatch, %1: %2").arg(where, qs(info.detail)), true);
        break;
    }
    const int row = p < steps.size() ? int(p) : int(steps.size()) - 1;
    if (row >= 0)
        stepsView_->scrollTo(stepsModel_->index(row, ReplayStepsModel::NodeColumn));
    emit positionChanged(p);
}

int ReplayDebuggerView::selectedRow() const
{
    const QModelIndex current = stepsView_->selectionModel()->currentIndex();
    return current.isValid() && stepsView_->selectionModel()->isRowSelected(current.row())
               ? current.row()
               : -1;
}

void ReplayDebuggerView::selectRow(int row)
{
    if (row < 0 || row >= stepsModel_->rowCount())
        return;
    stepsView_->selectionModel()->setCurrentIndex(
        stepsModel_->index(row, ReplayStepsModel::NodeColumn),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    stepsView_->scrollTo(stepsModel_->index(row, ReplayStepsModel::NodeColumn));
}

void ReplayDebuggerView::canvasNodeSelected(const QString& node)
{
    selectedNode_ = node;
    if (!session_)
        return;
    const auto& steps = session_->steps();
    const std::string name = node.toStdString();
    int row = -1;
    for (std::size_t i = session_->position(); i < steps.size() && row < 0; ++i)
        if (steps[i].node == name)
            row = int(i);
    for (std::size_t i = std::min(session_->position(), steps.size()); i-- > 0 && row < 0;)
        if (steps[i].node == name)
            row = int(i);
    selectRow(row);
}

void ReplayDebuggerView::toggleBreakpoint()
{
    if (!session_ || session_->size() == 0)
        return;
    std::string node;
    if (const int row = selectedRow(); row >= 0)
        node = session_->steps()[std::size_t(row)].node;
    else if (!selectedNode_.isEmpty())
        node = selectedNode_.toStdString();
    else if (const ReplayStep* next = session_->nextStep())
        node = next->node;
    if (node.empty()) {
        showStatus(tr("Select a step or a node for the breakpoint."), true);
        return;
    }
    std::vector<int> existing;
    for (const runtime::Breakpoint& bp : session_->breakpoints())
        if (bp.kind == runtime::BreakpointKind::BeforeNode && bp.node == node)
            existing.push_back(bp.id);
    for (int id : existing)
        session_->removeBreakpoint(id);
    if (existing.empty())
        session_->addBreakpointBefore(node);
    breakpointsEdited();
    showStatus(existing.empty() ? tr("Breakpoint before %1 set.").arg(qs(node))
                                : tr("Breakpoint before %1 removed.").arg(qs(node)),
               false);
}

void ReplayDebuggerView::breakpointsEdited()
{
    stepsModel_->refreshBreakpoints();
    breakpointsPanel_->refresh();
}

void ReplayDebuggerView::forkFromHere()
{
    if (!session_)
        return;
    const std::size_t p = session_->position();
    if (!session_->isStepBoundary(p)) {
        showStatus(fork_->toolTip(), true);
        return;
    }
    QString label;
    switch (routing_) {
    case RoutingSource::Library:
    case RoutingSource::File:
        label = tr("Runs with %1: its conditions route, its scripts run, recorded outputs "
                   "stand in for nodes without one.")
                    .arg(QFileInfo(fileGraphPath_).fileName());
        break;
    case RoutingSource::Recorded:
        label = tr("Runs with the recorded graph: it has no conditions or scripts, so a "
                   "conditional edge cannot be routed and nodes reuse recorded outputs. "
                   "Choose a graph file for a full fork.");
        break;
    }
    forkPanel_->begin(session_, routingGraph(), label, p);
    side_->setCurrentIndex(ForkTab);
    showStatus(tr("Forking from position %1: edit the state, then Run fork.").arg(p), false);
}

void ReplayDebuggerView::goToFirstDivergence()
{
    if (!session_)
        return;
    const runtime::Divergence* first = session_->report().firstDivergence();
    if (!first)
        return;
    seek(first->step);
    selectRow(int(first->step) - 1);
    showStatus(tr("Divergence at step %1 (%2): %3")
                   .arg(first->step)
                   .arg(qs(first->node))
                   .arg(qs(first->reason)),
               true);
}

} // namespace nexus::widgets
