#pragma once
// The server side of rollouts: launches canaries of optimization versions,
// runs their step plans on tick(), analyses canary against baseline, rolls
// back on a guardrail breach or a failed analysis, and answers the fleet's
// routing question (RolloutRouter). docs/rollouts.md is the reference.
//
// Every action is idempotent by request id (the first response is replayed),
// refuses a stale seen_revision, appends an audit record and a history
// event, and publishes the new Rollout to EventHub::rollouts. Thread-safe:
// actions and ticks are serialised; activeRoute never waits for them.

#include "server/events/EventHub.h"
#include "server/rollout/RolloutRouter.h"
#include "server/store/Store.h"

#include "stats/CanaryScoring.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nexus::server {

struct StepContext;

struct RolloutError
{
    enum class Code
    {
        NotFound,           // no such rollout / version          -> NOT_FOUND
        Stale,              // seen_revision is not the current one -> FAILED_PRECONDITION
        Invalid,            // a bad argument                      -> INVALID_ARGUMENT
        FailedPrecondition, // wrong phase, graph busy, version not a candidate ->
                            // FAILED_PRECONDITION
        Io,                 // the store failed                    -> UNAVAILABLE
    };
    Code code;
    std::string message;
};

using RolloutResult = protocol::Expected<pb::Rollout, RolloutError>;
using VersionsResult = protocol::Expected<pb::ListVersionsResponse, RolloutError>;

// A store error as the controller reports it (NotFound, Stale, Invalid, Io;
// AlreadyExists becomes FailedPrecondition).
RolloutError rolloutErrorFromStore(const StoreError& error);

// Who asks, for the audit log.
struct Caller
{
    std::string actor; // token name
    std::string role;
    std::string peer; // client address
};

struct RolloutControllerOptions
{
    std::vector<pb::RolloutStep> defaultSteps; // empty = defaultRolloutPlan()
    pb::Guardrails guardrails;                 // zero fields = defaultGuardrails()
    std::int64_t analysisWindowSeconds = 300;  // for analysis steps that name none
    std::int64_t guardrailWindowSeconds = 300; // guardrails judge the runs of the last ...
    stats::ScoringOptions scoring;
    // Replicas: with a holder name, tick() drives rollouts only while this
    // process holds the store lease kDriverLease (taken or renewed on every
    // tick, for leaseTtlUs), and audits every change it makes with the holder
    // as peer. Empty: the only process, no lease (the sandbox).
    std::string leaseHolder;
    std::int64_t leaseTtlUs = 10'000'000;
    // Called from tick() when this process becomes (true) or stops being
    // (false) the driver.
    std::function<void(bool driving)> onDriverChange;
};

inline constexpr const char* kDriverLease = "rollout-driver";

struct TickReport
{
    std::vector<pb::Rollout> changed; // as stored and published
    std::vector<std::string> errors;  // rollouts that could not be advanced this time
};

class RolloutController final : public RolloutRouter
{
public:
    RolloutController(Store& store, EventHub& events, RolloutControllerOptions options = {});

    // Empty steps = the default plan; zero guardrails = the defaults. The
    // version must be a CANDIDATE, its source knowledge entry (if it names
    // one) APPROVED, and its graph free of active rollouts; the baseline is
    // the LIVE version of the same graph and node, or "".
    RolloutResult launch(const pb::LaunchRolloutRequest& request, const Caller& caller,
                         std::int64_t nowUs);
    RolloutResult launch(const std::string& versionId, std::vector<pb::RolloutStep> steps,
                         const pb::Guardrails& guardrails, const std::string& actor,
                         const std::string& requestId, std::int64_t nowUs);

    RolloutResult setWeight(const pb::RolloutActionRequest& request, const Caller& caller,
                            std::int64_t nowUs);
    RolloutResult pause(const pb::RolloutActionRequest& request, const Caller& caller,
                        std::int64_t nowUs);
    RolloutResult resume(const pb::RolloutActionRequest& request, const Caller& caller,
                         std::int64_t nowUs);
    // Leaves the current step (a pause, an analysis) for the next, or with
    // request.full() goes straight to 100 % and PROMOTED.
    RolloutResult promote(const pb::RolloutActionRequest& request, const Caller& caller,
                          std::int64_t nowUs);
    // Weight 0, phase ABORTED, the version back to CANDIDATE, baseline kept.
    RolloutResult abort(const pb::RolloutActionRequest& request, const Caller& caller,
                        std::int64_t nowUs);

    // Puts a graph/node back on an earlier version without a canary
    // (RolloutVersions.cpp): a RETIRED version_id becomes LIVE, or with an
    // empty one the graph as shipped; the LIVE version becomes RETIRED.
    // Refused (FailedPrecondition) while the graph has an active rollout,
    // when the LIVE version is not request.seen_live_version_id(), or when
    // the chosen version is not RETIRED. Idempotent by request id; audited as
    // "version.restore". Returns the graph/node's versions after the change.
    VersionsResult restore(const pb::RestoreVersionRequest& request, const Caller& caller,
                           std::int64_t nowUs);

    // Guardrails, then the step plan, for every active rollout.
    TickReport tick(std::int64_t nowUs);

    std::optional<RouteDecision> activeRoute(const std::string& graphName,
                                             const std::string& tenantId = {}) override;

    // Re-reads the active rollouts' routes from the store (done once at construction).
    StoreStatus reloadRoutes();

    // Replicas: whether the last tick held the driver lease (always true
    // without a lease holder); releaseLease() gives it up (at shutdown).
    bool driving() const { return driving_; }
    void releaseLease();

private:
    struct Mutation;
    RolloutResult act(const char* verb, const pb::RolloutActionRequest& request,
                      const Caller& caller, std::int64_t nowUs, const Mutation& mutation);
    std::optional<RolloutResult> replay(const std::string& requestId, const std::string& rolloutId);
    RolloutResult commit(const pb::Rollout& before, pb::Rollout after, const char* verb,
                         const Caller& caller, const std::string& requestId, std::int64_t nowUs);
    void applyVersionEffects(const pb::Rollout& before, const pb::Rollout& after);
    void audit(const Caller& caller, const std::string& action, const std::string& target,
               const std::string& outcome, const std::string& requestId, const std::string& detail,
               std::int64_t nowUs);
    RolloutError refuse(RolloutError error, const char* verb, const Caller& caller,
                        const std::string& target, const std::string& requestId,
                        std::int64_t nowUs);
    StepContext stepContext(std::int64_t nowUs, const std::string& actor) const;
    // Refusal when the version comes from a knowledge entry that is not APPROVED.
    std::optional<RolloutError> unapprovedSource(const pb::OptimizationVersion& version);
    std::optional<VersionsResult> replayRestore(const pb::RestoreVersionRequest& request);
    void updateRoute(const pb::Rollout& rollout);
    bool holdLease(std::int64_t nowUs);

    Store& store_;
    EventHub& events_;
    RolloutControllerOptions options_;

    std::mutex actionsMutex_; // one action or tick at a time
    std::mutex routesMutex_;
    std::map<std::string, RouteDecision> routes_; // graph -> its active rollout
    std::atomic<bool> driving_{false};
};

} // namespace nexus::server
