#pragma once
// Small helpers over the generated DashStream types: which payload a message
// carries, and its header.

#include "dashstream.pb.h"

#include <string_view>

namespace nexus::protocol {

namespace ds = ::dashstream::v1;

enum class MessageKind
{
    None,
    Event,
    StateDiff,
    TokenChunk,
    ToolExecution,
    Checkpoint,
    Metrics,
    Error,
    EventBatch,
    ExecutionTrace,
};

MessageKind kindOf(const ds::DashStreamMessage& message);
// "event", "state_diff", "token_chunk", ... ("none" when no payload is set).
std::string_view kindName(MessageKind kind);
// The header of whichever payload is set, or nullptr.
const ds::Header* headerOf(const ds::DashStreamMessage& message);
ds::Header* mutableHeaderOf(ds::DashStreamMessage& message);
// The MessageType a header should carry for this payload kind.
ds::MessageType messageTypeOf(MessageKind kind);
// EVENT_TYPE_NODE_START -> "NODE_START"
std::string_view eventTypeName(ds::EventType type);

// Calls f(Header&) for the payload's header and, for an EventBatch, for
// every inner event's header too.
template <class F> void forEachHeader(ds::DashStreamMessage& message, F&& f)
{
    if (ds::Header* h = mutableHeaderOf(message))
        f(*h);
    if (message.has_event_batch())
        for (auto& event : *message.mutable_event_batch()->mutable_events())
            f(*event.mutable_header());
}

template <class F> void forEachHeader(const ds::DashStreamMessage& message, F&& f)
{
    if (const ds::Header* h = headerOf(message))
        f(*h);
    if (message.has_event_batch())
        for (const auto& event : message.event_batch().events())
            f(event.header());
}

} // namespace nexus::protocol
