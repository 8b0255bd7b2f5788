// RunStore: messages in, runs out. Routing by thread, dedupe, steps,
// sequence integrity, GRAPH_START / GRAPH_END, caps, the public API. Node
// spans, edges and per-node payloads: RunStoreNodes.cpp; state
// reconstruction: RunStoreState.cpp.

#include "models/RunStoreDetail.h"
#include "protocol/Framing.h"
#include "runtime/GraphLoader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <iterator>

namespace nexus::models {

namespace {

using detail::attribute;
using detail::attributeText;
using detail::num;
using detail::RunRecord;
using protocol::MessageKind;
constexpr std::size_t kMaxSchemaIds = 100; // per graph name
constexpr std::size_t kMaxGraphNames = 1000;

StepKind eventKind(int type)
{
    switch (type) {
    case ds::EVENT_TYPE_GRAPH_START:
        return StepKind::GraphStart;
    case ds::EVENT_TYPE_GRAPH_END:
        return StepKind::GraphEnd;
    case ds::EVENT_TYPE_GRAPH_ERROR:
        return StepKind::GraphError;
    case ds::EVENT_TYPE_NODE_START:
        return StepKind::NodeStart;
    case ds::EVENT_TYPE_NODE_END:
        return StepKind::NodeEnd;
    case ds::EVENT_TYPE_NODE_ERROR:
        return StepKind::NodeError;
    case ds::EVENT_TYPE_EDGE_TRAVERSAL:
    case ds::EVENT_TYPE_CONDITIONAL_BRANCH:
        return StepKind::Edge;
    case ds::EVENT_TYPE_PARALLEL_START:
    case ds::EVENT_TYPE_PARALLEL_END:
        return StepKind::Parallel;
    default:
        return type >= ds::EVENT_TYPE_NODE_PROGRESS && type <= ds::EVENT_TYPE_NODE_WARNING
                   ? StepKind::NodeContext
                   : StepKind::OtherEvent;
    }
}

} // namespace

std::map<std::string, NodeState> Run::nodeStatesAt(std::uint32_t step) const
{
    std::map<std::string, NodeState> states;
    if (graph)
        for (const runtime::Node& node : graph->nodes)
            states[node.name] = NodeState::Pending;
    for (const NodeSpan& span : spans) {
        if (span.startStep > step)
            break; // spans are in start order
        const bool open = span.endStep == kNoIndex || span.endStep > step;
        states[span.node] = open ? NodeState::Active : span.state;
    }
    return states;
}

std::vector<TakenEdge> Run::edgesAt(std::uint32_t step) const
{
    const auto end =
        std::upper_bound(edges.begin(), edges.end(), step,
                         [](std::uint32_t s, const TakenEdge& e) { return s < e.step; });
    return std::vector<TakenEdge>(edges.begin(), end);
}

void RunStore::Impl::message(const ds::DashStreamMessage& m)
{
    const ds::Header* header = protocol::headerOf(m);
    if (!header || !deduper.insert(header->message_id()))
        return;
    const MessageKind kind = protocol::kindOf(m);
    if (kind == MessageKind::EventBatch) {
        for (const ds::Event& e : m.event_batch().events())
            if (e.header().message_id().empty() || deduper.insert(e.header().message_id()))
                event(e, header->thread_id());
        return;
    }
    if (kind == MessageKind::Event)
        return event(m.event(), {});
    std::string thread = header->thread_id();
    if (thread.empty() && kind == MessageKind::ExecutionTrace)
        thread = m.execution_trace().thread_id();
    RunRecord* r = runFor(*header, thread, false);
    if (!r)
        return;
    static const std::map<MessageKind, StepKind> kinds = {
        {MessageKind::StateDiff, StepKind::StateDiff},
        {MessageKind::Checkpoint, StepKind::Checkpoint},
        {MessageKind::TokenChunk, StepKind::TokenChunk},
        {MessageKind::ToolExecution, StepKind::ToolExecution},
        {MessageKind::Metrics, StepKind::Metrics},
        {MessageKind::Error, StepKind::Error},
        {MessageKind::ExecutionTrace, StepKind::ExecutionTrace}};
    const bool ordered = kind == MessageKind::StateDiff || kind == MessageKind::Checkpoint;
    Ctx c = open(*r, *header, kinds.at(kind), 0, 0, ordered);
    auto& state = r->t.state;
    switch (kind) {
    case MessageKind::StateDiff:
        detail::applyStateDiff(c.run, state, c.step, m.state_diff(), limits, c.keep);
        break;
    case MessageKind::Checkpoint:
        detail::applyCheckpoint(c.run, state, c.step, m.checkpoint(), limits, c.keep);
        break;
    case MessageKind::TokenChunk:
        tokenChunk(c, m.token_chunk());
        break;
    case MessageKind::ToolExecution:
        toolExecution(c, m.tool_execution());
        break;
    case MessageKind::Metrics:
        metrics(c, m.metrics());
        break;
    case MessageKind::Error:
        error(c, m.error());
        break;
    default:
        setDetail(c, "execution trace, " +
                         num(std::uint64_t(m.execution_trace().nodes_executed_size())) + " nodes");
        break;
    }
}

void RunStore::Impl::event(const ds::Event& e, const std::string& fallbackThread)
{
    const ds::Header& h = e.header();
    const int type = int(e.event_type());
    RunRecord* r = runFor(h, h.thread_id().empty() ? fallbackThread : h.thread_id(),
                          type == ds::EVENT_TYPE_GRAPH_START);
    if (!r)
        return;
    const StepKind kind = eventKind(type);
    Ctx c = open(*r, h, kind, type, e.duration_us(), kind != StepKind::NodeContext);
    setNode(c, e.node_id());
    switch (kind) {
    case StepKind::GraphStart:
        graphStart(c, e);
        break;
    case StepKind::GraphEnd:
    case StepKind::GraphError:
        graphEnd(c, e);
        break;
    case StepKind::NodeStart:
        nodeStart(c, e);
        break;
    case StepKind::NodeEnd:
    case StepKind::NodeError:
        nodeEnd(c, e, kind == StepKind::NodeError);
        break;
    case StepKind::Edge:
        edge(c, e);
        break;
    default:
        setDetail(c, detail::attributeSummary(e));
        break;
    }
}

RunRecord* RunStore::Impl::runFor(const ds::Header& h, const std::string& thread, bool graphStart)
{
    if (thread.empty()) {
        ++unthreaded;
        return nullptr;
    }
    RunRecord* r = lastThreadRun;
    if (!r || r->run.threadId != thread) {
        const auto it = byThread.find(thread);
        r = it == byThread.end() ? nullptr : it->second;
    }
    if (!r || (graphStart && r->run.sawGraphStart))
        r = &create(h, thread, r ? r->run.ordinal + 1 : 1);
    lastThreadRun = r;
    Run& run = r->run;
    run.lastSeenWallUs = wallUs;
    if (run.status == RunStatus::Stale)
        setStatus(run, RunStatus::Running);
    if (r->t.touchedIn != applyCount) {
        r->t.touchedIn = applyCount;
        touched.push_back(run.id);
    }
    return r;
}

RunRecord& RunStore::Impl::create(const ds::Header& h, const std::string& thread, int ordinal)
{
    auto record = std::make_unique<RunRecord>();
    Run& run = record->run;
    run.id = nextId++;
    run.threadId = thread;
    run.ordinal = ordinal;
    run.tenantId = h.tenant_id();
    run.graphProblem = "joined mid-run: no GRAPH_START seen";
    run.startUs = h.timestamp_us();
    record->t.createdIn = applyCount;
    RunRecord* r = record.get();
    runs.push_back(std::move(record));
    byId[run.id] = r;
    byThread[thread] = r;
    result->added.push_back(run.id);
    evict(r);
    return *r;
}

void RunStore::Impl::evict(const RunRecord* keep)
{
    while (runs.size() > std::max<std::size_t>(limits.maxRuns, 1)) {
        auto victim = runs.end();
        if (settled > 0) // else every run is running: no need to look
            victim = std::find_if(runs.begin(), runs.end(), [keep](const auto& r) {
                return r.get() != keep && r->run.status != RunStatus::Running;
            });
        if (victim == runs.end())
            victim = std::find_if(runs.begin(), runs.end(),
                                  [keep](const auto& r) { return r.get() != keep; });
        const Run& run = (*victim)->run;
        if (lastThreadRun == victim->get())
            lastThreadRun = nullptr;
        byId.erase(run.id);
        if (auto t = byThread.find(run.threadId); t != byThread.end() && t->second == victim->get())
            byThread.erase(t);
        auto& added = result->added;
        if (auto a = std::find(added.begin(), added.end(), run.id); a != added.end())
            added.erase(a); // created and evicted in the same apply: never shown
        else
            result->removed.push_back(run.id);
        if (run.status != RunStatus::Running)
            --settled;
        runs.erase(victim);
    }
}

RunStore::Impl::Ctx RunStore::Impl::open(RunRecord& r, const ds::Header& h, StepKind kind,
                                         int eventType, std::int64_t durationUs, bool ordered)
{
    Run& run = r.run;
    const std::size_t cap = std::max<std::size_t>(limits.maxStepsPerRun, 1);
    const bool keep = run.steps.size() < cap;
    if (keep) {
        Step step;
        step.timestampUs = h.timestamp_us();
        step.sequence = h.sequence();
        step.durationUs = durationUs;
        step.kind = kind;
        step.eventType = eventType;
        detail::makeRoom(run.steps, 16);
        run.steps.push_back(step);
    } else {
        ++run.droppedSteps;
    }
    Ctx c{r, run, std::uint32_t(run.steps.size() - 1), keep, h.timestamp_us()};
    if (!keep && !r.t.stepCapReported) {
        r.t.stepCapReported = true;
        detail::addIssue(run, c.step, IssueKind::StepCapReached,
                         "step cap of " + num(cap) + " reached; later steps are not kept");
    }
    run.lastUs = std::max(run.lastUs, c.ts);
    judgeSequence(c, h.sequence(), ordered);
    if (protocol::effectiveSchemaVersion(h) > protocol::kCurrentSchemaVersion &&
        !r.t.schemaVersionReported) {
        r.t.schemaVersionReported = true;
        detail::addIssue(run, c.step, IssueKind::SchemaVersion,
                         "schema_version " + num(h.schema_version()) + " at step " + num(c.step) +
                             " is newer than the supported " +
                             num(protocol::kCurrentSchemaVersion));
    }
    return c;
}

void RunStore::Impl::judgeSequence(Ctx& c, std::uint64_t seq, bool ordered)
{
    if (seq == 0)
        return;
    auto& t = c.r.t;
    if (ordered) {
        auto at = [&c] { return " at step " + num(c.step); }; // only for an issue
        if (!t.haveBaseline) {
            t.haveBaseline = true; // the first ordered message is the baseline
            t.maxOrdered = seq;
        } else if (seq > t.maxOrdered) {
            std::uint64_t first = 0, last = 0;
            const std::uint64_t missing =
                seq > t.maxOrdered + 1 ? t.anySeen.missingIn(t.maxOrdered + 1, seq - 1, first, last)
                                       : 0;
            if (missing > 0) {
                // "N message(s) missing before step S (sequence F)" / "(sequences F..L)",
                // written in place (a stream filtered to some kinds has a gap at every step).
                char buf[160];
                char* w = buf;
                const auto put = [&w](std::string_view part) {
                    std::memcpy(w, part.data(), part.size());
                    w += part.size();
                };
                const auto number = [&w](std::uint64_t n) { w = std::to_chars(w, w + 20, n).ptr; };
                number(missing);
                put(" message(s) missing before step ");
                number(c.step);
                put(first == last ? " (sequence " : " (sequences ");
                number(first);
                if (first != last) {
                    put("..");
                    number(last);
                }
                put(")");
                std::string text(buf, w);
                detail::corrupt(c.run, t.state, c.step, IssueKind::SequenceGap, std::move(text),
                                false);
            }
            t.maxOrdered = seq;
        } else if (t.orderedSeen.contains(seq)) {
            detail::corrupt(c.run, t.state, c.step, IssueKind::SequenceDuplicate,
                            "sequence " + num(seq) + at() + " repeats an earlier message's", false);
        } else {
            detail::corrupt(c.run, t.state, c.step, IssueKind::SequenceReordered,
                            "sequence " + num(seq) + at() + " arrived after sequence " +
                                num(t.maxOrdered),
                            false);
        }
        t.orderedSeen.insert(seq);
    }
    t.anySeen.insert(seq);
}

void RunStore::Impl::graphStart(Ctx& c, const ds::Event& e)
{
    Run& run = c.run;
    run.sawGraphStart = true;
    run.graphProblem.clear();
    run.startUs = c.ts;
    const std::string *schemaJson = nullptr, *manifest = nullptr, *initial = nullptr;
    for (const auto& [key, value] : e.attributes()) {
        const std::string* text = value.has_string_value() ? &value.string_value() : nullptr;
        if (key == "graph_schema_json")
            schemaJson = text;
        else if (key == "graph_manifest")
            manifest = text;
        else if (key == "initial_state_json")
            initial = text;
        else if (key == "schema_id")
            run.schemaId = attributeText(value);
        else if (key == "graph_name")
            run.graphName = attributeText(value);
        else if (key == "instance_id")
            run.instanceId = attributeText(value);
        else
            run.startAttributes[key] = detail::keptText(attributeText(value), limits.maxTextBytes);
    }
    loadGraph(run, schemaJson, manifest);
    if (run.graphName.empty())
        run.graphName = run.graph && !run.graph->name.empty() ? run.graph->name : "unnamed";
    if (run.schemaId.empty() && run.graph)
        run.schemaId = runtime::schemaId(*run.graph);
    observeSchema(run, c.ts);
    if (initial)
        detail::applyInitialState(run, c.r.t.state, c.step, *initial, limits, c.keep);
    setDetail(c, run.graphName + (run.schemaId.empty() ? "" : " (schema " + run.schemaId + ")"));
}

void RunStore::Impl::loadGraph(Run& run, const std::string* schemaJson, const std::string* manifest)
{
    const auto cached = run.schemaId.empty() ? graphCache.end() : graphCache.find(run.schemaId);
    if (cached != graphCache.end() && (schemaJson || manifest)) {
        run.graph = cached->second;
        run.graphSource = schemaJson ? "graph_schema_json" : "graph_manifest";
        return;
    }
    std::string problem;
    const std::pair<const char*, const std::string*> sources[] = {{"graph_schema_json", schemaJson},
                                                                  {"graph_manifest", manifest}};
    for (const auto& [key, text] : sources) {
        if (!text)
            continue;
        problem += problem.empty() ? "" : "; ";
        if (text->size() > limits.maxSchemaBytes) {
            problem += std::string(key) + " is " + num(text->size()) + " bytes, over the " +
                       num(limits.maxSchemaBytes) + "-byte limit";
            continue;
        }
        auto loaded = runtime::loadGraphText(*text);
        if (!loaded) {
            problem += std::string(key) + ": " + loaded.error().message;
            continue;
        }
        run.graph = std::make_shared<const runtime::Graph>(std::move(loaded->graph));
        run.graphSource = key;
        if (!run.schemaId.empty()) {
            if (graphCache.size() >= 256)
                graphCache.clear();
            graphCache[run.schemaId] = run.graph;
        }
        return;
    }
    // A schema with thousands of faults would list every one: keep the first.
    run.graphProblem = problem.empty()
                           ? "GRAPH_START carried no graph_schema_json or graph_manifest"
                           : detail::keptText(std::move(problem), detail::kMaxProblemBytes);
}

void RunStore::Impl::observeSchema(const Run& run, std::int64_t ts)
{
    if (run.schemaId.empty() || (!schemas.count(run.graphName) && schemas.size() >= kMaxGraphNames))
        return;
    auto& list = schemas[run.graphName];
    auto it = std::find_if(list.begin(), list.end(),
                           [&](const SchemaObservation& o) { return o.schemaId == run.schemaId; });
    if (it == list.end()) {
        if (list.size() >= kMaxSchemaIds)
            list.erase(list.begin());
        list.push_back({run.schemaId, run.id, ts, ts, 1, run.graph});
    } else {
        ++it->runs;
        it->lastSeenUs = std::max(it->lastSeenUs, ts);
        if (!it->graph)
            it->graph = run.graph;
    }
    std::string& last = lastSchemaByGraph[run.graphName];
    auto& changes = result->schemaChanges;
    if (!last.empty() && last != run.schemaId &&
        std::find(changes.begin(), changes.end(), run.graphName) == changes.end())
        changes.push_back(run.graphName);
    last = run.schemaId;
}

void RunStore::Impl::graphEnd(Ctx& c, const ds::Event& e)
{
    Run& run = c.run;
    const bool graphError = e.event_type() == ds::EVENT_TYPE_GRAPH_ERROR;
    run.endUs = c.ts;
    c.r.t.state.hashes.reset(); // no more StateDiffs to hash: give the parts back
    if (graphError) {
        setStatus(run, RunStatus::Error);
        const std::string error = detail::keptText(attribute(e, "error"), limits.maxTextBytes);
        run.errorText = error.empty() ? "GRAPH_ERROR" : error;
        setDetail(c, run.errorText);
        return;
    }
    run.durationUs =
        e.duration_us() > 0 ? e.duration_us() : std::max<std::int64_t>(0, c.ts - run.startUs);
    setStatus(run, run.failedNode.empty() ? RunStatus::Completed : RunStatus::Error);
    if (run.status == RunStatus::Error && run.errorText.empty())
        run.errorText = "node " + run.failedNode + " failed";
    if (c.keep)
        endEdges(c);
}

// ---------------------------------------------------------------------------

RunStore::RunStore(RunStoreLimits limits) : d(std::make_unique<Impl>(limits)) {}
RunStore::~RunStore() = default;

ApplyResult RunStore::apply(const std::vector<const ds::DashStreamMessage*>& messages,
                            std::int64_t wallUs)
{
    ApplyResult result;
    d->begin(result, wallUs);
    constexpr std::size_t kPrefetchAhead = 8; // messages
    for (std::size_t i = 0; i < messages.size(); ++i) {
        if (i + kPrefetchAhead < messages.size() && messages[i + kPrefetchAhead])
            if (const ds::Header* h = protocol::headerOf(*messages[i + kPrefetchAhead]))
                d->deduper.prefetch(h->message_id());
        const ds::DashStreamMessage* message = messages[i];
        if (!message)
            continue;
        try {
            d->message(*message);
        } catch (const std::exception&) {
            // A message that breaks an assumption (json::exception, bad_alloc
            // of a hostile size) is dropped; the store stays usable.
        }
    }
    d->finish();
    return result;
}

ApplyResult RunStore::apply(const ds::DashStreamMessage& message, std::int64_t wallUs)
{
    return apply(std::vector<const ds::DashStreamMessage*>{&message}, wallUs);
}

ApplyResult RunStore::expire(std::int64_t wallUs)
{
    ApplyResult result;
    for (const auto& record : d->runs) {
        Run& run = record->run;
        if (run.status != RunStatus::Running)
            continue;
        const std::int64_t quietUs = wallUs - run.lastSeenWallUs;
        if ((!run.failedNode.empty() && quietUs > d->limits.staleAfterErrorUs) ||
            quietUs > d->limits.staleAfterQuietUs) {
            d->setStatus(run, RunStatus::Stale);
            result.updated.push_back(run.id);
        }
    }
    return result;
}

void RunStore::clear()
{
    d->runs.clear();
    d->settled = 0;
    d->byId.clear();
    d->byThread.clear();
    d->lastThreadRun = nullptr;
    d->deduper.clear();
    d->unthreaded = 0;
    d->schemas.clear();
    d->lastSchemaByGraph.clear();
    d->graphCache.clear();
}

ApplyResult RunStore::remove(std::uint64_t runId)
{
    ApplyResult result;
    const auto it = d->byId.find(runId);
    if (it == d->byId.end())
        return result;
    const RunRecord* record = it->second;
    if (d->lastThreadRun == record)
        d->lastThreadRun = nullptr;
    if (auto t = d->byThread.find(record->run.threadId);
        t != d->byThread.end() && t->second == record)
        d->byThread.erase(t);
    d->byId.erase(it);
    if (record->run.status != RunStatus::Running)
        --d->settled;
    std::erase_if(d->runs, [record](const auto& r) { return r.get() == record; });
    result.removed.push_back(runId);
    return result;
}

std::vector<const Run*> RunStore::runs() const
{
    std::vector<const Run*> out;
    out.reserve(d->runs.size());
    for (const auto& record : d->runs)
        out.push_back(&record->run);
    return out;
}

const Run* RunStore::run(std::uint64_t id) const
{
    const auto it = d->byId.find(id);
    return it == d->byId.end() ? nullptr : &it->second->run;
}

const Run* RunStore::runForThread(std::string_view threadId) const
{
    const auto it = d->byThread.find(std::string(threadId));
    return it == d->byThread.end() ? nullptr : &it->second->run;
}

std::size_t RunStore::size() const
{
    return d->runs.size();
}

StateAt RunStore::stateAt(const Run& run, std::uint32_t step) const
{
    return detail::stateAt(run, step);
}

std::vector<PathChange> RunStore::changesAt(const Run& run, std::uint32_t step) const
{
    return detail::changesAt(run, step);
}

const std::map<std::string, std::vector<SchemaObservation>>& RunStore::schemaHistory() const
{
    return d->schemas;
}

const RunStoreLimits& RunStore::limits() const
{
    return d->limits;
}

std::uint64_t RunStore::duplicates() const
{
    return d->deduper.duplicates();
}

std::uint64_t RunStore::unthreaded() const
{
    return d->unthreaded;
}

} // namespace nexus::models
