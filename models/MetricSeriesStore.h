#pragma once
// Metric time series from Fleet.GetMetricSeries, per (metric, key) where the
// key is a deployment or an instance id. The app sets whole responses; the
// charts read points, the comparison reads per-run samples. Not an item
// model: a store that says when it changed.

#include "nexus/v1/fleet.pb.h"

#include <QList>
#include <QObject>
#include <QPointF>
#include <QStringList>

#include <map>
#include <tuple>
#include <vector>

namespace nexus::models {

struct SeriesData
{
    QList<QPointF> points;       // x: milliseconds since the epoch, y: value as sent
    std::vector<double> samples; // per-run values in the window
};

class MetricSeriesStore : public QObject
{
    Q_OBJECT
public:
    // Caps for untrusted replies; the excess is dropped and counted.
    static constexpr int kMaxPointsPerSeries = 20000;
    static constexpr int kMaxSamplesPerSeries = 100000;

    explicit MetricSeriesStore(QObject* parent = nullptr);

    // Replaces everything with the response's series.
    void setResponse(const nexus::v1::GetMetricSeriesResponse& response);
    void clear();

    // Keys with a series of `metric`, sorted.
    QStringList keys(nexus::v1::Metric metric, bool deployments) const;
    const SeriesData* series(nexus::v1::Metric metric, const QString& key, bool deployment) const;
    int droppedValues() const { return dropped_; }

signals:
    void seriesChanged();

private:
    using Key = std::tuple<int, bool, QString>;
    std::map<Key, SeriesData> series_;
    int dropped_ = 0;
};

} // namespace nexus::models
