#pragma once
// Two runs side by side (a TraceComparison): a header with both runs
// (thread, graph, status, duration, tokens, cost, node executions) and the
// deltas B - A; the first divergence in one line (its button selects that
// row and shows the step in both runs); the aligned path (A's node beside
// B's, coloured by kind, with duration / token / cost deltas); for the
// selected row the state differences after that node (path, A's value, B's
// value); and the per-node delta table.
//
// Activating a path row (double-click / Enter) picks its steps: stepPickedA
// and / or stepPickedB, for the host to move the run views' cursors.

#include "models/TraceComparison.h"

#include <QWidget>

#include <memory>

class QGridLayout;
class QLabel;
class QPushButton;
class QFrame;
class QSortFilterProxyModel;
class QTableView;

namespace nexus::models {
class AlignedPathModel;
class NodeDeltaModel;
class RunStore;
class StateDiffModel;
} // namespace nexus::models

namespace nexus::widgets {

class TraceCompareView : public QWidget
{
    Q_OBJECT
public:
    explicit TraceCompareView(QWidget* parent = nullptr);
    ~TraceCompareView() override;

    // Compares two runs of `store` now; unknown ids clear the view.
    void setRuns(const models::RunStore& store, quint64 runA, quint64 runB);
    void setComparison(std::shared_ptr<const models::TraceComparison> comparison);
    const std::shared_ptr<const models::TraceComparison>& comparison() const { return comparison_; }
    void clear();

    // For tests and the host's layout.
    QTableView* pathTable() const { return path_; }
    QTableView* nodeTable() const { return nodes_; }
    QTableView* stateTable() const { return state_; }
    QPushButton* divergenceButton() const { return goToDivergence_; }
    QString divergenceText() const;
    QString stateTitle() const;
    QString headerCell(int row, int column) const; // row 0 A, 1 B, 2 delta; column as shown
    int selectedRow() const;                       // aligned row, -1 when none

public slots:
    void selectRow(int row); // selects an aligned row and shows its state differences
    void goToDivergence();   // selects the divergence row and picks its steps

signals:
    void stepPickedA(quint32 step);
    void stepPickedB(quint32 step);

private:
    QWidget* makeHeader();
    QWidget* makeBody();
    void updateHeader();
    void showStateOf(int row);
    void pickSteps(int row);

    std::shared_ptr<const models::TraceComparison> comparison_;
    QGridLayout* grid_ = nullptr;
    QFrame* divergenceBox_ = nullptr;
    QLabel* divergence_ = nullptr;
    QPushButton* goToDivergence_ = nullptr;
    QLabel* stateTitle_ = nullptr;
    QTableView* path_ = nullptr;
    QTableView* nodes_ = nullptr;
    QTableView* state_ = nullptr;
    models::AlignedPathModel* pathModel_ = nullptr;
    models::NodeDeltaModel* nodeModel_ = nullptr;
    QSortFilterProxyModel* nodeSort_ = nullptr;
    models::StateDiffModel* stateModel_ = nullptr;
};

} // namespace nexus::widgets
