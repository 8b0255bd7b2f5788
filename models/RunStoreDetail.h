#pragma once
// Internals of RunStore shared by RunStore.cpp (messages, spans, edges,
// sequences) and RunStoreState.cpp (state reconstruction). Not for views.

#include "models/RunStore.h"
#include "protocol/CanonicalJson.h"
#include "protocol/Dedupe.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace nexus::models::detail {

// A set of 64-bit numbers as sorted, disjoint, non-touching closed
// intervals: a run's sequences are mostly consecutive, so this stays tiny.
class IntervalSet
{
public:
    bool contains(std::uint64_t value) const;
    void insert(std::uint64_t value);
    // How many numbers of [lo, hi] are not in the set; the first and last of them.
    std::uint64_t missingIn(std::uint64_t lo, std::uint64_t hi, std::uint64_t& first,
                            std::uint64_t& last) const;
    std::size_t intervals() const { return ranges_.size(); }

private:
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
};

struct StateTracking
{
    bool blocked = false; // patches are skipped until a full state / checkpoint / GRAPH_START
    bool noBaseReported = false;
    std::string lastUnknownBase;
    // The canonical text of `current` in parts, for its hash: told about
    // every patch applied to it, reset whenever it is replaced.
    protocol::StateHashCache hashes;
};

// Adds an issue without touching the corrupted flag.
void addIssue(Run& run, std::uint32_t step, IssueKind kind, std::string message);
// Adds the issue and opens a corrupted stretch at `step` unless one is open;
// `blocking` also stops patches from being applied.
void corrupt(Run& run, StateTracking& state, std::uint32_t step, IssueKind kind,
             std::string message, bool blocking);
// Ends the open corrupted stretch (Healed issue), if any.
void heal(Run& run, StateTracking& state, std::uint32_t step, const std::string& how);

// State steps. `keep` is false beyond the step cap: `current` follows, and
// nothing is recorded (issues go to `step`, the last kept one).
void applyInitialState(Run& run, StateTracking& state, std::uint32_t step, std::string_view text,
                       const RunStoreLimits& limits, bool keep);
void applyStateDiff(Run& run, StateTracking& state, std::uint32_t step, const ds::StateDiff& diff,
                    const RunStoreLimits& limits, bool keep);
void applyCheckpoint(Run& run, StateTracking& state, std::uint32_t step,
                     const ds::Checkpoint& checkpoint, const RunStoreLimits& limits, bool keep);

StateAt stateAt(const Run& run, std::uint32_t step);
std::vector<PathChange> changesAt(const Run& run, std::uint32_t step);

// Before appending to a vector of a run: grows it to at least `minimum`
// elements at once, then doubles. A run's vectors start empty (most runs
// never use some of them) and this spares the 1, 2, 4... reallocations of
// the ones that fill.
template <class Vector> void makeRoom(Vector& v, std::size_t minimum)
{
    if (v.size() == v.capacity())
        v.reserve(std::max(minimum, 2 * v.size()));
}

// Text helpers shared by the RunStore sources.
inline constexpr std::size_t kMaxDetailBytes = 200;   // one-line step details
inline constexpr std::size_t kMaxProblemBytes = 1024; // Run::graphProblem
std::string num(std::uint64_t value);
void appendNum(std::string& out, std::uint64_t value); // decimal, no temporary
// Appends without passing `limit` bytes or cutting a UTF-8 sequence.
void appendBounded(std::string& out, std::string_view text, std::size_t limit);
std::string bounded(std::string_view text, std::size_t limit);
// The longest prefix of `text` of at most `limit` bytes that does not cut a
// UTF-8 sequence (what bounded() copies).
std::string_view boundedView(std::string_view text, std::size_t limit);
std::string attributeText(const ds::AttributeValue& value); // strings as is, others as JSON
// Outside text a run keeps (attribute values, errors): up to `limit` bytes,
// cut on a UTF-8 boundary and marked "… [truncated: N bytes]" when longer.
std::string keptText(std::string text, std::size_t limit);
std::string attribute(const ds::Event& event, std::string_view key);
std::string attributeSummary(const ds::Event& event); // "key=value, ..." in key order

struct PendingEdge // an edge event without a target (DashFlow sends none)
{
    std::string from;
    bool conditional = false;
};

struct Unrouted // a finished node no edge event has routed out of yet
{
    std::string node;
    std::vector<std::string> reached; // parallel targets already inferred
};

struct ChunkAssembly // TokenChunk text of one span, in chunk_index order
{
    std::string requestId;
    std::uint32_t next = 0;                       // the chunk that extends the contiguous text
    std::size_t prefixBytes = 0;                  // where the contiguous text ends in tokenText
    std::map<std::uint32_t, std::string> waiting; // arrived early, shown after a gap
    std::size_t waitingBytes = 0;
};

struct RequestStats // TokenChunk stats of one request, until node Metrics claim them
{
    std::uint32_t span = 0;
    std::int64_t prompt = 0, completion = 0;
    bool claimed = false;
};

struct RunTracking
{
    StateTracking state;
    IntervalSet anySeen, orderedSeen;
    std::uint64_t maxOrdered = 0;
    bool haveBaseline = false;
    std::vector<std::uint32_t> active; // open spans, oldest first
    std::vector<int> visits;           // by the node's index in Run::strings
    int unnamedVisits = 0;             // spans of a node without a name
    std::vector<PendingEdge> pending;
    std::vector<Unrouted> unrouted;
    std::unordered_map<std::uint32_t, ChunkAssembly> chunks; // by span
    std::unordered_map<std::string, std::uint32_t> requestSpan, callSpan;
    std::unordered_map<std::string, RequestStats> requests;
    bool schemaVersionReported = false;
    bool stepCapReported = false;
    std::uint64_t touchedIn = 0; // the RunStore::Impl::applyCount that last touched the run
    std::uint64_t createdIn = 0; // ... that created it
};

struct RunRecord
{
    Run run;
    RunTracking t;
};

} // namespace nexus::models::detail

namespace nexus::models {

struct RunStore::Impl
{
    explicit Impl(RunStoreLimits l) : limits(l), deduper(l.dedupeCapacity) {}

    struct Ctx
    {
        detail::RunRecord& r;
        Run& run;
        std::uint32_t step; // the last kept step when !keep
        bool keep;
        std::int64_t ts;
    };

    RunStoreLimits limits;
    protocol::MessageIdDeduper deduper;
    std::deque<std::unique_ptr<detail::RunRecord>> runs; // creation order
    std::size_t settled = 0; // runs whose status is not Running (eviction looks for them)
    std::unordered_map<std::uint64_t, detail::RunRecord*> byId;
    std::unordered_map<std::string, detail::RunRecord*> byThread; // newest run of each thread
    // byThread's entry for the thread of the last message (runs arrive in
    // stretches): found again without hashing; null when that run is gone.
    detail::RunRecord* lastThreadRun = nullptr;
    std::uint64_t nextId = 1;
    std::uint64_t unthreaded = 0;
    std::map<std::string, std::vector<SchemaObservation>> schemas;
    std::unordered_map<std::string, std::string> lastSchemaByGraph;
    std::unordered_map<std::string, std::shared_ptr<const runtime::Graph>> graphCache;
    std::string scratch; // step details are built here, then interned

    ApplyResult* result = nullptr; // of the apply in progress
    std::int64_t wallUs = 0;
    std::vector<std::uint64_t> touched; // runs this apply changed, in first-touch order
    std::uint64_t applyCount = 0;       // RunTracking::touchedIn / createdIn refer to it

    void begin(ApplyResult& out, std::int64_t wall)
    {
        result = &out;
        wallUs = wall;
        touched.clear();
        ++applyCount;
    }
    void finish()
    {
        // Touched runs that still exist and were not added by this apply.
        for (const std::uint64_t id : touched)
            if (const auto it = byId.find(id);
                it != byId.end() && it->second->t.createdIn != applyCount)
                result->updated.push_back(id);
        result = nullptr;
    }

    void setStatus(Run& run, RunStatus status)
    {
        settled -= run.status != RunStatus::Running ? 1 : 0;
        settled += status != RunStatus::Running ? 1 : 0;
        run.status = status;
    }
    void message(const ds::DashStreamMessage& m);
    void event(const ds::Event& e, const std::string& fallbackThread);
    detail::RunRecord* runFor(const ds::Header& h, const std::string& thread, bool graphStart);
    detail::RunRecord& create(const ds::Header& h, const std::string& thread, int ordinal);
    void evict(const detail::RunRecord* keep);
    Ctx open(detail::RunRecord& r, const ds::Header& h, StepKind kind, int eventType,
             std::int64_t durationUs, bool ordered);
    void judgeSequence(Ctx& c, std::uint64_t sequence, bool ordered);
    void setDetail(Ctx& c, std::string_view text)
    {
        if (c.keep && !text.empty())
            c.run.steps[c.step].detail =
                c.run.intern(detail::boundedView(text, detail::kMaxDetailBytes));
    }
    void setNode(Ctx& c, std::string_view node)
    {
        if (c.keep && !node.empty())
            c.run.steps[c.step].node = c.run.intern(node);
    }

    void graphStart(Ctx& c, const ds::Event& e);
    void loadGraph(Run& run, const std::string* schemaJson, const std::string* manifest);
    void observeSchema(const Run& run, std::int64_t ts);
    void graphEnd(Ctx& c, const ds::Event& e);
    void nodeStart(Ctx& c, const ds::Event& e);
    void nodeEnd(Ctx& c, const ds::Event& e, bool failed);
    void edge(Ctx& c, const ds::Event& e);
    void inferEdges(Ctx& c, const std::string& target);
    void endEdges(Ctx& c);
    int spanForKey(Ctx& c, std::unordered_map<std::string, std::uint32_t>& map,
                   const std::string& key);
    void tokenChunk(Ctx& c, const ds::TokenChunk& chunk);
    void toolExecution(Ctx& c, const ds::ToolExecution& tool);
    void metrics(Ctx& c, const ds::Metrics& m);
    void claimChunkStats(Ctx& c, std::uint32_t span, std::int64_t prompt, std::int64_t completion);
    void error(Ctx& c, const ds::Error& e);
};

} // namespace nexus::models
