#pragma once
// Replay of a recorded run (DESIGN.md §5): node by node the recorded outputs
// are applied to the replayed state, every step's state hash is recomputed
// (canonical JSON + SHA-256, DASHSTREAM.md §4.2) and compared with the
// recorded one, and the path the run took is compared with where the graph
// routes from that state. A difference is a divergence, reported at the step
// whose routing differs. On top sits a debugger's navigation: step, step
// back, continue, run to a position, breakpoints.
//
// The graph to check against is the recording's own (from GRAPH_START:
// DashFlow's shapes, no conditions) or one the caller supplies — a graph file
// with declarative conditions, or a newer version of the graph.
//
// Steps and positions (as in Recording.h): step k (1-based) is the k-th node
// execution; position p is the state after p steps, 0 the initial state. A
// parallel fan-out's branches are consecutive steps of one super-step.
//
// Everything is computed when the session is made (the replay is a pure
// function of recording and graph), so navigation is O(1) and a session can
// be built on a worker and handed to the GUI thread. Not thread-safe.

#include "runtime/Condition.h"
#include "runtime/Graph.h"
#include "runtime/Progress.h"
#include "runtime/Recording.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nexus::runtime {

enum class RouteVerdict
{
    Agrees,        // the graph routes where the recording went
    Diverges,      // it does not (see the step's divergence)
    CannotCheck,   // the graph cannot decide here (no condition, no graph, unknown state)
    NotApplicable, // nothing to check: the node failed or the recording ends here
};
const char*
routeVerdictName(RouteVerdict verdict); // "agrees", "diverges", "cannot_check", "not_applicable"

enum class DivergenceKind
{
    UnknownNode,   // the recording ran a node the graph does not have
    EntryPoint,    // the run started at another node than the graph's entry point
    Route,         // the graph routes elsewhere from the step's state
    NoRoute,       // no route matches the state and there is no default: the graph would fail
    UnknownTarget, // the recording went along an edge the graph does not have
};
const char* divergenceKindName(DivergenceKind kind); // "unknown_node", "entry_point", "route", ...

struct Divergence
{
    std::size_t step = 0; // 1-based
    std::string node;
    DivergenceKind kind = DivergenceKind::Route;
    std::vector<std::string> recordedNext; // where the recording went ("__end__" = the end)
    std::vector<std::string> expectedNext; // where the graph goes from the step's state
    std::string reason;                    // one sentence
};

struct ReplayStep
{
    std::size_t step = 0; // 1-based; the position after it is `step`
    std::string node;
    std::int64_t superStep = 1;
    std::int64_t visit = 1;
    JsonPtr stateBefore;      // replayed: the state the node ran on (null when unknown)
    JsonPtr stateAfter;       // replayed: after its recorded output (null when unknown)
    std::string recordedHash; // hex; empty when none was recorded
    std::string replayedHash; // hex of the replayed stateAfter; empty when unknown
    StepVerdict hash = StepVerdict::Unverified;
    // The worst verdict of the updates recorded before this step (a human's
    // answer at an interrupt); Unverified when there were none.
    StepVerdict updatesHash = StepVerdict::Unverified;
    std::size_t updates = 0;

    RouteVerdict route = RouteVerdict::NotApplicable;
    std::vector<std::string> recordedNext;
    std::vector<std::string> expectedNext;
    std::string routeDetail; // why it diverges / cannot be checked; empty when it agrees
    std::optional<std::size_t> divergence; // index into ReplayReport::divergences
};

struct HashCounts
{
    std::size_t verified = 0, mismatched = 0, unverified = 0, notApplied = 0;
};

struct ReplayReport
{
    std::string threadId;
    std::vector<std::string> otherThreads;
    std::string graphName;
    std::string graphSource;      // "recording" or what the caller named it (a file path)
    std::string graphSchemaId;    // of the graph checked against
    std::string recordedSchemaId; // from GRAPH_START
    RecordingStatus status = RecordingStatus::Incomplete;
    std::size_t steps = 0;
    HashCounts hashes;                                 // over the steps
    StepVerdict updatesHash = StepVerdict::Unverified; // worst over all between-step updates
    StepVerdict finalHash = StepVerdict::Unverified;   // the final StateDiff (GRAPH_END's)
    std::vector<Divergence> divergences;               // in step order
    std::vector<RecordingProblem> problems;            // from reading the recording

    // Every hash that was recorded verified (none mismatched or failed to
    // apply), no divergence and no problem reading the input.
    bool ok() const;
    const Divergence* firstDivergence() const;
};

struct ReplayOptions
{
    std::string graphSource = "recording"; // how the report names the graph given
    bool stopOnDivergence = true;          // continue / runTo stop after a diverging step
    bool stopOnHashMismatch = true;        // ... and after a step whose hash mismatched
    // Called while the session is built (Progress.h) with work items done of
    // 2 × steps (states and hashes, then routing); returning false stops the
    // build: the session is then cancelled() and must not be used. Dropped
    // once the session is built.
    ProgressFn progress;
};

enum class BreakpointKind
{
    BeforeNode,     // stop at the position where this node is about to run
    AfterNode,      // stop at the position right after this node ran
    StateCondition, // stop at a position whose state satisfies the condition
};

struct Breakpoint
{
    int id = 0;
    BreakpointKind kind = BreakpointKind::BeforeNode;
    std::string node;              // Before/AfterNode
    std::optional<Condition> when; // StateCondition (Condition.h syntax)
    bool enabled = true;
};

enum class StopReason
{
    Step,         // step() / stepBack() moved one position
    Reached,      // runTo() / seek() got to its target
    Start,        // at position 0: nothing before
    End,          // at the last position: nothing after
    Breakpoint,   // a breakpoint holds at the new position
    Divergence,   // the step just replayed diverges
    HashMismatch, // the step just replayed does not verify
};
const char* stopReasonName(StopReason reason);

struct StopInfo
{
    StopReason reason = StopReason::Step;
    std::size_t position = 0;
    std::vector<int> breakpoints; // the breakpoints that hold (reason Breakpoint)
    std::string detail;           // a sentence for the status bar
};

class ReplaySession
{
public:
    // Checks routing against `graph`, or the recording's own graph when none
    // is given (routing cannot be checked at all when it has none either).
    explicit ReplaySession(Recording recording, std::optional<Graph> graph = std::nullopt,
                           ReplayOptions options = {});

    const Recording& recording() const { return recording_; }
    // The build was cancelled through ReplayOptions::progress: the steps and
    // the report are incomplete (the report has a "cancelled" problem).
    bool cancelled() const { return cancelled_; }
    const Graph* graph() const { return graph_ ? &*graph_ : nullptr; }

    // --- navigation: positions 0 .. size() ---
    std::size_t size() const { return steps_.size(); }
    std::size_t position() const { return position_; }
    StopInfo step();     // one step forward
    StopInfo stepBack(); // one step back
    // Forward until a breakpoint, a divergence or hash mismatch (per the
    // options) or the end; always moves at least one step.
    StopInfo continueForward();
    // Run to cursor: forward to `target`, stopping early where continue
    // would; backwards (or to the current position) it jumps.
    StopInfo runTo(std::size_t target);
    // Jumps to `target` (clamped), no stops.
    StopInfo seek(std::size_t target);

    // --- breakpoints; ids are unique per session ---
    int addBreakpointBefore(const std::string& node);
    int addBreakpointAfter(const std::string& node);
    // A condition in Condition.h's syntax, e.g. {"path": "/attempts", "op": ">=", "value": 2}.
    Result<int> addBreakpointWhen(const nlohmann::json& condition);
    bool removeBreakpoint(int id);
    bool setBreakpointEnabled(int id, bool enabled);
    const std::vector<Breakpoint>& breakpoints() const { return breakpoints_; }
    // The enabled breakpoints that hold at a position (as continue checks them).
    std::vector<int> breakpointsAt(std::size_t position) const;

    // --- what the debugger shows ---
    JsonPtr state() const { return stateAt(position_); }
    JsonPtr stateAt(std::size_t position) const; // replayed; null when unknown
    // The step that led to the current position (null at 0) and the one about
    // to run (null at the end).
    // The state after the last step and the updates recorded after it
    // (GRAPH_END's StateDiff); null when unknown.
    JsonPtr finalState() const { return finalState_; }
    const ReplayStep* lastStep() const;
    const ReplayStep* nextStep() const;
    const std::vector<ReplayStep>& steps() const { return steps_; }
    const ReplayReport& report() const { return report_; }

    // True where a fork may start: position 0 or the end of a super-step (not
    // between the branches of a parallel fan-out).
    bool isStepBoundary(std::size_t position) const;

private:
    bool progressed(std::size_t done); // false once cancelled
    void analyse();
    void checkRouting();
    void checkNode(std::size_t index, const JsonPtr& routing);
    void checkStep(std::size_t first, std::size_t last, const JsonPtr& routing);
    void addDivergence(std::size_t index, DivergenceKind kind, std::string reason,
                       std::vector<std::string> recorded, std::vector<std::string> expected);
    StopInfo stopsAt(std::size_t position) const;

    Recording recording_;
    std::optional<Graph> graph_;
    ReplayOptions options_;
    std::vector<ReplayStep> steps_;
    JsonPtr finalState_;
    ReplayReport report_;
    std::size_t position_ = 0;
    std::vector<Breakpoint> breakpoints_;
    int nextBreakpointId_ = 1;
    bool cancelled_ = false;
    std::size_t nextProgress_ = 0;
};

// The report as JSON, for nexusctl and the console: the summary, every step
// (node, super-step, visit, hashes and verdicts, recorded / expected next,
// route verdict), divergences and problems. States are left out unless asked.
nlohmann::json replayReportJson(const ReplaySession& session, bool withStates = false);

} // namespace nexus::runtime
