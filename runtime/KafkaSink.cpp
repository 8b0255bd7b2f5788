#include "runtime/KafkaSink.h"

#include <librdkafka/rdkafka.h>

namespace nexus::runtime {

struct KafkaSink::Handle
{
    rd_kafka_t* producer = nullptr;
    ~Handle()
    {
        if (producer)
            rd_kafka_destroy(producer);
    }
};

namespace {

RuntimeError kafkaError(const std::string& message)
{
    return makeError(ErrorCode::SinkFailed, "kafka: " + message);
}

} // namespace

KafkaSink::KafkaSink(KafkaSinkOptions options)
    : options_(std::move(options)), handle_(std::make_unique<Handle>()), encoder_(options_.encode)
{}

KafkaSink::~KafkaSink()
{
    (void)close();
}

void KafkaSink::onDelivery(void*, const void* report, void* opaque)
{
    auto* sink = static_cast<KafkaSink*>(opaque);
    const auto* message = static_cast<const rd_kafka_message_t*>(report);
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++sink->delivered_;
        return;
    }
    ++sink->failed_;
    std::lock_guard lock(sink->errorMutex_);
    sink->lastDeliveryError_ = rd_kafka_err2str(message->err);
}

Result<std::unique_ptr<KafkaSink>> KafkaSink::create(KafkaSinkOptions options)
{
    std::unique_ptr<KafkaSink> sink(new KafkaSink(std::move(options)));
    std::map<std::string, std::string> config = {
        {"bootstrap.servers", sink->options_.bootstrapServers},
        {"acks", "all"},
        {"enable.idempotence", "true"},
        {"max.in.flight.requests.per.connection", "5"},
        {"compression.type", "none"},
        {"message.timeout.ms", "30000"},
    };
    for (const auto& [key, value] : sink->options_.config)
        config[key] = value;

    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[512];
    for (const auto& [key, value] : config)
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return kafkaError(key + ": " + errstr);
        }
    rd_kafka_conf_set_opaque(conf, sink.get());
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t* rk, const rd_kafka_message_t* message,
                                         void* opaque) { onDelivery(rk, message, opaque); });
    // rd_kafka_new takes ownership of conf only on success.
    sink->handle_->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!sink->handle_->producer) {
        rd_kafka_conf_destroy(conf);
        return kafkaError(std::string("cannot create the producer: ") + errstr);
    }
    return sink;
}

Status KafkaSink::publish(const ds::DashStreamMessage& message)
{
    if (!handle_->producer)
        return kafkaError("the sink is closed");
    const ds::Header* header = protocol::headerOf(message);
    if (!header || header->thread_id().empty()) // DashFlow refuses these too
        return kafkaError("a record needs a thread_id (the record key)");
    auto record = encoder_.encode(message);
    if (!record)
        return kafkaError("encode: " + record.error().message);

    rd_kafka_vu_t vus[4] = {};
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[0].u.cstr = options_.topic.c_str();
    vus[1].vtype = RD_KAFKA_VTYPE_KEY;
    vus[1].u.mem = {const_cast<char*>(header->thread_id().data()), header->thread_id().size()};
    vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[2].u.mem = {record.value().data(), record.value().size()};
    vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[3].u.i = RD_KAFKA_MSG_F_COPY;
    for (;;) {
        rd_kafka_error_t* error = rd_kafka_produceva(handle_->producer, vus, 4);
        if (!error)
            break;
        const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
        const std::string text = rd_kafka_error_string(error);
        rd_kafka_error_destroy(error);
        if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return kafkaError("produce: " + text);
        rd_kafka_poll(handle_->producer, 100); // back-pressure: wait for deliveries
    }
    ++queued_;
    rd_kafka_poll(handle_->producer, 0); // serve delivery reports
    return protocol::Ok{};
}

Status KafkaSink::flush()
{
    if (!handle_->producer)
        return protocol::Ok{};
    const rd_kafka_resp_err_t err = rd_kafka_flush(handle_->producer, options_.flushTimeoutMs);
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT)
        return kafkaError(std::to_string(rd_kafka_outq_len(handle_->producer)) +
                          " records still undelivered after " +
                          std::to_string(options_.flushTimeoutMs) + " ms");
    const std::uint64_t failedNow = failed_;
    if (failedNow > failedAtLastFlush_) {
        const std::uint64_t newFailures = failedNow - failedAtLastFlush_;
        failedAtLastFlush_ = failedNow;
        return kafkaError(std::to_string(newFailures) +
                          " records were not delivered: " + lastDeliveryError());
    }
    return protocol::Ok{};
}

Status KafkaSink::close()
{
    if (!handle_ || !handle_->producer)
        return protocol::Ok{};
    Status status = flush();
    rd_kafka_destroy(handle_->producer);
    handle_->producer = nullptr;
    return status;
}

std::string KafkaSink::lastDeliveryError() const
{
    std::lock_guard lock(errorMutex_);
    return lastDeliveryError_;
}

} // namespace nexus::runtime
