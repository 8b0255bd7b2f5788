#pragma once
// The fleet table: binds to FleetModel (usually through FleetFilterProxy),
// draws status as coloured pills and marks outliers (an orange "!" badge on
// the instance id, the flagged metric cells highlighted by the model).
// Intents only: it never fetches.

#include <QStringList>
#include <QTableView>

class QAction;

namespace nexus::widgets {

class FleetTableView : public QTableView
{
    Q_OBJECT
public:
    explicit FleetTableView(QWidget* parent = nullptr);

    void setModel(QAbstractItemModel* model) override;
    QStringList selectedInstanceIds() const; // in view order
    // "Compare Selected" (Ctrl+Shift+C, and in the context menu): enabled
    // with 2-8 rows selected; emits compareRequested.
    QAction* compareAction() const { return compareAction_; }

signals:
    void instanceActivated(const QString& instanceId);     // double click / Enter
    void compareRequested(const QStringList& instanceIds); // 2..8 ids, from the context menu

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void updateCompareAction();

    QAction* compareAction_;
};

} // namespace nexus::widgets
