#pragma once
// The sandbox fleet (docs/fleet-simulator.md): simulated instances that run
// the sample graphs on the embedded runtime at a steady pace and publish
// real DashStream records, with their instance labels, through one shared
// Kafka producer. A run executes at once; its timestamps follow the
// simulated latencies from the moment it starts. By default its telemetry
// is published at once too; with realTime each message is published when
// its timestamp comes due, so runs are seen running on the wire.
//
// Before every run it asks the RolloutRouter for the graph's active route
// and sends weight% of the runs to the canary version, with that version's
// true effect (quality, latency, errors) applied and GRAPH_START attributes
// optimization_version / rollout_id set. Every knowledge interval it writes
// knowledge entries of the four kinds into the store (KnowledgeEvent
// CREATED on the hub) and a CANDIDATE optimization version for each prompt
// optimization, whose true effect it keeps in its own config.

#include "runtime/ScriptRunner.h"
#include "server/events/EventHub.h"
#include "server/kafka/KafkaError.h"
#include "server/rollout/RolloutRouter.h"
#include "server/sim/KnowledgeWriter.h"
#include "server/sim/SimFleet.h"
#include "server/store/Store.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace nexus::server {

// What an optimization version really does to the runs routed to it.
struct VersionEffect
{
    double qualityDelta = 0;          // added to every quality component
    double latencyFactor = 1;         // node latencies x
    double extraErrorProbability = 0; // per node
};

struct FleetSimulatorOptions
{
    std::string bootstrapServers = "localhost:9092";
    std::string topic = "dashstream-events";
    std::map<std::string, std::string> kafkaConfig; // extra producer properties
    std::string graphsDir;                          // e.g. <install>/resources/graphs
    std::vector<std::string> graphs;                // graph names to run; empty = every file
    int instances = 24;
    double runsPerSecondPerInstance = 0.5;
    // Instance i runs for tenants[i % size] (its runs, traces and routing);
    // knowledge round r is written for tenants[r % size] from its runs.
    std::vector<std::string> tenants = {"acme", "globex"};
    std::optional<std::uint64_t> seed; // draws (arrivals, routing, run seeds); default random
    SimFaultOptions faults;
    // Knowledge: the first batch after firstKnowledgeAfterUs, then every
    // knowledgeIntervalUs (0 = never).
    std::int64_t firstKnowledgeAfterUs = 30LL * 1'000'000;
    std::int64_t knowledgeIntervalUs = 3LL * 60 * 1'000'000;
    // The true effect of each optimization version the simulator creates,
    // taken in turn: by default one better, one worse.
    std::vector<VersionEffect> versionEffects = {{0.06, 0.95, 0.0}, {-0.12, 1.3, 0.05}};
    std::size_t recentRunsKept = 500; // evidence for knowledge entries
    // Pacing. false: a run's messages are published as soon as it has run
    // (their timestamps lie ahead). true: each message is published when
    // its header timestamp comes due (run start + simulated offset), a
    // run's messages in emission order. A run that would take the pending
    // queue past pacedQueueLimit messages is published at once instead
    // (SimStats::pacedOverflow). stop() publishes what is still pending at
    // once, for at most pacedFlushTimeoutMs; the rest is dropped
    // (SimStats::pacedDropped).
    bool realTime = false;
    std::size_t pacedQueueLimit = 200'000;
    int pacedFlushTimeoutMs = 5'000;
};

struct SimStats
{
    std::uint64_t runs = 0;
    std::uint64_t failedRuns = 0;
    std::uint64_t canaryRuns = 0;
    std::uint64_t baselineRuns = 0;  // runs under a rollout that stayed on the baseline
    std::uint64_t messages = 0;      // emitted by the runs
    std::uint64_t sinkFailures = 0;  // refused by the Kafka sink
    std::uint64_t published = 0;     // handed to the Kafka sink (refused ones included)
    std::uint64_t pacedPending = 0;  // realTime: emitted, waiting for their time
    std::uint64_t pacedOverflow = 0; // realTime: published early, the queue being full
    std::uint64_t pacedDropped = 0;  // realTime: still pending when stop() gave up flushing
    std::uint64_t knowledgeEntries = 0;
    std::uint64_t versions = 0;
    std::string lastError;
};

class FleetSimulator
{
public:
    // Any of store, events and router may be null: no knowledge, no events,
    // no routing. Those given must outlive the simulator.
    FleetSimulator(FleetSimulatorOptions options, Store* store, EventHub* events,
                   RolloutRouter* router);
    ~FleetSimulator(); // stop()
    FleetSimulator(const FleetSimulator&) = delete;
    FleetSimulator& operator=(const FleetSimulator&) = delete;

    // Loads the graphs, creates the producer and starts the worker.
    KafkaStatus start();
    // Publishes what is still paced (realTime) and flushes what was produced.
    void stop();
    bool running() const { return worker_.joinable(); }

    const std::vector<SimInstance>& instances() const { return roster_; }
    SimStats stats() const;

    // The true effect of a version (the sandbox config). Versions the
    // simulator did not create get theirs from the knowledge entry they
    // came from, or none.
    void setVersionEffect(const std::string& versionId, const VersionEffect& effect);
    std::optional<VersionEffect> versionEffect(const std::string& versionId);

    // Writes a knowledge batch now (normally the worker does it on its
    // interval); returns the entries created.
    std::vector<pb::KnowledgeEntry> generateKnowledge();

private:
    struct Impl;
    void run();
    void runOnce(std::size_t instanceIndex);
    // realTime: publishes the paced messages due by `upTo`, giving up (and
    // dropping the rest) after `deadline`.
    void publishDue(std::chrono::steady_clock::time_point upTo,
                    std::chrono::steady_clock::time_point deadline);
    runtime::RunEffects faultEffects(const SimInstance& instance) const;
    std::int64_t nowUs() const;

    FleetSimulatorOptions options_;
    Store* store_;
    EventHub* events_;
    RolloutRouter* router_;
    std::vector<SimInstance> roster_;
    std::unique_ptr<Impl> impl_;
    std::thread worker_;
    std::atomic<bool> stopping_{false};
    std::mutex wakeMutex_;
    std::condition_variable wake_;
};

} // namespace nexus::server
