#pragma once
// Instance comparison: 2..8 instances, the first the baseline, side by side.
// This model is the table of deltas — one row per (metric, non-baseline
// instance): the two window values, the difference, and whether it is
// significant (Mann-Whitney U on the windowed samples). identityModel() says
// who the instances are and where they differ. Live: a new series response
// or a fleet tick gives dataChanged, never a reset; only setInstances()
// resets. What is computed and why: docs/instance-comparison.md.

#include "models/ComparisonStats.h"

#include "nexus/v1/fleet.pb.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QPointer>
#include <QStringList>

#include <vector>

namespace nexus::models {

class ComparisonIdentityModel;
class FleetModel;
class MetricSeriesStore;

class ComparisonModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int kMinInstances = 2;
    static constexpr int kMaxInstances = 8;
    static constexpr int kMetricCount = 6;
    static constexpr double kDefaultAlpha = 0.05;
    static constexpr int kDefaultMinimumRuns = 5;

    enum Column
    {
        MetricColumn,
        InstanceColumn,
        BaselineColumn,
        ValueColumn,
        DeltaColumn,
        DeltaPercentColumn,
        PValueColumn,
        SignificanceColumn,
        ColumnCount
    };

    enum Role
    {
        SortRole = Qt::UserRole + 1, // numbers for numeric columns (missing sorts first)
        MetricRole,                  // int, nexus::v1::Metric
        InstanceIdRole,              // QString
        InstanceIndexRole,           // int, position in instances() (colour index)
        SignificantRole,             // bool: tested and p < alpha
        TestedRole,                  // bool: both sides had the minimum runs
        PValueRole,                  // double, invalid when not tested
        DeltaPercentRole,            // double, invalid when undefined
        DirectionRole,               // int, Direction: better/worse than the baseline
    };

    enum Direction
    {
        Worse = -1,
        Same = 0,
        Better = 1
    };

    explicit ComparisonModel(QObject* parent = nullptr);
    ~ComparisonModel() override;

    // Empty ids and duplicates are dropped; beyond kMaxInstances the rest is
    // cut off (droppedInstanceCount(), notice()). The first is the baseline.
    void setInstances(const QStringList& ids);
    const QStringList& instances() const { return instances_; }
    QString baselineId() const { return instances_.value(0); }
    bool isComparable() const { return instances_.size() >= kMinInstances; }
    int droppedInstanceCount() const { return dropped_; }
    QString notice() const; // "Showing the first 8 of 11 instances.", or empty

    void setFleet(FleetModel* fleet); // identity; may be null
    FleetModel* fleet() const;
    void setSeries(MetricSeriesStore* store); // a store used only by this comparison
    MetricSeriesStore* series() const;

    void setAlpha(double alpha); // significance level, (0, 0.5]; default 0.05
    double alpha() const { return alpha_; }
    void setMinimumRuns(int runs); // per side, at least 2; default 5
    int minimumRuns() const { return minimumRuns_; }
    void setRangeSeconds(int seconds); // the window request() asks for; default 3600
    int rangeSeconds() const { return rangeSeconds_; }

    // The GetMetricSeries request for the current instances, metrics and
    // window, with samples. endUs 0: the fleet's as-of time (the server's
    // clock), or this machine's clock without a fleet.
    nexus::v1::GetMetricSeriesRequest request(qint64 endUs = 0) const;

    ComparisonIdentityModel* identityModel() const { return identity_; }
    const MetricComparison& comparison(int row) const { return rows_.at(std::size_t(row)).c; }
    int rowOf(nexus::v1::Metric metric, const QString& instanceId) const; // -1 when absent

    // The compared metrics, in display order, and their names.
    static nexus::v1::Metric metricAt(int index);
    static QString metricName(nexus::v1::Metric metric);
    // One colour per position (0 = baseline), the same in every view.
    static QColor instanceColor(int index);
    static QString formatValue(nexus::v1::Metric metric, double value);
    static QString formatDelta(nexus::v1::Metric metric, double delta);
    static QString formatPValue(double p); // "< 0.001", "0.034", "—"

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

public slots:
    void recompute(); // normally driven by the store's seriesChanged

signals:
    void instancesChanged(const QStringList& ids); // after setInstances, as kept

private:
    struct Row
    {
        nexus::v1::Metric metric;
        int instance; // index into instances_, >= 1
        MetricComparison c;
    };

    std::vector<Row> computeRows() const;
    QVariant display(const Row& row, int column) const;
    QVariant sortValue(const Row& row, int column) const;
    QString significanceText(const Row& row) const;
    QString toolTip(const Row& row) const;

    QStringList instances_;
    int dropped_ = 0;
    QPointer<FleetModel> fleet_;
    QPointer<MetricSeriesStore> store_;
    ComparisonIdentityModel* identity_ = nullptr;
    double alpha_ = kDefaultAlpha;
    int minimumRuns_ = kDefaultMinimumRuns;
    int rangeSeconds_ = 3600;
    std::vector<Row> rows_;
};

} // namespace nexus::models
