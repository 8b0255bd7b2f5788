#pragma once
// The state of a run at the cursor, like LangGraph Studio's state panel: a
// header saying which step the state is from and whether it can be trusted,
// a search box that filters the tree by key or value (ancestors of matches
// stay visible), the state tree (expansion kept by JSON Pointer across
// steps) with Copy Path / Copy Value, and below it what this step changed.
// All wire text is shown as plain text.

#include "models/RunStore.h"

#include <QSet>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <vector>

class QAction;
class QLabel;
class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QTreeView;

namespace nexus::models {
class JsonTreeModel;
class StateDiffModel;
} // namespace nexus::models

namespace nexus::widgets {

class StatePanel : public QWidget
{
    Q_OBJECT
public:
    explicit StatePanel(QWidget* parent = nullptr);
    ~StatePanel() override;

    // `stepLabel` is the header for the state, composed by the host ("State
    // after step 42 · StateDiff · verified"; empty: "State · <verdict>").
    // A corrupted state adds "· corrupted since step N — state may be wrong"
    // (N = `corruptedSince` when known) in a warning colour; a null state
    // reads "No state at this step".
    void setState(const models::StateAt& state, const std::vector<models::PathChange>& changes,
                  QString stepLabel, std::uint32_t corruptedSince = models::kNoIndex);
    // No state to show; `reason` becomes the header ("No run selected").
    void clear(QString reason);

    QString headerText() const;
    bool headerIsWarning() const { return warning_; }
    QString diffSummary() const; // "2 added, 1 changed, 0 removed"

    // Filters now (typing filters after a short pause).
    void setFilterText(const QString& text);
    // Selects, reveals and scrolls to the item at a JSON Pointer.
    bool revealPath(const QString& pointer);
    QString currentPath() const;

    QAction* copyPathAction() const { return copyPathAction_; }   // Ctrl+Shift+C
    QAction* copyValueAction() const { return copyValueAction_; } // Ctrl+C
    QTreeView* treeView() const { return tree_; }
    QTableView* diffView() const { return diffView_; }
    QLineEdit* searchField() const { return search_; }
    models::JsonTreeModel* treeModel() const { return model_; }
    models::StateDiffModel* diffModel() const { return diffModel_; }
    QSortFilterProxyModel* filterModel() const { return proxy_; }

public slots:
    void copyPath();  // JSON Pointer of the current item to the clipboard
    void copyValue(); // compact JSON of the current item to the clipboard

private:
    void applyFilter();
    void restoreExpansion();
    void expandMatches(const QModelIndex& parent);
    void setHeader(const QString& text, bool warning);
    void showTreeMenu(const QPoint& pos);
    void showDiffMenu(const QPoint& pos);

    QLabel* header_;
    QLineEdit* search_;
    QTimer* searchTimer_;
    QTreeView* tree_;
    QTableView* diffView_;
    QLabel* diffCounts_;
    models::JsonTreeModel* model_;
    models::StateDiffModel* diffModel_;
    QSortFilterProxyModel* proxy_;
    QAction* copyPathAction_;
    QAction* copyValueAction_;
    QSet<QString> expandedPaths_; // what the user expanded, by JSON Pointer
    QString filterText_;
    bool restoring_ = false;
    bool warning_ = false;
};

} // namespace nexus::widgets
