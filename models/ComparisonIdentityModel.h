#pragma once
// Who is being compared: one row per instance of a comparison (the first is
// the baseline) with its deployment, version, host, region, status and
// graphs from the FleetModel. Cells that differ from the baseline say so
// (DiffersRole); deployment, version and graph differences are highlighted
// (tint, bold, "differs from <baseline>: …" tooltip). Live: follows the
// fleet with dataChanged, never a reset while the instances stay the same.

#include <QAbstractTableModel>
#include <QPointer>
#include <QStringList>

#include <vector>

namespace nexus::models {

class FleetModel;

class ComparisonIdentityModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        InstanceColumn,
        DeploymentColumn,
        VersionColumn,
        HostColumn,
        RegionColumn,
        StatusColumn,
        GraphsColumn,
        ColumnCount
    };

    enum Role
    {
        SortRole = Qt::UserRole + 1,
        DiffersRole,    // bool: this cell's value differs from the baseline's
        HighlightRole,  // bool: differs, and the column matters (deployment, version, graphs)
        BaselineRole,   // bool: the row is the baseline
        InstanceIdRole, // QString
        InFleetRole,    // bool: the instance is in the fleet model
    };

    explicit ComparisonIdentityModel(QObject* parent = nullptr);

    void setInstances(const QStringList& ids); // a reset: the rows change
    void setFleet(FleetModel* fleet);
    void refresh(); // re-read the fleet; dataChanged for the rows that changed

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString id;
        bool inFleet = false;
        QString deployment, version, host, region;
        int status = 0;
        QStringList graphs; // sorted

        bool operator==(const Row&) const = default;
    };

    Row read(const QString& id) const;
    QString cell(const Row& row, int column) const;
    bool differs(int row, int column) const;
    QString differenceText(int row, int column) const;

    QPointer<FleetModel> fleet_;
    std::vector<Row> rows_;
};

} // namespace nexus::models
