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

#include "protocol/Messages.h"
#include "runtime/Graph.h"
#include "runtime/Recording.h"
#include "runtime/Replay.h"

#include <QString>
#include <QWidget>

#include <memory>
#include <optional>
#include <string>
#include <vector>

class QAction;
class QComboBox;
class QLabel;
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

signals:
    void positionChanged(std::size_t position);
    // A fork finished: its messages as Kafka record values, to be saved and
    // opened as a new trace linked to its origin.
    void forkCreated(const QString& originThread, const QString& forkThread,
                     const std::vector<std::string>& recordValues);

private:
    void buildActions();
    void buildLayout();
    void rebuildSession(std::optional<runtime::Graph> graph, std::string source);
    void routingChosen(int index);
    void fillRoutingBox();
    QString findLibraryFile(const std::string& graphName) const;
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

    std::optional<runtime::Recording> recording_;
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

    QToolBar* toolBar_;
    QAction* continue_;
    QAction* step_;
    QAction* stepBack_;
    QAction* runToCursor_;
    QAction* restart_;
    QAction* toggleBreakpoint_;
    QAction* fork_;
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
};

} // namespace nexus::widgets
