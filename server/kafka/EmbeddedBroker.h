#pragma once
// The embedded Kafka-protocol broker of the sandbox (DESIGN.md §1, §7):
// librdkafka's mock cluster, serving real Kafka clients over TCP on
// 127.0.0.1. It keeps only about 5 MB per partition: Kafka is transport
// here, history lives in the store.
//
// The fault controls wrap rdkafka_mock.h for fault tests (a broker down and
// up, added round-trip time, request errors).

#include "server/kafka/KafkaError.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nexus::server {

struct TopicSpec
{
    std::string name;
    int partitions = 1;
};

struct EmbeddedBrokerOptions
{
    int brokers = 1; // ids 1..brokers
    // Created at start; the default is DashFlow's library topic and our DLQ.
    std::vector<TopicSpec> topics = {{"dashstream-events", 4}, {"dashstream-events-dlq", 1}};
};

class EmbeddedBroker
{
public:
    static KafkaResult<std::unique_ptr<EmbeddedBroker>> start(EmbeddedBrokerOptions options = {});
    ~EmbeddedBroker(); // stop()
    EmbeddedBroker(const EmbeddedBroker&) = delete;
    EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

    // "127.0.0.1:port[,...]"; empty once stopped.
    const std::string& bootstrapServers() const { return bootstrapServers_; }
    bool running() const;
    // Closes the listeners; clients see their connections drop.
    void stop();

    KafkaStatus createTopic(const std::string& name, int partitions, int replicationFactor = 1);

    // --- fault controls (brokerId 1..brokers)
    KafkaStatus setBrokerDown(std::int32_t brokerId);
    KafkaStatus setBrokerUp(std::int32_t brokerId);
    KafkaStatus setBrokerRttMs(std::int32_t brokerId, int rttMs);
    // The next `errors.size()` requests of the Kafka API `apiKey` (0 =
    // Produce, 1 = Fetch, 8 = OffsetCommit, ...) fail with these librdkafka
    // error codes (rd_kafka_resp_err_t values), in order.
    void pushRequestErrors(std::int16_t apiKey, const std::vector<int>& errorCodes);
    KafkaStatus setPartitionLeader(const std::string& topic, std::int32_t partition,
                                   std::int32_t brokerId);

private:
    struct Handle;
    EmbeddedBroker();

    std::unique_ptr<Handle> handle_;
    std::string bootstrapServers_;
};

} // namespace nexus::server
