#pragma once
// The console's store of live and recent runs (DESIGN.md §2-3): decoded
// DashStream messages in, per-run event logs, node spans, taken edges, state
// at any step and integrity out. Plain C++ (no QObject): the GUI thread owns
// it and feeds it whole batches; RunListModel and the run views read it.
//
// Run identity: the run key is the thread_id (DASHSTREAM.md §5.3). A
// GRAPH_START on a thread whose current run already started one begins a new
// run of that thread (ordinal 2, 3, ...), as a reused DashFlow callback does.
// Messages go to the newest run of their thread.
//
// Steps: every applied message is one step (an EventBatch is expanded into
// its inner events, one step each), in arrival order. The cursor of the
// views is a step index. Duplicates by message_id (the last dedupeCapacity
// ids; inner events of a batch by their own ids too) are dropped and
// counted; messages without a thread_id are counted and not kept.
//
// Status: GRAPH_END -> Completed (Error if a NODE_ERROR was seen), GRAPH_ERROR
// or a FATAL Error message -> Error. expire(): a Running run quiet (by the
// wall clock of the applies that touched it) for staleAfterErrorUs after a
// NODE_ERROR, or for staleAfterQuietUs at all, becomes Stale; a message for
// a Stale run makes it Running again.
//
// Edges: EDGE_TRAVERSAL / CONDITIONAL_BRANCH name the source only upstream.
// With our "to" attribute the edge is taken as sent; without it the target is
// inferred from the next NODE_START (one edge per source and start, checked
// against the graph when there is one); with no edge event at all, from the
// finished nodes the graph links to the next NODE_START; leftovers at
// GRAPH_END go to "__end__" when the graph has that edge.
//
// State (DASHSTREAM.md §4): GRAPH_START's initial_state_json is the base;
// each StateDiff is applied as nlohmann's json::patch applies it, in order
// (add / remove / replace directly in place, anything else through
// json::patch itself; protocol::applyStateDiffInPlace), or its full_state
// replaces the state; a Checkpoint replaces it (zstd state decompressed when
// compression_info says so, its checksum checked). Every StateDiff with a
// state_hash is verified against the canonical-JSON SHA-256; while a run is
// running its state's canonical text is kept in parts, so that a patch
// re-serialises only what it touched (protocol::StateHashCache).
// State at any step = nearest snapshot at or before it + the stored patches
// after it; snapshots every `snapshotInterval` state steps and at every full
// state / checkpoint, so time travel costs at most that many patches.
//
// Integrity (shown, never hidden): a sequence gap or a repeated / older
// sequence on the run's ordered stream (graph/node/edge events, StateDiffs,
// Checkpoints; NodeContext-style messages - progress events, TokenChunk,
// ToolExecution, Metrics, Error - keep their own counters upstream and
// are not judged), a patch that does not apply, a hash mismatch, an unknown
// base checkpoint or a missing base state each add an IntegrityIssue and
// mark the run's state corrupted from that step.
//   - Sequence numbers: every sequence seen on any message of the run is
//     remembered (as intervals); an ordered message S above the highest
//     ordered sequence M + 1 reports the numbers in (M, S) that no message
//     carried as a gap. S <= M is a duplicate (an ordered message had it) or
//     a reorder. Never requires GRAPH_START to be 1 (reused callbacks).
//   - A patch that failed, a hash mismatch, a missing base, an invalid full
//     state: later patches are not applied (the state shown is the last good
//     one, flagged) until a full_state, Checkpoint or GRAPH_START heals it.
//   - A sequence problem or an unknown base checkpoint only flag the stretch:
//     patches are still applied (DashFlow's patches are relative to the
//     previous StateDiff, never to the checkpoint, DASHSTREAM.md §4.1) and
//     the next StateDiff whose state_hash verifies heals it, since the hash
//     proves the state. A lost StateDiff therefore shows as a gap, then as a
//     hash mismatch / failed patch at the next StateDiff.
//   - A Checkpoint whose checksum differs or that does not decode is not
//     applied; it changes nothing else (ChecksumMismatch / InvalidState).
//
// Tokens: a node's Metrics (scope "node") are authoritative. TokenChunk
// stats (per request_id) count until node Metrics with token values arrive;
// those claim the request with the same token counts (the span's own first:
// a parallel interleave may have put its chunks on another span), else all
// of that span's requests, and replace them in span and run totals. Chunk
// stats for a span that already has Metrics tokens are ignored. Cost comes
// from Metrics only. TokenChunk / ToolExecution carry no node: they go to the
// span their request / call id first went to, else the newest open span.
//
// Caps: beyond maxRuns the oldest finished run is evicted (the oldest
// running one if all run). Beyond maxStepsPerRun a run keeps no more steps:
// later messages still update its status, node counts, Metrics totals and
// `current` state (no spans, edges or state steps), are counted in
// droppedSteps, and one StepCapReached issue says so. Steps are never dropped
// from the front, so step indices stay stable (evictedSteps stays 0).

#include "protocol/Messages.h"
#include "runtime/Graph.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nexus::models {

namespace ds = protocol::ds;
using json = nlohmann::json;

enum class RunStatus
{
    Running,
    Completed, // GRAPH_END
    Error,     // GRAPH_ERROR, a FATAL Error message, or GRAPH_END after a NODE_ERROR
    Stale,     // no end and quiet for longer than the stale timeout
};
const char* runStatusName(RunStatus status); // "running", "completed", "error", "stale"

enum class NodeState
{
    Pending,
    Active,
    Done,
    Error,
};
const char* nodeStateName(NodeState state);

// What one step is.
enum class StepKind : std::uint8_t
{
    GraphStart,
    GraphEnd,
    GraphError,
    NodeStart,
    NodeEnd,
    NodeError,
    Edge,        // EDGE_TRAVERSAL or CONDITIONAL_BRANCH
    Parallel,    // PARALLEL_START / PARALLEL_END
    NodeContext, // NODE_PROGRESS / THINKING / SUBSTEP / WARNING
    OtherEvent,  // any other event type
    StateDiff,
    Checkpoint,
    TokenChunk,
    ToolExecution,
    Metrics,
    Error,
    ExecutionTrace,
};
const char* stepKindName(StepKind kind);

inline constexpr std::uint32_t kNoIndex = 0xffffffffu;

struct Step
{
    std::int64_t timestampUs = 0;
    std::uint64_t sequence = 0; // 0 = unsequenced
    std::int64_t durationUs = 0;
    StepKind kind = StepKind::OtherEvent;
    std::int32_t eventType = 0;         // ds::EventType for events, else 0
    std::uint32_t node = kNoIndex;      // index into Run::strings (node, scope id)
    std::uint32_t detail = kNoIndex;    // index into Run::strings: one line, plain text
    std::uint32_t stateStep = kNoIndex; // index into Run::stateSteps when this step set state
};

enum class StateSource : std::uint8_t
{
    Initial,    // GRAPH_START initial_state_json
    Patch,      // StateDiff operations
    FullState,  // StateDiff full_state
    Checkpoint, // Checkpoint state
};

enum class StateVerdict : std::uint8_t
{
    Verified,    // hash (or checksum) present and equal
    Unverified,  // applied, nothing to verify against
    Mismatch,    // applied, hash differs
    PatchFailed, // not applied: an operation failed
    Skipped,     // not applied: the run was corrupted / had no base
    Invalid,     // not applied: full state / checkpoint did not parse
};
const char* stateVerdictName(StateVerdict verdict);

struct StateStep
{
    std::uint32_t step = 0; // index into Run::steps
    StateSource source = StateSource::Patch;
    StateVerdict verdict = StateVerdict::Unverified;
    // The RFC 6902 patch this step applied (JSON array text, values as they
    // came on the wire); for full state / checkpoint / initial: empty (a
    // snapshot holds the state).
    std::string patch;
};

enum class IssueKind : std::uint8_t
{
    SequenceGap,
    SequenceDuplicate,
    SequenceReordered,
    PatchFailed,
    HashMismatch,
    UnknownBaseCheckpoint,
    NoBaseState,  // a patch arrived and the run has no state to apply it to
    InvalidState, // initial / full state / checkpoint did not parse or is over the limit
    ChecksumMismatch,
    SchemaVersion,  // header schema_version above the supported one
    Healed,         // a full state / checkpoint / GRAPH_START ended a corrupted stretch
    StepCapReached, // maxStepsPerRun reached: later steps are not kept (not a corruption)
};
const char* issueKindName(IssueKind kind);

struct IntegrityIssue
{
    std::uint32_t step = 0;
    IssueKind kind = IssueKind::SequenceGap;
    std::string message; // one sentence, plain text
};

struct ToolCallInfo
{
    std::string callId;
    std::string name;
    std::string stage;     // "requested", "started", "completed", "failed", "retrying"
    std::string arguments; // JSON text as received (bounded)
    std::string result;    // JSON text as received (bounded)
    std::string error;
    std::int64_t durationUs = 0;
    std::uint32_t step = 0; // last step that updated it
};

// One execution of a node (a span on the timeline).
struct NodeSpan
{
    std::string node;
    std::uint32_t startStep = kNoIndex; // NODE_START
    std::uint32_t endStep = kNoIndex;   // NODE_END / NODE_ERROR; kNoIndex while active
    std::int64_t startUs = 0;
    std::int64_t endUs = 0;      // 0 while active
    std::int64_t durationUs = 0; // Event.duration_us of NODE_END (the field, not timestamps)
    NodeState state = NodeState::Active;
    int lane = 0;  // row on the timeline: parallel spans get their own lanes
    int visit = 1; // 1 for the first execution of this node in the run
    std::string error;
    std::optional<std::int64_t> configVersion;
    std::string configHash;
    std::int64_t promptTokens = 0, completionTokens = 0;
    double costUsd = 0;
    bool tokensFromMetrics = false; // node Metrics gave the tokens (chunk stats no longer count)
    std::int64_t chunkPromptTokens = 0, chunkCompletionTokens = 0; // counted from TokenChunk stats
    std::string model;
    std::string tokenText; // TokenChunk text assembled in chunk order (bounded)
    std::vector<ToolCallInfo> tools;
    std::map<std::string, std::string> attributes; // NODE_START/END attributes, as text
};

struct TakenEdge
{
    std::string from;
    std::string to;
    std::uint32_t step = 0; // the step that showed it was taken
    bool inferred = false;  // from the next NODE_START, not a "to" attribute
    bool conditional = false;
    std::string conditionResult; // our "condition_result" attribute, when present
};

struct Run
{
    std::uint64_t id = 0; // unique in the store, never reused
    std::string threadId;
    int ordinal = 1; // 2, 3, ... for later GRAPH_STARTs on the same thread
    std::string tenantId;
    std::string graphName;  // "" until known
    std::string instanceId; // GRAPH_START instance_id attribute, "" when absent
    std::string schemaId;
    std::shared_ptr<const runtime::Graph> graph; // null when no usable schema arrived
    std::string graphSource;                     // "graph_schema_json" / "graph_manifest" / ""
    std::string graphProblem; // why there is no graph (oversize, did not parse, no GRAPH_START;
                              // at most 1 KiB, then "… [truncated: N bytes]")
    std::map<std::string, std::string> startAttributes; // other GRAPH_START attributes, as text

    RunStatus status = RunStatus::Running;
    bool sawGraphStart = false;
    std::int64_t startUs = 0;        // GRAPH_START, else first step
    std::int64_t endUs = 0;          // GRAPH_END / failure; 0 while running
    std::int64_t lastUs = 0;         // newest step timestamp
    std::int64_t lastSeenWallUs = 0; // wall clock of the last apply (for stale)
    std::int64_t durationUs = 0;     // GRAPH_END's duration field when present
    int nodesDone = 0;
    std::int64_t tokens = 0;
    double costUsd = 0;
    std::string failedNode; // NODE_ERROR's node, if any
    std::string errorText;

    std::vector<Step> steps;
    std::vector<std::string> strings; // interned node names and step details
    std::vector<NodeSpan> spans;
    std::vector<TakenEdge> edges;
    std::vector<StateStep> stateSteps;
    std::vector<IntegrityIssue> issues;
    bool corrupted = false;                  // right now
    std::uint32_t corruptedSince = kNoIndex; // step where the current corrupted stretch began
    std::uint64_t evictedSteps = 0; // dropped from the front (never, with the current cap rule)
    std::uint64_t droppedSteps = 0; // arrived after maxStepsPerRun: not kept as steps

    // The interned text at `index`; "" for kNoIndex.
    const std::string& string(std::uint32_t index) const
    {
        static const std::string empty;
        return index < strings.size() ? strings[index] : empty;
    }
    std::uint32_t intern(std::string_view text)
    {
        constexpr std::size_t kScanLimit = 32; // below it a scan beats hashing
        if (internIndex.empty()) {
            for (std::size_t i = 0; i < strings.size(); ++i)
                if (strings[i] == text)
                    return std::uint32_t(i);
            if (strings.size() >= kScanLimit)
                for (std::size_t i = 0; i < strings.size(); ++i)
                    internIndex.emplace(strings[i], std::uint32_t(i));
        } else if (auto it = internIndex.find(text); it != internIndex.end()) {
            return it->second; // heterogeneous: no std::string made to look up
        }
        if (strings.size() == strings.capacity())
            strings.reserve(std::max<std::size_t>(8, 2 * strings.size()));
        strings.emplace_back(text);
        auto index = std::uint32_t(strings.size() - 1);
        if (!internIndex.empty())
            internIndex.emplace(strings.back(), index);
        return index;
    }
    // Per node name: the state of its latest span at or before `step`
    // (Pending when it has none), for the canvas.
    std::map<std::string, NodeState> nodeStatesAt(std::uint32_t step) const;
    // Taken edges shown by steps at or before `step`.
    std::vector<TakenEdge> edgesAt(std::uint32_t step) const;

    // Internals of state reconstruction (RunStore.cpp).
    std::map<std::uint32_t, std::shared_ptr<const json>> snapshots; // by state step
    std::shared_ptr<const json> current; // state after the newest applied state step
    // Corrupted stretches as [first step, healing step); the last one is open
    // (kNoIndex) while the run is corrupted. In step order.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> corruptedStretches;
    std::unordered_map<std::string, std::string>
        checkpoints; // known checkpoint ids -> "" / reason invalid
    struct TextHash  // lets internIndex be searched with a string_view
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept
        {
            return std::hash<std::string_view>{}(text);
        }
    };
    // Built once `strings` outgrows a short scan.
    std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> internIndex;
};

// The state at a step, for the state tree.
struct StateAt
{
    std::shared_ptr<const json> state;  // null when the run has no state at that step
    std::uint32_t stateStep = kNoIndex; // the state step that produced it
    bool corrupted = false;             // the step lies in a corrupted stretch
    StateVerdict verdict = StateVerdict::Unverified;
};

enum class ChangeKind : std::uint8_t
{
    Added,
    Removed,
    Changed,
};

struct PathChange
{
    ChangeKind kind = ChangeKind::Changed;
    std::string path; // JSON Pointer
    json before;      // null for Added
    json after;       // null for Removed
};

// json::diff(a, b) as PathChanges (before = a's value, after = b's); array
// appends get their index instead of "-". At most `limit` changes.
std::vector<PathChange> diffJson(const json& a, const json& b, std::size_t limit = SIZE_MAX);

struct SchemaObservation
{
    std::string schemaId;
    std::uint64_t firstRunId = 0;
    std::int64_t firstSeenUs = 0;
    std::int64_t lastSeenUs = 0;
    std::uint64_t runs = 0;
    std::shared_ptr<const runtime::Graph> graph;
};

struct RunStoreLimits
{
    std::size_t maxRuns = 500;                    // oldest finished runs evicted first
    std::size_t maxStepsPerRun = 200'000;         // later steps of a run not kept beyond it
    std::size_t dedupeCapacity = 262'144;         // message ids remembered (about 60 bytes each)
    std::uint32_t snapshotInterval = 64;          // state steps between snapshots
    std::size_t maxStateBytes = 10 * 1024 * 1024; // initial / full / checkpoint state JSON
    std::size_t maxSchemaBytes = 2 * 1024 * 1024; // graph_schema_json / manifest text
    // Token text / tool args kept per item; attribute values and error texts
    // beyond it are cut and end in "… [truncated: N bytes]".
    std::size_t maxTextBytes = 64 * 1024;
    std::int64_t staleAfterErrorUs = 30'000'000;  // NODE_ERROR and no end for this long
    std::int64_t staleAfterQuietUs = 300'000'000; // no message at all for this long
};

// What one apply() changed, for the Qt models.
struct ApplyResult
{
    std::vector<std::uint64_t> added;       // new run ids, in creation order
    std::vector<std::uint64_t> updated;     // existing runs that changed (no duplicates)
    std::vector<std::uint64_t> removed;     // evicted run ids
    std::vector<std::string> schemaChanges; // graph names whose schema id changed
};

class RunStore
{
public:
    explicit RunStore(RunStoreLimits limits = {});
    ~RunStore();

    // Applies decoded messages in order (duplicates by message_id dropped).
    // `wallUs` is the wall clock used for staleness.
    ApplyResult apply(const std::vector<const ds::DashStreamMessage*>& messages,
                      std::int64_t wallUs);
    ApplyResult apply(const ds::DashStreamMessage& message, std::int64_t wallUs);
    // Marks runs stale whose last message is older than the limits allow.
    ApplyResult expire(std::int64_t wallUs);
    void clear();
    // Forgets one run (a trace the user closed); `removed` names it when it
    // was there. Its thread's next message starts a new run.
    ApplyResult remove(std::uint64_t runId);

    // Runs in creation order (oldest first). Pointers stay valid until the
    // run is evicted or clear() is called.
    std::vector<const Run*> runs() const;
    const Run* run(std::uint64_t id) const;
    // The newest run of a thread.
    const Run* runForThread(std::string_view threadId) const;
    std::size_t size() const;

    StateAt stateAt(const Run& run, std::uint32_t step) const;
    // What the state step at or before `step` changed, relative to the state
    // before it (empty when that step set no state).
    std::vector<PathChange> changesAt(const Run& run, std::uint32_t step) const;

    // Per graph name: every schema id seen, oldest first.
    const std::map<std::string, std::vector<SchemaObservation>>& schemaHistory() const;

    const RunStoreLimits& limits() const;
    std::uint64_t duplicates() const; // dropped by message_id
    std::uint64_t unthreaded() const; // messages without a thread_id (not kept)

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace nexus::models
