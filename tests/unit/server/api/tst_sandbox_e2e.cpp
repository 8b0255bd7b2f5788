// The whole sandbox, end to end: a simulated fleet publishes real DashStream
// records to the embedded broker, nexusd ingests them into SQLite, and a
// client sees it all over gRPC — traces that replay with every state hash
// verified, a live fleet, and canary rollouts the controller judges on the
// simulated runs (a worse candidate rolled back, a better one promoted).
#include "protocol/CanonicalJson.h"
#include "protocol/Framing.h"
#include "server/api/NexusServer.h"
#include "server/sim/FleetSimulator.h"
#include "server/store/Store.h"

#include "nexus/v1/audit.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"
#include "nexus/v1/rollouts.grpc.pb.h"
#include "nexus/v1/traces.grpc.pb.h"

#include <QTemporaryDir>
#include <QTest>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

namespace pb = ::nexus::v1;
namespace ds = ::dashstream::v1;
using nlohmann::json;

namespace {

std::unique_ptr<grpc::ClientContext> ctx(int seconds = 10)
{
    auto c = std::make_unique<grpc::ClientContext>(); // sandbox: no token needed on loopback
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    return c;
}

// Replays a run's record log: GRAPH_START's initial state, then every
// StateDiff (patch or full state), checking every state hash. Returns the
// number of verified hashes, or -1 on the first mismatch.
int replayVerified(const std::vector<std::string>& records)
{
    nexus::protocol::RecordDecoder decoder;
    ds::DashStreamMessage m;
    json state;
    int verified = 0;
    for (const auto& record : records) {
        if (!decoder.decode(record, m))
            return -1;
        if (m.has_event() && m.event().event_type() == ds::EVENT_TYPE_GRAPH_START) {
            auto it = m.event().attributes().find("initial_state_json");
            if (it != m.event().attributes().end())
                state = json::parse(it->second.string_value());
        }
        if (!m.has_state_diff())
            continue;
        const auto& diff = m.state_diff();
        if (!diff.full_state().empty()) {
            state = json::parse(diff.full_state());
        } else {
            json patch = json::array();
            for (const auto& op : diff.operations()) {
                static const char* names[] = {"add", "remove", "replace", "move", "copy", "test"};
                json o = {{"op", names[op.op()]}, {"path", op.path()}};
                if (!op.value().empty())
                    o["value"] = json::parse(op.value());
                if (!op.from().empty())
                    o["from"] = op.from();
                patch.push_back(o);
            }
            state = state.patch(patch);
        }
        if (nexus::protocol::stateHashBytes(state) != diff.state_hash())
            return -1;
        ++verified;
    }
    return verified;
}

pb::Rollout waitForPhase(pb::Rollouts::Stub& stub, const std::string& id,
                         std::initializer_list<pb::RolloutPhase> phases, int seconds)
{
    pb::Rollout r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        pb::GetRolloutRequest get;
        get.set_rollout_id(id);
        if (stub.GetRollout(ctx().get(), get, &r).ok())
            for (auto p : phases)
                if (r.phase() == p)
                    return r;
        QTest::qWait(250); // lets the server's threads work; the condition is checked each pass
    }
    return r;
}

} // namespace

class TestSandboxEndToEnd : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<nexus::server::NexusServer> server_;
    std::shared_ptr<grpc::Channel> channel_;

    std::string candidate(const std::string& name, const nexus::server::VersionEffect& effect)
    {
        pb::OptimizationVersion v;
        v.set_graph_name("rag_pipeline");
        v.set_node_id("generate");
        v.set_target_param("prompt");
        v.set_description(name);
        v.set_state(pb::VERSION_STATE_CANDIDATE);
        auto created = server_->store().createVersion(v, 0);
        if (!created)
            qFatal("createVersion failed");
        server_->simulator()->setVersionEffect(created->version_id(), effect);
        return created->version_id();
    }

    pb::LaunchRolloutRequest fastPlan(const std::string& versionId, const std::string& requestId)
    {
        pb::LaunchRolloutRequest launch;
        launch.set_version_id(versionId);
        launch.set_request_id(requestId);
        launch.add_steps()->mutable_set_weight()->set_percent(50);
        auto* analysis = launch.add_steps()->mutable_analysis();
        analysis->set_window_seconds(3);
        analysis->set_min_samples(8);
        launch.add_steps()->mutable_set_weight()->set_percent(100);
        launch.mutable_guardrails()->set_max_quality_drop(0.10);
        launch.mutable_guardrails()->set_max_error_rate(
            0.6); // the fleet has an error-prone instance
        launch.mutable_guardrails()->set_min_samples(8);
        return launch;
    }

private slots:
    void initTestCase()
    {
        nexus::server::ServerOptions o;
        o.sandbox = true;
        o.listen = "127.0.0.1:0";
        o.dataDir = (dir_.path() + "/data").toStdString();
        o.simulate = 8;
        o.simRate = 4;
        o.seed = 42;
        auto started = nexus::server::NexusServer::start(o);
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
        server_ = std::move(*started);
        QVERIFY(server_->simulator());
        channel_ = grpc::CreateChannel(server_->nexusAddress(), grpc::InsecureChannelCredentials());
    }

    void cleanupTestCase() { server_.reset(); }

    void simulatedRunsArriveAndReplayVerified()
    {
        auto traces = pb::Traces::NewStub(channel_);
        pb::SearchTracesRequest search;
        search.set_status(pb::RUN_STATUS_COMPLETED);
        search.set_page_size(5);
        pb::SearchTracesResponse found;
        QTRY_VERIFY_WITH_TIMEOUT(traces->SearchTraces(ctx().get(), search, &found).ok() &&
                                     found.total_matches() >= 10,
                                 60000);
        for (const auto& summary : found.traces()) {
            QVERIFY(!summary.instance_id().empty());
            QVERIFY(!summary.graph_name().empty());
            pb::GetTraceRequest get;
            get.set_thread_id(summary.thread_id());
            auto c = ctx();
            auto reader = traces->GetTrace(c.get(), get);
            std::vector<std::string> records;
            pb::TraceChunk chunk;
            while (reader->Read(&chunk))
                for (const auto& r : chunk.records())
                    records.push_back(r);
            QVERIFY(reader->Finish().ok());
            QCOMPARE(static_cast<std::int64_t>(records.size()), summary.records());
            const int verified = replayVerified(records);
            QVERIFY2(verified > 0, summary.thread_id().c_str());
        }
    }

    void theFleetIsLive()
    {
        auto fleet = pb::Fleet::NewStub(channel_);
        pb::ListInstancesResponse list;
        QTRY_VERIFY_WITH_TIMEOUT(
            fleet->ListInstances(ctx().get(), {}, &list).ok() && list.instances_size() == 8, 30000);
        QCOMPARE(list.totals().instances(), 8);
        std::set<std::string> deployments;
        for (const auto& i : list.instances()) {
            deployments.insert(i.deployment());
            QVERIFY(!i.region().empty());
            QVERIFY(!i.unlabelled());
        }
        QVERIFY(deployments.size() >= 2);

        pb::WatchFleetRequest watch;
        watch.set_interval_ms(250);
        auto c = ctx(20);
        auto stream = fleet->WatchFleet(c.get(), watch);
        pb::FleetUpdate first;
        QVERIFY(stream->Read(&first));
        QVERIFY(first.full());
        QCOMPARE(first.upserted_size(), 8);
        pb::FleetUpdate next;
        QVERIFY(stream->Read(&next)); // a delta follows while the fleet runs
        QVERIFY(next.revision() > first.revision());
        c->TryCancel();
    }

    void aWorseCandidateIsRolledBackByTheController()
    {
        const std::string worse = candidate("terse answers", {-0.35, 1.0, 0.0});
        auto rollouts = pb::Rollouts::NewStub(channel_);
        pb::Rollout launched;
        QVERIFY(rollouts->LaunchRollout(ctx().get(), fastPlan(worse, "e2e-worse"), &launched).ok());
        const pb::Rollout r =
            waitForPhase(*rollouts, launched.rollout_id(), {pb::ROLLOUT_PHASE_ROLLED_BACK}, 90);
        QCOMPARE(r.phase(), pb::ROLLOUT_PHASE_ROLLED_BACK);
        QCOMPARE(r.weight_percent(), 0);
        QVERIFY2(r.reason().find("quality") != std::string::npos, r.reason().c_str());

        auto audit = pb::Audit::NewStub(channel_);
        pb::ListAuditRequest query;
        query.set_target(launched.rollout_id());
        pb::ListAuditResponse records;
        QVERIFY(audit->ListAudit(ctx().get(), query, &records).ok());
        bool recorded = false;
        for (const auto& a : records.records())
            recorded =
                recorded || (a.action() == "rollout.rolled_back" && a.actor() == "controller");
        QVERIFY(recorded);
        auto version = server_->store().version(worse);
        QVERIFY(version.ok() && version->has_value());
        QCOMPARE((*version)->state(), pb::VERSION_STATE_ROLLED_BACK);
    }

    void aBetterCandidateIsPromoted()
    {
        const std::string better = candidate("cite passages", {0.10, 0.9, 0.0});
        auto rollouts = pb::Rollouts::NewStub(channel_);
        pb::Rollout launched;
        QVERIFY(
            rollouts->LaunchRollout(ctx().get(), fastPlan(better, "e2e-better"), &launched).ok());
        pb::Rollout r = waitForPhase(
            *rollouts, launched.rollout_id(),
            {pb::ROLLOUT_PHASE_PROMOTED, pb::ROLLOUT_PHASE_PAUSED, pb::ROLLOUT_PHASE_ROLLED_BACK},
            90);
        QVERIFY2(r.phase() != pb::ROLLOUT_PHASE_ROLLED_BACK, r.reason().c_str());
        QVERIFY(r.analyses_size() >= 1);
        QVERIFY(r.analyses(0).verdict() != pb::VERDICT_FAIL);
        if (r.phase() == pb::ROLLOUT_PHASE_PAUSED) {
            // A MARGINAL verdict (noise in a secondary metric) waits for a
            // person, as Kayenta does; the person promotes.
            QCOMPARE(r.analyses(r.analyses_size() - 1).verdict(), pb::VERDICT_MARGINAL);
            pb::RolloutActionRequest promote;
            promote.set_rollout_id(r.rollout_id());
            promote.set_request_id("e2e-promote");
            promote.set_full(true);
            QVERIFY(rollouts->Promote(ctx().get(), promote, &r).ok());
        }
        QCOMPARE(r.phase(), pb::ROLLOUT_PHASE_PROMOTED);
        QCOMPARE(r.weight_percent(), 100);
        auto version = server_->store().version(better);
        QVERIFY(version.ok() && version->has_value());
        QCOMPARE((*version)->state(), pb::VERSION_STATE_LIVE);
    }
};

QTEST_GUILESS_MAIN(TestSandboxEndToEnd)
#include "tst_sandbox_e2e.moc"
