#pragma once
// Keeps a WatchFleet stream open on its own worker thread and re-subscribes
// by itself when the stream ends or Nexus goes away (exponential backoff
// with jitter). Updates reach this object's thread through one queued
// delivery at a time; while the GUI has not taken the last one, newer
// updates are merged into it (FleetUpdateMerge.h). Every (re)subscription
// starts with a full snapshot (the server sends full=true first).
//
// UNAUTHENTICATED / PERMISSION_DENIED stop the retrying: they will not heal.

#include "client/Backoff.h"
#include "client/NexusChannel.h"

#include "nexus/v1/fleet.pb.h"

#include <QObject>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

Q_DECLARE_METATYPE(nexus::v1::FleetUpdate)

namespace nexus::client {

class FleetWatcher : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Stopped,      // not started, stopped, or given up (see the detail)
        Connecting,   // subscribing, no update yet
        Live,         // the stream delivers
        Reconnecting, // the stream ended; retrying after retryInMs
    };
    Q_ENUM(State)

    FleetWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                 QObject* parent = nullptr);
    ~FleetWatcher() override; // stop()

    void setBackoffPolicy(const BackoffPolicy& policy); // before start()
    void start(int intervalMs = 1000);
    void stop(); // cancels the stream and joins the worker

    State state() const { return state_; }

Q_SIGNALS:
    void fleetUpdated(const nexus::v1::FleetUpdate& update);
    // attempt and retryInMs are set for Reconnecting; detail is a sentence
    // for the status bar (grpcStatusText of why the stream ended).
    void stateChanged(nexus::client::FleetWatcher::State state, int attempt, int retryInMs,
                      const QString& detail);

private:
    void run(int intervalMs, int generation);
    void publish(nexus::v1::FleetUpdate update);
    void takePending();
    void postState(int generation, State state, int attempt, int retryInMs, const QString& detail);
    bool waitOrStop(std::chrono::milliseconds delay);

    std::shared_ptr<grpc::Channel> channel_;
    NexusEndpoint endpoint_;
    BackoffPolicy backoff_;
    State state_ = State::Stopped;
    int generation_ = 0; // this object's thread only

    std::thread worker_;
    std::mutex mutex_; // guards everything below
    std::condition_variable wake_;
    bool stopping_ = false;
    grpc::ClientContext* activeCall_ = nullptr;
    std::optional<nexus::v1::FleetUpdate> pending_;
    bool deliveryPosted_ = false;
};

} // namespace nexus::client
