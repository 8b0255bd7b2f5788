#pragma once
// Where the time, tokens and money of one run went (like Langfuse's cost per
// model and speedscope's flame charts), computed from the run's node spans.
//
// - Per node: visits, total time (sum of span durations), tool time, self
//   time (total minus tool time: the node's own work and its LLM call),
//   share of the run, tokens in / out, cost, the models it used.
// - Per model: LLM calls (spans that used the model), the nodes that made
//   them, tokens, cost and LLM time. A span's model is NodeSpan::model (the
//   node Metrics "model" tag, else TokenChunk.model), else a "model"
//   NODE_START / NODE_END attribute, else "unknown". Spans with no model, no
//   tokens and no cost made no LLM call and are not counted.
// - A flame tree: run -> node (aggregated across visits, or one frame per
//   visit) -> tool calls (grouped by tool name when aggregated) and the LLM
//   call. Every frame carries time, tokens and cost, so one tree serves all
//   three metrics. The wire carries no timing for the LLM call itself: its
//   time is the node's time outside tool calls.
//
// The run's time is its wall duration (GRAPH_END's duration, else end - start)
// or the sum of its node times when parallel branches make that larger; so a
// frame never outgrows its parent. Tokens and cost of the run frame are the
// run's totals (at least the sum of its nodes').

#include "models/RunStore.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::models {

enum class FlameMetric : std::uint8_t
{
    Time,
    Tokens,
    Cost,
};
const char* flameMetricName(FlameMetric metric); // "time", "tokens", "cost"

inline constexpr const char* kUnknownModel = "unknown";

// Span facts shared by the trace views.
// NODE_END's duration field; else end - start; an active span runs to the run's newest step.
std::int64_t spanDurationUs(const Run& run, const NodeSpan& span);
std::int64_t spanTokens(const NodeSpan& span);     // prompt + completion
std::int64_t spanToolTimeUs(const NodeSpan& span); // sum of its tool calls' durations
std::string spanModel(const NodeSpan& span);       // "" when it names none
bool spanCalledLlm(const NodeSpan& span);          // a model, tokens or cost
std::string nodeTypeName(const Run& run, const std::string& node); // "llm", "router", ... or ""
// GRAPH_END's duration, else (end or newest step) - start.
std::int64_t runDurationUs(const Run& run);

struct NodeCost
{
    std::string node;
    std::string type; // node type from the run's graph ("" when unknown)
    int visits = 0;
    int errors = 0;
    int toolCalls = 0;
    std::int64_t totalUs = 0;
    std::int64_t toolUs = 0;
    std::int64_t selfUs = 0; // totalUs - toolUs, at least 0
    double timeShare = 0;    // totalUs / the run frame's time
    std::int64_t promptTokens = 0;
    std::int64_t completionTokens = 0;
    double costUsd = 0;
    std::vector<std::string> models; // in first-use order
    std::uint32_t firstStep = kNoIndex;

    std::int64_t tokens() const { return promptTokens + completionTokens; }
};

struct ModelCost
{
    std::string model;
    int calls = 0;
    std::vector<std::string> nodes; // in first-use order
    std::int64_t promptTokens = 0;
    std::int64_t completionTokens = 0;
    double costUsd = 0;
    std::int64_t llmUs = 0; // the calling spans' time outside tool calls
    double costShare = 0;   // of all models' cost
    double tokenShare = 0;  // of all models' tokens

    std::int64_t tokens() const { return promptTokens + completionTokens; }
};

struct FlameFrame
{
    enum class Kind : std::uint8_t
    {
        Run,
        Node,
        Tool,
        Llm,
    };
    Kind kind = Kind::Node;
    std::string label;    // "classify", "grade #2", "lookup_invoice", "LLM gpt-4o"
    std::string node;     // the node the frame belongs to ("" for the run)
    std::string nodeType; // of that node
    std::string model;    // node frames: their only model; LLM frames: theirs
    int count = 0;        // visits (node), calls (tool, LLM)
    int errors = 0;       // failed visits / tool calls
    std::int64_t timeUs = 0;
    std::int64_t tokens = 0;
    double costUsd = 0;
    // Where the frame first shows on the timeline: NODE_START of a node's
    // first span, a tool call's last ToolExecution, an LLM call's NODE_END.
    std::uint32_t step = kNoIndex;
    int parent = -1;
    int depth = 0;
    std::vector<int> children; // in execution order

    double value(FlameMetric metric) const;
};

struct CostBreakdown
{
    std::uint64_t runId = 0;
    std::int64_t runDurationUs = 0; // wall duration (runDurationUs())
    std::int64_t tokens = 0;        // = frames[0].tokens
    double costUsd = 0;             // = frames[0].costUsd
    bool perVisit = false;
    std::vector<NodeCost> nodes;    // in first-execution order
    std::vector<ModelCost> models;  // by cost, then tokens, descending
    std::vector<FlameFrame> frames; // frames[0] is the run; parents before children

    const FlameFrame& root() const { return frames.front(); }
    // Indices of frames[0..] from the root down to `frame`.
    std::vector<int> pathTo(int frame) const;
};

// `perVisit`: one node frame per span ("grade #2") instead of one per node.
CostBreakdown buildCostBreakdown(const Run& run, bool perVisit = false);

} // namespace nexus::models
