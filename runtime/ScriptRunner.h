#pragma once
// Runs one node's script against a state and reports everything it did, in
// simulated time: the executor turns the outcome into telemetry. Pure apart
// from the random source, so a seeded run reproduces exactly.

#include "runtime/NodeScript.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nexus::runtime {

class Rng;

struct LlmUsage
{
    std::string model;
    std::string requestId;
    std::int64_t promptTokens = 0;
    std::int64_t completionTokens = 0;
    double costUsd = 0;
    std::vector<std::string> chunks; // streamed text pieces, empty if not streamed
};

struct ToolCall
{
    std::string callId;
    std::string name;
    nlohmann::json arguments;
    nlohmann::json result;
    bool failed = false;
    std::string error;
    std::int64_t startOffsetUs = 0; // from the node's start
    std::int64_t durationUs = 0;
};

struct Quality
{
    double accuracy = 0, relevance = 0, completeness = 0;
    double score = 0; // mean of the three
    bool passed = false;
};

struct Warning
{
    std::string code;
    std::string message;
    std::string severity;
};

struct NodeOutcome
{
    nlohmann::json state; // the state after the node (unchanged if it failed)
    std::int64_t latencyUs = 0;
    std::optional<LlmUsage> llm;
    std::vector<ToolCall> tools;
    std::vector<Warning> warnings;
    std::optional<Quality> quality;
    bool failed = false;
    std::string error;
};

// Per-run adjustments to every node's behaviour: the fleet simulator models
// an instance's faults and an optimization version's true effect with them.
// The defaults change nothing and draw nothing, so seeded runs repeat exactly.
struct RunEffects
{
    double latencyFactor = 1.0;         // node and tool latencies are multiplied by it
    double qualityOffset = 0.0;         // added to each quality component (clamped to [0, 1])
    double extraErrorProbability = 0.0; // a further chance, per node, that the node fails
    std::string extraErrorMessage = "injected fault";
};

struct ScriptContext
{
    std::string node;
    std::int64_t visit = 1;
    std::int64_t step = 1;
    std::string threadId;
    RunEffects effects;
};

NodeOutcome runScript(const NodeScript& script, const nlohmann::json& state, Rng& rng,
                      const ScriptContext& context);

} // namespace nexus::runtime
