#include "server/kafka/EmbeddedBroker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace nexus::server {

// A mock cluster lives inside an rd_kafka_t of its own (librdkafka needs
// one for its book keeping); the handle is never used to produce.
struct EmbeddedBroker::Handle
{
    rd_kafka_t* host = nullptr;
    rd_kafka_mock_cluster_t* cluster = nullptr;

    void destroy()
    {
        if (cluster)
            rd_kafka_mock_cluster_destroy(cluster);
        cluster = nullptr;
        if (host)
            rd_kafka_destroy(host);
        host = nullptr;
    }
    ~Handle() { destroy(); }
};

namespace {

KafkaStatus check(rd_kafka_resp_err_t err, const std::string& what)
{
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return protocol::Ok{};
    return KafkaError{"embedded broker: " + what + ": " + rd_kafka_err2str(err)};
}

} // namespace

EmbeddedBroker::EmbeddedBroker() : handle_(std::make_unique<Handle>()) {}

EmbeddedBroker::~EmbeddedBroker()
{
    stop();
}

KafkaResult<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::start(EmbeddedBrokerOptions options)
{
    if (options.brokers < 1)
        return KafkaError{"embedded broker: at least one broker is needed"};
    std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker());
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // Keep the host handle quiet: it never connects anywhere.
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    broker->handle_->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!broker->handle_->host) {
        rd_kafka_conf_destroy(conf);
        return KafkaError{std::string("embedded broker: cannot create its handle: ") + errstr};
    }
    broker->handle_->cluster = rd_kafka_mock_cluster_new(broker->handle_->host, options.brokers);
    if (!broker->handle_->cluster)
        return KafkaError{"embedded broker: the mock cluster did not start (no free port?)"};
    broker->bootstrapServers_ = rd_kafka_mock_cluster_bootstraps(broker->handle_->cluster);
    for (const TopicSpec& topic : options.topics)
        if (auto created = broker->createTopic(topic.name, topic.partitions); !created)
            return created.error();
    return broker;
}

bool EmbeddedBroker::running() const
{
    return handle_ && handle_->cluster;
}

void EmbeddedBroker::stop()
{
    if (handle_)
        handle_->destroy();
    bootstrapServers_.clear();
}

KafkaStatus EmbeddedBroker::createTopic(const std::string& name, int partitions,
                                        int replicationFactor)
{
    if (!running())
        return KafkaError{"embedded broker: stopped"};
    if (name.empty() || partitions < 1)
        return KafkaError{"embedded broker: a topic needs a name and at least one partition"};
    return check(
        rd_kafka_mock_topic_create(handle_->cluster, name.c_str(), partitions, replicationFactor),
        "create topic " + name);
}

KafkaStatus EmbeddedBroker::setBrokerDown(std::int32_t brokerId)
{
    if (!running())
        return KafkaError{"embedded broker: stopped"};
    return check(rd_kafka_mock_broker_set_down(handle_->cluster, brokerId), "broker down");
}

KafkaStatus EmbeddedBroker::setBrokerUp(std::int32_t brokerId)
{
    if (!running())
        return KafkaError{"embedded broker: stopped"};
    return check(rd_kafka_mock_broker_set_up(handle_->cluster, brokerId), "broker up");
}

KafkaStatus EmbeddedBroker::setBrokerRttMs(std::int32_t brokerId, int rttMs)
{
    if (!running())
        return KafkaError{"embedded broker: stopped"};
    return check(rd_kafka_mock_broker_set_rtt(handle_->cluster, brokerId, rttMs), "broker rtt");
}

void EmbeddedBroker::pushRequestErrors(std::int16_t apiKey, const std::vector<int>& errorCodes)
{
    if (!running() || errorCodes.empty())
        return;
    std::vector<rd_kafka_resp_err_t> errors;
    errors.reserve(errorCodes.size());
    for (int code : errorCodes)
        errors.push_back(static_cast<rd_kafka_resp_err_t>(code));
    rd_kafka_mock_push_request_errors_array(handle_->cluster, apiKey, errors.size(), errors.data());
}

KafkaStatus EmbeddedBroker::setPartitionLeader(const std::string& topic, std::int32_t partition,
                                               std::int32_t brokerId)
{
    if (!running())
        return KafkaError{"embedded broker: stopped"};
    return check(
        rd_kafka_mock_partition_set_leader(handle_->cluster, topic.c_str(), partition, brokerId),
        "partition leader");
}

} // namespace nexus::server
