#pragma once
// One run, live or recorded: the graph canvas (node states and taken edges at
// the cursor), the timeline (Gantt of node spans with a cursor), the state
// at the cursor with what changed at that step, and the selected node's
// details. The cursor is a step index (models/RunStore.h); it follows the
// newest step while "Live" is on and stays where the user put it otherwise.
// Integrity problems and schema changes show as banners above the views.

#include "models/RunStore.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QSplitter;
class QTabWidget;
class QToolButton;

namespace nexus::widgets {

class GraphCanvas;
class NodeDetailsView;
class StatePanel;
class TimelineView;

class RunView : public QWidget
{
    Q_OBJECT
public:
    explicit RunView(QWidget* parent = nullptr);
    ~RunView() override;

    // The store outlives the view.
    void setStore(const models::RunStore* store);
    // Shows a run (0 = none). A new run starts live when following.
    void showRun(std::uint64_t runId);
    std::uint64_t runId() const { return runId_; }
    const models::Run* run() const;

    // Call after every RunStore::apply/expire: refreshes the shown run when
    // it changed, clears the view when it was evicted, and shows a schema
    // banner for schema changes of the shown run's graph.
    void storeChanged(const models::ApplyResult& result);

    void setCursor(std::uint32_t step);
    std::uint32_t cursor() const { return cursor_; }
    void setFollowLive(bool follow);
    // For recorded traces (the Traces tab): no Live toggle, since nothing
    // arrives later, and an empty-state hint without the run list's
    // "Follow newest".
    void setRecorded(bool recorded);
    bool isRecorded() const { return recorded_; }
    bool followLive() const { return followLive_; }
    void selectNode(const QString& node);
    QString selectedNode() const { return selectedNode_; }

    // "png", "svg", "dot", "mermaid": writes the graph with the states at the cursor.
    bool exportGraph(const QString& format, const QString& path);
    void showSchemaHistory();

    GraphCanvas* canvas() const { return canvas_; }
    TimelineView* timeline() const { return timeline_; }
    StatePanel* statePanel() const { return state_; }
    NodeDetailsView* nodeDetails() const { return details_; }

signals:
    void followLiveChanged(bool follow);
    void cursorChanged(std::uint32_t step);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void refresh(bool runChanged);
    void updateCursorViews();
    void updateHeader();
    std::uint32_t lastStep() const;

    const models::RunStore* store_ = nullptr;
    std::uint64_t runId_ = 0;
    std::uint32_t cursor_ = 0;
    bool recorded_ = false;
    bool followLive_ = true;
    bool stale_ = false; // the run changed while the view was hidden
    QString selectedNode_;
    std::string shownSchemaId_;

    QLabel* title_;
    QLabel* subtitle_;
    QLabel* integrity_;
    QWidget* schemaBanner_;
    QLabel* schemaText_;
    QLabel* stepLabel_;
    QToolButton* live_;
    QToolButton* previous_;
    QToolButton* next_;
    QToolButton* fit_;
    QToolButton* export_;
    QToolButton* history_;
    GraphCanvas* canvas_;
    TimelineView* timeline_;
    StatePanel* state_;
    NodeDetailsView* details_;
    QTabWidget* side_;
};

} // namespace nexus::widgets
