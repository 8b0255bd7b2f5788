// The Nexus API over real gRPC on loopback, against a real SQLite file:
// roles, idempotent reviews, stale revisions, the audit trail, streams,
// traces, restart persistence, and nexusctl as a user runs it.
#include "protocol/Dstrace.h"
#include "protocol/Framing.h"

#include "ApiTestServer.h"
#include "NexusctlProcess.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "nexus/v1/audit.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"
#include "nexus/v1/knowledge.grpc.pb.h"
#include "nexus/v1/rollouts.grpc.pb.h"
#include "nexus/v1/traces.grpc.pb.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <atomic>
#include <fstream>
#include <thread>

namespace pb = ::nexus::v1;

namespace {

pb::KnowledgeEntry pitfall(const std::string& title)
{
    pb::KnowledgeEntry e;
    e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
    e.set_title(title);
    e.set_summary("Retries without jitter synchronise the fleet.");
    e.mutable_pitfall()->set_severity("high");
    e.mutable_pitfall()->set_mitigation("Add full jitter to the backoff.");
    e.add_source_instances("dasher-use1-03");
    return e;
}

pb::ReviewEntryRequest review(const pb::KnowledgeEntry& e, pb::ReviewDecision d,
                              const std::string& requestId, const std::string& comment = {})
{
    pb::ReviewEntryRequest r;
    r.set_entry_id(e.entry_id());
    r.set_seen_revision(e.revision());
    r.set_decision(d);
    r.set_comment(comment);
    r.set_request_id(requestId);
    return r;
}

using nexusctl_test::nexusctl;
using nexusctl_test::Run;

using nexusctl_test::promptOptimization;

pb::RolloutActionRequest action(const pb::Rollout& r, const std::string& requestId)
{
    pb::RolloutActionRequest a;
    a.set_rollout_id(r.rollout_id());
    a.set_request_id(requestId);
    return a;
}

// Cancels a watch and joins its reader however the test leaves the scope
// (a failed QVERIFY returns early; an unjoined thread would abort).
struct WatchGuard
{
    grpc::ClientContext& context;
    std::thread& reader;
    ~WatchGuard()
    {
        context.TryCancel();
        if (reader.joinable())
            reader.join();
    }
};

} // namespace

class TestNexusApi : public QObject
{
    Q_OBJECT

    ApiTestServer t_;
    std::unique_ptr<pb::Knowledge::Stub> kb_;

private slots:
    void init()
    {
        QVERIFY(t_.start());
        kb_ = pb::Knowledge::NewStub(t_.channel());
    }

    void cleanup()
    {
        kb_.reset();
        t_.stop();
    }

    void healthAndIdentity()
    {
        auto health = grpc::health::v1::Health::NewStub(t_.channel());
        grpc::health::v1::HealthCheckResponse h;
        QVERIFY(health->Check(ApiTestServer::as(nullptr).get(), {}, &h).ok());
        QCOMPARE(h.status(), grpc::health::v1::HealthCheckResponse::SERVING);

        auto session = pb::Session::NewStub(t_.channel());
        pb::WhoAmIResponse me;
        QVERIFY(
            session->WhoAmI(ApiTestServer::as(ApiTestServer::approverToken).get(), {}, &me).ok());
        QCOMPARE(me.actor(), std::string("alice"));
        QCOMPARE(me.role(), pb::ROLE_APPROVER);
        QVERIFY(!me.sandbox());

        // Outside sandbox mode a call without a token, or with a wrong one, is refused.
        auto none = session->WhoAmI(ApiTestServer::as(nullptr).get(), {}, &me);
        QCOMPARE(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        auto wrong = session->WhoAmI(ApiTestServer::as("nope").get(), {}, &me);
        QCOMPARE(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    }

    void viewerCannotApproveAndTheAttemptIsAudited()
    {
        auto entry = t_.server->store().createEntry(pitfall("Retry storms"), 1'700'000'000'000'000);
        QVERIFY(entry.ok());
        pb::ReviewEntryResponse out;
        auto status = kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::viewerToken).get(),
                                       review(*entry, pb::REVIEW_DECISION_APPROVE, "req-v"), &out);
        QCOMPARE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        QVERIFY2(status.error_message().find("approver") != std::string::npos,
                 status.error_message().c_str());

        auto audit = pb::Audit::NewStub(t_.channel());
        pb::ListAuditRequest query;
        query.set_action_prefix("knowledge.review");
        pb::ListAuditResponse records;
        QVERIFY(
            audit->ListAudit(ApiTestServer::as(ApiTestServer::operatorToken).get(), query, &records)
                .ok());
        QCOMPARE(records.records_size(), 1);
        QCOMPARE(records.records(0).actor(), std::string("vic"));
        QVERIFY(records.records(0).outcome().rfind("denied", 0) == 0);
        // And the viewer may not read the audit log at all.
        auto denied =
            audit->ListAudit(ApiTestServer::as(ApiTestServer::viewerToken).get(), query, &records);
        QCOMPARE(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    }

    void retriedReviewAppliesOnce()
    {
        auto entry =
            t_.server->store().createEntry(pitfall("Unbounded context"), 1'700'000'000'000'000);
        QVERIFY(entry.ok());
        const auto request = review(*entry, pb::REVIEW_DECISION_APPROVE, "req-once", "ship it");
        pb::ReviewEntryResponse first, second;
        QVERIFY(
            kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(), request, &first)
                .ok());
        QCOMPARE(first.entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);
        QCOMPARE(first.entry().revision(), entry->revision() + 1);
        QVERIFY(!first.replayed());
        // The network dropped the answer; the console retries the same request.
        QVERIFY(kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(), request,
                                 &second)
                    .ok());
        QVERIFY(second.replayed());
        QCOMPARE(second.entry().revision(), first.entry().revision());

        pb::GetEntryRequest get;
        get.set_entry_id(entry->entry_id());
        pb::GetEntryResponse full;
        QVERIFY(
            kb_->GetEntry(ApiTestServer::as(ApiTestServer::viewerToken).get(), get, &full).ok());
        QCOMPARE(full.reviews_size(), 1);
        QCOMPARE(full.reviews(0).reviewer(), std::string("alice"));
        QCOMPARE(full.revisions_size(), 1); // the pending revision, kept

        auto audit = pb::Audit::NewStub(t_.channel());
        pb::ListAuditRequest query;
        query.set_target(entry->entry_id());
        pb::ListAuditResponse records;
        QVERIFY(
            audit->ListAudit(ApiTestServer::as(ApiTestServer::adminToken).get(), query, &records)
                .ok());
        QCOMPARE(records.records_size(), 1);
        QCOMPARE(records.records(0).request_id(), std::string("req-once"));
    }

    void staleRevisionIsRefusedNamingTheWinner()
    {
        auto entry = t_.server->store().createEntry(pitfall("Prompt leak"), 1'700'000'000'000'000);
        QVERIFY(entry.ok());
        pb::ReviewEntryResponse out;
        QVERIFY(kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                 review(*entry, pb::REVIEW_DECISION_APPROVE, "req-a"), &out)
                    .ok());
        // Bob looked at the same revision and rejects it a moment later.
        auto late = kb_->ReviewEntry(
            ApiTestServer::as(ApiTestServer::otherApproverToken).get(),
            review(*entry, pb::REVIEW_DECISION_REJECT, "req-b", "too vague"), &out);
        QCOMPARE(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY2(late.error_message().find("alice") != std::string::npos,
                 late.error_message().c_str());

        auto rejectWithoutComment =
            kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(),
                             review(*entry, pb::REVIEW_DECISION_REJECT, "req-c"), &out);
        QCOMPARE(rejectWithoutComment.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    }

    void watchSeesAReviewAsItHappens()
    {
        auto entry =
            t_.server->store().createEntry(pitfall("Tool timeouts"), 1'700'000'000'000'000);
        QVERIFY(entry.ok());
        auto watchCtx = ApiTestServer::as(ApiTestServer::viewerToken);
        watchCtx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        auto stream = kb_->WatchKnowledge(watchCtx.get(), pb::WatchKnowledgeRequest());
        stream->WaitForInitialMetadata(); // the server has subscribed: nothing is missed from here
        std::atomic<int> reviewed{0};
        std::thread reader([&] {
            pb::KnowledgeEvent event;
            while (stream->Read(&event))
                if (event.type() == pb::KnowledgeEvent::TYPE_REVIEWED &&
                    event.entry().entry_id() == entry->entry_id())
                    ++reviewed;
        });
        WatchGuard guard{*watchCtx, reader};
        pb::ReviewEntryResponse out;
        QVERIFY(kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                 review(*entry, pb::REVIEW_DECISION_APPROVE, "req-w"), &out)
                    .ok());
        QTRY_VERIFY_WITH_TIMEOUT(reviewed.load() == 1, 10000);
    }

    void restartKeepsData()
    {
        auto entry = t_.server->store().createEntry(pitfall("Stale caches"), 1'700'000'000'000'000);
        QVERIFY(entry.ok());
        pb::ReviewEntryResponse out;
        QVERIFY(kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                 review(*entry, pb::REVIEW_DECISION_APPROVE, "req-r"), &out)
                    .ok());
        kb_.reset();
        t_.stop();
        QVERIFY(t_.start());
        kb_ = pb::Knowledge::NewStub(t_.channel());
        pb::GetEntryRequest get;
        get.set_entry_id(entry->entry_id());
        pb::GetEntryResponse full;
        QVERIFY(
            kb_->GetEntry(ApiTestServer::as(ApiTestServer::viewerToken).get(), get, &full).ok());
        QCOMPARE(full.entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);
        // The same request id after the restart still applies nothing.
        QVERIFY(kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                 review(*entry, pb::REVIEW_DECISION_APPROVE, "req-r"), &out)
                    .ok());
        QVERIFY(out.replayed());
    }

    void traceDownloadsByteForByte()
    {
        std::vector<std::string> records;
        for (const char* name : {"ev.framed", "sd.framed"}) {
            std::ifstream in(std::string(NEXUS_TEST_DATA "/vectors/") + name, std::ios::binary);
            records.emplace_back(std::istreambuf_iterator<char>(in),
                                 std::istreambuf_iterator<char>());
        }
        pb::TraceSummary summary;
        summary.set_thread_id("t1");
        summary.set_graph_name("rag_pipeline");
        summary.set_status(pb::RUN_STATUS_COMPLETED);
        // Recent: the server's retention pass drops traces older than 7 days.
        summary.set_started_us(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
        QVERIFY(t_.server->store().upsertTraceSummary(summary).ok());
        QVERIFY(t_.server->store().appendTraceRecords("t1", records).ok());

        auto traces = pb::Traces::NewStub(t_.channel());
        pb::SearchTracesRequest search;
        search.set_graph_name("rag_pipeline");
        pb::SearchTracesResponse found;
        QVERIFY(
            traces
                ->SearchTraces(ApiTestServer::as(ApiTestServer::viewerToken).get(), search, &found)
                .ok());
        QCOMPARE(found.traces_size(), 1);

        QTemporaryDir out;
        const QString file = out.filePath(QStringLiteral("t1.dstrace"));
        const QString address = QString::fromStdString(t_.server->nexusAddress());
        const Run run =
            nexusctl({QStringLiteral("trace"), QStringLiteral("get"), QStringLiteral("t1"),
                      QStringLiteral("--out"), file, QStringLiteral("--nexus"), address,
                      QStringLiteral("--token"), QLatin1String(ApiTestServer::viewerToken)});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        std::ifstream in(file.toStdString(), std::ios::binary);
        nexus::protocol::DstraceReader reader(in);
        std::size_t i = 0;
        while (auto next = reader.next()) {
            QVERIFY(next->ok());
            QCOMPARE(next->value().value, records.at(i++));
        }
        QCOMPARE(i, records.size());

        const Run missing =
            nexusctl({QStringLiteral("trace"), QStringLiteral("get"), QStringLiteral("nope"),
                      QStringLiteral("--out"), out.filePath(QStringLiteral("x.dstrace")),
                      QStringLiteral("--nexus"), address, QStringLiteral("--token"),
                      QLatin1String(ApiTestServer::viewerToken)});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("not found"));
        QVERIFY(!QFile::exists(out.filePath(QStringLiteral("x.dstrace"))));
    }

    void rolloutActionsThroughTheApi()
    {
        // An approved prompt optimization becomes a version ...
        auto entry = t_.server->store().createEntry(promptOptimization(), 1'700'000'000'000'000);
        QVERIFY(entry.ok());
        auto rollouts = pb::Rollouts::NewStub(t_.channel());
        pb::CreateVersionRequest create;
        create.set_source_entry_id(entry->entry_id());
        create.set_request_id("req-version");
        pb::OptimizationVersion version;
        auto notApproved = rollouts->CreateVersion(
            ApiTestServer::as(ApiTestServer::approverToken).get(), create, &version);
        QCOMPARE(notApproved.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        pb::ReviewEntryResponse reviewed;
        QVERIFY(kb_->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                 review(*entry, pb::REVIEW_DECISION_APPROVE, "req-approve"),
                                 &reviewed)
                    .ok());
        create.set_request_id("req-version-2");
        QVERIFY(rollouts
                    ->CreateVersion(ApiTestServer::as(ApiTestServer::approverToken).get(), create,
                                    &version)
                    .ok());
        QCOMPARE(version.state(), pb::VERSION_STATE_CANDIDATE);
        QCOMPARE(version.content(),
                 std::string("Answer the question and cite the passage ids you used."));

        // ... that an approver launches; a watcher sees it.
        auto watchCtx = ApiTestServer::as(ApiTestServer::viewerToken);
        watchCtx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        pb::WatchRolloutsRequest watchAll;
        auto stream = rollouts->WatchRollouts(watchCtx.get(), watchAll);
        stream->WaitForInitialMetadata();
        std::atomic<int> seenAborted{0};
        std::thread reader([&] {
            pb::Rollout r;
            while (stream->Read(&r))
                if (r.phase() == pb::ROLLOUT_PHASE_ABORTED)
                    ++seenAborted;
        });
        WatchGuard guard{*watchCtx, reader};

        pb::LaunchRolloutRequest launch;
        launch.set_version_id(version.version_id());
        launch.set_request_id("req-launch");
        pb::Rollout rollout;
        auto byOperator = rollouts->LaunchRollout(
            ApiTestServer::as(ApiTestServer::operatorToken).get(), launch, &rollout);
        QCOMPARE(byOperator.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        QVERIFY(rollouts
                    ->LaunchRollout(ApiTestServer::as(ApiTestServer::approverToken).get(), launch,
                                    &rollout)
                    .ok());
        QCOMPARE(rollout.phase(), pb::ROLLOUT_PHASE_PROGRESSING);
        QVERIFY(rollout.steps_size() > 2); // the default plan

        // An operator may not promote ...
        pb::Rollout after;
        auto denied = rollouts->Promote(ApiTestServer::as(ApiTestServer::operatorToken).get(),
                                        action(rollout, "req-p0"), &after);
        QCOMPARE(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        // ... an approver may; the same request twice advances one step only.
        QVERIFY(rollouts
                    ->Promote(ApiTestServer::as(ApiTestServer::approverToken).get(),
                              action(rollout, "req-p1"), &after)
                    .ok());
        const int stepAfterPromote = after.current_step();
        QVERIFY(stepAfterPromote > rollout.current_step());
        pb::Rollout again;
        QVERIFY(rollouts
                    ->Promote(ApiTestServer::as(ApiTestServer::approverToken).get(),
                              action(rollout, "req-p1"), &again)
                    .ok());
        QCOMPARE(again.current_step(), stepAfterPromote);
        pb::GetRolloutRequest get;
        get.set_rollout_id(rollout.rollout_id());
        pb::Rollout stored;
        QVERIFY(
            rollouts->GetRollout(ApiTestServer::as(ApiTestServer::viewerToken).get(), get, &stored)
                .ok());
        QCOMPARE(stored.current_step(), stepAfterPromote);

        // A stale revision is refused; an operator's abort returns all traffic to the baseline.
        auto staleAbort = action(rollout, "req-a0");
        staleAbort.set_seen_revision(rollout.revision());
        staleAbort.set_reason("quality looks off");
        auto stale = rollouts->Abort(ApiTestServer::as(ApiTestServer::operatorToken).get(),
                                     staleAbort, &after);
        QCOMPARE(stale.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        auto abort = action(rollout, "req-a1");
        abort.set_reason("quality looks off");
        QVERIFY(
            rollouts->Abort(ApiTestServer::as(ApiTestServer::operatorToken).get(), abort, &after)
                .ok());
        QCOMPARE(after.phase(), pb::ROLLOUT_PHASE_ABORTED);
        QCOMPARE(after.weight_percent(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(seenAborted.load() >= 1, 10000);

        // Every step is in the audit log, with who did it.
        auto audit = pb::Audit::NewStub(t_.channel());
        pb::ListAuditRequest query;
        query.set_action_prefix("rollout.");
        pb::ListAuditResponse records;
        QVERIFY(
            audit->ListAudit(ApiTestServer::as(ApiTestServer::adminToken).get(), query, &records)
                .ok());
        QStringList seen;
        for (const auto& r : records.records())
            seen << QString::fromStdString(r.action() + " " + r.actor() + " " +
                                           r.outcome().substr(0, 6));
        QVERIFY2(seen.filter(QStringLiteral("rollout.launch alice ok")).size() == 1,
                 qPrintable(seen.join(u'|')));
        QVERIFY2(seen.filter(QStringLiteral("rollout.promote olga denied")).size() == 1,
                 qPrintable(seen.join(u'|')));
        QVERIFY2(seen.filter(QStringLiteral("rollout.abort olga ok")).size() == 1,
                 qPrintable(seen.join(u'|')));
    }

    void nexusctlSteersARollout()
    {
        pb::OptimizationVersion v;
        v.set_graph_name("support_triage");
        v.set_node_id("classify");
        v.set_state(pb::VERSION_STATE_CANDIDATE);
        auto version = t_.server->store().createVersion(v, 1'700'000'000'000'000);
        QVERIFY(version.ok());
        const QString address = QString::fromStdString(t_.server->nexusAddress());
        const QStringList as = {QStringLiteral("--nexus"), address, QStringLiteral("--token"),
                                QLatin1String(ApiTestServer::approverToken)};
        const Run launched = nexusctl(
            QStringList{QStringLiteral("rollout"), QStringLiteral("launch"),
                        QString::fromStdString(version->version_id()), QStringLiteral("--steps"),
                        QStringLiteral("10,50,100"), QStringLiteral("--json")} +
            as);
        QVERIFY2(launched.exitCode == 0, launched.err.constData());
        const auto rollout = QJsonDocument::fromJson(launched.out).object();
        const QString id = rollout.value(QStringLiteral("rollout_id")).toString();
        QVERIFY(!id.isEmpty());
        // 10 % and 50 % are followed by an analysis; 100 % is not (nothing to compare with).
        QCOMPARE(rollout.value(QStringLiteral("steps")).toArray().size(), 5);

        const Run status =
            nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("status"), id} + as);
        QCOMPARE(status.exitCode, 0);
        QVERIFY(status.out.contains("weight 10%"));
        const Run paused =
            nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("pause"), id} + as);
        QVERIFY2(paused.exitCode == 0, paused.err.constData());
        QVERIFY(paused.out.contains("phase     paused"));
        const Run noReason =
            nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("abort"), id} + as);
        QCOMPARE(noReason.exitCode, 2);
        const Run aborted =
            nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("abort"), id,
                                 QStringLiteral("--reason"), QStringLiteral("testing the CLI")} +
                     as);
        QVERIFY2(aborted.exitCode == 0, aborted.err.constData());
        QVERIFY(aborted.out.contains("aborted"));
        const Run listed =
            nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("ls")} + as);
        QVERIFY(listed.out.contains(id.toUtf8()));
        const Run promoteAborted =
            nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("promote"), id} + as);
        QCOMPARE(promoteAborted.exitCode, 1);
        QVERIFY(promoteAborted.err.contains("refused"));
    }

    void metricSeriesBucketsRunSamples()
    {
        const std::int64_t t0 = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count() -
                                600'000'000; // ten minutes ago
        auto sample = [&](std::int64_t endedUs, bool failed, std::optional<double> quality,
                          std::int64_t ms) {
            nexus::server::RunSample s;
            s.threadId = "run-" + std::to_string(endedUs);
            s.instanceId = "dasher-use1-01";
            s.deployment = "dasher";
            s.endedUs = endedUs;
            s.durationUs = ms * 1000;
            s.failed = failed;
            s.quality = quality;
            s.costMicros = 1000;
            QVERIFY(t_.server->store().addRunSample(s).ok());
        };
        // Bucket 0 (first minute): two good runs. Bucket 1: one failed run, no quality.
        sample(t0 + 10'000'000, false, 0.8, 100);
        sample(t0 + 20'000'000, false, 0.6, 300);
        sample(t0 + 70'000'000, true, std::nullopt, 50);

        auto fleet = pb::Fleet::NewStub(t_.channel());
        pb::GetMetricSeriesRequest request;
        request.add_deployments("dasher");
        request.add_metrics(pb::METRIC_QUALITY);
        request.add_metrics(pb::METRIC_ERROR_RATE);
        request.add_metrics(pb::METRIC_THROUGHPUT);
        request.set_start_us(t0);
        request.set_end_us(t0 + 180'000'000);
        request.set_step_seconds(60);
        request.set_include_samples(true);
        pb::GetMetricSeriesResponse response;
        QVERIFY(fleet
                    ->GetMetricSeries(ApiTestServer::as(ApiTestServer::viewerToken).get(), request,
                                      &response)
                    .ok());
        QCOMPARE(response.series_size(), 3);
        const auto& quality = response.series(0);
        QCOMPARE(quality.metric(), pb::METRIC_QUALITY);
        QCOMPARE(quality.points_size(), 3);
        QCOMPARE(quality.points(0).count(), 2);
        QCOMPARE(quality.points(0).value(), 0.7);
        QCOMPARE(quality.points(1).count(), 0); // only a failed run: no quality, not a zero
        QCOMPARE(quality.samples_size(), 2);
        const auto& errors = response.series(1);
        QCOMPARE(errors.points(0).value(), 0.0);
        QCOMPARE(errors.points(1).value(), 1.0);
        QCOMPARE(errors.points(1).count(), 1);
        const auto& throughput = response.series(2);
        QCOMPARE(throughput.points(0).value(), 2.0 / 60.0);
        QCOMPARE(throughput.points(2).count(), 0);

        request.set_start_us(t0 + 180'000'000);
        request.set_end_us(t0);
        auto backwards = fleet->GetMetricSeries(ApiTestServer::as(ApiTestServer::viewerToken).get(),
                                                request, &response);
        QCOMPARE(backwards.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    }

    void nexusctlReviewsAndReportsDenial()
    {
        auto entry =
            t_.server->store().createEntry(pitfall("Long tool chains"), 1'700'000'000'000'000);
        QVERIFY(entry.ok());
        const QString address = QString::fromStdString(t_.server->nexusAddress());
        const QString id = QString::fromStdString(entry->entry_id());
        const Run denied = nexusctl({QStringLiteral("kb"), QStringLiteral("approve"), id,
                                     QStringLiteral("--nexus"), address, QStringLiteral("--token"),
                                     QLatin1String(ApiTestServer::viewerToken)});
        QCOMPARE(denied.exitCode, 4);
        QVERIFY(denied.err.contains("permission denied"));
        const Run approved = nexusctl(
            {QStringLiteral("kb"), QStringLiteral("approve"), id, QStringLiteral("--comment"),
             QStringLiteral("good catch"), QStringLiteral("--nexus"), address,
             QStringLiteral("--token"), QLatin1String(ApiTestServer::approverToken)});
        QVERIFY2(approved.exitCode == 0, approved.err.constData());
        QVERIFY(approved.out.contains("approved"));
        const Run listed = nexusctl(
            {QStringLiteral("kb"), QStringLiteral("ls"), QStringLiteral("--status"),
             QStringLiteral("approved"), QStringLiteral("--json"), QStringLiteral("--nexus"),
             address, QStringLiteral("--token"), QLatin1String(ApiTestServer::viewerToken)});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(listed.out.contains(id.toUtf8()));
    }
};

QTEST_GUILESS_MAIN(TestNexusApi)
#include "tst_nexus_api.moc"
