#pragma once
// Helpers of the ingestion and simulator tests: a plain librdkafka producer
// and consumer (no Nexus code in between), and the replay check of a stored
// record log (JSON Patch + state hash, DASHSTREAM.md §4).

#include "protocol/CanonicalJson.h"
#include "protocol/Framing.h"

#include <QTest>

#include <chrono>
#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace QTest {
template <> inline char* toString(const std::string& value)
{
    return qstrdup(value.c_str());
}
} // namespace QTest

namespace nexus::server::test {

namespace ds = protocol::ds;

// Produces (key, value) records and waits for their delivery.
inline bool produceRaw(const std::string& bootstrap, const std::string& topic,
                       const std::vector<std::pair<std::string, std::string>>& records)
{
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
    rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!producer)
        return false;
    bool ok = true;
    for (const auto& [key, value] : records)
        ok =
            ok && rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()),
                                    RD_KAFKA_V_KEY(key.data(), key.size()),
                                    RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR;
    ok = ok && rd_kafka_flush(producer, 30'000) == RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_destroy(producer);
    return ok;
}

struct Consumed
{
    std::string key;
    std::string value;
};

// Reads `count` records from every partition of `topic` (from the start),
// or what arrived within 30 s.
inline std::vector<Consumed> consumeAll(const std::string& bootstrap, const std::string& topic,
                                        std::size_t count, int partitions = 1)
{
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "test-reader", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    std::vector<Consumed> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 200);
        if (!m)
            continue;
        if (!m->err)
            out.push_back({std::string(static_cast<const char*>(m->key), m->key_len),
                           std::string(static_cast<const char*>(m->payload), m->len)});
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    return out;
}

struct Replay
{
    bool ok = false;
    std::string error;
    nlohmann::json state;
    int verifiedHashes = 0;
};

// Re-drives a run from its stored record log: the GRAPH_START's
// initial_state_json, then every StateDiff (full_state, or its operations
// as an RFC 6902 patch), checking state_hash after each.
inline Replay replayRecordLog(const std::vector<std::string>& records)
{
    Replay r;
    protocol::RecordDecoder decoder;
    bool started = false;
    static const char* opNames[] = {"add", "remove", "replace", "move", "copy", "test"};
    for (const std::string& record : records) {
        ds::DashStreamMessage m;
        if (!decoder.decode(record, m)) {
            r.error = "a stored record does not decode";
            return r;
        }
        if (m.has_event() && m.event().event_type() == ds::EVENT_TYPE_GRAPH_START) {
            r.state = nlohmann::json::parse(
                m.event().attributes().at("initial_state_json").string_value());
            started = true;
        }
        if (!m.has_state_diff())
            continue;
        if (!started) {
            r.error = "a StateDiff before GRAPH_START";
            return r;
        }
        const ds::StateDiff& diff = m.state_diff();
        if (!diff.full_state().empty()) {
            r.state = nlohmann::json::parse(diff.full_state());
        } else {
            nlohmann::json patch = nlohmann::json::array();
            for (const auto& op : diff.operations()) {
                nlohmann::json o = {{"op", opNames[op.op()]}, {"path", op.path()}};
                if (!op.from().empty())
                    o["from"] = op.from();
                if (op.op() == ds::DiffOperation::OP_TYPE_ADD ||
                    op.op() == ds::DiffOperation::OP_TYPE_REPLACE ||
                    op.op() == ds::DiffOperation::OP_TYPE_TEST)
                    o["value"] = op.value().empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json::parse(op.value());
                patch.push_back(o);
            }
            r.state = r.state.patch(patch);
        }
        if (diff.state_hash() != protocol::stateHashBytes(r.state)) {
            r.error = "state hash mismatch after a StateDiff";
            return r;
        }
        ++r.verifiedHashes;
    }
    r.ok = started && r.verifiedHashes > 0;
    if (!r.ok && r.error.empty())
        r.error = "no GRAPH_START or no StateDiff in the log";
    return r;
}

} // namespace nexus::server::test
