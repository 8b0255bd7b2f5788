#pragma once
// Keeps a Knowledge.WatchKnowledge stream open and re-subscribes by itself
// when it ends or Nexus goes away (StreamWatcher.h: a worker thread,
// exponential backoff with jitter; UNAUTHENTICATED / PERMISSION_DENIED stop
// the retrying).
//
// Every event reaches this object's thread in order, none merged or
// dropped, through eventReceived. The stream only carries what happens
// while it is open, so:
//  - subscribed() is emitted each time a (re)subscription is in place (the
//    server's initial metadata): list the entries again then, to close the
//    gap since the last stream. Events delivered after subscribed() are
//    newer than that subscription.
//  - a server that finds the stream fell behind ends it with ABORTED; the
//    watcher subscribes again at once, which again emits subscribed().
//  - events waiting for this object's thread are bounded (queueLimit, 10 000
//    by default); past it the waiting events are dropped and resyncNeeded()
//    is emitted before the events that came after: list the entries again.

#include "client/StreamWatcher.h"

#include "nexus/v1/knowledge.pb.h"

#include <deque>
#include <mutex>

Q_DECLARE_METATYPE(nexus::v1::KnowledgeEvent)

namespace nexus::client {

class KnowledgeWatcher : public StreamWatcher
{
    Q_OBJECT
public:
    static constexpr int kDefaultQueueLimit = 10'000;

    KnowledgeWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                     QObject* parent = nullptr);
    ~KnowledgeWatcher() override; // stop()

    void start();
    // Events that may wait for this object's thread before they are dropped.
    void setQueueLimit(int limit);

Q_SIGNALS:
    void eventReceived(const nexus::v1::KnowledgeEvent& event);
    void subscribed();
    void resyncNeeded();

protected:
    grpc::Status runStream(grpc::ClientContext& context,
                           const std::function<void()>& live) override;
    void onSubscribed() override;
    void discardUndelivered() override;

private:
    // Events read from one stream, waiting for this object's thread; one
    // queued delivery (takeQueued(seq)) per batch, so a new stream's events
    // never ride on the old stream's delivery, ahead of its subscribed().
    struct Batch
    {
        quint64 seq = 0;
        std::deque<nexus::v1::KnowledgeEvent> events;
        bool overflowed = false; // events before these were dropped: resyncNeeded() first
        bool sealed = false;     // its stream ended: what comes next is another batch
    };
    void push(nexus::v1::KnowledgeEvent event); // any thread
    void sealBatch();                           // any thread, before a new stream's Live
    void takeQueued(quint64 seq);

    std::mutex queueMutex_; // guards the four below
    std::deque<Batch> batches_;
    quint64 nextSeq_ = 0;
    int queued_ = 0; // events in batches_
    int queueLimit_ = kDefaultQueueLimit;
    int stops_ = 0; // this object's thread only: a stop() ends a delivery in progress
};

} // namespace nexus::client
