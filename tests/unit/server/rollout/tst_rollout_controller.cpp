// The rollout controller on a real SQLite store, driven by explicit times:
// run samples are synthesised into the store and tick(nowUs) plays the clock.
#include "server/rollout/RolloutController.h"
#include "server/store/SqliteStore.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace nexus::server;
namespace pb = nexus::v1;

namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kT0 = 1'700'000'000 * kSecond;
const std::string kGraph = "support_bot";

struct RunShape
{
    double quality = 0.85;
    double latencyMs = 100;
    std::int64_t costMicros = 100;
    int failEvery = 0; // every n-th run fails; 0 = none
};

pb::RolloutActionRequest action(const std::string& rolloutId, const std::string& requestId = {},
                                std::int64_t seenRevision = 0)
{
    pb::RolloutActionRequest r;
    r.set_rollout_id(rolloutId);
    r.set_request_id(requestId);
    r.set_seen_revision(seenRevision);
    return r;
}

pb::RolloutStep weight(int percent)
{
    pb::RolloutStep s;
    s.mutable_set_weight()->set_percent(percent);
    return s;
}

pb::RolloutStep analysisOf(std::int64_t seconds, int minSamples)
{
    pb::RolloutStep s;
    s.mutable_analysis()->set_window_seconds(seconds);
    s.mutable_analysis()->set_min_samples(minSamples);
    return s;
}

pb::RolloutStep pauseFor(std::int64_t seconds)
{
    pb::RolloutStep s;
    s.mutable_pause()->set_duration_seconds(seconds);
    return s;
}

int countAudit(Store& store, const std::string& action, const std::string& actor = {})
{
    pb::ListAuditRequest r;
    r.set_action_prefix(action);
    r.set_actor(actor);
    const auto page = store.listAudit(r);
    return page ? static_cast<int>(page->records.size()) : -1;
}

} // namespace

class TestRolloutController : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<SqliteStore> store_;
    std::unique_ptr<EventHub> hub_;
    std::unique_ptr<RolloutController> controller_;
    std::string liveId_;
    std::string candidateId_;
    const Caller alice_{"alice", "approver", "127.0.0.1:5000"};

    std::string createVersion(pb::VersionState state)
    {
        pb::OptimizationVersion v;
        v.set_graph_name(kGraph);
        v.set_node_id("answer");
        v.set_target_param("system_prompt");
        v.set_state(state);
        const auto created = store_->createVersion(v, kT0 - 1000 * kSecond);
        return created ? created->version_id() : std::string();
    }

    pb::VersionState versionState(const std::string& id)
    {
        const auto v = store_->version(id);
        return v && v->has_value() ? (*v)->state() : pb::VERSION_STATE_UNSPECIFIED;
    }

    pb::Rollout stored(const std::string& rolloutId)
    {
        const auto r = store_->rollout(rolloutId);
        return r && r->has_value() ? **r : pb::Rollout();
    }

    // `count` finished runs of one side, ending evenly within [fromUs, toUs).
    void addRuns(const pb::Rollout& rollout, bool canary, int count, std::int64_t fromUs,
                 std::int64_t toUs, const RunShape& shape)
    {
        for (int i = 0; i < count; ++i) {
            RunSample s;
            s.threadId = (canary ? "c-" : "b-") + std::to_string(fromUs) + "-" + std::to_string(i);
            s.instanceId = "inst-" + std::to_string(i % 4);
            s.graphName = kGraph;
            s.rolloutId = rollout.rollout_id();
            s.optimizationVersion = canary ? rollout.version_id() : rollout.baseline_version_id();
            s.endedUs = fromUs + (toUs - fromUs) * i / count;
            // A little deterministic spread, so the ranks are not all tied.
            s.quality = shape.quality + 0.02 * ((i % 5) - 2);
            s.durationUs =
                static_cast<std::int64_t>(shape.latencyMs * 1000 * (1 + 0.05 * ((i % 7) - 3)));
            s.costMicros = shape.costMicros;
            s.failed = shape.failEvery > 0 && i % shape.failEvery == 0;
            QVERIFY(store_->addRunSample(s));
        }
    }

    pb::Rollout launchDefault(const std::string& requestId = "launch-1")
    {
        const auto r = controller_->launch(candidateId_, {}, {}, "alice", requestId, kT0);
        if (!r)
            qWarning() << r.error().message.c_str();
        return r ? *r : pb::Rollout();
    }

private slots:
    void init()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        QVERIFY(dir_->isValid());
        auto store = SqliteStore::open(dir_->filePath("nexus.db").toStdString());
        QVERIFY(store);
        store_ = std::move(store.value());
        hub_ = std::make_unique<EventHub>();
        controller_ = std::make_unique<RolloutController>(*store_, *hub_);
        liveId_ = createVersion(pb::VERSION_STATE_LIVE);
        candidateId_ = createVersion(pb::VERSION_STATE_CANDIDATE);
    }

    void launchAppliesTheFirstWeightAndRoutes()
    {
        auto events = hub_->rollouts.subscribe();
        const pb::Rollout r = launchDefault();
        QVERIFY(!r.rollout_id().empty());
        QCOMPARE(r.steps_size(), 7); // the default plan: 5, 25, 50 % with analyses, then 100 %
        QCOMPARE(r.baseline_version_id(), liveId_);
        QCOMPARE(r.phase(), pb::ROLLOUT_PHASE_PROGRESSING);
        QCOMPARE(r.weight_percent(), 5);
        QCOMPARE(r.current_step(), 1); // waiting in the first analysis
        QCOMPARE(r.guardrails().max_quality_drop(), 0.10);
        QCOMPARE(r.guardrails().min_samples(), 20);
        QCOMPARE(versionState(candidateId_), pb::VERSION_STATE_CANARY);

        const auto route = controller_->activeRoute(kGraph);
        QVERIFY(route);
        QCOMPARE(route->rolloutId, r.rollout_id());
        QCOMPARE(route->versionId, candidateId_);
        QCOMPARE(route->baselineVersionId, liveId_);
        QCOMPARE(route->weightPercent, 5);
        QVERIFY(!controller_->activeRoute("other_graph"));

        const auto published = events->next(std::chrono::milliseconds(0));
        QVERIFY(published);
        QCOMPARE(published->rollout_id(), r.rollout_id());
        QCOMPARE(countAudit(*store_, "rollout.launch", "alice"), 1);

        // A second controller (a restart) finds the route in the store.
        RolloutController restarted(*store_, *hub_);
        QCOMPARE(restarted.activeRoute(kGraph)->weightPercent, 5);
    }

    void worseCandidateIsRolledBackByTheQualityGuardrail()
    {
        const pb::Rollout r = launchDefault();
        addRuns(r, true, 30, kT0 + 10 * kSecond, kT0 + 60 * kSecond, {.quality = 0.70});
        addRuns(r, false, 30, kT0 + 10 * kSecond, kT0 + 60 * kSecond, {.quality = 0.86});

        const TickReport report = controller_->tick(kT0 + 61 * kSecond);
        QCOMPARE(report.changed.size(), std::size_t(1));
        const pb::Rollout after = stored(r.rollout_id());
        QCOMPARE(after.phase(), pb::ROLLOUT_PHASE_ROLLED_BACK);
        QCOMPARE(after.weight_percent(), 0);
        const std::string& why = after.reason();
        QVERIFY2(why.find("quality guardrail: canary 0.70 vs baseline 0.86 (-18.6 %, limit -10 %) "
                          "over 30/30 runs") != std::string::npos,
                 why.c_str());
        QCOMPARE(after.history(after.history_size() - 1).kind(), std::string("rolled_back"));
        QCOMPARE(after.history(after.history_size() - 1).actor(), std::string("controller"));
        QCOMPARE(versionState(candidateId_), pb::VERSION_STATE_ROLLED_BACK);
        QCOMPARE(versionState(liveId_), pb::VERSION_STATE_LIVE);
        QVERIFY(!controller_->activeRoute(kGraph));

        pb::ListAuditRequest q;
        q.set_action_prefix("rollout.rolled_back");
        const auto audit = store_->listAudit(q);
        QCOMPARE(audit->records.size(), std::size_t(1));
        QCOMPARE(audit->records[0].actor(), std::string("controller"));
        QCOMPARE(audit->records[0].target(), r.rollout_id());
        QCOMPARE(audit->records[0].detail(), why);

        // Finished: later ticks leave it alone.
        QVERIFY(controller_->tick(kT0 + 600 * kSecond).changed.empty());
    }

    void errorRateGuardrailNamesTheNumbers()
    {
        const pb::Rollout r = launchDefault();
        addRuns(r, true, 20, kT0, kT0 + 20 * kSecond, {.failEvery = 4}); // 5 of 20
        addRuns(r, false, 20, kT0, kT0 + 20 * kSecond, {});
        controller_->tick(kT0 + 21 * kSecond);
        const pb::Rollout after = stored(r.rollout_id());
        QCOMPARE(after.phase(), pb::ROLLOUT_PHASE_ROLLED_BACK);
        QVERIFY2(after.reason() ==
                     "error rate guardrail: canary 25.0 % (5 of 20 runs failed), limit 20 %",
                 after.reason().c_str());
    }

    void guardrailsWaitForMinSamples()
    {
        const pb::Rollout r = launchDefault();
        addRuns(r, true, 19, kT0, kT0 + 20 * kSecond, {.quality = 0.5}); // terrible, but 19 < 20
        addRuns(r, false, 40, kT0, kT0 + 20 * kSecond, {});
        QVERIFY(controller_->tick(kT0 + 21 * kSecond).changed.empty());
        QCOMPARE(stored(r.rollout_id()).phase(), pb::ROLLOUT_PHASE_PROGRESSING);
        addRuns(r, true, 1, kT0 + 21 * kSecond, kT0 + 22 * kSecond, {.quality = 0.5});
        controller_->tick(kT0 + 23 * kSecond);
        QCOMPARE(stored(r.rollout_id()).phase(), pb::ROLLOUT_PHASE_ROLLED_BACK);
    }

    void worseCandidateFailsTheAnalysis()
    {
        // 40 % slower (under the 50 % p95 guardrail) and 30 % dearer: no
        // guardrail fires, the Mann-Whitney analysis does.
        const pb::Rollout r = launchDefault();
        addRuns(r, true, 30, kT0, kT0 + 290 * kSecond, {.latencyMs = 140, .costMicros = 130});
        addRuns(r, false, 30, kT0, kT0 + 290 * kSecond, {});
        QVERIFY(controller_->tick(kT0 + 299 * kSecond).changed.empty()); // window not over

        controller_->tick(kT0 + 300 * kSecond);
        const pb::Rollout after = stored(r.rollout_id());
        QCOMPARE(after.phase(), pb::ROLLOUT_PHASE_ROLLED_BACK);
        QCOMPARE(after.analyses_size(), 1);
        const pb::AnalysisResult& a = after.analyses(0);
        QCOMPARE(a.verdict(), pb::VERDICT_FAIL);
        QCOMPARE(a.score(), 50.0);
        QCOMPARE(a.step_index(), 1);
        QCOMPARE(a.window_start_us(), kT0);
        QCOMPARE(a.window_end_us(), kT0 + 300 * kSecond);
        QCOMPARE(a.metrics_size(), 4);
        const pb::MetricAnalysis& latency = a.metrics(1);
        QCOMPARE(latency.metric(), std::string("latency_ms"));
        QCOMPARE(latency.verdict(), pb::VERDICT_FAIL);
        QCOMPARE(latency.canary_samples(), std::int64_t(30));
        QVERIFY(latency.p_value() < 0.001);
        QVERIFY(latency.effect_size() > 0.5);               // the canary is higher (slower)
        QCOMPARE(a.metrics(0).verdict(), pb::VERDICT_PASS); // same quality
        QVERIFY2(after.reason().rfind(
                     "analysis at step 2/7 failed with score 50.0: latency_ms FAIL", 0) == 0,
                 after.reason().c_str());
        QVERIFY(after.reason().find("cost_micros FAIL") != std::string::npos);
        QCOMPARE(versionState(candidateId_), pb::VERSION_STATE_ROLLED_BACK);
        QCOMPARE(countAudit(*store_, "rollout.rolled_back", "controller"), 1);
    }

    void analysisWithoutABaselineIsRefused()
    {
        // At 100 % (or 0 %) one side gets no runs: such an analysis would wait forever.
        std::vector<pb::RolloutStep> steps(2);
        steps[0].mutable_set_weight()->set_percent(100);
        steps[1].mutable_analysis()->set_window_seconds(60);
        const auto refused =
            controller_->launch(candidateId_, steps, {}, "alice", "launch-full", kT0);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, RolloutError::Code::Invalid);
        QVERIFY2(refused.error().message.find("no runs") != std::string::npos,
                 refused.error().message.c_str());
    }

    void betterCandidateIsPromotedThroughEveryStep()
    {
        auto events = hub_->rollouts.subscribe();
        const pb::Rollout r = launchDefault();
        std::vector<int> weights{controller_->activeRoute(kGraph)->weightPercent};
        std::int64_t stepStart = kT0;
        for (int analysis = 0; analysis < 3; ++analysis) {
            addRuns(r, true, 25, stepStart, stepStart + 290 * kSecond, {.quality = 0.90});
            addRuns(r, false, 25, stepStart, stepStart + 290 * kSecond, {.quality = 0.85});
            stepStart += 300 * kSecond;
            const TickReport report = controller_->tick(stepStart);
            QVERIFY(report.errors.empty());
            QCOMPARE(report.changed.size(), std::size_t(1));
            if (const auto route = controller_->activeRoute(kGraph))
                weights.push_back(route->weightPercent);
        }
        // The third passed analysis moves to 100 %, the end of the plan: promoted,
        // so no route is left to read.
        QCOMPARE(weights, (std::vector<int>{5, 25, 50}));

        const pb::Rollout done = stored(r.rollout_id());
        QCOMPARE(done.phase(), pb::ROLLOUT_PHASE_PROMOTED);
        QCOMPARE(done.weight_percent(), 100);
        QCOMPARE(done.current_step(), 7);
        QCOMPARE(done.analyses_size(), 3);
        for (const auto& a : done.analyses()) {
            QCOMPARE(a.verdict(), pb::VERDICT_PASS);
            QCOMPARE(a.score(), 100.0);
        }
        QCOMPARE(versionState(candidateId_), pb::VERSION_STATE_LIVE);
        QCOMPARE(versionState(liveId_), pb::VERSION_STATE_RETIRED);
        QVERIFY(!controller_->activeRoute(kGraph));
        QCOMPARE(countAudit(*store_, "rollout.promoted", "controller"), 1);

        int published = 0;
        while (events->next(std::chrono::milliseconds(0)))
            ++published;
        QCOMPARE(published, 4); // launch + one per analysis

        // The next candidate of the graph is measured against the new live version.
        const std::string next = createVersion(pb::VERSION_STATE_CANDIDATE);
        const auto second =
            controller_->launch(next, {}, {}, "alice", "launch-2", kT0 + 2000 * kSecond);
        QVERIFY(second);
        QCOMPARE(second->baseline_version_id(), candidateId_);
    }

    void analysisWaitsWithInsufficientData()
    {
        const pb::Rollout r = launchDefault();
        addRuns(r, true, 5, kT0, kT0 + 100 * kSecond, {});
        addRuns(r, false, 25, kT0, kT0 + 100 * kSecond, {});
        controller_->tick(kT0 + 300 * kSecond);
        pb::Rollout waiting = stored(r.rollout_id());
        QCOMPARE(waiting.phase(), pb::ROLLOUT_PHASE_PROGRESSING);
        QCOMPARE(waiting.current_step(), 1);
        QCOMPARE(waiting.weight_percent(), 5);
        QCOMPARE(waiting.analyses_size(), 1);
        QCOMPARE(waiting.analyses(0).verdict(), pb::VERDICT_INSUFFICIENT_DATA);

        // Still short: no new revision on every tick.
        QVERIFY(controller_->tick(kT0 + 310 * kSecond).changed.empty());
        QCOMPARE(stored(r.rollout_id()).revision(), waiting.revision());

        addRuns(r, true, 20, kT0 + 310 * kSecond, kT0 + 320 * kSecond, {});
        controller_->tick(kT0 + 321 * kSecond);
        const pb::Rollout judged = stored(r.rollout_id());
        QCOMPARE(judged.analyses_size(), 1); // the waiting result became the verdict
        QCOMPARE(judged.analyses(0).verdict(), pb::VERDICT_PASS);
        QCOMPARE(judged.analyses(0).metrics(0).canary_samples(), std::int64_t(25));
        QCOMPARE(judged.current_step(), 3);
        QCOMPARE(judged.weight_percent(), 25);
    }

    void manualAbortMidStepReturnsWeightToZero()
    {
        const pb::Rollout r = launchDefault();
        auto req = action(r.rollout_id(), "abort-1");
        req.set_reason("customer escalation");
        const auto aborted = controller_->abort(req, alice_, kT0 + 50 * kSecond);
        QVERIFY(aborted);
        QCOMPARE(aborted->phase(), pb::ROLLOUT_PHASE_ABORTED);
        QCOMPARE(aborted->weight_percent(), 0);
        QCOMPARE(aborted->reason(), std::string("customer escalation"));
        QCOMPARE(versionState(candidateId_), pb::VERSION_STATE_CANDIDATE); // may be relaunched
        QCOMPARE(versionState(liveId_), pb::VERSION_STATE_LIVE);
        QVERIFY(!controller_->activeRoute(kGraph));

        pb::ListAuditRequest q;
        q.set_action_prefix("rollout.abort");
        const auto audit = store_->listAudit(q);
        QCOMPARE(audit->records.size(), std::size_t(1));
        QCOMPARE(audit->records[0].actor(), std::string("alice"));
        QCOMPARE(audit->records[0].role(), std::string("approver"));
        QCOMPARE(audit->records[0].peer(), std::string("127.0.0.1:5000"));
        QCOMPARE(audit->records[0].outcome(), std::string("ok"));
        QCOMPARE(audit->records[0].request_id(), std::string("abort-1"));

        const auto again = controller_->abort(action(r.rollout_id(), "abort-2"), alice_, kT0);
        QVERIFY(!again);
        QCOMPARE(again.error().code, RolloutError::Code::FailedPrecondition);
        QVERIFY(again.error().message.find("aborted") != std::string::npos);
        QVERIFY(controller_->tick(kT0 + 900 * kSecond).changed.empty());

        // Aborted, the version is a candidate again and can be relaunched.
        QVERIFY(
            controller_->launch(candidateId_, {}, {}, "alice", "launch-again", kT0 + 60 * kSecond));
    }

    void duplicatePromoteAdvancesOneStep()
    {
        const pb::Rollout r = launchDefault();
        QCOMPARE(r.current_step(), 1);
        const auto first =
            controller_->promote(action(r.rollout_id(), "promote-1"), alice_, kT0 + 10 * kSecond);
        QVERIFY(first);
        QCOMPARE(first->current_step(), 3); // past the analysis, weight 25 applied
        QCOMPARE(first->weight_percent(), 25);

        const auto retry =
            controller_->promote(action(r.rollout_id(), "promote-1"), alice_, kT0 + 11 * kSecond);
        QVERIFY(retry);
        QCOMPARE(retry->revision(), first->revision());
        QCOMPARE(retry->current_step(), 3);
        const pb::Rollout now = stored(r.rollout_id());
        QCOMPARE(now.current_step(), 3);
        QCOMPARE(now.weight_percent(), 25);
        QCOMPARE(now.revision(), first->revision());
        QCOMPARE(countAudit(*store_, "rollout.promote"), 1);

        const auto next =
            controller_->promote(action(r.rollout_id(), "promote-2"), alice_, kT0 + 12 * kSecond);
        QCOMPARE(next->weight_percent(), 50);

        // A request id belongs to one rollout.
        const auto misuse = controller_->pause(action("another-rollout", "promote-1"), alice_, kT0);
        QVERIFY(!misuse);
        QCOMPARE(misuse.error().code, RolloutError::Code::Invalid);
    }

    void fullPromoteGoesLive()
    {
        const pb::Rollout r = launchDefault();
        auto req = action(r.rollout_id(), "full-1");
        req.set_full(true);
        const auto done = controller_->promote(req, alice_, kT0 + 5 * kSecond);
        QVERIFY(done);
        QCOMPARE(done->phase(), pb::ROLLOUT_PHASE_PROMOTED);
        QCOMPARE(done->weight_percent(), 100);
        QCOMPARE(versionState(candidateId_), pb::VERSION_STATE_LIVE);
        QCOMPARE(versionState(liveId_), pb::VERSION_STATE_RETIRED);
    }

    void staleRevisionIsRefused()
    {
        const pb::Rollout r = launchDefault();
        QCOMPARE(r.revision(), std::int64_t(1));
        const auto paused =
            controller_->pause(action(r.rollout_id(), "pause-1", 1), alice_, kT0 + kSecond);
        QVERIFY(paused);
        QCOMPARE(paused->revision(), std::int64_t(2));
        QCOMPARE(paused->phase(), pb::ROLLOUT_PHASE_PAUSED);
        QCOMPARE(controller_->activeRoute(kGraph)->weightPercent, 5); // paused keeps its weight

        const Caller bob{"bob", "operator", "10.0.0.2:4000"};
        const auto stale =
            controller_->resume(action(r.rollout_id(), "resume-1", 1), bob, kT0 + 2 * kSecond);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, RolloutError::Code::Stale);
        QVERIFY2(stale.error().message.find("revision 2, not 1") != std::string::npos,
                 stale.error().message.c_str());
        QVERIFY2(stale.error().message.find("paused by alice") != std::string::npos,
                 stale.error().message.c_str());
        QCOMPARE(stored(r.rollout_id()).phase(), pb::ROLLOUT_PHASE_PAUSED);

        pb::ListAuditRequest q;
        q.set_actor("bob");
        const auto audit = store_->listAudit(q);
        QCOMPARE(audit->records.size(), std::size_t(1));
        QVERIFY(audit->records[0].outcome().rfind("refused: ", 0) == 0);

        // The refused request id was not used up: the retry with the right revision applies.
        const auto resumed =
            controller_->resume(action(r.rollout_id(), "resume-1", 2), bob, kT0 + 3 * kSecond);
        QVERIFY(resumed);
        QCOMPARE(resumed->phase(), pb::ROLLOUT_PHASE_PROGRESSING);
    }

    void launchRefusals()
    {
        const auto unknown = controller_->launch("no-such-version", {}, {}, "alice", "l-0", kT0);
        QCOMPARE(unknown.error().code, RolloutError::Code::NotFound);
        const auto live = controller_->launch(liveId_, {}, {}, "alice", "l-1", kT0);
        QCOMPARE(live.error().code, RolloutError::Code::FailedPrecondition);
        const auto badStep =
            controller_->launch(candidateId_, {weight(150)}, {}, "alice", "l-2", kT0);
        QCOMPARE(badStep.error().code, RolloutError::Code::Invalid);

        const pb::Rollout r = launchDefault("l-3");
        const auto replayed =
            controller_->launch(candidateId_, {}, {}, "alice", "l-3", kT0 + kSecond);
        QVERIFY(replayed);
        QCOMPARE(replayed->rollout_id(), r.rollout_id());
        QCOMPARE(store_->listRollouts(false, kGraph)->size(), std::size_t(1));

        const std::string other = createVersion(pb::VERSION_STATE_CANDIDATE);
        const auto busy = controller_->launch(other, {}, {}, "alice", "l-4", kT0);
        QCOMPARE(busy.error().code, RolloutError::Code::FailedPrecondition);
        QVERIFY(busy.error().message.find(r.rollout_id()) != std::string::npos);
        QCOMPARE(countAudit(*store_, "rollout.launch"), 5); // refusals are audited too
    }

    void pauseStepsAndManualPauses()
    {
        const auto launched =
            controller_->launch(candidateId_, {weight(10), pauseFor(60), pauseFor(0), weight(100)},
                                {}, "alice", "l", kT0);
        QVERIFY(launched);
        const std::string id = launched->rollout_id();
        QCOMPARE(launched->phase(), pb::ROLLOUT_PHASE_PAUSED);
        QVERIFY(launched->paused_by_step());
        QCOMPARE(launched->weight_percent(), 10);

        QVERIFY(controller_->tick(kT0 + 59 * kSecond).changed.empty());
        controller_->tick(kT0 + 60 * kSecond);
        pb::Rollout r = stored(id);
        QCOMPARE(r.current_step(), 2); // now waiting for a person
        QCOMPARE(r.phase(), pb::ROLLOUT_PHASE_PAUSED);
        QVERIFY(r.paused_by_step());

        const auto wrong = controller_->resume(action(id, "r-1"), alice_, kT0 + 61 * kSecond);
        QCOMPARE(wrong.error().code, RolloutError::Code::FailedPrecondition);
        QVERIFY(wrong.error().message.find("promote") != std::string::npos);
        QVERIFY(controller_->tick(kT0 + 9999 * kSecond).changed.empty());

        // A person's pause holds even a timed plan; resume starts the step over.
        QVERIFY(controller_->pause(action(id, "p-1"), alice_, kT0 + 62 * kSecond));
        QVERIFY(!stored(id).paused_by_step());
        const auto twice = controller_->pause(action(id, "p-2"), alice_, kT0 + 63 * kSecond);
        QCOMPARE(twice.error().code, RolloutError::Code::FailedPrecondition);
        const auto resumed = controller_->resume(action(id, "r-2"), alice_, kT0 + 64 * kSecond);
        QVERIFY(resumed);
        QVERIFY(resumed->paused_by_step()); // back at the "until promoted" pause

        const auto promoted = controller_->promote(action(id, "pr-1"), alice_, kT0 + 65 * kSecond);
        QVERIFY(promoted);
        QCOMPARE(promoted->phase(), pb::ROLLOUT_PHASE_PROMOTED);
        QCOMPARE(promoted->weight_percent(), 100);
        QCOMPARE(versionState(candidateId_), pb::VERSION_STATE_LIVE);
    }

    void setWeightByHand()
    {
        const pb::Rollout r = launchDefault();
        auto req = action(r.rollout_id(), "w-1");
        req.set_weight_percent(40);
        const auto set = controller_->setWeight(req, alice_, kT0 + kSecond);
        QVERIFY(set);
        QCOMPARE(set->weight_percent(), 40);
        QCOMPARE(set->current_step(), 1); // the plan does not move
        QCOMPARE(controller_->activeRoute(kGraph)->weightPercent, 40);
        req.set_request_id("w-2");
        req.set_weight_percent(101);
        QCOMPARE(controller_->setWeight(req, alice_, kT0).error().code,
                 RolloutError::Code::Invalid);
        QCOMPARE(controller_->setWeight(action("nope", "w-3"), alice_, kT0).error().code,
                 RolloutError::Code::NotFound);
    }
    void marginalAdvancesButTheLastOneWaitsForAPerson()
    {
        // Thresholds no analysis can pass: a flawless score of 100 is MARGINAL.
        RolloutControllerOptions options;
        options.scoring.passScore = 101;
        options.scoring.marginalScore = 50;
        RolloutController strict(*store_, *hub_, options);
        const auto launched = strict.launch(
            candidateId_, {weight(10), analysisOf(60, 20), weight(50), analysisOf(60, 20)}, {},
            "alice", "l", kT0);
        QVERIFY(launched);
        addRuns(*launched, true, 20, kT0, kT0 + 50 * kSecond, {});
        addRuns(*launched, false, 20, kT0, kT0 + 50 * kSecond, {});
        strict.tick(kT0 + 60 * kSecond);
        pb::Rollout r = stored(launched->rollout_id());
        QCOMPARE(r.analyses(0).verdict(), pb::VERDICT_MARGINAL);
        QCOMPARE(r.weight_percent(), 50); // a later analysis follows: go on
        QCOMPARE(r.phase(), pb::ROLLOUT_PHASE_PROGRESSING);

        addRuns(r, true, 20, kT0 + 60 * kSecond, kT0 + 110 * kSecond, {});
        addRuns(r, false, 20, kT0 + 60 * kSecond, kT0 + 110 * kSecond, {});
        strict.tick(kT0 + 120 * kSecond);
        r = stored(r.rollout_id());
        QCOMPARE(r.analyses(1).verdict(), pb::VERDICT_MARGINAL);
        QCOMPARE(r.phase(), pb::ROLLOUT_PHASE_PAUSED); // the last one: a person decides
        QVERIFY(!r.paused_by_step());
        QCOMPARE(r.weight_percent(), 50);
        QCOMPARE(r.history(r.history_size() - 1).actor(), std::string("controller"));
        QVERIFY(strict.tick(kT0 + 999 * kSecond).changed.empty());

        const auto promoted =
            strict.promote(action(r.rollout_id(), "pr"), alice_, kT0 + 1000 * kSecond);
        QVERIFY(promoted);
        QCOMPARE(promoted->phase(), pb::ROLLOUT_PHASE_PROMOTED);
    }

    void actionsAndTicksFromManyWorkers()
    {
        const pb::Rollout r = launchDefault();
        std::atomic<bool> stop{false};
        std::atomic<int> routeReads{0};
        std::thread ticker([&] {
            for (int i = 0; !stop; ++i)
                controller_->tick(kT0 + (i % 2000) * kSecond / 10); // < the 300 s window
        });
        std::thread router([&] {
            while (!stop)
                if (controller_->activeRoute(kGraph))
                    ++routeReads;
        });
        std::vector<std::thread> operators;
        std::atomic<int> applied{0};
        for (int w = 0; w < 3; ++w)
            operators.emplace_back([&, w] {
                for (int i = 0; i < 10; ++i) {
                    auto req =
                        action(r.rollout_id(), "w" + std::to_string(w) + "-" + std::to_string(i));
                    req.set_weight_percent(w * 10 + i);
                    if (controller_->setWeight(req, alice_, kT0 + kSecond))
                        ++applied;
                }
            });
        for (auto& t : operators)
            t.join();
        stop = true;
        ticker.join();
        router.join();
        QCOMPARE(applied.load(), 30);
        QCOMPARE(stored(r.rollout_id()).revision(), std::int64_t(31));
        QCOMPARE(countAudit(*store_, "rollout.set_weight"), 30);
        QVERIFY(routeReads.load() > 0);
    }
};

QTEST_GUILESS_MAIN(TestRolloutController)
#include "tst_rollout_controller.moc"
