#pragma once
// Private to NexusClient*.cpp: the machinery every unary call goes through.
// Calls finish on gRPC's threads; their results are posted to the client's
// thread through the Lifeline, which knows whether the client still exists
// and which calls were cancelled.

#include "client/NexusClient.h"

#include <grpcpp/support/client_callback.h>
#include <map>
#include <memory>
#include <mutex>

namespace nexus::client {

// Shared between the client and its calls in flight: a call finishing on a
// gRPC thread after the client is gone finds owner == nullptr and drops
// its result; the client's destructor cancels what is still running.
struct NexusClient::Lifeline
{
    std::mutex mutex;
    NexusClient* owner = nullptr;
    std::map<quint64, grpc::ClientContext*> inFlight; // by request id

    // Runs `deliver(owner)` in the owner's thread unless the owner is gone
    // by then or the call was cancelled (or already delivered its result).
    // `final`: the call is over (its context leaves inFlight now).
    template <class Deliver> void post(quint64 requestId, bool final, Deliver deliver)
    {
        std::lock_guard lock(mutex);
        if (final)
            inFlight.erase(requestId);
        if (!owner)
            return;
        NexusClient* target = owner;
        // Posted to the owner's thread; dropped by Qt if the owner is deleted first.
        QMetaObject::invokeMethod(
            target,
            [target, requestId, final, deliver = std::move(deliver)]() mutable {
                if (!target->pending_.contains(requestId))
                    return; // cancelled
                if (final)
                    target->pending_.remove(requestId);
                deliver(target);
            },
            Qt::QueuedConnection);
    }
};

// One unary call: `start(channel, context, request, response, done)` issues
// it (the context already carries the token and the endpoint's deadline;
// `start` may set another deadline); `emitResult(owner, id, response)` runs
// in the client's thread on success. `scope` decides what a failure does to
// the connection state (finishCall).
template <class Response, class Request, class Start, class Emit>
quint64 NexusClient::startCall(const QString& operation, Request request, Start start,
                               Emit emitResult, FailureScope scope)
{
    if (!channel_)
        return failWithoutChannel(operation);
    const quint64 requestId = nextRequestId_++;
    struct Call
    {
        grpc::ClientContext context;
        Request request;
        Response response;
    };
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    prepareCall(call->context, endpoint_);
    pending_.insert(requestId);
    {
        std::lock_guard lock(lifeline_->mutex);
        lifeline_->inFlight.emplace(requestId, &call->context);
    }
    std::weak_ptr<Lifeline> weakLife = lifeline_;
    auto done = [call, weakLife, requestId, operation, emitResult, scope](grpc::Status status) {
        auto life = weakLife.lock();
        if (!life)
            return;
        life->post(requestId, true,
                   [call, status, requestId, operation, emitResult, scope](NexusClient* owner) {
                       owner->finishCall(status, operation, requestId, scope);
                       if (status.ok())
                           emitResult(owner, requestId, std::move(call->response));
                   });
    };
    start(channel_, &call->context, &call->request, &call->response, std::move(done));
    return requestId;
}

} // namespace nexus::client
