#pragma once
// The main window: wiring of views to the session's models (DESIGN.md §2,
// app layer). The central area holds the main views as tabs (fleet
// overview, instance comparison, live runs, traces); the deployment charts, trace records and
// notifications are docks the user can move, tabify or close; the layout is
// saved and restored.

#include <QMainWindow>
#include <QStringList>

class QLabel;
class QMenu;
class QListWidget;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QToolButton;

namespace nexus::models {
class RecordTableModel;
}
namespace nexus::client {
struct ConnectionProfile;
}

namespace nexus::app {

class ConsoleSession;
class KnowledgePage;
class RolloutsPage;
class RunsPage;
class TraceAnalysisTabs;
class TracesPage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Connects to a profile (the Local sandbox by default); closes the
    // connection open before, and remembers the profile for the next start.
    void openProfile(const client::ConnectionProfile& profile);
    // File > Connection Profiles: the editor, modeless; for tests.
    class ProfileDialog* showProfiles();
    // Opens a .dstrace file in the Traces tab (no server needed) and lists
    // its raw records in the trace records dock; both decode off the GUI
    // thread.
    void openTrace(const QString& path);
    // "fleet", "compare", "runs", "traces", "deployments", "records",
    // "notifications": raises that view.
    bool showView(const QString& name);
    // Puts 2-8 instances side by side (the first is the baseline) and shows them.
    void compareInstances(const QStringList& instanceIds);
    ConsoleSession* session() const { return session_; }
    RunsPage* runsPage() const { return runsPage_; }
    TracesPage* tracesPage() const { return tracesPage_; }
    KnowledgePage* knowledgePage() const { return knowledgePage_; }
    RolloutsPage* rolloutsPage() const { return rolloutsPage_; }
    TraceAnalysisTabs* traceAnalysis() const { return traceAnalysis_; }
    int notificationCount() const;
    // View > Theme; applies "ui/theme" at construction.
    class ThemeController* theme() const { return theme_; }
    // View > Reset Layout: the default docks and tabs for the current
    // profile, whose saved layout is forgotten.
    void resetLayout();

signals:
    void traceLoaded(const QString& path, int records, int badRecords);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* createFleetPage();
    QWidget* createComparePage();
    void createDocks();
    void createMenus();
    void createStatusBar();
    void addNotification(const QString& message);
    void showAbout();
    void fillConnectMenu(QMenu* menu);
    void saveLayout();
    void restoreLayout();
    void saveProfileLayout(); // under layoutProfile_
    bool restoreProfileLayout(const QString& profile);

    ConsoleSession* session_;
    QTabWidget* views_;
    RunsPage* runsPage_ = nullptr;
    TracesPage* tracesPage_ = nullptr;
    KnowledgePage* knowledgePage_ = nullptr;
    RolloutsPage* rolloutsPage_ = nullptr;
    TraceAnalysisTabs* traceAnalysis_ = nullptr;
    models::RecordTableModel* records_;
    QTableView* recordsView_;
    QListWidget* notifications_;
    QLabel* nexusStatus_;
    QLabel* fleetStatus_;
    QLabel* kafkaStatus_;
    QLabel* traceStatus_;
    QToolButton* notificationButton_;
    QByteArray defaultState_;
    QStringList hiddenForRuns_; // bottom docks hidden while the Runs or Traces tab shows
    class ThemeController* theme_ = nullptr;
    QString layoutProfile_; // whose layout is shown ("layout/<profile>/…"); empty before the first
};

} // namespace nexus::app
