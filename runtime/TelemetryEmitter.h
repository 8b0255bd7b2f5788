#pragma once
// Turns what the executor reports into the DashStream messages DashFlow's
// DashStreamCallback emits, in the same order (DASHSTREAM.md §3.2, §4, §5),
// plus what DashFlow drops: edge targets and condition results travel in our
// own attributes "to" and "condition_result". docs/graph-format.md lists the
// full emission order, including our additions (HUMAN_INTERRUPT/RESUME and a
// final Error message when a run fails).

#include "runtime/ExecutionObserver.h"
#include "runtime/Random.h"
#include "runtime/TelemetrySink.h"

#include <map>
#include <optional>
#include <string>

namespace nexus::runtime {

struct TelemetryOptions
{
    // GRAPH_START labels of the emitting instance: instance_id, deployment,
    // version, host, region (empty values are left out).
    std::map<std::string, std::string> instanceLabels;
    // Further GRAPH_START string attributes of this run, e.g. the
    // optimization_version and rollout_id a router chose (empty values are
    // left out; the graph's own attributes are never replaced).
    std::map<std::string, std::string> runAttributes;
    // A Checkpoint message after every N StateDiffs; 0 = none (DashFlow's default).
    int checkpointInterval = 0;
    // Seeds message and checkpoint ids; default: derived from the run's seed,
    // random when the run is unseeded.
    std::optional<std::uint64_t> idSeed;
};

class TelemetryEmitter final : public ExecutionObserver
{
public:
    explicit TelemetryEmitter(TelemetrySink& sink, TelemetryOptions options = {});

    std::uint64_t emitted() const { return emitted_; }
    // Messages the sink refused; the run goes on (telemetry never stops a run).
    std::uint64_t sinkFailures() const { return sinkFailures_; }
    const std::optional<RuntimeError>& firstSinkError() const { return firstSinkError_; }

    void graphStarted(const RunInfo& info, const json& initialState, std::int64_t t) override;
    void nodeStarted(const std::string& node, std::int64_t t) override;
    void toolStarted(const std::string& node, const ToolCall& call, std::int64_t t) override;
    void toolFinished(const std::string& node, const ToolCall& call, std::int64_t t) override;
    void tokenChunk(const std::string& node, const LlmUsage& llm, std::size_t index,
                    std::int64_t t) override;
    void nodeWarning(const std::string& node, const Warning& warning, std::int64_t t) override;
    void nodeFinished(const std::string& node, const NodeOutcome& outcome, const json& state,
                      std::int64_t t) override;
    void nodeFailed(const std::string& node, const std::string& error, std::int64_t t) override;
    void edgeTaken(const Edge& edge, std::int64_t t) override;
    void parallelStarted(const std::vector<std::string>& nodes, std::int64_t t) override;
    void parallelFinished(const std::vector<std::string>& nodes, std::int64_t durationUs,
                          std::int64_t t) override;
    void interrupted(const std::string& node, InterruptWhen when, std::int64_t t) override;
    void resumed(const std::string& node, InterruptWhen when, const json& state,
                 std::int64_t t) override;
    void graphFinished(const json& finalState, std::int64_t durationUs, std::int64_t t) override;
    void runFailed(const RuntimeError& error, const std::string& node, std::int64_t t) override;

private:
    using Attributes = std::map<std::string, ds::AttributeValue>;
    void fillHeader(ds::Header& header, ds::MessageType type, std::int64_t t);
    void send(const ds::DashStreamMessage& message);
    void emitEvent(ds::EventType type, const std::string& node, std::int64_t t,
                   const Attributes& attributes = {}, std::int64_t durationUs = 0);
    void emitStateDiff(const json& state, std::int64_t t);
    void emitNodeMetrics(const std::string& node, const NodeOutcome& outcome, std::int64_t t);
    void emitQuality(const std::string& node, const Quality& quality, std::int64_t t);
    void emitError(const std::string& code, const std::string& message, ds::Error::Severity,
                   const std::string& node, std::int64_t t);

    TelemetrySink& sink_;
    TelemetryOptions options_;
    Rng idRng_;
    const Graph* graph_ = nullptr;
    std::string threadId_;
    std::string tenantId_ = "default";
    std::uint64_t sequence_ = 0;
    json previousState_;
    std::string lastCheckpointId_;
    int diffsSinceCheckpoint_ = 0;
    std::uint64_t emitted_ = 0;
    std::uint64_t sinkFailures_ = 0;
    std::optional<RuntimeError> firstSinkError_;
};

} // namespace nexus::runtime
