#include "models/KnowledgeQueueModel.h"

#include "models/KnowledgeFormat.h"
#include "models/PlainToolTip.h"

#include <QColor>

#include <algorithm>

namespace nexus::models {

namespace pb = ::nexus::v1;
namespace fmt = knowledgefmt;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QList<int> sorted(const QSet<int>& values)
{
    QList<int> out(values.begin(), values.end());
    std::sort(out.begin(), out.end());
    return out;
}

// The server's order: pending first, then newest first, then by id.
bool sortsBefore(const pb::KnowledgeEntry& a, const pb::KnowledgeEntry& b)
{
    const bool aPending = a.status() == pb::KNOWLEDGE_STATUS_PENDING;
    const bool bPending = b.status() == pb::KNOWLEDGE_STATUS_PENDING;
    if (aPending != bPending)
        return aPending;
    if (a.created_us() != b.created_us())
        return a.created_us() > b.created_us();
    return a.entry_id() < b.entry_id();
}

QColor statusColor(int status)
{
    switch (status) {
    case pb::KNOWLEDGE_STATUS_APPROVED:
        return QColor(0x1e, 0x7e, 0x34);
    case pb::KNOWLEDGE_STATUS_REJECTED:
        return QColor(0xc6, 0x28, 0x28);
    default:
        return QColor(0x6c, 0x75, 0x7d);
    }
}

const QColor kDimmed(0x6c, 0x75, 0x7d);

} // namespace

// ---- KnowledgeFilter --------------------------------------------------------

pb::ListEntriesRequest KnowledgeFilter::toRequest(int pageSize) const
{
    pb::ListEntriesRequest request;
    for (int s : sorted(statuses))
        request.add_statuses(pb::KnowledgeStatus(s));
    for (int k : sorted(kinds))
        request.add_kinds(pb::KnowledgeKind(k));
    request.set_source_instance(sourceInstance.toStdString());
    request.set_created_after_us(createdAfterUs);
    request.set_tenant_id(tenant.toStdString());
    request.set_page_size(pageSize);
    return request;
}

bool KnowledgeFilter::matchesIgnoringStatus(const pb::KnowledgeEntry& entry) const
{
    if (!kinds.isEmpty() && !kinds.contains(int(entry.kind())))
        return false;
    if (createdAfterUs > 0 && entry.created_us() <= createdAfterUs)
        return false;
    if (!tenant.isEmpty() && entry.tenant_id() != tenant.toStdString())
        return false;
    if (sourceInstance.isEmpty())
        return true;
    const std::string wanted = sourceInstance.toStdString();
    return entry.found_by() == wanted ||
           std::find(entry.source_instances().begin(), entry.source_instances().end(), wanted) !=
               entry.source_instances().end();
}

bool KnowledgeFilter::matches(const pb::KnowledgeEntry& entry) const
{
    return (statuses.isEmpty() || statuses.contains(int(entry.status()))) &&
           matchesIgnoringStatus(entry);
}

// ---- KnowledgeQueueModel ----------------------------------------------------

KnowledgeQueueModel::KnowledgeQueueModel(QObject* parent) : QAbstractTableModel(parent) {}

void KnowledgeQueueModel::setNowUs(qint64 nowUs)
{
    if (nowUs == nowUs_)
        return;
    nowUs_ = nowUs;
    if (!rows_.empty())
        emit dataChanged(index(0, Created), index(rowCount() - 1, Created), {Qt::DisplayRole});
}

void KnowledgeQueueModel::setFilter(const KnowledgeFilter& filter)
{
    filter_ = filter;
}

void KnowledgeQueueModel::setCounts(const pb::ListEntriesResponse& page)
{
    counts_.clear();
    for (auto s : {pb::KNOWLEDGE_STATUS_PENDING, pb::KNOWLEDGE_STATUS_APPROVED,
                   pb::KNOWLEDGE_STATUS_REJECTED, pb::KNOWLEDGE_STATUS_SUPERSEDED})
        counts_.insert(fmt::statusKey(s), 0);
    for (const auto& [key, count] : page.counts_by_status())
        counts_.insert(qs(key), count);
}

void KnowledgeQueueModel::remember(const pb::KnowledgeEntry& entry)
{
    Seen& seen = seen_[entry.entry_id()];
    if (entry.revision() >= seen.revision)
        seen = {int(entry.status()), entry.revision()};
}

void KnowledgeQueueModel::reset(const pb::ListEntriesResponse& firstPage)
{
    beginResetModel();
    rows_.assign(firstPage.entries().begin(), firstPage.entries().end());
    seen_.clear();
    for (const pb::KnowledgeEntry& e : rows_)
        remember(e);
    reindex(0);
    nextPageToken_ = firstPage.next_page_token();
    setCounts(firstPage);
    endResetModel();
    emit countsChanged();
}

void KnowledgeQueueModel::appendPage(const pb::ListEntriesResponse& page)
{
    std::vector<pb::KnowledgeEntry> fresh;
    for (const pb::KnowledgeEntry& e : page.entries()) {
        remember(e);
        const auto it = rowById_.find(e.entry_id());
        if (it == rowById_.end()) {
            // A page may repeat an entry an earlier page held (the listing
            // shifted under inserts); it is shown once.
            if (std::none_of(fresh.begin(), fresh.end(),
                             [&](const auto& f) { return f.entry_id() == e.entry_id(); }))
                fresh.push_back(e);
            continue;
        }
        pb::KnowledgeEntry& row = rows_[std::size_t(it->second)];
        if (e.revision() >= row.revision()) {
            row = e;
            emit dataChanged(index(it->second, 0), index(it->second, ColumnCount - 1));
        }
    }
    if (!fresh.empty()) {
        const int first = rowCount();
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        for (auto& e : fresh)
            rows_.push_back(std::move(e));
        reindex(first);
        endInsertRows();
    }
    nextPageToken_ = page.next_page_token();
    if (!page.counts_by_status().empty())
        setCounts(page);
    emit countsChanged();
}

void KnowledgeQueueModel::clear()
{
    beginResetModel();
    rows_.clear();
    rowById_.clear();
    seen_.clear();
    counts_.clear();
    nextPageToken_.clear();
    endResetModel();
    emit countsChanged();
}

void KnowledgeQueueModel::apply(const pb::KnowledgeEvent& event)
{
    switch (event.type()) {
    case pb::KnowledgeEvent::TYPE_CREATED:
        take(event.entry(), Origin::Created);
        break;
    case pb::KnowledgeEvent::TYPE_REVIEWED:
        take(event.entry(), Origin::Reviewed);
        break;
    default:
        take(event.entry(), Origin::Other);
        break;
    }
}

void KnowledgeQueueModel::upsert(const pb::KnowledgeEntry& entry)
{
    take(entry, Origin::Other);
}

bool KnowledgeQueueModel::recount(const pb::KnowledgeEntry& entry, Origin origin)
{
    if (!filter_.matchesIgnoringStatus(entry))
        return false;
    const QString now = fmt::statusKey(entry.status());
    const auto it = seen_.find(entry.entry_id());
    int before = 0;
    if (it != seen_.end()) {
        if (entry.revision() <= it->second.revision)
            return false; // nothing newer
        before = it->second.status;
        it->second = {int(entry.status()), entry.revision()};
    } else {
        seen_[entry.entry_id()] = {int(entry.status()), entry.revision()};
        if (origin == Origin::Created)
            before = pb::KNOWLEDGE_STATUS_UNSPECIFIED; // new to the counts
        else if (origin == Origin::Reviewed)
            before = pb::KNOWLEDGE_STATUS_PENDING; // a review decides a pending entry
        else
            return false; // counted already, at a status the model never saw
    }
    if (before == int(entry.status()))
        return false;
    if (before != pb::KNOWLEDGE_STATUS_UNSPECIFIED) {
        const QString was = fmt::statusKey(pb::KnowledgeStatus(before));
        counts_[was] = std::max<qint64>(0, counts_.value(was) - 1);
    }
    if (!now.isEmpty())
        counts_[now] += 1;
    return true;
}

void KnowledgeQueueModel::take(const pb::KnowledgeEntry& entry, Origin origin)
{
    if (entry.entry_id().empty())
        return;
    const bool countsMoved = recount(entry, origin);
    if (const auto it = rowById_.find(entry.entry_id()); it != rowById_.end()) {
        const int row = it->second;
        pb::KnowledgeEntry& shown = rows_[std::size_t(row)];
        if (entry.revision() >= shown.revision()) {
            shown = entry;
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
    } else if (filter_.matches(entry)) {
        const int row = insertionRow(entry);
        if (row >= 0) {
            beginInsertRows({}, row, row);
            rows_.insert(rows_.begin() + row, entry);
            reindex(row);
            endInsertRows();
        }
    }
    if (countsMoved)
        emit countsChanged();
}

int KnowledgeQueueModel::insertionRow(const pb::KnowledgeEntry& entry) const
{
    // Rows reviewed in place may stand out of order; the new row goes before
    // the first row the server would list after it.
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (sortsBefore(entry, rows_[i]))
            return int(i);
    return hasMore() ? -1 : rowCount(); // after the loaded rows: a later page has it
}

void KnowledgeQueueModel::reindex(int fromRow)
{
    if (fromRow == 0)
        rowById_.clear();
    for (std::size_t i = std::size_t(fromRow); i < rows_.size(); ++i)
        rowById_[rows_[i].entry_id()] = int(i);
}

const pb::KnowledgeEntry* KnowledgeQueueModel::entry(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &rows_[std::size_t(row)];
}

int KnowledgeQueueModel::rowOf(const QString& entryId) const
{
    const auto it = rowById_.find(entryId.toStdString());
    return it == rowById_.end() ? -1 : it->second;
}

int KnowledgeQueueModel::nextPending(int fromRow, int step) const
{
    if (step == 0)
        return -1;
    step = step > 0 ? 1 : -1;
    int row = step > 0 ? std::max(fromRow + 1, 0) : std::min(fromRow - 1, rowCount() - 1);
    for (; row >= 0 && row < rowCount(); row += step)
        if (rows_[std::size_t(row)].status() == pb::KNOWLEDGE_STATUS_PENDING)
            return row;
    return -1;
}

int KnowledgeQueueModel::pendingShown() const
{
    return int(std::count_if(rows_.begin(), rows_.end(), [](const pb::KnowledgeEntry& e) {
        return e.status() == pb::KNOWLEDGE_STATUS_PENDING;
    }));
}

int KnowledgeQueueModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int KnowledgeQueueModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KnowledgeQueueModel::display(const pb::KnowledgeEntry& e, int column) const
{
    switch (column) {
    case Status:
        return fmt::statusName(e.status());
    case Kind:
        return fmt::kindName(e.kind());
    case Title:
        return qs(e.title());
    case GraphNode:
        return e.node_id().empty()
                   ? qs(e.graph_name())
                   : QStringLiteral("%1 / %2").arg(qs(e.graph_name()), qs(e.node_id()));
    case Source:
        return fmt::sourceOf(e);
    case Tenant:
        return qs(e.tenant_id());
    case Score:
        if (e.has_prompt_optimization())
            return fmt::improvement(e.prompt_optimization().measured_improvement());
        if (e.has_pitfall() && !e.pitfall().severity().empty())
            return qs(e.pitfall().severity());
        return QStringLiteral("%1 %").arg(qRound(e.confidence() * 100.0));
    case Created:
        return fmt::age(e.created_us(), nowUs_);
    case Revision:
        return qint64(e.revision());
    default:
        return {};
    }
}

QVariant KnowledgeQueueModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const pb::KnowledgeEntry& e = rows_[std::size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(e, column);
    case Qt::ToolTipRole:
        if (column == Created)
            return fmt::timestamp(e.created_us());
        return plainToolTip(e.summary().empty()
                                ? qs(e.title())
                                : QStringLiteral("%1\n\n%2").arg(qs(e.title()), qs(e.summary())));
    case Qt::ForegroundRole:
        if (e.status() == pb::KNOWLEDGE_STATUS_PENDING)
            return {};
        return column == Status ? statusColor(e.status()) : kDimmed;
    case Qt::TextAlignmentRole:
        if (column == Score || column == Revision)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case EntryIdRole:
        return qs(e.entry_id());
    case StatusRole:
        return int(e.status());
    case KindRole:
        return int(e.kind());
    case RevisionRole:
        return qint64(e.revision());
    case CreatedUsRole:
        return qint64(e.created_us());
    default:
        return {};
    }
}

QVariant KnowledgeQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Status:
        return tr("Status");
    case Kind:
        return tr("Kind");
    case Title:
        return tr("Title");
    case GraphNode:
        return tr("Graph / node");
    case Source:
        return tr("Source");
    case Tenant:
        return tr("Tenant");
    case Score:
        return tr("Score");
    case Created:
        return tr("Created");
    case Revision:
        return tr("Revision");
    default:
        return {};
    }
}

} // namespace nexus::models
