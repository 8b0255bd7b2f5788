#pragma once
// Fork of a recorded run (DESIGN.md §5): from any step boundary, with an
// edited state, execute forward with the graph's semantics on the embedded
// Executor — declarative conditions evaluated, parallel fan-outs merged,
// interrupts honoured. What each node does:
//   1. a node with a script in the graph runs its script (seeded); a graph
//      file's node without any behaviour key counts as having none;
//   2. else the recording's output for it is reused: the recorded execution
//      with the same node and visit, else the latest recorded execution of
//      that node; its output (the JSON Patch its StateDiff applied) is
//      applied to the fork's state, with its recorded duration and tokens;
//   3. else — or when that patch does not apply to the edited state — the
//      fork stops with NeedsOutput{node} and continues once the user gives
//      the node's output (a JSON object, merged into the state as an RFC 7386
//      merge patch).
// A conditional edge without a declarative condition (DashFlow's shapes)
// cannot be routed: the fork fails there with not_routable; fork against a
// graph file that defines the conditions.
//
// The fork is a new trace: DashStream messages (TelemetryEmitter into a
// MemorySink) under the thread id "<origin>~fork<N>", whose GRAPH_START
// carries forked_from_thread and forked_from_step (the position). It can be
// written as .dstrace and read back as a Recording. Deterministic given the
// seed: the same fork twice gives the same messages.

#include "runtime/Executor.h"
#include "runtime/Recording.h"
#include "runtime/TelemetryEmitter.h"
#include "runtime/TelemetrySink.h"

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace nexus::runtime {

struct ForkOptions
{
    std::uint64_t seed = 1;
    std::string threadId; // empty: "<origin thread>~fork<forkNumber>"
    int forkNumber = 1;
    // At a graph interrupt: resume with its auto_resume update (true) or stop
    // there with ForkStatus::Interrupted and wait for resume() (false).
    bool autoResume = true;
    TelemetryOptions telemetry; // instance labels, checkpoint interval
};

enum class OutputSource
{
    Script,            // the graph's script for the node ran
    RecordedSameVisit, // the recording's execution with the same node and visit
    RecordedLatest,    // the latest recorded execution of the node
    Typed,             // the output the user gave
    NoOp,              // a node the graph does not know ran as a no-op
};
const char* outputSourceName(OutputSource source); // "script", "recorded_same_visit", ...

struct ForkedNode
{
    std::string node;
    std::int64_t visit = 1;
    OutputSource source = OutputSource::Script;
    std::size_t recordedStep = 0; // 1-based step of the reused recorded execution; 0 = none
};

struct NeedsOutput
{
    std::string node;
    std::int64_t visit = 1;
    std::string reason;   // why neither a script nor a recorded output could be used
    nlohmann::json state; // the state the node would run on
};

enum class ForkStatus
{
    Completed,
    Failed,
    NeedsOutput, // waiting for provideOutput()
    Interrupted, // at a graph interrupt, waiting for resume() (autoResume off)
};
const char*
forkStatusName(ForkStatus status); // "completed", "failed", "needs_output", "interrupted"

struct ForkResult
{
    ForkStatus status = ForkStatus::Failed;
    RunResult run; // the executor's view: state, path, steps, error, interrupt
    std::optional<NeedsOutput> needsOutput;
    std::vector<ForkedNode> nodes; // every node the fork ran so far, in order
};

class Fork
{
public:
    // Checks that `position` is 0 .. the recording's step count and a step
    // boundary (not between the branches of a parallel fan-out), and that
    // `state` is a JSON object. Nothing runs until start().
    static Result<std::unique_ptr<Fork>> create(const Recording& origin, Graph graph,
                                                std::size_t position, nlohmann::json state,
                                                ForkOptions options = {});
    ~Fork();
    Fork(const Fork&) = delete;
    Fork& operator=(const Fork&) = delete;

    // Runs until completion, failure, a missing output or (autoResume off) an interrupt.
    Result<ForkResult> start();
    // The output of the node NeedsOutput named: a JSON object merged into
    // the state it would run on; then the fork goes on.
    Result<ForkResult> provideOutput(const nlohmann::json& output);
    // Continues at an interrupt with a merge-patch update (a human's answer).
    Result<ForkResult> resume(const nlohmann::json& update = nlohmann::json::object());

    const ForkResult& result() const { return result_; }
    const std::string& threadId() const;
    std::size_t position() const { return position_; }
    const std::vector<ds::DashStreamMessage>& messages() const { return sink_.messages(); }
    Status writeDstrace(std::ostream& out) const;
    Status writeDstraceFile(const std::string& path) const;
    // The fork's own trace read back, e.g. to replay it.
    Recording recording() const;

private:
    struct RecordedOutput
    {
        std::int64_t visit = 1;
        std::size_t step = 0; // 1-based
        nlohmann::json patch;
        std::int64_t durationUs = 0;
        std::int64_t promptTokens = 0, completionTokens = 0;
        double costUsd = 0;
        std::string model;
    };
    using Key = std::pair<std::string, std::int64_t>; // node, visit

    Fork(const Recording& origin, Graph graph, std::size_t position, nlohmann::json state,
         ForkOptions options);
    std::optional<NodeOutcome> provide(const std::string& node, std::int64_t visit,
                                       const nlohmann::json& state);
    std::optional<NodeOutcome> reuse(const std::string& node, const RecordedOutput& recorded,
                                     const nlohmann::json& state, std::int64_t visit,
                                     OutputSource source);
    Result<ForkResult> settle(RunResult run);

    std::size_t position_ = 0;
    ForkOptions options_;
    std::map<std::string, std::int64_t> priorVisits_; // the origin's visits before the position
    Checkpoint checkpoint_;
    std::map<std::string, std::vector<RecordedOutput>> recorded_; // by node, in visit order
    std::map<Key, nlohmann::json> typed_;
    std::map<Key, std::pair<OutputSource, std::size_t>> sources_;
    std::optional<NeedsOutput> missing_;
    MemorySink sink_;
    std::unique_ptr<TelemetryEmitter> emitter_;
    std::unique_ptr<Executor> executor_;
    bool started_ = false;
    ForkResult result_;
};

} // namespace nexus::runtime
