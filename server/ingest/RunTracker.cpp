#include "server/ingest/RunTracker.h"

#include <algorithm>
#include <cmath>

namespace nexus::server {
namespace {

constexpr const char* kUnlabelledPrefix = "tenant:";

std::string attribute(const ds::Event& event, const char* key)
{
    const auto& attributes = event.attributes();
    const auto it = attributes.find(key);
    if (it == attributes.end() || it->second.value_case() != ds::AttributeValue::kStringValue)
        return {};
    return it->second.string_value();
}

std::optional<double> number(const ds::MetricValue& value)
{
    switch (value.value_case()) {
    case ds::MetricValue::kIntValue:
        return double(value.int_value());
    case ds::MetricValue::kFloatValue:
        return value.float_value();
    default:
        return std::nullopt;
    }
}

std::optional<double> metric(const ds::Metrics& metrics, const char* key)
{
    const auto it = metrics.metrics().find(key);
    return it == metrics.metrics().end() ? std::nullopt : number(it->second);
}

bool isFinishedStatus(pb::RunStatus status)
{
    return status == pb::RUN_STATUS_COMPLETED || status == pb::RUN_STATUS_FAILED ||
           status == pb::RUN_STATUS_STALE;
}

void unlabelled(pb::Instance& instance, const std::string& tenantId)
{
    instance.Clear();
    instance.set_instance_id(kUnlabelledPrefix + tenantId);
    instance.set_tenant_id(tenantId);
    instance.set_unlabelled(true);
}

} // namespace

RunTracker::RunTracker(RunTrackerOptions options) : options_(options) {}

std::size_t RunTracker::openRuns() const
{
    return std::size_t(std::count_if(runs_.begin(), runs_.end(),
                                     [](const auto& entry) { return !entry.second.finished; }));
}

void RunTracker::adopt(const pb::TraceSummary& summary, std::int64_t nowUs)
{
    Run run;
    run.summary = summary;
    run.sawStart = summary.started_us() != 0;
    run.finished = isFinishedStatus(summary.status());
    run.heardUs = nowUs;
    run.finishedAtUs = nowUs;
    run.metricTokens = summary.tokens();
    run.costUsd = double(summary.cost_micros()) / 1e6;
    if (summary.has_quality()) {
        run.qualitySum = summary.quality();
        run.qualityCount = 1;
    }
    run.labels.set_instance_id(summary.instance_id());
    run.labels.set_deployment(summary.deployment());
    run.labels.set_version(summary.version());
    run.labels.set_tenant_id(summary.tenant_id());
    run.labels.set_unlabelled(summary.instance_id().starts_with(kUnlabelledPrefix));
    runs_[summary.thread_id()] = std::move(run);
}

RunTracker::Run& RunTracker::runFor(const ds::Header& header, std::int64_t nowUs)
{
    auto [it, inserted] = runs_.try_emplace(header.thread_id());
    Run& run = it->second;
    if (inserted) {
        const std::string tenant = header.tenant_id().empty() ? "default" : header.tenant_id();
        run.summary.set_thread_id(header.thread_id());
        run.summary.set_tenant_id(tenant);
        run.summary.set_status(pb::RUN_STATUS_RUNNING);
        run.summary.set_started_us(header.timestamp_us());
        unlabelled(run.labels, tenant);
        run.summary.set_instance_id(run.labels.instance_id());
        newRuns_.insert(header.thread_id());
    }
    run.heardUs = nowUs;
    return run;
}

void RunTracker::apply(const ds::DashStreamMessage& message, std::int64_t nowUs)
{
    const ds::Header* header = protocol::headerOf(message);
    if (!header || header->thread_id().empty())
        return;
    Run& run = runFor(*header, nowUs);
    run.summary.set_records(run.summary.records() + 1);
    protocol::forEachHeader(message, [&](const ds::Header& h) {
        run.summary.set_last_seen_us(std::max(run.summary.last_seen_us(), h.timestamp_us()));
    });
    switch (protocol::kindOf(message)) {
    case protocol::MessageKind::Event:
        applyEvent(run, message.event());
        break;
    case protocol::MessageKind::EventBatch:
        for (const ds::Event& event : message.event_batch().events())
            applyEvent(run, event);
        break;
    case protocol::MessageKind::Metrics:
        applyMetrics(run, message.metrics());
        break;
    case protocol::MessageKind::Error:
        applyError(run, message.error());
        break;
    case protocol::MessageKind::TokenChunk:
        if (message.token_chunk().is_final() && message.token_chunk().has_stats())
            run.chunkTokens += message.token_chunk().stats().total_tokens();
        break;
    default:
        break;
    }
    touched(run);
    sighted(run, nowUs);
}

void RunTracker::countBadRecord(const std::string& threadId, std::int64_t nowUs)
{
    auto it = runs_.find(threadId);
    if (it == runs_.end())
        return;
    it->second.summary.set_bad_records(it->second.summary.bad_records() + 1);
    it->second.heardUs = nowUs;
    touched(it->second);
}

void RunTracker::applyEvent(Run& run, const ds::Event& event)
{
    const std::int64_t t = event.header().timestamp_us();
    const std::int64_t now = run.heardUs;
    switch (event.event_type()) {
    case ds::EVENT_TYPE_GRAPH_START:
        graphStarted(run, event);
        break;
    case ds::EVENT_TYPE_GRAPH_END:
        if (!run.finished) {
            if (event.duration_us() > 0)
                run.summary.set_duration_us(event.duration_us());
            finish(run, pb::RUN_STATUS_COMPLETED, t, now);
        } else if (run.summary.status() == pb::RUN_STATUS_STALE) {
            run.summary.set_status(pb::RUN_STATUS_COMPLETED); // late, but it did end
            run.summary.set_ended_us(t);
        }
        break;
    case ds::EVENT_TYPE_GRAPH_ERROR: {
        const std::string error = attribute(event, "error");
        fail(run, error.empty() ? "graph error" : error, t, now);
        break;
    }
    case ds::EVENT_TYPE_NODE_END:
        run.summary.set_nodes_done(run.summary.nodes_done() + 1);
        break;
    case ds::EVENT_TYPE_NODE_ERROR: {
        const std::string error = attribute(event, "error");
        fail(run, event.node_id() + ": " + (error.empty() ? "node failed" : error), t, now);
        break;
    }
    case ds::EVENT_TYPE_HUMAN_INTERRUPT:
        if (!run.finished)
            run.summary.set_status(pb::RUN_STATUS_INTERRUPTED);
        break;
    case ds::EVENT_TYPE_HUMAN_RESUME:
        if (!run.finished && run.summary.status() == pb::RUN_STATUS_INTERRUPTED)
            run.summary.set_status(pb::RUN_STATUS_RUNNING);
        break;
    default:
        break;
    }
}

void RunTracker::graphStarted(Run& run, const ds::Event& event)
{
    if (run.sawStart) {
        // A reused callback starts a new run on the same thread (DASHSTREAM.md
        // §5.3): the summary describes the latest one; the log keeps both.
        const std::int64_t records = run.summary.records();
        const std::int64_t bad = run.summary.bad_records();
        const std::string thread = run.summary.thread_id();
        const std::string tenant = run.summary.tenant_id();
        const std::int64_t heard = run.heardUs;
        run = Run{};
        run.summary.set_thread_id(thread);
        run.summary.set_tenant_id(tenant);
        run.summary.set_records(records);
        run.summary.set_bad_records(bad);
        run.heardUs = heard;
        newRuns_.insert(thread);
    }
    run.sawStart = true;
    const std::int64_t t = event.header().timestamp_us();
    pb::TraceSummary& s = run.summary;
    s.set_status(pb::RUN_STATUS_RUNNING);
    s.set_started_us(t);
    s.set_last_seen_us(std::max(s.last_seen_us(), t));
    s.set_graph_name(attribute(event, "graph_name"));
    s.set_schema_id(attribute(event, "schema_id"));
    s.set_optimization_version(attribute(event, "optimization_version"));
    s.set_rollout_id(attribute(event, "rollout_id"));
    run.userId = attribute(event, "user_id");

    const std::string instanceId = attribute(event, "instance_id");
    if (instanceId.empty()) {
        unlabelled(run.labels, s.tenant_id());
    } else {
        run.labels.Clear();
        run.labels.set_instance_id(instanceId);
        run.labels.set_deployment(attribute(event, "deployment"));
        run.labels.set_version(attribute(event, "version"));
        run.labels.set_host(attribute(event, "host"));
        run.labels.set_region(attribute(event, "region"));
        run.labels.set_tenant_id(s.tenant_id());
    }
    s.set_instance_id(run.labels.instance_id());
    s.set_deployment(run.labels.deployment());
    s.set_version(run.labels.version());

    const std::string& schemaId = s.schema_id();
    if (schemaId.empty() || knownSchemas_.contains(schemaId))
        return;
    pb::GraphSchema schema;
    schema.set_schema_id(schemaId);
    schema.set_graph_name(s.graph_name());
    schema.set_graph_schema_json(attribute(event, "graph_schema_json"));
    schema.set_graph_manifest(attribute(event, "graph_manifest"));
    schema.set_first_seen_us(t);
    if (schema.graph_schema_json().empty() && schema.graph_manifest().empty())
        return; // nothing to keep yet; a later GRAPH_START may carry it
    knownSchemas_.insert(schemaId);
    changes_.schemas.push_back(std::move(schema));
}

void RunTracker::applyMetrics(Run& run, const ds::Metrics& metrics)
{
    if (metrics.scope() == "quality") {
        if (auto score = metric(metrics, "quality_score")) {
            run.qualitySum += *score;
            ++run.qualityCount;
        }
        return;
    }
    if (metrics.scope() != "node")
        return;
    if (auto total = metric(metrics, "total_tokens")) {
        run.metricTokens += std::llround(*total);
    } else {
        run.metricTokens += std::llround(metric(metrics, "prompt_tokens").value_or(0) +
                                         metric(metrics, "completion_tokens").value_or(0));
    }
    run.costUsd += metric(metrics, "cost_usd").value_or(0);
}

void RunTracker::applyError(Run& run, const ds::Error& error)
{
    if (error.severity() != ds::Error::SEVERITY_FATAL)
        return; // warnings: the run goes on
    std::string text = error.message();
    if (!error.error_code().empty())
        text = error.error_code() + ": " + text;
    fail(run, text, error.header().timestamp_us(), run.heardUs);
}

void RunTracker::fail(Run& run, const std::string& error, std::int64_t endedUs, std::int64_t nowUs)
{
    if (run.summary.error().empty())
        run.summary.set_error(error);
    if (!run.finished)
        finish(run, pb::RUN_STATUS_FAILED, endedUs, nowUs);
}

void RunTracker::finish(Run& run, pb::RunStatus status, std::int64_t endedUs, std::int64_t nowUs)
{
    pb::TraceSummary& s = run.summary;
    s.set_status(status);
    s.set_ended_us(endedUs);
    if (s.duration_us() <= 0)
        s.set_duration_us(std::max<std::int64_t>(0, endedUs - s.started_us()));
    run.finished = true;
    run.finishedAtUs = nowUs;
    finishedNow_.insert(s.thread_id());
    changed_.insert(s.thread_id());
}

void RunTracker::touched(Run& run)
{
    pb::TraceSummary& s = run.summary;
    s.set_tokens(run.metricTokens > 0 ? run.metricTokens : run.chunkTokens);
    s.set_cost_micros(std::llround(run.costUsd * 1e6));
    s.set_has_quality(run.qualityCount > 0);
    s.set_quality(run.qualityCount > 0 ? run.qualitySum / double(run.qualityCount) : 0.0);
    changed_.insert(s.thread_id());
}

void RunTracker::sighted(const Run& run, std::int64_t nowUs)
{
    InstanceSighting& sighting = changes_.sightings[run.labels.instance_id()];
    sighting.instance = run.labels;
    sighting.heardUs = std::max(sighting.heardUs, nowUs);
    if (!run.summary.graph_name().empty())
        sighting.graphs.insert(run.summary.graph_name());
}

void RunTracker::sweep(std::int64_t nowUs)
{
    for (auto it = runs_.begin(); it != runs_.end();) {
        Run& run = it->second;
        const bool pending = changed_.contains(it->first) || newRuns_.contains(it->first);
        if (!run.finished && run.summary.status() == pb::RUN_STATUS_RUNNING &&
            nowUs - run.heardUs > options_.staleAfterUs) {
            finish(run, pb::RUN_STATUS_STALE, run.summary.last_seen_us(), nowUs);
            ++it;
            continue;
        }
        const bool expired =
            (run.finished && nowUs - run.finishedAtUs > options_.finishedRetainUs) ||
            (!run.finished && nowUs - run.heardUs > options_.interruptedRetainUs);
        it = (expired && !pending) ? runs_.erase(it) : std::next(it);
    }
}

RunSample RunTracker::sampleOf(const pb::TraceSummary& s)
{
    RunSample sample;
    sample.threadId = s.thread_id();
    sample.tenantId = s.tenant_id();
    sample.instanceId = s.instance_id();
    sample.deployment = s.deployment();
    sample.version = s.version();
    sample.graphName = s.graph_name();
    sample.optimizationVersion = s.optimization_version();
    sample.rolloutId = s.rollout_id();
    sample.endedUs = s.ended_us();
    sample.durationUs = s.duration_us();
    sample.failed = s.status() != pb::RUN_STATUS_COMPLETED;
    if (s.has_quality())
        sample.quality = s.quality();
    sample.tokens = s.tokens();
    sample.costMicros = s.cost_micros();
    return sample;
}

TrackerChanges RunTracker::takeChanges()
{
    TrackerChanges out = std::move(changes_);
    changes_ = {};
    for (const auto& thread : changed_)
        if (auto it = runs_.find(thread); it != runs_.end())
            out.summaries.push_back(it->second.summary);
    for (const auto& thread : newRuns_)
        if (auto it = runs_.find(thread); it != runs_.end())
            out.started.push_back({it->second.labels.instance_id(), thread});
    for (const auto& thread : finishedNow_)
        if (auto it = runs_.find(thread); it != runs_.end()) {
            out.finished.push_back(sampleOf(it->second.summary));
            out.finishedLabels.push_back({it->second.labels, it->second.userId});
        }
    changed_.clear();
    newRuns_.clear();
    finishedNow_.clear();
    return out;
}

} // namespace nexus::server
