#pragma once
// The console's Nexus client: one channel for a profile, asynchronous calls
// (gRPC's callback API: nothing here ever waits on the network), results
// delivered in this object's thread by queued signals, each tagged with the
// request id the call returned so a caller can drop stale answers.
//
// The connection state follows the call outcomes and the channel's
// connectivity (polled, never blocking).

#include "client/CallError.h"
#include "client/NexusChannel.h"

#include "nexus/v1/common.pb.h"
#include "nexus/v1/fleet.pb.h"

#include <QObject>
#include <QTimer>

#include <memory>

Q_DECLARE_METATYPE(nexus::v1::WhoAmIResponse)
Q_DECLARE_METATYPE(nexus::v1::ListInstancesResponse)
Q_DECLARE_METATYPE(nexus::v1::GetMetricSeriesResponse)

namespace nexus::client {

class NexusClient : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Idle,             // nothing asked yet
        Connecting,       // channel connecting, no answer yet
        Ready,            // the last call succeeded
        Unavailable,      // Nexus unreachable or shutting down; gRPC reconnects by itself
        Unauthorized,     // UNAUTHENTICATED: no or unknown token
        PermissionDenied, // PERMISSION_DENIED on a read the console needs
    };
    Q_ENUM(State)

    // A channel that cannot be created (unreadable CA file) shows as
    // Unavailable with the reason; calls then fail with that reason.
    explicit NexusClient(NexusEndpoint endpoint, QObject* parent = nullptr);
    ~NexusClient() override; // cancels calls in flight; their results are dropped

    const NexusEndpoint& endpoint() const { return endpoint_; }
    // Null when the channel could not be created.
    std::shared_ptr<grpc::Channel> channel() const { return channel_; }
    State state() const { return state_; }
    QString stateDetail() const { return stateDetail_; }

    // Starts connecting and asks WhoAmI (the answer decides Ready/Unauthorized).
    quint64 connectToNexus();

    // Each returns the request id its result or failure will carry.
    quint64 whoAmI();
    quint64 listInstances(const nexus::v1::ListInstancesRequest& request = {});
    quint64 getMetricSeries(const nexus::v1::GetMetricSeriesRequest& request);

    static void registerMetaTypes();

Q_SIGNALS:
    void whoAmIReceived(quint64 requestId, const nexus::v1::WhoAmIResponse& response);
    void instancesReceived(quint64 requestId, const nexus::v1::ListInstancesResponse& response);
    void metricSeriesReceived(quint64 requestId,
                              const nexus::v1::GetMetricSeriesResponse& response);
    void callFailed(quint64 requestId, const nexus::client::CallError& error);
    void connectionStateChanged(nexus::client::NexusClient::State state, const QString& detail);

private:
    struct Lifeline;
    template <class Response, class Request, class Start, class Emit>
    quint64 startCall(const QString& operation, Request request, Start start, Emit emitResult);
    void finishCall(const grpc::Status& status, const QString& operation, quint64 requestId);
    void pollChannel();
    void setState(State state, const QString& detail);

    NexusEndpoint endpoint_;
    QString channelError_;
    std::shared_ptr<grpc::Channel> channel_;
    std::shared_ptr<Lifeline> lifeline_;
    QTimer channelPoll_;
    quint64 nextRequestId_ = 1;
    State state_ = State::Idle;
    QString stateDetail_;
};

} // namespace nexus::client
