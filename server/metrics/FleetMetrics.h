#pragma once
// The fleet in Prometheus' text exposition (docs/metrics.md): every finished
// run the Ingestor reports becomes counters, a latency histogram and a
// rolling quality gauge per instance, labelled with the plan's fleet labels
// instance_id, deployment, version, host and region (region "" when the
// producer sent none, which Prometheus treats as no label); cost also per
// user_id, capped per instance (excess users fold into "__overflow__", and
// dashstream_label_overflow_total{label="user_id"} counts the folds). nexusd's
// own ingestion health (nexusd_ingest_*) is read from a callback at scrape
// time.
//
// Thread-safe: the Ingestor's worker adds runs while the HTTP server's
// threads scrape.

#include "protocol/Expected.h"
#include "server/ingest/Ingestor.h"
#include "server/ingest/RunTracker.h"
#include "server/store/Store.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nexus::server {

struct FleetMetricsOptions
{
    std::size_t maxUsersPerInstance = 1000; // distinct user_id values per instance_id
    std::size_t qualityWindow = 50;         // dashstream_quality_score: mean of the last N scores
};

struct MetricsError
{
    std::string message;
};

inline constexpr const char* kOverflowUser = "__overflow__";
inline constexpr const char* kUnknownUser = "unknown";

class FleetMetrics
{
public:
    explicit FleetMetrics(FleetMetricsOptions options = {});
    ~FleetMetrics(); // stopListening()
    FleetMetrics(const FleetMetrics&) = delete;
    FleetMetrics& operator=(const FleetMetrics&) = delete;

    // One finished run (RunTracker's sample and labels).
    void addRun(const RunSample& sample, const RunLabels& labels);
    // Ingestor::onRunsFinished: the two vectors are parallel.
    void addRuns(const std::vector<RunSample>& samples, const std::vector<RunLabels>& labels);

    // nexusd_ingest_* come from here at every scrape (unset: not exposed).
    void setIngestStats(std::function<IngestStats()> stats);

    // Serves GET /metrics on HOST:PORT (port 0 = a free port) and returns the
    // address actually bound, "HOST:PORT".
    protocol::Expected<std::string, MetricsError> listen(const std::string& hostPort);
    void stopListening();
    const std::string& address() const; // "" when not listening

    // The text exposition /metrics answers with.
    std::string render() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace nexus::server
