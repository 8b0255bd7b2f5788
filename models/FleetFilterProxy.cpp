#include "models/FleetFilterProxy.h"

#include "models/FleetModel.h"

namespace nexus::models {

FleetFilterProxy::FleetFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(FleetModel::SortRole);
    setDynamicSortFilter(true);
    connect(this, &QAbstractProxyModel::sourceModelChanged, this,
            [this] { fleet_ = qobject_cast<const FleetModel*>(sourceModel()); });
}

void FleetFilterProxy::refilter()
{
    invalidateFilter();
}

void FleetFilterProxy::setTextFilter(const QString& text)
{
    if (text_ == text.trimmed())
        return;
    text_ = text.trimmed();
    refilter();
}

void FleetFilterProxy::setDeploymentFilter(const QString& name)
{
    if (deployment_ == name)
        return;
    deployment_ = name;
    refilter();
}

void FleetFilterProxy::setTenantFilter(const QString& tenant)
{
    if (tenant_ == tenant)
        return;
    tenant_ = tenant;
    refilter();
}

void FleetFilterProxy::setStatusFilter(int status)
{
    if (status_ == status)
        return;
    status_ = status;
    refilter();
}

void FleetFilterProxy::setOutliersOnly(bool on)
{
    if (outliersOnly_ == on)
        return;
    outliersOnly_ = on;
    refilter();
}

bool FleetFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QAbstractItemModel* m = sourceModel();
    const QModelIndex id = m->index(sourceRow, FleetModel::InstanceIdColumn, sourceParent);
    if (outliersOnly_ && !id.data(FleetModel::OutlierRole).toBool())
        return false;
    if (status_ != 0 && id.data(FleetModel::StatusRole).toInt() != status_)
        return false;
    if (!deployment_.isEmpty() && id.data(FleetModel::DeploymentRole).toString() != deployment_)
        return false;
    if (!tenant_.isEmpty() && id.data(FleetModel::TenantRole).toString() != tenant_)
        return false;
    if (text_.isEmpty())
        return true;
    for (int column :
         {FleetModel::InstanceIdColumn, FleetModel::HostColumn, FleetModel::VersionColumn}) {
        const QString value = m->index(sourceRow, column, sourceParent).data().toString();
        if (value.contains(text_, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool FleetFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    // The typed path: numbers compared in place, ties broken on the id bytes
    // (the byte order of the UTF-8 instance ids).
    if (const auto* fleet = fleet_.data();
        fleet && left.model() == fleet && sortRole() == FleetModel::SortRole) {
        if (const auto order = fleet->compareRows(left.row(), right.row(), left.column())) {
            if (*order != 0)
                return *order < 0;
            return fleet->row(left.row()).instanceId < fleet->row(right.row()).instanceId;
        }
    }
    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    const QPartialOrdering order = QVariant::compare(l, r);
    if (order == QPartialOrdering::Less)
        return true;
    if (order == QPartialOrdering::Greater)
        return false;
    // Stable tie-break on the instance id, so equal values do not shuffle per tick.
    return left.siblingAtColumn(FleetModel::InstanceIdColumn).data().toString() <
           right.siblingAtColumn(FleetModel::InstanceIdColumn).data().toString();
}

} // namespace nexus::models
