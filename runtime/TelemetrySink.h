#pragma once
// Where DashStream messages go. The emitter hands every message, in order, to
// one sink; a sink frames it (protocol::RecordEncoder) if it writes records.
// The method is publish(), not emit(): Qt defines `emit` as a macro, and the
// console and nexusd include these headers next to Qt's.

#include "protocol/Framing.h"
#include "protocol/Messages.h"
#include "runtime/RuntimeError.h"

#include <iosfwd>
#include <memory>
#include <vector>

namespace nexus::runtime {

namespace ds = protocol::ds;

class TelemetrySink
{
public:
    virtual ~TelemetrySink() = default;
    virtual Status publish(const ds::DashStreamMessage& message) = 0;
    // Blocks until everything emitted so far has reached its destination.
    virtual Status flush() { return protocol::Ok{}; }
};

// Keeps the messages (tests, replay, the console's local runs).
class MemorySink final : public TelemetrySink
{
public:
    Status publish(const ds::DashStreamMessage& message) override;
    const std::vector<ds::DashStreamMessage>& messages() const { return messages_; }
    void clear() { messages_.clear(); }

private:
    std::vector<ds::DashStreamMessage> messages_;
};

// Writes framed records to a .dstrace stream (protocol/Dstrace.h).
class DstraceSink final : public TelemetrySink
{
public:
    explicit DstraceSink(std::ostream& out, protocol::EncodeOptions options = {});
    ~DstraceSink() override;
    Status publish(const ds::DashStreamMessage& message) override;
    Status flush() override;
    std::uint64_t records() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Sends every message to several sinks; the first failure is reported, the
// other sinks still get the message.
class FanOutSink final : public TelemetrySink
{
public:
    void add(TelemetrySink* sink) { sinks_.push_back(sink); }
    Status publish(const ds::DashStreamMessage& message) override;
    Status flush() override;

private:
    std::vector<TelemetrySink*> sinks_;
};

} // namespace nexus::runtime
