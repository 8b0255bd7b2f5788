#include "runtime/Template.h"

#include <optional>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

std::optional<json> lookup(const std::string& name, const TemplateContext& context)
{
    if (name == "node")
        return json(context.node);
    if (name == "visit")
        return json(context.visit);
    if (name == "step")
        return json(context.step);
    if (name == "thread_id")
        return json(context.threadId);
    if (name.empty() || name.front() != '/')
        return std::nullopt;
    try {
        const json::json_pointer pointer(name);
        if (context.state.contains(pointer))
            return context.state.at(pointer);
    } catch (const json::exception&) {
    }
    return json(nullptr);
}

std::string asText(const json& value)
{
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_null())
        return {};
    return value.dump();
}

json expandString(const std::string& text, const TemplateContext& context)
{
    // The whole string is one placeholder: keep the value's JSON type.
    if (text.size() > 4 && text.starts_with("{{") && text.ends_with("}}") &&
        text.find("{{", 2) == std::string::npos) {
        if (auto value = lookup(text.substr(2, text.size() - 4), context))
            return *value;
    }
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find("{{", pos);
        const std::size_t close = open == std::string::npos ? open : text.find("}}", open + 2);
        if (close == std::string::npos) {
            out.append(text, pos);
            break;
        }
        out.append(text, pos, open - pos);
        const std::string name = text.substr(open + 2, close - open - 2);
        if (auto value = lookup(name, context))
            out += asText(*value);
        else
            out.append(text, open, close + 2 - open); // unknown: leave as written
        pos = close + 2;
    }
    return out;
}

} // namespace

json expandTemplate(const json& value, const TemplateContext& context)
{
    if (value.is_string())
        return expandString(value.get_ref<const std::string&>(), context);
    if (value.is_array()) {
        json out = json::array();
        for (const json& item : value)
            out.push_back(expandTemplate(item, context));
        return out;
    }
    if (value.is_object()) {
        json out = json::object();
        for (const auto& [key, item] : value.items())
            out[key] = expandTemplate(item, context);
        return out;
    }
    return value;
}

} // namespace nexus::runtime
