#pragma once
// In-process fan-out of changes to the server streams (WatchKnowledge,
// WatchRollouts). Publishers never block: every subscriber has its own
// bounded queue, and a subscriber that falls behind loses its oldest events
// and is told so (overflowed), so it can re-read the full state.

#include "nexus/v1/knowledge.pb.h"
#include "nexus/v1/rollouts.pb.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace nexus::server {

template <class Event> class EventQueue
{
public:
    explicit EventQueue(std::size_t capacity) : capacity_(capacity) {}

    void push(const Event& event)
    {
        {
            std::lock_guard lock(mutex_);
            if (queue_.size() >= capacity_) {
                queue_.pop_front();
                overflowed_ = true;
            }
            queue_.push_back(event);
        }
        ready_.notify_one();
    }

    // The next event, or nullopt after `timeout` or once closed.
    std::optional<Event> next(std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(mutex_);
        ready_.wait_for(lock, timeout, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty())
            return std::nullopt;
        Event e = std::move(queue_.front());
        queue_.pop_front();
        return e;
    }

    // True once if events were dropped since the last call.
    bool takeOverflow()
    {
        std::lock_guard lock(mutex_);
        return std::exchange(overflowed_, false);
    }

    void close()
    {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        ready_.notify_all();
    }

    bool closed() const
    {
        std::lock_guard lock(mutex_);
        return closed_;
    }

private:
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Event> queue_;
    bool overflowed_ = false;
    bool closed_ = false;
};

template <class Event> class EventChannel
{
public:
    std::shared_ptr<EventQueue<Event>> subscribe(std::size_t capacity = 1024)
    {
        auto q = std::make_shared<EventQueue<Event>>(capacity);
        std::lock_guard lock(mutex_);
        subscribers_.push_back(q);
        return q;
    }

    void publish(const Event& event)
    {
        std::lock_guard lock(mutex_);
        std::erase_if(subscribers_,
                      [](const std::weak_ptr<EventQueue<Event>>& w) { return w.expired(); });
        for (auto& w : subscribers_)
            if (auto q = w.lock())
                q->push(event);
    }

    void closeAll()
    {
        std::lock_guard lock(mutex_);
        for (auto& w : subscribers_)
            if (auto q = w.lock())
                q->close();
    }

private:
    std::mutex mutex_;
    std::vector<std::weak_ptr<EventQueue<Event>>> subscribers_;
};

struct EventHub
{
    EventChannel<::nexus::v1::KnowledgeEvent> knowledge;
    EventChannel<::nexus::v1::Rollout> rollouts;

    void closeAll()
    {
        knowledge.closeAll();
        rollouts.closeAll();
    }
};

} // namespace nexus::server
