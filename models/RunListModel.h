#pragma once
// The run list: one row per run of a RunStore, in creation order (the view
// sorts through RunFilterProxy). Live data: after every RunStore::apply /
// expire the owner calls applied() with its result; rows are inserted at the
// end, removed and changed in place, never reset (clear() is the one reset).

#include "models/RunStore.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <optional>
#include <unordered_map>
#include <vector>

namespace nexus::models {

class RunListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Thread,    // thread id, " #N" for the Nth run of a reused thread
        Graph,     // graph name
        Instance,  // GRAPH_START instance_id
        Status,    // running / completed / error / stale
        Started,   // start time (local, to the second)
        Duration,  // GRAPH_END's duration, else the time seen so far
        NodesDone, // NODE_ENDs
        Tokens,
        Cost,      // USD
        Integrity, // "ok", "corrupted since step N", "N issues"
        ColumnCount
    };

    enum Role
    {
        RunIdRole = Qt::UserRole,    // quint64
        SortRole = Qt::UserRole + 1, // numbers as numbers (µs, counts, USD), text otherwise
        StatusRole,                  // int, RunStatus
        ThreadIdRole,                // QString, the plain thread id
        InstanceRole,                // QString
        GraphRole,                   // QString
    };

    // The store outlives the model; the model does not own it.
    explicit RunListModel(RunStore* store, QObject* parent = nullptr);

    RunStore* store() const { return store_; }
    // Mirrors what one RunStore::apply / expire changed.
    void applied(const ApplyResult& result);
    // Empties the store and the model (a reset).
    void clear();

    QModelIndex indexOfRun(std::uint64_t runId, int column = 0) const;
    std::uint64_t runIdAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void reindex(int fromRow);

    RunStore* store_;
    std::vector<std::uint64_t> ids_; // run ids, one per row
    std::unordered_map<std::uint64_t, int> rows_;
};

// Filters (all combine with AND) and sorts the run list by SortRole.
class RunFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit RunFilterProxy(QObject* parent = nullptr);

    void setTextFilter(const QString& text);     // thread id or instance, substring, any case
    void setInstanceFilter(const QString& text); // instance id substring, any case; "" = any
    void setGraphFilter(const QString& graph);   // exact graph name; "" = any
    void setStatusFilter(std::optional<RunStatus> status);          // one status, or any
    void setStatusesFilter(const std::vector<RunStatus>& statuses); // a set; empty = any

    QString textFilter() const { return text_; }
    QString instanceFilter() const { return instance_; }
    QString graphFilter() const { return graph_; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString text_;
    QString instance_;
    QString graph_;
    unsigned statuses_ = 0; // bit per RunStatus; 0 = any
};

} // namespace nexus::models
