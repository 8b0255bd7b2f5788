#pragma once
// The "where did time and tokens go" panel of a run: a one-line summary,
// the flame graph (FlameGraphView) and, below it, the per-node and the
// per-model tables. Binds to a Run owned elsewhere; the host calls
// runChanged() when steps arrive (the rebuild is coalesced). Clicking a
// frame or a node row selects that node in both and emits nodeActivated.

#include "models/CostBreakdown.h"

#include <QWidget>

#include <memory>

class QLabel;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace nexus::models {
class ModelCostModel;
class NodeCostModel;
} // namespace nexus::models

namespace nexus::widgets {

class FlameGraphView;

class CostBreakdownView : public QWidget
{
    Q_OBJECT
public:
    explicit CostBreakdownView(QWidget* parent = nullptr);
    ~CostBreakdownView() override;

    // The run must outlive its time here (until setRun/clear).
    void setRun(const models::Run* run);
    const models::Run* run() const { return run_; }
    void clear();

    FlameGraphView* flameGraph() const { return flame_; }
    QTableView* nodeTable() const { return nodes_; }
    QTableView* modelTable() const { return models_; }
    QString summaryText() const;
    const std::shared_ptr<const models::CostBreakdown>& breakdown() const { return breakdown_; }

public slots:
    void runChanged(); // rebuild soon (coalesced)
    void rebuild();    // rebuild now
    void selectNode(const QString& node);

signals:
    void nodeActivated(const QString& node);

private:
    const models::Run* run_ = nullptr;
    std::shared_ptr<const models::CostBreakdown> breakdown_;
    QLabel* summary_ = nullptr;
    FlameGraphView* flame_ = nullptr;
    QTableView* nodes_ = nullptr;
    QTableView* models_ = nullptr;
    models::NodeCostModel* nodeModel_ = nullptr;
    models::ModelCostModel* modelModel_ = nullptr;
    QSortFilterProxyModel* nodeSort_ = nullptr;
    QSortFilterProxyModel* modelSort_ = nullptr;
    QTimer* coalesce_ = nullptr;
};

} // namespace nexus::widgets
