#include "client/FleetWatcher.h"

#include "client/FleetUpdateMerge.h"

#include "nexus/v1/fleet.grpc.pb.h"

#include <QMetaObject>

namespace nexus::client {

namespace pb = ::nexus::v1;

FleetWatcher::FleetWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                           QObject* parent)
    : StreamWatcher(std::move(channel), std::move(endpoint),
                    {tr("Subscribing to fleet updates…"), tr("Fleet updates live"),
                     tr("Fleet updates stopped"), tr("Watching the fleet")},
                    parent)
{
    qRegisterMetaType<pb::FleetUpdate>();
}

FleetWatcher::~FleetWatcher()
{
    stop();
}

void FleetWatcher::start(int intervalMs)
{
    if (state() == State::Stopped)
        intervalMs_ = intervalMs;
    startWorker();
}

void FleetWatcher::setTenant(const QString& tenant)
{
    {
        std::lock_guard lock(tenantMutex_);
        if (tenant_ == tenant.toStdString())
            return;
        tenant_ = tenant.toStdString();
    }
    if (state() == State::Stopped)
        return;
    stop();
    startWorker();
}

grpc::Status FleetWatcher::runStream(grpc::ClientContext& context,
                                     const std::function<void()>& live)
{
    pb::WatchFleetRequest request;
    request.set_interval_ms(intervalMs_);
    {
        std::lock_guard lock(tenantMutex_);
        request.set_tenant_id(tenant_);
    }
    auto reader = pb::Fleet::NewStub(channel())->WatchFleet(&context, request);
    pb::FleetUpdate update;
    while (reader->Read(&update)) {
        live(); // the first update is the snapshot: the stream is live
        publish(std::move(update));
        update.Clear();
    }
    return reader->Finish();
}

void FleetWatcher::discardUndelivered()
{
    std::lock_guard lock(pendingMutex_);
    pending_.reset();
}

void FleetWatcher::publish(pb::FleetUpdate update)
{
    std::lock_guard lock(pendingMutex_);
    if (pending_)
        mergeFleetUpdate(*pending_, std::move(update));
    else
        pending_ = std::move(update);
    if (deliveryPosted_)
        return; // the delivery already on its way takes the merged update
    deliveryPosted_ = true;
    QMetaObject::invokeMethod(this, &FleetWatcher::takePending, Qt::QueuedConnection);
}

void FleetWatcher::takePending()
{
    std::optional<pb::FleetUpdate> update;
    {
        std::lock_guard lock(pendingMutex_);
        update.swap(pending_);
        deliveryPosted_ = false;
    }
    if (update)
        Q_EMIT fleetUpdated(*update);
}

} // namespace nexus::client
