#pragma once
// A recorded run, read back from its DashStream messages (a .dstrace file,
// a Nexus trace download, a MemorySink): the graph GRAPH_START described,
// the initial state, and every node execution in order with the state
// before and after it, rebuilt from the StateDiffs (DASHSTREAM.md §4) and
// checked against each recorded state_hash. The replay / fork engine
// (runtime/Replay.h, runtime/Fork.h) and the console's debugger read this.
//
// Nothing in the input can make reading fail: a record that does not decode,
// a truncated file, a patch that does not apply become Problems (with the
// record index and byte offset) and everything readable is kept.
//
// Positions and steps: execution i (0-based) is "step i + 1"; position p is
// the state after p steps (position 0 = the initial state).

#include "protocol/Messages.h"
#include "protocol/StateOps.h"
#include "runtime/Graph.h"
#include "runtime/Progress.h"
#include "runtime/RuntimeError.h"

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nexus::runtime {

namespace ds = protocol::ds;

// States are shared between executions (one execution's state after is
// often the next one's state before) and never mutated once built.
using JsonPtr = std::shared_ptr<const nlohmann::json>;

// How a recorded state step checks out.
enum class StepVerdict
{
    Verified,   // the rebuilt state's canonical SHA-256 equals the recorded state_hash
    Mismatch,   // it does not: the rebuilt state differs from the producer's
    Unverified, // no hash to compare with (no StateDiff for the node, or one without a hash)
    NotApplied, // the recorded diff could not be applied (no base state, bad patch)
};
const char*
stepVerdictName(StepVerdict verdict); // "verified", "mismatch", "unverified", "not_applied"

// A bad record or an inconsistency, in terms a person can act on.
struct RecordingProblem
{
    std::uint64_t record = 0; // index of the record (message) in the input
    std::uint64_t offset = 0; // byte offset of the record in the file (0 for messages)
    bool hasOffset = false;   // false when read from decoded messages
    std::string code;         // "truncated_file", "protobuf_invalid", "patch_failed", ...
    std::string message;
};

// A state change recorded between node executions: a human's answer at an
// interrupt (the StateDiff before HUMAN_RESUME) or any other diff outside a node.
struct RecordedUpdate
{
    std::uint64_t record = 0;
    nlohmann::json patch = nlohmann::json::array(); // RFC 6902, from the state before it
    std::string recordedHash;                       // 32 raw bytes; empty when none
    StepVerdict verdict = StepVerdict::Unverified;
    // Came after an "after" interrupt and before the edges: the previous
    // step's nodes routed on the state with this update applied.
    bool beforeRouting = false;
};

// Where the recording says the run went after a node.
enum class NextSource
{
    Edges,         // EDGE_TRAVERSAL / CONDITIONAL_BRANCH events with our "to" attribute
    NextNodeStart, // no targets recorded (DashFlow): the nodes of the next step
    RunEnd,        // the run ended after this node's step (GRAPH_END)
    Unknown,       // the recording stops here (truncated, failed or still running)
};
const char* nextSourceName(NextSource source); // "edges", "next_node_start", "run_end", "unknown"

struct RecordedExecution
{
    // In Recording::executions; step = index + 1. The branches of a parallel
    // step are in the order they ended (their StateDiffs chain in that order).
    std::size_t index = 0;
    std::string node;           // NODE_START's node_id
    std::int64_t superStep = 1; // executor step; the branches of a parallel fan-out share one
    std::int64_t visit = 1;     // 1 the first time this node ran in the run
    bool parallel = false;      // part of a PARALLEL_START .. PARALLEL_END step
    std::uint64_t startRecord = 0;
    std::int64_t startUs = 0;    // NODE_START timestamp
    std::int64_t endUs = 0;      // NODE_END / NODE_ERROR timestamp; 0 when none came
    std::int64_t durationUs = 0; // NODE_END duration_us

    std::vector<RecordedUpdate> updatesBefore; // applied between the previous step and this one
    JsonPtr stateBefore;  // the state the node ran on (a parallel branch: the fan-out state)
    JsonPtr stateAfter;   // after its StateDiff (a parallel branch: merged with the branches
                          // finished before it, as DashFlow reports it)
    JsonPtr routingState; // the state its outgoing edges were chosen on
    // The node's recorded output: the RFC 6902 patch its StateDiff applied, from
    // the state just before that StateDiff (for a parallel branch: the merge so
    // far) to stateAfter; [] when the node sent no StateDiff.
    nlohmann::json output = nlohmann::json::array();
    bool hasStateDiff = false;
    bool fullState = false;   // the StateDiff carried full_state (output is then a diff of it)
    std::string recordedHash; // 32 raw bytes; empty when none
    StepVerdict verdict = StepVerdict::Unverified;

    std::vector<std::string> next;        // targets, or the next step's nodes (see nextSource)
    std::vector<std::string> routeLabels; // condition_result of conditional branches taken
    NextSource nextSource = NextSource::Unknown;

    bool finished = false; // NODE_END seen
    bool failed = false;   // NODE_ERROR seen
    std::string error;

    // From the node's Metrics message, when it sent one.
    std::int64_t promptTokens = 0;
    std::int64_t completionTokens = 0;
    double costUsd = 0;
    std::string model;
};

// One run of the input (a thread id; a thread with several GRAPH_STARTs has
// several runs).
struct RecordedRunRef
{
    std::string threadId;
    std::size_t runIndex = 0; // 0 = the thread's first run
    std::string graphName;
    std::int64_t startUs = 0;
    std::uint64_t messages = 0;
    bool hasGraphStart = false;
};

enum class RecordingStatus
{
    Completed,  // GRAPH_END seen
    Failed,     // a NODE_ERROR or a fatal Error message, no GRAPH_END
    Incomplete, // neither: truncated, interrupted for good, or still running
};
const char* recordingStatusName(RecordingStatus status); // "completed", "failed", "incomplete"

struct RecordingOptions
{
    std::string threadId;     // empty: the first run in the input
    std::size_t runIndex = 0; // which run of that thread
    std::size_t maxStateBytes = protocol::kDefaultMaxStateBytes;
    std::uint32_t maxRecordBytes = 10 * 1024 * 1024 + 1; // .dstrace records above are skipped
    // Called while the selected run's messages are read (Progress.h);
    // returning false stops reading: the recording is then `cancelled`.
    ProgressFn progress;
};

struct Recording
{
    std::string source; // file path or "messages"
    std::string threadId;
    std::size_t runIndex = 0;
    std::vector<RecordedRunRef> runs; // every run in the input, in order of first message

    // From GRAPH_START: the graph (DashFlow's shapes: no scripts, no
    // conditions), or why there is none.
    std::optional<Graph> graph;
    std::string graphError;
    std::string schemaId;
    std::map<std::string, std::string> attributes; // GRAPH_START string attributes

    JsonPtr initialState;
    std::int64_t startUs = 0;
    std::vector<RecordedExecution> executions;
    std::vector<RecordedUpdate> finalUpdates; // diffs after the last node (GRAPH_END's)
    JsonPtr finalState;
    std::int64_t endUs = 0;
    std::int64_t durationUs = 0; // GRAPH_END duration_us

    RecordingStatus status = RecordingStatus::Incomplete;
    std::string failedNode;
    std::string error; // the failure, as the run reported it

    std::vector<RecordingProblem> problems;
    bool cancelled = false;       // options.progress stopped the reading: the recording is partial
    std::uint64_t records = 0;    // records / messages read, the selected run's and others'
    std::uint64_t badRecords = 0; // records that could not be decoded
    std::uint64_t duplicates = 0; // messages skipped by message_id

    // The state at a position (0..executions.size()); null when unknown.
    JsonPtr stateAt(std::size_t position) const;
    // The thread ids of the other runs, for "this file also holds ...".
    std::vector<std::string> otherThreads() const;
};

// From decoded messages, in their order (duplicates by message_id skipped).
Recording readRecording(const std::vector<ds::DashStreamMessage>& messages,
                        const RecordingOptions& options = {});
// From a .dstrace stream / file. The file is an error only when it cannot be
// opened or holds no readable record at all; the message then says why.
Recording readRecording(std::istream& in, const RecordingOptions& options = {});
Result<Recording> readRecordingFile(const std::string& path, const RecordingOptions& options = {});

} // namespace nexus::runtime
