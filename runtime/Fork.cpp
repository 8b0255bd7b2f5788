#include "runtime/Fork.h"

#include "protocol/StateOps.h"

#include <fstream>

namespace nexus::runtime {

using json = nlohmann::json;

namespace {

// A graph file gives every node a script object; one without any behaviour
// key says nothing about what the node does, so in a fork the recording
// (or the user) is asked instead of running it as a no-op.
bool saysNothing(const NodeScript& script)
{
    return script.updates.empty() && !script.llm && script.tools.empty() && !script.quality &&
           script.warnings.empty() && script.errorProbability == 0 &&
           script.latencyMs.kind == Distribution::Kind::Fixed && script.latencyMs.a == 0;
}

} // namespace

const char* outputSourceName(OutputSource source)
{
    switch (source) {
    case OutputSource::Script:
        return "script";
    case OutputSource::RecordedSameVisit:
        return "recorded_same_visit";
    case OutputSource::RecordedLatest:
        return "recorded_latest";
    case OutputSource::Typed:
        return "typed";
    case OutputSource::NoOp:
        return "no_op";
    }
    return "script";
}

const char* forkStatusName(ForkStatus status)
{
    switch (status) {
    case ForkStatus::Completed:
        return "completed";
    case ForkStatus::Failed:
        return "failed";
    case ForkStatus::NeedsOutput:
        return "needs_output";
    case ForkStatus::Interrupted:
        return "interrupted";
    }
    return "failed";
}

Result<std::unique_ptr<Fork>> Fork::create(const Recording& origin, Graph graph,
                                           std::size_t position, json state, ForkOptions options)
{
    const auto& executions = origin.executions;
    if (position > executions.size())
        return makeError(ErrorCode::InvalidState,
                         "position " + std::to_string(position) + " is past the end of the run (" +
                             std::to_string(executions.size()) + " steps)");
    if (position > 0 && position < executions.size() &&
        executions[position - 1].superStep == executions[position].superStep) {
        const std::int64_t superStep = executions[position].superStep;
        std::size_t first = position, last = position;
        while (first > 0 && executions[first - 1].superStep == superStep)
            --first;
        while (last + 1 < executions.size() && executions[last + 1].superStep == superStep)
            ++last;
        return makeError(ErrorCode::InvalidState,
                         "position " + std::to_string(position) +
                             " is between the branches of a parallel step; fork at position " +
                             std::to_string(first) + " (before it) or " + std::to_string(last + 1) +
                             " (after it)");
    }
    if (!state.is_object())
        return makeError(ErrorCode::InvalidJson, "the edited state must be a JSON object");
    if (!protocol::jsonDepthWithin(state.dump(-1, ' ', false, json::error_handler_t::replace)))
        return makeError(ErrorCode::InvalidJson, "the edited state is nested deeper than " +
                                                     std::to_string(protocol::kMaxStateDepth) +
                                                     " levels");
    return std::unique_ptr<Fork>(
        new Fork(origin, std::move(graph), position, std::move(state), std::move(options)));
}

Fork::Fork(const Recording& origin, Graph graph, std::size_t position, json state,
           ForkOptions options)
    : position_(position), options_(std::move(options))
{
    const auto& executions = origin.executions;
    for (const RecordedExecution& e : executions) {
        if (e.index < position)
            priorVisits_[e.node] = e.visit;
        if (!e.finished || e.failed)
            continue;
        recorded_[e.node].push_back({e.visit, e.index + 1, e.output, e.durationUs, e.promptTokens,
                                     e.completionTokens, e.costUsd, e.model});
    }
    checkpoint_.threadId = origin.threadId;
    checkpoint_.state = std::move(state);
    RunOptions run;
    if (position > 0) {
        const RecordedExecution& last = executions[position - 1];
        checkpoint_.step = last.superStep;
        for (const RecordedExecution& e : executions)
            if (e.superStep == last.superStep)
                checkpoint_.nodes.push_back(e.node);
        if (last.endUs > 0)
            run.startTimeUs = last.endUs;
    } else if (origin.startUs > 0) {
        run.startTimeUs = origin.startUs;
    }
    TelemetryOptions telemetry = options_.telemetry;
    telemetry.runAttributes["forked_from_thread"] = origin.threadId;
    telemetry.runAttributes["forked_from_step"] = std::to_string(position);
    emitter_ = std::make_unique<TelemetryEmitter>(sink_, telemetry);
    run.seed = options_.seed;
    run.threadId = options_.threadId.empty()
                       ? origin.threadId + "~fork" + std::to_string(options_.forkNumber)
                       : options_.threadId;
    run.initialVisits = priorVisits_;
    run.outputProvider = [this](const std::string& node, std::int64_t visit, const json& s) {
        return provide(node, visit, s);
    };
    for (Node& node : graph.nodes)
        if (node.script && saysNothing(*node.script))
            node.script.reset();
    executor_ = std::make_unique<Executor>(std::move(graph), std::move(run), emitter_.get());
}

Fork::~Fork() = default;

const std::string& Fork::threadId() const
{
    return executor_->threadId();
}

std::optional<NodeOutcome> Fork::provide(const std::string& node, std::int64_t visit,
                                         const json& state)
{
    missing_.reset();
    const Key key{node, visit};
    if (const auto typed = typed_.find(key); typed != typed_.end()) {
        NodeOutcome outcome;
        outcome.state = state;
        outcome.state.merge_patch(typed->second);
        sources_[key] = {OutputSource::Typed, 0};
        return outcome;
    }
    if (const auto it = recorded_.find(node); it != recorded_.end()) {
        for (const RecordedOutput& recorded : it->second)
            if (recorded.visit == visit)
                return reuse(node, recorded, state, visit, OutputSource::RecordedSameVisit);
        return reuse(node, it->second.back(), state, visit, OutputSource::RecordedLatest);
    }
    missing_ = NeedsOutput{node, visit,
                           "the graph gives \"" + node +
                               "\" no script and the recording has no finished execution of it",
                           state};
    return std::nullopt;
}

std::optional<NodeOutcome> Fork::reuse(const std::string& node, const RecordedOutput& recorded,
                                       const json& state, std::int64_t visit, OutputSource source)
{
    NodeOutcome outcome;
    try {
        outcome.state = state;
        outcome.state.patch_inplace(recorded.patch);
    } catch (const json::exception& e) {
        missing_ = NeedsOutput{node, visit,
                               "the recorded output of \"" + node + "\" (step " +
                                   std::to_string(recorded.step) +
                                   ") does not apply to this state: " + e.what(),
                               state};
        return std::nullopt;
    }
    outcome.latencyUs = recorded.durationUs;
    if (recorded.promptTokens > 0 || recorded.completionTokens > 0)
        outcome.llm =
            LlmUsage{recorded.model,   {}, recorded.promptTokens, recorded.completionTokens,
                     recorded.costUsd, {}};
    sources_[{node, visit}] = {source, recorded.step};
    return outcome;
}

Result<ForkResult> Fork::settle(RunResult run)
{
    while (run.status == RunStatus::Interrupted && options_.autoResume && run.interrupt)
        run = executor_->resume(run.interrupt->autoResume);
    result_ = ForkResult{};
    switch (run.status) {
    case RunStatus::Completed:
        result_.status = ForkStatus::Completed;
        break;
    case RunStatus::Interrupted:
        result_.status = ForkStatus::Interrupted;
        break;
    case RunStatus::NeedsOutput:
        result_.status = ForkStatus::NeedsOutput;
        result_.needsOutput = missing_;
        if (!result_.needsOutput)
            result_.needsOutput = NeedsOutput{run.needsOutput, 1, "no output", run.state};
        break;
    case RunStatus::NotStarted:
    case RunStatus::Failed:
        result_.status = ForkStatus::Failed;
        break;
    }
    std::map<std::string, std::int64_t> visits = priorVisits_;
    for (const std::string& node : run.path) {
        ForkedNode forked{node, ++visits[node], OutputSource::Script, 0};
        if (const auto it = sources_.find({node, forked.visit}); it != sources_.end()) {
            forked.source = it->second.first;
            forked.recordedStep = it->second.second;
        } else {
            const Node* known = executor_->graph().findNode(node);
            forked.source = known && known->script ? OutputSource::Script : OutputSource::NoOp;
        }
        result_.nodes.push_back(std::move(forked));
    }
    result_.run = std::move(run);
    return result_;
}

Result<ForkResult> Fork::start()
{
    if (started_)
        return makeError(ErrorCode::InvalidState, "this fork has already started");
    started_ = true;
    return settle(executor_->startFrom(checkpoint_));
}

Result<ForkResult> Fork::provideOutput(const json& output)
{
    if (result_.status != ForkStatus::NeedsOutput || !result_.needsOutput)
        return makeError(ErrorCode::InvalidState, "the fork is not waiting for a node's output");
    if (!output.is_object())
        return makeError(ErrorCode::InvalidJson,
                         "the output of \"" + result_.needsOutput->node +
                             "\" must be a JSON object (it is merged into the state)");
    typed_[{result_.needsOutput->node, result_.needsOutput->visit}] = output;
    return settle(executor_->resume(json::object()));
}

Result<ForkResult> Fork::resume(const json& update)
{
    if (result_.status != ForkStatus::Interrupted)
        return makeError(ErrorCode::InvalidState, "the fork is not stopped at an interrupt");
    if (!update.is_object())
        return makeError(ErrorCode::InvalidJson, "the update must be a JSON object");
    return settle(executor_->resume(update));
}

Status Fork::writeDstrace(std::ostream& out) const
{
    DstraceSink sink(out);
    for (const ds::DashStreamMessage& message : sink_.messages())
        if (auto status = sink.publish(message); !status)
            return status;
    return sink.flush();
}

Status Fork::writeDstraceFile(const std::string& path) const
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return makeError(ErrorCode::IoError, "cannot write " + path);
    return writeDstrace(out);
}

Recording Fork::recording() const
{
    RecordingOptions options;
    options.threadId = threadId();
    return readRecording(sink_.messages(), options);
}

} // namespace nexus::runtime
