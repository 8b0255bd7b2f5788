#pragma once
// Produces DashStream records to Kafka the way DashFlow's producer does
// (DASHSTREAM.md §2): key = thread_id, value = the framed record
// (protocol::RecordEncoder), acks=all, idempotence on, compression.type=none
// (the frame byte does the compressing), message.timeout.ms=30000.
// publish() only queues; delivery failures are counted as their reports come in
// and reported by flush() / close().

#include "runtime/TelemetrySink.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace nexus::runtime {

inline constexpr const char* kDefaultTopic = "dashstream-events";

struct KafkaSinkOptions
{
    std::string bootstrapServers = "localhost:9092";
    std::string topic = kDefaultTopic;
    // Extra librdkafka properties (security.protocol, sasl.*, ...); they
    // override the defaults above.
    std::map<std::string, std::string> config;
    int flushTimeoutMs = 30'000;
    protocol::EncodeOptions encode;
};

class KafkaSink final : public TelemetrySink
{
public:
    static Result<std::unique_ptr<KafkaSink>> create(KafkaSinkOptions options);
    ~KafkaSink() override; // close()

    Status publish(const ds::DashStreamMessage& message) override;
    // Waits up to flushTimeoutMs for every queued record's delivery report;
    // fails if any record was not delivered (since the last flush).
    Status flush() override;
    Status close();

    std::uint64_t queued() const { return queued_; }
    std::uint64_t delivered() const { return delivered_; }
    std::uint64_t failed() const { return failed_; }
    std::string lastDeliveryError() const;

private:
    struct Handle;
    explicit KafkaSink(KafkaSinkOptions options);
    static void onDelivery(void* producer, const void* report, void* opaque);

    KafkaSinkOptions options_;
    std::unique_ptr<Handle> handle_;
    protocol::RecordEncoder encoder_;
    std::uint64_t queued_ = 0;
    std::atomic<std::uint64_t> delivered_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::uint64_t failedAtLastFlush_ = 0;
    mutable std::mutex errorMutex_;
    std::string lastDeliveryError_;
};

} // namespace nexus::runtime
