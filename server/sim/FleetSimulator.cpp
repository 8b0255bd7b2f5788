#include "server/sim/FleetSimulator.h"

#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/KafkaSink.h"
#include "runtime/Random.h"
#include "runtime/TelemetryEmitter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>

namespace nexus::server {

using SteadyClock = std::chrono::steady_clock;
namespace ds = protocol::ds;

struct FleetSimulator::Impl
{
    std::map<std::string, runtime::Graph> graphs;
    std::unique_ptr<runtime::KafkaSink> sink;
    runtime::Rng rng; // worker only
    SteadyClock::time_point started;
    // realTime: messages waiting for their time, by (due, emission counter);
    // worker only. A run's due times never decrease, so its messages keep
    // their emission order.
    std::map<std::pair<SteadyClock::time_point, std::uint64_t>, ds::DashStreamMessage> paced;
    std::uint64_t emissionCounter = 0;

    mutable std::mutex mutex; // everything below
    SimStats stats;
    std::deque<SimRunRecord> recent;
    std::map<std::string, std::optional<VersionEffect>>
        versionEffects;                                // nullopt: known to have none
    std::map<std::string, VersionEffect> entryEffects; // by knowledge entry id
    std::uint64_t knowledgeRound = 0;
    std::size_t nextEffect = 0;

    explicit Impl(std::optional<std::uint64_t> seed) : rng(seed) {}
};

namespace {

// Combines two independent per-node failure chances.
double eitherFails(double a, double b)
{
    return 1.0 - (1.0 - a) * (1.0 - b);
}

std::chrono::microseconds exponentialInterval(runtime::Rng& rng, double meanSeconds)
{
    const double u = std::min(rng.uniform01(), 0.999999);
    return std::chrono::microseconds(std::int64_t(-std::log(1.0 - u) * meanSeconds * 1e6));
}

// Forwards a run's messages to the shared sink and notes its quality
// scores, which the knowledge writer ranks runs by.
class QualityTap final : public runtime::TelemetrySink
{
public:
    explicit QualityTap(runtime::TelemetrySink& next) : next_(next) {}
    runtime::Status publish(const runtime::ds::DashStreamMessage& message) override
    {
        if (message.has_metrics() && message.metrics().scope() == "quality") {
            const auto& values = message.metrics().metrics();
            if (auto it = values.find("quality_score"); it != values.end()) {
                sum_ += it->second.float_value();
                ++count_;
            }
        }
        return next_.publish(message);
    }
    runtime::Status flush() override { return next_.flush(); }
    double quality() const { return count_ ? sum_ / count_ : -1.0; }

private:
    runtime::TelemetrySink& next_;
    double sum_ = 0;
    int count_ = 0;
};

// Keeps a run's messages; the worker publishes them after the run, at
// once or paced.
class RunBuffer final : public runtime::TelemetrySink
{
public:
    runtime::Status publish(const ds::DashStreamMessage& message) override
    {
        messages.push_back(message);
        return protocol::Ok{};
    }
    std::vector<ds::DashStreamMessage> messages;
};

// A message's simulated time: its header's timestamp (for an EventBatch, its
// latest event's); 0 when it has none.
std::int64_t timestampOf(const ds::DashStreamMessage& message)
{
    std::int64_t t = 0;
    protocol::forEachHeader(message,
                            [&t](const ds::Header& h) { t = std::max(t, h.timestamp_us()); });
    return t;
}

} // namespace

FleetSimulator::FleetSimulator(FleetSimulatorOptions options, Store* store, EventHub* events,
                               RolloutRouter* router)
    : options_(std::move(options)), store_(store), events_(events), router_(router),
      impl_(std::make_unique<Impl>(options_.seed))
{}

FleetSimulator::~FleetSimulator()
{
    stop();
}

std::int64_t FleetSimulator::nowUs() const
{
    return runtime::wallClockUs();
}

KafkaStatus FleetSimulator::start()
{
    if (running())
        return KafkaError{"simulator: already running"};
    if (options_.instances < 1 || options_.runsPerSecondPerInstance <= 0)
        return KafkaError{"simulator: needs at least one instance and a positive run rate"};
    std::error_code ec;
    for (const auto& file : std::filesystem::directory_iterator(options_.graphsDir, ec)) {
        if (file.path().extension() != ".json")
            continue;
        auto loaded = runtime::loadGraphFile(file.path().string());
        if (!loaded)
            return KafkaError{"simulator: " + file.path().string() + ": " + loaded.error().message};
        const std::string name =
            loaded->graph.name.empty() ? file.path().stem().string() : loaded->graph.name;
        if (options_.graphs.empty() || std::find(options_.graphs.begin(), options_.graphs.end(),
                                                 name) != options_.graphs.end())
            impl_->graphs.emplace(name, std::move(loaded->graph));
    }
    if (impl_->graphs.empty())
        return KafkaError{"simulator: no graphs to run in \"" + options_.graphsDir + "\"" +
                          (ec ? ": " + ec.message() : std::string())};
    std::vector<std::string> names;
    for (const auto& [name, graph] : impl_->graphs)
        names.push_back(name);
    roster_ = buildRoster(options_.instances, names, options_.faults.enabled);
    if (options_.tenants.empty())
        options_.tenants = {"default"};
    for (std::size_t i = 0; i < roster_.size(); ++i)
        roster_[i].tenantId = options_.tenants[i % options_.tenants.size()];

    runtime::KafkaSinkOptions sinkOptions;
    sinkOptions.bootstrapServers = options_.bootstrapServers;
    sinkOptions.topic = options_.topic;
    sinkOptions.config = options_.kafkaConfig;
    auto sink = runtime::KafkaSink::create(sinkOptions);
    if (!sink)
        return KafkaError{"simulator: " + sink.error().message};
    impl_->sink = std::move(sink.value());
    impl_->started = SteadyClock::now();
    stopping_ = false;
    worker_ = std::thread([this] { run(); });
    return protocol::Ok{};
}

void FleetSimulator::stop()
{
    if (!worker_.joinable())
        return;
    {
        std::lock_guard lock(wakeMutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
    if (impl_->sink)
        if (auto closed = impl_->sink->close(); !closed) {
            std::lock_guard lock(impl_->mutex);
            impl_->stats.lastError = closed.error().message;
        }
}

void FleetSimulator::run()
{
    const double meanInterval = 1.0 / options_.runsPerSecondPerInstance;
    const auto start = SteadyClock::now();
    std::vector<SteadyClock::time_point> next;
    for (std::size_t i = 0; i < roster_.size(); ++i) // a random phase each
        next.push_back(start + std::chrono::microseconds(
                                   std::int64_t(impl_->rng.uniform01() * meanInterval * 1e6)));
    const auto never = SteadyClock::time_point::max();
    auto nextKnowledge = (store_ && options_.knowledgeIntervalUs > 0)
                             ? start + std::chrono::microseconds(options_.firstKnowledgeAfterUs)
                             : never;
    while (!stopping_) {
        auto due = std::min(*std::min_element(next.begin(), next.end()), nextKnowledge);
        if (!impl_->paced.empty())
            due = std::min(due, impl_->paced.begin()->first.first);
        {
            std::unique_lock lock(wakeMutex_);
            if (wake_.wait_until(lock, due, [&] { return stopping_.load(); }))
                break;
        }
        const auto now = SteadyClock::now();
        publishDue(now, never);
        if (now >= nextKnowledge) {
            generateKnowledge();
            nextKnowledge = now + std::chrono::microseconds(options_.knowledgeIntervalUs);
        }
        for (std::size_t i = 0; i < roster_.size() && !stopping_; ++i) {
            if (next[i] > now)
                continue;
            runOnce(i);
            next[i] += exponentialInterval(impl_->rng, meanInterval);
            // Fell behind (a slow machine): skip ahead rather than burst.
            if (next[i] < now - std::chrono::seconds(5))
                next[i] = now;
        }
    }
    // Stopping: what is still paced goes out at once (Nexus sees whole
    // runs), unless that takes too long.
    publishDue(never, SteadyClock::now() + std::chrono::milliseconds(options_.pacedFlushTimeoutMs));
}

void FleetSimulator::publishDue(SteadyClock::time_point upTo, SteadyClock::time_point deadline)
{
    auto& paced = impl_->paced;
    if (paced.empty() || paced.begin()->first.first > upTo)
        return;
    std::uint64_t published = 0, failures = 0, dropped = 0;
    std::string error;
    while (!paced.empty() && paced.begin()->first.first <= upTo) {
        if (SteadyClock::now() > deadline) {
            dropped = paced.size();
            paced.clear();
            error = "simulator: dropped " + std::to_string(dropped) +
                    " paced messages still pending after " +
                    std::to_string(options_.pacedFlushTimeoutMs) + " ms of flushing";
            break;
        }
        auto node = paced.extract(paced.begin());
        ++published;
        if (auto status = impl_->sink->publish(node.mapped()); !status) {
            ++failures;
            error = status.error().message;
        }
    }
    std::lock_guard lock(impl_->mutex);
    SimStats& s = impl_->stats;
    s.published += published;
    s.sinkFailures += failures;
    s.pacedDropped += dropped;
    s.pacedPending = paced.size();
    if (!error.empty())
        s.lastError = error;
}

runtime::RunEffects FleetSimulator::faultEffects(const SimInstance& instance) const
{
    runtime::RunEffects effects;
    switch (instance.fault) {
    case SimFault::Slow:
        effects.latencyFactor = options_.faults.slowLatencyFactor;
        break;
    case SimFault::ErrorProne:
        effects.extraErrorProbability = options_.faults.errorProneProbability;
        effects.extraErrorMessage = "upstream model endpoint returned 503";
        break;
    case SimFault::Drifting: {
        const double minutes =
            std::chrono::duration<double>(SteadyClock::now() - impl_->started).count() / 60.0;
        effects.qualityOffset =
            -std::min(options_.faults.maxDrift, options_.faults.driftPerMinute * minutes);
        break;
    }
    case SimFault::None:
        break;
    }
    return effects;
}

void FleetSimulator::runOnce(std::size_t instanceIndex)
{
    const SimInstance& instance = roster_[instanceIndex];
    runtime::Rng& rng = impl_->rng;
    const std::string& graphName =
        instance.graphs[std::size_t(rng.uniformInt(0, std::int64_t(instance.graphs.size()) - 1))];
    runtime::RunEffects effects = faultEffects(instance);

    runtime::TelemetryOptions telemetry;
    telemetry.instanceLabels = {{"instance_id", instance.instanceId},
                                {"deployment", instance.deployment},
                                {"version", instance.version},
                                {"host", instance.host},
                                {"region", instance.region}};
    bool canary = false, routed = false;
    if (router_) {
        if (auto route = router_->activeRoute(graphName, instance.tenantId)) {
            routed = true;
            canary = rng.uniform01() * 100.0 < double(route->weightPercent);
            const std::string versionId = canary ? route->versionId : route->baselineVersionId;
            telemetry.runAttributes = {{"optimization_version", versionId},
                                       {"rollout_id", route->rolloutId}};
            if (auto effect = versionEffect(versionId)) {
                effects.latencyFactor *= effect->latencyFactor;
                effects.qualityOffset += effect->qualityDelta;
                effects.extraErrorProbability =
                    eitherFails(effects.extraErrorProbability, effect->extraErrorProbability);
            }
        }
    }

    RunBuffer buffer;
    QualityTap tap(buffer);
    runtime::TelemetryEmitter emitter(tap, telemetry);
    runtime::RunOptions options;
    options.seed = rng.next();
    options.tenantId = instance.tenantId;
    const auto startedAt = SteadyClock::now();
    const std::int64_t startUs = nowUs();
    options.startTimeUs = startUs;
    options.effects = effects;
    runtime::Executor executor(impl_->graphs.at(graphName), options, &emitter);
    runtime::RunResult result = executor.start();
    for (int resumes = 0; result.status == runtime::RunStatus::Interrupted && resumes < 16;
         ++resumes)
        result = executor.resume(result.interrupt->autoResume);

    SimRunRecord record;
    record.threadId = executor.threadId();
    record.instanceId = instance.instanceId;
    record.graphName = graphName;
    record.failed = result.status != runtime::RunStatus::Completed;
    record.error = result.error ? result.error->message : std::string();
    record.durationUs = result.durationUs;
    record.quality = tap.quality();

    // Publish the run's messages: paced by their timestamps (realTime, and
    // room in the queue), or at once.
    std::vector<ds::DashStreamMessage>& messages = buffer.messages;
    std::uint64_t published = 0, failures = 0, overflow = 0;
    std::string error;
    const bool pace =
        options_.realTime && impl_->paced.size() + messages.size() <= options_.pacedQueueLimit;
    if (pace) {
        // Due = run start + simulated offset, never earlier than the run's
        // previous message (resumed interrupts continue one time line).
        auto due = startedAt;
        for (ds::DashStreamMessage& m : messages) {
            if (const std::int64_t t = timestampOf(m); t > 0)
                due = std::max(due, startedAt + std::chrono::microseconds(t - startUs));
            impl_->paced.emplace(std::pair{due, impl_->emissionCounter++}, std::move(m));
        }
    } else {
        overflow = options_.realTime ? messages.size() : 0;
        for (const ds::DashStreamMessage& m : messages) {
            ++published;
            if (auto status = impl_->sink->publish(m); !status) {
                ++failures;
                if (error.empty())
                    error = status.error().message;
            }
        }
    }

    std::lock_guard lock(impl_->mutex);
    SimStats& s = impl_->stats;
    ++s.runs;
    s.failedRuns += record.failed ? 1 : 0;
    s.canaryRuns += canary ? 1 : 0;
    s.baselineRuns += routed && !canary ? 1 : 0;
    s.messages += emitter.emitted();
    s.published += published;
    s.sinkFailures += failures;
    s.pacedOverflow += overflow;
    s.pacedPending = impl_->paced.size();
    if (!error.empty())
        s.lastError = error;
    impl_->recent.push_back(std::move(record));
    while (impl_->recent.size() > options_.recentRunsKept)
        impl_->recent.pop_front();
}

SimStats FleetSimulator::stats() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

void FleetSimulator::setVersionEffect(const std::string& versionId, const VersionEffect& effect)
{
    std::lock_guard lock(impl_->mutex);
    impl_->versionEffects[versionId] = effect;
}

std::optional<VersionEffect> FleetSimulator::versionEffect(const std::string& versionId)
{
    if (versionId.empty())
        return std::nullopt;
    {
        std::lock_guard lock(impl_->mutex);
        if (auto it = impl_->versionEffects.find(versionId); it != impl_->versionEffects.end())
            return it->second;
    }
    // A version made elsewhere (CreateVersion from an approved entry) takes
    // the effect of the entry it came from.
    std::optional<VersionEffect> effect;
    if (store_)
        if (auto version = store_->version(versionId); version && version.value()) {
            std::lock_guard lock(impl_->mutex);
            auto it = impl_->entryEffects.find(version.value()->source_entry_id());
            if (it != impl_->entryEffects.end())
                effect = it->second;
        }
    std::lock_guard lock(impl_->mutex);
    impl_->versionEffects[versionId] = effect;
    return effect;
}

std::vector<pb::KnowledgeEntry> FleetSimulator::generateKnowledge()
{
    std::vector<pb::KnowledgeEntry> created;
    if (!store_)
        return created;
    std::vector<SimRunRecord> recent;
    std::uint64_t round = 0;
    {
        std::lock_guard lock(impl_->mutex);
        recent.assign(impl_->recent.begin(), impl_->recent.end());
        round = impl_->knowledgeRound++;
    }
    // One tenant per round, from that tenant's runs.
    const std::string& tenant = options_.tenants[round % options_.tenants.size()];
    std::erase_if(recent, [&](const SimRunRecord& run) {
        const auto it = std::find_if(roster_.begin(), roster_.end(), [&](const SimInstance& i) {
            return i.instanceId == run.instanceId;
        });
        return it == roster_.end() || it->tenantId != tenant;
    });
    for (pb::KnowledgeEntry& entry : writeKnowledge(recent, round, tenant)) {
        auto stored = store_->createEntry(std::move(entry), nowUs());
        if (!stored) {
            std::lock_guard lock(impl_->mutex);
            impl_->stats.lastError = "knowledge: " + stored.error().message;
            continue;
        }
        const pb::KnowledgeEntry& e = stored.value();
        if (events_) {
            pb::KnowledgeEvent event;
            event.set_type(pb::KnowledgeEvent::TYPE_CREATED);
            *event.mutable_entry() = e;
            events_->knowledge.publish(event);
        }
        {
            std::lock_guard lock(impl_->mutex);
            ++impl_->stats.knowledgeEntries;
        }
        if (e.kind() == pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION &&
            !options_.versionEffects.empty()) {
            pb::OptimizationVersion version;
            version.set_graph_name(e.graph_name());
            version.set_node_id(e.node_id());
            version.set_target_param("system_prompt");
            version.set_content(e.prompt_optimization().optimized_prompt());
            version.set_description(e.prompt_optimization().optimizer() + " candidate for " +
                                    e.graph_name() + "/" + e.node_id() + " (" + e.title() + ")");
            version.set_source_entry_id(e.entry_id());
            version.set_state(pb::VERSION_STATE_CANDIDATE);
            if (auto versions = store_->listVersions(e.graph_name(), e.node_id()))
                for (const auto& v : versions.value())
                    if (v.state() == pb::VERSION_STATE_LIVE)
                        version.set_parent_version_id(v.version_id());
            std::lock_guard lock(impl_->mutex);
            const VersionEffect effect =
                options_.versionEffects[impl_->nextEffect++ % options_.versionEffects.size()];
            impl_->entryEffects[e.entry_id()] = effect;
            if (auto made = store_->createVersion(version, nowUs())) {
                impl_->versionEffects[made.value().version_id()] = effect;
                ++impl_->stats.versions;
            } else {
                impl_->stats.lastError = "version: " + made.error().message;
            }
        }
        created.push_back(e);
    }
    return created;
}

} // namespace nexus::server
