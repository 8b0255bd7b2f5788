#include "models/RolloutBoardModel.h"

#include "models/KnowledgeFormat.h"
#include "models/PlainToolTip.h"
#include "models/RolloutFormat.h"

#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace nexus::models {

namespace pb = ::nexus::v1;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QString shortId(const std::string& id)
{
    return qs(id.substr(0, 8));
}

// Active first, then newest created first, then by id (a stable order).
bool sortsBefore(const pb::Rollout& a, const pb::Rollout& b)
{
    const bool aActive = rolloutfmt::isActive(a.phase());
    const bool bActive = rolloutfmt::isActive(b.phase());
    if (aActive != bActive)
        return aActive;
    if (a.created_us() != b.created_us())
        return a.created_us() > b.created_us();
    return a.rollout_id() < b.rollout_id();
}

QString stepDisplay(const pb::Rollout& r)
{
    if (r.current_step() < 0 || r.current_step() >= r.steps_size())
        return rolloutfmt::stepPosition(r);
    return QStringLiteral("%1 · %2").arg(rolloutfmt::stepPosition(r),
                                         rolloutfmt::stepText(r.steps(r.current_step())));
}

QString verdictDisplay(const pb::AnalysisResult& a)
{
    const QString name = rolloutfmt::verdictName(a.verdict());
    if (a.verdict() == pb::VERDICT_INSUFFICIENT_DATA || a.verdict() == pb::VERDICT_UNSPECIFIED)
        return name;
    return QStringLiteral("%1 · %2").arg(name).arg(a.score(), 0, 'f', 0);
}

QString verdictToolTip(const pb::Rollout& r, const pb::AnalysisResult& a)
{
    QString text = QStringLiteral("Analysis of step %1/%2: %3, score %4")
                       .arg(a.step_index() + 1)
                       .arg(r.steps_size())
                       .arg(rolloutfmt::verdictName(a.verdict()))
                       .arg(a.score(), 0, 'f', 1);
    if (a.window_end_us() > a.window_start_us())
        text +=
            QStringLiteral("\nwindow %1 – %2 (%3)")
                .arg(knowledgefmt::timestamp(a.window_start_us()),
                     knowledgefmt::timestamp(a.window_end_us()),
                     rolloutfmt::duration((a.window_end_us() - a.window_start_us()) / 1'000'000));
    return text;
}

} // namespace

RolloutBoardModel::RolloutBoardModel(QObject* parent) : QAbstractTableModel(parent) {}

void RolloutBoardModel::setRollouts(const std::vector<pb::Rollout>& rollouts)
{
    beginResetModel();
    rows_.clear();
    // One row per id: a list never repeats one, but keep the newest if it did.
    std::unordered_map<std::string, std::size_t> seen;
    for (const pb::Rollout& r : rollouts) {
        if (r.rollout_id().empty())
            continue;
        const auto [it, fresh] = seen.emplace(r.rollout_id(), rows_.size());
        if (fresh)
            rows_.push_back(r);
        else if (r.revision() > rows_[it->second].revision())
            rows_[it->second] = r;
    }
    std::stable_sort(rows_.begin(), rows_.end(), sortsBefore);
    reindex();
    endResetModel();
    emit countsChanged();
}

void RolloutBoardModel::upsert(const pb::Rollout& rollout)
{
    if (rollout.rollout_id().empty())
        return;
    const int activeBefore = activeCount();
    const QString id = qs(rollout.rollout_id());
    const auto it = rowById_.find(rollout.rollout_id());
    if (it == rowById_.end()) {
        const int row = insertionRow(rollout);
        beginInsertRows({}, row, row);
        rows_.insert(rows_.begin() + row, rollout);
        reindex();
        endInsertRows();
    } else {
        const int from = it->second;
        if (rollout.revision() <= rows_[std::size_t(from)].revision())
            return;
        const int to = insertionRow(rollout, from);
        if (to != from) {
            // Qt numbers the destination before the move: past the row
            // itself when moving down.
            beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
            rows_.erase(rows_.begin() + from);
            rows_.insert(rows_.begin() + to, rollout);
            reindex();
            endMoveRows();
        } else {
            rows_[std::size_t(from)] = rollout;
        }
        emit dataChanged(index(to, 0), index(to, ColumnCount - 1));
        emit rolloutUpdated(id);
    }
    if (activeCount() != activeBefore)
        emit countsChanged();
}

void RolloutBoardModel::clear()
{
    beginResetModel();
    rows_.clear();
    rowById_.clear();
    endResetModel();
    emit countsChanged();
}

int RolloutBoardModel::insertionRow(const pb::Rollout& rollout, int skipRow) const
{
    int row = 0;
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (int(i) != skipRow && sortsBefore(rows_[i], rollout))
            ++row;
    return row;
}

void RolloutBoardModel::reindex()
{
    rowById_.clear();
    for (std::size_t i = 0; i < rows_.size(); ++i)
        rowById_[rows_[i].rollout_id()] = int(i);
}

const pb::Rollout* RolloutBoardModel::find(const QString& rolloutId) const
{
    const int row = rowOf(rolloutId);
    return row < 0 ? nullptr : &rows_[std::size_t(row)];
}

const pb::Rollout& RolloutBoardModel::rolloutAt(int row) const
{
    Q_ASSERT(row >= 0 && row < rowCount());
    return rows_[std::size_t(row)];
}

int RolloutBoardModel::rowOf(const QString& rolloutId) const
{
    const auto it = rowById_.find(rolloutId.toStdString());
    return it == rowById_.end() ? -1 : it->second;
}

int RolloutBoardModel::activeCount() const
{
    return int(std::count_if(rows_.begin(), rows_.end(),
                             [](const pb::Rollout& r) { return rolloutfmt::isActive(r.phase()); }));
}

void RolloutBoardModel::setNowUs(std::int64_t nowUs)
{
    nowUs_ = nowUs;
    refresh();
}

void RolloutBoardModel::refresh()
{
    if (!rows_.empty())
        emit dataChanged(index(0, Updated), index(rowCount() - 1, Updated), {Qt::DisplayRole});
}

std::int64_t RolloutBoardModel::currentUs() const
{
    return nowUs_ != 0 ? nowUs_ : QDateTime::currentMSecsSinceEpoch() * 1000;
}

int RolloutBoardModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int RolloutBoardModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RolloutBoardModel::display(const pb::Rollout& r, int column) const
{
    switch (column) {
    case Id:
        return shortId(r.rollout_id());
    case Target:
        return r.node_id().empty()
                   ? qs(r.graph_name())
                   : QStringLiteral("%1 / %2").arg(qs(r.graph_name()), qs(r.node_id()));
    case Tenant:
        return r.tenant_id().empty() ? tr("all tenants") : qs(r.tenant_id());
    case Version:
        return shortId(r.version_id());
    case Phase:
        return rolloutfmt::phaseName(r.phase());
    case Step:
        return stepDisplay(r);
    case Weight:
        return QStringLiteral("%1 %").arg(r.weight_percent());
    case Verdict:
        return r.analyses().empty() ? QString() : verdictDisplay(*r.analyses().rbegin());
    case Updated:
        return knowledgefmt::age(r.updated_us(), currentUs());
    case CreatedBy:
        return qs(r.created_by());
    default:
        return {};
    }
}

QVariant RolloutBoardModel::toolTip(const pb::Rollout& r, int column) const
{
    switch (column) {
    case Id:
        return qs(r.rollout_id());
    case Version:
        return qs(r.version_id());
    case Phase:
        if ((r.phase() == pb::ROLLOUT_PHASE_ABORTED ||
             r.phase() == pb::ROLLOUT_PHASE_ROLLED_BACK) &&
            !r.reason().empty())
            return qs(r.reason());
        return rolloutfmt::phaseName(r.phase());
    case Step:
        return stepDisplay(r);
    case Verdict:
        return r.analyses().empty() ? QVariant() : verdictToolTip(r, *r.analyses().rbegin());
    case Updated:
        return knowledgefmt::timestamp(r.updated_us());
    default:
        return display(r, column);
    }
}

QVariant RolloutBoardModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const pb::Rollout& r = rows_[std::size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(r, column);
    case Qt::ToolTipRole:
        return plainToolTip(toolTip(r, column));
    case Qt::BackgroundRole:
        if (column == Phase)
            return rolloutfmt::phaseColor(r.phase());
        if (column == Verdict && !r.analyses().empty())
            return rolloutfmt::verdictColor(r.analyses().rbegin()->verdict());
        return {};
    case Qt::ForegroundRole:
        // The badge colours are light: keep the text dark whatever the palette.
        if (column == Phase || (column == Verdict && !r.analyses().empty()))
            return QColor(0x20, 0x21, 0x24);
        return {};
    case Qt::TextAlignmentRole:
        if (column == Weight)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case RolloutIdRole:
        return qs(r.rollout_id());
    case PhaseRole:
        return int(r.phase());
    case ActiveRole:
        return rolloutfmt::isActive(r.phase());
    case RevisionRole:
        return qint64(r.revision());
    case UpdatedUsRole:
        return qint64(r.updated_us());
    default:
        return {};
    }
}

QVariant RolloutBoardModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id:
        return tr("Rollout");
    case Target:
        return tr("Graph / node");
    case Tenant:
        return tr("Tenant");
    case Version:
        return tr("Version");
    case Phase:
        return tr("Phase");
    case Step:
        return tr("Step");
    case Weight:
        return tr("Weight");
    case Verdict:
        return tr("Verdict");
    case Updated:
        return tr("Updated");
    case CreatedBy:
        return tr("Created by");
    default:
        return {};
    }
}

} // namespace nexus::models
