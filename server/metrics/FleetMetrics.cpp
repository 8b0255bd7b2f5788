#include "server/metrics/FleetMetrics.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <set>

namespace nexus::server {

namespace {

using Labels = std::map<std::string, std::string>;

// Run durations from 0.1 s to 120 s (DashFlow runs: sub-second tool calls to
// multi-minute agent loops).
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {0.1, 0.25, 0.5, 1,  2.5, 5,
                                                                 10,  20,   30,  60, 120};

// nexusd's ingestion health, read at scrape time.
class IngestCollectable : public prometheus::Collectable
{
public:
    void set(std::function<IngestStats()> stats)
    {
        std::lock_guard lock(mutex_);
        stats_ = std::move(stats);
    }

    std::vector<prometheus::MetricFamily> Collect() const override
    {
        std::lock_guard lock(mutex_);
        if (!stats_)
            return {};
        const IngestStats s = stats_();
        std::vector<prometheus::MetricFamily> out;
        auto add = [&out](const char* name, const char* help, prometheus::MetricType type,
                          double value) {
            prometheus::MetricFamily family;
            family.name = name;
            family.help = help;
            family.type = type;
            prometheus::ClientMetric metric;
            if (type == prometheus::MetricType::Counter)
                metric.counter.value = value;
            else
                metric.gauge.value = value;
            family.metric.push_back(metric);
            out.push_back(std::move(family));
        };
        using T = prometheus::MetricType;
        add("nexusd_ingest_records_total", "Kafka records consumed by nexusd's ingestion",
            T::Counter, double(s.records));
        add("nexusd_ingest_bad_records_total",
            "Records that did not decode (or had no thread_id); dead-lettered", T::Counter,
            double(s.badRecords));
        add("nexusd_ingest_duplicate_records_total", "Records dropped as duplicates by message_id",
            T::Counter, double(s.duplicates));
        add("nexusd_ingest_dead_lettered_total", "Records delivered to the dead-letter topic",
            T::Counter, double(s.deadLettered));
        add("nexusd_ingest_runs_finished_total", "Runs that finished, as ingestion saw them",
            T::Counter, double(s.runsFinished));
        add("nexusd_ingest_kafka_up", "1 while Kafka is reachable, else 0", T::Gauge,
            s.kafkaConnected ? 1.0 : 0.0);
        if (s.lagRecords >= 0)
            add("nexusd_ingest_lag_records",
                "Records in the assigned partitions not yet consumed (as of the last sweep)",
                T::Gauge, double(s.lagRecords));
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::function<IngestStats()> stats_;
};

} // namespace

struct FleetMetrics::Impl
{
    FleetMetricsOptions options;
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
    std::shared_ptr<IngestCollectable> ingest = std::make_shared<IngestCollectable>();
    prometheus::Family<prometheus::Counter>* runs = nullptr;
    prometheus::Family<prometheus::Counter>* errors = nullptr;
    prometheus::Family<prometheus::Counter>* cost = nullptr;
    prometheus::Family<prometheus::Counter>* tokens = nullptr;
    prometheus::Family<prometheus::Counter>* overflow = nullptr;
    prometheus::Family<prometheus::Gauge>* quality = nullptr;
    prometheus::Family<prometheus::Histogram>* latency = nullptr;

    struct Instance
    {
        std::set<std::string> users; // distinct user_id values with their own series
        std::deque<double> scores;   // the last qualityWindow quality scores
        double scoreSum = 0;
    };
    std::mutex mutex; // guards instances
    std::map<std::string, Instance> instances;

    std::unique_ptr<prometheus::Exposer> exposer;
    std::string address;
};

FleetMetrics::FleetMetrics(FleetMetricsOptions options) : impl_(std::make_unique<Impl>())
{
    Impl& m = *impl_;
    m.options = options;
    auto& r = *m.registry;
    m.runs = &prometheus::BuildCounter()
                  .Name("dashstream_runs_total")
                  .Help("Finished runs per instance")
                  .Register(r);
    m.errors = &prometheus::BuildCounter()
                    .Name("dashstream_errors_total")
                    .Help("Failed runs per instance (FAILED or STALE)")
                    .Register(r);
    m.latency = &prometheus::BuildHistogram()
                     .Name("dashstream_latency_seconds")
                     .Help("Run duration per instance")
                     .Register(r);
    m.quality = &prometheus::BuildGauge()
                     .Name("dashstream_quality_score")
                     .Help("Mean quality score of the instance's last runs that had one")
                     .Register(r);
    m.cost = &prometheus::BuildCounter()
                  .Name("dashstream_cost_dollars_total")
                  .Help("LLM spend in US dollars per instance and user_id")
                  .Register(r);
    m.tokens = &prometheus::BuildCounter()
                    .Name("dashstream_tokens_total")
                    .Help("Tokens used per instance")
                    .Register(r);
    m.overflow = &prometheus::BuildCounter()
                      .Name("dashstream_label_overflow_total")
                      .Help("Label values folded into __overflow__ by the cardinality cap")
                      .Register(r);
}

FleetMetrics::~FleetMetrics()
{
    stopListening();
}

void FleetMetrics::addRun(const RunSample& sample, const RunLabels& labels)
{
    Impl& m = *impl_;
    const pb::Instance& i = labels.instance;
    const std::string& id = i.instance_id().empty() ? sample.instanceId : i.instance_id();
    const Labels fleet = {
        {"instance_id", id},
        {"deployment", i.deployment().empty() ? sample.deployment : i.deployment()},
        {"version", i.version().empty() ? sample.version : i.version()},
        {"host", i.host()},
        {"region", i.region()}};

    std::string user = labels.userId.empty() ? kUnknownUser : labels.userId;
    bool folded = false;
    std::optional<double> quality;
    {
        std::lock_guard lock(m.mutex);
        Impl::Instance& instance = m.instances[id];
        if (!instance.users.contains(user)) {
            if (instance.users.size() < m.options.maxUsersPerInstance)
                instance.users.insert(user);
            else
                folded = true;
        }
        if (sample.quality && m.options.qualityWindow > 0) {
            instance.scores.push_back(*sample.quality);
            instance.scoreSum += *sample.quality;
            if (instance.scores.size() > m.options.qualityWindow) {
                instance.scoreSum -= instance.scores.front();
                instance.scores.pop_front();
            }
            quality = instance.scoreSum / double(instance.scores.size());
        }
    }
    if (folded) {
        user = kOverflowUser;
        m.overflow->Add({{"label", "user_id"}}).Increment();
    }

    m.runs->Add(fleet).Increment();
    auto& errors = m.errors->Add(fleet); // present at 0, so rate() sees healthy instances
    if (sample.failed)
        errors.Increment();
    m.latency->Add(fleet, kLatencyBuckets).Observe(double(sample.durationUs) / 1e6);
    m.tokens->Add(fleet).Increment(double(std::max<std::int64_t>(0, sample.tokens)));
    Labels withUser = fleet;
    withUser["user_id"] = user;
    m.cost->Add(withUser).Increment(double(std::max<std::int64_t>(0, sample.costMicros)) / 1e6);
    if (quality)
        m.quality->Add(fleet).Set(*quality);
}

void FleetMetrics::addRuns(const std::vector<RunSample>& samples,
                           const std::vector<RunLabels>& labels)
{
    for (std::size_t k = 0; k < samples.size(); ++k)
        addRun(samples[k], k < labels.size() ? labels[k] : RunLabels{});
}

void FleetMetrics::setIngestStats(std::function<IngestStats()> stats)
{
    impl_->ingest->set(std::move(stats));
}

protocol::Expected<std::string, MetricsError> FleetMetrics::listen(const std::string& hostPort)
{
    Impl& m = *impl_;
    stopListening();
    const auto colon = hostPort.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == hostPort.size())
        return MetricsError{"--metrics-listen needs HOST:PORT, not '" + hostPort + "'"};
    try {
        auto exposer = std::make_unique<prometheus::Exposer>(hostPort, 2);
        const std::vector<int> ports = exposer->GetListeningPorts();
        if (ports.empty() || ports.front() <= 0)
            return MetricsError{"cannot listen on " + hostPort + " for /metrics"};
        exposer->RegisterCollectable(m.registry);
        exposer->RegisterCollectable(m.ingest);
        m.exposer = std::move(exposer);
        m.address = hostPort.substr(0, colon) + ":" + std::to_string(ports.front());
        return m.address;
    } catch (const std::exception& e) {
        return MetricsError{"cannot listen on " + hostPort + " for /metrics: " + e.what()};
    }
}

void FleetMetrics::stopListening()
{
    impl_->exposer.reset();
    impl_->address.clear();
}

const std::string& FleetMetrics::address() const
{
    return impl_->address;
}

std::string FleetMetrics::render() const
{
    std::vector<prometheus::MetricFamily> families = impl_->registry->Collect();
    for (auto& family : impl_->ingest->Collect())
        families.push_back(std::move(family));
    return prometheus::TextSerializer().Serialize(families);
}

} // namespace nexus::server
