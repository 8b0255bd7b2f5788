#include "client/KnowledgeWatcher.h"

#include "client/StreamReader.h"

#include "nexus/v1/knowledge.grpc.pb.h"

#include <QMetaObject>

#include <algorithm>
#include <utility>

namespace nexus::client {

namespace pb = ::nexus::v1;

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
    // What the last stream left waiting is delivered before this one's
    // Live (subscribed()), and what this one reads after it.
    auto sealThenLive = [this, live] {
        sealBatch();
        live();
    };
    auto service = pb::Knowledge::NewStub(channel());
    pb::WatchKnowledgeRequest request; // empty: everything
    return runReaderStream<pb::KnowledgeEvent>(
        context,
        [&](grpc::ClientContext* c, grpc::ClientReadReactor<pb::KnowledgeEvent>* reactor) {
            service->async()->WatchKnowledge(c, &request, reactor);
        },
        sealThenLive, [this](pb::KnowledgeEvent&& message) { push(std::move(message)); });
}

void KnowledgeWatcher::onSubscribed()
{
    Q_EMIT subscribed();
}

void KnowledgeWatcher::discardUndelivered()
{
    ++stops_;
    std::lock_guard lock(queueMutex_);
    batches_.clear(); // their deliveries, still posted, find nothing
    queued_ = 0;
}

void KnowledgeWatcher::sealBatch()
{
    std::lock_guard lock(queueMutex_);
    if (!batches_.empty())
        batches_.back().sealed = true;
}

void KnowledgeWatcher::push(pb::KnowledgeEvent event)
{
    std::lock_guard lock(queueMutex_);
    bool overflowed = false;
    if (queued_ >= queueLimit_) {
        // This object's thread fell behind: it re-lists instead.
        for (Batch& batch : batches_)
            batch.events.clear();
        queued_ = 0;
        overflowed = true;
    }
    if (batches_.empty() || batches_.back().sealed) {
        const quint64 seq = ++nextSeq_;
        batches_.push_back(Batch{seq, {}, false, false});
        QMetaObject::invokeMethod(
            this, [this, seq] { takeQueued(seq); }, Qt::QueuedConnection);
    }
    Batch& batch = batches_.back();
    batch.overflowed = batch.overflowed || overflowed;
    batch.events.push_back(std::move(event));
    ++queued_;
}

void KnowledgeWatcher::takeQueued(quint64 seq)
{
    Batch batch;
    {
        std::lock_guard lock(queueMutex_);
        if (batches_.empty() || batches_.front().seq != seq)
            return; // discarded by stop()
        batch = std::move(batches_.front());
        batches_.pop_front();
        queued_ -= int(batch.events.size());
    }
    const int stops = stops_;
    if (batch.overflowed)
        Q_EMIT resyncNeeded();
    for (const pb::KnowledgeEvent& event : batch.events) {
        if (stops != stops_)
            return; // a receiver stopped the watcher: the rest is stale
        Q_EMIT eventReceived(event);
    }
}

} // namespace nexus::client
