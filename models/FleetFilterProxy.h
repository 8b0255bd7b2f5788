#pragma once
// Sorting and filtering of the fleet table: sorts by FleetModel::SortRole
// (numbers as numbers), filters by text (instance id, host or version),
// deployment, status and "outliers only". All filters combine with AND.

#include <QPointer>
#include <QSortFilterProxyModel>

namespace nexus::models {

class FleetModel;

class FleetFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit FleetFilterProxy(QObject* parent = nullptr);

    void setTextFilter(const QString& text);       // case-insensitive substring; "" = any
    void setDeploymentFilter(const QString& name); // exact; "" = any
    void setTenantFilter(const QString& tenant);   // exact; "" = any
    void setStatusFilter(int status);              // nexus::v1::InstanceStatus; 0 = any
    void setOutliersOnly(bool on);

    QString textFilter() const { return text_; }
    QString deploymentFilter() const { return deployment_; }
    QString tenantFilter() const { return tenant_; }
    int statusFilter() const { return status_; }
    bool outliersOnly() const { return outliersOnly_; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    void refilter();

    QString text_;
    QString deployment_;
    QString tenant_;
    int status_ = 0;
    bool outliersOnly_ = false;
    QPointer<const FleetModel> fleet_; // the source, when it is a FleetModel (typed sorting)
};

} // namespace nexus::models
