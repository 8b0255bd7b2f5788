#include "client/KafkaConsumer.h"

#include "protocol/Dedupe.h"

#include <QLoggingCategory>
#include <QMetaObject>
#include <QUuid>

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

namespace {

Q_LOGGING_CATEGORY(lcKafka, "nexus.client.kafka", QtWarningMsg)

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t kPollBatch = 2048;      // records decoded per locked append
constexpr auto kMaxPollWait = 100ms;          // how long stop() may wait for a poll
constexpr auto kStatsInterval = 1s;           // statsChanged and lag/rate measurement
constexpr auto kRateWindow = 5s;              // records/s is averaged over this
constexpr auto kCloseDeadline = 2s;           // leaving the group on stop()
constexpr const char* kStatisticsMs = "1000"; // librdkafka's JSON: broker states, low watermarks

int msUntil(Clock::time_point now, Clock::time_point then)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(then - now).count();
    return int(std::clamp<long long>(left, 0, kMaxPollWait.count()));
}

// How many real brokers librdkafka's JSON statistics show as up (-1: not
// statistics we understand).
int countBrokersUp(const char* json, std::size_t length)
{
    const auto doc = nlohmann::json::parse(json, json + length, nullptr, false);
    if (doc.is_discarded() || !doc.contains("brokers") || !doc["brokers"].is_object())
        return -1;
    int up = 0;
    for (const auto& broker : doc["brokers"]) {
        const std::string source = broker.value("source", "");
        const std::string state = broker.value("state", "");
        if ((source == "learned" || source == "configured") && (state == "UP" || state == "UPDATE"))
            ++up;
    }
    return up;
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

} // namespace

QString kafkaStateName(KafkaState state)
{
    switch (state) {
    case KafkaState::Stopped:
        return QStringLiteral("stopped");
    case KafkaState::Connecting:
        return QStringLiteral("connecting");
    case KafkaState::Connected:
        return QStringLiteral("connected");
    case KafkaState::Disconnected:
        return QStringLiteral("disconnected");
    case KafkaState::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("stopped");
}

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

void KafkaConsumer::Worker::reset(const KafkaConsumerConfig& cfg, int gen)
{
    config = cfg;
    generation = gen;
    stopping = false;
    decoder = std::make_unique<protocol::RecordDecoder>(config.limits);
    dedupe =
        std::make_unique<protocol::MessageIdDeduper>(std::max<std::size_t>(1, cfg.dedupeCapacity));
    topicNames.clear();
    brokersUp = 0;
    state = KafkaState::Connecting;
    detail = QObject::tr("Connecting to Kafka at %1…").arg(config.bootstrapServers);
    statsDue = true;
    overflowReported = false;
    lastPost = {};
    rateSamples.clear();
    badRecordReports = {};
    consumeErrorReports = {};
    records = delivered = duplicates = bad = dropped = 0;
    std::lock_guard lock(mutex);
    pending.clear();
    droppedSinceBatch = 0;
    deliveryPosted = false;
    measured = KafkaStats{};
    measured.state = state;
    measured.stateDetail = detail;
}

KafkaStats KafkaConsumer::Worker::snapshot() const
{
    KafkaStats s;
    {
        std::lock_guard lock(mutex);
        s = measured;
    }
    s.records = records;
    s.delivered = delivered;
    s.duplicates = duplicates;
    s.badRecords = bad;
    s.dropped = dropped;
    return s;
}

// ---------------------------------------------------------------- callbacks

void KafkaConsumer::Worker::onError(rd_kafka_t* rk, int err, const char* reason, void* opaque)
{
    auto* w = static_cast<Worker*>(opaque);
    const QString why = QString::fromUtf8(reason);
    switch (err) {
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
        w->brokersUp = 0;
        w->setState(KafkaState::Disconnected, QObject::tr("Kafka is unreachable: %1").arg(why));
        break;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
        // One broker of several dropping out is librdkafka's business; the
        // console is disconnected when it was the only one up.
        if (w->brokersUp <= 1)
            w->setState(KafkaState::Disconnected,
                        QObject::tr("Lost the connection to Kafka: %1").arg(why));
        break;
    case RD_KAFKA_RESP_ERR__RESOLVE:
        w->setState(KafkaState::Disconnected,
                    QObject::tr("The Kafka address does not resolve: %1").arg(why));
        break;
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
        w->setState(KafkaState::Disconnected,
                    QObject::tr("Kafka refused the credentials: %1").arg(why));
        break;
    case RD_KAFKA_RESP_ERR__FATAL: {
        char text[512] = {};
        rd_kafka_fatal_error(rk, text, sizeof text);
        w->setState(KafkaState::Failed, QObject::tr("Kafka consumer failed: %1")
                                            .arg(QString::fromUtf8(text[0] ? text : reason)));
        break;
    }
    default:
        qCDebug(lcKafka, "kafka error %s: %s", rd_kafka_err2name(rd_kafka_resp_err_t(err)), reason);
        break;
    }
}

int KafkaConsumer::Worker::onStatistics(rd_kafka_t*, char* json, size_t length, void* opaque)
{
    auto* w = static_cast<Worker*>(opaque);
    const int up = countBrokersUp(json, length);
    if (up < 0)
        return 0;
    w->brokersUp = up;
    if (up > 0)
        w->noteConnected();
    return 0; // librdkafka frees the JSON
}

void KafkaConsumer::Worker::onRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                        rd_kafka_topic_partition_list_t* partitions, void* opaque)
{
    auto* w = static_cast<Worker*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (cooperative) {
            if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions))
                rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, partitions);
        }
        w->noteConnected();
    } else if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions))
            rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(rk, nullptr);
    }
    int assigned = 0;
    const std::int64_t currentLag = w->lag(assigned);
    {
        std::lock_guard lock(w->mutex);
        w->measured.assignedPartitions = assigned;
        w->measured.lag = currentLag;
    }
    w->statsDue = true;
}

void KafkaConsumer::Worker::onLog(const rd_kafka_t*, int level, const char* facility,
                                  const char* message)
{
    // Connection trouble reaches the user through the error callback (the
    // state); librdkafka's own lines are for debugging.
    if (level <= 2)
        qCWarning(lcKafka, "%s: %s", facility, message);
    else
        qCDebug(lcKafka, "%s: %s", facility, message);
}

// ---------------------------------------------------------------- worker

void KafkaConsumer::Worker::run()
{
    std::vector<ConsumedRecord> decoded;
    rateSamples.emplace_back(Clock::now(), 0);
    auto nextMeasure = Clock::now() + kStatsInterval;
    int waitMs = int(kMaxPollWait.count());
    while (!stopping) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, waitMs);
        for (std::size_t taken = 0; m; ++taken) {
            handle(m, decoded);
            rd_kafka_message_destroy(m);
            m = taken + 1 < kPollBatch && !stopping ? rd_kafka_consumer_poll(rk, 0) : nullptr;
        }
        if (!decoded.empty())
            append(decoded);
        const auto now = Clock::now();
        if (now >= nextMeasure) {
            measure(now);
            nextMeasure = now + kStatsInterval;
            statsDue = true;
        }
        if (statsDue)
            postStats();
        waitMs = std::min(deliverIfDue(now), msUntil(now, nextMeasure));
    }
    closeConsumer();
}

const QString& KafkaConsumer::Worker::topicName(const rd_kafka_message_t* m)
{
    const char* name = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
    auto it = topicNames.find(std::string_view(name));
    if (it == topicNames.end())
        it = topicNames.emplace(name, QString::fromUtf8(name)).first;
    return it->second;
}

void KafkaConsumer::Worker::handle(const rd_kafka_message_t* m, std::vector<ConsumedRecord>& out)
{
    if (!m->err) {
        ++records;
        if (state != KafkaState::Connected)
            noteConnected();
        decodeRecord(m, out);
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return;
    const auto now = Clock::now();
    if (!consumeErrorReports.allow(now, std::chrono::milliseconds(config.problemIntervalMs)))
        return;
    // librdkafka's text names the topic ("Subscribed topic not available: ...").
    postProblem(
        QObject::tr("Kafka consumer error: %1").arg(QString::fromUtf8(rd_kafka_message_errstr(m))) +
        consumeErrorReports.suffix());
}

void KafkaConsumer::Worker::decodeRecord(const rd_kafka_message_t* m,
                                         std::vector<ConsumedRecord>& out)
{
    ConsumedRecord& r = out.emplace_back();
    const std::string_view value(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
    auto decoded = decoder->decode(value, r.message);
    if (!decoded) {
        ++bad;
        const QString reason = QString::fromStdString(decoded.error().message);
        out.pop_back();
        if (!badRecordReports.allow(Clock::now(),
                                    std::chrono::milliseconds(config.problemIntervalMs)))
            return;
        postProblem(QObject::tr("Kafka record at %1[%2]@%3 could not be decoded: %4")
                        .arg(topicName(m))
                        .arg(m->partition)
                        .arg(m->offset)
                        .arg(reason) +
                    badRecordReports.suffix());
        return;
    }
    const protocol::ds::Header* header = protocol::headerOf(r.message);
    if (header && !dedupe->insert(header->message_id())) {
        ++duplicates;
        out.pop_back();
        return;
    }
    r.topic = topicName(m);
    r.partition = m->partition;
    r.offset = m->offset;
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    r.kafkaTimestampMs = rd_kafka_message_timestamp(m, &type);
}

void KafkaConsumer::Worker::append(std::vector<ConsumedRecord>& decoded)
{
    const std::size_t limit = std::max<std::size_t>(1, config.maxPendingRecords);
    std::size_t droppedNow = 0;
    {
        std::lock_guard lock(mutex);
        if (pending.empty())
            pending.swap(decoded);
        else
            std::move(decoded.begin(), decoded.end(), std::back_inserter(pending));
        if (pending.size() > limit) {
            // The owner fell behind: keep the newest. Dropping an eighth at
            // once keeps this amortised O(1) per record.
            droppedNow = std::min(pending.size(), pending.size() - limit + limit / 8);
            pending.erase(pending.begin(), pending.begin() + std::ptrdiff_t(droppedNow));
            droppedSinceBatch += droppedNow;
        }
    }
    decoded.clear();
    if (droppedNow == 0)
        return;
    dropped += droppedNow;
    if (!overflowReported) {
        overflowReported = true;
        postProblem(QObject::tr("The console fell behind the Kafka stream and dropped the oldest "
                                "%1 waiting records (at most %2 may wait); live views have a gap.")
                        .arg(droppedNow)
                        .arg(limit));
    }
}

// Posts a delivery when one is due; returns how long the worker may wait.
int KafkaConsumer::Worker::deliverIfDue(Clock::time_point now)
{
    const auto interval = std::chrono::milliseconds(std::max(0, config.deliveryIntervalMs));
    std::lock_guard lock(mutex);
    if (pending.empty() || deliveryPosted)
        return int(kMaxPollWait.count());
    if (now - lastPost < interval)
        return msUntil(now, lastPost + interval);
    deliveryPosted = true;
    lastPost = now;
    QMetaObject::invokeMethod(
        owner, [o = owner, g = generation] { o->takePending(g); }, Qt::QueuedConnection);
    return int(kMaxPollWait.count());
}

void KafkaConsumer::Worker::measure(Clock::time_point now)
{
    const std::uint64_t total = records;
    rateSamples.emplace_back(now, total);
    while (rateSamples.size() > 2 && now - rateSamples[1].first >= kRateWindow)
        rateSamples.pop_front();
    const auto& [since, then] = rateSamples.front();
    const double seconds = std::chrono::duration<double>(now - since).count();
    int assigned = 0;
    const std::int64_t currentLag = lag(assigned);
    std::lock_guard lock(mutex);
    measured.recordsPerSecond = seconds > 0 ? double(total - then) / seconds : 0.0;
    measured.lag = currentLag;
    measured.assignedPartitions = assigned;
}

std::int64_t KafkaConsumer::Worker::lag(int& assigned)
{
    rd_kafka_topic_partition_list_t* parts = nullptr;
    assigned = 0;
    if (rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts)
        return -1;
    rd_kafka_position(rk, parts);
    std::int64_t total = 0;
    bool known = false;
    for (int i = 0; i < parts->cnt; ++i) {
        const rd_kafka_topic_partition_t& p = parts->elems[i];
        int64_t low = RD_KAFKA_OFFSET_INVALID, high = RD_KAFKA_OFFSET_INVALID;
        rd_kafka_get_watermark_offsets(rk, p.topic, p.partition, &low, &high);
        if (high < 0)
            continue; // no fetch answered yet
        // Nothing consumed yet: from the beginning everything is behind us,
        // from the end nothing is.
        std::int64_t position = p.offset;
        if (position < 0)
            position = config.fromBeginning ? std::max<int64_t>(low, 0) : high;
        total += std::max<std::int64_t>(0, high - position);
        known = true;
    }
    assigned = parts->cnt;
    rd_kafka_topic_partition_list_destroy(parts);
    return known ? total : -1;
}

void KafkaConsumer::Worker::setState(KafkaState newState, const QString& newDetail)
{
    if (state == KafkaState::Failed || (newState == state && newDetail == detail))
        return;
    state = newState;
    detail = newDetail;
    {
        std::lock_guard lock(mutex);
        measured.state = state;
        measured.stateDetail = detail;
    }
    statsDue = true;
}

void KafkaConsumer::Worker::noteConnected()
{
    if (state != KafkaState::Connected)
        setState(KafkaState::Connected,
                 QObject::tr("Connected to Kafka at %1").arg(config.bootstrapServers));
}

void KafkaConsumer::Worker::postStats()
{
    statsDue = false;
    QMetaObject::invokeMethod(
        owner, [o = owner, g = generation, s = snapshot()] { o->publishStats(g, s); },
        Qt::QueuedConnection);
}

void KafkaConsumer::Worker::postProblem(const QString& message)
{
    QMetaObject::invokeMethod(
        owner,
        [o = owner, g = generation, message] {
            if (g == o->generation_)
                Q_EMIT o->problem(message);
        },
        Qt::QueuedConnection);
}

// Leaves the group so that a shared group rebalances at once; bounded, and
// skipped while no broker is reachable (there is nobody to tell).
void KafkaConsumer::Worker::closeConsumer()
{
    if (state == KafkaState::Disconnected || state == KafkaState::Failed)
        return;
    rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
    if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(rk, queue)) {
        rd_kafka_error_destroy(error);
    } else {
        const auto deadline = Clock::now() + kCloseDeadline;
        while (!rd_kafka_consumer_closed(rk) && Clock::now() < deadline)
            rd_kafka_queue_poll_callback(queue, 50);
    }
    rd_kafka_queue_destroy(queue);
}

// ---------------------------------------------------------------- KafkaConsumer

KafkaConsumer::KafkaConsumer(KafkaConsumerConfig config, QObject* parent)
    : QObject(parent), config_(std::move(config)), worker_(std::make_unique<Worker>())
{
    qRegisterMetaType<KafkaStats>();
    qRegisterMetaType<std::shared_ptr<const RecordBatch>>();
    worker_->owner = this;
    groupId_ = config_.groupId.isEmpty() ? QStringLiteral("nexus-console-") +
                                               QUuid::createUuid().toString(QUuid::WithoutBraces)
                                         : config_.groupId;
}

KafkaConsumer::~KafkaConsumer()
{
    halt(); // no statsChanged() from a half-destroyed object
}

bool KafkaConsumer::running() const
{
    return worker_->thread.joinable();
}

KafkaStats KafkaConsumer::stats() const
{
    return worker_->snapshot();
}

void KafkaConsumer::fail(const QString& detail)
{
    worker_->state = KafkaState::Failed;
    {
        std::lock_guard lock(worker_->mutex);
        worker_->measured = KafkaStats{};
        worker_->measured.state = KafkaState::Failed;
        worker_->measured.stateDetail = detail;
    }
    Q_EMIT statsChanged(worker_->snapshot());
}

bool KafkaConsumer::start()
{
    if (running())
        return true;
    if (config_.bootstrapServers.trimmed().isEmpty()) {
        fail(tr("No Kafka bootstrap servers are configured."));
        return false;
    }
    if (config_.topics.isEmpty()) {
        fail(tr("No Kafka topics to consume are configured."));
        return false;
    }
    std::map<std::string, std::string> settings = {
        {"bootstrap.servers", config_.bootstrapServers.toStdString()},
        {"group.id", groupId_.toStdString()},
        {"client.id", "nexus-console"},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", config_.fromBeginning ? "earliest" : "latest"},
        {"enable.partition.eof", "false"},
        {"statistics.interval.ms", kStatisticsMs},
        {"log.connection.close", "false"},
    };
    for (auto it = config_.properties.cbegin(); it != config_.properties.cend(); ++it)
        settings[it.key().toStdString()] = it.value().toStdString();

    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[512] = {};
    for (const auto& [key, value] : settings)
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            fail(tr("Kafka setting %1 refused: %2")
                     .arg(QString::fromStdString(key), QString::fromUtf8(errstr)));
            return false;
        }
    rd_kafka_conf_set_opaque(conf, worker_.get());
    rd_kafka_conf_set_error_cb(conf, &Worker::onError);
    rd_kafka_conf_set_stats_cb(conf, &Worker::onStatistics);
    rd_kafka_conf_set_rebalance_cb(conf, &Worker::onRebalance);
    rd_kafka_conf_set_log_cb(conf, &Worker::onLog);

    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        fail(tr("Kafka consumer not created: %1").arg(QString::fromUtf8(errstr)));
        return false;
    }
    rd_kafka_poll_set_consumer(rk); // error, stats and rebalance callbacks on the worker
    rd_kafka_topic_partition_list_t* topics =
        rd_kafka_topic_partition_list_new(int(config_.topics.size()));
    for (const QString& topic : config_.topics)
        rd_kafka_topic_partition_list_add(topics, topic.toUtf8().constData(),
                                          RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        fail(tr("Kafka subscription refused: %1").arg(QString::fromUtf8(rd_kafka_err2str(err))));
        return false;
    }

    worker_->reset(config_, ++generation_);
    worker_->rk = rk;
    worker_->thread = std::thread([w = worker_.get()] { w->run(); });
    Q_EMIT statsChanged(worker_->snapshot());
    return true;
}

void KafkaConsumer::stop()
{
    if (halt())
        Q_EMIT statsChanged(worker_->snapshot());
}

bool KafkaConsumer::halt()
{
    Worker& w = *worker_;
    if (w.thread.joinable()) {
        w.stopping = true;
        rd_kafka_yield(w.rk); // ends a poll in progress
        w.thread.join();
    }
    if (w.rk) {
        rd_kafka_destroy_flags(w.rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        w.rk = nullptr;
    }
    ++generation_; // deliveries, stats and problems of the old worker are dropped
    const bool wasActive = w.state != KafkaState::Stopped && w.state != KafkaState::Failed;
    w.state = KafkaState::Stopped;
    {
        std::lock_guard lock(w.mutex);
        w.pending.clear();
        w.deliveryPosted = false;
        w.measured.state = KafkaState::Stopped;
        w.measured.stateDetail = tr("Kafka consumer stopped");
        w.measured.recordsPerSecond = 0;
    }
    return wasActive;
}

void KafkaConsumer::takePending(int generation)
{
    if (generation != generation_)
        return;
    auto batch = std::make_shared<RecordBatch>();
    {
        std::lock_guard lock(worker_->mutex);
        batch->records.swap(worker_->pending);
        batch->droppedBefore = std::exchange(worker_->droppedSinceBatch, 0);
        worker_->deliveryPosted = false;
    }
    if (batch->records.empty() && batch->droppedBefore == 0)
        return;
    worker_->delivered += batch->records.size();
    Q_EMIT recordsReceived(std::move(batch));
}

void KafkaConsumer::publishStats(int generation, const KafkaStats& stats)
{
    if (generation == generation_)
        Q_EMIT statsChanged(stats);
}

} // namespace nexus::client
