#pragma once
// Aggregation over run samples, shared by the Evals and Fleet services:
// percentiles, groups and time series.

#include "server/store/Store.h"

#include "nexus/v1/evals.pb.h"
#include "nexus/v1/fleet.pb.h"

#include <string>
#include <vector>

namespace nexus::server {

// Linear-interpolated percentile (p in 0..100) of unsorted values; 0 when empty.
double percentile(std::vector<double> values, double p);

// One group of a quality summary from its samples.
::nexus::v1::QualityGroup summarize(const std::string& key,
                                    const std::vector<const RunSample*>& samples);

// The value of `metric` over a bucket of samples spanning `seconds`.
double metricValue(::nexus::v1::Metric metric, const std::vector<const RunSample*>& samples,
                   double seconds);
// The per-run value of `metric` for significance tests (nullopt: the run has none).
std::optional<double> sampleValue(::nexus::v1::Metric metric, const RunSample& sample);

} // namespace nexus::server
