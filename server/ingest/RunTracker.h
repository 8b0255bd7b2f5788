#pragma once
// Follows every run (keyed by thread_id, DASHSTREAM.md §5.3) through its
// DashStream messages and keeps its TraceSummary: instance labels and
// optimization routing from GRAPH_START, node count, tokens and cost from
// node Metrics, quality from scope="quality" Metrics, status and error.
//
// A run finishes on GRAPH_END (COMPLETED) or on its first failure: a
// NODE_ERROR or an Error message of severity FATAL, because a failed
// DashFlow run may never send GRAPH_END (§5.2). A run that has been silent
// for the stale timeout becomes STALE; it counts as a failed run. Every
// finished run yields one RunSample, however many records follow it.
//
// Plain data in, changes out: the Ingestor decides when to write them.
// Not thread-safe (one Ingestor worker owns it).

#include "protocol/Messages.h"
#include "server/store/Store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace nexus::server {

namespace ds = protocol::ds;

struct RunTrackerOptions
{
    std::int64_t staleAfterUs = 5LL * 60 * 1'000'000;      // silence before RUNNING -> STALE
    std::int64_t finishedRetainUs = 2LL * 60 * 1'000'000;  // keep finished runs for late records
    std::int64_t interruptedRetainUs = 3600LL * 1'000'000; // waiting for a human
};

// Who a run belongs to, as the fleet sees it.
struct InstanceSighting
{
    pb::Instance instance; // id, deployment, version, host, region, tenant_id, unlabelled
    std::set<std::string> graphs;
    std::int64_t heardUs = 0; // wall clock
};

// Who ran a finished run, beyond its RunSample: the instance's full labels
// (host and region too) and the GRAPH_START attribute `user_id` ("" when the
// producer did not send one). For the Prometheus exposition (server/metrics).
struct RunLabels
{
    pb::Instance instance;
    std::string userId;
};

struct RunStart
{
    std::string instanceId;
    std::string threadId;
};

// What changed since the last takeChanges().
struct TrackerChanges
{
    std::vector<pb::TraceSummary> summaries; // every run that changed, latest state
    std::vector<pb::GraphSchema> schemas;    // first sighting of a schema_id
    std::vector<RunSample> finished;         // runs that finished (once each)
    std::vector<RunLabels> finishedLabels;   // parallel to `finished`
    std::vector<RunStart> started;
    std::map<std::string, InstanceSighting> sightings; // by instance id
    bool empty() const
    {
        return summaries.empty() && schemas.empty() && finished.empty() && started.empty() &&
               sightings.empty();
    }
};

class RunTracker
{
public:
    explicit RunTracker(RunTrackerOptions options = {});

    bool knows(const std::string& threadId) const { return runs_.contains(threadId); }
    // Takes over a run the store already has (after a restart, or a late
    // record of an evicted run): later records update it, and a finished
    // one does not finish twice.
    void adopt(const pb::TraceSummary& summary, std::int64_t nowUs);

    // One decoded record (an EventBatch counts once, its events are applied
    // one by one). `nowUs` is the wall clock.
    void apply(const ds::DashStreamMessage& message, std::int64_t nowUs);
    // A record of this thread (the Kafka key) that did not decode.
    void countBadRecord(const std::string& threadId, std::int64_t nowUs);

    // Marks silent runs STALE and forgets finished ones after their retention.
    void sweep(std::int64_t nowUs);

    TrackerChanges takeChanges();
    std::size_t runs() const { return runs_.size(); }
    std::size_t openRuns() const;

private:
    struct Run
    {
        pb::TraceSummary summary;
        pb::Instance labels; // who runs it (host and region are not in the summary)
        std::string userId;  // GRAPH_START attribute user_id ("" = none)
        bool sawStart = false;
        bool finished = false;         // a RunSample was produced
        std::int64_t heardUs = 0;      // wall clock of the last record
        std::int64_t finishedAtUs = 0; // wall clock of the finish
        std::int64_t metricTokens = 0;
        std::int64_t chunkTokens = 0;
        double costUsd = 0;
        double qualitySum = 0;
        std::int64_t qualityCount = 0;
    };

    Run& runFor(const ds::Header& header, std::int64_t nowUs);
    void applyEvent(Run& run, const ds::Event& event);
    void graphStarted(Run& run, const ds::Event& event);
    void applyMetrics(Run& run, const ds::Metrics& metrics);
    void applyError(Run& run, const ds::Error& error);
    void finish(Run& run, pb::RunStatus status, std::int64_t endedUs, std::int64_t nowUs);
    void fail(Run& run, const std::string& error, std::int64_t endedUs, std::int64_t nowUs);
    void touched(Run& run);
    void sighted(const Run& run, std::int64_t nowUs);
    static RunSample sampleOf(const pb::TraceSummary& summary);

    RunTrackerOptions options_;
    std::unordered_map<std::string, Run> runs_;
    std::set<std::string> knownSchemas_;
    std::set<std::string> changed_;     // thread ids
    std::set<std::string> newRuns_;     // started since the last takeChanges()
    std::set<std::string> finishedNow_; // finished since the last takeChanges()
    TrackerChanges changes_;
};

} // namespace nexus::server
