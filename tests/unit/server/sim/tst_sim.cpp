// The sandbox fleet end to end: the simulator publishes through the
// embedded broker, the Ingestor consumes into a store and the fleet
// aggregator; its planted faults must stand out there, its knowledge
// entries must cite real runs, and canary routing must carry a version's
// true effect into the stored run samples.
#include "server/ingest/FleetAggregator.h"
#include "server/ingest/Ingestor.h"
#include "server/kafka/EmbeddedBroker.h"
#include "server/sim/FleetSimulator.h"

#include "../ingest/KafkaTestSupport.h"
#include "../ingest/MemoryStore.h"

#include <QTest>

#include <algorithm>
#include <numeric>

using namespace nexus::server;
using namespace nexus::server::test;

namespace {

constexpr int kTimeoutMs = 90'000;
const std::string kTopic = "sim-fleet";

std::int64_t wallNowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

class TestRouter final : public RolloutRouter
{
public:
    std::optional<RouteDecision> activeRoute(const std::string& graphName) override
    {
        std::lock_guard lock(mutex_);
        if (route_ && graphName == "rag_pipeline")
            return route_;
        return std::nullopt;
    }
    void set(std::optional<RouteDecision> route)
    {
        std::lock_guard lock(mutex_);
        route_ = std::move(route);
    }

private:
    std::mutex mutex_;
    std::optional<RouteDecision> route_;
};

double mean(const std::vector<double>& values)
{
    return values.empty() ? 0 : std::accumulate(values.begin(), values.end(), 0.0) / values.size();
}

double medianOf(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

} // namespace

class TestSim : public QObject
{
    Q_OBJECT

    std::unique_ptr<EmbeddedBroker> broker_;
    MemoryStore store_;
    EventHub hub_;
    TestRouter router_;
    std::unique_ptr<FleetAggregator> fleet_;
    std::unique_ptr<Ingestor> ingestor_;
    std::unique_ptr<FleetSimulator> sim_;

private slots:
    void rosterHasDeploymentsAndOneOfEachFault()
    {
        const auto roster = buildRoster(
            24, {"coding_agent", "rag_pipeline", "research_team", "support_triage"}, true);
        QCOMPARE(roster.size(), std::size_t(24));
        std::map<std::string, int> deployments;
        std::set<std::string> ids, versions, regions;
        std::map<SimFault, int> faults;
        for (const SimInstance& i : roster) {
            ++deployments[i.deployment];
            ids.insert(i.instanceId);
            versions.insert(i.version);
            regions.insert(i.region);
            ++faults[i.fault];
            QVERIFY(!i.graphs.empty());
            QVERIFY(!i.host.empty());
            if (i.fault != SimFault::None)
                QCOMPARE(i.deployment, std::string("dasher"));
        }
        QCOMPARE(ids.size(), std::size_t(24));
        QCOMPARE(deployments.size(), std::size_t(3));
        QVERIFY(deployments["dasher"] >= 8 && deployments["dash-ai"] >= 8);
        QCOMPARE(versions, (std::set<std::string>{"1.8.2", "1.9.0", "2.0.0-rc1"}));
        QCOMPARE(regions.size(), std::size_t(3));
        QCOMPARE(faults[SimFault::Slow], 1);
        QCOMPARE(faults[SimFault::ErrorProne], 1);
        QCOMPARE(faults[SimFault::Drifting], 1);
    }

    void initTestCase()
    {
        EmbeddedBrokerOptions brokerOptions;
        brokerOptions.topics = {{kTopic, 4}, {kTopic + "-dlq", 1}};
        auto broker = EmbeddedBroker::start(brokerOptions);
        QVERIFY(broker.ok());
        broker_ = std::move(broker.value());

        FleetAggregatorOptions fleetOptions;
        fleetOptions.windowUs = 60LL * 1'000'000; // a short window for a fast fleet
        fleet_ = std::make_unique<FleetAggregator>(fleetOptions);
        IngestorOptions ingest;
        ingest.bootstrapServers = broker_->bootstrapServers();
        ingest.topics = {kTopic};
        ingest.groupId = "nexusd-sim-test";
        ingest.maxBatchWaitMs = 50;
        ingestor_ = std::make_unique<Ingestor>(ingest, store_, *fleet_);
        QVERIFY(ingestor_->start().ok());

        FleetSimulatorOptions options;
        options.bootstrapServers = broker_->bootstrapServers();
        options.topic = kTopic;
        options.graphsDir = std::string(NEXUS_SOURCE_DIR) + "/resources/graphs";
        options.graphs = {"rag_pipeline"}; // one graph: instances compare like for like
        options.instances = 12;
        options.runsPerSecondPerInstance = 4;
        options.seed = 2024;
        options.faults.driftPerMinute = 6.0; // minutes of drift in seconds
        options.faults.maxDrift = 0.3;
        options.knowledgeIntervalUs = 0; // the test asks for knowledge itself
        sim_ = std::make_unique<FleetSimulator>(options, &store_, &hub_, &router_);
        auto started = sim_->start();
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
    }

    void cleanupTestCase()
    {
        if (sim_)
            sim_->stop();
        if (ingestor_)
            ingestor_->stop();
        broker_.reset();
    }

    void faultyInstancesStandOutInTheFleetView()
    {
        auto everyoneHasRuns = [&] {
            const auto snapshot = fleet_->snapshot(wallNowUs());
            if (snapshot.instances.size() != 12)
                return false;
            for (const auto& instance : snapshot.instances)
                if (instance.metrics().runs_in_window() < 30)
                    return false;
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(everyoneHasRuns(), kTimeoutMs);

        std::map<std::string, SimFault> faultOf;
        for (const SimInstance& i : sim_->instances())
            faultOf[i.instanceId] = i.fault;
        const auto snapshot = fleet_->snapshot(wallNowUs());
        std::vector<double> healthyP50, healthyQuality, healthyErrors;
        std::map<SimFault, pb::Instance> faulty;
        for (const pb::Instance& instance : snapshot.instances) {
            QVERIFY(!instance.unlabelled());
            QVERIFY(!instance.host().empty() && !instance.region().empty());
            const SimFault fault = faultOf.at(instance.instance_id());
            if (fault != SimFault::None) {
                faulty[fault] = instance;
                continue;
            }
            healthyP50.push_back(instance.metrics().latency_p50_ms());
            healthyQuality.push_back(instance.metrics().quality());
            healthyErrors.push_back(instance.metrics().error_rate());
        }
        QCOMPARE(faulty.size(), std::size_t(3));
        const pb::Instance& slow = faulty[SimFault::Slow];
        const pb::Instance& flaky = faulty[SimFault::ErrorProne];
        const pb::Instance& drifting = faulty[SimFault::Drifting];
        const std::string detail = "healthy p50 " + std::to_string(medianOf(healthyP50)) +
                                   ", quality " + std::to_string(mean(healthyQuality));
        QVERIFY2(slow.metrics().latency_p50_ms() > 2.0 * medianOf(healthyP50), detail.c_str());
        QVERIFY2(flaky.metrics().error_rate() >= 0.25, detail.c_str());
        QVERIFY(*std::max_element(healthyErrors.begin(), healthyErrors.end()) < 0.1);
        QVERIFY2(drifting.metrics().quality() < mean(healthyQuality) - 0.15, detail.c_str());
        QCOMPARE(slow.status(), pb::INSTANCE_STATUS_DEGRADED);
        QVERIFY(flaky.status() == pb::INSTANCE_STATUS_UNHEALTHY ||
                flaky.status() == pb::INSTANCE_STATUS_DEGRADED);
        QCOMPARE(drifting.status(), pb::INSTANCE_STATUS_DEGRADED);
        QVERIFY(snapshot.totals.healthy() >= 7);
    }

    void knowledgeEntriesCiteRealRuns()
    {
        auto subscription = hub_.knowledge.subscribe();
        const auto entries = sim_->generateKnowledge();
        std::set<pb::KnowledgeKind> kinds;
        std::string promptEntry;
        for (const pb::KnowledgeEntry& e : entries) {
            kinds.insert(e.kind());
            QVERIFY(!e.entry_id().empty());
            QVERIFY(!e.title().empty() && !e.summary().empty());
            QVERIFY(e.source_instances_size() > 0);
            QVERIFY(e.example_trace_ids_size() > 0);
            QCOMPARE(e.status(), pb::KNOWLEDGE_STATUS_PENDING);
            if (e.kind() == pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION) {
                promptEntry = e.entry_id();
                QVERIFY(!e.prompt_optimization().optimized_prompt().empty());
            }
            // Every example is a run the ingestion stored.
            for (const auto& thread : e.example_trace_ids())
                QTRY_VERIFY_WITH_TIMEOUT(store_.traceSummary(thread).value().has_value(),
                                         kTimeoutMs);
            const auto event = subscription->next(std::chrono::milliseconds(1000));
            QVERIFY(event);
            QCOMPARE(event->type(), pb::KnowledgeEvent::TYPE_CREATED);
            QCOMPARE(event->entry().entry_id(), e.entry_id());
        }
        QCOMPARE(kinds.size(), std::size_t(4));

        const auto versions = store_.versions();
        QCOMPARE(versions.size(), std::size_t(1));
        QCOMPARE(versions[0].state(), pb::VERSION_STATE_CANDIDATE);
        QCOMPARE(versions[0].source_entry_id(), promptEntry);
        QCOMPARE(versions[0].graph_name(), std::string("rag_pipeline"));
        const auto effect = sim_->versionEffect(versions[0].version_id());
        QVERIFY(effect);
        QVERIFY(effect->qualityDelta > 0); // the first configured effect: better
    }

    void canaryRoutingCarriesTheTrueEffect()
    {
        sim_->setVersionEffect("ver-worse", {-0.3, 2.0, 0.0});
        router_.set(RouteDecision{"ro-1", "ver-worse", "", "generate", 50});
        auto routedSamples = [&](bool canary) {
            std::vector<RunSample> out;
            for (const RunSample& s : store_.samples())
                if (s.rolloutId == "ro-1" && !s.failed &&
                    (s.optimizationVersion == "ver-worse") == canary)
                    out.push_back(s);
            return out;
        };
        QTRY_VERIFY_WITH_TIMEOUT(
            routedSamples(true).size() >= 60 && routedSamples(false).size() >= 60, kTimeoutMs);
        router_.set(std::nullopt);

        std::vector<double> canaryQuality, baseQuality, canaryMs, baseMs;
        for (const RunSample& s : routedSamples(true)) {
            QVERIFY(s.quality);
            canaryQuality.push_back(*s.quality);
            canaryMs.push_back(double(s.durationUs) / 1000);
        }
        for (const RunSample& s : routedSamples(false)) {
            QVERIFY(s.optimizationVersion.empty());
            baseQuality.push_back(*s.quality);
            baseMs.push_back(double(s.durationUs) / 1000);
        }
        const std::string detail = "canary q " + std::to_string(mean(canaryQuality)) + " vs " +
                                   std::to_string(mean(baseQuality)) + ", p50 ms " +
                                   std::to_string(medianOf(canaryMs)) + " vs " +
                                   std::to_string(medianOf(baseMs));
        QVERIFY2(mean(canaryQuality) < mean(baseQuality) - 0.15, detail.c_str());
        QVERIFY2(medianOf(canaryMs) > 1.5 * medianOf(baseMs), detail.c_str());
        const SimStats stats = sim_->stats();
        QVERIFY(stats.canaryRuns > 0 && stats.baselineRuns > 0);
        QCOMPARE(stats.sinkFailures, std::uint64_t(0));
        QCOMPARE(ingestor_->stats().badRecords, std::uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestSim)
#include "tst_sim.moc"
