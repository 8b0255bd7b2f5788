#pragma once
// The Runs tab: live and recent runs from the profile's Kafka (RunStore),
// filtered by instance, graph and status, beside the run view (graph,
// timeline, state, node details). "Follow newest" shows the newest run that
// passes the filters and, when it ends, moves on to the newest one then (a
// busy fleet starts many runs a second: each is watched whole); picking a
// run by hand pins it.

#include "models/RunStore.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace nexus::models {
class RunFilterProxy;
class RunListModel;
} // namespace nexus::models
namespace nexus::widgets {
class RunView;
}

namespace nexus::app {

class ConsoleSession;

class RunsPage : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPage(ConsoleSession* session, QWidget* parent = nullptr);

    // Selects the newest run of the thread (prefix match); false when unknown.
    bool selectRun(const QString& threadId);
    void setFollowNewest(bool follow);
    bool followNewest() const;

    widgets::RunView* runView() const { return view_; }
    QTableView* table() const { return table_; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    void applied(const models::ApplyResult& result);
    void selectRow(int proxyRow);
    void selectionChanged();
    void updateGraphChoices();
    void updateCount();

    ConsoleSession* session_;
    models::RunFilterProxy* proxy_;
    QLineEdit* search_;
    QComboBox* graph_;
    QComboBox* status_;
    QCheckBox* follow_;
    QLabel* count_;
    QTableView* table_;
    widgets::RunView* view_;
    bool selecting_ = false;
};

} // namespace nexus::app
