#pragma once
// Replicas (several nexusd on one PostgreSQL store, docs/DEPLOYMENT.md):
// what another replica changed reaches this one's streams through the
// store. Every intervalMs (250 ms) the feed reads
//   - the audit log after the last seq it saw: a knowledge review becomes a
//     KnowledgeEvent (REVIEWED), a rollout action or controller step the
//     rollout as stored, published to this replica's EventHub;
//   - run samples after the last sample id: FleetAggregator::addRun, and
//     every second the stored instances (labels, last seen);
// so WatchKnowledge, WatchRollouts and fleet snapshots show the same on
// every replica, a poll interval or two after the change (an audit record
// is acted on one poll after it was read, so this replica's own publish,
// which follows its audit append at once, is seen first and not repeated).
//
// PostgreSQL hands out seq and sample_id before commit, so a lower number
// may become visible after a higher one: the feed keeps reading above the
// lowest number it has not seen until that gap is gapGraceUs old.

#include "server/events/EventHub.h"
#include "server/store/Store.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace nexus::server {

class FleetAggregator;
class RolloutController;

// Numbers read in increasing order but committed out of order: which were
// seen, and from where to read again.
class SeqWindow
{
public:
    explicit SeqWindow(std::int64_t gapGraceUs = 2'000'000) : graceUs_(gapGraceUs) {}
    void reset(std::int64_t low);
    std::int64_t readAfter() const { return low_; }
    // True the first time `seq` is offered.
    bool take(std::int64_t seq, std::int64_t nowUs);
    // Moves the floor over what was seen and over gaps older than the grace.
    void advance(std::int64_t nowUs);

private:
    std::int64_t graceUs_;
    std::int64_t low_ = 0;        // everything <= low_ is done
    std::set<std::int64_t> seen_; // seen, above low_
    std::int64_t gapSinceUs_ = 0; // when low_ + 1 was first missing under a seen one
};

struct ChangeFeedOptions
{
    int intervalMs = 250;
    int instancesIntervalMs = 1000;
    std::int64_t gapGraceUs = 2'000'000;
    std::function<std::int64_t()> clock; // µs; default the system clock
};

class ChangeFeed
{
public:
    // `fleet` and `rollouts` may be null (no fleet view / no controller).
    ChangeFeed(Store& store, EventHub& events, FleetAggregator* fleet, RolloutController* rollouts,
               ChangeFeedOptions options = {});
    ~ChangeFeed(); // stop()
    ChangeFeed(const ChangeFeed&) = delete;
    ChangeFeed& operator=(const ChangeFeed&) = delete;

    // Starts from the store's current state: the fleet view is rebuilt from
    // the instances and the window's samples; audit records already there
    // are not replayed.
    StoreStatus start();
    void stop();

    // One round (the worker calls it; public for tests).
    void poll();

private:
    void noteLocalPublishes();
    void publish(const pb::AuditRecord& record);
    void readSamples(std::int64_t nowUs);
    void readInstances(std::int64_t nowUs);
    std::int64_t now() const;

    Store& store_;
    EventHub& events_;
    FleetAggregator* fleet_;
    RolloutController* rollouts_;
    ChangeFeedOptions options_;

    // Worker-only state.
    SeqWindow audit_, samples_;
    std::vector<pb::AuditRecord> pending_; // read last round, acted on this round
    std::shared_ptr<EventQueue<pb::KnowledgeEvent>> localKnowledge_;
    std::shared_ptr<EventQueue<pb::Rollout>> localRollouts_;
    std::map<std::string, std::int64_t> rolloutRevisions_; // published, per rollout
    std::set<std::string> reviews_;                        // review ids published
    std::int64_t lastInstancesUs_ = 0;

    std::thread worker_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
};

} // namespace nexus::server
