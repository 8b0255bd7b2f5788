#include "client/NexusClient.h"

#include "client/GrpcStatusText.h"

#include "nexus/v1/common.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"

#include <mutex>
#include <set>

namespace nexus::client {

namespace pb = ::nexus::v1;

// Shared between the client and its calls in flight: a call finishing on a
// gRPC thread after the client is gone finds owner == nullptr and drops
// its result; the client's destructor cancels what is still running.
struct NexusClient::Lifeline
{
    std::mutex mutex;
    NexusClient* owner = nullptr;
    std::set<grpc::ClientContext*> inFlight;
};

void NexusClient::registerMetaTypes()
{
    qRegisterMetaType<pb::WhoAmIResponse>();
    qRegisterMetaType<pb::ListInstancesResponse>();
    qRegisterMetaType<pb::GetMetricSeriesResponse>();
    qRegisterMetaType<CallError>();
    qRegisterMetaType<NexusClient::State>();
}

NexusClient::NexusClient(NexusEndpoint endpoint, QObject* parent)
    : QObject(parent), endpoint_(std::move(endpoint)), lifeline_(std::make_shared<Lifeline>())
{
    registerMetaTypes();
    lifeline_->owner = this;
    auto channel = createNexusChannel(endpoint_);
    if (channel)
        channel_ = *channel;
    else
        channelError_ = channel.error().message;
    channelPoll_.setInterval(500);
    connect(&channelPoll_, &QTimer::timeout, this, &NexusClient::pollChannel);
}

NexusClient::~NexusClient()
{
    std::lock_guard lock(lifeline_->mutex);
    lifeline_->owner = nullptr;
    for (grpc::ClientContext* context : lifeline_->inFlight)
        context->TryCancel();
}

quint64 NexusClient::connectToNexus()
{
    if (channel_) {
        channel_->GetState(/*try_to_connect=*/true);
        setState(State::Connecting, tr("Connecting to Nexus at %1…").arg(endpoint_.address));
        channelPoll_.start();
    }
    return whoAmI();
}

template <class Response, class Request, class Start, class Emit>
quint64 NexusClient::startCall(const QString& operation, Request request, Start start,
                               Emit emitResult)
{
    const quint64 requestId = nextRequestId_++;
    if (!channel_) {
        // Still asynchronous: the caller's code after the call runs first.
        QMetaObject::invokeMethod(
            this,
            [this, requestId, operation] {
                const CallError error{
                    grpc::StatusCode::UNAVAILABLE, channelError_,
                    grpcStatusText(grpc::StatusCode::UNAVAILABLE, channelError_, operation)};
                setState(State::Unavailable, error.text);
                Q_EMIT callFailed(requestId, error);
            },
            Qt::QueuedConnection);
        return requestId;
    }
    struct Call
    {
        grpc::ClientContext context;
        Request request;
        Response response;
    };
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    prepareCall(call->context, endpoint_);
    {
        std::lock_guard lock(lifeline_->mutex);
        lifeline_->inFlight.insert(&call->context);
    }
    std::weak_ptr<Lifeline> weakLife = lifeline_;
    auto done = [call, weakLife, requestId, operation, emitResult](grpc::Status status) {
        auto life = weakLife.lock();
        if (!life)
            return;
        std::lock_guard lock(life->mutex);
        life->inFlight.erase(&call->context);
        if (!life->owner)
            return;
        NexusClient* owner = life->owner;
        // Posted to the owner's thread; dropped by Qt if the owner is deleted first.
        QMetaObject::invokeMethod(
            owner,
            [owner, call, status, requestId, operation, emitResult] {
                owner->finishCall(status, operation, requestId);
                if (status.ok())
                    emitResult(owner, requestId, std::move(call->response));
            },
            Qt::QueuedConnection);
    };
    start(channel_, &call->context, &call->request, &call->response, std::move(done));
    return requestId;
}

void NexusClient::finishCall(const grpc::Status& status, const QString& operation,
                             quint64 requestId)
{
    if (status.ok()) {
        setState(State::Ready, tr("Connected to Nexus at %1").arg(endpoint_.address));
        return;
    }
    const CallError error{status.error_code(), QString::fromStdString(status.error_message()),
                          grpcStatusText(status, operation)};
    switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
        setState(State::Unavailable, grpcStatusText(status));
        break;
    case grpc::StatusCode::UNAUTHENTICATED:
        setState(State::Unauthorized, grpcStatusText(status));
        break;
    case grpc::StatusCode::PERMISSION_DENIED:
        setState(State::PermissionDenied, grpcStatusText(status));
        break;
    default:
        break; // a request-level error says nothing about the connection
    }
    Q_EMIT callFailed(requestId, error);
}

quint64 NexusClient::whoAmI()
{
    return startCall<pb::WhoAmIResponse>(
        tr("Signing in"), pb::WhoAmIRequest(),
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::WhoAmIRequest* request, pb::WhoAmIResponse* response, auto done) {
            pb::Session::NewStub(channel)->async()->WhoAmI(context, request, response,
                                                           std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::WhoAmIResponse&& response) {
            Q_EMIT self->whoAmIReceived(id, response);
        });
}

quint64 NexusClient::listInstances(const pb::ListInstancesRequest& request)
{
    return startCall<pb::ListInstancesResponse>(
        tr("Listing instances"), request,
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::ListInstancesRequest* request, pb::ListInstancesResponse* response,
           auto done) {
            pb::Fleet::NewStub(channel)->async()->ListInstances(context, request, response,
                                                                std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::ListInstancesResponse&& response) {
            Q_EMIT self->instancesReceived(id, response);
        });
}

quint64 NexusClient::getMetricSeries(const pb::GetMetricSeriesRequest& request)
{
    return startCall<pb::GetMetricSeriesResponse>(
        tr("Loading metric series"), request,
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::GetMetricSeriesRequest* request, pb::GetMetricSeriesResponse* response,
           auto done) {
            pb::Fleet::NewStub(channel)->async()->GetMetricSeries(context, request, response,
                                                                  std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::GetMetricSeriesResponse&& response) {
            Q_EMIT self->metricSeriesReceived(id, response);
        });
}

void NexusClient::pollChannel()
{
    if (!channel_)
        return;
    switch (channel_->GetState(/*try_to_connect=*/false)) {
    case GRPC_CHANNEL_TRANSIENT_FAILURE:
        if (state_ != State::Unavailable)
            setState(
                State::Unavailable,
                grpcStatusText(grpc::StatusCode::UNAVAILABLE,
                               tr("no connection to %1; reconnecting").arg(endpoint_.address)));
        break;
    case GRPC_CHANNEL_READY:
        // Reachable again: confirm with a call, whose outcome sets the state
        // (a token problem must not be hidden behind "Ready").
        if (state_ == State::Unavailable) {
            setState(State::Connecting, tr("Reconnecting to Nexus at %1…").arg(endpoint_.address));
            whoAmI();
        }
        break;
    case GRPC_CHANNEL_IDLE:
        // Keep the one connection up while the console runs, so a Nexus that
        // went away shows as Unavailable without waiting for the next call.
        channel_->GetState(/*try_to_connect=*/true);
        break;
    default:
        break;
    }
}

void NexusClient::setState(State state, const QString& detail)
{
    if (state == state_ && detail == stateDetail_)
        return;
    state_ = state;
    stateDetail_ = detail;
    Q_EMIT connectionStateChanged(state, detail);
}

} // namespace nexus::client
