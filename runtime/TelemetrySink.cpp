#include "runtime/TelemetrySink.h"

#include "protocol/Dstrace.h"

#include <ostream>

namespace nexus::runtime {

Status MemorySink::publish(const ds::DashStreamMessage& message)
{
    messages_.push_back(message);
    return protocol::Ok{};
}

struct DstraceSink::Impl
{
    Impl(std::ostream& out, protocol::EncodeOptions options)
        : out(out), encoder(options), writer(out)
    {}
    std::ostream& out;
    protocol::RecordEncoder encoder;
    protocol::DstraceWriter writer;
};

DstraceSink::DstraceSink(std::ostream& out, protocol::EncodeOptions options)
    : impl_(std::make_unique<Impl>(out, options))
{}

DstraceSink::~DstraceSink() = default;

Status DstraceSink::publish(const ds::DashStreamMessage& message)
{
    auto record = impl_->encoder.encode(message);
    if (!record)
        return makeError(ErrorCode::SinkFailed, "encode: " + record.error().message);
    auto written = impl_->writer.append(record.value());
    if (!written)
        return makeError(ErrorCode::IoError, "write: " + written.error().message);
    return protocol::Ok{};
}

Status DstraceSink::flush()
{
    impl_->out.flush();
    if (!impl_->out)
        return makeError(ErrorCode::IoError, "the .dstrace stream could not be flushed");
    return protocol::Ok{};
}

std::uint64_t DstraceSink::records() const
{
    return impl_->writer.records();
}

Status FanOutSink::publish(const ds::DashStreamMessage& message)
{
    Status first = protocol::Ok{};
    for (TelemetrySink* sink : sinks_)
        if (auto status = sink->publish(message); !status && first)
            first = status;
    return first;
}

Status FanOutSink::flush()
{
    Status first = protocol::Ok{};
    for (TelemetrySink* sink : sinks_)
        if (auto status = sink->flush(); !status && first)
            first = status;
    return first;
}

} // namespace nexus::runtime
