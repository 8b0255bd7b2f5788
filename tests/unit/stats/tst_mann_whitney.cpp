// Mann-Whitney U against values derived by hand, ties included.
#include "stats/Descriptive.h"
#include "stats/MannWhitney.h"

#include <QTest>

#include <cmath>

using namespace nexus::stats;

class TestMannWhitney : public QObject
{
    Q_OBJECT
private slots:
    void handWorkedExampleWithTies()
    {
        // a = {3, 4, 2, 6, 2, 5}, b = {9, 7, 5, 10, 6, 8}. Pooled and sorted:
        //   value  2    2    3  4  5    5    6    6    7  8  9  10
        //   from   a    a    a  a  a    b    a    b    b  b  b  b
        //   rank   1.5  1.5  3  4  5.5  5.5  7.5  7.5  9  10 11 12
        // R_a = 1.5+1.5+3+4+5.5+7.5 = 23, U_a = 23 - 6*7/2 = 2, U_b = 36 - 2 = 34.
        // Ties: three pairs, sum(t^3 - t) = 3*6 = 18, n = 12.
        // var = 6*6/12 * (13 - 18/(12*11)) = 38.5909..., mean = 18.
        // z = -(|2 - 18| - 0.5)/sqrt(38.5909) = -2.49511, p = erfc(2.49511/sqrt 2) = 0.012592.
        // r = 2*2/36 - 1 = -0.8889 (a tends smaller).
        const std::vector<double> a{3, 4, 2, 6, 2, 5};
        const std::vector<double> b{9, 7, 5, 10, 6, 8};
        const auto r = mannWhitneyU(a, b);
        QCOMPARE(r.u, 2.0);
        QCOMPARE(r.nA, std::size_t(6));
        QCOMPARE(r.nB, std::size_t(6));
        QVERIFY(std::abs(r.z - -2.495107) < 1e-5);
        QVERIFY(std::abs(r.pValue - 0.0125919) < 1e-6);
        QVERIFY(std::abs(r.effectSize - -8.0 / 9.0) < 1e-12);
    }

    void tortoiseAndHareCountsWins()
    {
        // Wikipedia's illustration ("Mann-Whitney U test", tortoise and hare):
        // finishing order T H H H H H T T T T T H, U = 11 for the tortoises
        // (pairs a tortoise won) and 25 for the hares. With finishing positions
        // as values, U of a side counts the pairs where it is *larger* (finished
        // later): the tortoises' ranks 1, 7..11 sum to 46, 46 - 21 = 25 pairs
        // lost, and the hares' U = 36 - 25 = 11.
        const std::vector<double> tortoise{1, 7, 8, 9, 10, 11};
        const std::vector<double> hare{2, 3, 4, 5, 6, 12};
        QCOMPARE(mannWhitneyU(tortoise, hare).u, 25.0);
        QCOMPARE(mannWhitneyU(hare, tortoise).u, 11.0);
    }

    void swappingSidesNegatesEffectAndKeepsP()
    {
        const std::vector<double> a{1.2, 3.4, 3.4, 5.0, 7.7, 2.1, 9.0};
        const std::vector<double> b{2.1, 2.2, 3.4, 0.5, 1.0};
        const auto ab = mannWhitneyU(a, b);
        const auto ba = mannWhitneyU(b, a);
        QCOMPARE(ab.u + ba.u, double(a.size() * b.size()));
        QVERIFY(std::abs(ab.effectSize + ba.effectSize) < 1e-12);
        QVERIFY(std::abs(ab.z + ba.z) < 1e-12);
        QVERIFY(std::abs(ab.pValue - ba.pValue) < 1e-12);
        QVERIFY(ab.effectSize > 0); // a tends larger
    }

    void completeSeparationIsSignificant()
    {
        std::vector<double> low, high;
        for (int i = 0; i < 30; ++i) {
            low.push_back(i);
            high.push_back(100 + i);
        }
        const auto r = mannWhitneyU(high, low);
        QCOMPARE(r.u, 900.0);
        QCOMPARE(r.effectSize, 1.0);
        QVERIFY(r.pValue < 1e-9);
    }

    void degenerateInputsGiveNoEvidence()
    {
        const auto empty = mannWhitneyU({}, {1, 2, 3});
        QCOMPARE(empty.pValue, 1.0);
        QCOMPARE(empty.u, 0.0);
        QCOMPARE(empty.effectSize, 0.0);
        QCOMPARE(empty.nA, std::size_t(0));

        const auto bothEmpty = mannWhitneyU({}, {});
        QCOMPARE(bothEmpty.pValue, 1.0);

        // Every value tied: zero variance, must not be NaN.
        const auto constant = mannWhitneyU({4, 4, 4}, {4, 4});
        QCOMPARE(constant.pValue, 1.0);
        QCOMPARE(constant.z, 0.0);
        QCOMPARE(constant.u, 3.0); // 6 pairs, all ties counted 1/2
        QCOMPARE(constant.effectSize, 0.0);

        // One value each: the continuity correction swallows the deviation.
        const auto single = mannWhitneyU({1}, {2});
        QCOMPARE(single.pValue, 1.0);
        QVERIFY(!std::isnan(single.z));
    }

    void quantileInterpolatesLikeNumpy()
    {
        // numpy.percentile([1..10], 95) = 1 + 0.95*9 = 9.55
        QVERIFY(std::abs(quantile({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0.95) - 9.55) < 1e-12);
        QCOMPARE(quantile({}, 0.5), 0.0);
        QCOMPARE(quantile({7}, 0.95), 7.0);
        QCOMPARE(mean({1, 2, 3, 6}), 3.0);
        QCOMPARE(mean({}), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestMannWhitney)
#include "tst_mann_whitney.moc"
