#include "stats/CanaryScoring.h"

#include "stats/Descriptive.h"

#include <cmath>
#include <limits>
#include <utility>

namespace nexus::stats {

const char* verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Pass:
        return "PASS";
    case Verdict::Marginal:
        return "MARGINAL";
    case Verdict::Fail:
        return "FAIL";
    case Verdict::InsufficientData:
        break;
    }
    return "INSUFFICIENT_DATA";
}

namespace {

double relativeChange(double canary, double baseline)
{
    if (baseline != 0)
        return (canary - baseline) / std::abs(baseline);
    if (canary == 0)
        return 0;
    return std::copysign(std::numeric_limits<double>::infinity(), canary);
}

} // namespace

MetricScore scoreMetric(const MetricSpec& spec, const std::vector<double>& canary,
                        const std::vector<double>& baseline, const ScoringOptions& options)
{
    MetricScore score;
    score.spec = spec;
    score.canarySamples = canary.size();
    score.baselineSamples = baseline.size();
    score.canaryMean = mean(canary);
    score.baselineMean = mean(baseline);
    score.relativeChange = relativeChange(score.canaryMean, score.baselineMean);
    score.test = mannWhitneyU(canary, baseline);

    if (canary.size() < options.minSamples || baseline.size() < options.minSamples ||
        canary.empty() || baseline.empty()) {
        score.verdict = Verdict::InsufficientData;
        return score;
    }

    // Positive = worse, in both the rank sense and the mean sense.
    const double badEffect = spec.higherIsBetter ? -score.test.effectSize : score.test.effectSize;
    const double badChange = spec.higherIsBetter ? -score.relativeChange : score.relativeChange;
    const bool worse = badEffect > 0 && badChange > options.tolerance;

    if (worse && score.test.pValue < options.alpha)
        score.verdict = Verdict::Fail;
    else if (worse && score.test.pValue < options.marginalAlpha)
        score.verdict = Verdict::Marginal;
    else
        score.verdict = Verdict::Pass;
    return score;
}

CanaryScore scoreCanary(std::vector<MetricScore> metrics, const ScoringOptions& options)
{
    CanaryScore result;
    result.metrics = std::move(metrics);

    double points = 0;
    int judged = 0;
    bool criticalFailed = false;
    for (const MetricScore& m : result.metrics) {
        switch (m.verdict) {
        case Verdict::Pass:
            points += 1;
            break;
        case Verdict::Marginal:
            points += 0.5;
            break;
        case Verdict::Fail:
            criticalFailed = criticalFailed || m.spec.critical;
            break;
        case Verdict::InsufficientData:
            continue;
        }
        ++judged;
    }
    if (judged == 0)
        return result;

    result.score = 100.0 * points / judged;
    if (criticalFailed)
        result.verdict = Verdict::Fail;
    else if (result.score >= options.passScore)
        result.verdict = Verdict::Pass;
    else if (result.score >= options.marginalScore)
        result.verdict = Verdict::Marginal;
    else
        result.verdict = Verdict::Fail;
    return result;
}

} // namespace nexus::stats
