#pragma once
// What the executor reports while it runs, in order, each with the simulated
// time it happened at. TelemetryEmitter turns these into DashStream messages;
// replay and tests can observe a run without DashStream.

#include "runtime/Graph.h"
#include "runtime/RuntimeError.h"
#include "runtime/ScriptRunner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nexus::runtime {

struct RunInfo
{
    const Graph* graph = nullptr;
    std::string threadId;
    std::string tenantId;
    std::optional<std::uint64_t> seed;
};

class ExecutionObserver
{
public:
    virtual ~ExecutionObserver() = default;
    using json = nlohmann::json;

    virtual void graphStarted(const RunInfo&, const json& /*initialState*/, std::int64_t) {}
    virtual void nodeStarted(const std::string& /*node*/, std::int64_t) {}
    virtual void toolStarted(const std::string& /*node*/, const ToolCall&, std::int64_t) {}
    virtual void toolFinished(const std::string& /*node*/, const ToolCall&, std::int64_t) {}
    virtual void tokenChunk(const std::string& /*node*/, const LlmUsage&, std::size_t /*index*/,
                            std::int64_t)
    {}
    virtual void nodeWarning(const std::string& /*node*/, const Warning&, std::int64_t) {}
    // `state` is the graph state after the node (for a parallel branch: the
    // fan-out state merged with every branch finished so far).
    virtual void nodeFinished(const std::string& /*node*/, const NodeOutcome&,
                              const json& /*state*/, std::int64_t)
    {}
    virtual void nodeFailed(const std::string& /*node*/, const std::string& /*error*/, std::int64_t)
    {}
    virtual void edgeTaken(const Edge&, std::int64_t) {}
    virtual void parallelStarted(const std::vector<std::string>& /*nodes*/, std::int64_t) {}
    virtual void parallelFinished(const std::vector<std::string>& /*nodes*/,
                                  std::int64_t /*durationUs*/, std::int64_t)
    {}
    virtual void interrupted(const std::string& /*node*/, InterruptWhen, std::int64_t) {}
    // `state` is the state after the resume update was applied.
    virtual void resumed(const std::string& /*node*/, InterruptWhen, const json& /*state*/,
                         std::int64_t)
    {}
    virtual void graphFinished(const json& /*finalState*/, std::int64_t /*durationUs*/,
                               std::int64_t)
    {}
    // The run stopped for good: a node failed, no route matched, or the
    // recursion limit was hit. `node` is empty when no node is to blame.
    virtual void runFailed(const RuntimeError&, const std::string& /*node*/, std::int64_t) {}
};

} // namespace nexus::runtime
