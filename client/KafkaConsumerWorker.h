#pragma once
// Private to client/: the KafkaConsumer's worker (KafkaConsumerWorker.cpp),
// the librdkafka side of it. The public class is in KafkaConsumer.h.

#include "client/KafkaConsumer.h"
#include "protocol/Dedupe.h"

#include <QLoggingCategory>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <iterator>
#include <librdkafka/rdkafka.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>

namespace nexus::client {

Q_DECLARE_LOGGING_CATEGORY(lcKafka)

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t kPollBatch = 2048;      // records decoded per locked append
constexpr auto kMaxPollWait = 100ms;          // how long stop() may wait for a poll
constexpr auto kStatsInterval = 1s;           // statsChanged and lag/rate measurement
constexpr auto kRateWindow = 5s;              // records/s is averaged over this
constexpr auto kCloseDeadline = 2s;           // leaving the group on stop()
constexpr const char* kStatisticsMs = "1000"; // librdkafka's JSON: broker states, low watermarks

inline int msUntil(Clock::time_point now, Clock::time_point then)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(then - now).count();
    return int(std::clamp<long long>(left, 0, kMaxPollWait.count()));
}

// First report at once, then at most one per interval; the rest counted.
struct ProblemLimiter
{
    Clock::time_point last;
    bool reported = false;
    std::uint64_t suppressed = 0;

    bool allow(Clock::time_point now, std::chrono::milliseconds interval)
    {
        if (reported && now - last < interval) {
            ++suppressed;
            return false;
        }
        reported = true;
        last = now;
        return true;
    }
    QString suffix()
    {
        const QString text =
            suppressed == 0 ? QString()
                            : QStringLiteral(" (%1 more since the last report)").arg(suppressed);
        suppressed = 0;
        return text;
    }
};

// Batches the owner's thread has let go of (the last reference dropped),
// destroyed on the worker thread: freeing a batch's decoded messages is a
// good part of a record's cost, and it belongs with the thread that
// allocated them (same malloc arena), not on the GUI thread. Shared with
// every batch's deleter, so it outlives the consumer; while no worker runs
// it is closed and a released batch is destroyed where it is released.
struct ReleasedBatches
{
    std::mutex mutex;
    std::vector<RecordBatch*> batches;
    bool open = false;

    // The deleter of every delivered batch.
    static void release(const std::shared_ptr<ReleasedBatches>& self, const RecordBatch* batch)
    {
        {
            std::lock_guard lock(self->mutex);
            if (self->open) {
                self->batches.push_back(const_cast<RecordBatch*>(batch));
                return;
            }
        }
        delete batch;
    }
    // Destroys what was released so far; `close` also stops collecting.
    void destroyReleased(bool close = false)
    {
        std::vector<RecordBatch*> dead;
        {
            std::lock_guard lock(mutex);
            dead.swap(batches);
            if (close)
                open = false;
        }
        for (RecordBatch* batch : dead)
            delete batch;
    }
};

// Lives as long as the KafkaConsumer; the Kafka handle and the worker
// thread are renewed on every start().
struct KafkaConsumer::Worker
{
    KafkaConsumer* owner = nullptr;
    KafkaConsumerConfig config;
    int generation = 0;
    rd_kafka_t* rk = nullptr;
    std::thread thread;
    std::atomic<bool> stopping{false};

    // Worker thread only.
    std::unique_ptr<protocol::RecordDecoder> decoder;
    std::unique_ptr<protocol::MessageIdDeduper> dedupe;
    std::map<std::string, QString, std::less<>> topicNames;
    KafkaState state = KafkaState::Stopped;
    QString detail;
    int brokersUp = 0; // as the last JSON statistics said
    bool statsDue = false;
    bool overflowReported = false;
    Clock::time_point lastPost;
    std::deque<std::pair<Clock::time_point, std::uint64_t>> rateSamples;
    ProblemLimiter badRecordReports, consumeErrorReports;

    // Shared with the owner's thread.
    mutable std::mutex mutex; // guards the four below
    std::vector<ConsumedRecord> pending;
    std::uint64_t droppedSinceBatch = 0;
    bool deliveryPosted = false;
    KafkaStats measured; // state, detail, rate, lag, partitions
    std::atomic<std::uint64_t> records{0}, delivered{0}, duplicates{0}, bad{0}, dropped{0};
    std::shared_ptr<ReleasedBatches> released = std::make_shared<ReleasedBatches>();

    void reset(const KafkaConsumerConfig& cfg, int gen);
    void run();
    void handle(const rd_kafka_message_t* m, std::vector<ConsumedRecord>& out);
    void decodeRecord(const rd_kafka_message_t* m, std::vector<ConsumedRecord>& out);
    void append(std::vector<ConsumedRecord>& decoded);
    int deliverIfDue(Clock::time_point now);
    void measure(Clock::time_point now);
    std::int64_t lag(int& assigned);
    void setState(KafkaState newState, const QString& newDetail);
    void noteConnected();
    void postStats();
    void postProblem(const QString& message);
    void closeConsumer();
    const QString& topicName(const rd_kafka_message_t* m);
    KafkaStats snapshot() const;

    static void onError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
    static int onStatistics(rd_kafka_t*, char* json, size_t length, void* opaque);
    static void onRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* partitions, void* opaque);
    static void onLog(const rd_kafka_t*, int level, const char* facility, const char* message);
};

} // namespace nexus::client
