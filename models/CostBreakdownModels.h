#pragma once
// Table models over a CostBreakdown (one-shot results: setBreakdown()
// resets). NodeCostModel: one row per node, all visits together;
// ModelCostModel: one row per model. Numbers sort by SortRole (raw values).

#include "models/CostBreakdown.h"

#include <QAbstractTableModel>

#include <memory>

namespace nexus::models {

class NodeCostModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NodeColumn,
        TypeColumn,
        VisitsColumn,
        TotalColumn,
        SelfColumn,
        ToolColumn,
        ShareColumn,
        PromptColumn,
        CompletionColumn,
        CostColumn,
        ModelsColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1,
        NodeRole, // QString
    };

    explicit NodeCostModel(QObject* parent = nullptr);

    void setBreakdown(std::shared_ptr<const CostBreakdown> breakdown);
    const std::shared_ptr<const CostBreakdown>& breakdown() const { return breakdown_; }
    int rowOf(const QString& node) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const CostBreakdown> breakdown_;
};

class ModelCostModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        ModelColumn,
        CallsColumn,
        PromptColumn,
        CompletionColumn,
        TokensColumn,
        CostColumn,
        CostShareColumn,
        LlmTimeColumn,
        NodesColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1,
        ModelRole, // QString
    };

    explicit ModelCostModel(QObject* parent = nullptr);

    void setBreakdown(std::shared_ptr<const CostBreakdown> breakdown);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const CostBreakdown> breakdown_;
};

} // namespace nexus::models
