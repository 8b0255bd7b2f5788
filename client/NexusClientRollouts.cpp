// NexusClient: the Rollouts service (versions, rollouts, their actions, the
// canary series and restoring a version). Reads fail with
// FailureScope::Connection; the calls that change something are actions
// (FailureScope::Action) with a deadline of at least kReviewTimeout, since
// they wait for the store's writes.
#include "client/NexusClient.h"
#include "client/NexusClientCall.h"

#include "nexus/v1/rollouts.grpc.pb.h"

#include <algorithm>

namespace nexus::client {

namespace pb = ::nexus::v1;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

QString NexusClient::rolloutActionName(RolloutAction action)
{
    switch (action) {
    case RolloutAction::SetWeight:
        return tr("set weight");
    case RolloutAction::Pause:
        return tr("pause");
    case RolloutAction::Resume:
        return tr("resume");
    case RolloutAction::Promote:
        return tr("promote");
    case RolloutAction::Abort:
        return tr("abort");
    }
    return {};
}

quint64 NexusClient::listVersions(const pb::ListVersionsRequest& request)
{
    QString operation = tr("Listing optimization versions");
    if (!request.graph_name().empty())
        operation = request.node_id().empty()
                        ? tr("Listing the versions of %1").arg(qs(request.graph_name()))
                        : tr("Listing the versions of %1/%2")
                              .arg(qs(request.graph_name()), qs(request.node_id()));
    return startCall<pb::ListVersionsResponse>(
        operation, request,
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::ListVersionsRequest* request, pb::ListVersionsResponse* response, auto done) {
            pb::Rollouts::NewStub(channel)->async()->ListVersions(context, request, response,
                                                                  std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::ListVersionsResponse&& response) {
            Q_EMIT self->versionsListed(id, response);
        });
}

quint64 NexusClient::createVersion(const pb::CreateVersionRequest& request)
{
    const QString operation =
        request.source_entry_id().empty()
            ? tr("Creating a version of %1/%2")
                  .arg(qs(request.version().graph_name()), qs(request.version().node_id()))
            : tr("Creating a version from knowledge entry %1").arg(qs(request.source_entry_id()));
    const auto timeout = std::max(endpoint_.callTimeout, kReviewTimeout);
    return startCall<pb::OptimizationVersion>(
        operation, request,
        [timeout](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
                  const pb::CreateVersionRequest* request, pb::OptimizationVersion* response,
                  auto done) {
            context->set_deadline(std::chrono::system_clock::now() + timeout);
            pb::Rollouts::NewStub(channel)->async()->CreateVersion(context, request, response,
                                                                   std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::OptimizationVersion&& version) {
            Q_EMIT self->versionCreated(id, version);
        },
        FailureScope::Action);
}

quint64 NexusClient::listRollouts(const pb::ListRolloutsRequest& request)
{
    return startCall<pb::ListRolloutsResponse>(
        tr("Listing rollouts"), request,
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::ListRolloutsRequest* request, pb::ListRolloutsResponse* response, auto done) {
            pb::Rollouts::NewStub(channel)->async()->ListRollouts(context, request, response,
                                                                  std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::ListRolloutsResponse&& response) {
            Q_EMIT self->rolloutsListed(id, response);
        });
}

quint64 NexusClient::getRollout(const QString& rolloutId)
{
    pb::GetRolloutRequest request;
    request.set_rollout_id(rolloutId.toStdString());
    return startCall<pb::Rollout>(
        tr("Loading rollout %1").arg(rolloutId), std::move(request),
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::GetRolloutRequest* request, pb::Rollout* response, auto done) {
            pb::Rollouts::NewStub(channel)->async()->GetRollout(context, request, response,
                                                                std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::Rollout&& rollout) {
            Q_EMIT self->rolloutReceived(id, rollout);
        });
}

quint64 NexusClient::getRolloutSeries(const pb::GetRolloutSeriesRequest& request)
{
    return startCall<pb::GetRolloutSeriesResponse>(
        tr("Loading the canary series of rollout %1").arg(qs(request.rollout_id())), request,
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::GetRolloutSeriesRequest* request, pb::GetRolloutSeriesResponse* response,
           auto done) {
            pb::Rollouts::NewStub(channel)->async()->GetRolloutSeries(context, request, response,
                                                                      std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::GetRolloutSeriesResponse&& response) {
            Q_EMIT self->rolloutSeriesReceived(id, response);
        });
}

quint64 NexusClient::launchRollout(const pb::LaunchRolloutRequest& request)
{
    const auto timeout = std::max(endpoint_.callTimeout, kReviewTimeout);
    return startCall<pb::Rollout>(
        tr("Launching version %1").arg(qs(request.version_id())), request,
        [timeout](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
                  const pb::LaunchRolloutRequest* request, pb::Rollout* response, auto done) {
            context->set_deadline(std::chrono::system_clock::now() + timeout);
            pb::Rollouts::NewStub(channel)->async()->LaunchRollout(context, request, response,
                                                                   std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::Rollout&& rollout) {
            Q_EMIT self->rolloutChanged(id, rollout);
        },
        FailureScope::Action);
}

quint64 NexusClient::rolloutAction(RolloutAction action, const pb::RolloutActionRequest& request)
{
    const QString rollout = qs(request.rollout_id());
    QString operation;
    switch (action) {
    case RolloutAction::SetWeight:
        operation = tr("Setting the weight of rollout %1 to %2 %")
                        .arg(rollout)
                        .arg(request.weight_percent());
        break;
    case RolloutAction::Pause:
        operation = tr("Pausing rollout %1").arg(rollout);
        break;
    case RolloutAction::Resume:
        operation = tr("Resuming rollout %1").arg(rollout);
        break;
    case RolloutAction::Promote:
        operation = request.full() ? tr("Promoting rollout %1 to 100 %").arg(rollout)
                                   : tr("Promoting rollout %1").arg(rollout);
        break;
    case RolloutAction::Abort:
        operation = tr("Aborting rollout %1").arg(rollout);
        break;
    }
    const auto timeout = std::max(endpoint_.callTimeout, kReviewTimeout);
    return startCall<pb::Rollout>(
        operation, request,
        [action, timeout](const std::shared_ptr<grpc::Channel>& channel,
                          grpc::ClientContext* context, const pb::RolloutActionRequest* request,
                          pb::Rollout* response, auto done) {
            context->set_deadline(std::chrono::system_clock::now() + timeout);
            auto service = pb::Rollouts::NewStub(channel);
            auto* rpc = service->async();
            switch (action) {
            case RolloutAction::SetWeight:
                rpc->SetWeight(context, request, response, std::move(done));
                break;
            case RolloutAction::Pause:
                rpc->Pause(context, request, response, std::move(done));
                break;
            case RolloutAction::Resume:
                rpc->Resume(context, request, response, std::move(done));
                break;
            case RolloutAction::Promote:
                rpc->Promote(context, request, response, std::move(done));
                break;
            case RolloutAction::Abort:
                rpc->Abort(context, request, response, std::move(done));
                break;
            }
        },
        [](NexusClient* self, quint64 id, pb::Rollout&& rollout) {
            Q_EMIT self->rolloutChanged(id, rollout);
        },
        FailureScope::Action);
}

quint64 NexusClient::restoreVersion(const pb::RestoreVersionRequest& request)
{
    const QString target = request.node_id().empty()
                               ? qs(request.graph_name())
                               : qs(request.graph_name() + "/" + request.node_id());
    const QString operation =
        request.version_id().empty()
            ? tr("Restoring %1 as shipped").arg(target)
            : tr("Restoring version %1 of %2").arg(qs(request.version_id()), target);
    const auto timeout = std::max(endpoint_.callTimeout, kReviewTimeout);
    return startCall<pb::ListVersionsResponse>(
        operation, request,
        [timeout](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
                  const pb::RestoreVersionRequest* request, pb::ListVersionsResponse* response,
                  auto done) {
            context->set_deadline(std::chrono::system_clock::now() + timeout);
            pb::Rollouts::NewStub(channel)->async()->RestoreVersion(context, request, response,
                                                                    std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::ListVersionsResponse&& versions) {
            Q_EMIT self->versionRestored(id, versions);
        },
        FailureScope::Action);
}

} // namespace nexus::client
