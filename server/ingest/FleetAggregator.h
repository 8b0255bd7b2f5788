#pragma once
// The fleet view: one pb::Instance per instance with its metrics over a
// sliding window of finished runs (default 5 minutes) and a status, plus
// fleet totals. Thread-safe: the Ingestor feeds it, the Fleet service reads
// snapshots and deltas.
//
// Metrics (over runs that ended within the window):
//   runs/s, tokens/s and cost/hour divide by the window, or by the time the
//   instance has been known when that is shorter (at least 10 s), so a new
//   instance does not look idle; error rate = failed / finished (a STALE
//   run counts as failed); latency percentiles over completed runs (all
//   finished runs when none completed); quality = mean quality_score of
//   runs that report one; active runs = started and not yet ended.
//
// Status, first rule that holds (docs/fleet-simulator.md):
//   STALE      nothing heard for staleAfterUs (60 s)
//   UNHEALTHY  >= minRunsForStatus runs and error rate >= 0.5
//   DEGRADED   >= minRunsForStatus runs and (error rate >= 0.1,
//              or p95 >= 3x the median p95 of its deployment,
//              or quality <= median quality of its deployment - 0.15);
//              the deployment comparisons need >= 3 instances with data
//   HEALTHY    otherwise
//
// Revisions: every change of an instance's published state takes the next
// fleet revision, so changesSince(r) returns exactly what changed after r.

#include "server/ingest/RunTracker.h"
#include "server/store/Store.h"

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nexus::server {

struct FleetAggregatorOptions
{
    std::int64_t windowUs = 5LL * 60 * 1'000'000;
    std::int64_t minRateSpanUs = 10LL * 1'000'000;
    std::int64_t staleAfterUs = 60LL * 1'000'000;
    // Instances not heard from for this long leave the fleet (FleetUpdate.removed); 0 = never.
    std::int64_t forgetAfterUs = 24LL * 3600 * 1'000'000;
    std::int64_t minRunsForStatus = 5;
    double unhealthyErrorRate = 0.5;
    double degradedErrorRate = 0.1;
    double degradedLatencyFactor = 3.0;
    double degradedQualityDrop = 0.15;
    int minPeersForComparison = 3;
    // snapshot()/changesSince() recompute at most this often (else cached).
    std::int64_t refreshIntervalUs = 200'000;
};

struct FleetSnapshot
{
    std::vector<pb::Instance> instances; // by instance id
    pb::FleetTotals totals;
    std::uint64_t revision = 0;
    std::int64_t asOfUs = 0;
};

class FleetAggregator
{
public:
    explicit FleetAggregator(FleetAggregatorOptions options = {});

    // --- feeding (the Ingestor)
    void observe(const InstanceSighting& sighting);
    void runStarted(const std::string& instanceId, const std::string& threadId);
    void addRun(const RunSample& sample);
    // After a restart: the instances and the window's run samples from the store.
    void rebuild(const std::vector<pb::Instance>& instances, const std::vector<RunSample>& samples,
                 std::int64_t nowUs);

    // --- reading (the Fleet service)
    FleetSnapshot snapshot(std::int64_t nowUs);
    // Full when `revision` is 0 or older than what the delta log keeps;
    // otherwise only instances changed after `revision` and ids that left.
    pb::FleetUpdate changesSince(std::uint64_t revision, std::int64_t nowUs);
    std::optional<pb::Instance> instance(const std::string& instanceId, std::int64_t nowUs);
    // The totals over the instances of `tenants` only (a scoped caller's view).
    pb::FleetTotals totalsFor(const std::vector<std::string>& tenants, std::int64_t nowUs);
    std::uint64_t revision() const;
    const FleetAggregatorOptions& options() const { return options_; }

private:
    struct WindowRun
    {
        std::int64_t endedUs = 0;
        std::int64_t durationUs = 0;
        bool failed = false;
        std::optional<double> quality;
        std::int64_t tokens = 0;
        std::int64_t costMicros = 0;
    };
    struct Entry
    {
        pb::Instance labels; // id, deployment, version, host, region, tenant, unlabelled
        std::set<std::string> graphs;
        std::int64_t firstSeenUs = 0;
        std::int64_t lastSeenUs = 0;
        std::deque<WindowRun> runs;               // by arrival; evicted by endedUs
        std::map<std::string, std::int64_t> open; // thread -> end (INT64_MAX while running)
        pb::Instance published;
        std::uint64_t revision = 0;
    };

    Entry& entryFor(const std::string& instanceId);
    void refresh(std::int64_t nowUs, bool force);
    pb::Instance compute(Entry& entry, std::int64_t nowUs) const;
    void applyStatuses(std::vector<pb::Instance*>& computed, std::int64_t nowUs) const;
    // Over every instance, or those of `tenants` when given.
    pb::FleetTotals totals(std::int64_t nowUs,
                           const std::vector<std::string>* tenants = nullptr) const;

    FleetAggregatorOptions options_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
    std::uint64_t revision_ = 0;
    std::deque<std::pair<std::uint64_t, std::string>> removals_; // revision, id
    std::uint64_t removalsFloor_ = 0; // deltas from before this revision need a full update
    std::int64_t lastRefreshUs_ = 0;
    bool dirty_ = true;
    pb::FleetTotals totals_;
};

} // namespace nexus::server
