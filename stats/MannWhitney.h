#pragma once
// The Mann-Whitney U test (Wilcoxon rank-sum): does one sample tend to be
// larger than the other? Used to compare canary and baseline runs per metric
// without assuming any distribution.

#include <cstddef>
#include <vector>

namespace nexus::stats {

struct MannWhitneyResult
{
    double u = 0;          // U of `a`: pairs (x in a, y in b) with x > y, ties counting 1/2
    double z = 0;          // normal approximation, tie and continuity corrected; > 0 = a larger
    double pValue = 1;     // two-sided; 1 when the test cannot tell (empty or constant inputs)
    double effectSize = 0; // rank-biserial r = 2U/(nA nB) - 1 in -1..1; > 0 = a tends larger
    std::size_t nA = 0;
    std::size_t nB = 0;
};

// Ties get average ranks; the variance is corrected for them. Never NaN:
// an empty side or a zero variance (every value equal) gives p = 1, z = 0.
MannWhitneyResult mannWhitneyU(const std::vector<double>& a, const std::vector<double>& b);

} // namespace nexus::stats
