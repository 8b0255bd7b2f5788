// FleetAggregator without Kafka: window metrics, the status rules, deltas
// by revision, removals, and the rebuild after a restart.
#include "server/ingest/FleetAggregator.h"

#include <QTest>

using namespace nexus::server;

namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kNow = 1'800'000'000LL * kSecond;

InstanceSighting sighting(const std::string& id, const std::string& deployment,
                          std::int64_t heardUs = kNow)
{
    InstanceSighting s;
    s.instance.set_instance_id(id);
    s.instance.set_deployment(deployment);
    s.instance.set_version("1.9.0");
    s.instance.set_tenant_id("default");
    s.graphs = {"rag_pipeline"};
    s.heardUs = heardUs;
    return s;
}

RunSample sample(const std::string& instance, int i, std::int64_t durationMs, bool failed,
                 double quality)
{
    RunSample s;
    s.threadId = instance + "-" + std::to_string(i);
    s.instanceId = instance;
    s.deployment = "dasher";
    s.endedUs = kNow - std::int64_t(i) * kSecond;
    s.durationUs = durationMs * 1000;
    s.failed = failed;
    s.quality = quality;
    s.tokens = 1000;
    s.costMicros = 2000;
    return s;
}

// Ten runs per instance over the last 10 s, first seen 100 s ago.
void feed(FleetAggregator& fleet, const std::string& id, std::int64_t durationMs, int failures,
          double quality)
{
    fleet.observe(sighting(id, "dasher", kNow - 100 * kSecond));
    fleet.observe(sighting(id, "dasher", kNow));
    for (int i = 0; i < 10; ++i)
        fleet.addRun(sample(id, i, durationMs + i, i < failures, quality));
}

pb::Instance find(const FleetSnapshot& snapshot, const std::string& id)
{
    for (const auto& instance : snapshot.instances)
        if (instance.instance_id() == id)
            return instance;
    qFatal("no instance %s", id.c_str());
}

} // namespace

class TestFleetAggregator : public QObject
{
    Q_OBJECT

private slots:
    void windowMetricsAndStatusRules()
    {
        FleetAggregator fleet;
        feed(fleet, "ok-1", 1000, 0, 0.85);
        feed(fleet, "ok-2", 1100, 0, 0.86);
        feed(fleet, "ok-3", 1050, 0, 0.84);
        feed(fleet, "slow", 4000, 0, 0.85);     // p95 >= 3x the deployment median
        feed(fleet, "flaky", 1000, 2, 0.85);    // 20 % errors
        feed(fleet, "broken", 1000, 6, 0.85);   // 60 % errors
        feed(fleet, "drifting", 1000, 0, 0.55); // quality far below its peers
        fleet.observe(sighting("gone-quiet", "dasher", kNow - 120 * kSecond));

        const FleetSnapshot snapshot = fleet.snapshot(kNow);
        QCOMPARE(snapshot.instances.size(), std::size_t(8));
        const pb::Instance ok = find(snapshot, "ok-1");
        QCOMPARE(ok.status(), pb::INSTANCE_STATUS_HEALTHY);
        QCOMPARE(ok.metrics().runs_in_window(), std::int64_t(10));
        QCOMPARE(ok.metrics().window_seconds(), std::int64_t(100));
        QCOMPARE(ok.metrics().runs_per_sec(), 0.1);
        QCOMPARE(ok.metrics().tokens_per_sec(), 100.0);
        QCOMPARE(ok.metrics().cost_per_hour_micros(), std::int64_t(720'000));
        QCOMPARE(ok.metrics().latency_p50_ms(), 1004.0);
        QCOMPARE(ok.metrics().latency_p95_ms(), 1009.0);
        QVERIFY(ok.metrics().has_quality());
        QCOMPARE(find(snapshot, "slow").status(), pb::INSTANCE_STATUS_DEGRADED);
        QCOMPARE(find(snapshot, "flaky").status(), pb::INSTANCE_STATUS_DEGRADED);
        QCOMPARE(find(snapshot, "flaky").metrics().error_rate(), 0.2);
        QCOMPARE(find(snapshot, "broken").status(), pb::INSTANCE_STATUS_UNHEALTHY);
        QCOMPARE(find(snapshot, "drifting").status(), pb::INSTANCE_STATUS_DEGRADED);
        QCOMPARE(find(snapshot, "gone-quiet").status(), pb::INSTANCE_STATUS_STALE);

        QCOMPARE(snapshot.totals.instances(), 8);
        QCOMPARE(snapshot.totals.healthy(), 3);
        QCOMPARE(snapshot.totals.degraded(), 3);
        QCOMPARE(snapshot.totals.unhealthy(), 1);
        QCOMPARE(snapshot.totals.stale(), 1);
        QCOMPARE(snapshot.totals.error_rate(), 8.0 / 70.0);
    }

    void runsLeaveTheWindow()
    {
        FleetAggregator fleet;
        feed(fleet, "a", 1000, 0, 0.9);
        const std::int64_t later =
            kNow + 5 * 60 * kSecond - 5 * kSecond; // ended at now-0..5 s stay
        fleet.observe(sighting("a", "dasher", later));
        QCOMPARE(fleet.instance("a", later)->metrics().runs_in_window(), std::int64_t(6));
    }

    void deltasCarryOnlyWhatChanged()
    {
        FleetAggregator fleet;
        feed(fleet, "a", 1000, 0, 0.9);
        feed(fleet, "b", 1000, 0, 0.9);
        const pb::FleetUpdate full = fleet.changesSince(0, kNow);
        QVERIFY(full.full());
        QCOMPARE(full.upserted_size(), 2);

        const pb::FleetUpdate nothing = fleet.changesSince(full.revision(), kNow);
        QVERIFY(!nothing.full());
        QCOMPARE(nothing.upserted_size(), 0);

        fleet.addRun(sample("b", 20, 900, true, 0.5));
        const pb::FleetUpdate delta = fleet.changesSince(full.revision(), kNow);
        QVERIFY(!delta.full());
        QCOMPARE(delta.upserted_size(), 1);
        QCOMPARE(delta.upserted(0).instance_id(), std::string("b"));
        QVERIFY(delta.revision() > full.revision());
        QCOMPARE(delta.totals().instances(), 2);
    }

    void silentInstancesLeaveTheFleet()
    {
        FleetAggregatorOptions options;
        options.forgetAfterUs = 600 * kSecond;
        FleetAggregator fleet(options);
        feed(fleet, "a", 1000, 0, 0.9);
        fleet.observe(sighting("old", "dev", kNow - 700 * kSecond));
        const pb::FleetUpdate first = fleet.changesSince(0, kNow - 200 * kSecond);
        QCOMPARE(first.upserted_size(), 2);
        const pb::FleetUpdate later = fleet.changesSince(first.revision(), kNow);
        QCOMPARE(later.removed_size(), 1);
        QCOMPARE(later.removed(0), std::string("old"));
    }

    void rebuildRestoresTheView()
    {
        pb::Instance stored;
        stored.set_instance_id("a");
        stored.set_deployment("dash-ai");
        stored.set_host("host-1");
        stored.set_region("us-east-1");
        stored.set_first_seen_us(kNow - 100 * kSecond);
        stored.set_last_seen_us(kNow - 5 * kSecond);
        std::vector<RunSample> samples;
        for (int i = 0; i < 10; ++i)
            samples.push_back(sample("a", i, 1000, false, 0.8));
        samples.push_back(sample("a", 400, 1000, false, 0.8)); // outside the window
        FleetAggregator fleet;
        fleet.rebuild({stored}, samples, kNow);
        const auto a = fleet.instance("a", kNow);
        QVERIFY(a);
        QCOMPARE(a->host(), std::string("host-1"));
        QCOMPARE(a->metrics().runs_in_window(), std::int64_t(10));
        QCOMPARE(a->status(), pb::INSTANCE_STATUS_HEALTHY);
    }
};

QTEST_GUILESS_MAIN(TestFleetAggregator)
#include "tst_fleet_aggregator.moc"
