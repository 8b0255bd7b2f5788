#include "protocol/Messages.h"

namespace nexus::protocol {

MessageKind kindOf(const ds::DashStreamMessage& message)
{
    using M = ds::DashStreamMessage;
    switch (message.message_case()) {
    case M::kEvent:
        return MessageKind::Event;
    case M::kStateDiff:
        return MessageKind::StateDiff;
    case M::kTokenChunk:
        return MessageKind::TokenChunk;
    case M::kToolExecution:
        return MessageKind::ToolExecution;
    case M::kCheckpoint:
        return MessageKind::Checkpoint;
    case M::kMetrics:
        return MessageKind::Metrics;
    case M::kError:
        return MessageKind::Error;
    case M::kEventBatch:
        return MessageKind::EventBatch;
    case M::kExecutionTrace:
        return MessageKind::ExecutionTrace;
    case M::MESSAGE_NOT_SET:
        break;
    }
    return MessageKind::None;
}

std::string_view kindName(MessageKind kind)
{
    switch (kind) {
    case MessageKind::None:
        return "none";
    case MessageKind::Event:
        return "event";
    case MessageKind::StateDiff:
        return "state_diff";
    case MessageKind::TokenChunk:
        return "token_chunk";
    case MessageKind::ToolExecution:
        return "tool_execution";
    case MessageKind::Checkpoint:
        return "checkpoint";
    case MessageKind::Metrics:
        return "metrics";
    case MessageKind::Error:
        return "error";
    case MessageKind::EventBatch:
        return "event_batch";
    case MessageKind::ExecutionTrace:
        return "execution_trace";
    }
    return "none";
}

ds::MessageType messageTypeOf(MessageKind kind)
{
    switch (kind) {
    case MessageKind::None:
        return ds::MESSAGE_TYPE_UNSPECIFIED;
    case MessageKind::Event:
        return ds::MESSAGE_TYPE_EVENT;
    case MessageKind::StateDiff:
        return ds::MESSAGE_TYPE_STATE_DIFF;
    case MessageKind::TokenChunk:
        return ds::MESSAGE_TYPE_TOKEN_CHUNK;
    case MessageKind::ToolExecution:
        return ds::MESSAGE_TYPE_TOOL_EXECUTION;
    case MessageKind::Checkpoint:
        return ds::MESSAGE_TYPE_CHECKPOINT;
    case MessageKind::Metrics:
        return ds::MESSAGE_TYPE_METRICS;
    case MessageKind::Error:
        return ds::MESSAGE_TYPE_ERROR;
    case MessageKind::EventBatch:
        return ds::MESSAGE_TYPE_EVENT_BATCH;
    case MessageKind::ExecutionTrace:
        return ds::MESSAGE_TYPE_EXECUTION_TRACE;
    }
    return ds::MESSAGE_TYPE_UNSPECIFIED;
}

const ds::Header* headerOf(const ds::DashStreamMessage& m)
{
    switch (kindOf(m)) {
    case MessageKind::Event:
        return m.event().has_header() ? &m.event().header() : nullptr;
    case MessageKind::StateDiff:
        return m.state_diff().has_header() ? &m.state_diff().header() : nullptr;
    case MessageKind::TokenChunk:
        return m.token_chunk().has_header() ? &m.token_chunk().header() : nullptr;
    case MessageKind::ToolExecution:
        return m.tool_execution().has_header() ? &m.tool_execution().header() : nullptr;
    case MessageKind::Checkpoint:
        return m.checkpoint().has_header() ? &m.checkpoint().header() : nullptr;
    case MessageKind::Metrics:
        return m.metrics().has_header() ? &m.metrics().header() : nullptr;
    case MessageKind::Error:
        return m.error().has_header() ? &m.error().header() : nullptr;
    case MessageKind::EventBatch:
        return m.event_batch().has_header() ? &m.event_batch().header() : nullptr;
    case MessageKind::ExecutionTrace:
        return m.execution_trace().has_header() ? &m.execution_trace().header() : nullptr;
    case MessageKind::None:
        break;
    }
    return nullptr;
}

ds::Header* mutableHeaderOf(ds::DashStreamMessage& m)
{
    switch (kindOf(m)) {
    case MessageKind::Event:
        return m.mutable_event()->mutable_header();
    case MessageKind::StateDiff:
        return m.mutable_state_diff()->mutable_header();
    case MessageKind::TokenChunk:
        return m.mutable_token_chunk()->mutable_header();
    case MessageKind::ToolExecution:
        return m.mutable_tool_execution()->mutable_header();
    case MessageKind::Checkpoint:
        return m.mutable_checkpoint()->mutable_header();
    case MessageKind::Metrics:
        return m.mutable_metrics()->mutable_header();
    case MessageKind::Error:
        return m.mutable_error()->mutable_header();
    case MessageKind::EventBatch:
        return m.mutable_event_batch()->mutable_header();
    case MessageKind::ExecutionTrace:
        return m.mutable_execution_trace()->mutable_header();
    case MessageKind::None:
        break;
    }
    return nullptr;
}

std::string_view eventTypeName(ds::EventType type)
{
    const std::string& full = ds::EventType_Name(type);
    if (full.empty())
        return "UNKNOWN";
    std::string_view name = full;
    constexpr std::string_view prefix = "EVENT_TYPE_";
    if (name.substr(0, prefix.size()) == prefix)
        name.remove_prefix(prefix.size());
    return name;
}

} // namespace nexus::protocol
