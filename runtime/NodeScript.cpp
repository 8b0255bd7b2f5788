#include "runtime/NodeScript.h"

#include "runtime/Random.h"

#include <algorithm>
#include <cmath>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

RuntimeError specError(const std::string& what, const std::string& message)
{
    return makeError(ErrorCode::InvalidGraph, what + ": " + message);
}

bool isPair(const json& v)
{
    return v.is_array() && v.size() == 2 && v[0].is_number() && v[1].is_number();
}

const std::vector<std::string>& reducerOps()
{
    static const std::vector<std::string> ops = {"set", "append", "increment", "merge"};
    return ops;
}

const std::vector<std::string>& patchOps()
{
    static const std::vector<std::string> ops = {"add",  "remove", "replace",
                                                 "move", "copy",   "test"};
    return ops;
}

bool contains(const std::vector<std::string>& list, const std::string& item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

Result<StateUpdate> parseUpdate(const json& spec, const std::string& what)
{
    if (!spec.is_object() || !spec.contains("op") || !spec.at("op").is_string())
        return specError(what, "an update needs an \"op\"");
    StateUpdate update;
    update.op = spec.at("op").get<std::string>();
    update.path = spec.value("path", std::string());
    if (contains(patchOps(), update.op)) {
        update.patchOp = spec;
        return update;
    }
    if (!contains(reducerOps(), update.op))
        return specError(what, "unknown op \"" + update.op +
                                   "\" (set append increment merge, or a JSON Patch op)");
    if (update.op != "merge" && update.path.empty())
        return specError(what, "op \"" + update.op + "\" needs a \"path\"");
    if (update.op == "increment") {
        update.by = spec.value("by", json(1));
        if (!update.by.is_number())
            return specError(what, "\"by\" must be a number");
        return update;
    }
    auto source = ValueSource::parse(spec, what);
    if (!source)
        return source.error();
    update.source = std::move(source.value());
    return update;
}

Result<LlmSpec> parseLlm(const json& spec, const std::string& what)
{
    LlmSpec llm;
    llm.model = spec.value("model", std::string("unknown-model"));
    for (auto [key, target] : {std::pair{"prompt_tokens", &llm.promptTokens},
                               std::pair{"completion_tokens", &llm.completionTokens}}) {
        if (!spec.contains(key))
            continue;
        auto dist = Distribution::parse(spec.at(key), what + "." + key);
        if (!dist)
            return dist.error();
        *target = dist.value();
    }
    llm.usdPer1kPrompt = spec.value("usd_per_1k_prompt", 0.0);
    llm.usdPer1kCompletion = spec.value("usd_per_1k_completion", 0.0);
    llm.stream = spec.value("stream", false);
    llm.text = spec.value("text", std::string());
    llm.wordsPerChunk = std::max(1, spec.value("words_per_chunk", 3));
    llm.outputPath = spec.value("output_path", std::string());
    return llm;
}

Result<ToolSpec> parseTool(const json& spec, const std::string& what)
{
    if (!spec.is_object() || !spec.contains("name"))
        return specError(what, "a tool needs a \"name\"");
    ToolSpec tool;
    tool.name = spec.at("name").get<std::string>();
    tool.arguments = spec.value("arguments", json::object());
    if (spec.contains("result")) {
        auto source = ValueSource::parse(spec.at("result"), what + ".result");
        if (!source)
            return source.error();
        tool.result = std::move(source.value());
    }
    if (spec.contains("latency_ms")) {
        auto dist = Distribution::parse(spec.at("latency_ms"), what + ".latency_ms");
        if (!dist)
            return dist.error();
        tool.latencyMs = dist.value();
    }
    tool.errorProbability = spec.value("error_probability", 0.0);
    tool.errorMessage = spec.value("error_message", tool.errorMessage);
    tool.resultPath = spec.value("result_path", std::string());
    return tool;
}

Result<QualitySpec> parseQuality(const json& spec, const std::string& what)
{
    QualitySpec quality;
    for (auto [key, target] :
         {std::pair{"accuracy", &quality.accuracy}, std::pair{"relevance", &quality.relevance},
          std::pair{"completeness", &quality.completeness}}) {
        auto dist = Distribution::parse(spec.value(key, json(1.0)), what + "." + key);
        if (!dist)
            return dist.error();
        *target = dist.value();
    }
    quality.threshold = spec.value("threshold", 0.7);
    return quality;
}

Result<WarningSpec> parseWarning(const json& spec, const std::string& what)
{
    if (!spec.is_object() || !spec.contains("code"))
        return specError(what, "a warning needs a \"code\"");
    WarningSpec warning;
    warning.code = spec.at("code").get<std::string>();
    warning.message = spec.value("message", warning.code);
    warning.probability = spec.value("probability", 1.0);
    warning.severity = spec.value("severity", warning.severity);
    return warning;
}

template <class T, class Parse>
Status parseList(const json& node, const char* key, const std::string& what, Parse parse,
                 std::vector<T>& out)
{
    if (!node.contains(key))
        return protocol::Ok{};
    if (!node.at(key).is_array())
        return specError(what, std::string("\"") + key + "\" must be an array");
    int index = 0;
    for (const json& item : node.at(key)) {
        auto parsed = parse(item, what + "." + key + "[" + std::to_string(index++) + "]");
        if (!parsed)
            return parsed.error();
        out.push_back(std::move(parsed.value()));
    }
    return protocol::Ok{};
}

Result<NodeScript> parseScript(const json& node, const std::string& what)
{
    NodeScript script;
    if (node.contains("latency_ms")) {
        auto dist = Distribution::parse(node.at("latency_ms"), what + ".latency_ms");
        if (!dist)
            return dist.error();
        script.latencyMs = dist.value();
    }
    if (auto s = parseList(node, "updates", what, parseUpdate, script.updates); !s)
        return s.error();
    if (auto s = parseList(node, "tools", what, parseTool, script.tools); !s)
        return s.error();
    if (auto s = parseList(node, "warnings", what, parseWarning, script.warnings); !s)
        return s.error();
    if (node.contains("llm")) {
        auto llm = parseLlm(node.at("llm"), what + ".llm");
        if (!llm)
            return llm.error();
        script.llm = std::move(llm.value());
    }
    if (node.contains("quality")) {
        auto quality = parseQuality(node.at("quality"), what + ".quality");
        if (!quality)
            return quality.error();
        script.quality = quality.value();
    }
    script.errorProbability = node.value("error_probability", 0.0);
    script.errorMessage = node.value("error_message", script.errorMessage);
    return script;
}

} // namespace

Result<Distribution> Distribution::parse(const json& spec, const std::string& what)
{
    Distribution d;
    try {
        if (spec.is_number()) {
            d.a = spec.get<double>();
            return d;
        }
        if (!spec.is_object())
            return specError(what, "expected a number or a distribution object");
        d.min = spec.value("min", 0.0);
        if (spec.contains("fixed")) {
            d.a = spec.at("fixed").get<double>();
        } else if (spec.contains("uniform") && isPair(spec.at("uniform"))) {
            d.kind = Kind::Uniform;
            d.a = spec.at("uniform")[0].get<double>();
            d.b = spec.at("uniform")[1].get<double>();
        } else if (spec.contains("normal")) {
            d.kind = Kind::Normal;
            d.a = spec.at("normal").at("mean").get<double>();
            d.b = spec.at("normal").at("stddev").get<double>();
        } else if (spec.contains("lognormal")) {
            d.kind = Kind::LogNormal;
            d.a = spec.at("lognormal").at("median").get<double>();
            d.b = spec.at("lognormal").at("sigma").get<double>();
            if (d.a <= 0)
                return specError(what, "lognormal median must be > 0");
        } else {
            return specError(what, "use fixed, uniform [a, b], normal {mean, stddev} or "
                                   "lognormal {median, sigma}");
        }
    } catch (const json::exception& e) {
        return specError(what, e.what());
    }
    return d;
}

double Distribution::sample(Rng& rng) const
{
    double v = a;
    switch (kind) {
    case Kind::Fixed:
        break;
    case Kind::Uniform:
        v = rng.uniform(a, b);
        break;
    case Kind::Normal:
        v = rng.normal(a, b);
        break;
    case Kind::LogNormal:
        v = a * std::exp(rng.normal(0, b));
        break;
    }
    return std::max(v, min);
}

bool ValueSource::presentIn(const json& object)
{
    return object.is_object() && (object.contains("value") || object.contains("choose") ||
                                  object.contains("uniform") || object.contains("int_range"));
}

Result<ValueSource> ValueSource::parse(const json& object, const std::string& what)
{
    if (!presentIn(object))
        return specError(what, "needs one of \"value\", \"choose\", \"uniform\", \"int_range\"");
    ValueSource source;
    try {
        if (object.contains("value")) {
            source.value = object.at("value");
        } else if (object.contains("choose")) {
            source.kind = Kind::Choose;
            for (const json& choice : object.at("choose")) {
                const double weight = choice.value("weight", 1.0);
                if (!choice.contains("value") || weight < 0)
                    return specError(what, "each choice needs a \"value\" and a weight >= 0");
                source.choices.emplace_back(choice.at("value"), weight);
            }
            if (source.choices.empty())
                return specError(what, "\"choose\" needs at least one choice");
        } else {
            const bool isInt = object.contains("int_range");
            const json& range = object.at(isInt ? "int_range" : "uniform");
            if (!isPair(range))
                return specError(what, "a range is [low, high]");
            source.kind = isInt ? Kind::IntRange : Kind::Uniform;
            source.lo = range[0].get<double>();
            source.hi = range[1].get<double>();
        }
    } catch (const json::exception& e) {
        return specError(what, e.what());
    }
    return source;
}

Result<NodeScript> NodeScript::parse(const json& node, const std::string& nodeName)
{
    try {
        return parseScript(node, "node \"" + nodeName + "\"");
    } catch (const json::exception& e) {
        return specError("node \"" + nodeName + "\"", e.what());
    }
}

} // namespace nexus::runtime
