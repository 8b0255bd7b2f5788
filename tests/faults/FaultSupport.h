#pragma once
// Shared by the fault tests (issue 11): a corpus of real runs (the sample
// graphs through the embedded runtime, numbered by the runtime's own
// sequences and message ids), a "fleet" that produces it to the embedded
// broker at a steady rate on a thread of its own, and the checks of what a
// consumer kept: every record the broker holds, none twice.

#include "models/RunStore.h"
#include "protocol/Framing.h"
#include "protocol/Messages.h"
#include "server/kafka/EmbeddedBroker.h"
#include "server/store/Store.h"

#include "BenchSupport.h"

#include <QString>
#include <QTest>

#include <atomic>
#include <chrono>
#include <librdkafka/rdkafka.h>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace nexus::faults {

namespace ds = protocol::ds;
using Clock = std::chrono::steady_clock;

inline const std::string kTopic = "dashstream-events";

// Real runs, framed as DashFlow frames them.
struct Corpus
{
    std::vector<std::string> records; // framed, in emission order
    std::vector<std::string> threads; // the Kafka key (thread id) of each record
    std::map<std::string, std::size_t> recordsPerThread;
    std::map<std::string, std::size_t> stepsPerThread; // an EventBatch counts its events
    std::set<std::string> messageIds;
};

inline Corpus makeCorpus(std::size_t minMessages, std::uint64_t firstSeed)
{
    Corpus c;
    auto messages = bench::sampleMessages(minMessages, firstSeed);
    // Runs of now, not of the runtime's fixed clock: nexusd's retention
    // prunes traces older than a week when it starts.
    const std::int64_t nowUs = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    const std::int64_t shiftUs = messages.empty() || !protocol::headerOf(messages.front())
                                     ? 0
                                     : nowUs - protocol::headerOf(messages.front())->timestamp_us();
    for (ds::DashStreamMessage& m : messages)
        protocol::forEachHeader(
            m, [shiftUs](ds::Header& h) { h.set_timestamp_us(h.timestamp_us() + shiftUs); });
    c.records = bench::encodeAll(messages, true);
    for (const ds::DashStreamMessage& m : messages) {
        const ds::Header* h = protocol::headerOf(m);
        const std::string thread = h ? h->thread_id() : std::string();
        c.threads.push_back(thread);
        ++c.recordsPerThread[thread];
        c.stepsPerThread[thread] +=
            m.has_event_batch() ? std::size_t(m.event_batch().events_size()) : std::size_t(1);
        if (h)
            c.messageIds.insert(h->message_id());
    }
    return c;
}

inline std::unique_ptr<server::EmbeddedBroker> startCluster(int brokers, int partitions,
                                                            int replicationFactor)
{
    server::EmbeddedBrokerOptions options;
    options.brokers = brokers;
    options.topics = {};
    auto started = server::EmbeddedBroker::start(options);
    if (!started) {
        qWarning("embedded broker: %s", started.error().message.c_str());
        return nullptr;
    }
    auto broker = std::move(started.value());
    if (auto created = broker->createTopic(kTopic, partitions, replicationFactor); !created) {
        qWarning("create topic: %s", created.error().message.c_str());
        return nullptr;
    }
    return broker;
}

// The agents: produce the corpus in order at `perSecond`, keyed by thread id
// (DashFlow's partitioning), on a thread of their own, then flush. The
// producer is idempotent, as DashFlow's is, so retries during an outage keep
// each partition's order. `duplicateEvery` > 0 sends every n-th record
// twice (an application-level resend: same bytes, same message_id).
class Fleet
{
public:
    Fleet(const std::string& bootstrap, const Corpus& corpus, int perSecond, int duplicateEvery = 0)
        : corpus_(corpus)
    {
        char errstr[256];
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        const std::map<std::string, std::string> settings = {{"bootstrap.servers", bootstrap},
                                                             {"enable.idempotence", "true"},
                                                             {"linger.ms", "5"},
                                                             {"message.timeout.ms", "120000"},
                                                             {"log.connection.close", "false"}};
        for (const auto& [key, value] : settings)
            rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr);
        rd_kafka_conf_set_opaque(conf, this);
        rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
        rd_kafka_conf_set_dr_msg_cb(
            conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
                auto* self = static_cast<Fleet*>(opaque);
                std::lock_guard lock(self->mutex_);
                if (m->err)
                    ++self->failures_;
                else
                    self->delivered_.insert(reinterpret_cast<std::size_t>(m->_private) - 1);
            });
        producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        if (!producer_)
            qFatal("producer: %s", errstr);
        thread_ =
            std::thread([this, perSecond, duplicateEvery] { run(perSecond, duplicateEvery); });
    }
    ~Fleet()
    {
        stop_ = true;
        thread_.join();
        rd_kafka_destroy(producer_);
    }
    Fleet(const Fleet&) = delete;
    Fleet& operator=(const Fleet&) = delete;

    std::size_t sent() const { return sent_; }
    bool finished() const { return finished_; } // all sent and flushed
    std::size_t deliveredCount() const
    {
        std::lock_guard lock(mutex_);
        return delivered_.size();
    }
    std::size_t failures() const
    {
        std::lock_guard lock(mutex_);
        return failures_;
    }

private:
    void send(std::size_t i)
    {
        const std::string& value = corpus_.records[i];
        const std::string& key = corpus_.threads[i];
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(
                    producer_, RD_KAFKA_V_TOPIC(kTopic.c_str()),
                    RD_KAFKA_V_KEY(key.data(), key.size()),
                    RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(i + 1)), RD_KAFKA_V_END)) ==
                   RD_KAFKA_RESP_ERR__QUEUE_FULL &&
               !stop_)
            rd_kafka_poll(producer_, 10);
        if (err)
            qWarning("produce %zu: %s", i, rd_kafka_err2str(err));
    }
    void run(int perSecond, int duplicateEvery)
    {
        const auto start = Clock::now();
        for (std::size_t i = 0; i < corpus_.records.size() && !stop_; ++i) {
            const auto due = start + std::chrono::microseconds(1'000'000 * std::int64_t(i) /
                                                               std::max(1, perSecond));
            while (Clock::now() < due && !stop_)
                rd_kafka_poll(producer_, 1); // paces the agents; serves delivery reports
            send(i);
            if (duplicateEvery > 0 && i % std::size_t(duplicateEvery) == 0)
                send(i);
            sent_ = i + 1;
        }
        while (!stop_ && rd_kafka_outq_len(producer_) > 0)
            rd_kafka_poll(producer_, 50);
        finished_ = !stop_;
    }

    const Corpus& corpus_;
    rd_kafka_t* producer_ = nullptr;
    std::thread thread_;
    std::atomic<bool> stop_{false}, finished_{false};
    std::atomic<std::size_t> sent_{0};
    mutable std::mutex mutex_;
    std::set<std::size_t> delivered_;
    std::size_t failures_ = 0;
};

// The console's run store against the corpus: every run there, each with
// exactly its steps (nothing lost, nothing twice) and no integrity issue
// (no sequence gap, no repeat). "" when it holds.
inline QString checkRunStore(const models::RunStore& store, const Corpus& corpus)
{
    for (const auto& [thread, steps] : corpus.stepsPerThread) {
        const models::Run* run = store.runForThread(thread);
        if (!run)
            return QStringLiteral("no run for thread %1").arg(QString::fromStdString(thread));
        if (run->steps.size() != steps)
            return QStringLiteral("thread %1: %2 steps, expected %3")
                .arg(QString::fromStdString(thread))
                .arg(run->steps.size())
                .arg(steps);
        if (!run->issues.empty())
            return QStringLiteral("thread %1: integrity issue at step %2: %3")
                .arg(QString::fromStdString(thread))
                .arg(run->issues.front().step)
                .arg(QString::fromStdString(run->issues.front().message));
    }
    if (store.size() != corpus.stepsPerThread.size())
        return QStringLiteral("%1 runs, expected %2")
            .arg(store.size())
            .arg(corpus.stepsPerThread.size());
    return {};
}

// How many steps the console's run store holds (progress while waiting).
inline std::size_t stepsIn(const models::RunStore& store)
{
    std::size_t steps = 0;
    for (const models::Run* run : store.runs())
        steps += run->steps.size();
    return steps;
}

// nexusd's store against the corpus: every run's record log holds each of
// its records exactly once, and the summary counts them. "" when it holds.
// `complete` false: only that nothing is stored twice or unproduced.
inline QString checkStore(server::Store& store, const Corpus& corpus, bool complete = true)
{
    protocol::RecordDecoder decoder;
    for (const auto& [thread, count] : corpus.recordsPerThread) {
        auto records = store.traceRecords(thread);
        if (!records)
            return QStringLiteral("thread %1: %2")
                .arg(QString::fromStdString(thread),
                     QString::fromStdString(records.error().message));
        std::set<std::string> ids;
        for (const std::string& record : records.value()) {
            ds::DashStreamMessage m;
            if (!decoder.decode(record, m))
                return QStringLiteral("thread %1: a stored record does not decode")
                    .arg(QString::fromStdString(thread));
            const ds::Header* h = protocol::headerOf(m);
            if (!h || !ids.insert(h->message_id()).second)
                return QStringLiteral("thread %1: a record is stored twice")
                    .arg(QString::fromStdString(thread));
            if (!corpus.messageIds.count(h->message_id()))
                return QStringLiteral("thread %1: a stored record was never produced")
                    .arg(QString::fromStdString(thread));
        }
        if (!complete)
            continue;
        if (ids.size() != count)
            return QStringLiteral("thread %1: %2 records stored, expected %3")
                .arg(QString::fromStdString(thread))
                .arg(ids.size())
                .arg(count);
        auto summary = store.traceSummary(thread);
        if (!summary || !summary.value() || summary.value()->records() != std::int64_t(count))
            return QStringLiteral("thread %1: the summary does not count %2 records")
                .arg(QString::fromStdString(thread))
                .arg(count);
    }
    return {};
}

// Records in nexusd's store, summed over the corpus's runs.
inline std::size_t recordsIn(server::Store& store, const Corpus& corpus)
{
    std::size_t total = 0;
    for (const auto& [thread, count] : corpus.recordsPerThread) {
        auto summary = store.traceSummary(thread);
        if (summary && summary.value())
            total += std::size_t(summary.value()->records());
    }
    return total;
}

} // namespace nexus::faults
