#include "client/RolloutWatcher.h"

#include "client/StreamReader.h"

#include "nexus/v1/rollouts.grpc.pb.h"

#include <QMetaObject>

#include <utility>

namespace nexus::client {

namespace pb = ::nexus::v1;

RolloutWatcher::RolloutWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                               QObject* parent)
    : StreamWatcher(std::move(channel), std::move(endpoint),
                    {tr("Subscribing to rollout updates…"), tr("Rollout updates live"),
                     tr("Rollout updates stopped"), tr("Watching rollouts")},
                    parent)
{
    qRegisterMetaType<pb::Rollout>();
}

RolloutWatcher::~RolloutWatcher()
{
    stop();
}

void RolloutWatcher::start()
{
    startWorker();
}

grpc::Status RolloutWatcher::runStream(grpc::ClientContext& context,
                                       const std::function<void()>& live)
{
    // What the last stream left waiting is delivered before this one's
    // Live (subscribed()), and what this one reads after it.
    auto sealThenLive = [this, live] {
        sealBatch();
        live();
    };
    auto service = pb::Rollouts::NewStub(channel());
    pb::WatchRolloutsRequest request; // empty: everything
    return runReaderStream<pb::Rollout>(
        context,
        [&](grpc::ClientContext* c, grpc::ClientReadReactor<pb::Rollout>* reactor) {
            service->async()->WatchRollouts(c, &request, reactor);
        },
        sealThenLive, [this](pb::Rollout&& message) { push(std::move(message)); });
}

void RolloutWatcher::onSubscribed()
{
    Q_EMIT subscribed();
}

void RolloutWatcher::discardUndelivered()
{
    ++stops_;
    std::lock_guard lock(queueMutex_);
    batches_.clear(); // their deliveries, still posted, find nothing
}

void RolloutWatcher::sealBatch()
{
    std::lock_guard lock(queueMutex_);
    if (!batches_.empty())
        batches_.back().sealed = true;
}

void RolloutWatcher::push(pb::Rollout rollout)
{
    std::lock_guard lock(queueMutex_);
    if (batches_.empty() || batches_.back().sealed) {
        const quint64 seq = ++nextSeq_;
        batches_.push_back(Batch{seq, {}, {}, false});
        QMetaObject::invokeMethod(
            this, [this, seq] { takeQueued(seq); }, Qt::QueuedConnection);
    }
    Batch& batch = batches_.back();
    const auto [it, added] = batch.index.try_emplace(rollout.rollout_id(), batch.rollouts.size());
    if (added) {
        batch.rollouts.push_back(std::move(rollout));
        return;
    }
    // Still waiting: keep the newer of the two in the older one's place.
    pb::Rollout& waiting = batch.rollouts[it->second];
    if (rollout.revision() >= waiting.revision())
        waiting = std::move(rollout);
}

void RolloutWatcher::takeQueued(quint64 seq)
{
    std::vector<pb::Rollout> rollouts;
    {
        std::lock_guard lock(queueMutex_);
        if (batches_.empty() || batches_.front().seq != seq)
            return; // discarded by stop()
        rollouts = std::move(batches_.front().rollouts);
        batches_.pop_front();
    }
    const int stops = stops_;
    for (const pb::Rollout& rollout : rollouts) {
        if (stops != stops_)
            return; // a receiver stopped the watcher: the rest is stale
        const QString id = QString::fromStdString(rollout.rollout_id());
        const auto seen = delivered_.constFind(id);
        if (seen != delivered_.cend() && rollout.revision() < *seen)
            continue; // older than what the receiver has
        delivered_.insert(id, rollout.revision());
        Q_EMIT rolloutReceived(rollout);
    }
}

} // namespace nexus::client
