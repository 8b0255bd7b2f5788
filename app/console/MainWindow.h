#pragma once
// The main window: wiring of views to the session's models (DESIGN.md §2,
// app layer). The fleet overview is the central view; the deployment
// charts, trace records and notifications are docks the user can move,
// tabify or close; the layout is saved and restored.

#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;
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

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Connects to a profile (the Local sandbox by default).
    void openProfile(const client::ConnectionProfile& profile);
    // Decodes the trace off the GUI thread; shows it when done.
    void openTrace(const QString& path);
    // "fleet", "deployments", "records", "notifications": raises that view.
    bool showView(const QString& name);
    ConsoleSession* session() const { return session_; }
    int notificationCount() const;

signals:
    void traceLoaded(const QString& path, int records, int badRecords);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* createFleetPage();
    void createDocks();
    void createMenus();
    void createStatusBar();
    void addNotification(const QString& message);
    void showAbout();
    void saveLayout();
    void restoreLayout();

    ConsoleSession* session_;
    models::RecordTableModel* records_;
    QTableView* recordsView_;
    QListWidget* notifications_;
    QLabel* nexusStatus_;
    QLabel* fleetStatus_;
    QLabel* traceStatus_;
    QToolButton* notificationButton_;
    QByteArray defaultState_;
};

} // namespace nexus::app
