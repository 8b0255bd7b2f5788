#include "client/StreamWatcher.h"

#include "client/GrpcStatusText.h"

#include <QMetaObject>

#include <atomic>

namespace nexus::client {

StreamWatcher::StreamWatcher(std::shared_ptr<grpc::Channel> channel, NexusEndpoint endpoint,
                             Texts texts, QObject* parent)
    : QObject(parent), channel_(std::move(channel)), endpoint_(std::move(endpoint)),
      texts_(std::move(texts))
{
    qRegisterMetaType<StreamWatcher::State>();
}

StreamWatcher::~StreamWatcher()
{
    // The subclass stopped the worker already; this only guards a subclass
    // that forgot (its runStream may no longer be called safely).
    Q_ASSERT(!worker_.joinable() || state_ == State::Stopped);
    stop();
}

void StreamWatcher::setBackoffPolicy(const BackoffPolicy& policy)
{
    backoff_ = policy;
}

bool StreamWatcher::startWorker()
{
    if (!channel_)
        return false;
    if (worker_.joinable()) {
        if (state_ != State::Stopped)
            return true; // already running
        worker_.join();  // the worker gave up (auth): start afresh
    }
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    const int generation = ++generation_;
    worker_ = std::thread([this, generation] { run(generation); });
    return true;
}

void StreamWatcher::stop()
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
    ++generation_; // states posted by the old worker are dropped
    discardUndelivered();
    if (state_ != State::Stopped) {
        state_ = State::Stopped;
        Q_EMIT stateChanged(State::Stopped, 0, 0, texts_.stopped);
    }
}

bool StreamWatcher::waitOrStop(std::chrono::milliseconds delay)
{
    std::unique_lock lock(mutex_);
    return wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void StreamWatcher::run(int generation)
{
    std::mt19937_64 random{std::random_device{}()};
    int attempt = 0;
    postState(generation, State::Connecting, 0, 0, texts_.subscribing);
    for (;;) {
        grpc::ClientContext context;
        prepareCall(context, endpoint_, /*withDeadline=*/false);
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
            activeCall_ = &context;
        }
        std::atomic<bool> wasLive = false;
        const grpc::Status status = runStream(context, [&] {
            if (!wasLive.exchange(true))
                postState(generation, State::Live, 0, 0, texts_.live);
        });
        {
            std::lock_guard lock(mutex_);
            activeCall_ = nullptr;
            if (stopping_)
                return;
        }
        const auto code = status.error_code();
        if (code == grpc::StatusCode::UNAUTHENTICATED ||
            code == grpc::StatusCode::PERMISSION_DENIED) {
            postState(generation, State::Stopped, 0, 0, grpcStatusText(status, texts_.operation));
            return;
        }
        if (wasLive)
            attempt = 0;
        ++attempt;
        // Fell behind: nothing is wrong with Nexus, subscribe again at once.
        const auto delay = wasLive && code == grpc::StatusCode::ABORTED
                               ? std::chrono::milliseconds(0)
                               : backoff_.delay(attempt, random);
        postState(generation, State::Reconnecting, attempt, static_cast<int>(delay.count()),
                  grpcStatusText(status));
        if (waitOrStop(delay))
            return;
    }
}

void StreamWatcher::postState(int generation, State state, int attempt, int retryInMs,
                              const QString& detail)
{
    QMetaObject::invokeMethod(
        this,
        [this, generation, state, attempt, retryInMs, detail] {
            if (generation != generation_)
                return; // from a worker stop() has ended
            state_ = state;
            Q_EMIT stateChanged(state, attempt, retryInMs, detail);
            if (state == State::Live)
                onSubscribed();
        },
        Qt::QueuedConnection);
}

} // namespace nexus::client
