#pragma once
// The re-subscribing loop shared by the Nexus stream watchers (FleetWatcher,
// KnowledgeWatcher): a worker thread keeps one server stream open and opens
// it again by itself when it ends or Nexus goes away, after an exponential
// backoff with jitter (Backoff.h). A stream the server ended with ABORTED
// after it was live (the watcher fell behind) is re-subscribed at once.
// UNAUTHENTICATED / PERMISSION_DENIED stop the retrying: they will not heal.
//
// A subclass opens and reads its stream in runStream() on the worker
// thread, says when the subscription is in place (Live), and hands what it
// reads to its own thread. Its destructor must call stop(), so the worker
// never runs into a half-destroyed object.

#include "client/Backoff.h"
#include "client/NexusChannel.h"

#include <QObject>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace nexus::client {

class StreamWatcher : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Stopped,      // not started, stopped, or given up (see the detail)
        Connecting,   // subscribing, not live yet
        Live,         // the subscription is in place; the stream delivers
        Reconnecting, // the stream ended; retrying after retryInMs
    };
    Q_ENUM(State)

    ~StreamWatcher() override;

    void setBackoffPolicy(const BackoffPolicy& policy); // before start()
    void stop();                                        // cancels the stream and joins the worker
    State state() const { return state_; }

Q_SIGNALS:
    // attempt and retryInMs are set for Reconnecting; detail is a sentence
    // for the status bar (grpcStatusText of why the stream ended).
    void stateChanged(nexus::client::StreamWatcher::State state, int attempt, int retryInMs,
                      const QString& detail);

protected:
    // The sentences of stateChanged's detail.
    struct Texts
    {
        QString subscribing; // "Subscribing to fleet updates…"
        QString live;        // "Fleet updates live"
        QString stopped;     // "Fleet updates stopped"
        QString operation;   // "Watching the fleet" (prefix of a give-up reason)
    };

    StreamWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint, Texts texts,
                  QObject* parent);

    // Starts the worker unless it runs; a worker that gave up is replaced.
    // False without a channel.
    bool startWorker();

    // Worker thread: opens the stream on `context` (token set, no deadline),
    // calls `live()` once the subscription is in place, reads until the
    // stream ends and returns its status. stop() cancels `context`.
    virtual grpc::Status runStream(grpc::ClientContext& context,
                                   const std::function<void()>& live) = 0;
    // This object's thread, right after each Live state: a (re)subscription
    // is in place.
    virtual void onSubscribed() {}
    // This object's thread, in stop() after the worker ended: drop what the
    // old stream left undelivered.
    virtual void discardUndelivered() {}

    const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

private:
    void run(int generation);
    void postState(int generation, State state, int attempt, int retryInMs, const QString& detail);
    bool waitOrStop(std::chrono::milliseconds delay);

    std::shared_ptr<grpc::Channel> channel_;
    NexusEndpoint endpoint_;
    Texts texts_;
    BackoffPolicy backoff_;
    State state_ = State::Stopped;
    int generation_ = 0; // this object's thread only

    std::thread worker_;
    std::mutex mutex_; // guards stopping_ and activeCall_
    std::condition_variable wake_;
    bool stopping_ = false;
    grpc::ClientContext* activeCall_ = nullptr;
};

} // namespace nexus::client
