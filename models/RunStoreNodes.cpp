// RunStore: node spans (lanes, visits), taken edges (sent or inferred),
// and what belongs to a node: TokenChunk text, ToolExecution calls, node
// Metrics (tokens, cost), Error messages.

#include "models/RunStoreDetail.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace nexus::models {
namespace {

using detail::appendBounded;
using detail::attribute;
using detail::attributeText;
using detail::bounded;
using detail::num;
constexpr std::size_t kMaxPendingEdges = 256;
constexpr std::size_t kMaxKeyedSpans = 4096; // request / call ids remembered per run

const char* toolStageName(ds::ToolExecution::ExecutionStage stage)
{
    switch (stage) {
    case ds::ToolExecution::EXECUTION_STAGE_REQUESTED:
        return "requested";
    case ds::ToolExecution::EXECUTION_STAGE_STARTED:
        return "started";
    case ds::ToolExecution::EXECUTION_STAGE_COMPLETED:
        return "completed";
    case ds::ToolExecution::EXECUTION_STAGE_FAILED:
        return "failed";
    case ds::ToolExecution::EXECUTION_STAGE_RETRYING:
        return "retrying";
    default:
        return "unspecified";
    }
}

const runtime::Edge* findEdge(const Run& run, const std::string& from, const std::string& to)
{
    if (!run.graph)
        return nullptr;
    for (const runtime::Edge& edge : run.graph->edges)
        if (edge.from == from && edge.to == to)
            return &edge;
    return nullptr;
}

// Without a graph any target is possible.
bool mayRoute(const Run& run, const std::string& from, const std::string& to)
{
    return !run.graph || findEdge(run, from, to);
}

std::string labelOf(const Run& run, const std::string& from, const std::string& to)
{
    const runtime::Edge* edge = findEdge(run, from, to);
    return edge && edge->kind == runtime::EdgeKind::Conditional ? edge->label : std::string();
}

// The index of the newest span of `node`, open ones only when `activeOnly`.
int newestSpan(const Run& run, const detail::RunTracking& t, const std::string& node,
               bool activeOnly)
{
    if (activeOnly) {
        for (auto it = t.active.rbegin(); it != t.active.rend(); ++it)
            if (run.spans[*it].node == node)
                return int(*it);
        return -1;
    }
    for (std::size_t i = run.spans.size(); i-- > 0;)
        if (run.spans[i].node == node)
            return int(i);
    return -1;
}

// The visits so far of the node of `step` (its NODE_START or NODE_END). The
// step's node name is interned: counted by its index.
int& visitCount(const Run& run, detail::RunTracking& t, std::uint32_t step)
{
    const std::uint32_t node = run.steps[step].node;
    auto& visits = t.visits;
    if (node == kNoIndex)
        return t.unnamedVisits;
    if (visits.size() <= node)
        visits.resize(std::max<std::size_t>(node + 1, 2 * visits.size()), 0);
    return visits[node];
}

int lowestFreeLane(const Run& run, const detail::RunTracking& t)
{
    std::uint64_t low = 0; // lanes 0..63 in use: the common case needs no allocation
    for (const std::uint32_t index : t.active)
        if (const int lane = run.spans[index].lane; lane >= 0 && lane < 64)
            low |= std::uint64_t(1) << lane;
    if (~low != 0)
        return std::countr_one(low);
    std::vector<bool> used;
    for (const std::uint32_t index : t.active) {
        const auto lane = std::size_t(run.spans[index].lane);
        if (lane >= used.size())
            used.resize(lane + 1);
        used[lane] = true;
    }
    return int(std::find(used.begin(), used.end(), false) - used.begin());
}

} // namespace

void RunStore::Impl::nodeStart(Ctx& c, const ds::Event& e)
{
    if (!c.keep)
        return;
    Run& run = c.run;
    auto& t = c.r.t;
    const std::string& node = e.node_id();
    inferEdges(c, node);
    const int lane = lowestFreeLane(run, t);
    detail::makeRoom(run.spans, 4);
    NodeSpan& span = run.spans.emplace_back(); // built in place: a NodeSpan is large
    span.node = node;
    span.startStep = c.step;
    span.startUs = c.ts;
    span.lane = lane;
    span.visit = ++visitCount(run, t, c.step);
    for (const auto& [key, value] : e.attributes()) {
        if (key == "config_version" && value.has_int_value())
            span.configVersion = value.int_value();
        else if (key == "config_hash")
            span.configHash = attributeText(value);
        else
            span.attributes[key] = detail::keptText(attributeText(value), limits.maxTextBytes);
    }
    detail::makeRoom(t.active, 4);
    t.active.push_back(std::uint32_t(run.spans.size() - 1));
    // A new visit replaces whatever the last one left unrouted.
    std::erase_if(t.unrouted, [&](const auto& u) { return u.node == node; });
    std::erase_if(t.pending, [&](const auto& p) { return p.from == node; });
    if (span.visit > 1)
        setDetail(c, "visit " + num(std::uint64_t(span.visit)));
}

void RunStore::Impl::nodeEnd(Ctx& c, const ds::Event& e, bool failed)
{
    Run& run = c.run;
    auto& t = c.r.t;
    const std::string& node = e.node_id();
    const std::string error =
        failed ? detail::keptText(attribute(e, "error"), limits.maxTextBytes) : std::string();
    if (failed) {
        run.failedNode = node;
        setDetail(c, error);
    } else {
        ++run.nodesDone;
    }
    if (!c.keep)
        return;
    int index = newestSpan(run, t, node, true);
    if (index < 0) { // its NODE_START was not seen (joined mid-run)
        const int lane = lowestFreeLane(run, t);
        detail::makeRoom(run.spans, 4);
        NodeSpan& span = run.spans.emplace_back();
        span.node = node;
        span.startStep = c.step;
        span.startUs = c.ts - std::max<std::int64_t>(e.duration_us(), 0);
        span.lane = lane;
        span.visit = ++visitCount(run, t, c.step);
        index = int(run.spans.size() - 1);
    } else {
        std::erase(t.active, std::uint32_t(index));
    }
    NodeSpan& span = run.spans[std::size_t(index)];
    span.endStep = c.step;
    span.endUs = c.ts;
    span.durationUs =
        e.duration_us() > 0 ? e.duration_us() : std::max<std::int64_t>(0, c.ts - span.startUs);
    span.state = failed ? NodeState::Error : NodeState::Done;
    span.error = error;
    for (const auto& [key, value] : e.attributes()) {
        if (key == "config_version" && value.has_int_value())
            span.configVersion = value.int_value();
        else if (key == "config_hash")
            span.configHash = attributeText(value);
        else if (key != "error")
            span.attributes[key] = detail::keptText(attributeText(value), limits.maxTextBytes);
    }
    if (!failed) {
        std::erase_if(t.unrouted, [&](const auto& u) { return u.node == node; });
        detail::makeRoom(t.unrouted, 4);
        t.unrouted.push_back({node, {}});
    }
}

void RunStore::Impl::edge(Ctx& c, const ds::Event& e)
{
    auto& t = c.r.t;
    const std::string& from = e.node_id();
    std::string to = attribute(e, "to");
    const bool conditional = e.event_type() == ds::EVENT_TYPE_CONDITIONAL_BRANCH;
    std::string result = attribute(e, "condition_result");
    std::string& text = scratch; // "from -> to [result]"
    text.assign(from).append(" -> ").append(to.empty() ? "?" : to);
    if (!result.empty())
        text.append(" [").append(result).append("]");
    setDetail(c, text);
    if (!c.keep)
        return;
    std::erase_if(t.unrouted, [&](const auto& u) { return u.node == from; });
    if (!to.empty()) {
        detail::makeRoom(c.run.edges, 4);
        c.run.edges.push_back({from, std::move(to), c.step, false, conditional, std::move(result)});
    } else if (t.pending.size() < kMaxPendingEdges) {
        t.pending.push_back({from, conditional});
    }
}

// A NODE_START shows where the run went: from edge events without a target
// (one per source and start), else from finished nodes the graph links to it.
void RunStore::Impl::inferEdges(Ctx& c, const std::string& target)
{
    Run& run = c.run;
    auto& t = c.r.t;
    std::vector<std::string> used;
    for (std::size_t i = 0; i < t.pending.size();) {
        const auto& p = t.pending[i];
        if (std::find(used.begin(), used.end(), p.from) != used.end() ||
            !mayRoute(run, p.from, target)) {
            ++i;
            continue;
        }
        detail::makeRoom(run.edges, 4);
        run.edges.push_back(
            {p.from, target, c.step, true, p.conditional, labelOf(run, p.from, target)});
        used.push_back(p.from);
        t.pending.erase(t.pending.begin() + std::ptrdiff_t(i));
    }
    for (std::size_t i = 0; i < t.unrouted.size();) {
        auto& u = t.unrouted[i];
        const runtime::Edge* e = findEdge(run, u.node, target);
        if (!e || std::find(u.reached.begin(), u.reached.end(), target) != u.reached.end()) {
            ++i;
            continue;
        }
        const bool conditional = e->kind == runtime::EdgeKind::Conditional;
        detail::makeRoom(run.edges, 4);
        run.edges.push_back(
            {u.node, target, c.step, true, conditional, conditional ? e->label : std::string()});
        if (e->kind == runtime::EdgeKind::Parallel) {
            u.reached.push_back(target);
            ++i;
        } else {
            t.unrouted.erase(t.unrouted.begin() + std::ptrdiff_t(i));
        }
    }
}

void RunStore::Impl::endEdges(Ctx& c)
{
    Run& run = c.run;
    auto& t = c.r.t;
    std::vector<std::string> sources;
    for (const auto& p : t.pending)
        if (mayRoute(run, p.from, runtime::kEndNode))
            sources.push_back(p.from);
    for (const auto& u : t.unrouted)
        if (findEdge(run, u.node, runtime::kEndNode))
            sources.push_back(u.node);
    std::vector<std::string> done;
    for (const auto& from : sources) {
        if (std::find(done.begin(), done.end(), from) != done.end())
            continue;
        done.push_back(from);
        const std::string label = labelOf(run, from, runtime::kEndNode);
        run.edges.push_back({from, runtime::kEndNode, c.step, true, !label.empty(), label});
    }
    t.pending.clear();
    t.unrouted.clear();
}

// The span a keyed message (request_id, call_id) belongs to: the one its key
// first went to, else the newest open span, else the newest span.
int RunStore::Impl::spanForKey(Ctx& c, std::unordered_map<std::string, std::uint32_t>& map,
                               const std::string& key)
{
    const Run& run = c.run;
    if (auto it = map.find(key); !key.empty() && it != map.end())
        return int(it->second);
    const auto& active = c.r.t.active;
    const int index = !active.empty() ? int(active.back()) : int(run.spans.size()) - 1;
    if (index >= 0 && !key.empty()) {
        if (map.size() >= kMaxKeyedSpans)
            map.clear();
        map[key] = std::uint32_t(index);
    }
    return index;
}

void RunStore::Impl::tokenChunk(Ctx& c, const ds::TokenChunk& chunk)
{
    if (!c.keep)
        return;
    const int index = spanForKey(c, c.r.t.requestSpan, chunk.request_id());
    if (index < 0)
        return;
    Run& run = c.run;
    NodeSpan& span = run.spans[std::size_t(index)];
    setNode(c, span.node);
    if (span.model.empty())
        span.model = chunk.model();
    const std::size_t limit = limits.maxTextBytes;
    auto& a = c.r.t.chunks[std::uint32_t(index)];
    if (a.requestId != chunk.request_id() || (a.next == 0 && a.waiting.empty())) {
        if (a.requestId != chunk.request_id() && !span.tokenText.empty())
            appendBounded(span.tokenText, "\n", limit);
        a = detail::ChunkAssembly{chunk.request_id(), 0, span.tokenText.size(), {}, 0};
    }
    const std::uint32_t at = chunk.chunk_index();
    if (at < a.next || a.waiting.count(at))
        return; // a repeat
    if (at == a.next) {
        span.tokenText.resize(a.prefixBytes);
        appendBounded(span.tokenText, chunk.text(), limit);
        ++a.next;
        while (!a.waiting.empty() && a.waiting.begin()->first == a.next) {
            appendBounded(span.tokenText, a.waiting.begin()->second, limit);
            a.waitingBytes -= a.waiting.begin()->second.size();
            a.waiting.erase(a.waiting.begin());
            ++a.next;
        }
        a.prefixBytes = span.tokenText.size();
    } else if (a.waitingBytes + chunk.text().size() <= limit) {
        a.waiting.emplace(at, chunk.text());
        a.waitingBytes += chunk.text().size();
    }
    span.tokenText.resize(std::min(a.prefixBytes, span.tokenText.size()));
    for (const auto& [i, text] : a.waiting) // early chunks show after the gap
        appendBounded(span.tokenText, text, limit);
    const auto& stats = chunk.stats();
    if (!chunk.has_stats() || span.tokensFromMetrics ||
        (stats.prompt_tokens() == 0 && stats.completion_tokens() == 0 && stats.total_tokens() == 0))
        return;
    auto& requests = c.r.t.requests;
    if (requests.size() >= kMaxKeyedSpans)
        std::erase_if(requests, [](const auto& r) { return r.second.claimed; });
    const auto [it, fresh] = requests.try_emplace(chunk.request_id());
    if (!fresh || requests.size() > kMaxKeyedSpans) {
        if (fresh) // a pathological number of open requests: not counted
            requests.erase(it);
        return; // a repeated final chunk: the first one counted
    }
    detail::RequestStats& request = it->second;
    request.span = std::uint32_t(index);
    request.prompt = stats.prompt_tokens();
    request.completion = stats.prompt_tokens() == 0 && stats.completion_tokens() == 0
                             ? stats.total_tokens()
                             : stats.completion_tokens();
    span.chunkPromptTokens += request.prompt;
    span.chunkCompletionTokens += request.completion;
    span.promptTokens += request.prompt;
    span.completionTokens += request.completion;
    run.tokens += request.prompt + request.completion;
}

void RunStore::Impl::toolExecution(Ctx& c, const ds::ToolExecution& tool)
{
    const char* stage = toolStageName(tool.stage());
    setDetail(c, tool.tool_name() + " " + stage);
    if (!c.keep)
        return;
    const int index = spanForKey(c, c.r.t.callSpan, tool.call_id());
    if (index < 0)
        return;
    NodeSpan& span = c.run.spans[std::size_t(index)];
    setNode(c, span.node);
    auto it = std::find_if(span.tools.begin(), span.tools.end(),
                           [&](const ToolCallInfo& info) { return info.callId == tool.call_id(); });
    if (it == span.tools.end()) {
        if (span.tools.size() >= 1000)
            return;
        span.tools.push_back({});
        it = span.tools.end() - 1;
        it->callId = tool.call_id();
    }
    const std::size_t limit = limits.maxTextBytes;
    if (!tool.tool_name().empty())
        it->name = tool.tool_name();
    it->stage = stage;
    if (!tool.arguments().empty())
        it->arguments = bounded(tool.arguments(), limit);
    if (!tool.result().empty())
        it->result = bounded(tool.result(), limit);
    const std::string& error = tool.error().empty() ? tool.error_details().message() : tool.error();
    if (!error.empty())
        it->error = bounded(error, limit);
    if (tool.duration_us() != 0)
        it->durationUs = tool.duration_us();
    it->step = c.step;
}

// Node Metrics with tokens for span `spanIndex`: the TokenChunk stats of the
// same LLM call stop counting, wherever a parallel interleave put them: the
// request with the same token counts (this span's first), else every
// unclaimed request of this span.
void RunStore::Impl::claimChunkStats(Ctx& c, std::uint32_t spanIndex, std::int64_t prompt,
                                     std::int64_t completion)
{
    auto& requests = c.r.t.requests;
    auto release = [&](detail::RequestStats& r) {
        NodeSpan& s = c.run.spans[r.span];
        s.chunkPromptTokens -= r.prompt;
        s.chunkCompletionTokens -= r.completion;
        s.promptTokens -= r.prompt;
        s.completionTokens -= r.completion;
        c.run.tokens -= r.prompt + r.completion;
        r.claimed = true;
    };
    detail::RequestStats* match = nullptr;
    for (const bool sameSpan : {true, false})
        for (auto& [id, r] : requests)
            if (!match && !r.claimed && (!sameSpan || r.span == spanIndex) && r.prompt == prompt &&
                r.completion == completion)
                match = &r;
    if (match) {
        release(*match);
        return;
    }
    for (auto& [id, r] : requests)
        if (!r.claimed && r.span == spanIndex)
            release(r);
}

void RunStore::Impl::metrics(Ctx& c, const ds::Metrics& m)
{
    setDetail(c, m.scope() + (m.scope_id().empty() ? "" : " " + m.scope_id()));
    if (m.scope() != "node")
        return;
    setNode(c, m.scope_id());
    Run& run = c.run;
    std::int64_t prompt = 0, completion = 0, total = 0;
    bool tokens = false;
    double cost = 0;
    for (const auto& [key, value] : m.metrics()) {
        const double number =
            value.has_int_value() ? double(value.int_value()) : value.float_value();
        const auto count = value.has_int_value() ? value.int_value() : std::int64_t(number);
        if (key == "prompt_tokens" || key == "completion_tokens" || key == "total_tokens") {
            tokens = true;
            (key == "prompt_tokens"       ? prompt
             : key == "completion_tokens" ? completion
                                          : total) = count;
        } else if (key == "cost_usd" && std::isfinite(number)) {
            cost = number;
        }
    }
    const int index = newestSpan(run, c.r.t, m.scope_id(), false);
    NodeSpan* span = index >= 0 ? &run.spans[std::size_t(index)] : nullptr;
    if (tokens) {
        if (prompt == 0 && completion == 0)
            completion = total;
        claimChunkStats(c, index >= 0 ? std::uint32_t(index) : kNoIndex, prompt, completion);
        if (span) {
            span->tokensFromMetrics = true;
            span->promptTokens += prompt;
            span->completionTokens += completion;
        }
        run.tokens += total > 0 ? total : prompt + completion;
    }
    run.costUsd += cost;
    if (span) {
        span->costUsd += cost;
        if (auto model = m.tags().find("model"); model != m.tags().end() && !model->second.empty())
            span->model = model->second;
    }
}

void RunStore::Impl::error(Ctx& c, const ds::Error& e)
{
    Run& run = c.run;
    const std::string text =
        detail::keptText(e.error_code().empty() ? e.message() : e.error_code() + ": " + e.message(),
                         limits.maxTextBytes);
    setDetail(c, text);
    const auto context = e.context().find("node");
    const std::string node = context == e.context().end() ? std::string() : context->second;
    setNode(c, node);
    const bool fatal = e.severity() == ds::Error::SEVERITY_FATAL;
    if (fatal) {
        setStatus(run, RunStatus::Error);
        c.r.t.state.hashes.reset();
        run.errorText = text;
        run.endUs = c.ts;
        if (run.failedNode.empty())
            run.failedNode = node;
    }
    const int index = node.empty() ? -1 : newestSpan(run, c.r.t, node, false);
    if (index < 0)
        return;
    NodeSpan& span = run.spans[std::size_t(index)];
    if (fatal && span.error.empty())
        span.error = text;
    else if (!fatal)
        span.attributes["last_error"] = bounded(text, limits.maxTextBytes);
}

} // namespace nexus::models
