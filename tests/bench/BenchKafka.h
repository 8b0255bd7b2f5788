#pragma once
// Kafka helpers of the Kafka benchmarks (bench_kafka_ingest, bench_gui_stall):
// the embedded broker (librdkafka's mock cluster, DESIGN.md §7) with one topic
// of our own, a plain librdkafka producer (as DashFlow's producers are:
// keyed by thread_id), and the topic's record count from its watermarks.

#include "protocol/Messages.h"
#include "server/kafka/EmbeddedBroker.h"

#include <QtGlobal>

#include <cstdint>
#include <librdkafka/rdkafka.h>
#include <memory>
#include <string>
#include <vector>

namespace nexus::bench {

// The broker with just `topic` of `partitions` partitions; qFatal when it
// does not start (a benchmark without its broker measures nothing).
inline std::unique_ptr<server::EmbeddedBroker> startBroker(const std::string& topic, int partitions)
{
    server::EmbeddedBrokerOptions options;
    options.topics = {{topic, partitions}};
    auto broker = server::EmbeddedBroker::start(options);
    if (!broker)
        qFatal("embedded broker: %s", broker.error().message.c_str());
    return std::move(*broker);
}

// The record key DashFlow's producer uses: the run's thread_id.
inline std::string recordKey(const protocol::ds::DashStreamMessage& message)
{
    const protocol::ds::Header* header = protocol::headerOf(message);
    return header ? header->thread_id() : std::string();
}

class Producer
{
public:
    Producer(const std::string& bootstrap, std::string topic) : topic_(std::move(topic))
    {
        char errstr[512] = {};
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        const std::pair<const char*, const char*> settings[] = {
            {"bootstrap.servers", bootstrap.c_str()},    {"linger.ms", "5"},
            {"queue.buffering.max.messages", "1000000"}, {"queue.buffering.max.kbytes", "1048576"},
            {"log.connection.close", "false"},
        };
        for (const auto& [key, value] : settings)
            if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
                qFatal("producer setting %s: %s", key, errstr);
        rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        if (!rk_)
            qFatal("producer: %s", errstr);
    }
    ~Producer() { rd_kafka_destroy(rk_); }
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    // Copies the value; waits (serving delivery reports) while the local
    // queue is full. False on any other error.
    bool produce(const std::string& value, const std::string& key)
    {
        for (;;) {
            const rd_kafka_resp_err_t err = rd_kafka_producev(
                rk_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
                return true;
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                return false;
            rd_kafka_poll(rk_, 10);
        }
    }
    void poll() { rd_kafka_poll(rk_, 0); }
    bool flush(int timeoutMs = 60'000) { return rd_kafka_flush(rk_, timeoutMs) == 0; }

    // Each partition's low and high watermark; false when the broker does
    // not answer.
    bool watermarks(int partitions, std::vector<std::int64_t>& low, std::vector<std::int64_t>& high)
    {
        low.assign(std::size_t(partitions), 0);
        high.assign(std::size_t(partitions), 0);
        for (int p = 0; p < partitions; ++p) {
            int64_t lo = 0, hi = 0;
            if (rd_kafka_query_watermark_offsets(rk_, topic_.c_str(), p, &lo, &hi, 10'000))
                return false;
            low[std::size_t(p)] = lo;
            high[std::size_t(p)] = hi;
        }
        return true;
    }
    // Records the topic holds: the sum over its partitions of high minus low
    // watermark (-1 when the broker does not answer).
    std::int64_t retained(int partitions)
    {
        std::vector<std::int64_t> low, high;
        if (!watermarks(partitions, low, high))
            return -1;
        std::int64_t total = 0;
        for (std::size_t p = 0; p < low.size(); ++p)
            total += high[p] - low[p];
        return total;
    }

private:
    std::string topic_;
    rd_kafka_t* rk_ = nullptr;
};

} // namespace nexus::bench
