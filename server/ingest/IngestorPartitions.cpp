// Ingestor: partition assignment as a member of the consumer group (replicas).
#include "server/ingest/Ingestor.h"

#include <librdkafka/rdkafka.h>

namespace nexus::server {

// Replicas: partitions come and go as group members join and leave. Before
// partitions go, what was consumed from them is written and its offsets
// stored, so the commit that follows the revocation (auto commit) hands the
// new owner the exact position; after a crash the new owner re-reads from
// the last commit and the store's record keys drop what is already there.
void Ingestor::rebalance(void* consumer, int err, void* list)
{
    auto* partitions = static_cast<rd_kafka_topic_partition_list_t*>(list);
    auto* rk = static_cast<rd_kafka_t*>(consumer);
    const bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (cooperative) {
            if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions))
                rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, partitions);
            assigned_.clear();
        }
        for (int i = 0; i < partitions->cnt; ++i)
            assigned_[partitions->elems[i].topic].insert(partitions->elems[i].partition);
    } else {
        flush();
        if (cooperative) {
            if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions))
                rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, nullptr);
        }
        if (cooperative && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
            for (int i = 0; i < partitions->cnt; ++i)
                assigned_[partitions->elems[i].topic].erase(partitions->elems[i].partition);
        else
            assigned_.clear();
    }
    std::string sentence;
    for (const auto& [topic, numbers] : assigned_) {
        if (numbers.empty())
            continue;
        std::string list;
        for (const std::int32_t n : numbers)
            list += (list.empty() ? "" : ",") + std::to_string(n);
        sentence += (sentence.empty() ? "" : " ") + topic + "[" + list + "]";
    }
    options_.onPartitions(sentence.empty() ? "reading no partitions" : "reading " + sentence);
}

} // namespace nexus::server
