#pragma once
// Declarative conditions on conditional edges: comparisons over JSON Pointers
// into the state, combined with and / or / not (docs/graph-format.md).
//   {"path": "/grade", "op": "==", "value": "relevant"}
//   {"path": "/attempts", "op": ">=", "value": 3}
//   {"path": "/answer", "op": "exists"}
//   {"path": "/category", "op": "in", "value": ["billing", "refund"]}
//   {"and": [c1, c2]}   {"or": [c1, c2]}   {"not": c}
// A missing path makes every comparison false (and "exists" false), so a
// condition never fails at run time.

#include "runtime/RuntimeError.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nexus::runtime {

class Condition
{
public:
    enum class Op
    {
        Eq,
        Ne,
        Lt,
        Le,
        Gt,
        Ge,
        Exists,
        In,
        And,
        Or,
        Not
    };

    static Result<Condition> parse(const nlohmann::json& spec);

    bool evaluate(const nlohmann::json& state) const;
    nlohmann::json toJson() const;

private:
    Op op_ = Op::Exists;
    std::string path_;
    nlohmann::json value_;
    std::vector<Condition> children_; // and / or / not
};

} // namespace nexus::runtime
