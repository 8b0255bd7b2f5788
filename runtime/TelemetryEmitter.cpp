#include "runtime/TelemetryEmitter.h"

#include "protocol/CanonicalJson.h"
#include "protocol/Framing.h"
#include "runtime/GraphExport.h"
#include "runtime/StateMessages.h"

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxGraphAttributeBytes = 500 * 1024;  // DashFlow's M-1089 cap
constexpr std::size_t kMaxStateJsonBytes = 10 * 1024 * 1024; // DEFAULT_MAX_STATE_DIFF_SIZE

ds::AttributeValue text(const std::string& value)
{
    ds::AttributeValue v;
    v.set_string_value(value);
    return v;
}

ds::AttributeValue integer(std::int64_t value)
{
    ds::AttributeValue v;
    v.set_int_value(value);
    return v;
}

std::string compact(const json& value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

ds::MetricValue gauge(double value, const std::string& unit)
{
    ds::MetricValue m;
    m.set_float_value(value);
    m.set_unit(unit);
    m.set_type(ds::MetricValue::METRIC_TYPE_GAUGE);
    return m;
}

ds::MetricValue counter(std::int64_t value, const std::string& unit)
{
    ds::MetricValue m;
    m.set_int_value(value);
    m.set_unit(unit);
    m.set_type(ds::MetricValue::METRIC_TYPE_COUNTER);
    return m;
}

ds::Error::Severity severityOf(const std::string& name)
{
    if (name == "debug")
        return ds::Error::SEVERITY_DEBUG;
    if (name == "info")
        return ds::Error::SEVERITY_INFO;
    if (name == "error")
        return ds::Error::SEVERITY_ERROR;
    if (name == "fatal")
        return ds::Error::SEVERITY_FATAL;
    return ds::Error::SEVERITY_WARNING;
}

std::string joined(const std::vector<std::string>& nodes)
{
    std::string out;
    for (const auto& node : nodes)
        out += (out.empty() ? "" : ",") + node;
    return out;
}

} // namespace

TelemetryEmitter::TelemetryEmitter(TelemetrySink& sink, TelemetryOptions options)
    : sink_(sink), options_(std::move(options)), idRng_(options_.idSeed)
{}

void TelemetryEmitter::fillHeader(ds::Header& header, ds::MessageType type, std::int64_t t)
{
    header.set_message_id(idRng_.uuidBytes());
    header.set_timestamp_us(t);
    header.set_tenant_id(tenantId_);
    header.set_thread_id(threadId_);
    header.set_sequence(++sequence_);
    header.set_type(type);
    header.set_schema_version(protocol::kCurrentSchemaVersion);
}

void TelemetryEmitter::send(const ds::DashStreamMessage& message)
{
    ++emitted_;
    if (auto status = sink_.publish(message); !status) {
        ++sinkFailures_;
        if (!firstSinkError_)
            firstSinkError_ = status.error();
    }
}

void TelemetryEmitter::emitEvent(ds::EventType type, const std::string& node, std::int64_t t,
                                 const Attributes& attributes, std::int64_t durationUs)
{
    ds::DashStreamMessage message;
    ds::Event* event = message.mutable_event();
    fillHeader(*event->mutable_header(), ds::MESSAGE_TYPE_EVENT, t);
    event->set_event_type(type);
    event->set_node_id(node);
    event->set_duration_us(durationUs);
    for (const auto& [key, value] : attributes)
        (*event->mutable_attributes())[key] = value;
    send(message);
}

void TelemetryEmitter::emitStateDiff(const json& state, std::int64_t t)
{
    ds::DashStreamMessage message;
    ds::StateDiff* diff = message.mutable_state_diff();
    fillHeader(*diff->mutable_header(), ds::MESSAGE_TYPE_STATE_DIFF, t);
    fillStateDiff(*diff, previousState_, state, lastCheckpointId_);
    send(message);
    if (options_.checkpointInterval <= 0 || ++diffsSinceCheckpoint_ < options_.checkpointInterval)
        return;
    diffsSinceCheckpoint_ = 0;
    ds::DashStreamMessage checkpointMessage;
    ds::Checkpoint* checkpoint = checkpointMessage.mutable_checkpoint();
    fillHeader(*checkpoint->mutable_header(), ds::MESSAGE_TYPE_CHECKPOINT, t);
    lastCheckpointId_ = idRng_.uuidBytes();
    fillCheckpoint(*checkpoint, state, lastCheckpointId_);
    send(checkpointMessage);
}

void TelemetryEmitter::graphStarted(const RunInfo& info, const json& initialState, std::int64_t t)
{
    graph_ = info.graph;
    threadId_ = info.threadId;
    tenantId_ = info.tenantId.empty() ? "default" : info.tenantId;
    if (!options_.idSeed && info.seed)
        idRng_ = Rng(*info.seed ^ 0x6d73675f69647321ULL); // "msg_ids!": its own stream
    previousState_ = initialState;
    diffsSinceCheckpoint_ = 0;
    lastCheckpointId_.clear();

    Attributes attributes;
    const std::string schemaJson = compact(toGraphSchemaJson(*graph_, rfc3339FromUs(t)));
    const std::string manifest = compact(toGraphManifest(*graph_));
    if (schemaJson.size() <= kMaxGraphAttributeBytes)
        attributes["graph_schema_json"] = text(schemaJson);
    if (manifest.size() <= kMaxGraphAttributeBytes)
        attributes["graph_manifest"] = text(manifest);
    attributes["schema_id"] = text(schemaId(*graph_));
    attributes["graph_entry_point"] = text(graph_->entryPoint);
    if (!graph_->name.empty())
        attributes["graph_name"] = text(graph_->name);
    attributes["graph_node_count"] = integer(std::int64_t(graph_->nodes.size()));
    attributes["graph_edge_count"] = integer(std::int64_t(graph_->edges.size()));
    const std::string initialJson = protocol::canonicalJson(initialState);
    if (initialJson.size() <= kMaxStateJsonBytes)
        attributes["initial_state_json"] = text(initialJson);
    for (const auto& [key, value] : options_.instanceLabels)
        if (!value.empty())
            attributes[key] = text(value);
    for (const auto& [key, value] : options_.runAttributes)
        if (!value.empty())
            attributes.try_emplace(key, text(value));
    emitEvent(ds::EVENT_TYPE_GRAPH_START, "", t, attributes);
}

void TelemetryEmitter::nodeStarted(const std::string& node, std::int64_t t)
{
    emitEvent(ds::EVENT_TYPE_NODE_START, node, t);
}

void TelemetryEmitter::toolStarted(const std::string&, const ToolCall& call, std::int64_t t)
{
    ds::DashStreamMessage message;
    ds::ToolExecution* tool = message.mutable_tool_execution();
    fillHeader(*tool->mutable_header(), ds::MESSAGE_TYPE_TOOL_EXECUTION, t);
    tool->set_call_id(call.callId);
    tool->set_tool_name(call.name);
    tool->set_stage(ds::ToolExecution::EXECUTION_STAGE_STARTED);
    tool->set_arguments(protocol::canonicalJson(call.arguments));
    send(message);
}

void TelemetryEmitter::toolFinished(const std::string&, const ToolCall& call, std::int64_t t)
{
    ds::DashStreamMessage message;
    ds::ToolExecution* tool = message.mutable_tool_execution();
    fillHeader(*tool->mutable_header(), ds::MESSAGE_TYPE_TOOL_EXECUTION, t);
    tool->set_call_id(call.callId);
    tool->set_tool_name(call.name);
    tool->set_duration_us(call.durationUs);
    tool->set_arguments(protocol::canonicalJson(call.arguments));
    if (call.failed) {
        tool->set_stage(ds::ToolExecution::EXECUTION_STAGE_FAILED);
        tool->set_error(call.error);
    } else {
        tool->set_stage(ds::ToolExecution::EXECUTION_STAGE_COMPLETED);
        tool->set_result(protocol::canonicalJson(call.result));
    }
    send(message);
}

void TelemetryEmitter::tokenChunk(const std::string&, const LlmUsage& llm, std::size_t index,
                                  std::int64_t t)
{
    ds::DashStreamMessage message;
    ds::TokenChunk* chunk = message.mutable_token_chunk();
    fillHeader(*chunk->mutable_header(), ds::MESSAGE_TYPE_TOKEN_CHUNK, t);
    chunk->set_request_id(llm.requestId);
    chunk->set_text(llm.chunks[index]);
    chunk->set_chunk_index(std::uint32_t(index));
    chunk->set_model(llm.model);
    if (index + 1 == llm.chunks.size()) {
        chunk->set_is_final(true);
        chunk->set_finish_reason(ds::TokenChunk::FINISH_REASON_STOP);
        ds::TokenStats* stats = chunk->mutable_stats();
        stats->set_prompt_tokens(std::uint32_t(llm.promptTokens));
        stats->set_completion_tokens(std::uint32_t(llm.completionTokens));
        stats->set_total_tokens(std::uint32_t(llm.promptTokens + llm.completionTokens));
    }
    send(message);
}

void TelemetryEmitter::nodeWarning(const std::string& node, const Warning& warning, std::int64_t t)
{
    emitError(warning.code, warning.message, severityOf(warning.severity), node, t);
}

void TelemetryEmitter::nodeFinished(const std::string& node, const NodeOutcome& outcome,
                                    const json& state, std::int64_t t)
{
    emitNodeMetrics(node, outcome, t);
    emitStateDiff(state, t);
    previousState_ = state;
    emitEvent(ds::EVENT_TYPE_NODE_END, node, t, {}, outcome.latencyUs);
    if (outcome.quality)
        emitQuality(node, *outcome.quality, t);
}

void TelemetryEmitter::nodeFailed(const std::string& node, const std::string& error, std::int64_t t)
{
    emitEvent(ds::EVENT_TYPE_NODE_ERROR, node, t, {{"error", text(error)}});
}

void TelemetryEmitter::edgeTaken(const Edge& edge, std::int64_t t)
{
    Attributes attributes = {{"to", text(edge.to)}};
    if (edge.kind == EdgeKind::Conditional) {
        attributes["condition_result"] = text(edge.label);
        emitEvent(ds::EVENT_TYPE_CONDITIONAL_BRANCH, edge.from, t, attributes);
        return;
    }
    emitEvent(ds::EVENT_TYPE_EDGE_TRAVERSAL, edge.from, t, attributes);
}

void TelemetryEmitter::parallelStarted(const std::vector<std::string>& nodes, std::int64_t t)
{
    emitEvent(ds::EVENT_TYPE_PARALLEL_START, joined(nodes), t);
}

void TelemetryEmitter::parallelFinished(const std::vector<std::string>& nodes,
                                        std::int64_t durationUs, std::int64_t t)
{
    emitEvent(ds::EVENT_TYPE_PARALLEL_END, joined(nodes), t, {}, durationUs);
}

void TelemetryEmitter::interrupted(const std::string& node, InterruptWhen when, std::int64_t t)
{
    emitEvent(ds::EVENT_TYPE_HUMAN_INTERRUPT, node, t,
              {{"when", text(when == InterruptWhen::Before ? "before" : "after")}});
}

void TelemetryEmitter::resumed(const std::string& node, InterruptWhen when, const json& state,
                               std::int64_t t)
{
    if (state != previousState_) { // the human's update, as a diff like any other
        emitStateDiff(state, t);
        previousState_ = state;
    }
    emitEvent(ds::EVENT_TYPE_HUMAN_RESUME, node, t,
              {{"when", text(when == InterruptWhen::Before ? "before" : "after")}});
}

void TelemetryEmitter::graphFinished(const json& finalState, std::int64_t durationUs,
                                     std::int64_t t)
{
    emitStateDiff(finalState, t); // DashFlow: GRAPH_END does not move previous_state
    emitEvent(ds::EVENT_TYPE_GRAPH_END, "", t, {}, durationUs);
}

void TelemetryEmitter::runFailed(const RuntimeError& error, const std::string& node, std::int64_t t)
{
    emitError(errorCodeName(error.code), error.message, ds::Error::SEVERITY_FATAL, node, t);
}

void TelemetryEmitter::emitNodeMetrics(const std::string& node, const NodeOutcome& outcome,
                                       std::int64_t t)
{
    ds::DashStreamMessage message;
    ds::Metrics* metrics = message.mutable_metrics();
    fillHeader(*metrics->mutable_header(), ds::MESSAGE_TYPE_METRICS, t);
    metrics->set_scope("node");
    metrics->set_scope_id(node);
    auto& values = *metrics->mutable_metrics();
    values["duration_ms"] = gauge(double(outcome.latencyUs) / 1000.0, "ms");
    auto& tags = *metrics->mutable_tags();
    tags["thread_id"] = threadId_;
    tags["tenant_id"] = tenantId_;
    if (graph_ && !graph_->name.empty())
        tags["graph_name"] = graph_->name;
    if (!outcome.tools.empty())
        values["tool_calls"] = counter(std::int64_t(outcome.tools.size()), "calls");
    if (outcome.llm) {
        values["prompt_tokens"] = counter(outcome.llm->promptTokens, "tokens");
        values["completion_tokens"] = counter(outcome.llm->completionTokens, "tokens");
        values["total_tokens"] =
            counter(outcome.llm->promptTokens + outcome.llm->completionTokens, "tokens");
        values["cost_usd"] = gauge(outcome.llm->costUsd, "usd");
        tags["model"] = outcome.llm->model;
    }
    send(message);
}

void TelemetryEmitter::emitQuality(const std::string& node, const Quality& quality, std::int64_t t)
{
    ds::DashStreamMessage message;
    ds::Metrics* metrics = message.mutable_metrics();
    fillHeader(*metrics->mutable_header(), ds::MESSAGE_TYPE_METRICS, t);
    metrics->set_scope("quality");
    metrics->set_scope_id(threadId_);
    auto& values = *metrics->mutable_metrics();
    values["accuracy"] = gauge(quality.accuracy, "ratio");
    values["relevance"] = gauge(quality.relevance, "ratio");
    values["completeness"] = gauge(quality.completeness, "ratio");
    values["quality_score"] = gauge(quality.score, "ratio");
    ds::MetricValue passed;
    passed.set_bool_value(quality.passed);
    values["passed"] = passed;
    auto& tags = *metrics->mutable_tags();
    tags["thread_id"] = threadId_;
    tags["tenant_id"] = tenantId_;
    tags["node"] = node; // ours: which node was judged
    send(message);
}

void TelemetryEmitter::emitError(const std::string& code, const std::string& text,
                                 ds::Error::Severity severity, const std::string& node,
                                 std::int64_t t)
{
    ds::DashStreamMessage message;
    ds::Error* error = message.mutable_error();
    fillHeader(*error->mutable_header(), ds::MESSAGE_TYPE_ERROR, t);
    error->set_error_code(code);
    error->set_message(text);
    error->set_severity(severity);
    if (!node.empty())
        (*error->mutable_context())["node"] = node;
    (*error->mutable_context())["thread_id"] = threadId_;
    send(message);
}

} // namespace nexus::runtime
