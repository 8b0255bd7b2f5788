#include "client/KnowledgeWatcher.h"

#include "nexus/v1/knowledge.grpc.pb.h"

#include <QMetaObject>

#include <algorithm>
#include <condition_variable>
#include <grpcpp/support/client_callback.h>
#include <optional>
#include <utility>

namespace nexus::client {

namespace pb = ::nexus::v1;

// One WatchKnowledge stream (gRPC's callback reactor, so that the end of the
// server's initial metadata is known: OnReadInitialMetadataDone says ok only
// when the server sent it, not for an error answer). Deletes itself when
// done; the worker waits for `done`.
class KnowledgeWatcher::Reader final : public grpc::ClientReadReactor<pb::KnowledgeEvent>
{
public:
    struct Done
    {
        std::mutex mutex;
        std::condition_variable finished;
        std::optional<grpc::Status> status;
    };

    Reader(KnowledgeWatcher* owner, std::function<void()> live, std::shared_ptr<Done> done)
        : owner_(owner), live_(std::move(live)), done_(std::move(done))
    {}

    void start(const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context)
    {
        pb::Knowledge::NewStub(channel)->async()->WatchKnowledge(context, &request_, this);
        StartRead(&event_);
        StartCall();
    }

    void OnReadInitialMetadataDone(bool ok) override
    {
        if (ok)
            live_(); // the server subscribed us before it sent its metadata
    }

    void OnReadDone(bool ok) override
    {
        if (!ok)
            return; // the stream ended: OnDone follows
        owner_->push(std::move(event_));
        event_.Clear();
        StartRead(&event_);
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

private:
    KnowledgeWatcher* owner_;
    std::function<void()> live_;
    std::shared_ptr<Done> done_;
    pb::WatchKnowledgeRequest request_;
    pb::KnowledgeEvent event_;
};

KnowledgeWatcher::KnowledgeWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                                   QObject* parent)
    : StreamWatcher(std::move(channel), std::move(endpoint),
                    {tr("Subscribing to knowledge updates…"), tr("Knowledge updates live"),
                     tr("Knowledge updates stopped"), tr("Watching the knowledge base")},
                    parent)
{
    qRegisterMetaType<pb::KnowledgeEvent>();
}

KnowledgeWatcher::~KnowledgeWatcher()
{
    stop();
}

void KnowledgeWatcher::start()
{
    startWorker();
}

void KnowledgeWatcher::setQueueLimit(int limit)
{
    std::lock_guard lock(queueMutex_);
    queueLimit_ = std::max(1, limit);
}

grpc::Status KnowledgeWatcher::runStream(grpc::ClientContext& context,
                                         const std::function<void()>& live)
{
    auto done = std::make_shared<Reader::Done>();
    (new Reader(this, live, done))->start(channel(), &context);
    std::unique_lock lock(done->mutex);
    done->finished.wait(lock, [&] { return done->status.has_value(); });
    return *done->status;
}

void KnowledgeWatcher::onSubscribed()
{
    Q_EMIT subscribed();
}

void KnowledgeWatcher::discardUndelivered()
{
    ++stops_;
    std::lock_guard lock(queueMutex_);
    queue_.clear();
    overflowed_ = false;
}

void KnowledgeWatcher::push(pb::KnowledgeEvent event)
{
    std::lock_guard lock(queueMutex_);
    if (static_cast<int>(queue_.size()) >= queueLimit_) {
        queue_.clear(); // this object's thread fell behind: it re-lists instead
        overflowed_ = true;
    }
    queue_.push_back(std::move(event));
    if (deliveryPosted_)
        return; // the delivery already on its way takes this event too
    deliveryPosted_ = true;
    QMetaObject::invokeMethod(this, &KnowledgeWatcher::takeQueued, Qt::QueuedConnection);
}

void KnowledgeWatcher::takeQueued()
{
    std::deque<pb::KnowledgeEvent> events;
    bool overflowed = false;
    {
        std::lock_guard lock(queueMutex_);
        events.swap(queue_);
        overflowed = std::exchange(overflowed_, false);
        deliveryPosted_ = false;
    }
    const int stops = stops_;
    if (overflowed)
        Q_EMIT resyncNeeded();
    for (const pb::KnowledgeEvent& event : events) {
        if (stops != stops_)
            return; // a receiver stopped the watcher: the rest is stale
        Q_EMIT eventReceived(event);
    }
}

} // namespace nexus::client
