#pragma once
// Small descriptive statistics for canary analysis and guardrails.

#include <vector>

namespace nexus::stats {

// Arithmetic mean; 0 for an empty input.
double mean(const std::vector<double>& values);

// The q-quantile (0..1) with linear interpolation between closest ranks
// (Hyndman & Fan type 7, the default of R and NumPy); 0 for an empty input.
double quantile(std::vector<double> values, double q);

} // namespace nexus::stats
