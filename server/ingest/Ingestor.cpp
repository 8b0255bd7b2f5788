#include "server/ingest/Ingestor.h"

#include "protocol/Ids.h"
#include "protocol/KafkaStatistics.h"
#include "server/ingest/DeadLetter.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>

namespace nexus::server {

struct Ingestor::Kafka
{
    rd_kafka_t* consumer = nullptr;
    rd_kafka_t* dlq = nullptr;
    ~Kafka()
    {
        if (consumer)
            rd_kafka_destroy(consumer);
        if (dlq)
            rd_kafka_destroy(dlq);
    }
};

namespace {

std::int64_t systemNowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

KafkaResult<rd_kafka_conf_t*> makeConf(const std::map<std::string, std::string>& config)
{
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[512];
    for (const auto& [key, value] : config)
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return KafkaError{"ingest: " + key + ": " + errstr};
        }
    return conf;
}

const rd_kafka_message_t* asKafka(const void* message)
{
    return static_cast<const rd_kafka_message_t*>(message);
}

std::string keyOf(const rd_kafka_message_t* m)
{
    return m->key ? std::string(static_cast<const char*>(m->key), m->key_len) : std::string();
}

void printStatus(const std::string& sentence, bool)
{
    std::fprintf(stderr, "nexusd: ingest: %s\n", sentence.c_str());
    std::fflush(stderr);
}

} // namespace

Ingestor::Ingestor(IngestorOptions options, Store& store, FleetAggregator& fleet)
    : options_(std::move(options)), store_(store), fleet_(fleet), tracker_(options_.runs),
      decoder_(options_.limits), dedupe_(options_.dedupeCapacity)
{
    if (options_.consumerId.empty())
        options_.consumerId = "nexusd-" + protocol::toHex(protocol::newMessageId()).substr(0, 8);
    if (!options_.clock)
        options_.clock = systemNowUs;
    if (!options_.onStatus)
        options_.onStatus = printStatus;
    if (!options_.onPartitions)
        options_.onPartitions = [](const std::string& sentence) { printStatus(sentence, false); };
}

Ingestor::~Ingestor()
{
    stop();
}

std::int64_t Ingestor::now() const
{
    return options_.clock();
}

KafkaStatus Ingestor::start()
{
    if (running())
        return KafkaError{"ingest: already running"};
    if (options_.topics.empty())
        return KafkaError{"ingest: no topics to consume"};

    // The fleet view survives a restart: recent run samples and the known instances.
    if (!options_.fleetFromStore) {
        const std::int64_t t = now();
        SampleQuery recent;
        recent.sinceUs = t - fleet_.options().windowUs;
        auto instances = store_.listInstances();
        auto samples = store_.runSamples(recent);
        fleet_.rebuild(instances ? instances.value() : std::vector<pb::Instance>{},
                       samples ? samples.value() : std::vector<RunSample>{}, t);
    }

    kafka_ = std::make_unique<Kafka>();
    std::map<std::string, std::string> config = {
        {"bootstrap.servers", options_.bootstrapServers},
        {"group.id", options_.groupId},
        {"client.id", options_.consumerId},
        {"auto.offset.reset", "earliest"},
        {"enable.auto.commit", "true"},
        {"enable.auto.offset.store", "false"}, // stored after the batch is in the store
        {"auto.commit.interval.ms", "1000"},
        {"enable.partition.eof", "false"},
        {"statistics.interval.ms", "1000"}, // broker states: when Kafka is back
        {"log.connection.close", "false"},
        // Prefetch at most 16 MiB (librdkafka's default is 64 MiB): when nexusd
        // falls behind, this is what its memory grows by; 16 MiB is still
        // tens of thousands of records ahead of the worker.
        {"queued.max.messages.kbytes", "16384"},
    };
    for (const auto& [key, value] : options_.kafkaConfig)
        config[key] = value;
    for (const auto& [key, value] : options_.consumerConfig)
        config[key] = value;
    auto conf = makeConf(config);
    if (!conf)
        return conf.error();
    // Served by rd_kafka_consumer_poll, on the worker.
    rd_kafka_conf_set_opaque(conf.value(), this);
    rd_kafka_conf_set_error_cb(
        conf.value(), [](rd_kafka_t* rk, int err, const char* reason, void* opaque) {
            auto* self = static_cast<Ingestor*>(opaque);
            ++self->kafkaErrors_;
            const std::string why = reason ? reason : "";
            switch (err) {
            case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
                self->brokersUp_ = 0;
                self->kafkaDown("Kafka at " + self->options_.bootstrapServers +
                                " is unreachable (" + why + "); retrying, records wait in Kafka");
                break;
            case RD_KAFKA_RESP_ERR__TRANSPORT:
                // One broker of several dropping out is librdkafka's business.
                if (self->brokersUp_ <= 1)
                    self->kafkaDown("lost the connection to Kafka at " +
                                    self->options_.bootstrapServers + " (" + why +
                                    "); retrying, records wait in Kafka");
                else
                    self->noteError("kafka: " + why);
                break;
            case RD_KAFKA_RESP_ERR__AUTHENTICATION:
                self->kafkaDown("Kafka refused the credentials (" + why + ")");
                break;
            case RD_KAFKA_RESP_ERR__FATAL: {
                char text[512] = {};
                rd_kafka_fatal_error(rk, text, sizeof text);
                self->kafkaDown(std::string("the Kafka consumer failed: ") +
                                (text[0] ? text : why.c_str()));
                break;
            }
            default:
                self->noteError("kafka: " + why);
                break;
            }
        });
    rd_kafka_conf_set_stats_cb(conf.value(),
                               [](rd_kafka_t*, char* json, size_t length, void* opaque) {
                                   auto* self = static_cast<Ingestor*>(opaque);
                                   const int up = protocol::countBrokersUp(json, length);
                                   if (up >= 0)
                                       self->brokersUp_ = up;
                                   if (up > 0)
                                       self->kafkaUp();
                                   return 0; // librdkafka frees the JSON
                               });
    if (options_.assignPartitions <= 0)
        rd_kafka_conf_set_rebalance_cb(
            conf.value(),
            [](rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
               void* opaque) { static_cast<Ingestor*>(opaque)->rebalance(rk, err, partitions); });
    char errstr[512];
    kafka_->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf.value(), errstr, sizeof errstr);
    if (!kafka_->consumer) {
        rd_kafka_conf_destroy(conf.value());
        return KafkaError{std::string("ingest: cannot create the consumer: ") + errstr};
    }
    rd_kafka_poll_set_consumer(kafka_->consumer);
    rd_kafka_topic_partition_list_t* topics =
        rd_kafka_topic_partition_list_new(int(options_.topics.size()));
    for (const auto& topic : options_.topics) {
        if (options_.assignPartitions <= 0) {
            rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
            continue;
        }
        for (int partition = 0; partition < options_.assignPartitions; ++partition)
            rd_kafka_topic_partition_list_add(topics, topic.c_str(), partition)->offset =
                RD_KAFKA_OFFSET_STORED; // the group's committed offset, else auto.offset.reset
    }
    const rd_kafka_resp_err_t err = options_.assignPartitions > 0
                                        ? rd_kafka_assign(kafka_->consumer, topics)
                                        : rd_kafka_subscribe(kafka_->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err)
        return KafkaError{std::string(options_.assignPartitions > 0 ? "ingest: assign: "
                                                                    : "ingest: subscribe: ") +
                          rd_kafka_err2str(err)};

    if (options_.deadLetters) {
        std::map<std::string, std::string> producerConfig = {
            {"bootstrap.servers", options_.bootstrapServers},
            {"client.id", options_.consumerId + "-dlq"},
            {"acks", "all"},
            {"message.timeout.ms", "30000"},
        };
        for (const auto& [key, value] : options_.kafkaConfig)
            producerConfig[key] = value;
        auto dlqConf = makeConf(producerConfig);
        if (!dlqConf)
            return dlqConf.error();
        rd_kafka_conf_set_opaque(dlqConf.value(), this);
        rd_kafka_conf_set_dr_msg_cb(
            dlqConf.value(), [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
                auto* self = static_cast<Ingestor*>(opaque);
                if (m->err) {
                    ++self->dlqFailed_;
                    self->noteError(std::string("dead letter not delivered: ") +
                                    rd_kafka_err2str(m->err));
                } else {
                    ++self->dlqSent_;
                }
            });
        kafka_->dlq = rd_kafka_new(RD_KAFKA_PRODUCER, dlqConf.value(), errstr, sizeof errstr);
        if (!kafka_->dlq) {
            rd_kafka_conf_destroy(dlqConf.value());
            return KafkaError{std::string("ingest: cannot create the DLQ producer: ") + errstr};
        }
    }
    stopping_ = false;
    brokersUp_ = 0;
    kafkaOk_ = false;
    {
        std::lock_guard lock(errorMutex_);
        kafkaConnected_ = false;
        kafkaProblem_.clear();
        kafkaProblemSinceUs_ = 0;
    }
    kafkaOutages_ = 0;
    worker_ = std::thread([this] { run(); });
    return protocol::Ok{};
}

void Ingestor::stop()
{
    if (!worker_.joinable())
        return;
    stopping_ = true;
    worker_.join();
    kafka_.reset();
}

void Ingestor::run()
{
    while (!stopping_) {
        pollBatch();
        flush();
        periodic(false);
    }
    // What was consumed and applied is written before the offsets go.
    flush();
    periodic(true);
    rd_kafka_consumer_close(kafka_->consumer); // commits the stored offsets
    if (kafka_->dlq)
        rd_kafka_flush(kafka_->dlq, 5000);
}

void Ingestor::pollBatch()
{
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(options_.maxBatchWaitMs);
    std::size_t taken = 0;
    while (taken < options_.maxBatchRecords && !stopping_) {
        int timeoutMs = 100;
        if (taken > 0) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0)
                break;
            timeoutMs = int(left.count());
        }
        rd_kafka_message_t* message = rd_kafka_consumer_poll(kafka_->consumer, timeoutMs);
        if (!message) {
            if (taken > 0 || Clock::now() >= deadline)
                break;
            continue;
        }
        handle(message);
        rd_kafka_message_destroy(message);
        ++taken;
    }
}

void Ingestor::handle(const void* kafkaMessage)
{
    const rd_kafka_message_t* m = asKafka(kafkaMessage);
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ++kafkaErrors_;
            noteError(std::string("kafka: ") + rd_kafka_message_errstr(m));
        }
        return;
    }
    ++records_;
    kafkaUp();
    const std::string topic = rd_kafka_topic_name(m->rkt);
    pendingOffsets_[{topic, m->partition}] = m->offset + 1;

    const std::string_view value(static_cast<const char*>(m->payload), m->len);
    ds::DashStreamMessage message;
    auto decoded = decoder_.decode(value, message);
    if (!decoded) {
        const std::string key = keyOf(m);
        tracker_.countBadRecord(key, now());
        deadLetter(m, decoded.error().message, deadLetterErrorType(decoded.error().code), key);
        return;
    }
    const ds::Header* header = protocol::headerOf(message);
    if (!header || header->thread_id().empty()) {
        deadLetter(m, "the record has no thread_id, so it belongs to no run", "missing_thread_id",
                   keyOf(m));
        return;
    }
    const std::string& threadId = header->thread_id();
    ensureKnown(threadId);
    if (!dedupe_.insert(header->message_id())) {
        ++duplicates_;
        return;
    }
    tracker_.apply(message, now());
    pendingRecords_[threadId].push_back(
        KeyedRecord{protocol::toHex(header->message_id()), std::string(value)});
}

void Ingestor::deadLetter(const void* kafkaMessage, const std::string& error,
                          const std::string& type, const std::string& threadId)
{
    const rd_kafka_message_t* m = asKafka(kafkaMessage);
    ++bad_;
    if (!kafka_->dlq)
        return;
    DeadLetter letter;
    letter.payload = std::string_view(static_cast<const char*>(m->payload), m->len);
    letter.error = error;
    letter.errorType = type;
    letter.sourceTopic = rd_kafka_topic_name(m->rkt);
    letter.sourcePartition = m->partition;
    letter.sourceOffset = m->offset;
    letter.consumerId = options_.consumerId;
    letter.threadId = threadId;
    letter.timestampUs = now();
    letter.traceId = protocol::newUuidString();
    const std::string json =
        deadLetterJson(letter).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string topic = letter.sourceTopic + options_.deadLetterSuffix;
    const rd_kafka_resp_err_t err =
        rd_kafka_producev(kafka_->dlq, RD_KAFKA_V_TOPIC(topic.c_str()),
                          RD_KAFKA_V_KEY(letter.traceId.data(), letter.traceId.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(json.data()), json.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err) {
        ++dlqFailed_;
        noteError(std::string("dead letter not queued: ") + rd_kafka_err2str(err));
    }
}

// A thread we do not follow may be one the store has: a restart, or a late
// record of a run we forgot. Adopt it, with the ids of its stored records,
// so redelivered records are recognised as duplicates.
void Ingestor::ensureKnown(const std::string& threadId)
{
    if (tracker_.knows(threadId))
        return;
    auto summary = store_.traceSummary(threadId);
    if (!summary || !summary.value())
        return;
    tracker_.adopt(*summary.value(), now());
    auto records = store_.traceRecords(threadId);
    if (!records)
        return;
    ds::DashStreamMessage stored;
    for (const std::string& record : records.value())
        if (decoder_.decode(record, stored))
            if (const ds::Header* header = protocol::headerOf(stored))
                dedupe_.insert(header->message_id());
}

void Ingestor::flush()
{
    TrackerChanges changes = tracker_.takeChanges();
    for (auto& summary : changes.summaries)
        pendingSummaries_[summary.thread_id()] = std::move(summary);
    for (auto& schema : changes.schemas)
        pendingSchemas_.push_back(std::move(schema));
    for (auto& sample : changes.finished)
        pendingSamples_.push_back(sample);
    for (auto& [id, sighting] : changes.sightings) {
        auto& kept = pendingFleet_.sightings[id];
        kept.instance = sighting.instance;
        kept.heardUs = std::max(kept.heardUs, sighting.heardUs);
        kept.graphs.insert(sighting.graphs.begin(), sighting.graphs.end());
    }
    pendingFleet_.started.insert(pendingFleet_.started.end(), changes.started.begin(),
                                 changes.started.end());
    pendingFleet_.finished.insert(pendingFleet_.finished.end(), changes.finished.begin(),
                                  changes.finished.end());
    pendingFleet_.finishedLabels.insert(pendingFleet_.finishedLabels.end(),
                                        changes.finishedLabels.begin(),
                                        changes.finishedLabels.end());

    int backoffMs = 100;
    while (!writePending()) {
        ++storeFailures_;
        if (stopping_)
            return; // offsets stay where they were: the records come again
        // Back off in slices, so stop() is not kept waiting.
        for (int waitedMs = 0; waitedMs < backoffMs && !stopping_; waitedMs += 50)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        backoffMs = std::min(backoffMs * 2, options_.storeRetryMaxMs);
    }

    // Fleet view after the store has the runs.
    for (const auto& [id, sighting] : pendingFleet_.sightings) {
        fleet_.observe(sighting);
        sighted_.insert(id);
    }
    for (const auto& start : pendingFleet_.started)
        fleet_.runStarted(start.instanceId, start.threadId);
    if (!options_.fleetFromStore)
        for (const auto& sample : pendingFleet_.finished)
            fleet_.addRun(sample);
    if (options_.onRunsFinished && !pendingFleet_.finished.empty())
        options_.onRunsFinished(pendingFleet_.finished, pendingFleet_.finishedLabels);
    runsStarted_ += pendingFleet_.started.size();
    runsFinished_ += pendingFleet_.finished.size();
    pendingFleet_ = {};

    if (!pendingOffsets_.empty()) {
        rd_kafka_topic_partition_list_t* offsets =
            rd_kafka_topic_partition_list_new(int(pendingOffsets_.size()));
        for (const auto& [where, next] : pendingOffsets_)
            rd_kafka_topic_partition_list_add(offsets, where.first.c_str(), where.second)->offset =
                next;
        // A partition revoked meanwhile refuses its offset: its new owner reads it again.
        rd_kafka_offsets_store(kafka_->consumer, offsets);
        rd_kafka_topic_partition_list_destroy(offsets);
        pendingOffsets_.clear();
        ++batches_;
    }
}

// Writes what is pending; what succeeded is not written again on a retry.
bool Ingestor::writePending()
{
    for (auto it = pendingSchemas_.begin(); it != pendingSchemas_.end();) {
        if (auto status = store_.putSchema(*it); !status) {
            noteError("store: " + status.error().message);
            return false;
        }
        it = pendingSchemas_.erase(it);
    }
    for (auto it = pendingRecords_.begin(); it != pendingRecords_.end();) {
        auto added = store_.appendTraceRecordsOnce(it->first, it->second);
        if (!added) {
            noteError("store: " + added.error().message);
            return false;
        }
        stored_ += *added;
        duplicates_ += it->second.size() - *added; // stored by another replica
        it = pendingRecords_.erase(it);
    }
    for (auto it = pendingSummaries_.begin(); it != pendingSummaries_.end();) {
        if (auto status = store_.upsertTraceSummary(it->second); !status) {
            noteError("store: " + status.error().message);
            return false;
        }
        it = pendingSummaries_.erase(it);
    }
    for (auto it = pendingSamples_.begin(); it != pendingSamples_.end();) {
        if (auto status = store_.addRunSample(*it); !status) {
            noteError("store: " + status.error().message);
            return false;
        }
        it = pendingSamples_.erase(it);
    }
    return true;
}

void Ingestor::periodic(bool force)
{
    if (kafka_->dlq)
        rd_kafka_poll(kafka_->dlq, 0); // delivery reports
    const std::int64_t t = now();
    if (force || t - lastSweepUs_ >= std::int64_t(options_.sweepIntervalMs) * 1000) {
        lastSweepUs_ = t;
        tracker_.sweep(t);
        lag_ = consumerLag(kafka_->consumer);
    }
    if (force || t - lastPersistUs_ >= std::int64_t(options_.persistIntervalMs) * 1000) {
        lastPersistUs_ = t;
        persistInstances();
    }
}

void Ingestor::persistInstances()
{
    const pb::FleetUpdate update = fleet_.changesSince(persistedRevision_, now());
    for (const pb::Instance& instance : update.upserted())
        if (options_.fleetFromStore && !sighted_.count(instance.instance_id()))
            continue; // another replica's: it writes its own
        else if (auto status = store_.upsertInstance(instance); !status) {
            noteError("store: " + status.error().message);
            return; // the next round tries again from the same revision
        }
    persistedRevision_ = update.revision();
    sighted_.clear();
}

void Ingestor::noteError(const std::string& error)
{
    std::lock_guard lock(errorMutex_);
    lastError_ = error;
}

void Ingestor::kafkaDown(const std::string& why)
{
    kafkaOk_ = false;
    {
        std::lock_guard lock(errorMutex_);
        lastError_ = why;
        kafkaConnected_ = false;
        if (!kafkaProblem_.empty())
            return; // told once per outage
        kafkaProblem_ = why;
        kafkaProblemSinceUs_ = now();
    }
    ++kafkaOutages_;
    options_.onStatus(why, true);
}

void Ingestor::kafkaUp()
{
    if (kafkaOk_)
        return;
    kafkaOk_ = true;
    std::string problem;
    std::int64_t since = 0;
    {
        std::lock_guard lock(errorMutex_);
        if (kafkaConnected_ && kafkaProblem_.empty())
            return;
        kafkaConnected_ = true;
        problem.swap(kafkaProblem_);
        since = kafkaProblemSinceUs_;
        kafkaProblemSinceUs_ = 0;
    }
    if (problem.empty())
        return; // the first connection: nothing to tell
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", double(now() - since) / 1e6);
    options_.onStatus("Kafka at " + options_.bootstrapServers + " is reachable again after " +
                          seconds + " s; ingestion goes on where it stopped",
                      false);
}

} // namespace nexus::server
