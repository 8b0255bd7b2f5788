// Ingestor: partition assignment as a member of the consumer group (replicas),
// how far behind the assigned partitions' ends ingestion is, and its counters.
#include "server/ingest/Ingestor.h"

#include <algorithm>
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

// The assignment's high watermarks (as the last fetches saw them, no broker
// round trip) minus the consumer's positions, summed over the partitions
// whose watermark is known.
std::int64_t Ingestor::consumerLag(void* consumer)
{
    auto* rk = static_cast<rd_kafka_t*>(consumer);
    rd_kafka_topic_partition_list_t* parts = nullptr;
    if (!rk || rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts)
        return -1;
    rd_kafka_position(rk, parts);
    std::int64_t total = 0;
    bool known = false;
    for (int i = 0; i < parts->cnt; ++i) {
        const rd_kafka_topic_partition_t& p = parts->elems[i];
        std::int64_t low = RD_KAFKA_OFFSET_INVALID, high = RD_KAFKA_OFFSET_INVALID;
        rd_kafka_get_watermark_offsets(rk, p.topic, p.partition, &low, &high);
        if (high < 0)
            continue; // no fetch answered yet
        // Nothing consumed yet: everything from the low watermark is behind.
        const std::int64_t position = p.offset >= 0 ? p.offset : std::max<std::int64_t>(low, 0);
        total += std::max<std::int64_t>(0, high - position);
        known = true;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return known ? total : -1;
}

IngestStats Ingestor::stats() const
{
    IngestStats s;
    s.records = records_;
    s.stored = stored_;
    s.duplicates = duplicates_;
    s.badRecords = bad_;
    s.deadLettered = dlqSent_;
    s.deadLetterFailures = dlqFailed_;
    s.runsStarted = runsStarted_;
    s.runsFinished = runsFinished_;
    s.storeFailures = storeFailures_;
    s.kafkaErrors = kafkaErrors_;
    s.batches = batches_;
    s.kafkaOutages = kafkaOutages_;
    s.lagRecords = lag_;
    std::lock_guard lock(errorMutex_);
    s.lastError = lastError_;
    s.kafkaConnected = kafkaConnected_;
    s.kafkaProblem = kafkaProblem_;
    s.kafkaProblemSinceUs = kafkaProblemSinceUs_;
    return s;
}

} // namespace nexus::server
