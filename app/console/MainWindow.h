#pragma once

#include <QMainWindow>

class QLabel;
class QStackedWidget;
class QTableView;

namespace nexus::models {
class RecordTableModel;
}

namespace nexus::app {

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Decodes the trace off the GUI thread; shows it when done.
    void openTrace(const QString& path);

signals:
    void traceLoaded(const QString& path, int records, int badRecords);

private:
    void createMenus();
    void showAbout();

    models::RecordTableModel* records_;
    QStackedWidget* stack_;
    QTableView* table_;
    QLabel* status_;
};

} // namespace nexus::app
