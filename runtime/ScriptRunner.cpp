#include "runtime/ScriptRunner.h"

#include "protocol/StateOps.h"
#include "runtime/Random.h"
#include "runtime/Template.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

std::int64_t msToUs(double ms)
{
    return std::int64_t(std::llround(ms * 1000.0));
}

TemplateContext templateContext(const json& state, const ScriptContext& c)
{
    return TemplateContext{state, c.node, c.visit, c.step, c.threadId};
}

json produce(const ValueSource& source, Rng& rng, const TemplateContext& context)
{
    switch (source.kind) {
    case ValueSource::Kind::Value:
        return expandTemplate(source.value, context);
    case ValueSource::Kind::Uniform:
        return rng.uniform(source.lo, source.hi);
    case ValueSource::Kind::IntRange:
        return rng.uniformInt(std::int64_t(source.lo), std::int64_t(source.hi));
    case ValueSource::Kind::Choose:
        break;
    }
    double total = 0;
    for (const auto& choice : source.choices)
        total += choice.second;
    double pick = rng.uniform(0, total);
    for (const auto& [value, weight] : source.choices) {
        if (pick < weight)
            return expandTemplate(value, context);
        pick -= weight;
    }
    return expandTemplate(source.choices.back().first, context);
}

json addNumbers(const json& current, const json& by)
{
    if (current.is_number_integer() && by.is_number_integer())
        return current.get<std::int64_t>() + by.get<std::int64_t>();
    return current.get<double>() + by.get<double>();
}

// Applies one update to `state`; throws json::exception on a bad path, which
// the caller turns into a node failure.
void applyUpdate(const StateUpdate& update, json& state, Rng& rng, const ScriptContext& c)
{
    const TemplateContext context = templateContext(state, c);
    if (!update.patchOp.is_null()) {
        json op = update.patchOp;
        if (op.contains("value"))
            op["value"] = expandTemplate(op["value"], context);
        json next = state;
        protocol::patchJsonInPlace(next, json::array({op}));
        state = std::move(next);
        return;
    }
    const json::json_pointer pointer(update.path);
    if (update.op == "increment") {
        const json current = state.contains(pointer) ? state.at(pointer) : json(0);
        if (!current.is_number())
            throw json::other_error::create(501, "increment of a non-number at " + update.path,
                                            nullptr);
        state[pointer] = addNumbers(current, update.by);
        return;
    }
    json value = produce(*update.source, rng, context);
    if (update.op == "set") {
        state[pointer] = std::move(value);
    } else if (update.op == "append") {
        if (!state.contains(pointer) || !state.at(pointer).is_array())
            state[pointer] = json::array();
        state[pointer].push_back(std::move(value));
    } else if (update.op == "merge") {
        state[pointer].merge_patch(value);
    }
}

std::vector<std::string> splitIntoChunks(const std::string& text, int wordsPerChunk)
{
    std::vector<std::string> chunks;
    std::istringstream words(text);
    std::string word, chunk;
    int count = 0;
    while (words >> word) {
        chunk += (chunk.empty() && chunks.empty() ? "" : " ") + word;
        if (++count == wordsPerChunk) {
            chunks.push_back(std::move(chunk));
            chunk.clear();
            count = 0;
        }
    }
    if (!chunk.empty())
        chunks.push_back(std::move(chunk));
    return chunks;
}

LlmUsage runLlm(const LlmSpec& spec, json& state, Rng& rng, const ScriptContext& c)
{
    LlmUsage usage;
    usage.model = spec.model;
    usage.requestId = "req_" + rng.hex(16);
    usage.promptTokens = std::llround(spec.promptTokens.sample(rng));
    const std::string text =
        expandTemplate(json(spec.text), templateContext(state, c)).get<std::string>();
    usage.completionTokens = std::llround(spec.completionTokens.sample(rng));
    usage.costUsd = double(usage.promptTokens) / 1000.0 * spec.usdPer1kPrompt +
                    double(usage.completionTokens) / 1000.0 * spec.usdPer1kCompletion;
    if (spec.stream)
        usage.chunks = splitIntoChunks(text, spec.wordsPerChunk);
    if (!spec.outputPath.empty())
        state[json::json_pointer(spec.outputPath)] = text;
    return usage;
}

ToolCall runTool(const ToolSpec& spec, json& state, Rng& rng, const ScriptContext& c)
{
    ToolCall call;
    call.callId = "call_" + rng.hex(16);
    call.name = spec.name;
    const TemplateContext context = templateContext(state, c);
    call.arguments = expandTemplate(spec.arguments, context);
    call.durationUs = msToUs(spec.latencyMs.sample(rng) * c.effects.latencyFactor);
    call.failed = rng.chance(spec.errorProbability);
    if (call.failed) {
        call.error = spec.errorMessage;
        return call;
    }
    call.result = spec.result ? produce(*spec.result, rng, context) : json(nullptr);
    if (!spec.resultPath.empty())
        state[json::json_pointer(spec.resultPath)] = call.result;
    return call;
}

Quality drawQuality(const QualitySpec& spec, Rng& rng, double offset)
{
    auto ratio = [&](const Distribution& d) {
        return std::clamp(d.sample(rng) + offset, 0.0, 1.0);
    };
    Quality q;
    q.accuracy = ratio(spec.accuracy);
    q.relevance = ratio(spec.relevance);
    q.completeness = ratio(spec.completeness);
    q.score = (q.accuracy + q.relevance + q.completeness) / 3.0;
    q.passed = q.score >= spec.threshold;
    return q;
}

} // namespace

NodeOutcome runScript(const NodeScript& script, const json& state, Rng& rng,
                      const ScriptContext& context)
{
    NodeOutcome out;
    json next = state;
    std::int64_t toolsUs = 0;
    try {
        // Tools first, so updates and the LLM text can use their results.
        for (const ToolSpec& tool : script.tools) {
            ToolCall call = runTool(tool, next, rng, context);
            call.startOffsetUs = toolsUs;
            toolsUs += call.durationUs;
            const bool failed = call.failed;
            out.tools.push_back(std::move(call));
            if (failed) {
                out.failed = true;
                out.error = "tool " + tool.name + ": " + tool.errorMessage;
                break;
            }
        }
        if (!out.failed && script.llm)
            out.llm = runLlm(*script.llm, next, rng, context);
        for (std::size_t i = 0; !out.failed && i < script.updates.size(); ++i)
            applyUpdate(script.updates[i], next, rng, context);
    } catch (const nlohmann::json::exception& e) {
        out.failed = true;
        out.error = std::string("state update failed: ") + e.what();
    }
    for (const WarningSpec& warning : script.warnings)
        if (rng.chance(warning.probability))
            out.warnings.push_back({warning.code, warning.message, warning.severity});
    if (script.quality && !out.failed)
        out.quality = drawQuality(*script.quality, rng, context.effects.qualityOffset);
    if (!out.failed && rng.chance(script.errorProbability)) {
        out.failed = true;
        out.error = script.errorMessage;
    }
    out.latencyUs =
        std::max(msToUs(script.latencyMs.sample(rng) * context.effects.latencyFactor), toolsUs);
    // Drawn last and only when asked for, so runs without effects draw as before.
    if (!out.failed && context.effects.extraErrorProbability > 0 &&
        rng.chance(context.effects.extraErrorProbability)) {
        out.failed = true;
        out.error = context.effects.extraErrorMessage;
    }
    out.state = out.failed ? state : std::move(next);
    return out;
}

} // namespace nexus::runtime
