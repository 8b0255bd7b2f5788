#include "server/rollout/RolloutController.h"

#include "protocol/Ids.h"
#include "server/rollout/CanaryAnalysis.h"
#include "server/rollout/RolloutPlan.h"
#include "server/rollout/RolloutSteps.h"

#include <functional>

namespace nexus::server {

namespace {

constexpr std::int64_t kMicros = 1'000'000;

using Code = RolloutError::Code;

RolloutError fromStore(const StoreError& e)
{
    switch (e.code) {
    case StoreError::Code::NotFound:
        return {Code::NotFound, e.message};
    case StoreError::Code::Stale:
        return {Code::Stale, e.message};
    case StoreError::Code::AlreadyExists:
        return {Code::FailedPrecondition, e.message};
    case StoreError::Code::Invalid:
        return {Code::Invalid, e.message};
    case StoreError::Code::Io:
        break;
    }
    return {Code::Io, e.message};
}

const char* phaseName(pb::RolloutPhase phase)
{
    switch (phase) {
    case pb::ROLLOUT_PHASE_PROGRESSING:
        return "progressing";
    case pb::ROLLOUT_PHASE_PAUSED:
        return "paused";
    case pb::ROLLOUT_PHASE_PROMOTED:
        return "promoted";
    case pb::ROLLOUT_PHASE_ABORTED:
        return "aborted";
    case pb::ROLLOUT_PHASE_ROLLED_BACK:
        return "rolled back";
    default:
        return "in no phase";
    }
}

RolloutError wrongPhase(const pb::Rollout& r, const std::string& what)
{
    return {Code::FailedPrecondition,
            "rollout " + r.rollout_id() + " is " + phaseName(r.phase()) + ": " + what};
}

std::string staleMessage(const pb::Rollout& r, std::int64_t seen)
{
    std::string message = "rollout " + r.rollout_id() + " is at revision " +
                          std::to_string(r.revision()) + ", not " + std::to_string(seen);
    if (r.history_size() > 0) {
        const pb::RolloutEvent& last = r.history(r.history_size() - 1);
        message +=
            " (last change: " + last.kind() + " by " + last.actor() + ": " + last.detail() + ")";
    }
    return message;
}

} // namespace

RolloutError rolloutErrorFromStore(const StoreError& error)
{
    return fromStore(error);
}

struct RolloutController::Mutation
{
    std::function<std::optional<RolloutError>(pb::Rollout&)> apply;
};

RolloutController::RolloutController(Store& store, EventHub& events,
                                     RolloutControllerOptions options)
    : store_(store), events_(events), options_(std::move(options))
{
    auto guardrails = normalizeGuardrails(options_.guardrails, defaultGuardrails());
    options_.guardrails = guardrails ? *guardrails : defaultGuardrails();
    if (options_.analysisWindowSeconds <= 0)
        options_.analysisWindowSeconds = 300;
    if (options_.guardrailWindowSeconds <= 0)
        options_.guardrailWindowSeconds = 300;
    if (options_.defaultSteps.empty())
        options_.defaultSteps =
            defaultRolloutPlan(options_.analysisWindowSeconds, options_.guardrails.min_samples());
    reloadRoutes();
}

StepContext RolloutController::stepContext(std::int64_t nowUs, const std::string& actor) const
{
    StepContext ctx;
    ctx.nowUs = nowUs;
    ctx.actor = actor;
    ctx.scoring = options_.scoring;
    ctx.samples = [this, nowUs](const pb::Rollout& r,
                                std::int64_t sinceUs) -> StoreResult<CanarySamples> {
        SampleQuery q;
        q.rolloutId = r.rollout_id();
        if (!r.tenant_id().empty()) // a tenant's canary is judged on that tenant's runs only
            q.tenants = {r.tenant_id()};
        q.sinceUs = sinceUs;
        q.untilUs = nowUs + 1;
        auto runs = store_.runSamples(q);
        if (!runs)
            return runs.error();
        return splitSamples(std::move(*runs), r);
    };
    return ctx;
}

// --- launch

RolloutResult RolloutController::launch(const std::string& versionId,
                                        std::vector<pb::RolloutStep> steps,
                                        const pb::Guardrails& guardrails, const std::string& actor,
                                        const std::string& requestId, std::int64_t nowUs)
{
    pb::LaunchRolloutRequest request;
    request.set_version_id(versionId);
    for (auto& step : steps)
        *request.add_steps() = std::move(step);
    *request.mutable_guardrails() = guardrails;
    request.set_request_id(requestId);
    return launch(request, Caller{actor, {}, {}}, nowUs);
}

RolloutResult RolloutController::launch(const pb::LaunchRolloutRequest& request,
                                        const Caller& caller, std::int64_t nowUs)
{
    std::lock_guard lock(actionsMutex_);
    const std::string& requestId = request.request_id();
    if (auto replayed = replay(requestId, {}))
        return *replayed;
    auto refused = [&](RolloutError e) {
        return refuse(std::move(e), "launch", caller, request.version_id(), requestId, nowUs);
    };

    const auto version = store_.version(request.version_id());
    if (!version)
        return refused(fromStore(version.error()));
    if (!version->has_value())
        return refused({Code::NotFound, "no optimization version " + request.version_id()});
    const pb::OptimizationVersion& v = **version;
    if (v.state() != pb::VERSION_STATE_CANDIDATE)
        return refused({Code::FailedPrecondition, "version " + v.version_id() + " is " +
                                                      pb::VersionState_Name(v.state()) +
                                                      "; only a CANDIDATE can be launched"});
    if (auto unreviewed = unapprovedSource(v))
        return refused(std::move(*unreviewed));

    const auto active = store_.listRollouts(true, v.graph_name());
    if (!active)
        return refused(fromStore(active.error()));
    if (!active->empty())
        return refused({Code::FailedPrecondition, "graph " + v.graph_name() +
                                                      " already has an active rollout " +
                                                      active->front().rollout_id() + " (version " +
                                                      active->front().version_id() + ")"});

    const auto guardrails = normalizeGuardrails(request.guardrails(), options_.guardrails);
    if (!guardrails)
        return refused(fromStore(guardrails.error()));
    std::vector<pb::RolloutStep> steps(request.steps().begin(), request.steps().end());
    if (steps.empty())
        steps = options_.defaultSteps;
    const auto plan =
        normalizeSteps(std::move(steps), options_.analysisWindowSeconds, guardrails->min_samples());
    if (!plan)
        return refused(fromStore(plan.error()));

    const auto versions = store_.listVersions(v.graph_name(), v.node_id());
    if (!versions)
        return refused(fromStore(versions.error()));
    std::string baseline;
    for (const auto& other : *versions)
        if (other.state() == pb::VERSION_STATE_LIVE && other.node_id() == v.node_id())
            baseline = other.version_id();

    pb::Rollout r;
    r.set_rollout_id(protocol::newUuidString());
    r.set_version_id(v.version_id());
    r.set_baseline_version_id(baseline);
    r.set_graph_name(v.graph_name());
    r.set_node_id(v.node_id());
    r.set_tenant_id(request.tenant_id());
    for (const auto& step : *plan)
        *r.add_steps() = step;
    *r.mutable_guardrails() = *guardrails;
    r.set_phase(pb::ROLLOUT_PHASE_PROGRESSING);
    r.set_created_us(nowUs);
    r.set_updated_us(nowUs);
    r.set_step_started_us(nowUs);
    r.set_created_by(caller.actor);
    addEvent(r, nowUs, "launched",
             "version " + v.version_id() + " against " +
                 (baseline.empty() ? std::string("the graph as shipped") : "version " + baseline) +
                 ", " + std::to_string(r.steps_size()) + " steps",
             caller.actor);
    if (r.steps_size() > 0)
        addEvent(r, nowUs, "step",
                 "step 1/" + std::to_string(r.steps_size()) + ": " + describeStep(r.steps(0)),
                 kControllerActor);
    if (auto ran = runSteps(r, stepContext(nowUs, caller.actor)); !ran)
        return refused(fromStore(ran.error()));

    const auto created = store_.createRollout(r);
    if (!created)
        return refused(fromStore(created.error()));
    pb::Rollout before;
    before.set_phase(pb::ROLLOUT_PHASE_UNSPECIFIED);
    applyVersionEffects(before, *created);
    audit(caller, "rollout.launch", created->rollout_id(), "ok", requestId,
          "version " + v.version_id(), nowUs);
    if (!requestId.empty())
        store_.rememberRequest(requestId, "rollout.launch", created->SerializeAsString(), nowUs);
    updateRoute(*created);
    events_.rollouts.publish(*created);
    return *created;
}

// --- actions on a rollout

RolloutResult RolloutController::setWeight(const pb::RolloutActionRequest& request,
                                           const Caller& caller, std::int64_t nowUs)
{
    const int weight = request.weight_percent();
    return act("set_weight", request, caller, nowUs,
               {[&](pb::Rollout& r) -> std::optional<RolloutError> {
                   if (weight < 0 || weight > 100)
                       return RolloutError{Code::Invalid, "a weight is a percentage, 0 to 100"};
                   if (!isActive(r))
                       return wrongPhase(r, "only an active rollout's weight can change");
                   r.set_weight_percent(weight);
                   addEvent(r, nowUs, "weight", "weight " + std::to_string(weight) + " % by hand",
                            caller.actor);
                   return std::nullopt;
               }});
}

RolloutResult RolloutController::pause(const pb::RolloutActionRequest& request,
                                       const Caller& caller, std::int64_t nowUs)
{
    return act("pause", request, caller, nowUs,
               {[&](pb::Rollout& r) -> std::optional<RolloutError> {
                   if (!isActive(r))
                       return wrongPhase(r, "only an active rollout can be paused");
                   if (r.phase() == pb::ROLLOUT_PHASE_PAUSED && !r.paused_by_step())
                       return wrongPhase(r, "it is already paused; resume it first");
                   // Taking over a pause step: it no longer ends by itself.
                   r.set_phase(pb::ROLLOUT_PHASE_PAUSED);
                   r.set_paused_by_step(false);
                   addEvent(r, nowUs, "paused", "paused by hand", caller.actor);
                   return std::nullopt;
               }});
}

RolloutResult RolloutController::resume(const pb::RolloutActionRequest& request,
                                        const Caller& caller, std::int64_t nowUs)
{
    return act("resume", request, caller, nowUs,
               {[&](pb::Rollout& r) -> std::optional<RolloutError> {
                   if (r.phase() != pb::ROLLOUT_PHASE_PAUSED)
                       return wrongPhase(r, "only a paused rollout can be resumed");
                   if (r.paused_by_step())
                       return wrongPhase(r, "it waits at a pause step of its plan; promote it "
                                            "to go on");
                   r.set_phase(pb::ROLLOUT_PHASE_PROGRESSING);
                   r.set_step_started_us(nowUs); // the current step starts over
                   addEvent(r, nowUs, "resumed", "resumed by hand", caller.actor);
                   if (auto ran = runSteps(r, stepContext(nowUs, caller.actor)); !ran)
                       return fromStore(ran.error());
                   return std::nullopt;
               }});
}

RolloutResult RolloutController::promote(const pb::RolloutActionRequest& request,
                                         const Caller& caller, std::int64_t nowUs)
{
    const bool full = request.full();
    return act("promote", request, caller, nowUs,
               {[&](pb::Rollout& r) -> std::optional<RolloutError> {
                   if (!isActive(r))
                       return wrongPhase(r, "only an active rollout can be promoted");
                   if (full) {
                       markPromoted(r, nowUs, caller.actor,
                                    "promoted to 100 % by hand from step " +
                                        std::to_string(r.current_step() + 1) + "/" +
                                        std::to_string(r.steps_size()));
                       return std::nullopt;
                   }
                   r.set_phase(pb::ROLLOUT_PHASE_PROGRESSING);
                   r.set_paused_by_step(false);
                   addEvent(r, nowUs, "step",
                            "step " + std::to_string(r.current_step() + 1) + "/" +
                                std::to_string(r.steps_size()) + " skipped by hand",
                            caller.actor);
                   enterNextStep(r, nowUs);
                   if (auto ran = runSteps(r, stepContext(nowUs, caller.actor)); !ran)
                       return fromStore(ran.error());
                   return std::nullopt;
               }});
}

RolloutResult RolloutController::abort(const pb::RolloutActionRequest& request,
                                       const Caller& caller, std::int64_t nowUs)
{
    return act("abort", request, caller, nowUs,
               {[&](pb::Rollout& r) -> std::optional<RolloutError> {
                   if (!isActive(r))
                       return wrongPhase(r, "only an active rollout can be aborted");
                   const std::string reason =
                       request.reason().empty() ? "aborted by " + caller.actor : request.reason();
                   r.set_phase(pb::ROLLOUT_PHASE_ABORTED);
                   r.set_paused_by_step(false);
                   r.set_weight_percent(0);
                   r.set_reason(reason);
                   addEvent(r, nowUs, "aborted", reason, caller.actor);
                   return std::nullopt;
               }});
}

RolloutResult RolloutController::act(const char* verb, const pb::RolloutActionRequest& request,
                                     const Caller& caller, std::int64_t nowUs,
                                     const Mutation& mutation)
{
    std::lock_guard lock(actionsMutex_);
    if (auto replayed = replay(request.request_id(), request.rollout_id()))
        return *replayed;
    auto refused = [&](RolloutError e) {
        return refuse(std::move(e), verb, caller, request.rollout_id(), request.request_id(),
                      nowUs);
    };
    const auto stored = store_.rollout(request.rollout_id());
    if (!stored)
        return refused(fromStore(stored.error()));
    if (!stored->has_value())
        return refused({Code::NotFound, "no rollout " + request.rollout_id()});
    const pb::Rollout& before = **stored;
    if (request.seen_revision() != 0 && request.seen_revision() != before.revision())
        return refused({Code::Stale, staleMessage(before, request.seen_revision())});

    pb::Rollout after = before;
    if (auto error = mutation.apply(after))
        return refused(std::move(*error));
    return commit(before, std::move(after), verb, caller, request.request_id(), nowUs);
}

std::optional<RolloutResult> RolloutController::replay(const std::string& requestId,
                                                       const std::string& rolloutId)
{
    if (requestId.empty())
        return std::nullopt;
    const auto found = store_.findRequest(requestId);
    if (!found)
        return RolloutResult(fromStore(found.error()));
    if (!found->has_value())
        return std::nullopt;
    pb::Rollout first;
    if (!first.ParseFromString(**found))
        return RolloutResult(RolloutError{
            Code::Invalid, "request id " + requestId + " was already used for another action"});
    if (!rolloutId.empty() && first.rollout_id() != rolloutId)
        return RolloutResult(RolloutError{Code::Invalid, "request id " + requestId +
                                                             " was already used for rollout " +
                                                             first.rollout_id()});
    return RolloutResult(std::move(first));
}

RolloutResult RolloutController::commit(const pb::Rollout& before, pb::Rollout after,
                                        const char* verb, const Caller& caller,
                                        const std::string& requestId, std::int64_t nowUs)
{
    after.set_updated_us(nowUs);
    const auto stored = store_.updateRollout(after);
    if (!stored)
        return refuse(fromStore(stored.error()), verb, caller, before.rollout_id(), requestId,
                      nowUs);
    applyVersionEffects(before, *stored);
    const std::string action = std::string("rollout.") + verb;
    audit(caller, action, stored->rollout_id(), "ok", requestId,
          stored->history_size() > 0 ? stored->history(stored->history_size() - 1).detail() : "",
          nowUs);
    if (!requestId.empty())
        store_.rememberRequest(requestId, action, stored->SerializeAsString(), nowUs);
    updateRoute(*stored);
    events_.rollouts.publish(*stored);
    return *stored;
}

// A phase change carries the version with it: CANARY while active, LIVE
// (retiring the old LIVE) when promoted, ROLLED_BACK when rolled back, and
// CANDIDATE again when a person aborts.
void RolloutController::applyVersionEffects(const pb::Rollout& before, const pb::Rollout& after)
{
    if (before.phase() == after.phase())
        return;
    switch (after.phase()) {
    case pb::ROLLOUT_PHASE_PROGRESSING:
    case pb::ROLLOUT_PHASE_PAUSED:
        if (before.phase() == pb::ROLLOUT_PHASE_UNSPECIFIED)
            store_.setVersionState(after.version_id(), pb::VERSION_STATE_CANARY);
        break;
    case pb::ROLLOUT_PHASE_PROMOTED:
        if (const auto versions = store_.listVersions(after.graph_name(), after.node_id()))
            for (const auto& v : *versions)
                if (v.state() == pb::VERSION_STATE_LIVE && v.node_id() == after.node_id() &&
                    v.version_id() != after.version_id())
                    store_.setVersionState(v.version_id(), pb::VERSION_STATE_RETIRED);
        store_.setVersionState(after.version_id(), pb::VERSION_STATE_LIVE);
        break;
    case pb::ROLLOUT_PHASE_ROLLED_BACK:
        store_.setVersionState(after.version_id(), pb::VERSION_STATE_ROLLED_BACK);
        break;
    case pb::ROLLOUT_PHASE_ABORTED:
        store_.setVersionState(after.version_id(), pb::VERSION_STATE_CANDIDATE);
        break;
    default:
        break;
    }
}

void RolloutController::audit(const Caller& caller, const std::string& action,
                              const std::string& target, const std::string& outcome,
                              const std::string& requestId, const std::string& detail,
                              std::int64_t nowUs)
{
    pb::AuditRecord record;
    record.set_at_us(nowUs);
    record.set_actor(caller.actor);
    record.set_role(caller.role);
    record.set_peer(caller.peer);
    record.set_action(action);
    record.set_target(target);
    record.set_outcome(outcome);
    record.set_request_id(requestId);
    record.set_detail(detail);
    // The audit row carries the tenant of the rollout acted on.
    if (action.rfind("rollout.", 0) == 0 && !target.empty())
        if (const auto acted = store_.rollout(target); acted && acted->has_value())
            record.set_tenant_id((*acted)->tenant_id());
    store_.appendAudit(std::move(record));
}

RolloutError RolloutController::refuse(RolloutError error, const char* verb, const Caller& caller,
                                       const std::string& target, const std::string& requestId,
                                       std::int64_t nowUs)
{
    const std::string outcome = (error.code == Code::Io ? "failed: " : "refused: ") + error.message;
    audit(caller, std::string("rollout.") + verb, target, outcome, requestId, {}, nowUs);
    return error;
}

// --- the clock

// Replicas: take or renew the driver lease; say when that changes.
bool RolloutController::holdLease(std::int64_t nowUs)
{
    if (options_.leaseHolder.empty()) {
        driving_ = true;
        return true;
    }
    const auto held =
        store_.acquireLease(kDriverLease, options_.leaseHolder, options_.leaseTtlUs, nowUs);
    const bool now = held && *held;
    if (now != driving_.exchange(now)) {
        if (now)
            (void)reloadRoutes(); // the last driver may have moved them
        if (options_.onDriverChange)
            options_.onDriverChange(now);
    }
    return now;
}

void RolloutController::releaseLease()
{
    std::lock_guard lock(actionsMutex_);
    if (options_.leaseHolder.empty() || !driving_)
        return;
    (void)store_.releaseLease(kDriverLease, options_.leaseHolder);
    driving_ = false;
    if (options_.onDriverChange)
        options_.onDriverChange(false);
}

TickReport RolloutController::tick(std::int64_t nowUs)
{
    std::lock_guard lock(actionsMutex_);
    TickReport report;
    if (!holdLease(nowUs))
        return report; // another replica drives; this one serves reads
    const auto active = store_.listRollouts(true, {});
    if (!active) {
        report.errors.push_back(active.error().message);
        return report;
    }
    const StepContext ctx = stepContext(nowUs, kControllerActor);
    for (const pb::Rollout& before : *active) {
        pb::Rollout after = before;
        const std::int64_t since =
            std::max(before.created_us(), nowUs - options_.guardrailWindowSeconds * kMicros);
        auto samples = ctx.samples(before, since);
        if (!samples) {
            report.errors.push_back(before.rollout_id() + ": " + samples.error().message);
            continue;
        }
        if (auto breach = guardrailBreach(*samples, before.guardrails())) {
            markRolledBack(after, nowUs, *breach);
        } else if (auto ran = runSteps(after, ctx); !ran) {
            report.errors.push_back(before.rollout_id() + ": " + ran.error().message);
            continue;
        }
        if (after.SerializeAsString() == before.SerializeAsString())
            continue;

        after.set_updated_us(nowUs);
        const auto stored = store_.updateRollout(after);
        if (!stored) { // Stale: someone acted meanwhile; the next tick sees it
            report.errors.push_back(before.rollout_id() + ": " + stored.error().message);
            continue;
        }
        applyVersionEffects(before, *stored);
        const Caller controller{kControllerActor, {}, options_.leaseHolder};
        if (stored->phase() == pb::ROLLOUT_PHASE_ROLLED_BACK)
            audit(controller, "rollout.rolled_back", stored->rollout_id(), "ok", {},
                  stored->reason(), nowUs);
        else if (stored->phase() == pb::ROLLOUT_PHASE_PROMOTED)
            audit(controller, "rollout.promoted", stored->rollout_id(), "ok", {},
                  "every step done: version " + stored->version_id() + " is live", nowUs);
        else if (!options_.leaseHolder.empty()) // replicas: who drove each step
            audit(controller, "rollout.step", stored->rollout_id(), "ok", {},
                  "revision " + std::to_string(stored->revision()) + ", step " +
                      std::to_string(stored->current_step()) + ", weight " +
                      std::to_string(stored->weight_percent()),
                  nowUs);
        updateRoute(*stored);
        events_.rollouts.publish(*stored);
        report.changed.push_back(*stored);
    }
    return report;
}

// --- routing

std::optional<RouteDecision> RolloutController::activeRoute(const std::string& graphName,
                                                            const std::string& tenantId)
{
    std::lock_guard lock(routesMutex_);
    const auto it = routes_.find(graphName);
    if (it == routes_.end())
        return std::nullopt;
    // A tenant's rollout routes that tenant's runs only.
    if (!it->second.tenantId.empty() && it->second.tenantId != tenantId)
        return std::nullopt;
    return it->second;
}

StoreStatus RolloutController::reloadRoutes()
{
    const auto active = store_.listRollouts(true, {});
    if (!active)
        return active.error();
    {
        std::lock_guard lock(routesMutex_);
        routes_.clear();
    }
    for (const auto& r : *active)
        updateRoute(r);
    return protocol::Ok{};
}

void RolloutController::updateRoute(const pb::Rollout& r)
{
    std::lock_guard lock(routesMutex_);
    if (!isActive(r)) {
        const auto it = routes_.find(r.graph_name());
        if (it != routes_.end() && it->second.rolloutId == r.rollout_id())
            routes_.erase(it);
        return;
    }
    RouteDecision route;
    route.rolloutId = r.rollout_id();
    route.versionId = r.version_id();
    route.baselineVersionId = r.baseline_version_id();
    route.nodeId = r.node_id();
    route.weightPercent = r.weight_percent();
    route.tenantId = r.tenant_id();
    routes_[r.graph_name()] = route;
}

} // namespace nexus::server
