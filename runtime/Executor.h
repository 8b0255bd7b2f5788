#pragma once
// Runs a graph with DashFlow's semantics (docs/graph-format.md, "How a graph
// runs"): entry point, direct / conditional / parallel edges, __end__, a
// recursion limit, interrupts before / after nodes, a checkpoint after every
// step. Node latency is simulated time on a Clock: run() returns as soon as
// the computation is done, however many "seconds" the run took.
//
// Deterministic under a seed: path, states, latencies, tokens, costs, ids and
// timestamps repeat exactly. Unseeded runs draw from std::random_device and
// start at the wall-clock time.

#include "runtime/Checkpoint.h"
#include "runtime/Clock.h"
#include "runtime/ExecutionObserver.h"
#include "runtime/Graph.h"
#include "runtime/Random.h"

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nexus::runtime {

// What a node without a script does, when set (the fork of a recorded run,
// runtime/Fork.h): the node's outcome for this visit (1 = its first run) on
// this input state, or nullopt when there is none. Asked before each step
// for every such node of the frontier; a nullopt stops the run before the
// step with RunStatus::NeedsOutput (RunResult::needsOutput names the node),
// and resume() asks again. Unset: such nodes are no-ops, as in DashFlow's shapes.
using NodeOutputProvider = std::function<std::optional<NodeOutcome>(
    const std::string& node, std::int64_t visit, const nlohmann::json& state)>;

struct RunOptions
{
    std::optional<std::uint64_t> seed;
    std::string threadId; // empty: "run-<uuid>" (from the seed when seeded)
    std::string tenantId = "default";
    std::optional<int> recursionLimit;        // default: the graph's (25 unless it says otherwise)
    std::vector<std::string> interruptBefore; // in addition to the graph's interrupts
    std::vector<std::string> interruptAfter;
    std::optional<std::int64_t> startTimeUs;    // default: kSeededEpochUs if seeded, else now
    Clock* clock = nullptr;                     // default: an owned SimulatedClock
    CheckpointSaver* checkpointSaver = nullptr; // default: an owned in-memory saver
    RunEffects effects;                         // default: the graph as written
    NodeOutputProvider outputProvider;          // default: none
    // How often each node had run before a startFrom() (a fork of a recorded
    // run continues the origin's visit counts); start() ignores it.
    std::map<std::string, std::int64_t> initialVisits;
};

enum class RunStatus
{
    NotStarted,
    Interrupted,
    Completed,
    Failed,
    NeedsOutput // stopped before a step: a node has no script and the provider no output
};
const char* runStatusName(RunStatus status);

struct PendingInterrupt
{
    std::string node;
    InterruptWhen when = InterruptWhen::Before;
    nlohmann::json autoResume = nlohmann::json::object(); // from the graph file
};

struct RunTotals
{
    std::int64_t promptTokens = 0;
    std::int64_t completionTokens = 0;
    double costUsd = 0;
    std::int64_t toolCalls = 0;
};

struct RunResult
{
    RunStatus status = RunStatus::NotStarted;
    nlohmann::json state;
    std::vector<std::string> path; // nodes in execution order (a parallel step in frontier order)
    std::int64_t steps = 0;
    std::int64_t durationUs = 0; // simulated, from graph start
    std::optional<PendingInterrupt> interrupt;
    std::optional<RuntimeError> error;
    std::string failedNode;
    std::string needsOutput; // the node the provider had no output for (status NeedsOutput)
    RunTotals totals;
};

class Executor
{
public:
    Executor(Graph graph, RunOptions options = {}, ExecutionObserver* observer = nullptr);
    ~Executor();
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    // Initial state = the graph's initial_state with `input` merged over it
    // (RFC 7386 merge patch). Runs until completion, failure or an interrupt.
    RunResult start(const nlohmann::json& input = nlohmann::json::object());
    // Continues an interrupted run exactly where it stopped; `update` (a merge
    // patch) is applied to the state first, as a human's answer would be.
    // After NeedsOutput it retries the step, asking the provider again (a
    // non-empty update is applied and reported like a human's answer).
    RunResult resume(const nlohmann::json& update = nlohmann::json::object());
    // Restarts from a checkpoint of any thread (a fork): the state is the
    // checkpoint's with `update` merged over it, and the run continues by
    // routing out of the checkpoint's nodes (none: the run starts at the
    // entry point, i.e. before the first step). Telemetry starts a new run.
    RunResult startFrom(const Checkpoint& checkpoint,
                        const nlohmann::json& update = nlohmann::json::object());

    const std::string& threadId() const { return threadId_; }
    const Graph& graph() const { return graph_; }
    CheckpointSaver& checkpoints() { return *saver_; }
    const RunResult& result() const { return result_; }

private:
    void begin(const nlohmann::json& initialState);
    RunResult drive();
    bool interruptBefore(const std::vector<std::string>& frontier);
    bool interruptAfter(const std::vector<std::string>& completed);
    bool runStep(const std::vector<std::string>& frontier);
    bool route(const std::vector<std::string>& completed);
    bool chooseRoute(const std::string& from, std::vector<std::string>& next);
    bool needsOutput(const std::vector<std::string>& frontier);
    void saveCheckpoint(const std::vector<std::string>& nodes);
    RunResult fail(RuntimeError error, const std::string& node);
    RunResult refuse(RuntimeError error) const;
    std::int64_t now() const { return clock_->nowUs(); }

    Graph graph_;
    RunOptions options_;
    ExecutionObserver* observer_;
    ExecutionObserver silent_;
    Rng rng_;   // node behaviour
    Rng idRng_; // thread and checkpoint ids
    std::unique_ptr<Clock> ownedClock_;
    Clock* clock_ = nullptr;
    std::unique_ptr<CheckpointSaver> ownedSaver_;
    CheckpointSaver* saver_ = nullptr;
    std::string threadId_;
    int recursionLimit_ = kDefaultRecursionLimit;
    std::vector<InterruptPoint> interrupts_;

    nlohmann::json state_;
    std::vector<std::string> frontier_;  // nodes to run next
    std::vector<std::string> routeFrom_; // completed nodes not yet routed out of
    bool skipBeforeInterrupt_ = false;   // resuming from a "before" interrupt
    std::map<std::string, std::int64_t> visits_;
    std::map<std::string, NodeOutcome> provided_; // the provider's outcomes for the next step
    std::string lastCheckpointId_;
    std::int64_t startUs_ = 0;
    RunResult result_;
};

} // namespace nexus::runtime
