#include "client/KafkaConsumerWorker.h"

#include "protocol/KafkaStatistics.h"

namespace nexus::client {

Q_LOGGING_CATEGORY(lcKafka, "nexus.client.kafka", QtWarningMsg)

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
    std::lock_guard releasedLock(released->mutex);
    released->open = true;
}

KafkaStats KafkaConsumer::Worker::snapshot() const
{
    KafkaStats s;
    {
        std::lock_guard lock(mutex);
        s = measured;
        s.waiting = pending.size();
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
    const int up = protocol::countBrokersUp(json, length);
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
        released->destroyReleased();
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

} // namespace nexus::client
