#pragma once
// Two runs side by side (like Jaeger's trace comparison): their node paths
// aligned, per-node deltas, state differences at matching steps and the
// first point where they diverge. Plain C++ over two Runs; a one-shot result.
//
// Alignment: each run's node executions (spans) in start order, where the
// spans of a parallel stage (spans whose lifetimes overlap) are put in node
// name order, so branches that merely finished in another order still
// match. The two sequences are aligned by node name with a longest common
// subsequence (common prefix and suffix first; the middle by dynamic
// programming up to kMaxLcsCells cells, beyond that greedily, flagged
// `approximate`). Rows in path order:
//   Same     - the node ran in both, with the same outcome and the same state
//              after it;
//   Changed  - it ran in both, but the state after it or its outcome
//              (done / error / still running) differs;
//   OnlyA / OnlyB - it ran in one run only (a branch the other did not take).
// A node taken instead of another is an OnlyA row followed by an OnlyB row.
//
// State after a node: the state at its NODE_END / NODE_ERROR step (the
// StateDiff precedes NODE_END). Its differences are json::diff(A, B) as
// PathChanges: before = A's value, after = B's value (Added = only in B,
// Removed = only in A). In a parallel stage that state includes whatever the
// sibling branches had written by then.
//
// Deltas are always B - A.

#include "models/RunStore.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nexus::models {

enum class AlignKind : std::uint8_t
{
    Same,
    OnlyA,
    OnlyB,
    Changed,
};
const char* alignKindName(AlignKind kind); // "same", "only in A", "only in B", "changed"

struct AlignedRow
{
    AlignKind kind = AlignKind::Same;
    std::string node;
    int spanA = -1; // index into A's Run::spans, -1 for OnlyB
    int spanB = -1;
    int visitA = 0, visitB = 0;
    bool parallelA = false, parallelB = false;        // ran in a parallel stage
    std::uint32_t stepA = kNoIndex, stepB = kNoIndex; // NODE_END (NODE_START while running)
    std::int64_t durationA = 0, durationB = 0;
    std::int64_t tokensA = 0, tokensB = 0;
    double costA = 0, costB = 0;
    NodeState stateA = NodeState::Pending, stateB = NodeState::Pending;
    // Matched rows only.
    bool stateCompared = false; // both had a state after the node
    bool stateDiffers = false;
    bool outcomeDiffers = false;
    std::vector<PathChange> stateChanges; // at most kMaxChangesPerRow
    std::size_t stateChangeCount = 0;     // all of them

    bool matched() const { return spanA >= 0 && spanB >= 0; }
    std::int64_t durationDelta() const { return durationB - durationA; }
    std::int64_t tokenDelta() const { return tokensB - tokensA; }
    double costDelta() const { return costB - costA; }
};

// Per node name, across all its visits.
struct NodeDelta
{
    std::string node;
    int visitsA = 0, visitsB = 0;
    std::int64_t durationA = 0, durationB = 0;
    std::int64_t tokensA = 0, tokensB = 0;
    double costA = 0, costB = 0;

    std::int64_t durationDelta() const { return durationB - durationA; }
    std::int64_t tokenDelta() const { return tokensB - tokensA; }
    double costDelta() const { return costB - costA; }
};

// (b - a) / a as a fraction; nullopt when a is 0 (no base to compare with).
std::optional<double> percentChange(double a, double b);

struct TraceSide
{
    std::uint64_t runId = 0;
    std::string threadId;
    int ordinal = 1;
    std::string graphName;
    RunStatus status = RunStatus::Running;
    std::int64_t durationUs = 0; // runDurationUs()
    std::int64_t tokens = 0;
    double costUsd = 0;
    int nodeCount = 0; // node executions (spans)
};

struct Divergence
{
    int row = -1;                                     // into TraceComparison::rows
    std::string explanation;                          // one line, plain text
    std::uint32_t stepA = kNoIndex, stepB = kNoIndex; // where to look in each run
};

struct TraceComparison
{
    static constexpr std::size_t kMaxLcsCells = 4'000'000;
    static constexpr std::size_t kMaxChangesPerRow = 500;

    TraceSide a, b;
    std::vector<AlignedRow> rows;
    std::vector<NodeDelta> nodes;         // A's first-execution order, then nodes only B ran
    std::optional<Divergence> divergence; // none when path and states agree throughout
    bool approximate = false;             // aligned greedily (too long for the LCS)

    int count(AlignKind kind) const;
    std::int64_t durationDelta() const { return b.durationUs - a.durationUs; }
    std::int64_t tokenDelta() const { return b.tokens - a.tokens; }
    double costDelta() const { return b.costUsd - a.costUsd; }
    int nodeCountDelta() const { return b.nodeCount - a.nodeCount; }
};

// Runs of one store.
TraceComparison compareTraces(const RunStore& store, const Run& a, const Run& b);
// Runs of two stores (each run's state comes from its own store).
TraceComparison compareTraces(const RunStore& storeA, const Run& a, const RunStore& storeB,
                              const Run& b);

// The node executions of a run in alignment order (indices into Run::spans),
// with whether each ran in a parallel stage.
struct PathEntry
{
    int span = -1;
    bool parallel = false;
};
std::vector<PathEntry> alignmentPath(const Run& run);

} // namespace nexus::models
