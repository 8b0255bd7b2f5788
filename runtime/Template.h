#pragma once
// Templates in scripted values: a string may contain {{/json/pointer}} (a
// value from the current state), {{node}}, {{visit}} (1 on the node's first
// execution in the run), {{step}} and {{thread_id}}. A string that is exactly
// one {{/pointer}} becomes that JSON value itself (number, object, ...);
// inside longer text a value is inserted as its compact JSON (strings raw).
// A pointer that does not resolve expands to null / the empty string.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace nexus::runtime {

struct TemplateContext
{
    const nlohmann::json& state;
    std::string node;
    std::int64_t visit = 1;
    std::int64_t step = 1;
    std::string threadId;
};

nlohmann::json expandTemplate(const nlohmann::json& value, const TemplateContext& context);

} // namespace nexus::runtime
