#pragma once
// Kafka ingestion for nexusd (DESIGN.md §3): a librdkafka consumer on its own
// worker, in its own consumer group, reading DashStream records from the
// configured topics.
//
// Per record: decode (protocol::RecordDecoder, with its limits), dedupe by
// message_id, follow the run (RunTracker), keep the record for the run's
// log. Per batch: append the records to the store grouped by thread (keyed by
// message id, so a record another replica stored already is skipped), upsert
// the summaries that changed, put new graph schemas, add a RunSample for
// every finished run, feed the FleetAggregator — and only then store the
// consumed offsets for the next commit (at-least-once; dedupe makes a
// redelivery harmless, also after a restart: a run the store already knows
// is adopted with its stored message ids).
//
// A record that does not decode is counted, dead-lettered to
// "<topic>-dlq" as DashFlow's DlqMessage JSON, and ingestion goes on.
//
// Kafka reachability (fault tests, issue 11): when every broker is down the
// ingestor says so once (IngestStats::kafkaProblem, and one line through
// IngestorOptions::onStatus, by default "nexusd: ingest: ..." on stderr);
// librdkafka keeps reconnecting by itself, and when a broker answers again
// the problem clears with a second line naming how long it lasted.

#include "protocol/Dedupe.h"
#include "protocol/Framing.h"
#include "server/ingest/FleetAggregator.h"
#include "server/ingest/RunTracker.h"
#include "server/kafka/KafkaError.h"
#include "server/store/Store.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace nexus::server {

struct IngestorOptions
{
    std::string bootstrapServers = "localhost:9092";
    std::vector<std::string> topics = {"dashstream-events"};
    std::string groupId = "nexusd";
    std::string consumerId; // client.id and the DLQ's consumer_id; default "nexusd-<8 hex>"
    // Extra librdkafka properties for the consumer and the DLQ producer
    // (security.protocol, sasl.*, ...); they override the defaults.
    std::map<std::string, std::string> kafkaConfig;
    // Extra properties for the consumer only (group settings such as
    // session.timeout.ms, which a producer would warn about).
    std::map<std::string, std::string> consumerConfig;
    // > 0: read partitions 0..N-1 of every topic by direct assignment instead
    // of joining the consumer group (one nexusd on the embedded broker, which
    // holds a group's first join for 3 s). Offsets are still committed and
    // resumed under groupId. 0: subscribe as a member of groupId (replicas).
    int assignPartitions = 0;
    // Replicas: finished runs reach the FleetAggregator from the store (every
    // replica's ChangeFeed), not from this ingestor, which then neither
    // rebuilds the fleet view at start nor adds its runs to it.
    bool fleetFromStore = false;
    bool deadLetters = true;
    std::string deadLetterSuffix = "-dlq";
    std::size_t maxBatchRecords = 2000;
    int maxBatchWaitMs = 100;
    int sweepIntervalMs = 1000;   // stale runs
    int persistIntervalMs = 5000; // upsertInstance of changed instances
    int storeRetryMaxMs = 5000;   // backoff cap while the store fails
    RunTrackerOptions runs;
    protocol::DecodeLimits limits;
    std::size_t dedupeCapacity = 262'144; // message ids remembered (~60 bytes each)
    std::function<std::int64_t()> clock;  // wall clock in µs; default the system clock
    // Called on the worker thread when Kafka becomes unreachable (problem
    // true) or reachable again (false), with one sentence. Default: a line
    // "nexusd: ingest: <sentence>" on stderr.
    std::function<void(const std::string& sentence, bool problem)> onStatus;
    // As a group member (assignPartitions 0): called on the worker after every
    // rebalance with what this consumer now reads, e.g. "reading
    // dashstream-events[0,2]" or "reading no partitions". Default: a line
    // "nexusd: ingest: <sentence>" on stderr.
    std::function<void(const std::string& sentence)> onPartitions;
    // Called on the worker with the runs that finished, once each, after the
    // store has them (labels parallel to samples); e.g. server/metrics'
    // FleetMetrics. Unset: nothing.
    std::function<void(const std::vector<RunSample>& samples, const std::vector<RunLabels>& labels)>
        onRunsFinished;
};

struct IngestStats
{
    std::uint64_t records = 0;      // consumed from Kafka
    std::uint64_t stored = 0;       // appended to run logs
    std::uint64_t duplicates = 0;   // dropped by message_id
    std::uint64_t badRecords = 0;   // did not decode (or had no thread_id)
    std::uint64_t deadLettered = 0; // delivered to the DLQ topic
    std::uint64_t deadLetterFailures = 0;
    std::uint64_t runsStarted = 0;
    std::uint64_t runsFinished = 0;
    std::uint64_t storeFailures = 0; // batch writes that had to be retried
    std::uint64_t kafkaErrors = 0;
    std::uint64_t batches = 0;
    std::string lastError;
    bool kafkaConnected = false; // a broker answered and none of the problems below holds
    std::string kafkaProblem;    // "" while Kafka is reachable; else why not, one sentence
    std::int64_t kafkaProblemSinceUs = 0;
    std::uint64_t kafkaOutages = 0; // times Kafka became unreachable since start()
    // Records in the assigned partitions not yet consumed (high watermark
    // minus position, summed), as of the last sweep; -1 = not known yet.
    std::int64_t lagRecords = -1;
};

class Ingestor
{
public:
    // `store` and `fleet` must outlive the ingestor.
    Ingestor(IngestorOptions options, Store& store, FleetAggregator& fleet);
    ~Ingestor(); // stop()
    Ingestor(const Ingestor&) = delete;
    Ingestor& operator=(const Ingestor&) = delete;

    // Rebuilds the fleet view from the store's recent run samples, creates
    // the consumer (and the DLQ producer), subscribes and starts the worker.
    KafkaStatus start();
    // Writes what was consumed, commits, leaves the group. Idempotent.
    void stop();
    bool running() const { return worker_.joinable(); }

    IngestStats stats() const;
    const IngestorOptions& options() const { return options_; }

private:
    struct Kafka;
    void run();
    void pollBatch();
    void handle(const void* kafkaMessage);
    void deadLetter(const void* kafkaMessage, const std::string& error, const std::string& type,
                    const std::string& threadId);
    void ensureKnown(const std::string& threadId);
    void flush();
    bool writePending();
    void periodic(bool force);
    void persistInstances();
    void noteError(const std::string& error);
    void kafkaDown(const std::string& why);
    void kafkaUp();
    void rebalance(void* consumer, int err, void* partitions);
    std::int64_t now() const;
    static std::int64_t consumerLag(void* consumer); // -1 = unknown

    IngestorOptions options_;
    Store& store_;
    FleetAggregator& fleet_;
    std::unique_ptr<Kafka> kafka_;
    std::thread worker_;
    std::atomic<bool> stopping_{false};

    // Worker-only state.
    RunTracker tracker_;
    protocol::RecordDecoder decoder_;
    protocol::MessageIdDeduper dedupe_;
    std::map<std::string, std::vector<KeyedRecord>> pendingRecords_; // thread -> (id, value)
    std::map<std::string, pb::TraceSummary> pendingSummaries_;
    std::vector<pb::GraphSchema> pendingSchemas_;
    std::vector<RunSample> pendingSamples_;
    TrackerChanges pendingFleet_;
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> pendingOffsets_; // next offsets
    std::int64_t lastSweepUs_ = 0;
    std::int64_t lastPersistUs_ = 0;
    std::uint64_t persistedRevision_ = 0;
    std::map<std::string, std::set<std::int32_t>> assigned_; // topic -> partitions read
    std::set<std::string> sighted_; // instances heard since the last persistInstances

    // Counters, read by stats() from any thread.
    std::atomic<std::uint64_t> records_{0}, stored_{0}, duplicates_{0}, bad_{0}, dlqSent_{0},
        dlqFailed_{0}, runsStarted_{0}, runsFinished_{0}, storeFailures_{0}, kafkaErrors_{0},
        batches_{0};
    int brokersUp_ = 0;             // worker only: as the last statistics said
    bool kafkaOk_ = false;          // worker only: connected and no problem (kafkaUp's fast path)
    mutable std::mutex errorMutex_; // guards the four below
    std::string lastError_;
    bool kafkaConnected_ = false;
    std::string kafkaProblem_;
    std::int64_t kafkaProblemSinceUs_ = 0;
    std::atomic<std::uint64_t> kafkaOutages_{0};
    std::atomic<std::int64_t> lag_{-1};
};

} // namespace nexus::server
