#include "runtime/RuntimeError.h"

namespace nexus::runtime {

const char* errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidJson:
        return "invalid_json";
    case ErrorCode::InvalidGraph:
        return "invalid_graph";
    case ErrorCode::UnknownFormat:
        return "unknown_format";
    case ErrorCode::NodeFailed:
        return "node_failed";
    case ErrorCode::NoRoute:
        return "no_route";
    case ErrorCode::NotRoutable:
        return "not_routable";
    case ErrorCode::RecursionLimit:
        return "recursion_limit";
    case ErrorCode::InvalidState:
        return "invalid_state";
    case ErrorCode::CheckpointMissing:
        return "checkpoint_missing";
    case ErrorCode::IoError:
        return "io_error";
    case ErrorCode::SinkFailed:
        return "sink_failed";
    }
    return "unknown";
}

} // namespace nexus::runtime
