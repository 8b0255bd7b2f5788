#include "stats/MannWhitney.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace nexus::stats {

namespace {

struct RankSums
{
    double rankSumA = 0;
    double tieTerm = 0; // sum over tie groups of t^3 - t
};

RankSums rankSums(const std::vector<double>& a, const std::vector<double>& b)
{
    std::vector<std::pair<double, bool>> all; // value, from a
    all.reserve(a.size() + b.size());
    for (double v : a)
        all.emplace_back(v, true);
    for (double v : b)
        all.emplace_back(v, false);
    std::sort(all.begin(), all.end(),
              [](const auto& l, const auto& r) { return l.first < r.first; });

    RankSums sums;
    std::size_t i = 0;
    while (i < all.size()) {
        std::size_t j = i;
        while (j < all.size() && all[j].first == all[i].first)
            ++j;
        // Positions i..j-1 share the average of ranks i+1..j.
        const double averageRank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
        const double t = static_cast<double>(j - i);
        sums.tieTerm += t * t * t - t;
        for (std::size_t k = i; k < j; ++k)
            if (all[k].second)
                sums.rankSumA += averageRank;
        i = j;
    }
    return sums;
}

} // namespace

MannWhitneyResult mannWhitneyU(const std::vector<double>& a, const std::vector<double>& b)
{
    MannWhitneyResult result;
    result.nA = a.size();
    result.nB = b.size();
    if (a.empty() || b.empty())
        return result;

    const double nA = static_cast<double>(a.size());
    const double nB = static_cast<double>(b.size());
    const double n = nA + nB;
    const RankSums sums = rankSums(a, b);

    result.u = sums.rankSumA - nA * (nA + 1) / 2.0;
    result.effectSize = 2.0 * result.u / (nA * nB) - 1.0;

    const double meanU = nA * nB / 2.0;
    const double variance = nA * nB / 12.0 * ((n + 1) - sums.tieTerm / (n * (n - 1)));
    if (!(variance > 0))
        return result; // every value equal: no evidence either way

    const double deviation = result.u - meanU;
    const double corrected = std::max(std::abs(deviation) - 0.5, 0.0); // continuity
    result.z = std::copysign(corrected / std::sqrt(variance), deviation);
    result.pValue = std::min(1.0, std::erfc(std::abs(result.z) / std::sqrt(2.0)));
    return result;
}

} // namespace nexus::stats
