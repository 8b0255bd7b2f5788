#pragma once
// Keeps a Rollouts.WatchRollouts stream open (every rollout) and
// re-subscribes by itself when it ends or Nexus goes away (StreamWatcher.h:
// a worker thread, exponential backoff with jitter; UNAUTHENTICATED /
// PERMISSION_DENIED stop the retrying).
//
// The stream sends the current rollouts and then every change, each as the
// whole Rollout, so only the newest state of a rollout matters:
//  - updates waiting for this object's thread are merged per rollout_id
//    (the newest revision wins, in the place the rollout first took in the
//    queue), which also bounds what one stream leaves waiting by the
//    number of rollouts;
//  - a rollout is never delivered at an older revision after a newer one
//    (a change published while the server was sending its snapshot can
//    come twice, the older copy last). The same revision may come again
//    after a re-subscription.
//  - subscribed() is emitted each time a (re)subscription is in place (the
//    server's initial metadata), after everything the previous stream
//    delivered and before anything of the new one: the server's snapshot
//    follows it. A console may list again then to drop what it no longer
//    needs.
//  - a server that finds the stream fell behind ends it with ABORTED; the
//    watcher subscribes again at once, which again emits subscribed().

#include "client/NexusClient.h" // Q_DECLARE_METATYPE(nexus::v1::Rollout)
#include "client/StreamWatcher.h"

#include "nexus/v1/rollouts.pb.h"

#include <QHash>

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace nexus::client {

class RolloutWatcher : public StreamWatcher
{
    Q_OBJECT
public:
    RolloutWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                   QObject* parent = nullptr);
    ~RolloutWatcher() override; // stop()

    void start();

Q_SIGNALS:
    void rolloutReceived(const nexus::v1::Rollout& rollout);
    void subscribed();

protected:
    grpc::Status runStream(grpc::ClientContext& context,
                           const std::function<void()>& live) override;
    void onSubscribed() override;
    void discardUndelivered() override;

private:
    // Updates read from one stream, waiting for this object's thread; one
    // queued delivery (takeQueued(seq)) per batch.
    struct Batch
    {
        quint64 seq = 0;
        std::vector<nexus::v1::Rollout> rollouts;
        std::unordered_map<std::string, std::size_t> index; // rollout_id -> place in rollouts
        bool sealed = false; // its stream ended: what comes next waits for subscribed()
    };
    void push(nexus::v1::Rollout rollout); // any thread
    void sealBatch();                      // any thread, before a new stream's Live
    void takeQueued(quint64 seq);

    std::mutex queueMutex_; // guards the two below
    std::deque<Batch> batches_;
    quint64 nextSeq_ = 0;

    // This object's thread only.
    QHash<QString, qint64> delivered_; // rollout_id -> newest revision delivered
    int stops_ = 0;                    // a stop() ends a delivery in progress
};

} // namespace nexus::client
