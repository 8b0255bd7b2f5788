#include "runtime/Condition.h"

#include <array>
#include <utility>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

struct OpName
{
    Condition::Op op;
    const char* name;
};

constexpr std::array<OpName, 8> kComparisons = {{
    {Condition::Op::Eq, "=="},
    {Condition::Op::Ne, "!="},
    {Condition::Op::Lt, "<"},
    {Condition::Op::Le, "<="},
    {Condition::Op::Gt, ">"},
    {Condition::Op::Ge, ">="},
    {Condition::Op::Exists, "exists"},
    {Condition::Op::In, "in"},
}};

// Ordering is defined only between two numbers or two strings; anything else
// compares false rather than following nlohmann's cross-type ordering.
bool orderable(const json& a, const json& b)
{
    return (a.is_number() && b.is_number()) || (a.is_string() && b.is_string());
}

const json* resolve(const json& state, const std::string& path)
{
    try {
        const json::json_pointer pointer(path);
        if (!state.contains(pointer))
            return nullptr;
        return &state.at(pointer);
    } catch (const json::exception&) {
        return nullptr;
    }
}

RuntimeError conditionError(const std::string& what)
{
    return makeError(ErrorCode::InvalidGraph, "condition: " + what);
}

} // namespace

Result<Condition> Condition::parse(const json& spec)
{
    if (!spec.is_object())
        return conditionError("expected an object, got " + spec.dump());
    Condition c;
    for (const auto& [key, op] : {std::pair{"and", Op::And}, std::pair{"or", Op::Or}}) {
        if (!spec.contains(key))
            continue;
        const json& list = spec.at(key);
        if (!list.is_array() || list.empty())
            return conditionError(std::string("\"") + key + "\" needs a non-empty array");
        c.op_ = op;
        for (const json& child : list) {
            auto parsed = parse(child);
            if (!parsed)
                return parsed.error();
            c.children_.push_back(std::move(parsed.value()));
        }
        return c;
    }
    if (spec.contains("not")) {
        auto parsed = parse(spec.at("not"));
        if (!parsed)
            return parsed.error();
        c.op_ = Op::Not;
        c.children_.push_back(std::move(parsed.value()));
        return c;
    }
    if (!spec.contains("path") || !spec.at("path").is_string())
        return conditionError("needs \"path\" (a JSON Pointer) or and/or/not in " + spec.dump());
    c.path_ = spec.at("path").get<std::string>();
    try {
        (void)json::json_pointer(c.path_);
    } catch (const json::exception&) {
        return conditionError("\"" + c.path_ + "\" is not a JSON Pointer (start with '/')");
    }
    const std::string opName = spec.value("op", std::string("=="));
    bool known = false;
    for (const auto& entry : kComparisons)
        if (opName == entry.name) {
            c.op_ = entry.op;
            known = true;
        }
    if (!known)
        return conditionError("unknown op \"" + opName + "\" (use == != < <= > >= exists in)");
    if (c.op_ != Op::Exists) {
        if (!spec.contains("value"))
            return conditionError("op \"" + opName + "\" needs a \"value\"");
        c.value_ = spec.at("value");
        if (c.op_ == Op::In && !c.value_.is_array())
            return conditionError("op \"in\" needs an array value");
    }
    return c;
}

bool Condition::evaluate(const json& state) const
{
    switch (op_) {
    case Op::And:
        for (const auto& child : children_)
            if (!child.evaluate(state))
                return false;
        return true;
    case Op::Or:
        for (const auto& child : children_)
            if (child.evaluate(state))
                return true;
        return false;
    case Op::Not:
        return !children_.front().evaluate(state);
    default:
        break;
    }
    const json* actual = resolve(state, path_);
    if (!actual)
        return false;
    switch (op_) {
    case Op::Exists:
        return true;
    case Op::Eq:
        return *actual == value_;
    case Op::Ne:
        return *actual != value_;
    case Op::In:
        for (const json& candidate : value_)
            if (*actual == candidate)
                return true;
        return false;
    case Op::Lt:
        return orderable(*actual, value_) && *actual < value_;
    case Op::Le:
        return orderable(*actual, value_) && *actual <= value_;
    case Op::Gt:
        return orderable(*actual, value_) && *actual > value_;
    case Op::Ge:
        return orderable(*actual, value_) && *actual >= value_;
    default:
        return false;
    }
}

json Condition::toJson() const
{
    switch (op_) {
    case Op::And:
    case Op::Or: {
        json list = json::array();
        for (const auto& child : children_)
            list.push_back(child.toJson());
        return json{{op_ == Op::And ? "and" : "or", list}};
    }
    case Op::Not:
        return json{{"not", children_.front().toJson()}};
    default:
        break;
    }
    json out = {{"path", path_}};
    for (const auto& entry : kComparisons)
        if (entry.op == op_)
            out["op"] = entry.name;
    if (op_ != Op::Exists)
        out["value"] = value_;
    return out;
}

} // namespace nexus::runtime
