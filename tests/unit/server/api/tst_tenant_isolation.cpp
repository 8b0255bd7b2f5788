// Tenant isolation (issue 13) over real gRPC against a real SQLite file:
// a token bound to tenant acme lists only acme's instances, traces, entries,
// rollouts, audit records and run samples; fetching or acting on globex's
// objects is PERMISSION_DENIED, audited, and leaves them unchanged; naming
// globex explicitly is PERMISSION_DENIED; unscoped and admin tokens see both.
#include "RolloutTestSupport.h"
#include "nexus/v1/evals.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"
#include "nexus/v1/traces.grpc.pb.h"

#include <QTest>

#include <fstream>
#include <set>

using namespace rollout_test;

namespace {

const char* const kAcme = "acme-secret";                    // ann, approver, tenants [acme]
const char* const kGlobex = "globex-secret";                // gus, approver, tenants [globex]
const char* const kBoth = "both-secret";                    // mia, approver, tenants [acme, globex]
const char* const kOperator = ApiTestServer::operatorToken; // olga, no tenants: unscoped
const char* const kAdmin = ApiTestServer::adminToken;       // root, admin

template <class Items, class Id> std::set<std::string> idsOf(const Items& items, Id id)
{
    std::set<std::string> out;
    for (const auto& item : items)
        out.insert(id(item));
    return out;
}

} // namespace

class TestTenantIsolation : public QObject
{
    Q_OBJECT

    ApiTestServer t_;
    std::unique_ptr<pb::Fleet::Stub> fleet_;
    std::unique_ptr<pb::Traces::Stub> traces_;
    std::unique_ptr<pb::Knowledge::Stub> knowledge_;
    std::unique_ptr<pb::Rollouts::Stub> rollouts_;
    std::unique_ptr<pb::Audit::Stub> audit_;
    std::unique_ptr<pb::Evals::Stub> evals_;
    std::string acmeEntry_, globexEntry_, globexRollout_, fleetRollout_;

    std::string entry(const std::string& tenant, const std::string& title)
    {
        pb::KnowledgeEntry e;
        e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
        e.set_title(title);
        e.set_tenant_id(tenant);
        e.set_graph_name("rag_pipeline");
        auto created = t_.server->store().createEntry(e, minuteAnHourAgoUs());
        if (!created)
            qFatal("createEntry: %s", created.error().message.c_str());
        return created->entry_id();
    }

    void seed(const std::string& tenant, std::int64_t durationMs)
    {
        auto& store = t_.server->store();
        pb::Instance i;
        i.set_instance_id(tenant + "-1");
        i.set_deployment("shared");
        i.set_tenant_id(tenant);
        QVERIFY(store.upsertInstance(i));
        pb::TraceSummary s;
        s.set_thread_id("trace-" + tenant);
        s.set_tenant_id(tenant);
        s.set_instance_id(tenant + "-1");
        s.set_deployment("shared");
        s.set_graph_name("rag_pipeline");
        s.set_started_us(minuteAnHourAgoUs());
        QVERIFY(store.upsertTraceSummary(s));
        QVERIFY(store.appendTraceRecords(s.thread_id(), {"record of " + tenant}));
        nexus::server::RunSample r;
        r.threadId = s.thread_id();
        r.tenantId = tenant;
        r.instanceId = tenant + "-1";
        r.deployment = "shared";
        r.graphName = "rag_pipeline";
        r.endedUs = minuteAnHourAgoUs() + 30 * kSecond;
        r.durationUs = durationMs * 1000;
        r.quality = 0.5;
        QVERIFY(store.addRunSample(r));
    }

    pb::Rollout launch(const char* token, const std::string& graph, const std::string& tenant,
                       grpc::Status* status = nullptr)
    {
        const std::string version = makeVersion(t_, graph, "answer", pb::VERSION_STATE_CANDIDATE);
        pb::LaunchRolloutRequest request = holdingLaunch(version, "launch-" + graph);
        request.set_tenant_id(tenant);
        pb::Rollout out;
        const grpc::Status s =
            rollouts_->LaunchRollout(ApiTestServer::as(token).get(), request, &out);
        if (status)
            *status = s;
        else if (!s.ok())
            qFatal("launch %s: %s", graph.c_str(), s.error_message().c_str());
        return out;
    }

    pb::Rollout rolloutAsAdmin(const std::string& id)
    {
        pb::GetRolloutRequest request;
        request.set_rollout_id(id);
        pb::Rollout out;
        rollouts_->GetRollout(ApiTestServer::as(kAdmin).get(), request, &out);
        return out;
    }

    // "action actor outcome-word tenant" of the audit records of an action prefix.
    QStringList audited(const std::string& prefix)
    {
        pb::ListAuditRequest query;
        query.set_action_prefix(prefix);
        QStringList out;
        if (auto page = t_.server->store().listAudit(query))
            for (const auto& r : page->records)
                out << QString::fromStdString(r.action() + " " + r.actor() + " " +
                                              r.outcome().substr(0, r.outcome().find(':')) + " " +
                                              r.tenant_id());
        return out;
    }

    static void verifyDenied(const grpc::Status& s, const char* what)
    {
        QVERIFY2(s.error_code() == grpc::StatusCode::PERMISSION_DENIED,
                 qPrintable(QStringLiteral("%1: %2 %3")
                                .arg(QLatin1String(what))
                                .arg(s.error_code())
                                .arg(QString::fromStdString(s.error_message()))));
        QVERIFY2(s.error_message().find("token tenants: acme") != std::string::npos,
                 s.error_message().c_str());
    }

private slots:
    void initTestCase()
    {
        std::ofstream(t_.options.tokensFile) << R"({"tokens": [
            {"name": "ann", "role": "approver", "token": "acme-secret", "tenants": ["acme"]},
            {"name": "gus", "role": "approver", "token": "globex-secret", "tenants": ["globex"]},
            {"name": "mia", "role": "approver", "token": "both-secret",
             "tenants": ["acme", "globex"]},
            {"name": "olga", "role": "operator", "token": "operator-secret"},
            {"name": "root", "role": "admin", "token": "admin-secret", "tenants": ["acme"]}]})";
        QVERIFY(t_.start());
        fleet_ = pb::Fleet::NewStub(t_.channel());
        traces_ = pb::Traces::NewStub(t_.channel());
        knowledge_ = pb::Knowledge::NewStub(t_.channel());
        rollouts_ = pb::Rollouts::NewStub(t_.channel());
        audit_ = pb::Audit::NewStub(t_.channel());
        evals_ = pb::Evals::NewStub(t_.channel());
        seed("acme", 100);
        seed("globex", 900);
        acmeEntry_ = entry("acme", "acme pitfall");
        globexEntry_ = entry("globex", "globex pitfall");
        globexRollout_ = launch(kAdmin, "globex_graph", "globex").rollout_id();
        fleetRollout_ = launch(kAdmin, "fleet_graph", "").rollout_id();
    }

    void instancesAreFiltered()
    {
        const auto list = [&](const char* token, const std::string& tenant,
                              pb::ListInstancesResponse& out) {
            pb::ListInstancesRequest request;
            request.set_tenant_id(tenant);
            return fleet_->ListInstances(ApiTestServer::as(token).get(), request, &out);
        };
        const auto id = [](const pb::Instance& i) { return i.instance_id(); };
        pb::ListInstancesResponse acme, admin, unscoped, narrowed, refused;
        QVERIFY(list(kAcme, "", acme).ok());
        QCOMPARE(idsOf(acme.instances(), id), (std::set<std::string>{"acme-1"}));
        QVERIFY(list(kAdmin, "", admin).ok()); // admin tokens are unscoped, tenants or not
        QCOMPARE(idsOf(admin.instances(), id), (std::set<std::string>{"acme-1", "globex-1"}));
        QVERIFY(list(kOperator, "", unscoped).ok()); // no tenants list: unscoped
        QCOMPARE(idsOf(unscoped.instances(), id), (std::set<std::string>{"acme-1", "globex-1"}));
        QVERIFY(list(kAdmin, "globex", narrowed).ok());
        QCOMPARE(idsOf(narrowed.instances(), id), (std::set<std::string>{"globex-1"}));
        verifyDenied(list(kAcme, "globex", refused), "ListInstances tenant_id=globex");
        QCOMPARE(refused.instances_size(), 0);
    }

    void tracesAreFiltered()
    {
        const auto id = [](const pb::TraceSummary& s) { return s.thread_id(); };
        pb::SearchTracesRequest request;
        pb::SearchTracesResponse acme, admin, refused;
        QVERIFY(traces_->SearchTraces(ApiTestServer::as(kAcme).get(), request, &acme).ok());
        QCOMPARE(idsOf(acme.traces(), id), (std::set<std::string>{"trace-acme"}));
        QCOMPARE(acme.total_matches(), std::int64_t(1)); // counted in SQL, after the tenant filter
        QVERIFY(traces_->SearchTraces(ApiTestServer::as(kAdmin).get(), request, &admin).ok());
        QCOMPARE(admin.total_matches(), std::int64_t(2));
        request.set_tenant_id("globex");
        verifyDenied(traces_->SearchTraces(ApiTestServer::as(kAcme).get(), request, &refused),
                     "SearchTraces tenant_id=globex");

        const auto fetch = [&](const char* token, const std::string& thread,
                               std::vector<pb::TraceChunk>& chunks) {
            pb::GetTraceRequest get;
            get.set_thread_id(thread);
            auto ctx = ApiTestServer::as(token);
            auto reader = traces_->GetTrace(ctx.get(), get);
            pb::TraceChunk chunk;
            while (reader->Read(&chunk))
                chunks.push_back(chunk);
            return reader->Finish();
        };
        std::vector<pb::TraceChunk> own, other, asAdmin;
        QVERIFY(fetch(kAcme, "trace-acme", own).ok());
        QCOMPARE(own.at(0).records(0), std::string("record of acme"));
        verifyDenied(fetch(kAcme, "trace-globex", other), "GetTrace of globex's trace");
        QVERIFY(other.empty()); // not one record of it
        QVERIFY(fetch(kAdmin, "trace-globex", asAdmin).ok());
        QVERIFY(audited("trace.get").contains("trace.get ann denied globex"));
    }

    void entriesAreFiltered()
    {
        const auto id = [](const pb::KnowledgeEntry& e) { return e.entry_id(); };
        pb::ListEntriesRequest request;
        pb::ListEntriesResponse acme, admin, refused;
        QVERIFY(knowledge_->ListEntries(ApiTestServer::as(kAcme).get(), request, &acme).ok());
        QVERIFY(idsOf(acme.entries(), id).count(acmeEntry_));
        QVERIFY(!idsOf(acme.entries(), id).count(globexEntry_));
        for (const auto& e : acme.entries())
            QCOMPARE(e.tenant_id(), std::string("acme"));
        QVERIFY(knowledge_->ListEntries(ApiTestServer::as(kAdmin).get(), request, &admin).ok());
        QVERIFY(idsOf(admin.entries(), id).count(globexEntry_));
        // The status tabs' counts are over the caller's tenants too.
        QCOMPARE(acme.counts_by_status().at("pending") + 1, admin.counts_by_status().at("pending"));
        request.set_tenant_id("globex");
        verifyDenied(knowledge_->ListEntries(ApiTestServer::as(kAcme).get(), request, &refused),
                     "ListEntries tenant_id=globex");

        pb::GetEntryRequest get;
        get.set_entry_id(globexEntry_);
        pb::GetEntryResponse fetched;
        verifyDenied(knowledge_->GetEntry(ApiTestServer::as(kAcme).get(), get, &fetched),
                     "GetEntry of globex's entry");
        QVERIFY(!fetched.has_entry());

        pb::ReviewEntryRequest review;
        review.set_entry_id(globexEntry_);
        review.set_decision(pb::REVIEW_DECISION_APPROVE);
        review.set_seen_revision(1);
        review.set_request_id("ann-reviews-globex");
        pb::ReviewEntryResponse reviewed;
        verifyDenied(knowledge_->ReviewEntry(ApiTestServer::as(kAcme).get(), review, &reviewed),
                     "ReviewEntry of globex's entry");
        QVERIFY(knowledge_->GetEntry(ApiTestServer::as(kAdmin).get(), get, &fetched).ok());
        QCOMPARE(fetched.entry().status(), pb::KNOWLEDGE_STATUS_PENDING); // unchanged
        QCOMPARE(fetched.entry().revision(), std::int64_t(1));
        QVERIFY(audited("knowledge.review").contains("knowledge.review ann denied globex"));

        // A version made from another tenant's entry is refused as well.
        pb::CreateVersionRequest fromEntry;
        fromEntry.set_source_entry_id(globexEntry_);
        fromEntry.set_request_id("ann-version-from-globex");
        pb::OptimizationVersion version;
        verifyDenied(rollouts_->CreateVersion(ApiTestServer::as(kAcme).get(), fromEntry, &version),
                     "CreateVersion from globex's entry");
    }

    void rolloutsAreFilteredAndGuarded()
    {
        // Launched without a tenant by a one-tenant token: that tenant's.
        const pb::Rollout own = launch(kAcme, "acme_graph", "");
        QCOMPARE(own.tenant_id(), std::string("acme"));

        const auto id = [](const pb::Rollout& r) { return r.rollout_id(); };
        pb::ListRolloutsRequest request;
        pb::ListRolloutsResponse acme, admin, refused;
        QVERIFY(rollouts_->ListRollouts(ApiTestServer::as(kAcme).get(), request, &acme).ok());
        // Its own and the fleet-wide one (read-only), not globex's.
        QCOMPARE(idsOf(acme.rollouts(), id),
                 (std::set<std::string>{own.rollout_id(), fleetRollout_}));
        QVERIFY(rollouts_->ListRollouts(ApiTestServer::as(kAdmin).get(), request, &admin).ok());
        QVERIFY(idsOf(admin.rollouts(), id).count(globexRollout_));
        request.set_tenant_id("globex");
        verifyDenied(rollouts_->ListRollouts(ApiTestServer::as(kAcme).get(), request, &refused),
                     "ListRollouts tenant_id=globex");

        pb::GetRolloutRequest get;
        pb::Rollout fetched;
        get.set_rollout_id(globexRollout_);
        verifyDenied(rollouts_->GetRollout(ApiTestServer::as(kAcme).get(), get, &fetched),
                     "GetRollout of globex's rollout");
        get.set_rollout_id(fleetRollout_);
        QVERIFY(rollouts_->GetRollout(ApiTestServer::as(kAcme).get(), get, &fetched).ok());

        pb::GetRolloutSeriesRequest series;
        series.set_rollout_id(globexRollout_);
        pb::GetRolloutSeriesResponse seriesOut;
        verifyDenied(
            rollouts_->GetRolloutSeries(ApiTestServer::as(kAcme).get(), series, &seriesOut),
            "GetRolloutSeries of globex's rollout");

        // Acting on globex's rollout, or on a fleet-wide one, is refused and changes nothing.
        for (const std::string& target : {globexRollout_, fleetRollout_}) {
            const pb::Rollout before = rolloutAsAdmin(target);
            pb::RolloutActionRequest pause;
            pause.set_rollout_id(target);
            pause.set_seen_revision(before.revision());
            pause.set_request_id("ann-pauses-" + target);
            pb::Rollout out;
            verifyDenied(rollouts_->Pause(ApiTestServer::as(kAcme).get(), pause, &out),
                         "Pause of another tenant's / a fleet-wide rollout");
            const pb::Rollout after = rolloutAsAdmin(target);
            QCOMPARE(after.phase(), before.phase());
            QCOMPARE(after.revision(), before.revision());
            QCOMPARE(after.history_size(), before.history_size());
        }
        QVERIFY(audited("rollout.pause").contains("rollout.pause ann denied globex"));

        // A scoped token cannot launch for another tenant or fleet-wide.
        grpc::Status status;
        launch(kAcme, "ann_for_globex", "globex", &status);
        verifyDenied(status, "LaunchRollout tenant_id=globex");
        // A token of several tenants must name one.
        launch(kBoth, "mia_unnamed", "", &status);
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QCOMPARE(launch(kBoth, "mia_named", "globex").tenant_id(), std::string("globex"));
        // Restoring a version is fleet-wide: unscoped tokens only.
        pb::RestoreVersionRequest restore;
        restore.set_graph_name("acme_graph");
        restore.set_node_id("answer");
        restore.set_request_id("ann-restores");
        pb::ListVersionsResponse restored;
        verifyDenied(rollouts_->RestoreVersion(ApiTestServer::as(kAcme).get(), restore, &restored),
                     "RestoreVersion by a scoped token");
    }

    void watchesAreFiltered()
    {
        // Rollouts: the initial state and later changes, globex's left out.
        auto ctx = ApiTestServer::as(kAcme);
        auto reader = rollouts_->WatchRollouts(ctx.get(), pb::WatchRolloutsRequest{});
        reader->WaitForInitialMetadata();
        // globex's launch first, then acme's: a leak would arrive before acme's.
        QCOMPARE(launch(kGlobex, "globex_watch", "").tenant_id(), std::string("globex"));
        const std::string acmeWatch = launch(kAcme, "acme_watch", "").rollout_id();
        pb::Rollout seen;
        bool sawAcme = false;
        int read = 0;
        while (!sawAcme && reader->Read(&seen)) {
            QVERIFY2(seen.tenant_id() != "globex", seen.rollout_id().c_str());
            sawAcme = seen.rollout_id() == acmeWatch;
            ++read;
        }
        QVERIFY(sawAcme);
        QVERIFY(read >= 3); // the current state came first: acme's and the fleet-wide one
        ctx->TryCancel();

        // Knowledge: a review of globex's entry (by gus) does not reach ann's watch.
        auto kctx = ApiTestServer::as(kAcme);
        auto events = knowledge_->WatchKnowledge(kctx.get(), pb::WatchKnowledgeRequest{});
        events->WaitForInitialMetadata();
        const auto approve = [&](const char* token, const std::string& entryId) {
            pb::ReviewEntryRequest review;
            review.set_entry_id(entryId);
            review.set_decision(pb::REVIEW_DECISION_APPROVE);
            review.set_seen_revision(1);
            review.set_request_id("approve-" + entryId);
            pb::ReviewEntryResponse out;
            return knowledge_->ReviewEntry(ApiTestServer::as(token).get(), review, &out);
        };
        QVERIFY(approve(kGlobex, globexEntry_).ok());
        QVERIFY(approve(kAcme, acmeEntry_).ok());
        pb::KnowledgeEvent event;
        QVERIFY(events->Read(&event));
        QCOMPARE(event.entry().entry_id(), acmeEntry_); // globex's review was not sent
        kctx->TryCancel();

        // ann sees the audit of acme's objects and its own records; not gus's on globex.
        pb::ListAuditRequest request;
        pb::ListAuditResponse acme, admin;
        QVERIFY(audit_->ListAudit(ApiTestServer::as(kAcme).get(), request, &acme).ok());
        for (const auto& r : acme.records())
            QVERIFY2(r.tenant_id() == "acme" || r.actor() == "ann",
                     (r.action() + " " + r.actor() + " " + r.tenant_id()).c_str());
        QVERIFY(audit_->ListAudit(ApiTestServer::as(kAdmin).get(), request, &admin).ok());
        bool globexReview = false;
        for (const auto& r : admin.records())
            globexReview = globexReview || (r.action() == "knowledge.review" &&
                                            r.actor() == "gus" && r.tenant_id() == "globex");
        QVERIFY(globexReview);
        request.set_tenant_id("globex");
        pb::ListAuditResponse refused;
        verifyDenied(audit_->ListAudit(ApiTestServer::as(kAcme).get(), request, &refused),
                     "ListAudit tenant_id=globex");
    }

    void runSamplesAreFiltered()
    {
        // acme's run took 100 ms, globex's 900 ms: a series over the shared
        // deployment shows acme's alone to ann, both to the admin.
        pb::GetMetricSeriesRequest request;
        request.add_deployments("shared");
        request.add_metrics(pb::METRIC_LATENCY_P95);
        request.set_start_us(minuteAnHourAgoUs());
        request.set_end_us(minuteAnHourAgoUs() + 60 * kSecond);
        request.set_step_seconds(60);
        const auto countOf = [&](const char* token) {
            pb::GetMetricSeriesResponse out;
            const auto s = fleet_->GetMetricSeries(ApiTestServer::as(token).get(), request, &out);
            return s.ok() && out.series_size() == 1 && out.series(0).points_size() == 1
                       ? out.series(0).points(0).count()
                       : -1;
        };
        QCOMPARE(countOf(kAcme), std::int64_t(1));
        QCOMPARE(countOf(kAdmin), std::int64_t(2));
        // The admin narrows to one tenant (the console's Tenant box); acme's
        // token may not ask for globex.
        request.set_tenant_id("globex");
        QCOMPARE(countOf(kAdmin), std::int64_t(1));
        QCOMPARE(countOf(kBoth), std::int64_t(1));
        {
            pb::GetMetricSeriesResponse out;
            QCOMPARE(
                fleet_->GetMetricSeries(ApiTestServer::as(kAcme).get(), request, &out).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
        }
        request.clear_tenant_id();

        pb::QualitySummaryRequest quality;
        quality.set_since_us(minuteAnHourAgoUs());
        quality.set_group_by(pb::QUALITY_GROUP_BY_INSTANCE);
        pb::QualitySummaryResponse summary;
        QVERIFY(evals_->GetQualitySummary(ApiTestServer::as(kAcme).get(), quality, &summary).ok());
        QCOMPARE(summary.groups_size(), 1);
        QCOMPARE(summary.groups(0).key(), std::string("acme-1"));
    }

    void cleanupTestCase() { t_.stop(); }
};

QTEST_GUILESS_MAIN(TestTenantIsolation)
#include "tst_tenant_isolation.moc"
