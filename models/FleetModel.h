#pragma once
// The fleet overview: one row per instance, fed by the Fleet.WatchFleet
// stream. Live data: rows are inserted, removed and changed in place, never
// reset (a full update is diffed against the rows it already has). Outliers
// are recomputed on every update (models/OutlierDetector.h).

#include "models/OutlierDetector.h"

#include "nexus/v1/fleet.pb.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace nexus::models {

struct FleetRow
{
    std::string instanceId;
    std::string deployment;
    std::string tenant; // DashStream tenant_id
    std::string version;
    std::string host;
    std::string region;
    int status = 0; // nexus::v1::InstanceStatus
    qint64 lastSeenUs = 0;
    double runsPerSec = 0;
    double errorRate = 0;
    double latencyP50Ms = 0;
    double latencyP95Ms = 0;
    double quality = 0;
    bool hasQuality = false;
    qint64 costPerHourMicros = 0;
    qint64 runsInWindow = 0;
    std::vector<std::string> graphs;
    std::uint8_t outlierMetrics = OutlierNone; // OutlierMetric bits
    QString outlierReason;
};

class FleetModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        InstanceIdColumn,
        DeploymentColumn,
        TenantColumn,
        VersionColumn,
        HostColumn,
        RegionColumn,
        StatusColumn,
        LastSeenColumn,
        RunsPerSecColumn,
        ErrorRateColumn,
        LatencyP50Column,
        LatencyP95Column,
        QualityColumn,
        CostPerHourColumn,
        ColumnCount
    };

    enum Role
    {
        SortRole = Qt::UserRole + 1, // numeric for numbers, status severity, text otherwise
        StatusRole,                  // int, nexus::v1::InstanceStatus
        OutlierRole,                 // bool: the row's instance is an outlier
        OutlierReasonRole,           // QString, empty when not an outlier
        FlaggedCellRole,             // bool: this cell's metric is what made it an outlier
        InstanceIdRole,              // QString
        DeploymentRole,              // QString
        TenantRole,                  // QString
    };

    explicit FleetModel(QObject* parent = nullptr);

    // Applies one FleetUpdate: a full one replaces the fleet (diffed: rows
    // that stay are updated in place), a delta upserts and removes.
    void applyUpdate(const nexus::v1::FleetUpdate& update);

    void setOutlierRule(const OutlierRule& rule);
    const nexus::v1::FleetTotals& totals() const { return totals_; }
    qint64 asOfUs() const { return asOfUs_; }
    QStringList deployments() const;                 // sorted, distinct
    QStringList tenants() const { return tenants_; } // sorted, distinct
    const FleetRow& row(int r) const { return rows_.at(std::size_t(r)); }
    int rowOf(const QString& instanceId) const; // -1 when absent
    // The order of two rows by `column`'s SortRole value without building
    // QVariants (the proxy sorts 10,000 rows every tick): -1, 0 or 1, or
    // nullopt for a text column (compare SortRole values then). Ties are 0;
    // the caller breaks them on the instance id.
    std::optional<int> compareRows(int left, int right, int column) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

    // Display helpers, shared with the widgets so formats agree.
    static QString statusText(int status);
    static QString relativeTime(qint64 ageUs); // "3 s ago", "5 min ago", "2 h ago"
    static QString formatLatency(double ms);   // "120 ms", "1.23 s"
    static QString formatPercent(double fraction);
    static QString formatCost(qint64 micros); // "$1.23/h"

signals:
    void totalsChanged(const nexus::v1::FleetTotals& totals);
    void deploymentsChanged(const QStringList& deployments);
    void tenantsChanged(const QStringList& tenants);

private:
    bool assign(FleetRow& row, const nexus::v1::Instance& instance) const;
    void removeRowList(std::vector<int> rows);
    void appendRows(const std::vector<const nexus::v1::Instance*>& added);
    void recomputeOutliers(std::vector<char>& dirty);
    void emitChanged(const std::vector<char>& dirty, bool clockMoved);
    void reindexFrom(int first);
    QVariant display(const FleetRow& row, int column) const;
    QVariant sortValue(const FleetRow& row, int column) const;

    // The numeric sort values of every row, packed (one cache line a row)
    // for compareRows: kept in step with rows_ before any signal that lets
    // the proxy compare.
    struct SortKeys
    {
        qint64 lastSeenUs = 0;
        qint64 costPerHourMicros = 0;
        double runsPerSec = 0, errorRate = 0, latencyP50Ms = 0, latencyP95Ms = 0, quality = 0;
        int severity = 0;
    };
    void refreshKeys(std::size_t from);

    std::vector<FleetRow> rows_;
    std::vector<SortKeys> keys_;
    std::unordered_map<std::string, int> rowById_;
    nexus::v1::FleetTotals totals_;
    qint64 asOfUs_ = 0;
    OutlierRule rule_;
    QStringList deployments_;
    QStringList tenants_;
};

} // namespace nexus::models
