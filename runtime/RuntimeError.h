#pragma once
// Errors of the runtime layer, returned as values (STYLE.md habit 4). Nothing
// in runtime/ lets an exception escape: nlohmann_json throws, so every call
// that can throw is wrapped where it happens.

#include "protocol/Expected.h"

#include <string>

namespace nexus::runtime {

enum class ErrorCode
{
    InvalidJson,    // the text is not JSON
    InvalidGraph,   // the graph description is malformed or inconsistent
    UnknownFormat,  // JSON, but none of the three graph formats
    NodeFailed,     // a node's script failed (scripted error or bad update)
    NoRoute,        // a conditional edge had no matching route and no default
    NotRoutable,    // a conditional edge without a declarative condition
    RecursionLimit, // more steps than the recursion limit allows
    InvalidState,   // resume / start called in the wrong run state
    CheckpointMissing,
    IoError,
    SinkFailed, // a telemetry sink could not take a message
};

const char* errorCodeName(ErrorCode code);

struct RuntimeError
{
    ErrorCode code = ErrorCode::InvalidGraph;
    std::string message; // one sentence a person can act on
};

template <class T> using Result = protocol::Expected<T, RuntimeError>;
using Status = protocol::Expected<protocol::Ok, RuntimeError>;

inline RuntimeError makeError(ErrorCode code, std::string message)
{
    return RuntimeError{code, std::move(message)};
}

} // namespace nexus::runtime
