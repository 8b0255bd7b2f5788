#pragma once
// Trace search results from Nexus (Traces.SearchTraces), page by page: one
// row per TraceSummary, in the order the server sent them. Sorting is the
// server's: sort() maps a header click to a TraceSort and asks for a new
// query (sortChanged); rows are never reordered here, because a page of a
// server-sorted result sorted locally would be a lie about the rest.
//
// The model never talks to the network: its owner runs firstPageRequest() /
// nextPageRequest() and hands the answers back with setFirstPage() (a reset:
// a new result set) and appendPage() (rows inserted at the end).

#include "nexus/v1/traces.pb.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace nexus::models {

class TraceSearchModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Thread,   // thread id (the run key)
        Graph,    // graph name
        Instance, // instance id
        Tenant,   // DashStream tenant_id
        Status,   // running / completed / failed / stale / interrupted
        Started,  // local time, to the second
        Duration,
        Nodes, // nodes done
        Tokens,
        Cost, // USD
        Error,
        ColumnCount
    };

    enum Role
    {
        ThreadIdRole = Qt::UserRole, // QString, any column
        RawValueRole, // the column's value unformatted: µs, counts, cost micros, text
        StatusRole,   // int, nexus::v1::RunStatus
    };

    explicit TraceSearchModel(QObject* parent = nullptr);

    // The filters of the search (their sort, page size and page token are
    // ignored: those are the model's).
    void setFilters(const nexus::v1::SearchTracesRequest& filters);
    const nexus::v1::SearchTracesRequest& filters() const { return filters_; }
    void setPageSize(int rows);
    int pageSize() const { return pageSize_; }

    nexus::v1::TraceSort traceSort() const { return sort_; }
    // Sets the server sort; sortChanged when it differs.
    void setTraceSort(nexus::v1::TraceSort sort);

    // Filters + sort + page size, no page token.
    nexus::v1::SearchTracesRequest firstPageRequest() const;
    // The same with the token of the page after the loaded rows; nullopt
    // when every match is loaded.
    std::optional<nexus::v1::SearchTracesRequest> nextPageRequest() const;

    void setFirstPage(const nexus::v1::SearchTracesResponse& page);
    void appendPage(const nexus::v1::SearchTracesResponse& page);
    void clear();

    bool hasMore() const { return !nextPageToken_.empty(); }
    qint64 totalMatches() const { return totalMatches_; }
    // "25 of 140 matching traces", "No matching traces".
    QString countText() const;
    const nexus::v1::TraceSummary& summary(int row) const { return rows_.at(std::size_t(row)); }
    int rowOfThread(const QString& threadId) const; // -1 when not loaded

    // The server sort a click on `column` asks for (Started toggles between
    // newest and oldest first; Duration and Cost sort descending only);
    // nullopt for columns the server cannot sort by.
    static std::optional<nexus::v1::TraceSort> sortFor(int column, Qt::SortOrder order);
    static int sortColumn(nexus::v1::TraceSort sort);
    static Qt::SortOrder sortOrder(nexus::v1::TraceSort sort);
    static QString statusText(int runStatus); // "completed", ...

    // Maps to the server's sort (see sortFor); columns it cannot sort by are ignored.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    // The sort changed: the owner searches again from the first page.
    void sortChanged(nexus::v1::TraceSort sort);
    // Rows loaded or the total changed (for a "N of M" label and "Load more").
    void pagesChanged();

private:
    QVariant display(const nexus::v1::TraceSummary& t, int column) const;
    QVariant raw(const nexus::v1::TraceSummary& t, int column) const;

    nexus::v1::SearchTracesRequest filters_;
    nexus::v1::TraceSort sort_ = nexus::v1::TRACE_SORT_STARTED_DESC;
    int pageSize_ = 50;
    std::vector<nexus::v1::TraceSummary> rows_;
    std::string nextPageToken_;
    qint64 totalMatches_ = 0;
};

} // namespace nexus::models
