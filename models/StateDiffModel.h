#pragma once
// What the state step at the cursor changed: one row per JSON Pointer that
// was added, removed or changed, with the value before and after as compact
// JSON (elided for display; ToolTipRole and the *JsonRole roles carry the
// whole text). A one-shot result per cursor move, so setChanges() resets.

#include "models/RunStore.h"

#include <QAbstractTableModel>

#include <optional>
#include <string>
#include <vector>

namespace nexus::models {

class StateDiffModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        ChangeColumn,
        PathColumn,
        BeforeColumn,
        AfterColumn,
        ColumnCount
    };

    enum Role
    {
        ChangeKindRole = Qt::UserRole + 1, // int: models::ChangeKind
        PathRole,                          // QString: JSON Pointer
        BeforeJsonRole,                    // QString: whole compact JSON, "" when added
        AfterJsonRole,                     // QString: whole compact JSON, "" when removed
    };

    static constexpr int kDisplayChars = 120;  // Before / After cells
    static constexpr int kToolTipChars = 8000; // beyond this the tooltip says how much is left

    explicit StateDiffModel(QObject* parent = nullptr);

    void setChanges(std::vector<PathChange> changes);
    void clear();
    const std::vector<PathChange>& changes() const { return changes_; }

    int added() const { return added_; }
    int removed() const { return removed_; }
    int changed() const { return changed_; }
    // "2 added, 1 changed, 0 removed"
    QString summary() const;
    static QString kindName(ChangeKind kind); // "added", "removed", "changed"

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Texts
    {
        QString before;
        QString after;
    };
    const Texts& texts(int row) const;

    std::vector<PathChange> changes_;
    mutable std::vector<std::optional<Texts>> texts_; // dumped on first use
    int added_ = 0;
    int removed_ = 0;
    int changed_ = 0;
};

} // namespace nexus::models
