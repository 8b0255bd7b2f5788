#pragma once
// The replay / fork debugger for one trace (DESIGN.md §5, docs/debugger.md):
// the recorded run re-driven through the embedded runtime's ReplaySession
// with a debugger's controls — Continue (F5), Step (F10), Step back
// (Shift+F10), Run to cursor (Ctrl+F10), Restart, Toggle breakpoint (F9) —
// a summary of the hash and route verdicts, the steps, the graph with the
// node about to run and the divergent node, the state at the position with
// what the last step changed, the breakpoints, and a fork page that runs
// forward from an edited state (runtime::Fork) and hands the new trace over
// through forkCreated.
//
// Routing is checked against the recorded graph (GRAPH_START: no
// conditions), a library file with the recording's graph name (the default
// when there is one), or any other graph file.
//
// Reading a trace and replaying it against a graph is long work for a long
// run (seconds at 100,000 steps): from backgroundThreshold() steps on it runs
// on a worker (ReplayJob.h) while the status line shows its progress with a
// Cancel button (Esc); the debugger's actions wait for it. Shorter runs are
// replayed at once.

#include "protocol/Messages.h"
#include "runtime/Graph.h"
#include "runtime/Recording.h"
#include "runtime/Replay.h"
#include "widgets/ReplayJob.h"

#include <QString>
#include <QWidget>

#include <memory>
#include <optional>
#include <string>
#include <vector>

class QAction;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;
class QToolBar;
class QToolButton;

namespace nexus::models {
class ReplayStepsModel;
}

namespace nexus::widgets {

class GraphCanvas;
class ReplayBreakpointsPanel;
class ReplayForkPanel;
class StatePanel;

class ReplayDebuggerView : public QWidget
{
    Q_OBJECT
public:
    enum class RoutingSource
    {
        Recorded, // the recording's own graph (GRAPH_START)
        Library,  // the library file named like the recording's graph
        File,     // a file the user chose
    };
    enum SideTab
    {
        StateTab,
        BreakpointsTab,
        ForkTab
    };

    explicit ReplayDebuggerView(QWidget* parent = nullptr);
    ~ReplayDebuggerView() override;

    // Reads the recording (problems are kept and shown) and starts a replay
    // at position 0, routed by the library file when there is one.
    void setTrace(std::vector<protocol::ds::DashStreamMessage> messages, QString title);
    // Graph files by graph name ("<dir>/<name>.json", else any file there
    // whose "name" is the graph's); "" for none.
    void setGraphLibrary(QString dir);
    QString graphLibrary() const { return library_; }
    void clear();

    // --- routing ---
    RoutingSource routingSource() const { return routing_; }
    // "Routing checked against ..." as shown under the summary.
    QString routingText() const;
    // What "Other file..." does after its file dialog; false (and the reason
    // shown) when the file does not load.
    bool checkRoutingAgainstFile(const QString& path);
    void checkRoutingAgainstRecording();
    bool checkRoutingAgainstLibrary();

    // --- where the debugger is ---
    const runtime::ReplaySession* session() const { return session_.get(); }
    std::size_t position() const;
    std::size_t stepCount() const;
    QString summaryText() const;
    QString statusText() const;
    QString titleText() const;

    // --- long work (see above) ---
    bool isBusy() const;
    // Runs from this many node executions on are replayed on a worker
    // (default 1,000; 0: always).
    void setBackgroundThreshold(std::size_t steps) { backgroundSteps_ = steps; }
    std::size_t backgroundThreshold() const { return backgroundSteps_; }
    QProgressBar* progressBar() const { return progress_; }
    QPushButton* cancelButton() const { return cancelButton_; }
    QAction* cancelAction() const { return cancel_; }

    // --- parts, for the app and tests ---
    QAction* continueAction() const { return continue_; }
    QAction* stepAction() const { return step_; }
    QAction* stepBackAction() const { return stepBack_; }
    QAction* runToCursorAction() const { return runToCursor_; }
    QAction* restartAction() const { return restart_; }
    QAction* toggleBreakpointAction() const { return toggleBreakpoint_; }
    QAction* forkAction() const { return fork_; }
    QToolBar* toolBar() const { return toolBar_; }
    QComboBox* routingBox() const { return routingBox_; }
    QToolButton* firstDivergenceButton() const { return firstDivergence_; }
    QTableView* stepsView() const { return stepsView_; }
    models::ReplayStepsModel* stepsModel() const { return stepsModel_; }
    GraphCanvas* canvas() const { return canvas_; }
    StatePanel* statePanel() const { return statePanel_; }
    ReplayBreakpointsPanel* breakpointsPanel() const { return breakpointsPanel_; }
    ReplayForkPanel* forkPanel() const { return forkPanel_; }
    QTabWidget* sideTabs() const { return side_; }

public slots:
    void continueForward();
    void step();
    void stepBack();
    // Forward to the selected step (it becomes the step about to run),
    // stopping early where Continue would; backwards it jumps.
    void runToCursor();
    void restart();
    // Before the selected step's node (else the canvas's selected node,
    // else the node about to run): adds the breakpoint, or removes it.
    void toggleBreakpoint();
    void forkFromHere();
    void goToFirstDivergence();
    void seek(std::size_t position);
    // Stops the replay being built; what was shown before stays.
    void cancelReplay();

signals:
    // A replay was built (at once or on the worker) and is shown.
    void replayReady();
    // Building one was cancelled.
    void replayCancelled();
    void positionChanged(std::size_t position);
    // A fork finished: its messages as Kafka record values, to be saved and
    // opened as a new trace linked to its origin.
    void forkCreated(const QString& originThread, const QString& forkThread,
                     const std::vector<std::string>& recordValues);

private:
    void buildActions();
    void buildLayout();
    // Replays the recording against `graph` (routing `routing`, from `path`).
    void replayAgainst(RoutingSource routing, std::optional<runtime::Graph> graph, QString path);
    void runJob(ReplayJobInput input, bool background);
    void jobFinished(const std::shared_ptr<ReplayJobOutput>& output);
    void jobCancelled(const std::shared_ptr<ReplayJobOutput>& output);
    void jobProgressed(ReplayPhase phase, qulonglong done, qulonglong total);
    void installSession(std::shared_ptr<runtime::ReplaySession> session);
    void setBusy(bool busy);
    void routingChosen(int index);
    void fillRoutingBox();
    std::optional<runtime::Graph> routingGraph() const;
    void stopped(const runtime::StopInfo& info);
    void refresh();
    void refreshSummary();
    void refreshCanvas();
    void refreshState();
    void refreshActions();
    void breakpointsEdited();
    int selectedRow() const;
    void selectRow(int row);
    void canvasNodeSelected(const QString& node);
    void showStatus(const QString& text, bool warning);

    std::shared_ptr<const runtime::Recording> recording_;
    std::shared_ptr<runtime::ReplaySession> session_;
    std::shared_ptr<const runtime::Graph> shownGraph_; // on the canvas
    std::optional<runtime::Graph> fileGraph_;          // library or chosen file
    QString fileGraphPath_;
    QString fileGraphWarning_; // why the library file could not be used
    RoutingSource routing_ = RoutingSource::Recorded;
    QString library_;
    QString title_;
    QString selectedNode_; // on the canvas
    bool fillingRoutingBox_ = false;

    // The job running, if any: a trace being opened, or a new routing.
    struct Pending
    {
        bool opening = false;    // setTrace
        bool background = false; // on the worker
        RoutingSource routing = RoutingSource::Recorded;
        std::optional<runtime::Graph> graph;
        QString path;
    };
    std::optional<Pending> pending_;
    std::size_t backgroundSteps_ = 1000;
    // A cancelled trace, kept so that Restart replays it again.
    std::vector<protocol::ds::DashStreamMessage> cancelledMessages_;

    QToolBar* toolBar_;
    QAction* continue_;
    QAction* step_;
    QAction* stepBack_;
    QAction* runToCursor_;
    QAction* restart_;
    QAction* toggleBreakpoint_;
    QAction* fork_;
    QAction* cancel_;
    QComboBox* routingBox_;
    QLabel* titleLabel_;
    QLabel* summary_;
    QToolButton* firstDivergence_;
    QLabel* routingNote_;
    QTableView* stepsView_;
    models::ReplayStepsModel* stepsModel_;
    GraphCanvas* canvas_;
    StatePanel* statePanel_;
    ReplayBreakpointsPanel* breakpointsPanel_;
    ReplayForkPanel* forkPanel_;
    QTabWidget* side_;
    QLabel* status_;
    ReplayJobRunner* runner_;
    QProgressBar* progress_;
    QPushButton* cancelButton_;
};

} // namespace nexus::widgets
