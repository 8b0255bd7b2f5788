#include "server/api/ChangeFeed.h"

#include "server/ingest/FleetAggregator.h"
#include "server/rollout/RolloutController.h"

#include <algorithm>
#include <chrono>

namespace nexus::server {

namespace {

constexpr std::size_t kBatch = 1000;
constexpr std::size_t kRememberedReviews = 10'000;

std::int64_t systemNowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

// --- SeqWindow

void SeqWindow::reset(std::int64_t low)
{
    low_ = low;
    seen_.clear();
    gapSinceUs_ = 0;
}

bool SeqWindow::take(std::int64_t seq, std::int64_t nowUs)
{
    if (seq <= low_ || !seen_.insert(seq).second)
        return false;
    if (gapSinceUs_ == 0 && seq > low_ + 1)
        gapSinceUs_ = nowUs;
    return true;
}

void SeqWindow::advance(std::int64_t nowUs)
{
    for (;;) {
        while (!seen_.empty() && *seen_.begin() == low_ + 1) {
            seen_.erase(seen_.begin());
            ++low_;
        }
        if (seen_.empty()) {
            gapSinceUs_ = 0;
            return;
        }
        // A gap below what was seen: a transaction not committed yet, or
        // one that rolled back. Wait for it, up to the grace.
        if (gapSinceUs_ == 0)
            gapSinceUs_ = nowUs;
        if (nowUs - gapSinceUs_ < graceUs_)
            return;
        low_ = *seen_.begin() - 1; // give the gap up
        gapSinceUs_ = 0;
    }
}

// --- ChangeFeed

ChangeFeed::ChangeFeed(Store& store, EventHub& events, FleetAggregator* fleet,
                       RolloutController* rollouts, ChangeFeedOptions options)
    : store_(store), events_(events), fleet_(fleet), rollouts_(rollouts),
      options_(std::move(options)), audit_(options_.gapGraceUs), samples_(options_.gapGraceUs)
{
    if (!options_.clock)
        options_.clock = systemNowUs;
}

ChangeFeed::~ChangeFeed()
{
    stop();
}

std::int64_t ChangeFeed::now() const
{
    return options_.clock();
}

StoreStatus ChangeFeed::start()
{
    if (worker_.joinable())
        return protocol::Ok{};
    // This replica's own publishes, so the feed does not repeat them.
    localKnowledge_ = events_.knowledge.subscribe(4096);
    localRollouts_ = events_.rollouts.subscribe(4096);

    pb::ListAuditRequest newest;
    newest.set_page_size(1);
    const auto last = store_.listAudit(newest);
    if (!last)
        return last.error();
    audit_.reset(last->records.empty() ? 0 : last->records.front().seq());

    const std::int64_t t = now();
    if (fleet_) {
        SampleQuery recent;
        recent.sinceUs = t - fleet_->options().windowUs;
        auto instances = store_.listInstances();
        if (!instances)
            return instances.error();
        auto samples = store_.runSamples(recent);
        if (!samples)
            return samples.error();
        std::int64_t maxId = 0;
        for (const RunSample& s : *samples)
            maxId = std::max(maxId, s.sampleId);
        if (samples->empty()) { // nothing recent: start after the newest there is
            SampleQuery newestSample;
            newestSample.limit = 1;
            if (auto any = store_.runSamples(newestSample); any && !any->empty())
                maxId = any->front().sampleId;
        }
        fleet_->rebuild(*instances, *samples, t);
        samples_.reset(maxId);
        lastInstancesUs_ = t;
    }
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    worker_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            poll();
            lock.lock();
            wake_.wait_for(lock, std::chrono::milliseconds(options_.intervalMs),
                           [this] { return stopping_; });
        }
    });
    return protocol::Ok{};
}

void ChangeFeed::stop()
{
    if (!worker_.joinable())
        return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void ChangeFeed::noteLocalPublishes()
{
    if (localKnowledge_)
        while (auto event = localKnowledge_->next(std::chrono::milliseconds(0)))
            if (!event->review().review_id().empty())
                reviews_.insert(event->review().review_id());
    if (localRollouts_)
        while (auto rollout = localRollouts_->next(std::chrono::milliseconds(0))) {
            auto& revision = rolloutRevisions_[rollout->rollout_id()];
            revision = std::max(revision, rollout->revision());
        }
    if (reviews_.size() > kRememberedReviews)
        reviews_.clear(); // old reviews do not come again: the audit floor moved past them
}

void ChangeFeed::poll()
{
    const std::int64_t t = now();
    noteLocalPublishes();
    for (const pb::AuditRecord& record : pending_)
        publish(record);
    pending_.clear();

    if (auto records = store_.auditAfter(audit_.readAfter(), kBatch)) {
        for (pb::AuditRecord& record : *records)
            if (audit_.take(record.seq(), t))
                pending_.push_back(std::move(record));
        audit_.advance(t);
    }
    if (fleet_) {
        readSamples(t);
        if (t - lastInstancesUs_ >= std::int64_t(options_.instancesIntervalMs) * 1000)
            readInstances(t);
    }
}

void ChangeFeed::publish(const pb::AuditRecord& record)
{
    if (record.outcome().rfind("ok", 0) != 0)
        return; // refusals and denials changed nothing
    const std::string& action = record.action();
    if (action == "knowledge.review") {
        const auto entry = store_.getEntry(record.target());
        if (!entry)
            return;
        for (const pb::Review& review : entry->reviews()) {
            if (review.request_id() != record.request_id() ||
                !reviews_.insert(review.review_id()).second)
                continue;
            pb::KnowledgeEvent event;
            event.set_type(pb::KnowledgeEvent::TYPE_REVIEWED);
            *event.mutable_entry() = entry->entry();
            *event.mutable_review() = review;
            events_.knowledge.publish(event);
        }
        return;
    }
    if (action.rfind("rollout.", 0) == 0) {
        const auto rollout = store_.rollout(record.target());
        if (!rollout || !*rollout)
            return;
        auto& revision = rolloutRevisions_[(*rollout)->rollout_id()];
        if ((*rollout)->revision() <= revision)
            return; // published already (here, or from an earlier record)
        revision = (*rollout)->revision();
        if (rollouts_)
            (void)rollouts_->reloadRoutes();
        events_.rollouts.publish(**rollout);
    }
}

void ChangeFeed::readSamples(std::int64_t nowUs)
{
    auto samples = store_.runSamplesAfter(samples_.readAfter(), kBatch);
    if (!samples)
        return;
    for (const RunSample& sample : *samples)
        if (samples_.take(sample.sampleId, nowUs))
            fleet_->addRun(sample);
    samples_.advance(nowUs);
}

void ChangeFeed::readInstances(std::int64_t nowUs)
{
    lastInstancesUs_ = nowUs;
    if (auto instances = store_.listInstances())
        fleet_->rebuild(*instances, {}, nowUs);
}

} // namespace nexus::server
