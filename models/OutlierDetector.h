#pragma once
// Which instances stand out from their own deployment? A robust z-score per
// deployment (median and MAD instead of mean and standard deviation, so the
// outliers themselves do not hide in the spread) for p95 latency, error rate
// and quality. The rule and its thresholds: docs/fleet-view.md.

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::models {

enum OutlierMetric : std::uint8_t
{
    OutlierNone = 0,
    OutlierLatency = 1 << 0,   // p95 latency too high
    OutlierErrorRate = 1 << 1, // error rate too high
    OutlierQuality = 1 << 2,   // quality too low
};

struct OutlierInput
{
    std::string deployment;
    double latencyP95Ms = 0;
    double errorRate = 0; // 0..1
    double quality = 0;   // 0..1
    bool hasQuality = false;
    std::int64_t runsInWindow = 0;
    bool stale = false; // stale instances are neither judged nor peers
};

struct OutlierFinding
{
    std::uint8_t metrics = OutlierNone; // OutlierMetric bits
    std::string reason;                 // empty when not flagged; "; "-separated otherwise
};

struct OutlierRule
{
    double zThreshold = 3.5;   // |z| at or above this, in the bad direction
    std::int64_t minRuns = 10; // runs in the window to be judged or to count as a peer
    int minPeers = 5;          // judged instances per deployment (self included)
    // Floors on the MAD so that a very uniform deployment does not flag noise.
    double latencyMadFloorFraction = 0.05; // of the deployment's median p95
    double errorRateMadFloor = 0.01;       // absolute (1 percentage point)
    double qualityMadFloor = 0.01;         // absolute
    // Minimum effect sizes: a flag also needs a difference that matters.
    double latencyMinRatio = 1.5;     // p95 at least 1.5x the median
    double errorRateMinExcess = 0.05; // at least 5 points above the median
    double qualityMinDrop = 0.05;     // at least 0.05 below the median
};

// One finding per input, in input order. Pure function: no Qt, no state.
std::vector<OutlierFinding> detectOutliers(const std::vector<OutlierInput>& instances,
                                           const OutlierRule& rule = {});

// 0.6745 * (x - median) / max(MAD, floor): the robust z-score.
double robustZ(double x, double median, double mad, double madFloor);

} // namespace nexus::models
