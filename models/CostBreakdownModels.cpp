#include "models/CostBreakdownModels.h"

#include "models/TraceFormat.h"

#include <QStringList>

namespace nexus::models {
namespace {

namespace fmt = tracefmt;

QString joined(const std::vector<std::string>& items)
{
    QStringList list;
    for (const std::string& item : items)
        list << QString::fromStdString(item);
    return list.join(QStringLiteral(", "));
}

QVariant rightAligned(int column, int textColumns)
{
    if (column < textColumns)
        return {};
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
}

} // namespace

NodeCostModel::NodeCostModel(QObject* parent) : QAbstractTableModel(parent) {}

void NodeCostModel::setBreakdown(std::shared_ptr<const CostBreakdown> breakdown)
{
    beginResetModel();
    breakdown_ = std::move(breakdown);
    endResetModel();
}

int NodeCostModel::rowOf(const QString& node) const
{
    if (!breakdown_)
        return -1;
    const std::string name = node.toStdString();
    for (std::size_t i = 0; i < breakdown_->nodes.size(); ++i)
        if (breakdown_->nodes[i].node == name)
            return int(i);
    return -1;
}

int NodeCostModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !breakdown_ ? 0 : int(breakdown_->nodes.size());
}

int NodeCostModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeCostModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const kNames[] = {
        "Node",  "Type",      "Visits",     "Total time", "Self time", "Tool time (calls)",
        "Share", "Tokens in", "Tokens out", "Cost",       "Models"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kNames[section])
                                                 : QVariant();
}

QVariant NodeCostModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const NodeCost& n = breakdown_->nodes[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NodeColumn:
            return QString::fromStdString(n.node);
        case TypeColumn:
            return QString::fromStdString(n.type);
        case VisitsColumn:
            return n.visits;
        case TotalColumn:
            return fmt::duration(n.totalUs);
        case SelfColumn:
            return fmt::duration(n.selfUs);
        case ToolColumn:
            return n.toolCalls
                       ? QStringLiteral("%1 (%2)").arg(fmt::duration(n.toolUs)).arg(n.toolCalls)
                       : QString();
        case ShareColumn:
            return fmt::percent(n.timeShare);
        case PromptColumn:
            return fmt::count(n.promptTokens);
        case CompletionColumn:
            return fmt::count(n.completionTokens);
        case CostColumn:
            return fmt::usd(n.costUsd);
        case ModelsColumn:
            return joined(n.models);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case VisitsColumn:
            return n.visits;
        case TotalColumn:
            return qint64(n.totalUs);
        case SelfColumn:
            return qint64(n.selfUs);
        case ToolColumn:
            return qint64(n.toolUs);
        case ShareColumn:
            return n.timeShare;
        case PromptColumn:
            return qint64(n.promptTokens);
        case CompletionColumn:
            return qint64(n.completionTokens);
        case CostColumn:
            return n.costUsd;
        }
        return data(index, Qt::DisplayRole);
    case Qt::ToolTipRole:
        if (index.column() == ToolColumn && n.toolCalls)
            return QStringLiteral("%1 tool calls, %2")
                .arg(n.toolCalls)
                .arg(fmt::duration(n.toolUs));
        if (index.column() == SelfColumn)
            return QStringLiteral("Time outside tool calls (the node's own work and its LLM call)");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == ModelsColumn ? QVariant() : rightAligned(index.column(), 2);
    case NodeRole:
        return QString::fromStdString(n.node);
    }
    return {};
}

ModelCostModel::ModelCostModel(QObject* parent) : QAbstractTableModel(parent) {}

void ModelCostModel::setBreakdown(std::shared_ptr<const CostBreakdown> breakdown)
{
    beginResetModel();
    breakdown_ = std::move(breakdown);
    endResetModel();
}

int ModelCostModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !breakdown_ ? 0 : int(breakdown_->models.size());
}

int ModelCostModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModelCostModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const kNames[] = {"Model",         "Calls",    "Tokens in",
                                         "Tokens out",    "Tokens",   "Cost",
                                         "Share of cost", "LLM time", "Nodes"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kNames[section])
                                                 : QVariant();
}

QVariant ModelCostModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ModelCost& m = breakdown_->models[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ModelColumn:
            return QString::fromStdString(m.model);
        case CallsColumn:
            return m.calls;
        case NodesColumn:
            return joined(m.nodes);
        case PromptColumn:
            return fmt::count(m.promptTokens);
        case CompletionColumn:
            return fmt::count(m.completionTokens);
        case TokensColumn:
            return fmt::count(m.tokens());
        case CostColumn:
            return fmt::usd(m.costUsd);
        case CostShareColumn:
            return fmt::percent(m.costShare);
        case LlmTimeColumn:
            return fmt::duration(m.llmUs);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case CallsColumn:
            return m.calls;
        case PromptColumn:
            return qint64(m.promptTokens);
        case CompletionColumn:
            return qint64(m.completionTokens);
        case TokensColumn:
            return qint64(m.tokens());
        case CostColumn:
            return m.costUsd;
        case CostShareColumn:
            return m.costShare;
        case LlmTimeColumn:
            return qint64(m.llmUs);
        }
        return data(index, Qt::DisplayRole);
    case Qt::ToolTipRole:
        if (index.column() == LlmTimeColumn)
            return QStringLiteral("Time of the calling nodes outside their tool calls");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == NodesColumn ? QVariant() : rightAligned(index.column(), 1);
    case ModelRole:
        return QString::fromStdString(m.model);
    }
    return {};
}

} // namespace nexus::models
