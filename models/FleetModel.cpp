#include "models/FleetModel.h"

#include "models/PlainToolTip.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include <algorithm>
#include <unordered_set>

namespace nexus::models {
namespace {

using nexus::v1::InstanceStatus;

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

int severity(int status)
{
    switch (status) {
    case nexus::v1::INSTANCE_STATUS_HEALTHY:
        return 0;
    case nexus::v1::INSTANCE_STATUS_DEGRADED:
        return 2;
    case nexus::v1::INSTANCE_STATUS_UNHEALTHY:
        return 3;
    case nexus::v1::INSTANCE_STATUS_STALE:
        return 1;
    default:
        return -1;
    }
}

QColor statusColor(int status)
{
    switch (status) {
    case nexus::v1::INSTANCE_STATUS_HEALTHY:
        return QColor(0x1e, 0x7e, 0x34);
    case nexus::v1::INSTANCE_STATUS_DEGRADED:
        return QColor(0xb3, 0x6b, 0x00);
    case nexus::v1::INSTANCE_STATUS_UNHEALTHY:
        return QColor(0xc6, 0x28, 0x28);
    case nexus::v1::INSTANCE_STATUS_STALE:
        return QColor(0x6c, 0x75, 0x7d);
    default:
        return QColor(0x6c, 0x75, 0x7d);
    }
}

std::uint8_t metricOfColumn(int column)
{
    switch (column) {
    case FleetModel::ErrorRateColumn:
        return OutlierErrorRate;
    case FleetModel::LatencyP95Column:
        return OutlierLatency;
    case FleetModel::QualityColumn:
        return OutlierQuality;
    default:
        return OutlierNone;
    }
}

} // namespace

FleetModel::FleetModel(QObject* parent) : QAbstractTableModel(parent) {}

void FleetModel::setOutlierRule(const OutlierRule& rule)
{
    rule_ = rule;
    std::vector<char> dirty(rows_.size(), 0);
    recomputeOutliers(dirty);
    emitChanged(dirty, false);
}

int FleetModel::rowOf(const QString& instanceId) const
{
    const auto it = rowById_.find(instanceId.toStdString());
    return it == rowById_.end() ? -1 : it->second;
}

QStringList FleetModel::deployments() const
{
    return deployments_;
}

bool FleetModel::assign(FleetRow& row, const nexus::v1::Instance& in) const
{
    const auto& m = in.metrics();
    bool changed = false;
    auto set = [&changed](auto& field, const auto& value) {
        if (!(field == value)) {
            field = value;
            changed = true;
        }
    };
    set(row.instanceId, in.instance_id());
    set(row.deployment, in.deployment());
    set(row.tenant, in.tenant_id());
    set(row.version, in.version());
    set(row.host, in.host());
    set(row.region, in.region());
    set(row.status, int(in.status()));
    set(row.lastSeenUs, qint64(in.last_seen_us()));
    set(row.runsPerSec, m.runs_per_sec());
    set(row.errorRate, m.error_rate());
    set(row.latencyP50Ms, m.latency_p50_ms());
    set(row.latencyP95Ms, m.latency_p95_ms());
    set(row.quality, m.quality());
    set(row.hasQuality, m.has_quality());
    set(row.costPerHourMicros, qint64(m.cost_per_hour_micros()));
    set(row.runsInWindow, qint64(m.runs_in_window()));
    if (!std::equal(row.graphs.begin(), row.graphs.end(), in.graphs().begin(), in.graphs().end())) {
        row.graphs.assign(in.graphs().begin(), in.graphs().end());
        changed = true;
    }
    return changed;
}

void FleetModel::applyUpdate(const nexus::v1::FleetUpdate& update)
{
    // 1. Removals: ids listed as removed, and for a full update every id it lacks.
    std::vector<int> gone;
    if (update.full()) {
        std::unordered_set<std::string> present;
        present.reserve(std::size_t(update.upserted_size()));
        for (const auto& in : update.upserted())
            present.insert(in.instance_id());
        for (std::size_t r = 0; r < rows_.size(); ++r)
            if (!present.count(rows_[r].instanceId))
                gone.push_back(int(r));
    }
    for (const auto& id : update.removed())
        if (const auto it = rowById_.find(id); it != rowById_.end())
            gone.push_back(it->second);
    removeRowList(std::move(gone));

    // 2. Upserts: change rows in place, collect the new ones.
    std::vector<char> dirty(rows_.size(), 0);
    std::vector<const nexus::v1::Instance*> added;
    std::unordered_set<std::string> addedIds;
    for (const auto& in : update.upserted()) {
        if (in.instance_id().empty())
            continue; // not addressable; the server never sends one
        if (const auto it = rowById_.find(in.instance_id()); it != rowById_.end()) {
            if (assign(rows_[std::size_t(it->second)], in))
                dirty[std::size_t(it->second)] = 1;
        } else if (addedIds.insert(in.instance_id()).second) {
            added.push_back(&in);
        }
    }
    appendRows(added);
    dirty.resize(rows_.size(), 0);

    const bool clockMoved = update.as_of_us() != asOfUs_;
    asOfUs_ = update.as_of_us();
    recomputeOutliers(dirty);
    refreshKeys(0);
    emitChanged(dirty, clockMoved);

    if (update.has_totals()) {
        totals_ = update.totals();
        emit totalsChanged(totals_);
    }
}

void FleetModel::removeRowList(std::vector<int> rows)
{
    if (rows.empty())
        return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    // Highest block first, so the lower indices stay valid.
    std::size_t end = rows.size();
    while (end > 0) {
        std::size_t begin = end - 1;
        while (begin > 0 && rows[begin - 1] == rows[begin] - 1)
            --begin;
        const int first = rows[begin], last = rows[end - 1];
        beginRemoveRows({}, first, last);
        for (int r = first; r <= last; ++r)
            rowById_.erase(rows_[std::size_t(r)].instanceId);
        rows_.erase(rows_.begin() + first, rows_.begin() + last + 1);
        keys_.erase(keys_.begin() + first, keys_.begin() + last + 1);
        endRemoveRows();
        end = begin;
    }
    reindexFrom(rows.front());
}

void FleetModel::appendRows(const std::vector<const nexus::v1::Instance*>& added)
{
    if (added.empty())
        return;
    const int first = int(rows_.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    rows_.reserve(rows_.size() + added.size());
    for (const auto* in : added) {
        FleetRow row;
        assign(row, *in);
        rowById_.emplace(row.instanceId, int(rows_.size()));
        rows_.push_back(std::move(row));
    }
    refreshKeys(std::size_t(first));
    endInsertRows();
}

void FleetModel::refreshKeys(std::size_t from)
{
    keys_.resize(rows_.size());
    for (std::size_t r = from; r < rows_.size(); ++r) {
        const FleetRow& row = rows_[r];
        keys_[r] = SortKeys{row.lastSeenUs,
                            row.costPerHourMicros,
                            row.runsPerSec,
                            row.errorRate,
                            row.latencyP50Ms,
                            row.latencyP95Ms,
                            row.hasQuality ? row.quality : -1.0,
                            severity(row.status)};
    }
}

void FleetModel::reindexFrom(int first)
{
    for (std::size_t r = std::size_t(first); r < rows_.size(); ++r)
        rowById_[rows_[r].instanceId] = int(r);
}

void FleetModel::recomputeOutliers(std::vector<char>& dirty)
{
    std::vector<OutlierInput> inputs(rows_.size());
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        const FleetRow& row = rows_[r];
        OutlierInput& x = inputs[r];
        x.deployment = row.deployment;
        x.latencyP95Ms = row.latencyP95Ms;
        x.errorRate = row.errorRate;
        x.quality = row.quality;
        x.hasQuality = row.hasQuality;
        x.runsInWindow = row.runsInWindow;
        x.stale = row.status == nexus::v1::INSTANCE_STATUS_STALE;
    }
    const auto findings = detectOutliers(inputs, rule_);
    QStringList deployments;
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        FleetRow& row = rows_[r];
        const OutlierFinding& f = findings[r];
        const bool same = row.outlierMetrics == f.metrics &&
                          (f.metrics == OutlierNone || row.outlierReason.toStdString() == f.reason);
        if (!same) {
            row.outlierMetrics = f.metrics;
            row.outlierReason = QString::fromStdString(f.reason);
            dirty[r] = 1;
        }
    }
    // Distinct deployments, for the filter; rarely changes.
    std::unordered_set<std::string> seen;
    for (const FleetRow& row : rows_)
        if (seen.insert(row.deployment).second)
            deployments << qs(row.deployment);
    deployments.sort();
    if (deployments != deployments_) {
        deployments_ = deployments;
        emit deploymentsChanged(deployments_);
    }
    QStringList tenants;
    seen.clear();
    for (const FleetRow& row : rows_)
        if (!row.tenant.empty() && seen.insert(row.tenant).second)
            tenants << qs(row.tenant);
    tenants.sort();
    if (tenants != tenants_) {
        tenants_ = tenants;
        emit tenantsChanged(tenants_);
    }
}

void FleetModel::emitChanged(const std::vector<char>& dirty, bool clockMoved)
{
    // Contiguous dirty rows become one dataChanged range each.
    const int n = int(dirty.size());
    for (int r = 0; r < n;) {
        if (!dirty[std::size_t(r)]) {
            ++r;
            continue;
        }
        int last = r;
        while (last + 1 < n && dirty[std::size_t(last + 1)])
            ++last;
        emit dataChanged(index(r, 0), index(last, ColumnCount - 1));
        r = last + 1;
    }
    // "last seen" is relative to the update's clock: it moves for every row.
    if (clockMoved && n > 0)
        emit dataChanged(index(0, LastSeenColumn), index(n - 1, LastSeenColumn),
                         {Qt::DisplayRole, Qt::ToolTipRole});
}

int FleetModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int FleetModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetModel::display(const FleetRow& row, int column) const
{
    switch (Column(column)) {
    case InstanceIdColumn:
        return qs(row.instanceId);
    case DeploymentColumn:
        return qs(row.deployment);
    case TenantColumn:
        return qs(row.tenant);
    case VersionColumn:
        return qs(row.version);
    case HostColumn:
        return qs(row.host);
    case RegionColumn:
        return qs(row.region);
    case StatusColumn:
        return statusText(row.status);
    case LastSeenColumn:
        return row.lastSeenUs > 0 ? relativeTime(asOfUs_ - row.lastSeenUs)
                                  : QStringLiteral("never");
    case RunsPerSecColumn:
        return QString::number(row.runsPerSec, 'f', row.runsPerSec < 10 ? 2 : 1);
    case ErrorRateColumn:
        return formatPercent(row.errorRate);
    case LatencyP50Column:
        return formatLatency(row.latencyP50Ms);
    case LatencyP95Column:
        return formatLatency(row.latencyP95Ms);
    case QualityColumn:
        return row.hasQuality ? QString::number(row.quality, 'f', 2) : QStringLiteral("\u2014");
    case CostPerHourColumn:
        return formatCost(row.costPerHourMicros);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant FleetModel::sortValue(const FleetRow& row, int column) const
{
    switch (Column(column)) {
    case StatusColumn:
        return severity(row.status);
    case LastSeenColumn:
        return row.lastSeenUs;
    case RunsPerSecColumn:
        return row.runsPerSec;
    case ErrorRateColumn:
        return row.errorRate;
    case LatencyP50Column:
        return row.latencyP50Ms;
    case LatencyP95Column:
        return row.latencyP95Ms;
    case QualityColumn:
        return row.hasQuality ? row.quality : -1.0;
    case CostPerHourColumn:
        return row.costPerHourMicros;
    default:
        return display(row, column);
    }
}

std::optional<int> FleetModel::compareRows(int left, int right, int column) const
{
    const SortKeys& a = keys_[std::size_t(left)];
    const SortKeys& b = keys_[std::size_t(right)];
    const auto order = [](auto x, auto y) { return x < y ? -1 : y < x ? 1 : 0; };
    switch (Column(column)) {
    case StatusColumn:
        return order(a.severity, b.severity);
    case LastSeenColumn:
        return order(a.lastSeenUs, b.lastSeenUs);
    case RunsPerSecColumn:
        return order(a.runsPerSec, b.runsPerSec);
    case ErrorRateColumn:
        return order(a.errorRate, b.errorRate);
    case LatencyP50Column:
        return order(a.latencyP50Ms, b.latencyP50Ms);
    case LatencyP95Column:
        return order(a.latencyP95Ms, b.latencyP95Ms);
    case QualityColumn:
        return order(a.quality, b.quality);
    case CostPerHourColumn:
        return order(a.costPerHourMicros, b.costPerHourMicros);
    default:
        return std::nullopt;
    }
}

QVariant FleetModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FleetRow& row = rows_[std::size_t(index.row())];
    const int column = index.column();
    const bool flaggedCell = (row.outlierMetrics & metricOfColumn(column)) != 0;
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column);
    case Qt::ToolTipRole:
        if (row.outlierMetrics != OutlierNone)
            return plainToolTip(qs(row.instanceId) + QStringLiteral(": ") + row.outlierReason);
        if (column == LastSeenColumn)
            return plainToolTip(QString::number(row.lastSeenUs) + QStringLiteral(" \u00b5s"));
        return plainToolTip(display(row, column).toString());
    case Qt::TextAlignmentRole:
        if (column >= RunsPerSecColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (column == StatusColumn)
            return QBrush(statusColor(row.status));
        if (flaggedCell)
            return QBrush(QColor(0x8a, 0x2c, 0x00));
        return {};
    case Qt::BackgroundRole:
        if (flaggedCell)
            return QBrush(QColor(0xff, 0xe0, 0xb2));
        return {};
    case Qt::FontRole:
        if (flaggedCell) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case SortRole:
        return sortValue(row, column);
    case StatusRole:
        return row.status;
    case OutlierRole:
        return row.outlierMetrics != OutlierNone;
    case OutlierReasonRole:
        return row.outlierReason;
    case FlaggedCellRole:
        return flaggedCell;
    case InstanceIdRole:
        return qs(row.instanceId);
    case DeploymentRole:
        return qs(row.deployment);
    case TenantRole:
        return qs(row.tenant);
    default:
        return {};
    }
}

QVariant FleetModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue((section >= RunsPerSecColumn ? Qt::AlignRight : Qt::AlignLeft) |
                                   Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    static const char* const names[ColumnCount] = {
        "Instance",  "Deployment", "Tenant",     "Version", "Host", "Region",  "Status",
        "Last seen", "Runs/s",     "Error rate", "p50",     "p95",  "Quality", "Cost/h"};
    return QString::fromLatin1(names[section]);
}

QString FleetModel::statusText(int status)
{
    switch (status) {
    case nexus::v1::INSTANCE_STATUS_HEALTHY:
        return QStringLiteral("healthy");
    case nexus::v1::INSTANCE_STATUS_DEGRADED:
        return QStringLiteral("degraded");
    case nexus::v1::INSTANCE_STATUS_UNHEALTHY:
        return QStringLiteral("unhealthy");
    case nexus::v1::INSTANCE_STATUS_STALE:
        return QStringLiteral("stale");
    default:
        return QStringLiteral("unknown");
    }
}

QString FleetModel::relativeTime(qint64 ageUs)
{
    const qint64 s = std::max<qint64>(0, ageUs / 1000000);
    if (s < 60)
        return QStringLiteral("%1 s ago").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min ago").arg(s / 60);
    if (s < 86400)
        return QStringLiteral("%1 h ago").arg(s / 3600);
    return QStringLiteral("%1 d ago").arg(s / 86400);
}

QString FleetModel::formatLatency(double ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 0);
    return QStringLiteral("%1 s").arg(ms / 1000, 0, 'f', 2);
}

QString FleetModel::formatPercent(double fraction)
{
    return QStringLiteral("%1 %").arg(100 * fraction, 0, 'f', 1);
}

QString FleetModel::formatCost(qint64 micros)
{
    return QStringLiteral("$%1/h").arg(double(micros) / 1e6, 0, 'f', 2);
}

} // namespace nexus::models
