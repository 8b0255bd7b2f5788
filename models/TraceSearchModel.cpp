#include "models/TraceSearchModel.h"

#include "models/PlainToolTip.h"
#include "models/TraceFormat.h"

#include <QColor>
#include <QDateTime>

namespace nexus::models {

namespace pb = ::nexus::v1;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QString localTime(qint64 us)
{
    if (us <= 0)
        return QStringLiteral("\u2013");
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(
        QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

// The first line of an error, for the table (the tooltip has all of it).
QString firstLine(const std::string& text)
{
    const QString all = qs(text);
    const qsizetype end = all.indexOf(u'\n');
    return end < 0 ? all : all.left(end) + QStringLiteral(" \u2026");
}

} // namespace

TraceSearchModel::TraceSearchModel(QObject* parent) : QAbstractTableModel(parent) {}

void TraceSearchModel::setFilters(const pb::SearchTracesRequest& filters)
{
    filters_ = filters;
    filters_.clear_sort();
    filters_.clear_page_size();
    filters_.clear_page_token();
}

void TraceSearchModel::setPageSize(int rows)
{
    pageSize_ = std::max(1, rows);
}

void TraceSearchModel::setTraceSort(pb::TraceSort sort)
{
    if (sort == sort_)
        return;
    sort_ = sort;
    emit sortChanged(sort_);
}

pb::SearchTracesRequest TraceSearchModel::firstPageRequest() const
{
    pb::SearchTracesRequest request = filters_;
    request.set_sort(sort_);
    request.set_page_size(pageSize_);
    return request;
}

std::optional<pb::SearchTracesRequest> TraceSearchModel::nextPageRequest() const
{
    if (!hasMore())
        return std::nullopt;
    pb::SearchTracesRequest request = firstPageRequest();
    request.set_page_token(nextPageToken_);
    return request;
}

void TraceSearchModel::setFirstPage(const pb::SearchTracesResponse& page)
{
    beginResetModel();
    rows_.assign(page.traces().begin(), page.traces().end());
    nextPageToken_ = page.next_page_token();
    totalMatches_ = page.total_matches();
    endResetModel();
    emit pagesChanged();
}

void TraceSearchModel::appendPage(const pb::SearchTracesResponse& page)
{
    if (!page.traces().empty()) {
        const int first = rowCount();
        beginInsertRows({}, first, first + page.traces_size() - 1);
        rows_.insert(rows_.end(), page.traces().begin(), page.traces().end());
        endInsertRows();
    }
    nextPageToken_ = page.next_page_token();
    totalMatches_ = page.total_matches();
    emit pagesChanged();
}

void TraceSearchModel::clear()
{
    beginResetModel();
    rows_.clear();
    nextPageToken_.clear();
    totalMatches_ = 0;
    endResetModel();
    emit pagesChanged();
}

QString TraceSearchModel::countText() const
{
    if (totalMatches_ == 0 && rows_.empty())
        return tr("No matching traces");
    const QString total = tracefmt::count(totalMatches_);
    if (qint64(rows_.size()) >= totalMatches_)
        return totalMatches_ == 1 ? tr("1 matching trace") : tr("%1 matching traces").arg(total);
    return tr("%1 of %2 matching traces").arg(tracefmt::count(qint64(rows_.size())), total);
}

int TraceSearchModel::rowOfThread(const QString& threadId) const
{
    const std::string wanted = threadId.toStdString();
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].thread_id() == wanted)
            return int(i);
    return -1;
}

std::optional<pb::TraceSort> TraceSearchModel::sortFor(int column, Qt::SortOrder order)
{
    switch (column) {
    case Started:
        return order == Qt::AscendingOrder ? pb::TRACE_SORT_STARTED_ASC
                                           : pb::TRACE_SORT_STARTED_DESC;
    case Duration:
        return pb::TRACE_SORT_DURATION_DESC;
    case Cost:
        return pb::TRACE_SORT_COST_DESC;
    default:
        return std::nullopt;
    }
}

int TraceSearchModel::sortColumn(pb::TraceSort sort)
{
    switch (sort) {
    case pb::TRACE_SORT_DURATION_DESC:
        return Duration;
    case pb::TRACE_SORT_COST_DESC:
        return Cost;
    default:
        return Started;
    }
}

Qt::SortOrder TraceSearchModel::sortOrder(pb::TraceSort sort)
{
    return sort == pb::TRACE_SORT_STARTED_ASC ? Qt::AscendingOrder : Qt::DescendingOrder;
}

QString TraceSearchModel::statusText(int runStatus)
{
    switch (runStatus) {
    case pb::RUN_STATUS_RUNNING:
        return tr("running");
    case pb::RUN_STATUS_COMPLETED:
        return tr("completed");
    case pb::RUN_STATUS_FAILED:
        return tr("failed");
    case pb::RUN_STATUS_STALE:
        return tr("stale");
    case pb::RUN_STATUS_INTERRUPTED:
        return tr("interrupted");
    default:
        return tr("unknown");
    }
}

void TraceSearchModel::sort(int column, Qt::SortOrder order)
{
    if (const auto sort = sortFor(column, order))
        setTraceSort(*sort);
}

int TraceSearchModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int TraceSearchModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TraceSearchModel::display(const pb::TraceSummary& t, int column) const
{
    switch (column) {
    case Thread:
        return qs(t.thread_id());
    case Graph:
        return qs(t.graph_name());
    case Instance:
        return qs(t.instance_id());
    case Tenant:
        return qs(t.tenant_id());
    case Status:
        return statusText(t.status());
    case Started:
        return localTime(t.started_us());
    case Duration:
        return t.duration_us() > 0 ? tracefmt::duration(t.duration_us()) : QStringLiteral("\u2013");
    case Nodes:
        return tracefmt::count(t.nodes_done());
    case Tokens:
        return tracefmt::count(t.tokens());
    case Cost:
        return tracefmt::usd(double(t.cost_micros()) / 1e6);
    case Error:
        return firstLine(t.error());
    default:
        return {};
    }
}

QVariant TraceSearchModel::raw(const pb::TraceSummary& t, int column) const
{
    switch (column) {
    case Thread:
        return qs(t.thread_id());
    case Graph:
        return qs(t.graph_name());
    case Instance:
        return qs(t.instance_id());
    case Tenant:
        return qs(t.tenant_id());
    case Status:
        return int(t.status());
    case Started:
        return qint64(t.started_us());
    case Duration:
        return qint64(t.duration_us());
    case Nodes:
        return t.nodes_done();
    case Tokens:
        return qint64(t.tokens());
    case Cost:
        return qint64(t.cost_micros());
    case Error:
        return qs(t.error());
    default:
        return {};
    }
}

QVariant TraceSearchModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const pb::TraceSummary& t = rows_[std::size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(t, column);
    case RawValueRole:
        return raw(t, column);
    case ThreadIdRole:
        return qs(t.thread_id());
    case StatusRole:
        return int(t.status());
    case Qt::ToolTipRole:
        if (column == Error && !t.error().empty())
            return plainToolTip(qs(t.error()));
        if (column == Started && t.started_us() > 0)
            return QDateTime::fromMSecsSinceEpoch(t.started_us() / 1000, Qt::UTC)
                .toString(Qt::ISODateWithMs);
        if (column == Thread)
            return tr("%1 (tenant %2, %n record(s))", nullptr, int(t.records()))
                .arg(qs(t.thread_id()), qs(t.tenant_id()));
        return {};
    case Qt::TextAlignmentRole:
        if (column == Duration || column == Nodes || column == Tokens || column == Cost)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if ((column == Status || column == Error) && t.status() == pb::RUN_STATUS_FAILED)
            return QColor(0xb3, 0x26, 0x1e);
        return {};
    default:
        return {};
    }
}

QVariant TraceSearchModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        static const char* const names[ColumnCount] = {
            QT_TR_NOOP("Thread"),   QT_TR_NOOP("Graph"),  QT_TR_NOOP("Instance"),
            QT_TR_NOOP("Tenant"),   QT_TR_NOOP("Status"), QT_TR_NOOP("Started"),
            QT_TR_NOOP("Duration"), QT_TR_NOOP("Nodes"),  QT_TR_NOOP("Tokens"),
            QT_TR_NOOP("Cost"),     QT_TR_NOOP("Error")};
        return tr(names[section]);
    }
    if (role == Qt::ToolTipRole)
        return sortFor(section, Qt::DescendingOrder)
                   ? tr("Click to have Nexus sort every match by this column")
                   : tr("Nexus sorts by start time, duration or cost");
    return {};
}

} // namespace nexus::models
