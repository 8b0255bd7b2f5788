#pragma once
// The Traces tab's analysis views of the selected trace, as tabs of the
// inspector next to its run view (docs/traces.md):
//   - Cost: where time, tokens and cost went (widgets::CostBreakdownView);
//   - Compare: the selected trace against another open one
//     (widgets::TraceCompareView);
//   - Debugger: replay and fork on the embedded runtime
//     (widgets::ReplayDebuggerView), routed by the sample graph files.
// A fork made in the debugger is saved as a .dstrace under the forks
// directory (kept across sessions) and opened as a new trace.
//
// Views that cost work (the comparison, the replay) are only rebuilt when
// their tab is shown.

#include <QObject>
#include <QString>

#include <cstdint>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QWidget;

namespace nexus::widgets {
class CostBreakdownView;
class ReplayDebuggerView;
class TraceCompareView;
} // namespace nexus::widgets

namespace nexus::app {

class TracesPage;

class TraceAnalysisTabs : public QObject
{
    Q_OBJECT
public:
    // Adds the tabs to page->inspectorTabs(). `forksDir`: where forks are
    // saved ("" = the application data directory's "forks").
    TraceAnalysisTabs(TracesPage* page, QString graphLibrary, QString forksDir = {});

    widgets::CostBreakdownView* costView() const { return cost_; }
    widgets::TraceCompareView* compareView() const { return compare_; }
    QComboBox* compareWith() const { return compareWith_; }
    widgets::ReplayDebuggerView* debugger() const { return debugger_; }
    QString forksDir() const { return forksDir_; }
    // The last fork saved ("" before any); its save error otherwise.
    QString lastForkPath() const { return lastForkPath_; }
    QString lastForkError() const { return lastForkError_; }

    // Shows the comparison of the selected trace with `otherRunId`.
    void compareWithRun(std::uint64_t otherRunId);
    // Selects `runId` and shows its Run tab with the cursor at `step`.
    void showStep(std::uint64_t runId, std::uint32_t step);

signals:
    void forkSaved(const QString& path, const QString& error);

private:
    void currentChanged(std::uint64_t runId);
    void storeChanged();
    void tabShown(int index);
    void refreshCompareChoices();
    void refreshComparison();
    void refreshDebugger();
    void saveFork(const QString& originThread, const QString& forkThread,
                  const std::vector<std::string>& records);

    TracesPage* page_;
    QString forksDir_;
    widgets::CostBreakdownView* cost_;
    QWidget* comparePage_;
    QComboBox* compareWith_;
    QLabel* compareHint_;
    widgets::TraceCompareView* compare_;
    widgets::ReplayDebuggerView* debugger_;
    std::uint64_t debuggerRun_ = 0; // the trace the debugger holds
    bool compareDirty_ = true;
    QString lastForkPath_;
    QString lastForkError_;
};

} // namespace nexus::app
