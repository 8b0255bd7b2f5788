// The controller's rules about versions outside a rollout's own life: a
// version from an unreviewed knowledge entry cannot be launched, and a
// graph/node can be put back on an earlier version (or the graph as shipped)
// without a canary. Both run under the controller's action mutex, so a
// restore cannot race a launch.
#include "server/rollout/RolloutController.h"

namespace nexus::server {

namespace {

using Code = RolloutError::Code;

const char* entryStatusText(pb::KnowledgeStatus status)
{
    switch (status) {
    case pb::KNOWLEDGE_STATUS_PENDING:
        return "pending review";
    case pb::KNOWLEDGE_STATUS_REJECTED:
        return "rejected";
    case pb::KNOWLEDGE_STATUS_SUPERSEDED:
        return "superseded";
    default:
        return "not approved";
    }
}

std::string liveText(const std::string& versionId)
{
    return versionId.empty() ? std::string("the graph as shipped") : "version " + versionId;
}

// The response of a restore is the graph/node's versions; a stored response
// of another action does not look like that.
bool isRestoreResponse(const pb::ListVersionsResponse& response,
                       const pb::RestoreVersionRequest& request)
{
    if (response.versions().empty())
        return false;
    for (const auto& v : response.versions())
        if (v.graph_name() != request.graph_name() || v.node_id() != request.node_id())
            return false;
    return true;
}

} // namespace

std::optional<RolloutError>
RolloutController::unapprovedSource(const pb::OptimizationVersion& version)
{
    if (version.source_entry_id().empty())
        return std::nullopt; // made by hand: nothing to review
    const auto entry = store_.getEntry(version.source_entry_id());
    if (!entry) {
        if (entry.error().code != StoreError::Code::NotFound)
            return rolloutErrorFromStore(entry.error());
        return RolloutError{Code::FailedPrecondition,
                            "version " + version.version_id() + " comes from knowledge entry " +
                                version.source_entry_id() +
                                ", which no longer exists; create a version from an approved "
                                "entry instead"};
    }
    const pb::KnowledgeStatus status = entry->entry().status();
    if (status == pb::KNOWLEDGE_STATUS_APPROVED)
        return std::nullopt;
    const bool reviewable =
        status == pb::KNOWLEDGE_STATUS_PENDING || status == pb::KNOWLEDGE_STATUS_UNSPECIFIED;
    return RolloutError{Code::FailedPrecondition,
                        "version " + version.version_id() + " comes from knowledge entry " +
                            version.source_entry_id() + ", which is " + entryStatusText(status) +
                            (reviewable ? "; approve it before rolling it out"
                                        : "; only a version from an approved entry can be "
                                          "rolled out")};
}

std::optional<VersionsResult>
RolloutController::replayRestore(const pb::RestoreVersionRequest& request)
{
    if (request.request_id().empty())
        return std::nullopt;
    const auto found = store_.findRequest(request.request_id());
    if (!found)
        return VersionsResult(rolloutErrorFromStore(found.error()));
    if (!found->has_value())
        return std::nullopt;
    pb::ListVersionsResponse first;
    if (!first.ParseFromString(**found) || !isRestoreResponse(first, request))
        return VersionsResult(RolloutError{Code::Invalid, "request id " + request.request_id() +
                                                              " was already used for another "
                                                              "action"});
    return VersionsResult(std::move(first));
}

VersionsResult RolloutController::restore(const pb::RestoreVersionRequest& request,
                                          const Caller& caller, std::int64_t nowUs)
{
    std::lock_guard lock(actionsMutex_);
    const std::string action = "version.restore";
    const std::string target = request.graph_name() + "/" + request.node_id();
    if (auto replayed = replayRestore(request))
        return *replayed;
    auto refused = [&](RolloutError e) {
        const std::string outcome = (e.code == Code::Io ? "failed: " : "refused: ") + e.message;
        audit(caller, action, target, outcome, request.request_id(), request.reason(), nowUs);
        return VersionsResult(std::move(e));
    };
    if (request.graph_name().empty() || request.node_id().empty())
        return refused({Code::Invalid, "a restore needs a graph and a node"});

    const auto active = store_.listRollouts(true, request.graph_name());
    if (!active)
        return refused(rolloutErrorFromStore(active.error()));
    if (!active->empty())
        return refused({Code::FailedPrecondition,
                        "graph " + request.graph_name() + " has an active rollout " +
                            active->front().rollout_id() + " (version " +
                            active->front().version_id() +
                            "); abort it or let it finish before restoring a version"});

    const auto versions = store_.listVersions(request.graph_name(), request.node_id());
    if (!versions)
        return refused(rolloutErrorFromStore(versions.error()));
    std::string live;
    const pb::OptimizationVersion* chosen = nullptr;
    for (const auto& v : *versions) {
        if (v.node_id() != request.node_id())
            continue;
        if (v.state() == pb::VERSION_STATE_LIVE)
            live = v.version_id();
        if (v.version_id() == request.version_id())
            chosen = &v;
    }
    if (live != request.seen_live_version_id())
        return refused({Code::FailedPrecondition,
                        target + " runs " + liveText(live) + ", not " +
                            liveText(request.seen_live_version_id()) +
                            " as you saw it; list the versions again and decide on what is live "
                            "now"});

    if (request.version_id().empty()) {
        if (live.empty())
            return refused({Code::FailedPrecondition,
                            target + " already runs the graph as shipped; nothing to restore"});
    } else if (!chosen) {
        const auto other = store_.version(request.version_id());
        if (!other)
            return refused(rolloutErrorFromStore(other.error()));
        if (!other->has_value())
            return refused({Code::NotFound, "no optimization version " + request.version_id()});
        return refused({Code::FailedPrecondition, "version " + request.version_id() +
                                                      " belongs to " + (*other)->graph_name() +
                                                      "/" + (*other)->node_id() + ", not " +
                                                      target});
    } else if (chosen->state() == pb::VERSION_STATE_LIVE) {
        return refused({Code::FailedPrecondition, "version " + request.version_id() +
                                                      " is already live on " + target +
                                                      "; nothing to restore"});
    } else if (chosen->state() != pb::VERSION_STATE_RETIRED) {
        return refused(
            {Code::FailedPrecondition,
             "version " + request.version_id() + " is " + pb::VersionState_Name(chosen->state()) +
                 "; only a RETIRED version can be restored (a CANDIDATE goes live through a "
                 "rollout)"});
    }

    if (!live.empty())
        if (auto retired = store_.setVersionState(live, pb::VERSION_STATE_RETIRED); !retired)
            return refused(rolloutErrorFromStore(retired.error()));
    if (!request.version_id().empty())
        if (auto restored = store_.setVersionState(request.version_id(), pb::VERSION_STATE_LIVE);
            !restored)
            return refused(rolloutErrorFromStore(restored.error()));

    const auto after = store_.listVersions(request.graph_name(), request.node_id());
    if (!after)
        return refused(rolloutErrorFromStore(after.error()));
    pb::ListVersionsResponse response;
    for (const auto& v : *after)
        *response.add_versions() = v;
    std::string detail =
        liveText(request.version_id()) + " is live again, " + liveText(live) + " retired";
    if (!request.reason().empty())
        detail += ": " + request.reason();
    audit(caller, action, target, "ok", request.request_id(), detail, nowUs);
    if (!request.request_id().empty())
        store_.rememberRequest(request.request_id(), action, response.SerializeAsString(), nowUs);
    return response;
}

} // namespace nexus::server
