#include "models/RolloutEventsModel.h"

#include "models/KnowledgeFormat.h"
#include "models/PlainToolTip.h"
#include "models/RolloutFormat.h"

#include <QColor>

namespace nexus::models {

namespace pb = ::nexus::v1;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

bool sameEvent(const pb::RolloutEvent& a, const pb::RolloutEvent& b)
{
    return a.at_us() == b.at_us() && a.kind() == b.kind() && a.detail() == b.detail() &&
           a.actor() == b.actor();
}

// Does `history` start with the rows shown?
bool extends(const std::vector<pb::RolloutEvent>& shown,
             const google::protobuf::RepeatedPtrField<pb::RolloutEvent>& history)
{
    if (history.size() < int(shown.size()))
        return false;
    for (std::size_t i = 0; i < shown.size(); ++i)
        if (!sameEvent(shown[i], history[int(i)]))
            return false;
    return true;
}

} // namespace

RolloutEventsModel::RolloutEventsModel(QObject* parent) : QAbstractTableModel(parent) {}

QString RolloutEventsModel::eventName(const std::string& kind)
{
    if (kind == "launched")
        return QStringLiteral("Launched");
    if (kind == "step")
        return QStringLiteral("Step");
    if (kind == "weight")
        return QStringLiteral("Weight");
    if (kind == "paused")
        return QStringLiteral("Paused");
    if (kind == "resumed")
        return QStringLiteral("Resumed");
    if (kind == "analysis")
        return QStringLiteral("Analysis");
    if (kind == "promoted")
        return QStringLiteral("Promoted");
    if (kind == "aborted")
        return QStringLiteral("Aborted");
    if (kind == "rolled_back")
        return QStringLiteral("Rolled back");
    return qs(kind);
}

void RolloutEventsModel::setRollout(const pb::Rollout& rollout)
{
    if (rollout.rollout_id() == rolloutId_ && extends(rows_, rollout.history())) {
        const int first = rowCount();
        const int last = rollout.history_size() - 1;
        if (last < first)
            return; // nothing new
        beginInsertRows({}, first, last);
        for (int i = first; i <= last; ++i)
            rows_.push_back(rollout.history(i));
        endInsertRows();
        return;
    }
    beginResetModel();
    rolloutId_ = rollout.rollout_id();
    rows_.assign(rollout.history().begin(), rollout.history().end());
    endResetModel();
}

void RolloutEventsModel::clear()
{
    beginResetModel();
    rolloutId_.clear();
    rows_.clear();
    endResetModel();
}

int RolloutEventsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int RolloutEventsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RolloutEventsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == Qt::ToolTipRole)
        return plainToolTip(data(index, kRawToolTipRole));
    const pb::RolloutEvent& e = rows_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case kRawToolTipRole:
        switch (index.column()) {
        case Time:
            return knowledgefmt::timestamp(e.at_us());
        case Event:
            return eventName(e.kind());
        case Detail:
            return qs(e.detail());
        case Actor:
            return qs(e.actor());
        default:
            return {};
        }
    case Qt::BackgroundRole:
        if (e.kind() == "rolled_back")
            return rolloutfmt::phaseColor(pb::ROLLOUT_PHASE_ROLLED_BACK);
        if (e.kind() == "promoted")
            return rolloutfmt::phaseColor(pb::ROLLOUT_PHASE_PROMOTED);
        if (e.kind() == "aborted")
            return rolloutfmt::phaseColor(pb::ROLLOUT_PHASE_ABORTED);
        return {};
    case Qt::ForegroundRole:
        // Dark text on the light backgrounds, whatever the palette.
        if (e.kind() == "rolled_back" || e.kind() == "promoted" || e.kind() == "aborted")
            return QColor(0x20, 0x21, 0x24);
        return {};
    case KindRole:
        return qs(e.kind());
    case AtUsRole:
        return qint64(e.at_us());
    default:
        return {};
    }
}

QVariant RolloutEventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Event:
        return tr("Event");
    case Detail:
        return tr("Detail");
    case Actor:
        return tr("Actor");
    default:
        return {};
    }
}

} // namespace nexus::models
