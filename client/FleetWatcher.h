#pragma once
// Keeps a WatchFleet stream open on its own worker thread and re-subscribes
// by itself when the stream ends or Nexus goes away (StreamWatcher.h:
// exponential backoff with jitter). Updates reach this object's thread
// through one queued delivery at a time; while the GUI has not taken the
// last one, newer updates are merged into it (FleetUpdateMerge.h). Every
// (re)subscription starts with a full snapshot (the server sends full=true
// first).
//
// UNAUTHENTICATED / PERMISSION_DENIED stop the retrying: they will not heal.

#include "client/StreamWatcher.h"

#include "nexus/v1/fleet.pb.h"

#include <atomic>
#include <mutex>
#include <optional>

Q_DECLARE_METATYPE(nexus::v1::FleetUpdate)

namespace nexus::client {

class FleetWatcher : public StreamWatcher
{
    Q_OBJECT
public:
    FleetWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                 QObject* parent = nullptr);
    ~FleetWatcher() override; // stop()

    void start(int intervalMs = 1000);
    // Watch one tenant ("" = all the token may see): a running stream is
    // replaced, and the new one starts with that tenant's full snapshot
    // (instances and totals).
    void setTenant(const QString& tenant);

Q_SIGNALS:
    void fleetUpdated(const nexus::v1::FleetUpdate& update);

protected:
    grpc::Status runStream(grpc::ClientContext& context,
                           const std::function<void()>& live) override;
    void discardUndelivered() override;

private:
    void publish(nexus::v1::FleetUpdate update);
    void takePending();

    std::atomic<int> intervalMs_ = 1000;
    std::mutex tenantMutex_; // guards tenant_: read by the worker per subscription
    std::string tenant_;
    std::mutex pendingMutex_; // guards the two below
    std::optional<nexus::v1::FleetUpdate> pending_;
    bool deliveryPosted_ = false;
};

} // namespace nexus::client
