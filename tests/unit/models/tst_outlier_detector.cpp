// The outlier rule on synthetic fleets: the sandbox's three planted faults
// come out flagged, nothing else does; no flags on a homogeneous fleet, on
// noise around a near-zero MAD, with too few peers or runs, or for
// differences in the good direction.
#include "models/OutlierDetector.h"

#include "SyntheticFleet.h"

#include <QTest>

using nexus::models::detectOutliers;
using nexus::models::OutlierInput;

namespace {

std::vector<OutlierInput> inputsOf(const std::vector<nexus::v1::Instance>& fleet)
{
    std::vector<OutlierInput> in;
    for (const auto& i : fleet) {
        OutlierInput x;
        x.deployment = i.deployment();
        x.latencyP95Ms = i.metrics().latency_p95_ms();
        x.errorRate = i.metrics().error_rate();
        x.quality = i.metrics().quality();
        x.hasQuality = i.metrics().has_quality();
        x.runsInWindow = i.metrics().runs_in_window();
        x.stale = i.status() == nexus::v1::INSTANCE_STATUS_STALE;
        in.push_back(x);
    }
    return in;
}

std::vector<OutlierInput> uniform(int n, double p95, double errors, double quality)
{
    std::vector<OutlierInput> in(static_cast<std::size_t>(n));
    for (auto& x : in) {
        x.deployment = "d";
        x.latencyP95Ms = p95;
        x.errorRate = errors;
        x.quality = quality;
        x.hasQuality = true;
        x.runsInWindow = 100;
    }
    return in;
}

} // namespace

class TestOutlierDetector : public QObject
{
    Q_OBJECT
private slots:
    void flagsExactlyTheSandboxFaults()
    {
        const auto fleet = nexus::testing::sandboxFleet();
        const auto found = detectOutliers(inputsOf(fleet.instances));
        QStringList flagged;
        for (std::size_t i = 0; i < found.size(); ++i)
            if (found[i].metrics)
                flagged << QString::fromStdString(fleet.instances[i].instance_id()) +
                               QStringLiteral(": ") + QString::fromStdString(found[i].reason);
        QCOMPARE(flagged, QStringList({
                              "dasher-euw1-02: p95 latency 2.8\u00d7 its deployment's median "
                              "(robust z = 23.8)",
                              "dasher-apse2-03: error rate 47.0 % vs its deployment's median 2.7 % "
                              "(robust z = 29.9)",
                              "dasher-use1-04: quality 0.71 vs its deployment's median 0.85 "
                              "(robust z = -9.2)",
                          }));
    }

    void homogeneousFleetHasNoFlags()
    {
        // Remove the planted faults: every instance within its jitter.
        const auto healthy = nexus::testing::sandboxFleet(240);
        std::vector<nexus::v1::Instance> clean;
        for (const auto& i : healthy.instances)
            if (i.instance_id() != healthy.slowId && i.instance_id() != healthy.errorProneId &&
                i.instance_id() != healthy.driftingId)
                clean.push_back(i);
        for (const auto& f : detectOutliers(inputsOf(clean)))
            QCOMPARE(int(f.metrics), 0);
        QCOMPARE(int(clean.size()), 237);
    }

    void nearZeroMadDoesNotFlagNoise()
    {
        auto in = uniform(10, 1000, 0.0, 0.9); // MAD exactly 0
        in[3].latencyP95Ms = 1040;             // 4 % slower: noise
        in[4].errorRate = 0.01;                // one point more errors: noise
        in[5].quality = 0.88;                  // 0.02 lower: noise
        for (const auto& f : detectOutliers(in))
            QCOMPARE(int(f.metrics), 0);
        in[3].latencyP95Ms = 1600; // 1.6x: flagged despite the zero MAD
        in[4].errorRate = 0.2;
        in[5].quality = 0.7;
        const auto found = detectOutliers(in);
        QCOMPARE(int(found[3].metrics), int(nexus::models::OutlierLatency));
        QCOMPARE(int(found[4].metrics), int(nexus::models::OutlierErrorRate));
        QCOMPARE(int(found[5].metrics), int(nexus::models::OutlierQuality));
    }

    void goodDirectionIsNotFlagged()
    {
        auto in = uniform(10, 1000, 0.05, 0.7);
        in[0].latencyP95Ms = 200;
        in[1].errorRate = 0;
        in[2].quality = 0.99;
        for (const auto& f : detectOutliers(in))
            QCOMPARE(int(f.metrics), 0);
    }

    void needsPeersAndRuns()
    {
        auto in = uniform(4, 1000, 0.02, 0.9); // 4 < minPeers 5
        in[0].latencyP95Ms = 9000;
        QCOMPARE(int(detectOutliers(in)[0].metrics), 0);
        in = uniform(6, 1000, 0.02, 0.9);
        in[0].latencyP95Ms = 9000;
        in[0].runsInWindow = 3; // too few runs to judge
        QCOMPARE(int(detectOutliers(in)[0].metrics), 0);
        in[0].runsInWindow = 100;
        in[1].stale = true; // stale: not a peer, but 5 remain
        QCOMPARE(int(detectOutliers(in)[0].metrics), int(nexus::models::OutlierLatency));
        in[2].stale = true; // now 4 judged: too few
        QCOMPARE(int(detectOutliers(in)[0].metrics), 0);
    }

    void deploymentsAreJudgedSeparately()
    {
        auto a = uniform(6, 1000, 0.02, 0.9);
        auto b = uniform(6, 3000, 0.02, 0.9); // slower deployment, consistently
        for (auto& x : b)
            x.deployment = "other";
        a.insert(a.end(), b.begin(), b.end());
        for (const auto& f : detectOutliers(a))
            QCOMPARE(int(f.metrics), 0);
    }
};

QTEST_GUILESS_MAIN(TestOutlierDetector)
#include "tst_outlier_detector.moc"
