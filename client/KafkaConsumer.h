#pragma once
// The console's live DashStream consumer (DESIGN.md §3): librdkafka on a
// worker thread of its own, decoding records with the protocol library,
// dropping duplicates by message_id, and handing whole batches to the
// owner's thread at a bounded rate.
//
// Group and offsets: by default every console is its own consumer group
// ("nexus-console-<uuid>"), so it sees every partition and never takes
// partitions away from nexusd or from another console (DASHSTREAM.md §2.4).
// It commits nothing (enable.auto.commit=false): the console shows live
// runs, history comes from Nexus, and a new group would not find a committed
// offset anyway. Where it starts is `fromBeginning` (auto.offset.reset
// earliest / latest).
//
// Delivery: the worker decodes and dedupes into a pending buffer; at most
// one queued delivery is outstanding, and at most one is posted per
// `deliveryIntervalMs`; the delivery takes the whole buffer, so the owner
// gets one recordsReceived() per interval, not one per record. When the
// owner falls behind and the buffer reaches `maxPendingRecords`, the oldest
// eighth of it is dropped at once (counted in KafkaStats::dropped and in the
// next batch's droppedBefore; problem() says so once per start). When the
// last reference to a delivered batch is dropped, its records are destroyed
// on the worker thread (while it runs), not on the owner's.
//
// Bad records (do not decode, over DecodeLimits) are counted and skipped;
// the first, then at most one per `problemIntervalMs`, is reported through
// problem() naming topic[partition]@offset and the reason.

#include "protocol/Framing.h"
#include "protocol/Messages.h"

#include <QMap>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace nexus::client {

struct KafkaConsumerConfig
{
    QString bootstrapServers;
    QStringList topics{QStringLiteral("dashstream-events")};
    // Extra librdkafka properties (security.protocol, sasl.*, ssl.*, with
    // secrets already resolved); they override the consumer's defaults.
    QMap<QString, QString> properties;
    QString groupId;            // empty = "nexus-console-<random uuid>"
    bool fromBeginning = false; // auto.offset.reset: earliest (true) or latest
    int deliveryIntervalMs = 100;
    std::size_t maxPendingRecords = 100'000;
    std::size_t dedupeCapacity = 262'144; // message ids remembered
    int problemIntervalMs = 5000;         // bad-record reports after the first
    protocol::DecodeLimits limits;
};

// One decoded Kafka record. An EventBatch stays one record (its inner
// events share this cursor; expand them with protocol::forEachHeader).
struct ConsumedRecord
{
    QString topic; // implicitly shared between the records of a topic
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int64_t kafkaTimestampMs = -1; // -1 when the record carries none
    protocol::ds::DashStreamMessage message;
};

// What one recordsReceived() carries: the records in consumption order
// (per partition, offset order), duplicates and bad records left out.
struct RecordBatch
{
    std::vector<ConsumedRecord> records;
    // Records dropped by overflow since the previous batch: the stream has
    // a hole before this batch.
    std::uint64_t droppedBefore = 0;
};

enum class KafkaState
{
    Stopped,      // not started or stopped
    Connecting,   // started, no broker answered yet
    Connected,    // a broker is up (assignment, metadata or records seen)
    Disconnected, // all brokers down or the connection dropped; librdkafka retries
    Failed,       // the configuration was refused or a fatal error; not retrying
};
QString kafkaStateName(KafkaState state); // "connected", ...

struct KafkaStats
{
    KafkaState state = KafkaState::Stopped;
    QString stateDetail;          // a sentence for the status bar
    std::uint64_t records = 0;    // Kafka records consumed (good, duplicate and bad)
    std::uint64_t delivered = 0;  // records handed over in batches
    double recordsPerSecond = 0;  // consumed, over the last few seconds
    std::uint64_t duplicates = 0; // dropped by message_id
    std::uint64_t badRecords = 0; // did not decode
    std::uint64_t dropped = 0;    // overflow: the owner fell behind
    // Decoded records not yet taken by the owner's thread (a slow or blocked
    // GUI): at most maxPendingRecords, the rest is dropped (see above).
    std::uint64_t waiting = 0;
    // Sum over the assigned partitions of high watermark minus position;
    // -1 while no assigned partition has a known watermark.
    std::int64_t lag = -1;
    int assignedPartitions = 0;
};

class KafkaConsumer : public QObject
{
    Q_OBJECT
public:
    explicit KafkaConsumer(KafkaConsumerConfig config, QObject* parent = nullptr);
    ~KafkaConsumer() override; // stops and joins the worker (no statsChanged)

    // Creates the consumer, subscribes and starts the worker. False when
    // librdkafka refuses the configuration: the state is then Failed with
    // librdkafka's text and no worker runs.
    bool start();
    // Stops and joins the worker (promptly, also while brokers are down).
    void stop();
    bool running() const;

    // Thread-safe: the counters now; state, rate and lag as last measured.
    KafkaStats stats() const;
    const KafkaConsumerConfig& config() const { return config_; }
    QString groupId() const { return groupId_; }

Q_SIGNALS:
    void recordsReceived(std::shared_ptr<const nexus::client::RecordBatch> batch);
    // Once per second while running, and at once when state or the number
    // of assigned partitions changes.
    void statsChanged(const nexus::client::KafkaStats& stats);
    // Bad records, overflow, unknown topics: one sentence, plain text.
    void problem(const QString& message);

private:
    struct Worker;
    void takePending(int generation);
    void publishStats(int generation, const KafkaStats& stats);
    void fail(const QString& detail);
    bool halt(); // stop() without the signal; true when it was running

    KafkaConsumerConfig config_;
    QString groupId_;
    int generation_ = 0; // owner thread only
    std::unique_ptr<Worker> worker_;
};

} // namespace nexus::client

Q_DECLARE_METATYPE(nexus::client::KafkaStats)
Q_DECLARE_METATYPE(std::shared_ptr<const nexus::client::RecordBatch>)
