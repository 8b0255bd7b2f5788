#include "client/NexusClient.h"

#include "client/GrpcStatusText.h"
#include "client/NexusClientCall.h"

#include "nexus/v1/common.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"
#include "nexus/v1/traces.grpc.pb.h"

#include <grpcpp/support/client_callback.h>
#include <mutex>

namespace nexus::client {

namespace pb = ::nexus::v1;

// One GetTrace stream (gRPC's callback reactor): chunks are gathered on
// gRPC's threads, progress is posted after each, and the whole trace once
// the stream ends. Deletes itself when done.
class NexusClient::TraceReader final : public grpc::ClientReadReactor<pb::TraceChunk>
{
public:
    TraceReader(std::weak_ptr<Lifeline> life, quint64 requestId, QString operation, qint64 maxBytes)
        : life_(std::move(life)), requestId_(requestId), operation_(std::move(operation)),
          maxBytes_(maxBytes), records_(std::make_shared<std::vector<std::string>>())
    {}

    grpc::ClientContext context;
    pb::GetTraceRequest request;

    void start(const std::shared_ptr<grpc::Channel>& channel)
    {
        pb::Traces::NewStub(channel)->async()->GetTrace(&context, &request, this);
        StartRead(&chunk_);
        StartCall();
    }

    void OnReadDone(bool ok) override
    {
        if (!ok)
            return; // the stream ended: OnDone follows
        if (chunk_.has_summary())
            summary_ = std::move(*chunk_.mutable_summary());
        for (std::string& record : *chunk_.mutable_records()) {
            bytes_ += qint64(record.size());
            records_->push_back(std::move(record));
        }
        chunk_.Clear();
        if (bytes_ > maxBytes_) {
            tooLarge_ = true;
            context.TryCancel(); // OnDone follows
            return;
        }
        if (auto life = life_.lock())
            life->post(requestId_, false,
                       [id = requestId_, n = qint64(records_->size()),
                        expected = summary_.records(), bytes = bytes_](NexusClient* owner) {
                           Q_EMIT owner->traceProgress(id, n, expected, bytes);
                       });
        StartRead(&chunk_);
    }

    void OnDone(const grpc::Status& done) override
    {
        grpc::Status status = done;
        if (tooLarge_)
            status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                  "the trace is larger than " + limitText() +
                                      ", the console's limit for one trace");
        if (auto life = life_.lock()) {
            TraceDownload trace;
            trace.summary = std::move(summary_);
            trace.records = std::move(records_);
            trace.bytes = bytes_;
            life->post(requestId_, true,
                       [id = requestId_, status, operation = operation_,
                        trace = std::move(trace)](NexusClient* owner) {
                           owner->finishCall(status, operation, id);
                           if (status.ok())
                               Q_EMIT owner->traceReceived(id, trace);
                       });
        }
        delete this;
    }

private:
    std::string limitText() const
    {
        constexpr qint64 mib = 1024 * 1024;
        return maxBytes_ >= mib ? std::to_string(maxBytes_ / mib) + " MiB"
                                : std::to_string(maxBytes_) + " bytes";
    }

    std::weak_ptr<Lifeline> life_;
    quint64 requestId_;
    QString operation_;
    qint64 maxBytes_;
    pb::TraceChunk chunk_;
    pb::TraceSummary summary_;
    std::shared_ptr<std::vector<std::string>> records_;
    qint64 bytes_ = 0;
    bool tooLarge_ = false;
};

void NexusClient::registerMetaTypes()
{
    qRegisterMetaType<pb::WhoAmIResponse>();
    qRegisterMetaType<pb::ListInstancesResponse>();
    qRegisterMetaType<pb::GetMetricSeriesResponse>();
    qRegisterMetaType<pb::SearchTracesResponse>();
    qRegisterMetaType<pb::ListEntriesResponse>();
    qRegisterMetaType<pb::GetEntryResponse>();
    qRegisterMetaType<pb::ReviewEntryResponse>();
    qRegisterMetaType<pb::ListAuditResponse>();
    qRegisterMetaType<pb::ListVersionsResponse>();
    qRegisterMetaType<pb::OptimizationVersion>();
    qRegisterMetaType<pb::ListRolloutsResponse>();
    qRegisterMetaType<pb::Rollout>();
    qRegisterMetaType<pb::GetRolloutSeriesResponse>();
    qRegisterMetaType<TraceDownload>();
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
    for (const auto& [id, context] : lifeline_->inFlight)
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

quint64 NexusClient::failWithoutChannel(const QString& operation)
{
    const quint64 requestId = nextRequestId_++;
    pending_.insert(requestId);
    // Still asynchronous: the caller's code after the call runs first.
    QMetaObject::invokeMethod(
        this,
        [this, requestId, operation] {
            if (!pending_.remove(requestId))
                return; // cancelled
            const CallError error{
                grpc::StatusCode::UNAVAILABLE, channelError_,
                grpcStatusText(grpc::StatusCode::UNAVAILABLE, channelError_, operation)};
            setState(State::Unavailable, error.text);
            Q_EMIT callFailed(requestId, error);
        },
        Qt::QueuedConnection);
    return requestId;
}

void NexusClient::finishCall(const grpc::Status& status, const QString& operation,
                             quint64 requestId, FailureScope scope)
{
    if (status.ok()) {
        setState(State::Ready, tr("Connected to Nexus at %1").arg(endpoint_.address));
        return;
    }
    const CallError error{status.error_code(), QString::fromStdString(status.error_message()),
                          grpcStatusText(status, operation, channelTls(endpoint_))};
    switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
        setState(State::Unavailable, grpcStatusText(status, {}, channelTls(endpoint_)));
        break;
    case grpc::StatusCode::UNAUTHENTICATED:
        setState(State::Unauthorized, grpcStatusText(status));
        break;
    case grpc::StatusCode::PERMISSION_DENIED:
        // Refusing one action (a review by a viewer) says nothing about the
        // connection: only a refused read makes the console PermissionDenied.
        if (scope == FailureScope::Connection)
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

quint64 NexusClient::searchTraces(const pb::SearchTracesRequest& request)
{
    return startCall<pb::SearchTracesResponse>(
        tr("Searching traces"), request,
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::SearchTracesRequest* request, pb::SearchTracesResponse* response, auto done) {
            pb::Traces::NewStub(channel)->async()->SearchTraces(context, request, response,
                                                                std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::SearchTracesResponse&& response) {
            Q_EMIT self->tracesFound(id, response);
        });
}

quint64 NexusClient::getTrace(const QString& threadId, qint64 maxBytes)
{
    const QString operation = tr("Downloading trace %1").arg(threadId);
    if (!channel_)
        return failWithoutChannel(operation);
    const quint64 requestId = nextRequestId_++;
    auto* reader = new TraceReader(lifeline_, requestId, operation, maxBytes);
    reader->request.set_thread_id(threadId.toStdString());
    prepareCall(reader->context, endpoint_, /*withDeadline=*/false);
    pending_.insert(requestId);
    {
        std::lock_guard lock(lifeline_->mutex);
        lifeline_->inFlight.emplace(requestId, &reader->context);
    }
    reader->start(channel_);
    return requestId;
}

bool NexusClient::cancel(quint64 requestId)
{
    if (!pending_.remove(requestId))
        return false;
    std::lock_guard lock(lifeline_->mutex);
    if (auto it = lifeline_->inFlight.find(requestId); it != lifeline_->inFlight.end())
        it->second->TryCancel();
    return true;
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
