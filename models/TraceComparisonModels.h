#pragma once
// Table models over a TraceComparison (one-shot results: setComparison()
// resets). AlignedPathModel: one row per aligned node execution, A's node
// beside B's, coloured by kind. NodeDeltaModel: one row per node with A, B
// and B - A. Numbers sort by SortRole (raw values).

#include "models/TraceComparison.h"

#include <QAbstractTableModel>

#include <memory>

namespace nexus::models {

class AlignedPathModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        KindColumn,
        NodeAColumn,
        NodeBColumn,
        DurationAColumn,
        DurationBColumn,
        DurationDeltaColumn,
        TokenDeltaColumn,
        CostDeltaColumn,
        StateColumn,
        ColumnCount
    };
    enum Role
    {
        KindRole = Qt::UserRole + 1, // int: AlignKind
        StepARole,                   // qint64: step in A to show, -1 when none
        StepBRole,
        SortRole, // raw number or text
    };

    explicit AlignedPathModel(QObject* parent = nullptr);

    void setComparison(std::shared_ptr<const TraceComparison> comparison);
    const std::shared_ptr<const TraceComparison>& comparison() const { return comparison_; }
    const AlignedRow* rowAt(int row) const;

    // "=", "≠", "A", "B" markers of the kind column.
    static QString kindMarker(AlignKind kind);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const TraceComparison> comparison_;
};

class NodeDeltaModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NodeColumn,
        VisitsAColumn,
        VisitsBColumn,
        DurationAColumn,
        DurationBColumn,
        DurationDeltaColumn,
        DurationChangeColumn, // %
        TokensAColumn,
        TokensBColumn,
        TokenDeltaColumn,
        CostAColumn,
        CostBColumn,
        CostDeltaColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1,
        NodeRole, // QString
    };

    explicit NodeDeltaModel(QObject* parent = nullptr);

    void setComparison(std::shared_ptr<const TraceComparison> comparison);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const TraceComparison> comparison_;
};

} // namespace nexus::models
