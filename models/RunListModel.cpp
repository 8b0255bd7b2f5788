#include "models/RunListModel.h"

#include "models/PlainToolTip.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace nexus::models {
namespace {

QString qs(const std::string& text)
{
    return QString::fromStdString(text);
}

QString durationText(std::int64_t us)
{
    if (us < 1'000'000)
        return QStringLiteral("%1 ms").arg(us / 1000);
    if (us < 60'000'000)
        return QStringLiteral("%1 s").arg(double(us) / 1e6, 0, 'f', 1);
    const std::int64_t seconds = us / 1'000'000;
    return QStringLiteral("%1m %2s").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

std::int64_t durationOf(const Run& run)
{
    if (run.durationUs > 0)
        return run.durationUs;
    return std::max<std::int64_t>(0, (run.endUs ? run.endUs : run.lastUs) - run.startUs);
}

int problemCount(const Run& run)
{
    return int(std::count_if(run.issues.begin(), run.issues.end(),
                             [](const IntegrityIssue& i) { return i.kind != IssueKind::Healed; }));
}

QString integrityText(const Run& run)
{
    if (run.corrupted)
        return QStringLiteral("corrupted since step %1").arg(run.corruptedSince);
    const int problems = problemCount(run);
    if (problems == 0)
        return QStringLiteral("ok");
    return problems == 1 ? QStringLiteral("1 issue") : QStringLiteral("%1 issues").arg(problems);
}

QString threadText(const Run& run)
{
    return run.ordinal > 1 ? QStringLiteral("%1 #%2").arg(qs(run.threadId)).arg(run.ordinal)
                           : qs(run.threadId);
}

QVariant display(const Run& run, int column)
{
    switch (column) {
    case RunListModel::Thread:
        return threadText(run);
    case RunListModel::Graph:
        return qs(run.graphName);
    case RunListModel::Instance:
        return qs(run.instanceId);
    case RunListModel::Status:
        return QString::fromLatin1(runStatusName(run.status));
    case RunListModel::Started:
        return QDateTime::fromMSecsSinceEpoch(run.startUs / 1000)
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case RunListModel::Duration:
        return durationText(durationOf(run));
    case RunListModel::NodesDone:
        return run.nodesDone;
    case RunListModel::Tokens:
        return qlonglong(run.tokens);
    case RunListModel::Cost:
        return QString::number(run.costUsd, 'f', 4);
    case RunListModel::Integrity:
        return integrityText(run);
    default:
        return {};
    }
}

QVariant sortValue(const Run& run, int column)
{
    switch (column) {
    case RunListModel::Thread:
        return threadText(run);
    case RunListModel::Status:
        return int(run.status);
    case RunListModel::Started:
        return qlonglong(run.startUs);
    case RunListModel::Duration:
        return qlonglong(durationOf(run));
    case RunListModel::NodesDone:
        return run.nodesDone;
    case RunListModel::Tokens:
        return qlonglong(run.tokens);
    case RunListModel::Cost:
        return run.costUsd;
    case RunListModel::Integrity: // corrupted first, then by number of problems
        return run.corrupted ? 1'000'000'000 : problemCount(run);
    default:
        return display(run, column);
    }
}

QVariant toolTip(const Run& run, int column)
{
    switch (column) {
    case RunListModel::Thread:
        return QStringLiteral("thread %1, tenant %2, run %3 of this thread")
            .arg(qs(run.threadId), qs(run.tenantId))
            .arg(run.ordinal);
    case RunListModel::Graph:
        return run.graphProblem.empty() ? QStringLiteral("schema %1").arg(qs(run.schemaId))
                                        : qs(run.graphProblem);
    case RunListModel::Status:
        return run.errorText.empty() ? QVariant() : QVariant(qs(run.errorText));
    case RunListModel::Integrity:
        return run.issues.empty() ? QVariant() : QVariant(qs(run.issues.back().message));
    default:
        return {};
    }
}

QVariant statusColor(const Run& run)
{
    switch (run.status) {
    case RunStatus::Error:
        return QVariant::fromValue(QBrush(QColor(0xc6, 0x28, 0x28)));
    case RunStatus::Stale:
        return QVariant::fromValue(QBrush(QColor(0x80, 0x80, 0x80)));
    default:
        return {};
    }
}

} // namespace

RunListModel::RunListModel(RunStore* store, QObject* parent)
    : QAbstractTableModel(parent), store_(store)
{
    if (store_)
        for (const Run* run : store_->runs()) {
            rows_[run->id] = int(ids_.size());
            ids_.push_back(run->id);
        }
}

void RunListModel::reindex(int fromRow)
{
    for (int row = fromRow; row < int(ids_.size()); ++row)
        rows_[ids_[std::size_t(row)]] = row;
}

void RunListModel::applied(const ApplyResult& result)
{
    for (const std::uint64_t id : result.removed) {
        const auto it = rows_.find(id);
        if (it == rows_.end())
            continue;
        const int row = it->second;
        beginRemoveRows({}, row, row);
        ids_.erase(ids_.begin() + row);
        rows_.erase(it);
        reindex(row);
        endRemoveRows();
    }
    std::vector<std::uint64_t> added;
    for (const std::uint64_t id : result.added)
        if (!rows_.count(id) && store_ && store_->run(id))
            added.push_back(id);
    if (!added.empty()) {
        const int first = int(ids_.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (const std::uint64_t id : added) {
            rows_[id] = int(ids_.size());
            ids_.push_back(id);
        }
        endInsertRows();
    }
    for (const std::uint64_t id : result.updated)
        if (const auto it = rows_.find(id); it != rows_.end())
            emit dataChanged(index(it->second, 0), index(it->second, ColumnCount - 1));
}

void RunListModel::clear()
{
    beginResetModel();
    if (store_)
        store_->clear();
    ids_.clear();
    rows_.clear();
    endResetModel();
}

QModelIndex RunListModel::indexOfRun(std::uint64_t runId, int column) const
{
    const auto it = rows_.find(runId);
    return it == rows_.end() ? QModelIndex() : index(it->second, column);
}

std::uint64_t RunListModel::runIdAt(int row) const
{
    return row >= 0 && row < int(ids_.size()) ? ids_[std::size_t(row)] : 0;
}

int RunListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(ids_.size());
}

int RunListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const std::uint64_t id = ids_[std::size_t(index.row())];
    const Run* run = store_ ? store_->run(id) : nullptr;
    if (!run)
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(*run, column);
    case RunIdRole:
        return QVariant::fromValue<quint64>(id);
    case SortRole:
        return sortValue(*run, column);
    case StatusRole:
        return int(run->status);
    case ThreadIdRole:
        return qs(run->threadId);
    case InstanceRole:
        return qs(run->instanceId);
    case GraphRole:
        return qs(run->graphName);
    case Qt::ToolTipRole:
        return plainToolTip(toolTip(*run, column));
    case Qt::ForegroundRole:
        if (column == Integrity && run->corrupted)
            return QVariant::fromValue(QBrush(QColor(0xc6, 0x28, 0x28)));
        return column == Status ? statusColor(*run) : QVariant();
    case Qt::TextAlignmentRole:
        return column >= Duration && column <= Cost
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    default:
        return {};
    }
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char* const titles[] = {"Run",        "Graph",    "Instance",   "Status",
                                         "Started",    "Duration", "Nodes done", "Tokens",
                                         "Cost (USD)", "Integrity"};
    return section >= 0 && section < ColumnCount ? tr(titles[section]) : QVariant();
}

// ---------------------------------------------------------------------------

RunFilterProxy::RunFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RunListModel::SortRole);
    setDynamicSortFilter(true);
}

void RunFilterProxy::setTextFilter(const QString& text)
{
    if (text_ == text.trimmed())
        return;
    text_ = text.trimmed();
    invalidateFilter();
}

void RunFilterProxy::setInstanceFilter(const QString& text)
{
    if (instance_ == text.trimmed())
        return;
    instance_ = text.trimmed();
    invalidateFilter();
}

void RunFilterProxy::setGraphFilter(const QString& graph)
{
    if (graph_ == graph)
        return;
    graph_ = graph;
    invalidateFilter();
}

void RunFilterProxy::setStatusFilter(std::optional<RunStatus> status)
{
    setStatusesFilter(status ? std::vector<RunStatus>{*status} : std::vector<RunStatus>{});
}

void RunFilterProxy::setStatusesFilter(const std::vector<RunStatus>& statuses)
{
    unsigned bits = 0;
    for (const RunStatus status : statuses)
        bits |= 1u << unsigned(status);
    if (bits == statuses_)
        return;
    statuses_ = bits;
    invalidateFilter();
}

bool RunFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (statuses_ != 0 &&
        !(statuses_ & (1u << unsigned(index.data(RunListModel::StatusRole).toInt()))))
        return false;
    if (!graph_.isEmpty() && index.data(RunListModel::GraphRole).toString() != graph_)
        return false;
    const QString instance = index.data(RunListModel::InstanceRole).toString();
    if (!instance_.isEmpty() && !instance.contains(instance_, Qt::CaseInsensitive))
        return false;
    return text_.isEmpty() ||
           index.data(RunListModel::ThreadIdRole).toString().contains(text_, Qt::CaseInsensitive) ||
           instance.contains(text_, Qt::CaseInsensitive);
}

bool RunFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QPartialOrdering order = QVariant::compare(left.data(sortRole()), right.data(sortRole()));
    if (order == QPartialOrdering::Less)
        return true;
    if (order == QPartialOrdering::Greater)
        return false;
    // Equal values keep creation order, so rows do not shuffle on updates.
    return left.data(RunListModel::RunIdRole).toULongLong() <
           right.data(RunListModel::RunIdRole).toULongLong();
}

} // namespace nexus::models
