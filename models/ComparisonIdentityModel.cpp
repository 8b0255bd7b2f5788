#include "models/ComparisonIdentityModel.h"

#include "models/ComparisonModel.h"
#include "models/FleetModel.h"
#include "models/PlainToolTip.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace nexus::models {
namespace {

const QString kMissing = QStringLiteral("\u2014");

QColor statusColor(int status) // as in the fleet table
{
    switch (status) {
    case nexus::v1::INSTANCE_STATUS_HEALTHY:
        return QColor(0x1e, 0x7e, 0x34);
    case nexus::v1::INSTANCE_STATUS_DEGRADED:
        return QColor(0xb3, 0x6b, 0x00);
    case nexus::v1::INSTANCE_STATUS_UNHEALTHY:
        return QColor(0xc6, 0x28, 0x28);
    default:
        return QColor(0x6c, 0x75, 0x7d);
    }
}

bool highlighted(int column)
{
    return column == ComparisonIdentityModel::DeploymentColumn ||
           column == ComparisonIdentityModel::VersionColumn ||
           column == ComparisonIdentityModel::GraphsColumn;
}

} // namespace

ComparisonIdentityModel::ComparisonIdentityModel(QObject* parent) : QAbstractTableModel(parent) {}

void ComparisonIdentityModel::setInstances(const QStringList& ids)
{
    beginResetModel();
    rows_.clear();
    for (const QString& id : ids)
        rows_.push_back(read(id));
    endResetModel();
}

void ComparisonIdentityModel::setFleet(FleetModel* fleet)
{
    if (fleet_)
        disconnect(fleet_, nullptr, this, nullptr);
    fleet_ = fleet;
    if (fleet_) {
        // Any change of the fleet may touch one of ours; refresh() is 8 lookups
        // and emits only for rows that really changed.
        connect(fleet_, &QAbstractItemModel::dataChanged, this, &ComparisonIdentityModel::refresh);
        connect(fleet_, &QAbstractItemModel::rowsInserted, this, &ComparisonIdentityModel::refresh);
        connect(fleet_, &QAbstractItemModel::rowsRemoved, this, &ComparisonIdentityModel::refresh);
        connect(fleet_, &QAbstractItemModel::modelReset, this, &ComparisonIdentityModel::refresh);
        connect(fleet_, &QAbstractItemModel::layoutChanged, this,
                &ComparisonIdentityModel::refresh);
    }
    refresh();
}

void ComparisonIdentityModel::refresh()
{
    if (rows_.empty())
        return;
    // A baseline change alters every row's differences: then all rows change.
    const bool baselineChanged = !(read(rows_.front().id) == rows_.front());
    for (int r = 0; r < int(rows_.size()); ++r) {
        Row fresh = read(rows_[std::size_t(r)].id);
        const bool changed = !(fresh == rows_[std::size_t(r)]);
        rows_[std::size_t(r)] = std::move(fresh);
        if (changed || baselineChanged)
            emit dataChanged(index(r, 0), index(r, ColumnCount - 1));
    }
}

ComparisonIdentityModel::Row ComparisonIdentityModel::read(const QString& id) const
{
    Row row;
    row.id = id;
    const int r = fleet_ ? fleet_->rowOf(id) : -1;
    if (r < 0)
        return row;
    const FleetRow& f = fleet_->row(r);
    row.inFleet = true;
    row.deployment = QString::fromStdString(f.deployment);
    row.version = QString::fromStdString(f.version);
    row.host = QString::fromStdString(f.host);
    row.region = QString::fromStdString(f.region);
    row.status = f.status;
    for (const std::string& g : f.graphs)
        row.graphs << QString::fromStdString(g);
    row.graphs.sort();
    return row;
}

QString ComparisonIdentityModel::cell(const Row& row, int column) const
{
    if (column == InstanceColumn)
        return row.id;
    if (!row.inFleet)
        return column == StatusColumn ? QStringLiteral("not in fleet") : kMissing;
    switch (column) {
    case DeploymentColumn:
        return row.deployment;
    case VersionColumn:
        return row.version;
    case HostColumn:
        return row.host;
    case RegionColumn:
        return row.region;
    case StatusColumn:
        return FleetModel::statusText(row.status);
    case GraphsColumn:
        return row.graphs.join(QStringLiteral(", "));
    default:
        return {};
    }
}

bool ComparisonIdentityModel::differs(int row, int column) const
{
    if (row <= 0 || column == InstanceColumn)
        return false;
    const Row& base = rows_.front();
    const Row& r = rows_[std::size_t(row)];
    if (!base.inFleet || !r.inFleet) // unknown is not a difference
        return false;
    return cell(r, column) != cell(base, column);
}

QString ComparisonIdentityModel::differenceText(int row, int column) const
{
    const Row& base = rows_.front();
    const Row& r = rows_[std::size_t(row)];
    QString text = tr("differs from %1: %2")
                       .arg(base.id, cell(base, column).isEmpty() ? kMissing : cell(base, column));
    if (column == GraphsColumn) {
        QStringList added, missing;
        for (const QString& g : r.graphs)
            if (!base.graphs.contains(g))
                added << g;
        for (const QString& g : base.graphs)
            if (!r.graphs.contains(g))
                missing << g;
        if (!added.isEmpty())
            text += QLatin1Char('\n') + tr("only here: %1").arg(added.join(QStringLiteral(", ")));
        if (!missing.isEmpty())
            text +=
                QLatin1Char('\n') + tr("missing here: %1").arg(missing.join(QStringLiteral(", ")));
    }
    return text;
}

int ComparisonIdentityModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int ComparisonIdentityModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonIdentityModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = rows_[std::size_t(index.row())];
    const int column = index.column();
    const bool differsHere = differs(index.row(), column);
    const bool highlight = differsHere && highlighted(column);
    switch (role) {
    case Qt::DisplayRole:
        return cell(row, column);
    case Qt::ToolTipRole:
        if (differsHere)
            return plainToolTip(differenceText(index.row(), column));
        if (column == InstanceColumn && index.row() == 0)
            return plainToolTip(tr("%1 (baseline)").arg(row.id));
        return plainToolTip(cell(row, column));
    case Qt::DecorationRole:
        if (column == InstanceColumn)
            return ComparisonModel::instanceColor(index.row());
        return {};
    case Qt::ForegroundRole:
        if (highlight)
            return QBrush(QColor(0x6b, 0x3e, 0x00));
        if (column == StatusColumn && row.inFleet)
            return QBrush(statusColor(row.status));
        if (!row.inFleet && column != InstanceColumn)
            return QBrush(QColor(0x6c, 0x75, 0x7d));
        return {};
    case Qt::BackgroundRole:
        if (highlight)
            return QBrush(QColor(0xff, 0xec, 0xb3));
        return {};
    case Qt::FontRole:
        if (highlight || (column == InstanceColumn && index.row() == 0)) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case SortRole:
        return column == StatusColumn ? QVariant(row.status) : QVariant(cell(row, column));
    case DiffersRole:
        return differsHere;
    case HighlightRole:
        return highlight;
    case BaselineRole:
        return index.row() == 0;
    case InstanceIdRole:
        return row.id;
    case InFleetRole:
        return row.inFleet;
    default:
        return {};
    }
}

QVariant ComparisonIdentityModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o == Qt::Vertical) {
        if (role != Qt::DisplayRole || section < 0 || section >= rowCount())
            return {};
        return section == 0 ? tr("baseline") : QString::number(section + 1);
    }
    if (role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    static const char* const names[ColumnCount] = {"Instance", "Deployment", "Version", "Host",
                                                   "Region",   "Status",     "Graphs"};
    return QString::fromLatin1(names[section]);
}

} // namespace nexus::models
