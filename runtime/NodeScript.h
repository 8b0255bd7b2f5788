#pragma once
// Scripted node behaviour of our graph format (docs/graph-format.md): what a
// simulated node does to the state, how long it takes (simulated time), what
// it spends on an LLM, which tools it calls, and how good its result is.

#include "runtime/RuntimeError.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nexus::runtime {

class Rng;

// A number drawn per execution: 120 | {"fixed": 120} | {"uniform": [a, b]} |
// {"normal": {"mean": m, "stddev": s}} | {"lognormal": {"median": m, "sigma": s}}.
// Draws are clamped at min (default 0).
struct Distribution
{
    enum class Kind
    {
        Fixed,
        Uniform,
        Normal,
        LogNormal
    };
    Kind kind = Kind::Fixed;
    double a = 0; // fixed value, uniform low, mean, median
    double b = 0; // uniform high, stddev, sigma
    double min = 0;

    static Result<Distribution> parse(const nlohmann::json& spec, const std::string& what);
    double sample(Rng& rng) const;
};

// Where a produced value comes from: {"value": T} (T is a template, see
// Template.h) | {"choose": [{"value": T, "weight": w}, ...]} |
// {"uniform": [a, b]} (a float) | {"int_range": [a, b]} (an integer).
struct ValueSource
{
    enum class Kind
    {
        Value,
        Choose,
        Uniform,
        IntRange
    };
    Kind kind = Kind::Value;
    nlohmann::json value;
    std::vector<std::pair<nlohmann::json, double>> choices;
    double lo = 0, hi = 0;

    static bool presentIn(const nlohmann::json& object);
    static Result<ValueSource> parse(const nlohmann::json& object, const std::string& what);
};

// One state update. "set" / "append" / "increment" / "merge" are reducers;
// "add" / "remove" / "replace" / "move" / "copy" / "test" are RFC 6902 JSON
// Patch operations applied with json::patch (their "value" is a template).
struct StateUpdate
{
    std::string op;
    std::string path;
    std::optional<ValueSource> source; // set, append, merge
    nlohmann::json by = 1;             // increment
    nlohmann::json patchOp;            // the raw JSON Patch operation
};

struct LlmSpec
{
    std::string model;
    Distribution promptTokens;
    Distribution completionTokens;
    double usdPer1kPrompt = 0;
    double usdPer1kCompletion = 0;
    bool stream = false; // emit TokenChunk messages
    std::string text;    // streamed text (a template)
    int wordsPerChunk = 3;
    std::string outputPath; // optional: the text is also written there
};

struct ToolSpec
{
    std::string name;
    nlohmann::json arguments = nlohmann::json::object(); // template
    std::optional<ValueSource> result;
    Distribution latencyMs;
    double errorProbability = 0;
    std::string errorMessage = "tool failed";
    std::string resultPath; // optional: the result is written there
};

struct QualitySpec
{
    Distribution accuracy;
    Distribution relevance;
    Distribution completeness;
    double threshold = 0.7;
};

// A non-fatal Error message the node may emit (a warning in the stream).
struct WarningSpec
{
    double probability = 1;
    std::string code;
    std::string message;
    std::string severity = "warning"; // debug | info | warning | error
};

struct NodeScript
{
    Distribution latencyMs;
    std::vector<StateUpdate> updates;
    std::optional<LlmSpec> llm;
    std::vector<ToolSpec> tools;
    std::optional<QualitySpec> quality;
    std::vector<WarningSpec> warnings;
    double errorProbability = 0;
    std::string errorMessage = "scripted failure";

    // Parses the behaviour keys of one node object of our format.
    static Result<NodeScript> parse(const nlohmann::json& node, const std::string& nodeName);
};

} // namespace nexus::runtime
