#include "client/FleetWatcher.h"

#include "client/FleetUpdateMerge.h"
#include "client/GrpcStatusText.h"

#include "nexus/v1/fleet.grpc.pb.h"

#include <QMetaObject>

namespace nexus::client {

namespace pb = ::nexus::v1;

FleetWatcher::FleetWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                           QObject* parent)
    : QObject(parent), channel_(std::move(channel)), endpoint_(std::move(endpoint))
{
    qRegisterMetaType<pb::FleetUpdate>();
    qRegisterMetaType<FleetWatcher::State>();
}

FleetWatcher::~FleetWatcher()
{
    stop();
}

void FleetWatcher::setBackoffPolicy(const BackoffPolicy& policy)
{
    backoff_ = policy;
}

void FleetWatcher::start(int intervalMs)
{
    if (!channel_)
        return;
    if (worker_.joinable()) {
        if (state_ != State::Stopped)
            return;     // already running
        worker_.join(); // the worker gave up (auth): start afresh
    }
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    const int generation = ++generation_;
    worker_ = std::thread([this, intervalMs, generation] { run(intervalMs, generation); });
}

void FleetWatcher::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (activeCall_)
            activeCall_->TryCancel();
    }
    wake_.notify_all();
    if (worker_.joinable())
        worker_.join();
    ++generation_; // states and updates posted by the old worker are dropped
    {
        std::lock_guard lock(mutex_);
        pending_.reset();
    }
    if (state_ != State::Stopped) {
        state_ = State::Stopped;
        Q_EMIT stateChanged(State::Stopped, 0, 0, tr("Fleet updates stopped"));
    }
}

bool FleetWatcher::waitOrStop(std::chrono::milliseconds delay)
{
    std::unique_lock lock(mutex_);
    return wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void FleetWatcher::run(int intervalMs, int generation)
{
    std::mt19937_64 random{std::random_device{}()};
    auto stub = pb::Fleet::NewStub(channel_);
    pb::WatchFleetRequest request;
    request.set_interval_ms(intervalMs);
    int attempt = 0;
    postState(generation, State::Connecting, 0, 0, tr("Subscribing to fleet updates…"));
    for (;;) {
        grpc::ClientContext context;
        prepareCall(context, endpoint_, /*withDeadline=*/false);
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
            activeCall_ = &context;
        }
        auto reader = stub->WatchFleet(&context, request);
        pb::FleetUpdate update;
        bool live = false;
        while (reader->Read(&update)) {
            if (!live) {
                live = true;
                attempt = 0;
                postState(generation, State::Live, 0, 0, tr("Fleet updates live"));
            }
            publish(std::move(update));
            update.Clear();
        }
        const grpc::Status status = reader->Finish();
        {
            std::lock_guard lock(mutex_);
            activeCall_ = nullptr;
            if (stopping_)
                return;
        }
        const auto code = status.error_code();
        if (code == grpc::StatusCode::UNAUTHENTICATED ||
            code == grpc::StatusCode::PERMISSION_DENIED) {
            postState(generation, State::Stopped, 0, 0,
                      grpcStatusText(status, tr("Watching the fleet")));
            return;
        }
        ++attempt;
        const auto delay = backoff_.delay(attempt, random);
        postState(generation, State::Reconnecting, attempt, static_cast<int>(delay.count()),
                  grpcStatusText(status));
        if (waitOrStop(delay))
            return;
    }
}

void FleetWatcher::publish(pb::FleetUpdate update)
{
    std::lock_guard lock(mutex_);
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
        std::lock_guard lock(mutex_);
        update.swap(pending_);
        deliveryPosted_ = false;
    }
    if (update)
        Q_EMIT fleetUpdated(*update);
}

void FleetWatcher::postState(int generation, State state, int attempt, int retryInMs,
                             const QString& detail)
{
    QMetaObject::invokeMethod(
        this,
        [this, generation, state, attempt, retryInMs, detail] {
            if (generation != generation_)
                return; // from a worker stop() has ended
            state_ = state;
            Q_EMIT stateChanged(state, attempt, retryInMs, detail);
        },
        Qt::QueuedConnection);
}

} // namespace nexus::client
