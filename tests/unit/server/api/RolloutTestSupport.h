#pragma once
// Shared by the rollout series / restore tests and the nexusctl rollout
// tests: versions and rollouts made in the store of a running ApiTestServer,
// run samples with known values at known times, and calls as a role.

#include "ApiTestServer.h"
#include "nexus/v1/audit.grpc.pb.h"
#include "nexus/v1/knowledge.grpc.pb.h"
#include "nexus/v1/rollouts.grpc.pb.h"

#include <QStringList>
#include <QTest>

#include <chrono>
#include <optional>

namespace rollout_test {

namespace pb = ::nexus::v1;

constexpr std::int64_t kSecond = 1'000'000;

// A whole minute an hour ago: recent enough for retention, far enough back
// that a finished rollout's range lies in the past.
inline std::int64_t minuteAnHourAgoUs()
{
    const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    return now / (60 * kSecond) * (60 * kSecond) - 3600 * kSecond;
}

inline std::string makeVersion(ApiTestServer& t, const std::string& graph, const std::string& node,
                               pb::VersionState state, const std::string& sourceEntry = {})
{
    pb::OptimizationVersion v;
    v.set_graph_name(graph);
    v.set_node_id(node);
    v.set_target_param("prompt");
    v.set_description("test version");
    v.set_source_entry_id(sourceEntry);
    v.set_state(state);
    auto created = t.server->store().createVersion(v, minuteAnHourAgoUs());
    if (!created)
        qFatal("createVersion: %s", created.error().message.c_str());
    return created->version_id();
}

inline pb::VersionState stateOf(ApiTestServer& t, const std::string& versionId)
{
    auto v = t.server->store().version(versionId);
    return v && v->has_value() ? (*v)->state() : pb::VERSION_STATE_UNSPECIFIED;
}

// A plan that holds the rollout at 50 % until someone acts, and guardrails
// that never judge the few runs a test adds.
inline pb::LaunchRolloutRequest holdingLaunch(const std::string& versionId,
                                              const std::string& requestId)
{
    pb::LaunchRolloutRequest r;
    r.set_version_id(versionId);
    r.set_request_id(requestId);
    r.add_steps()->mutable_set_weight()->set_percent(50);
    r.add_steps()->mutable_pause()->set_duration_seconds(0);
    r.add_steps()->mutable_set_weight()->set_percent(100);
    r.mutable_guardrails()->set_min_samples(100000);
    return r;
}

struct Sample
{
    std::int64_t endedUs;
    std::string version; // optimization_version
    std::int64_t durationMs;
    std::optional<double> quality;
    bool failed;
    std::int64_t costMicros;
    std::string rolloutId;
};

inline void addSample(ApiTestServer& t, const Sample& s)
{
    nexus::server::RunSample r;
    r.threadId =
        "run-" + std::to_string(s.endedUs) + "-" + s.version + "-" + std::to_string(s.durationMs);
    r.instanceId = "dasher-use1-01";
    r.deployment = "dasher";
    r.graphName = "rag_pipeline";
    r.optimizationVersion = s.version;
    r.rolloutId = s.rolloutId;
    r.endedUs = s.endedUs;
    r.durationUs = s.durationMs * 1000;
    r.quality = s.quality;
    r.failed = s.failed;
    r.costMicros = s.costMicros;
    if (!t.server->store().addRunSample(r))
        qFatal("addRunSample failed");
}

// "action actor outcome-prefix" for every audit record of an action prefix.
inline QStringList auditLines(ApiTestServer& t, const std::string& actionPrefix)
{
    pb::ListAuditRequest query;
    query.set_action_prefix(actionPrefix);
    auto page = t.server->store().listAudit(query);
    QStringList out;
    if (page)
        for (const auto& r : page->records)
            out << QString::fromStdString(r.action() + " " + r.actor() + " " +
                                          r.outcome().substr(0, r.outcome().find(':')));
    return out;
}

} // namespace rollout_test
