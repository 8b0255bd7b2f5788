// Names of the RunStore enums, text helpers shared by the RunStore sources,
// and the JSON Pointer helper of the state views.

#include "models/RunStoreDetail.h"
#include "protocol/Ids.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace nexus::models {

namespace detail {

std::string num(std::uint64_t value)
{
    return std::to_string(value);
}

void appendNum(std::string& out, std::uint64_t value)
{
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out.append(buf, end);
}

// Appends without passing `limit` bytes or cutting a UTF-8 sequence.
void appendBounded(std::string& out, std::string_view text, std::size_t limit)
{
    if (out.size() >= limit)
        return;
    std::size_t n = std::min(text.size(), limit - out.size());
    if (n < text.size())
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
            --n;
    out.append(text.substr(0, n));
}

std::string bounded(std::string_view text, std::size_t limit)
{
    return std::string(boundedView(text, limit));
}

std::string keptText(std::string text, std::size_t limit)
{
    if (text.size() <= limit)
        return text;
    const std::size_t total = text.size();
    text.resize(boundedView(text, limit).size());
    text += "\u2026 [truncated: " + num(total) + " bytes]";
    return text;
}

std::string_view boundedView(std::string_view text, std::size_t limit)
{
    std::size_t n = std::min(text.size(), limit);
    if (n < text.size())
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
            --n;
    return text.substr(0, n);
}

json attributeJson(const ds::AttributeValue& value, int depth)
{
    switch (value.value_case()) {
    case ds::AttributeValue::kStringValue:
        return value.string_value();
    case ds::AttributeValue::kIntValue:
        return value.int_value();
    case ds::AttributeValue::kFloatValue:
        return value.float_value();
    case ds::AttributeValue::kBoolValue:
        return value.bool_value();
    case ds::AttributeValue::kBytesValue:
        return protocol::toHex(value.bytes_value());
    case ds::AttributeValue::kArrayValue: {
        json out = json::array();
        for (const auto& item : value.array_value().values())
            out.push_back(depth < 16 ? attributeJson(item, depth + 1) : json("..."));
        return out;
    }
    case ds::AttributeValue::kMapValue: {
        json out = json::object();
        for (const auto& [key, item] : value.map_value().values())
            out[key] = depth < 16 ? attributeJson(item, depth + 1) : json("...");
        return out;
    }
    default:
        return nullptr;
    }
}

std::string attributeText(const ds::AttributeValue& value)
{
    if (value.has_string_value())
        return value.string_value();
    return attributeJson(value, 0).dump(-1, ' ', false, json::error_handler_t::replace);
}

// "key=value, ..." in key order, for one-line step details.
std::string attributeSummary(const ds::Event& event)
{
    std::vector<std::pair<const std::string*, const ds::AttributeValue*>> sorted;
    sorted.reserve(std::size_t(event.attributes().size()));
    for (const auto& [key, value] : event.attributes())
        sorted.emplace_back(&key, &value);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return *a.first < *b.first; });
    std::string out, item;
    for (const auto& [key, value] : sorted) {
        if (out.size() >= kMaxDetailBytes)
            break; // nothing more would be appended
        item.assign(out.empty() ? "" : ", ").append(*key).append("=");
        if (value->has_string_value())
            item.append(value->string_value());
        else
            item.append(attributeText(*value));
        appendBounded(out, item, kMaxDetailBytes);
    }
    return out;
}

std::string attribute(const ds::Event& event, std::string_view key)
{
    const auto it = event.attributes().find(key);
    return it == event.attributes().end() ? std::string() : attributeText(it->second);
}

} // namespace detail

const char* runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running:
        return "running";
    case RunStatus::Completed:
        return "completed";
    case RunStatus::Error:
        return "error";
    case RunStatus::Stale:
        return "stale";
    }
    return "unknown";
}

const char* nodeStateName(NodeState state)
{
    switch (state) {
    case NodeState::Pending:
        return "pending";
    case NodeState::Active:
        return "active";
    case NodeState::Done:
        return "done";
    case NodeState::Error:
        return "error";
    }
    return "unknown";
}

const char* stepKindName(StepKind kind)
{
    static const char* const names[] = {
        "graph_start", "graph_end",      "graph_error", "node_start",     "node_end",
        "node_error",  "edge",           "parallel",    "node_context",   "event",
        "state_diff",  "checkpoint",     "token_chunk", "tool_execution", "metrics",
        "error",       "execution_trace"};
    const auto index = std::size_t(kind);
    return index < std::size(names) ? names[index] : "unknown";
}

const char* stateVerdictName(StateVerdict verdict)
{
    static const char* const names[] = {"verified",     "unverified", "mismatch",
                                        "patch failed", "skipped",    "invalid"};
    const auto index = std::size_t(verdict);
    return index < std::size(names) ? names[index] : "unknown";
}

const char* issueKindName(IssueKind kind)
{
    static const char* const names[] = {"sequence gap",
                                        "sequence duplicate",
                                        "sequence reordered",
                                        "patch failed",
                                        "hash mismatch",
                                        "unknown base checkpoint",
                                        "no base state",
                                        "invalid state",
                                        "checksum mismatch",
                                        "schema version",
                                        "healed",
                                        "step cap reached"};
    const auto index = std::size_t(kind);
    return index < std::size(names) ? names[index] : "unknown";
}

} // namespace nexus::models
