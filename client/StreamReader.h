#pragma once
// Reads one server stream for a StreamWatcher on gRPC's callback API, so
// that the end of the server's initial metadata is known:
// OnReadInitialMetadataDone says ok only when the server sent it (it
// subscribed us first), not for an error answer. That is the stream's
// Live moment.
//
// runReaderStream() blocks the watcher's worker until the stream ends and
// returns its status; `push` receives every message on gRPC's threads. The
// Live announcement always comes before the first message is pushed: the
// two reactions may run at once on different threads.

#include <condition_variable>
#include <functional>
#include <grpcpp/support/client_callback.h>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace nexus::client {

// `open(context, reactor)` starts the RPC, e.g.
// service->async()->WatchRollouts(context, &request, reactor), `service` from
// pb::Rollouts::NewStub(channel).
template <class Message>
grpc::Status runReaderStream(
    grpc::ClientContext& context,
    const std::function<void(grpc::ClientContext*, grpc::ClientReadReactor<Message>*)>& open,
    std::function<void()> live, std::function<void(Message&&)> push)
{
    struct Done
    {
        std::mutex mutex;
        std::condition_variable finished;
        std::optional<grpc::Status> status;
    };

    // Deletes itself when done; the worker waits for `done`.
    class Reader final : public grpc::ClientReadReactor<Message>
    {
    public:
        Reader(std::function<void()> live, std::function<void(Message&&)> push,
               std::shared_ptr<Done> done)
            : live_(std::move(live)), push_(std::move(push)), done_(std::move(done))
        {}

        void OnReadInitialMetadataDone(bool ok) override
        {
            if (ok) {
                std::lock_guard lock(liveMutex_);
                announceLiveLocked();
            }
        }

        void OnReadDone(bool ok) override
        {
            if (!ok)
                return; // the stream ended: OnDone follows
            {
                std::lock_guard lock(liveMutex_);
                announceLiveLocked();
                push_(std::move(message_));
            }
            message_.Clear();
            this->StartRead(&message_);
        }

        void OnDone(const grpc::Status& status) override
        {
            const std::shared_ptr<Done> done = done_;
            {
                std::lock_guard lock(done->mutex);
                done->status = status;
            }
            delete this; // nothing of this reactor is used after OnDone
            done->finished.notify_all();
        }

        Message* buffer() { return &message_; }

    private:
        void announceLiveLocked()
        {
            if (!announced_) {
                announced_ = true;
                live_();
            }
        }

        std::function<void()> live_;
        std::function<void(Message&&)> push_;
        std::shared_ptr<Done> done_;
        std::mutex liveMutex_; // orders the Live announcement before the first message
        bool announced_ = false;
        Message message_;
    };

    auto done = std::make_shared<Done>();
    auto* reader = new Reader(std::move(live), std::move(push), done);
    open(&context, reader);
    reader->StartRead(reader->buffer());
    reader->StartCall();
    std::unique_lock lock(done->mutex);
    done->finished.wait(lock, [&] { return done->status.has_value(); });
    return *done->status;
}

} // namespace nexus::client
