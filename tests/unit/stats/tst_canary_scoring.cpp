// Kayenta-style scoring: per-metric verdicts and the overall thresholds.
#include "stats/CanaryScoring.h"

#include <QTest>

using namespace nexus::stats;

namespace {

const MetricSpec latency{"latency_ms", false, false};
const MetricSpec quality{"quality", true, true};

std::vector<double> range(double from, int count, double step = 1)
{
    std::vector<double> v;
    for (int i = 0; i < count; ++i)
        v.push_back(from + i * step);
    return v;
}

MetricScore withVerdict(const char* name, Verdict verdict, bool critical = false)
{
    MetricScore m;
    m.spec = {name, false, critical};
    m.verdict = verdict;
    return m;
}

} // namespace

class TestCanaryScoring : public QObject
{
    Q_OBJECT
private slots:
    void metricVerdictFollowsPValueBands()
    {
        ScoringOptions o;
        o.minSamples = 6;
        const auto baseline = range(1, 6); // 1..6
        // Canary 4..9 (lower is better): p = 0.0364 (< alpha) and +86 % -> FAIL.
        const auto fail = scoreMetric(latency, range(4, 6), baseline, o);
        QCOMPARE(fail.verdict, Verdict::Fail);
        QVERIFY(fail.test.pValue < 0.05);
        QCOMPARE(fail.canaryMean, 6.5);
        QCOMPARE(fail.baselineMean, 3.5);
        // Canary 3..8: p = 0.1255, between alpha and 0.20 -> MARGINAL.
        QCOMPARE(scoreMetric(latency, range(3, 6), baseline, o).verdict, Verdict::Marginal);
        // Canary 2..7: p = 0.419 -> PASS (not significantly worse).
        QCOMPARE(scoreMetric(latency, range(2, 6), baseline, o).verdict, Verdict::Pass);
    }

    void betterIsNeverAFailure()
    {
        ScoringOptions o;
        o.minSamples = 6;
        // Lower latency by a wide margin: significant, but in the good direction.
        const auto s = scoreMetric(latency, range(1, 6), range(20, 6), o);
        QVERIFY(s.test.pValue < 0.05);
        QCOMPARE(s.verdict, Verdict::Pass);
        // Same numbers for quality (higher is better) would be a failure.
        QCOMPARE(scoreMetric(quality, range(1, 6), range(20, 6), o).verdict, Verdict::Fail);
        QVERIFY(scoreMetric(quality, range(1, 6), range(20, 6), o).relativeChange <
                -0.8); // 3.5 vs 22.5
    }

    void tinyDifferenceWithinToleranceIsPass()
    {
        // Completely separated (p ~ 0) but only 1 % slower: below the 2 % tolerance.
        const auto s = scoreMetric(latency, range(101, 50, 0.001), range(100, 50, 0.001));
        QVERIFY(s.test.pValue < 1e-6);
        QVERIFY(s.relativeChange > 0.009 && s.relativeChange < 0.011);
        QCOMPARE(s.verdict, Verdict::Pass);
    }

    void fewerThanMinSamplesIsInsufficient()
    {
        ScoringOptions o;
        o.minSamples = 20;
        const auto s = scoreMetric(latency, range(1, 19), range(1, 40), o);
        QCOMPARE(s.verdict, Verdict::InsufficientData);
        QCOMPARE(s.canarySamples, std::size_t(19));
        QCOMPARE(scoreMetric(latency, {}, {}, o).verdict, Verdict::InsufficientData);
    }

    void overallScoreThresholds()
    {
        using V = Verdict;
        auto all = [](std::vector<MetricScore> m) { return scoreCanary(std::move(m)); };

        const auto pass = all({withVerdict("a", V::Pass), withVerdict("b", V::Pass),
                               withVerdict("c", V::Pass), withVerdict("d", V::Pass)});
        QCOMPARE(pass.score, 100.0);
        QCOMPARE(pass.verdict, V::Pass);

        // 3 pass + 1 marginal = 87.5: MARGINAL (75 <= score < 95).
        const auto marginal = all({withVerdict("a", V::Pass), withVerdict("b", V::Pass),
                                   withVerdict("c", V::Pass), withVerdict("d", V::Marginal)});
        QCOMPARE(marginal.score, 87.5);
        QCOMPARE(marginal.verdict, V::Marginal);

        // Exactly on the marginal threshold: 3 of 4 = 75 is still MARGINAL.
        const auto edge = all({withVerdict("a", V::Pass), withVerdict("b", V::Pass),
                               withVerdict("c", V::Pass), withVerdict("d", V::Fail)});
        QCOMPARE(edge.score, 75.0);
        QCOMPARE(edge.verdict, V::Marginal);

        const auto fail = all({withVerdict("a", V::Pass), withVerdict("b", V::Pass),
                               withVerdict("c", V::Fail), withVerdict("d", V::Fail)});
        QCOMPARE(fail.score, 50.0);
        QCOMPARE(fail.verdict, V::Fail);
    }

    void criticalFailureFailsWhateverTheScore()
    {
        const auto s = scoreCanary(
            {withVerdict("a", Verdict::Pass), withVerdict("b", Verdict::Pass),
             withVerdict("c", Verdict::Pass), withVerdict("quality", Verdict::Fail, true)});
        QCOMPARE(s.score, 75.0);
        QCOMPARE(s.verdict, Verdict::Fail);
    }

    void insufficientMetricsAreLeftOut()
    {
        const auto s =
            scoreCanary({withVerdict("a", Verdict::Pass), withVerdict("b", Verdict::Pass),
                         withVerdict("quality", Verdict::InsufficientData, true)});
        QCOMPARE(s.score, 100.0);
        QCOMPARE(s.verdict, Verdict::Pass);

        const auto none = scoreCanary({withVerdict("a", Verdict::InsufficientData)});
        QCOMPARE(none.verdict, Verdict::InsufficientData);
        QCOMPARE(scoreCanary({}).verdict, Verdict::InsufficientData);
    }

    void thresholdsAreConfigurable()
    {
        ScoringOptions strict;
        strict.passScore = 100;
        strict.marginalScore = 90;
        const auto s =
            scoreCanary({withVerdict("a", Verdict::Pass), withVerdict("b", Verdict::Pass),
                         withVerdict("c", Verdict::Pass), withVerdict("d", Verdict::Marginal)},
                        strict);
        QCOMPARE(s.verdict, Verdict::Fail); // 87.5 < 90
    }
};

QTEST_GUILESS_MAIN(TestCanaryScoring)
#include "tst_canary_scoring.moc"
