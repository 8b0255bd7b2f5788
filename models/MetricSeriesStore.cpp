#include "models/MetricSeriesStore.h"

#include <algorithm>
#include <cmath>

namespace nexus::models {

MetricSeriesStore::MetricSeriesStore(QObject* parent) : QObject(parent) {}

void MetricSeriesStore::setResponse(const nexus::v1::GetMetricSeriesResponse& response)
{
    series_.clear();
    dropped_ = 0;
    for (const auto& s : response.series()) {
        SeriesData& data =
            series_[Key{int(s.metric()), s.is_deployment(), QString::fromStdString(s.key())}];
        const int points = std::min(s.points_size(), kMaxPointsPerSeries);
        dropped_ += s.points_size() - points;
        data.points.reserve(points);
        // A bucket without runs has no error rate, latency or quality: leave
        // a gap instead of drawing a zero. Rates (runs/s, cost/h) are 0 then.
        const bool ratio = s.metric() == nexus::v1::METRIC_ERROR_RATE ||
                           s.metric() == nexus::v1::METRIC_QUALITY ||
                           s.metric() == nexus::v1::METRIC_LATENCY_P50 ||
                           s.metric() == nexus::v1::METRIC_LATENCY_P95 ||
                           s.metric() == nexus::v1::METRIC_LATENCY_P99;
        for (int i = 0; i < points; ++i) {
            const auto& p = s.points(i);
            if (ratio && p.count() == 0)
                continue;
            if (!std::isfinite(p.value())) {
                ++dropped_;
                continue;
            }
            data.points.append(QPointF(double(p.t_us() / 1000), p.value()));
        }
        std::sort(data.points.begin(), data.points.end(),
                  [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
        const int samples = std::min(s.samples_size(), kMaxSamplesPerSeries);
        dropped_ += s.samples_size() - samples;
        for (int i = 0; i < samples; ++i)
            if (std::isfinite(s.samples(i)))
                data.samples.push_back(s.samples(i));
    }
    emit seriesChanged();
}

void MetricSeriesStore::clear()
{
    series_.clear();
    dropped_ = 0;
    emit seriesChanged();
}

QStringList MetricSeriesStore::keys(nexus::v1::Metric metric, bool deployments) const
{
    QStringList out;
    for (const auto& [key, data] : series_)
        if (std::get<0>(key) == int(metric) && std::get<1>(key) == deployments)
            out << std::get<2>(key);
    return out; // std::map order: already sorted
}

const SeriesData* MetricSeriesStore::series(nexus::v1::Metric metric, const QString& key,
                                            bool deployment) const
{
    const auto it = series_.find(Key{int(metric), deployment, key});
    return it == series_.end() ? nullptr : &it->second;
}

} // namespace nexus::models
