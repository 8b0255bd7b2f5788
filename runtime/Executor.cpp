#include "runtime/Executor.h"

#include "protocol/Ids.h"
#include "runtime/Routing.h"
#include "runtime/StepRunner.h"

#include <algorithm>

namespace nexus::runtime {

using json = nlohmann::json;

const char* runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::NotStarted:
        return "not_started";
    case RunStatus::Interrupted:
        return "interrupted";
    case RunStatus::Completed:
        return "completed";
    case RunStatus::Failed:
        return "failed";
    case RunStatus::NeedsOutput:
        return "needs_output";
    }
    return "not_started";
}

namespace {

// The telemetry id stream is separate from behaviour draws, so adding a
// message somewhere never changes what a seeded run does.
std::optional<std::uint64_t> idSeed(const std::optional<std::uint64_t>& seed)
{
    if (!seed)
        return std::nullopt;
    return *seed ^ 0x6e657875735f6964ULL; // "nexus_id"
}

void addTotals(RunTotals& totals, const NodeOutcome& outcome)
{
    if (outcome.llm) {
        totals.promptTokens += outcome.llm->promptTokens;
        totals.completionTokens += outcome.llm->completionTokens;
        totals.costUsd += outcome.llm->costUsd;
    }
    totals.toolCalls += std::int64_t(outcome.tools.size());
}

} // namespace

Executor::Executor(Graph graph, RunOptions options, ExecutionObserver* observer)
    : graph_(std::move(graph)), options_(std::move(options)),
      observer_(observer ? observer : &silent_), rng_(options_.seed), idRng_(idSeed(options_.seed))
{
    if (options_.clock) {
        clock_ = options_.clock;
    } else {
        const std::int64_t start =
            options_.startTimeUs.value_or(options_.seed ? kSeededEpochUs : wallClockUs());
        ownedClock_ = std::make_unique<SimulatedClock>(start);
        clock_ = ownedClock_.get();
    }
    if (options_.checkpointSaver) {
        saver_ = options_.checkpointSaver;
    } else {
        ownedSaver_ = std::make_unique<InMemoryCheckpointSaver>();
        saver_ = ownedSaver_.get();
    }
    threadId_ = options_.threadId.empty() ? "run-" + protocol::uuidToString(idRng_.uuidBytes())
                                          : options_.threadId;
    recursionLimit_ =
        std::min(options_.recursionLimit.value_or(graph_.recursionLimit), kMaxRecursionLimit);
    interrupts_ = graph_.interrupts;
    for (const auto& node : options_.interruptBefore)
        interrupts_.push_back({node, InterruptWhen::Before, json::object()});
    for (const auto& node : options_.interruptAfter)
        interrupts_.push_back({node, InterruptWhen::After, json::object()});
}

Executor::~Executor() = default;

void Executor::begin(const json& initialState)
{
    state_ = initialState;
    startUs_ = now();
    visits_.clear();
    result_ = RunResult{};
    observer_->graphStarted(RunInfo{&graph_, threadId_, options_.tenantId, options_.seed}, state_,
                            startUs_);
}

RunResult Executor::start(const json& input)
{
    if (result_.status != RunStatus::NotStarted)
        return refuse(makeError(ErrorCode::InvalidState,
                                "this executor has already run; create a new one for a new run"));
    json initial = graph_.initialState.is_object() ? graph_.initialState : json::object();
    initial.merge_patch(input);
    begin(initial);
    frontier_ = {graph_.entryPoint};
    return drive();
}

RunResult Executor::startFrom(const Checkpoint& checkpoint, const json& update)
{
    if (result_.status != RunStatus::NotStarted)
        return refuse(makeError(ErrorCode::InvalidState, "startFrom needs a fresh executor"));
    json state = checkpoint.state;
    state.merge_patch(update);
    begin(state);
    visits_ = options_.initialVisits;
    result_.steps = checkpoint.step;
    lastCheckpointId_ = checkpoint.id;
    routeFrom_ = checkpoint.nodes;
    if (checkpoint.nodes.empty())
        frontier_ = {graph_.entryPoint};
    return drive();
}

RunResult Executor::resume(const json& update)
{
    if (result_.status == RunStatus::NeedsOutput) {
        const std::string node = std::exchange(result_.needsOutput, {});
        if (!update.is_null() && !update.empty()) {
            state_.merge_patch(update);
            observer_->resumed(node, InterruptWhen::Before, state_, now());
        }
        skipBeforeInterrupt_ = true; // the frontier passed its interrupts already
        return drive();
    }
    if (result_.status != RunStatus::Interrupted || !result_.interrupt)
        return refuse(makeError(ErrorCode::InvalidState, "resume needs an interrupted run"));
    const PendingInterrupt pending = *result_.interrupt;
    result_.interrupt.reset();
    if (!update.is_null() && !update.empty())
        state_.merge_patch(update);
    observer_->resumed(pending.node, pending.when, state_, now());
    skipBeforeInterrupt_ = pending.when == InterruptWhen::Before;
    return drive();
}

RunResult Executor::drive()
{
    for (;;) {
        if (!routeFrom_.empty()) {
            const auto completed = std::exchange(routeFrom_, {});
            if (!route(completed))
                return result_;
        }
        if (frontier_.empty()) {
            result_.status = RunStatus::Completed;
            result_.state = state_;
            result_.durationUs = now() - startUs_;
            observer_->graphFinished(state_, result_.durationUs, now());
            return result_;
        }
        if (!std::exchange(skipBeforeInterrupt_, false) && interruptBefore(frontier_))
            return result_;
        if (result_.steps >= recursionLimit_)
            return fail(makeError(ErrorCode::RecursionLimit,
                                  "recursion limit of " + std::to_string(recursionLimit_) +
                                      " steps reached before running \"" + frontier_.front() +
                                      "\""),
                        {});
        if (needsOutput(frontier_))
            return result_;
        const auto frontier = std::exchange(frontier_, {});
        if (!runStep(frontier))
            return result_;
        routeFrom_ = frontier;
        if (interruptAfter(frontier))
            return result_;
    }
}

bool Executor::interruptBefore(const std::vector<std::string>& frontier)
{
    for (const auto& node : frontier)
        for (const InterruptPoint& point : interrupts_)
            if (point.node == node && point.when == InterruptWhen::Before) {
                result_.status = RunStatus::Interrupted;
                result_.interrupt = PendingInterrupt{node, point.when, point.autoResume};
                result_.state = state_;
                result_.durationUs = now() - startUs_;
                frontier_ = frontier;
                observer_->interrupted(node, point.when, now());
                return true;
            }
    return false;
}

bool Executor::interruptAfter(const std::vector<std::string>& completed)
{
    for (const auto& node : completed)
        for (const InterruptPoint& point : interrupts_)
            if (point.node == node && point.when == InterruptWhen::After) {
                result_.status = RunStatus::Interrupted;
                result_.interrupt = PendingInterrupt{node, point.when, point.autoResume};
                result_.state = state_;
                result_.durationUs = now() - startUs_;
                observer_->interrupted(node, point.when, now());
                return true;
            }
    return false;
}

// Asks the provider for every unscripted node of the frontier; stops the run
// (frontier kept, nothing emitted) when one has no output.
bool Executor::needsOutput(const std::vector<std::string>& frontier)
{
    provided_.clear();
    if (!options_.outputProvider)
        return false;
    for (const auto& name : frontier) {
        const Node* node = graph_.findNode(name);
        if (node && node->script)
            continue;
        const auto visit = visits_.count(name) ? visits_.at(name) + 1 : 1;
        auto outcome = options_.outputProvider(name, visit, state_);
        if (!outcome) {
            provided_.clear();
            result_.status = RunStatus::NeedsOutput;
            result_.needsOutput = name;
            result_.state = state_;
            result_.durationUs = now() - startUs_;
            return true;
        }
        provided_[name] = std::move(*outcome);
    }
    return false;
}

bool Executor::runStep(const std::vector<std::string>& frontier)
{
    ++result_.steps;
    StepContext context{graph_,        rng_,      *clock_,          *observer_, visits_,
                        result_.steps, threadId_, options_.effects, &provided_};
    StepOutput out = nexus::runtime::runStep(context, frontier, state_);
    for (const NodeOutcome& outcome : out.outcomes)
        addTotals(result_.totals, outcome);
    if (out.failed) {
        fail(makeError(ErrorCode::NodeFailed,
                       "node \"" + out.failedNode + "\" failed: " + out.error),
             out.failedNode);
        return false;
    }
    result_.path.insert(result_.path.end(), frontier.begin(), frontier.end());
    state_ = std::move(out.state);
    saveCheckpoint(frontier);
    return true;
}

bool Executor::route(const std::vector<std::string>& completed)
{
    std::vector<std::string> targets;
    for (const auto& from : completed)
        if (!chooseRoute(from, targets))
            return false;
    frontier_ = nextFrontier(targets); // __end__ only ends the run when no other branch goes on
    return true;
}

bool Executor::chooseRoute(const std::string& from, std::vector<std::string>& next)
{
    const RouteOutcome outcome = routeFrom(graph_, from, state_);
    if (outcome.status != RouteOutcome::Status::Routed) {
        fail(makeError(outcome.status == RouteOutcome::Status::NotRoutable ? ErrorCode::NotRoutable
                                                                           : ErrorCode::NoRoute,
                       outcome.message),
             from);
        return false;
    }
    for (const Edge* edge : outcome.taken)
        observer_->edgeTaken(*edge, now());
    next.insert(next.end(), outcome.targets.begin(), outcome.targets.end());
    return true;
}

void Executor::saveCheckpoint(const std::vector<std::string>& nodes)
{
    Checkpoint checkpoint;
    checkpoint.id = protocol::uuidToString(idRng_.uuidBytes());
    checkpoint.parentId = lastCheckpointId_;
    checkpoint.threadId = threadId_;
    checkpoint.step = result_.steps;
    checkpoint.nodes = nodes;
    checkpoint.state = state_;
    checkpoint.timestampUs = now();
    saver_->save(checkpoint);
    lastCheckpointId_ = checkpoint.id;
}

// A call in the wrong state changes nothing; the caller gets the error.
RunResult Executor::refuse(RuntimeError error) const
{
    RunResult refused = result_;
    refused.error = std::move(error);
    return refused;
}

RunResult Executor::fail(RuntimeError error, const std::string& node)
{
    result_.status = RunStatus::Failed;
    result_.state = state_;
    result_.failedNode = node;
    result_.durationUs = now() - startUs_;
    observer_->runFailed(error, node, now());
    result_.error = std::move(error);
    return result_;
}

} // namespace nexus::runtime
