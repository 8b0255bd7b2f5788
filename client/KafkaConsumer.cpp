#include "client/KafkaConsumer.h"

#include "client/KafkaConsumerWorker.h"

#include <QMetaObject>
#include <QUuid>

namespace nexus::client {

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
    // Records fetched while the consumer closes are served to the close
    // queue's poll; without a consume callback librdkafka asserts there
    // (rdkafka_queue.c "res != RD_KAFKA_OP_RES_PASS"). They are dropped:
    // this consumer never commits or stores offsets.
    rd_kafka_conf_set_consume_cb(conf, [](rd_kafka_message_t*, void*) {});

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
    w.released->destroyReleased(true); // from now on released where they are let go
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
    auto taken = std::make_unique<RecordBatch>();
    {
        std::lock_guard lock(worker_->mutex);
        taken->records.swap(worker_->pending);
        taken->droppedBefore = std::exchange(worker_->droppedSinceBatch, 0);
        worker_->deliveryPosted = false;
    }
    if (taken->records.empty() && taken->droppedBefore == 0)
        return;
    // The last owner's release hands the batch back to the worker.
    std::shared_ptr<const RecordBatch> batch(taken.release(),
                                             [released = worker_->released](const RecordBatch* b) {
                                                 ReleasedBatches::release(released, b);
                                             });
    worker_->delivered += batch->records.size();
    Q_EMIT recordsReceived(std::move(batch));
}

void KafkaConsumer::publishStats(int generation, const KafkaStats& stats)
{
    if (generation == generation_)
        Q_EMIT statsChanged(stats);
}

} // namespace nexus::client
