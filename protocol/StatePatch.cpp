// patchJsonInPlace (StateOps.h): json::patch_inplace without the cases
// nlohmann gets wrong (found by tests/fuzz/fuzz_state_patch).
#include "protocol/StateOps.h"

#include <string>

namespace nexus::protocol {

using json = nlohmann::json;

namespace {

// Throws when the parent of `path` exists and cannot hold a child.
void checkParent(const json& state, const json& path, const char* op, bool nullOk)
{
    if (!path.is_string())
        return;                                                // patch_inplace reports it
    const json::json_pointer pointer(path.get<std::string>()); // throws parse_error
    if (pointer.empty())
        return;
    const json::json_pointer parentPointer = pointer.parent_pointer();
    const json* parent = nullptr;
    try {
        parent = &state.at(parentPointer);
    } catch (const json::exception&) {
        return; // no parent: patch_inplace reports it
    }
    if (parent->is_object() || parent->is_array() || (nullOk && parent->is_null()))
        return;
    throw json::out_of_range::create(405,
                                     std::string("cannot ") + op + " " + pointer.to_string() +
                                         ": its parent is " + parent->type_name() +
                                         ", not an object or array",
                                     nullptr);
}

} // namespace

void patchJsonInPlace(json& state, const json& patch)
{
    if (!patch.is_array()) {
        state.patch_inplace(patch); // throws: not a patch
        return;
    }
    for (const json& operation : patch) {
        if (operation.is_object() && operation.contains("op") && operation["op"].is_string()) {
            const std::string& op = operation["op"].get_ref<const std::string&>();
            const json none;
            const json& path = operation.contains("path") ? operation["path"] : none;
            const json& from = operation.contains("from") ? operation["from"] : none;
            if (op == "add" || op == "move" || op == "copy")
                checkParent(state, path, "add", true);
            if (op == "remove")
                checkParent(state, path, "remove", false);
            if (op == "move")
                checkParent(state, from, "move", false);
        }
        state.patch_inplace(json::array({operation}));
    }
}

} // namespace nexus::protocol
