#include "models/AuditLogModel.h"

#include "models/KnowledgeFormat.h"
#include "models/PlainToolTip.h"

#include <QColor>

namespace nexus::models {

namespace pb = ::nexus::v1;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

const QColor kWarning(0xb7, 0x1c, 0x1c);

} // namespace

AuditLogModel::AuditLogModel(QObject* parent) : QAbstractTableModel(parent) {}

bool AuditLogModel::isRefusal(const std::string& outcome)
{
    return outcome == "denied" || outcome.starts_with("refused") || outcome.starts_with("failed");
}

void AuditLogModel::reset(const pb::ListAuditResponse& firstPage)
{
    beginResetModel();
    rows_.clear();
    seqs_.clear();
    for (const pb::AuditRecord& r : firstPage.records())
        if (seqs_.insert(r.seq()).second)
            rows_.push_back(r);
    nextPageToken_ = firstPage.next_page_token();
    endResetModel();
}

void AuditLogModel::appendPage(const pb::ListAuditResponse& page)
{
    std::vector<pb::AuditRecord> fresh;
    for (const pb::AuditRecord& r : page.records())
        if (seqs_.insert(r.seq()).second)
            fresh.push_back(r);
    if (!fresh.empty()) {
        const int first = rowCount();
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        for (auto& r : fresh)
            rows_.push_back(std::move(r));
        endInsertRows();
    }
    nextPageToken_ = page.next_page_token();
}

void AuditLogModel::clear()
{
    beginResetModel();
    rows_.clear();
    seqs_.clear();
    nextPageToken_.clear();
    endResetModel();
}

const pb::AuditRecord* AuditLogModel::record(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &rows_[std::size_t(row)];
}

int AuditLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int AuditLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == Qt::ToolTipRole)
        return plainToolTip(data(index, kRawToolTipRole));
    const pb::AuditRecord& r = rows_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case kRawToolTipRole:
        switch (index.column()) {
        case When:
            return knowledgefmt::timestamp(r.at_us());
        case Actor:
            return role == kRawToolTipRole && !r.peer().empty()
                       ? QStringLiteral("%1 from %2").arg(qs(r.actor()), qs(r.peer()))
                       : qs(r.actor());
        case Role:
            return qs(r.role());
        case Action:
            return qs(r.action());
        case Target:
            return qs(r.target());
        case Outcome:
            return qs(r.outcome());
        case RequestId:
            return qs(r.request_id());
        case Detail:
            return qs(r.detail());
        default:
            return {};
        }
    case Qt::ForegroundRole:
        return isRefusal(r.outcome()) ? QVariant(kWarning) : QVariant();
    case SeqRole:
        return qint64(r.seq());
    case AtUsRole:
        return qint64(r.at_us());
    case IsRefusalRole:
        return isRefusal(r.outcome());
    default:
        return {};
    }
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case When:
        return tr("When");
    case Actor:
        return tr("Actor");
    case Role:
        return tr("Role");
    case Action:
        return tr("Action");
    case Target:
        return tr("Target");
    case Outcome:
        return tr("Outcome");
    case RequestId:
        return tr("Request id");
    case Detail:
        return tr("Detail");
    default:
        return {};
    }
}

} // namespace nexus::models
