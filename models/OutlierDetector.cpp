#include "models/OutlierDetector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace nexus::models {
namespace {

constexpr double kMadToSigma = 0.6745; // MAD of a normal distribution is 0.6745 sigma

double medianOf(std::vector<double>& values)
{
    const std::size_t n = values.size();
    const auto mid = values.begin() + std::ptrdiff_t(n / 2);
    std::nth_element(values.begin(), mid, values.end());
    const double upper = *mid;
    if (n % 2 == 1)
        return upper;
    const double lower = *std::max_element(values.begin(), mid);
    return (lower + upper) / 2;
}

struct Centre
{
    double median = 0;
    double mad = 0;
};

Centre centreOf(std::vector<double> values)
{
    Centre c;
    c.median = medianOf(values);
    for (double& v : values)
        v = std::abs(v - c.median);
    c.mad = medianOf(values);
    return c;
}

void appendReason(std::string& reason, const char* text)
{
    if (!reason.empty())
        reason += "; ";
    reason += text;
}

struct Group
{
    std::vector<std::size_t> members; // judged instances of one deployment
};

void judgeGroup(const std::vector<OutlierInput>& in, const Group& group, const OutlierRule& rule,
                std::vector<OutlierFinding>& out)
{
    std::vector<double> latency, errors, quality;
    for (std::size_t i : group.members) {
        latency.push_back(in[i].latencyP95Ms);
        errors.push_back(in[i].errorRate);
        if (in[i].hasQuality)
            quality.push_back(in[i].quality);
    }
    const Centre lat = centreOf(latency);
    const Centre err = centreOf(errors);
    const bool judgeQuality = int(quality.size()) >= rule.minPeers;
    const Centre qual = judgeQuality ? centreOf(quality) : Centre{};
    const double latFloor = rule.latencyMadFloorFraction * lat.median;

    char text[160];
    for (std::size_t i : group.members) {
        const OutlierInput& x = in[i];
        OutlierFinding& f = out[i];
        const double zLat = robustZ(x.latencyP95Ms, lat.median, lat.mad, latFloor);
        if (zLat >= rule.zThreshold && lat.median > 0 &&
            x.latencyP95Ms >= rule.latencyMinRatio * lat.median) {
            f.metrics |= OutlierLatency;
            std::snprintf(text, sizeof text,
                          "p95 latency %.1f\xc3\x97 its deployment's median (robust z = %.1f)",
                          x.latencyP95Ms / lat.median, zLat);
            appendReason(f.reason, text);
        }
        const double zErr = robustZ(x.errorRate, err.median, err.mad, rule.errorRateMadFloor);
        if (zErr >= rule.zThreshold && x.errorRate - err.median >= rule.errorRateMinExcess) {
            f.metrics |= OutlierErrorRate;
            std::snprintf(text, sizeof text,
                          "error rate %.1f %% vs its deployment's median %.1f %% (robust z = %.1f)",
                          100 * x.errorRate, 100 * err.median, zErr);
            appendReason(f.reason, text);
        }
        if (!judgeQuality || !x.hasQuality)
            continue;
        const double zQual = robustZ(x.quality, qual.median, qual.mad, rule.qualityMadFloor);
        if (zQual <= -rule.zThreshold && qual.median - x.quality >= rule.qualityMinDrop) {
            f.metrics |= OutlierQuality;
            std::snprintf(text, sizeof text,
                          "quality %.2f vs its deployment's median %.2f (robust z = %.1f)",
                          x.quality, qual.median, zQual);
            appendReason(f.reason, text);
        }
    }
}

} // namespace

double robustZ(double x, double median, double mad, double madFloor)
{
    const double scale = std::max(mad, madFloor);
    if (!(scale > 0))
        return 0;
    return kMadToSigma * (x - median) / scale;
}

std::vector<OutlierFinding> detectOutliers(const std::vector<OutlierInput>& instances,
                                           const OutlierRule& rule)
{
    std::vector<OutlierFinding> out(instances.size());
    std::unordered_map<std::string, Group> groups;
    for (std::size_t i = 0; i < instances.size(); ++i) {
        const OutlierInput& x = instances[i];
        if (x.stale || x.runsInWindow < rule.minRuns)
            continue;
        groups[x.deployment].members.push_back(i);
    }
    for (const auto& [deployment, group] : groups)
        if (int(group.members.size()) >= rule.minPeers)
            judgeGroup(instances, group, rule, out);
    return out;
}

} // namespace nexus::models
