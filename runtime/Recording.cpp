// Builds a Recording from one run's messages: node executions from the
// events, states from the StateDiffs (DASHSTREAM.md §3.2 order: a node's
// StateDiff precedes its NODE_END), routing from our "to" edge attribute.
#include "runtime/Recording.h"

#include "runtime/GraphLoader.h"
#include "runtime/RecordingBuilder.h"

#include <algorithm>

namespace nexus::runtime {

using json = nlohmann::json;

const char* stepVerdictName(StepVerdict verdict)
{
    switch (verdict) {
    case StepVerdict::Verified:
        return "verified";
    case StepVerdict::Mismatch:
        return "mismatch";
    case StepVerdict::Unverified:
        return "unverified";
    case StepVerdict::NotApplied:
        return "not_applied";
    }
    return "unverified";
}

const char* nextSourceName(NextSource source)
{
    switch (source) {
    case NextSource::Edges:
        return "edges";
    case NextSource::NextNodeStart:
        return "next_node_start";
    case NextSource::RunEnd:
        return "run_end";
    case NextSource::Unknown:
        return "unknown";
    }
    return "unknown";
}

const char* recordingStatusName(RecordingStatus status)
{
    switch (status) {
    case RecordingStatus::Completed:
        return "completed";
    case RecordingStatus::Failed:
        return "failed";
    case RecordingStatus::Incomplete:
        return "incomplete";
    }
    return "incomplete";
}

JsonPtr Recording::stateAt(std::size_t position) const
{
    if (position == 0)
        return initialState;
    if (position > executions.size())
        return nullptr;
    return executions[position - 1].stateAfter;
}

std::vector<std::string> Recording::otherThreads() const
{
    std::vector<std::string> out;
    for (const RecordedRunRef& run : runs)
        if (run.threadId != threadId || run.runIndex != runIndex)
            out.push_back(run.runIndex == 0
                              ? run.threadId
                              : run.threadId + " (run " + std::to_string(run.runIndex + 1) + ")");
    return out;
}

namespace detail {
namespace {

struct PendingDiff
{
    std::uint64_t record = 0;
    json patch = json::array();
    bool fullState = false;
    std::string hash;
    StepVerdict verdict = StepVerdict::Unverified;
};

std::string attributeString(const ds::Event& event, const std::string& key)
{
    const auto it = event.attributes().find(key);
    return it != event.attributes().end() && it->second.has_string_value()
               ? it->second.string_value()
               : std::string();
}

StepVerdict verdictOf(protocol::HashVerdict verdict)
{
    switch (verdict) {
    case protocol::HashVerdict::Verified:
        return StepVerdict::Verified;
    case protocol::HashVerdict::Mismatch:
        return StepVerdict::Mismatch;
    case protocol::HashVerdict::Unverified:
        break;
    }
    return StepVerdict::Unverified;
}

class Builder
{
public:
    Builder(const RecordingOptions& options, Recording& recording)
        : options_(options), r_(recording)
    {}

    void add(const RecordedMessage& m)
    {
        const ds::DashStreamMessage& message = *m.message;
        if (m.event)
            onEvent(*m.event, m);
        else if (message.has_state_diff())
            onStateDiff(message.state_diff(), m);
        else if (message.has_checkpoint())
            onCheckpoint(message.checkpoint(), m);
        else if (message.has_metrics())
            onMetrics(message.metrics());
        else if (message.has_error())
            onError(message.error());
    }

    void finish();

private:
    void onEvent(const ds::Event& event, const RecordedMessage& m);
    void onGraphStart(const ds::Event& event, const RecordedMessage& m);
    void onNodeStart(const ds::Event& event, const RecordedMessage& m);
    void onNodeEnd(const ds::Event& event, const RecordedMessage& m, bool failed);
    void onEdge(const ds::Event& event);
    void onStateDiff(const ds::StateDiff& diff, const RecordedMessage& m);
    std::optional<json> rebuild(const ds::StateDiff& diff, const RecordedMessage& m,
                                PendingDiff& pending);
    void onCheckpoint(const ds::Checkpoint& checkpoint, const RecordedMessage& m);
    void onMetrics(const ds::Metrics& metrics);
    void onError(const ds::Error& error);
    void problem(const RecordedMessage& m, std::string code, std::string message)
    {
        r_.problems.push_back(
            {m.record, m.offset, m.hasOffset, std::move(code), std::move(message)});
    }
    RecordedExecution* open(const std::string& node);
    RecordedExecution* latest(const std::string& node);
    void settleRouting();
    void closeOpen(std::size_t index);
    void orderBranchesByEnd();

    const RecordingOptions& options_;
    Recording& r_;
    JsonPtr current_;
    bool parallel_ = false;
    std::int64_t superStep_ = 0;
    std::map<std::string, std::int64_t> visits_;
    std::vector<std::size_t> open_;       // executions started and not ended
    std::vector<std::uint64_t> endOrder_; // per execution: when it ended (0 = never)
    std::uint64_t ends_ = 0;
    std::optional<PendingDiff> nodeDiff_; // a node's StateDiff, waiting for its NODE_END
    std::vector<RecordedUpdate> between_; // diffs outside any node, for the next step
    bool routingAfterUpdate_ = false;     // an "after" interrupt: its answer precedes the edges
    bool ended_ = false;
    bool noBaseReported_ = false;
};

void Builder::onEvent(const ds::Event& event, const RecordedMessage& m)
{
    switch (event.event_type()) {
    case ds::EVENT_TYPE_GRAPH_START:
        onGraphStart(event, m);
        break;
    case ds::EVENT_TYPE_NODE_START:
        onNodeStart(event, m);
        break;
    case ds::EVENT_TYPE_NODE_END:
        onNodeEnd(event, m, false);
        break;
    case ds::EVENT_TYPE_NODE_ERROR:
        onNodeEnd(event, m, true);
        break;
    case ds::EVENT_TYPE_EDGE_TRAVERSAL:
    case ds::EVENT_TYPE_CONDITIONAL_BRANCH:
        onEdge(event);
        break;
    case ds::EVENT_TYPE_PARALLEL_START:
        settleRouting();
        ++superStep_;
        parallel_ = true;
        break;
    case ds::EVENT_TYPE_PARALLEL_END:
        parallel_ = false;
        break;
    case ds::EVENT_TYPE_HUMAN_INTERRUPT:
        routingAfterUpdate_ = routingAfterUpdate_ || attributeString(event, "when") == "after";
        break;
    case ds::EVENT_TYPE_GRAPH_END:
        settleRouting();
        ended_ = true;
        r_.endUs = event.header().timestamp_us();
        r_.durationUs = event.duration_us();
        break;
    default:
        break;
    }
}

void Builder::onGraphStart(const ds::Event& event, const RecordedMessage& m)
{
    r_.startUs = event.header().timestamp_us();
    for (const auto& [key, value] : event.attributes())
        if (value.has_string_value() && key != "graph_schema_json" && key != "graph_manifest" &&
            key != "initial_state_json")
            r_.attributes[key] = value.string_value();
    r_.schemaId = attributeString(event, "schema_id");
    std::string graphText = attributeString(event, "graph_schema_json");
    if (graphText.empty())
        graphText = attributeString(event, "graph_manifest");
    if (graphText.empty()) {
        r_.graphError = "GRAPH_START carries neither graph_schema_json nor graph_manifest";
    } else if (auto loaded = loadGraphText(graphText)) {
        r_.graph = std::move(loaded->graph);
    } else {
        r_.graphError = "the recorded graph does not load: " + loaded.error().message;
        problem(m, "invalid_graph", r_.graphError);
    }
    const auto it = event.attributes().find("initial_state_json");
    if (it == event.attributes().end() || !it->second.has_string_value()) {
        problem(m, "no_initial_state",
                "GRAPH_START has no initial_state_json: states are unknown until a full state "
                "or a checkpoint arrives");
        return;
    }
    auto parsed = protocol::parseStateJson(it->second.string_value(), options_.maxStateBytes);
    if (!parsed) {
        problem(m, "invalid_state", "initial_state_json " + parsed.error().message);
        return;
    }
    current_ = std::make_shared<const json>(std::move(*parsed));
    r_.initialState = current_;
}

void Builder::onNodeStart(const ds::Event& event, const RecordedMessage& m)
{
    if (!parallel_) {
        settleRouting();
        ++superStep_;
    }
    routingAfterUpdate_ = false;
    RecordedExecution e;
    e.index = r_.executions.size();
    e.node = event.node_id();
    e.superStep = std::max<std::int64_t>(superStep_, 1);
    e.visit = ++visits_[e.node];
    e.parallel = parallel_;
    e.startRecord = m.record;
    e.startUs = event.header().timestamp_us();
    e.updatesBefore = std::exchange(between_, {});
    e.stateBefore = current_;
    e.stateAfter = current_;
    r_.executions.push_back(std::move(e));
    open_.push_back(r_.executions.size() - 1);
    endOrder_.push_back(0);
}

void Builder::closeOpen(std::size_t index)
{
    open_.erase(std::find(open_.begin(), open_.end(), index));
}

void Builder::onNodeEnd(const ds::Event& event, const RecordedMessage& m, bool failed)
{
    RecordedExecution* e = open(event.node_id());
    if (!e) {
        problem(m, "unmatched_node_end",
                std::string(failed ? "NODE_ERROR" : "NODE_END") + " of \"" + event.node_id() +
                    "\" without a NODE_START; ignored");
        return;
    }
    e->endUs = event.header().timestamp_us();
    e->durationUs = event.duration_us();
    if (failed) {
        e->failed = true;
        e->error = attributeString(event, "error");
        r_.failedNode = e->node;
        r_.error = "node \"" + e->node + "\" failed: " + e->error;
    } else {
        e->finished = true;
    }
    if (nodeDiff_) {
        e->hasStateDiff = true;
        e->output = std::move(nodeDiff_->patch);
        e->fullState = nodeDiff_->fullState;
        e->recordedHash = std::move(nodeDiff_->hash);
        e->verdict = nodeDiff_->verdict;
        nodeDiff_.reset();
    }
    e->stateAfter = current_;
    endOrder_[e->index] = ++ends_;
    closeOpen(e->index);
}

void Builder::onEdge(const ds::Event& event)
{
    RecordedExecution* e = latest(event.node_id());
    if (!e)
        return;
    if (!e->routingState)
        e->routingState = current_;
    const std::string to = attributeString(event, "to");
    if (to.empty())
        return; // DashFlow sends no target: the next NODE_START tells
    e->nextSource = NextSource::Edges;
    if (std::find(e->next.begin(), e->next.end(), to) == e->next.end())
        e->next.push_back(to);
    if (event.event_type() == ds::EVENT_TYPE_CONDITIONAL_BRANCH)
        e->routeLabels.push_back(attributeString(event, "condition_result"));
}

std::optional<json> Builder::rebuild(const ds::StateDiff& diff, const RecordedMessage& m,
                                     PendingDiff& pending)
{
    if (!diff.full_state().empty()) {
        auto full = protocol::parseStateJson(diff.full_state(), options_.maxStateBytes);
        if (!full) {
            problem(m, "invalid_state", "a StateDiff's full state " + full.error().message);
            return std::nullopt;
        }
        pending.fullState = true;
        pending.patch = json::diff(current_ ? *current_ : json::object(), *full);
        return std::move(*full);
    }
    if (!current_) {
        if (!std::exchange(noBaseReported_, true))
            problem(m, "no_base_state",
                    "a StateDiff has no base state to apply to (no initial state, full state or "
                    "checkpoint yet)");
        return std::nullopt;
    }
    auto patch = protocol::stateDiffPatch(diff, options_.maxStateBytes);
    if (!patch) {
        problem(m, "bad_operation", "a StateDiff " + patch.error().message);
        return std::nullopt;
    }
    json next = *current_;
    try {
        protocol::patchJsonInPlace(next, *patch);
        (void)patch->dump(); // throws on invalid UTF-8 (RAW values), as printing would
    } catch (const json::exception& e) {
        problem(m, "patch_failed",
                "a StateDiff does not apply: " +
                    protocol::describePatchFailure(diff, *current_, *patch, e.what()) +
                    "; the state is unknown until a full state or a checkpoint");
        return std::nullopt;
    }
    pending.patch = std::move(*patch);
    return next;
}

void Builder::onStateDiff(const ds::StateDiff& diff, const RecordedMessage& m)
{
    PendingDiff pending;
    pending.record = m.record;
    pending.hash = diff.state_hash();
    if (auto next = rebuild(diff, m, pending)) {
        pending.verdict = verdictOf(protocol::verifyStateHash(*next, pending.hash));
        if (pending.verdict == StepVerdict::Mismatch)
            problem(m, "hash_mismatch",
                    "state hash mismatch: the state rebuilt from the StateDiffs differs from "
                    "the producer's");
        current_ = std::make_shared<const json>(std::move(*next));
    } else {
        pending.verdict = StepVerdict::NotApplied;
        current_.reset();
    }
    if (!open_.empty()) {
        if (nodeDiff_) { // two diffs in one node: its output is both
            for (json& op : pending.patch)
                nodeDiff_->patch.push_back(std::move(op));
            pending.patch = std::move(nodeDiff_->patch);
        }
        nodeDiff_ = std::move(pending);
        return;
    }
    if (!routingAfterUpdate_)
        settleRouting();
    between_.push_back(RecordedUpdate{m.record, std::move(pending.patch), std::move(pending.hash),
                                      pending.verdict, routingAfterUpdate_});
}

void Builder::onCheckpoint(const ds::Checkpoint& checkpoint, const RecordedMessage& m)
{
    auto state = protocol::decodeCheckpointState(checkpoint, options_.maxStateBytes);
    if (!state) {
        problem(m,
                state.error().kind == protocol::StateError::Kind::ChecksumMismatch
                    ? "checksum_mismatch"
                    : "invalid_checkpoint",
                "a Checkpoint is not used: " + state.error().message);
        return;
    }
    if (current_ && *current_ == *state)
        return;
    if (current_)
        problem(m, "checkpoint_differs",
                "a Checkpoint's state differs from the state rebuilt so far; the checkpoint's "
                "is used from here on");
    current_ = std::make_shared<const json>(std::move(*state));
}

void Builder::onMetrics(const ds::Metrics& metrics)
{
    if (metrics.scope() != "node")
        return;
    RecordedExecution* e = open(metrics.scope_id());
    if (!e)
        e = latest(metrics.scope_id());
    if (!e)
        return;
    const auto& values = metrics.metrics();
    auto integer = [&](const char* key) -> std::int64_t {
        const auto it = values.find(key);
        return it == values.end() ? 0 : it->second.int_value();
    };
    e->promptTokens = integer("prompt_tokens");
    e->completionTokens = integer("completion_tokens");
    if (const auto it = values.find("cost_usd"); it != values.end())
        e->costUsd = it->second.float_value();
    if (const auto it = metrics.tags().find("model"); it != metrics.tags().end())
        e->model = it->second;
}

void Builder::onError(const ds::Error& error)
{
    if (error.severity() != ds::Error::SEVERITY_FATAL)
        return;
    if (r_.error.empty())
        r_.error = error.message();
    if (const auto it = error.context().find("node");
        it != error.context().end() && r_.failedNode.empty())
        r_.failedNode = it->second;
}

RecordedExecution* Builder::open(const std::string& node)
{
    for (const std::size_t index : open_)
        if (r_.executions[index].node == node)
            return &r_.executions[index];
    return nullptr;
}

RecordedExecution* Builder::latest(const std::string& node)
{
    for (auto it = r_.executions.rbegin(); it != r_.executions.rend(); ++it)
        if (it->node == node)
            return &*it;
    return nullptr;
}

// The state the last step's nodes route on, once nothing more can change it.
void Builder::settleRouting()
{
    for (auto it = r_.executions.rbegin(); it != r_.executions.rend(); ++it) {
        if (it->superStep != superStep_)
            break;
        if (!it->routingState && (it->finished || it->failed))
            it->routingState = current_;
    }
}

void Builder::finish()
{
    settleRouting();
    if (nodeDiff_ && !open_.empty()) { // the input ends between a StateDiff and its NODE_END
        RecordedExecution& e = r_.executions[open_.back()];
        e.hasStateDiff = true;
        e.output = std::move(nodeDiff_->patch);
        e.recordedHash = nodeDiff_->hash;
        e.verdict = nodeDiff_->verdict;
        e.stateAfter = current_;
    }
    orderBranchesByEnd();
    r_.finalUpdates = std::exchange(between_, {});
    r_.finalState = current_;
    r_.status = ended_                                        ? RecordingStatus::Completed
                : !r_.failedNode.empty() || !r_.error.empty() ? RecordingStatus::Failed
                                                              : RecordingStatus::Incomplete;
    auto& executions = r_.executions;
    for (std::size_t i = 0; i < executions.size(); ++i) {
        RecordedExecution& e = executions[i];
        if (!e.routingState) {
            std::size_t last = i;
            while (last + 1 < executions.size() && executions[last + 1].superStep == e.superStep)
                ++last;
            e.routingState = executions[last].stateAfter;
        }
        if (e.nextSource == NextSource::Edges || e.failed)
            continue;
        std::size_t next = i + 1;
        while (next < executions.size() && executions[next].superStep == e.superStep)
            ++next;
        if (next < executions.size()) {
            e.nextSource = NextSource::NextNodeStart;
            for (std::size_t j = next;
                 j < executions.size() && executions[j].superStep == executions[next].superStep;
                 ++j)
                e.next.push_back(executions[j].node);
        } else if (ended_ && e.finished) {
            e.nextSource = NextSource::RunEnd;
            e.next = {kEndNode};
        }
    }
}

// The branches of a parallel step start together and end in any order; their
// StateDiffs chain in the order they end, so that is the order of the steps.
void Builder::orderBranchesByEnd()
{
    auto& executions = r_.executions;
    const auto rank = [this](const RecordedExecution& e) {
        return endOrder_[e.index] == 0 ? ~std::uint64_t(0) : endOrder_[e.index];
    };
    for (std::size_t first = 0; first < executions.size();) {
        std::size_t end = first + 1;
        while (end < executions.size() && executions[end].superStep == executions[first].superStep)
            ++end;
        std::vector<RecordedUpdate> updates; // they came before the step: keep them first
        for (std::size_t i = first; i < end; ++i)
            for (RecordedUpdate& update : std::exchange(executions[i].updatesBefore, {}))
                updates.push_back(std::move(update));
        std::stable_sort(executions.begin() + long(first), executions.begin() + long(end),
                         [&](const RecordedExecution& a, const RecordedExecution& b) {
                             return rank(a) < rank(b);
                         });
        executions[first].updatesBefore = std::move(updates);
        first = end;
    }
    for (std::size_t i = 0; i < executions.size(); ++i)
        executions[i].index = i;
}

} // namespace

void buildRecording(const std::vector<RecordedMessage>& run, const RecordingOptions& options,
                    Recording& recording)
{
    Builder builder(options, recording);
    for (std::size_t i = 0; i < run.size(); ++i) {
        if (!reportProgress(options.progress, i, run.size())) {
            recording.cancelled = true;
            return;
        }
        builder.add(run[i]);
    }
    builder.finish();
    if (!reportProgress(options.progress, run.size(), run.size()))
        recording.cancelled = true;
}

} // namespace detail
} // namespace nexus::runtime
