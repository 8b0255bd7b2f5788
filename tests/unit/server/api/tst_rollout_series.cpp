// Rollouts over real gRPC against a real SQLite file: the canary/baseline
// time series of a rollout, restoring an earlier version of a graph/node, and
// the rule that a version from an unreviewed knowledge entry is not launched.
#include "RolloutTestSupport.h"

#include <QTest>

using namespace rollout_test;

namespace {

struct Expected
{
    std::int64_t tUs;
    double value;
    std::int64_t count;
};

void comparePoints(const google::protobuf::RepeatedPtrField<pb::SeriesPoint>& points,
                   const std::vector<Expected>& expected, const char* what)
{
    QVERIFY2(points.size() == static_cast<int>(expected.size()), what);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const pb::SeriesPoint& p = points.Get(static_cast<int>(i));
        QVERIFY2(p.t_us() == expected[i].tUs, what);
        QVERIFY2(qFuzzyCompare(p.value() + 1.0, expected[i].value + 1.0),
                 qPrintable(QStringLiteral("%1 point %2: %3, expected %4")
                                .arg(QLatin1String(what))
                                .arg(i)
                                .arg(p.value())
                                .arg(expected[i].value)));
        QVERIFY2(p.count() == expected[i].count, what);
    }
}

pb::RestoreVersionRequest restore(const std::string& versionId, const std::string& seenLive,
                                  const std::string& requestId)
{
    pb::RestoreVersionRequest r;
    r.set_graph_name("faq_bot"); // a graph of its own: the store outlives each test
    r.set_node_id("answer");
    r.set_version_id(versionId);
    r.set_seen_live_version_id(seenLive);
    r.set_request_id(requestId);
    r.set_reason("the new prompt confuses the retriever");
    return r;
}

} // namespace

class TestRolloutSeries : public QObject
{
    Q_OBJECT

    ApiTestServer t_;
    std::unique_ptr<pb::Rollouts::Stub> rollouts_;

    // A finished rollout of five minutes, made in the store.
    pb::Rollout finishedRollout(std::int64_t startUs, std::int64_t endUs, std::string& baseline)
    {
        baseline = makeVersion(t_, "rag_pipeline", "generate", pb::VERSION_STATE_RETIRED);
        pb::Rollout r;
        r.set_version_id(makeVersion(t_, "rag_pipeline", "generate", pb::VERSION_STATE_LIVE));
        r.set_baseline_version_id(baseline);
        r.set_graph_name("rag_pipeline");
        r.set_node_id("generate");
        r.set_phase(pb::ROLLOUT_PHASE_PROMOTED);
        r.set_weight_percent(100);
        r.set_created_us(startUs);
        r.set_updated_us(endUs);
        auto created = t_.server->store().createRollout(r);
        if (!created)
            qFatal("createRollout: %s", created.error().message.c_str());
        return *created;
    }

    pb::GetRolloutSeriesResponse series(const std::string& id, int step, grpc::Status* status)
    {
        pb::GetRolloutSeriesRequest request;
        request.set_rollout_id(id);
        request.set_step_seconds(step);
        pb::GetRolloutSeriesResponse out;
        *status = rollouts_->GetRolloutSeries(ApiTestServer::as(ApiTestServer::viewerToken).get(),
                                              request, &out);
        return out;
    }

    grpc::Status restoreAs(const char* token, const pb::RestoreVersionRequest& request,
                           pb::ListVersionsResponse* out)
    {
        return rollouts_->RestoreVersion(ApiTestServer::as(token).get(), request, out);
    }

private slots:
    void init()
    {
        QVERIFY(t_.start());
        rollouts_ = pb::Rollouts::NewStub(t_.channel());
    }

    void cleanup()
    {
        rollouts_.reset();
        t_.stop();
    }

    void seriesBucketsCanaryAgainstBaseline()
    {
        const std::int64_t t0 = minuteAnHourAgoUs();
        std::string baseline;
        const pb::Rollout r = finishedRollout(t0, t0 + 300 * kSecond, baseline);
        const std::string canary = r.version_id();
        const std::string id = r.rollout_id();
        // Minute 0: three canary runs (one failed, one without a quality), one baseline
        // run of the graph as shipped.
        addSample(t_, {t0 + 5 * kSecond, canary, 100, 0.9, false, 1000, id});
        addSample(t_, {t0 + 20 * kSecond, canary, 200, 0.7, true, 3000, id});
        addSample(t_, {t0 + 59 * kSecond, canary, 300, std::nullopt, false, 2000, id});
        addSample(t_, {t0 + 30 * kSecond, "", 50, 0.5, false, 500, id});
        // Minute 1: two runs of the baseline version only.
        addSample(t_, {t0 + 60 * kSecond, baseline, 100, 0.6, true, 100, id});
        addSample(t_, {t0 + 90 * kSecond, baseline, 120, 0.8, false, 300, id});
        // Minutes 2 and 3: nothing. At the very end: one canary run without a quality.
        addSample(t_, {t0 + 300 * kSecond, canary, 400, std::nullopt, false, 700, id});
        // Not this rollout's: before the launch, after the end, another rollout.
        addSample(t_, {t0 - kSecond, canary, 9000, 0.1, true, 9, id});
        addSample(t_, {t0 + 301 * kSecond, canary, 9000, 0.1, true, 9, id});
        addSample(t_, {t0 + 10 * kSecond, canary, 9000, 0.1, true, 9, "another-rollout"});

        grpc::Status status;
        const auto s = series(id, 60, &status);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(s.rollout_id(), id);
        QCOMPARE(s.start_us(), t0);
        QCOMPARE(s.end_us(), t0 + 300 * kSecond);
        QCOMPARE(s.step_seconds(), 60);
        QCOMPARE(s.canary_runs(), 4);
        QCOMPARE(s.baseline_runs(), 3);
        QCOMPARE(s.series_size(), 4);
        const std::int64_t m0 = t0, m1 = t0 + 60 * kSecond, m4 = t0 + 240 * kSecond;

        QCOMPARE(s.series(0).metric(), std::string("quality"));
        comparePoints(s.series(0).canary(), {{m0, (0.9 + 0.7) / 2, 2}}, "quality canary");
        comparePoints(s.series(0).baseline(), {{m0, 0.5, 1}, {m1, (0.6 + 0.8) / 2, 2}},
                      "quality baseline");

        // p95 with linear interpolation between closest ranks: of 100, 200, 300 ms the
        // rank is 0.95 * 2 = 1.9, so 200 + 0.9 * 100; of 100, 120 it is 100 + 0.95 * 20.
        QCOMPARE(s.series(1).metric(), std::string("latency_p95_ms"));
        comparePoints(s.series(1).canary(), {{m0, 290, 3}, {m4, 400, 1}}, "p95 canary");
        comparePoints(s.series(1).baseline(), {{m0, 50, 1}, {m1, 119, 2}}, "p95 baseline");

        QCOMPARE(s.series(2).metric(), std::string("error_rate"));
        comparePoints(s.series(2).canary(), {{m0, 1.0 / 3, 3}, {m4, 0, 1}}, "errors canary");
        comparePoints(s.series(2).baseline(), {{m0, 0, 1}, {m1, 0.5, 2}}, "errors baseline");

        QCOMPARE(s.series(3).metric(), std::string("cost_micros"));
        comparePoints(s.series(3).canary(), {{m0, 2000, 3}, {m4, 700, 1}}, "cost canary");
        comparePoints(s.series(3).baseline(), {{m0, 500, 1}, {m1, 200, 2}}, "cost baseline");
    }

    void seriesChoosesAndLimitsTheStep()
    {
        const std::int64_t t0 = minuteAnHourAgoUs() - 3600 * kSecond;
        std::string baseline;
        const pb::Rollout shortOne = finishedRollout(t0, t0 + 300 * kSecond, baseline);
        grpc::Status status;
        // 300 s / 60 buckets = 5 s, but a bucket is at least 10 s.
        QCOMPARE(series(shortOne.rollout_id(), 0, &status).step_seconds(), 10);
        QVERIFY(status.ok());

        const pb::Rollout longOne = finishedRollout(t0, t0 + 7200 * kSecond, baseline);
        QCOMPARE(series(longOne.rollout_id(), 0, &status).step_seconds(), 120);
        QVERIFY(status.ok());
        // One-second buckets over two hours would be 7200 of them.
        series(longOne.rollout_id(), 1, &status);
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("at least 15 s") != std::string::npos,
                 status.error_message().c_str());

        series("no-such-rollout", 60, &status);
        QCOMPARE(status.error_code(), grpc::StatusCode::NOT_FOUND);

        // An active rollout's series runs up to now.
        const std::string candidate =
            makeVersion(t_, "support_triage", "classify", pb::VERSION_STATE_CANDIDATE);
        pb::Rollout active;
        QVERIFY(rollouts_
                    ->LaunchRollout(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                    holdingLaunch(candidate, "launch-active"), &active)
                    .ok());
        const std::int64_t before = std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
        const auto s = series(active.rollout_id(), 0, &status);
        QVERIFY(status.ok());
        QCOMPARE(s.start_us(), active.created_us());
        QVERIFY(s.end_us() >= before);
        QCOMPARE(s.series_size(), 4);
        QCOMPARE(s.canary_runs() + s.baseline_runs(), 0);
        for (const auto& m : s.series())
            QVERIFY(m.canary().empty() && m.baseline().empty());
    }

    void restoreVersionPutsAnEarlierVersionBack()
    {
        const std::string v1 = makeVersion(t_, "faq_bot", "answer", pb::VERSION_STATE_RETIRED);
        const std::string v2 = makeVersion(t_, "faq_bot", "answer", pb::VERSION_STATE_LIVE);
        const std::string v3 = makeVersion(t_, "faq_bot", "answer", pb::VERSION_STATE_CANDIDATE);
        pb::ListVersionsResponse out;

        // An operator may not; the refusal is audited.
        auto denied = restoreAs(ApiTestServer::operatorToken, restore(v1, v2, "r-0"), &out);
        QCOMPARE(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        QVERIFY2(auditLines(t_, "version.restore")
                     .contains(QStringLiteral("version.restore olga denied")),
                 qPrintable(auditLines(t_, "version.restore").join(u'|')));

        // Seen "as shipped" while v2 is live: stale, nothing changes.
        auto stale = restoreAs(ApiTestServer::approverToken, restore(v1, "", "r-1"), &out);
        QCOMPARE(stale.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY2(stale.error_message().find("list the versions again") != std::string::npos,
                 stale.error_message().c_str());
        QCOMPARE(stateOf(t_, v1), pb::VERSION_STATE_RETIRED);
        QCOMPARE(stateOf(t_, v2), pb::VERSION_STATE_LIVE);

        // Only a RETIRED version can be restored; a CANDIDATE goes live through a rollout.
        auto candidate = restoreAs(ApiTestServer::approverToken, restore(v3, v2, "r-2"), &out);
        QCOMPARE(candidate.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        auto live = restoreAs(ApiTestServer::approverToken, restore(v2, v2, "r-3"), &out);
        QCOMPARE(live.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

        // The approver restores v1: it is live, v2 retired.
        QVERIFY(restoreAs(ApiTestServer::approverToken, restore(v1, v2, "r-4"), &out).ok());
        QCOMPARE(out.versions_size(), 3);
        for (const auto& v : out.versions()) {
            const pb::VersionState expected = v.version_id() == v1   ? pb::VERSION_STATE_LIVE
                                              : v.version_id() == v2 ? pb::VERSION_STATE_RETIRED
                                                                     : pb::VERSION_STATE_CANDIDATE;
            QCOMPARE(v.state(), expected);
        }
        // The same request again (its seen_live is stale by now) answers the same, and
        // acts once.
        pb::ListVersionsResponse again;
        QVERIFY(restoreAs(ApiTestServer::approverToken, restore(v1, v2, "r-4"), &again).ok());
        QCOMPARE(again.SerializeAsString(), out.SerializeAsString());
        QCOMPARE(auditLines(t_, "version.restore").filter(QStringLiteral("alice ok")).size(), 1);
        QCOMPARE(stateOf(t_, v1), pb::VERSION_STATE_LIVE);

        // A new launch on the graph/node takes the restored version as its baseline ...
        pb::Rollout launched;
        QVERIFY(rollouts_
                    ->LaunchRollout(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                    holdingLaunch(v3, "launch-1"), &launched)
                    .ok());
        QCOMPARE(launched.baseline_version_id(), v1);
        // ... and while it is active, nothing is restored.
        auto busy = restoreAs(ApiTestServer::approverToken, restore(v2, v1, "r-5"), &out);
        QCOMPARE(busy.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY2(busy.error_message().find("active rollout") != std::string::npos,
                 busy.error_message().c_str());
        QCOMPARE(stateOf(t_, v1), pb::VERSION_STATE_LIVE);
        pb::RolloutActionRequest abort;
        abort.set_rollout_id(launched.rollout_id());
        abort.set_request_id("abort-1");
        abort.set_reason("restoring instead");
        pb::Rollout aborted;
        QVERIFY(
            rollouts_->Abort(ApiTestServer::as(ApiTestServer::operatorToken).get(), abort, &aborted)
                .ok());

        // Back to the graph as shipped: nothing is live; the next launch is against it.
        QVERIFY(restoreAs(ApiTestServer::approverToken, restore("", v1, "r-6"), &out).ok());
        for (const auto& v : out.versions())
            QVERIFY(v.state() != pb::VERSION_STATE_LIVE);
        QCOMPARE(stateOf(t_, v1), pb::VERSION_STATE_RETIRED);
        auto shippedAgain = restoreAs(ApiTestServer::approverToken, restore("", "", "r-7"), &out);
        QCOMPARE(shippedAgain.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY(rollouts_
                    ->LaunchRollout(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                    holdingLaunch(v3, "launch-2"), &launched)
                    .ok());
        QCOMPARE(launched.baseline_version_id(), std::string());

        const QStringList audit = auditLines(t_, "version.restore");
        QCOMPARE(audit.filter(QStringLiteral("alice ok")).size(), 2);
        QVERIFY2(audit.filter(QStringLiteral("alice refused")).size() >= 5,
                 qPrintable(audit.join(u'|')));
    }

    void launchRefusesAVersionFromAPendingEntry()
    {
        pb::KnowledgeEntry e;
        e.set_kind(pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
        e.set_title("Cite the retrieved passage ids");
        e.set_graph_name("kb_bot");
        e.set_node_id("reply");
        e.mutable_prompt_optimization()->set_optimized_prompt("Answer and cite the passages.");
        auto entry = t_.server->store().createEntry(e, minuteAnHourAgoUs());
        QVERIFY(entry.ok());
        // The simulator makes such candidates for every optimization it writes.
        const std::string version =
            makeVersion(t_, "kb_bot", "reply", pb::VERSION_STATE_CANDIDATE, entry->entry_id());
        pb::Rollout launched;
        auto pending =
            rollouts_->LaunchRollout(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                     holdingLaunch(version, "launch-pending"), &launched);
        QCOMPARE(pending.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        QCOMPARE(pending.error_message(),
                 "version " + version + " comes from knowledge entry " + entry->entry_id() +
                     ", which is pending review; approve it before rolling it out");
        QCOMPARE(stateOf(t_, version), pb::VERSION_STATE_CANDIDATE);

        auto kb = pb::Knowledge::NewStub(t_.channel());
        pb::ReviewEntryRequest review;
        review.set_entry_id(entry->entry_id());
        review.set_seen_revision(entry->revision());
        review.set_decision(pb::REVIEW_DECISION_APPROVE);
        review.set_request_id("approve-1");
        pb::ReviewEntryResponse reviewed;
        QVERIFY(kb->ReviewEntry(ApiTestServer::as(ApiTestServer::approverToken).get(), review,
                                &reviewed)
                    .ok());
        // The refused request id was not remembered: the same id now launches.
        QVERIFY(rollouts_
                    ->LaunchRollout(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                    holdingLaunch(version, "launch-pending"), &launched)
                    .ok());
        QCOMPARE(launched.phase(), pb::ROLLOUT_PHASE_PAUSED);
        QCOMPARE(launched.weight_percent(), 50);
        QCOMPARE(stateOf(t_, version), pb::VERSION_STATE_CANARY);
    }
};

QTEST_GUILESS_MAIN(TestRolloutSeries)
#include "tst_rollout_series.moc"
