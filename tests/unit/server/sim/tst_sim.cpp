// The sandbox fleet end to end: the simulator publishes through the
// embedded broker, the Ingestor consumes into a store and the fleet
// aggregator; its planted faults must stand out there, its knowledge
// entries must cite real runs, and canary routing must carry a version's
// true effect into the stored run samples. In real time, a run's records
// must reach the wire spread out as its timestamps say, in emission order.
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/TelemetryEmitter.h"
#include "server/ingest/FleetAggregator.h"
#include "server/ingest/Ingestor.h"
#include "server/kafka/EmbeddedBroker.h"
#include "server/sim/FleetSimulator.h"

#include "../ingest/KafkaTestSupport.h"
#include "../ingest/MemoryStore.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <thread>

using namespace nexus::server;
using namespace nexus::server::test;

namespace {

constexpr int kTimeoutMs = 90'000;
const std::string kTopic = "sim-fleet";
const std::string kPacedTopic = "sim-paced";
const std::string kStopTopic = "sim-paced-stop";
const std::string kBoundTopic = "sim-paced-bound";

std::int64_t wallNowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

class TestRouter final : public RolloutRouter
{
public:
    std::optional<RouteDecision> activeRoute(const std::string& graphName,
                                             const std::string& = {}) override
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

// One record as a live reader saw it: when it arrived, and its header.
struct Arrival
{
    std::chrono::steady_clock::time_point at;
    std::string threadId;
    std::uint64_t sequence = 0;
    std::int64_t timestampUs = 0;
    ds::EventType event = ds::EVENT_TYPE_UNSPECIFIED; // for Event messages
};

// Reads every partition of a topic from the start on its own thread and
// notes when each record arrives.
class TimedReader
{
public:
    TimedReader(const std::string& bootstrap, const std::string& topic, int partitions)
    {
        char errstr[256];
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
        rd_kafka_conf_set(conf, "group.id", "timed-reader", errstr, sizeof errstr);
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
        rd_kafka_conf_set(conf, "fetch.wait.max.ms", "20", errstr, sizeof errstr);
        consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
        rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
        for (int p = 0; p < partitions; ++p)
            rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(consumer_, parts);
        rd_kafka_topic_partition_list_destroy(parts);
        thread_ = std::thread([this] { read(); });
    }
    ~TimedReader()
    {
        stop_ = true;
        thread_.join();
        rd_kafka_consumer_close(consumer_);
        rd_kafka_destroy(consumer_);
    }
    std::vector<Arrival> arrivals() const
    {
        std::lock_guard lock(mutex_);
        return arrivals_;
    }
    std::size_t undecoded() const
    {
        std::lock_guard lock(mutex_);
        return undecoded_;
    }

private:
    void read()
    {
        nexus::protocol::RecordDecoder decoder;
        while (!stop_) {
            rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, 50);
            if (!m)
                continue;
            const auto at = std::chrono::steady_clock::now();
            if (!m->err) {
                ds::DashStreamMessage message;
                const bool ok =
                    decoder.decode({static_cast<const char*>(m->payload), m->len}, message).ok();
                const ds::Header* h = ok ? nexus::protocol::headerOf(message) : nullptr;
                std::lock_guard lock(mutex_);
                if (!h) {
                    ++undecoded_;
                } else {
                    arrivals_.push_back({at, h->thread_id(), h->sequence(), h->timestamp_us(),
                                         message.has_event() ? message.event().event_type()
                                                             : ds::EVENT_TYPE_UNSPECIFIED});
                }
            }
            rd_kafka_message_destroy(m);
        }
    }

    rd_kafka_t* consumer_ = nullptr;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<Arrival> arrivals_;
    std::size_t undecoded_ = 0;
};

// A run's records in the order they arrived.
std::map<std::string, std::vector<Arrival>> byRun(const std::vector<Arrival>& arrivals)
{
    std::map<std::string, std::vector<Arrival>> runs;
    for (const Arrival& a : arrivals)
        runs[a.threadId].push_back(a);
    return runs;
}

const Arrival* findEvent(const std::vector<Arrival>& run, ds::EventType type)
{
    for (const Arrival& a : run)
        if (a.event == type)
            return &a;
    return nullptr;
}

// Finished runs (GRAPH_START and GRAPH_END arrived) whose simulated span
// is at least a second.
std::size_t longFinishedRuns(const std::vector<Arrival>& arrivals)
{
    std::size_t n = 0;
    for (const auto& [thread, run] : byRun(arrivals)) {
        const Arrival* start = findEvent(run, ds::EVENT_TYPE_GRAPH_START);
        const Arrival* end = findEvent(run, ds::EVENT_TYPE_GRAPH_END);
        n += start && end && end->timestampUs - start->timestampUs >= 1'000'000 ? 1 : 0;
    }
    return n;
}

FleetSimulatorOptions pacedOptions(const std::string& bootstrap, const std::string& topic)
{
    FleetSimulatorOptions options;
    options.bootstrapServers = bootstrap;
    options.topic = topic;
    options.graphsDir = std::string(NEXUS_SOURCE_DIR) + "/resources/graphs";
    options.graphs = {"rag_pipeline"}; // runs of about 4 s (retrieve, rerank, generate, ...)
    options.knowledgeIntervalUs = 0;
    options.realTime = true;
    return options;
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
        brokerOptions.topics = {
            {kTopic, 4}, {kTopic + "-dlq", 1}, {kPacedTopic, 4}, {kStopTopic, 4}, {kBoundTopic, 4}};
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
        router_.set(RouteDecision{"ro-1", "ver-worse", "", "generate", 50, ""});
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

    // Real-time pacing publishes messages by their timestamps, which is only
    // order-preserving if a run's timestamps never go back, interrupts and
    // resumes included (coding_agent's human review).
    void runTimestampsNeverGoBack()
    {
        const std::string dir = std::string(NEXUS_SOURCE_DIR) + "/resources/graphs";
        int graphs = 0;
        for (const auto& file : std::filesystem::directory_iterator(dir)) {
            if (file.path().extension() != ".json")
                continue;
            auto loaded = nexus::runtime::loadGraphFile(file.path().string());
            QVERIFY(loaded.ok());
            ++graphs;
            for (std::uint64_t seed = 1; seed <= 20; ++seed) {
                nexus::runtime::MemorySink sink;
                nexus::runtime::TelemetryEmitter emitter(sink);
                nexus::runtime::RunOptions options;
                options.seed = seed;
                nexus::runtime::Executor executor(loaded->graph, options, &emitter);
                auto result = executor.start();
                for (int resumes = 0;
                     result.status == nexus::runtime::RunStatus::Interrupted && resumes < 16;
                     ++resumes)
                    result = executor.resume(result.interrupt->autoResume);
                std::int64_t last = 0;
                std::uint64_t lastSequence = 0;
                for (const auto& m : sink.messages()) {
                    const ds::Header* h = nexus::protocol::headerOf(m);
                    QVERIFY(h);
                    QVERIFY2(h->timestamp_us() >= last, file.path().filename().c_str());
                    QVERIFY(h->sequence() > lastSequence);
                    last = h->timestamp_us();
                    lastSequence = h->sequence();
                }
            }
        }
        QCOMPARE(graphs, 4);
    }

    // With realTime, a run's records reach the wire as its simulated time
    // passes: GRAPH_END arrives about its span after GRAPH_START, and every
    // run's records arrive in emission order.
    void realTimeRecordsArriveAsTheRunGoes()
    {
        // The fleet above has done its part; quiet the machine for timing.
        sim_->stop();
        ingestor_->stop();

        TimedReader reader(broker_->bootstrapServers(), kPacedTopic, 4);
        FleetSimulatorOptions options = pacedOptions(broker_->bootstrapServers(), kPacedTopic);
        options.instances = 2;
        options.runsPerSecondPerInstance = 0.5;
        options.seed = 77;
        FleetSimulator sim(options, nullptr, nullptr, nullptr);
        QVERIFY(sim.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(sim.stats().pacedPending > 0, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(longFinishedRuns(reader.arrivals()) >= 4, kTimeoutMs);
        // Only what arrived before stop() (which flushes the rest at once).
        const std::vector<Arrival> arrivals = reader.arrivals();
        sim.stop();
        QCOMPARE(reader.undecoded(), std::size_t(0));

        std::size_t checked = 0;
        for (const auto& [thread, run] : byRun(arrivals)) {
            // Per run, the wire order is the emission order.
            for (std::size_t i = 1; i < run.size(); ++i) {
                QVERIFY2(run[i].sequence > run[i - 1].sequence, thread.c_str());
                QVERIFY2(run[i].timestampUs >= run[i - 1].timestampUs, thread.c_str());
            }
            const Arrival* start = findEvent(run, ds::EVENT_TYPE_GRAPH_START);
            const Arrival* end = findEvent(run, ds::EVENT_TYPE_GRAPH_END);
            if (!start || !end)
                continue;
            QCOMPARE(start->sequence, std::uint64_t(1));
            const std::int64_t spanUs = end->timestampUs - start->timestampUs;
            if (spanUs < 1'000'000)
                continue;
            const auto gapUs =
                std::chrono::duration_cast<std::chrono::microseconds>(end->at - start->at).count();
            const std::string detail = thread + ": simulated " + std::to_string(spanUs / 1000) +
                                       " ms, on the wire " + std::to_string(gapUs / 1000) + " ms";
            qInfo("%s", detail.c_str());
            QVERIFY2(gapUs >= spanUs / 2, detail.c_str());
            ++checked;
        }
        QVERIFY(checked >= 4);
        const SimStats stats = sim.stats();
        QCOMPARE(stats.sinkFailures, std::uint64_t(0));
        QCOMPARE(stats.pacedOverflow, std::uint64_t(0));
    }

    // stop() with paced messages pending returns promptly and publishes
    // them: every emitted message reaches the broker.
    void stopFlushesPacedMessagesPromptly()
    {
        FleetSimulatorOptions options = pacedOptions(broker_->bootstrapServers(), kStopTopic);
        options.instances = 4;
        options.runsPerSecondPerInstance = 2;
        options.seed = 78;
        FleetSimulator sim(options, nullptr, nullptr, nullptr);
        QVERIFY(sim.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(sim.stats().pacedPending >= 200 && sim.stats().runs >= 8,
                                 kTimeoutMs);
        QElapsedTimer clock;
        clock.start();
        sim.stop();
        const qint64 stopMs = clock.elapsed();
        qInfo("stop() took %lld ms", stopMs);
        QVERIFY2(stopMs < 5000, qPrintable(QString::number(stopMs)));

        const SimStats stats = sim.stats();
        QCOMPARE(stats.pacedPending, std::uint64_t(0));
        QCOMPARE(stats.pacedDropped, std::uint64_t(0));
        QCOMPARE(stats.pacedOverflow, std::uint64_t(0));
        QCOMPARE(stats.sinkFailures, std::uint64_t(0));
        QVERIFY(stats.messages > 0);
        QCOMPARE(stats.published, stats.messages);
        const auto records = consumeAll(broker_->bootstrapServers(), kStopTopic, stats.messages, 4);
        QCOMPARE(records.size(), std::size_t(stats.messages));
    }

    // The pending queue is bounded: a run that does not fit goes out at
    // once (counted), and nothing is lost.
    void pacedQueueIsBounded()
    {
        FleetSimulatorOptions options = pacedOptions(broker_->bootstrapServers(), kBoundTopic);
        options.instances = 4;
        options.runsPerSecondPerInstance = 4;
        options.seed = 79;
        options.pacedQueueLimit = 300;
        FleetSimulator sim(options, nullptr, nullptr, nullptr);
        QVERIFY(sim.start().ok());
        bool withinBound = true;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const SimStats s = sim.stats();
                withinBound = withinBound && s.pacedPending <= 300;
                return s.pacedOverflow > 0 && s.pacedPending > 0;
            }(),
            kTimeoutMs);
        sim.stop();
        QVERIFY(withinBound);
        const SimStats stats = sim.stats();
        QVERIFY(stats.pacedOverflow < stats.messages);
        QCOMPARE(stats.published, stats.messages);
        QCOMPARE(stats.pacedPending, std::uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestSim)
#include "tst_sim.moc"
