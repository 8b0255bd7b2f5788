// NexusClient's rollout calls and the RolloutWatcher against a real
// NexusServer on loopback with one token per role (ApiTestServer), its
// rollout controller running: a version made from an approved prompt
// optimization is launched, stepped, paused, resumed and aborted; a promote
// sent twice advances once; refusals (an operator's launch or promote, a
// stale revision) are answers that leave the connection Ready; the watcher
// never shows a rollout going back to an older revision and follows Nexus
// across a restart; the canary series and restoring an earlier version.
#include "RolloutCalls.h"

using namespace nexus::testing;
using Action = NexusClient::RolloutAction;

class TestClientRollouts : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestNexus> nexus_;

private Q_SLOTS:
    void init()
    {
        nexus_ = std::make_unique<TestNexus>();
        QVERIFY(nexus_->start());
    }
    void cleanup() { nexus_.reset(); }

    void approvedOptimizationIsLaunchedAndTheWatcherSeesIt()
    {
        TestNexus& n = *nexus_;
        auto vic = signedIn(n, ApiTestServer::viewerToken);
        RolloutWatcher watcher(vic->channel(), vic->endpoint());
        RolloutLog log(watcher);
        watcher.start();
        QTRY_COMPARE_WITH_TIMEOUT(log.subscriptions, 1, 10000);
        QCOMPARE(watcher.state(), RolloutWatcher::State::Live);
        QVERIFY(log.seen.isEmpty()); // nothing to roll out yet

        // Alice approves a prompt optimization and makes a version of it.
        const auto entry = n.seed(promptOptimization("Cite passage ids", "sim-002"), kT0);
        auto alice = signedIn(n, ApiTestServer::approverToken);
        pb::ReviewEntryRequest approve;
        approve.set_entry_id(entry.entry_id());
        approve.set_seen_revision(entry.revision());
        approve.set_decision(pb::REVIEW_DECISION_APPROVE);
        approve.set_request_id(NexusClient::newRequestId().toStdString());
        QVERIFY(ask<pb::ReviewEntryResponse>(*alice, &NexusClient::entryReviewed, [&] {
                    return alice->reviewEntry(approve);
                }).ok);
        pb::CreateVersionRequest create;
        create.set_source_entry_id(entry.entry_id());
        create.set_request_id(NexusClient::newRequestId().toStdString());
        auto created = ask<pb::OptimizationVersion>(*alice, &NexusClient::versionCreated,
                                                    [&] { return alice->createVersion(create); });
        QVERIFY2(created.ok, qPrintable(created.error.text));
        const pb::OptimizationVersion& version = created.response;
        QCOMPARE(version.state(), pb::VERSION_STATE_CANDIDATE);
        QCOMPARE(version.graph_name(), std::string("rag_pipeline"));
        QCOMPARE(version.node_id(), std::string("generate"));
        QCOMPARE(version.source_entry_id(), entry.entry_id());
        QCOMPARE(version.content(),
                 std::string("Answer the question and cite the passage ids you used."));
        auto listed = versionsOf(*vic, version);
        QVERIFY2(listed.ok, qPrintable(listed.error.text));
        QCOMPARE(listed.response.versions_size(), 1);
        QCOMPARE(listed.response.versions(0).version_id(), version.version_id());

        // The default plan: 5 % at once, then waiting in the first analysis.
        auto launched = launchDefault(*alice, version);
        QVERIFY2(launched.ok, qPrintable(launched.error.text));
        const pb::Rollout& rollout = launched.response;
        QCOMPARE(rollout.phase(), pb::ROLLOUT_PHASE_PROGRESSING);
        QCOMPARE(rollout.weight_percent(), 5);
        QCOMPARE(rollout.current_step(), 1);
        QCOMPARE(rollout.steps_size(), 7);
        QCOMPARE(rollout.steps(0).set_weight().percent(), 5);
        QVERIFY(rollout.steps(1).has_analysis());
        QCOMPARE(rollout.version_id(), version.version_id());
        QCOMPARE(rollout.created_by(), std::string("alice"));
        QCOMPARE(alice->state(), NexusClient::State::Ready);
        QCOMPARE(stateOf(versionsOf(*vic, version).response, version.version_id()),
                 pb::VERSION_STATE_CANARY);

        // The watcher shows it without being asked.
        QTRY_VERIFY_WITH_TIMEOUT(!log.last(rollout.rollout_id()).rollout_id().empty(), 10000);
        const pb::Rollout watched = log.last(rollout.rollout_id());
        QCOMPARE(watched.phase(), pb::ROLLOUT_PHASE_PROGRESSING);
        QCOMPARE(watched.weight_percent(), 5);
        QCOMPARE(watched.revision(), rollout.revision());

        // The board's list: the one active rollout, also as a viewer.
        pb::ListRolloutsRequest active;
        active.set_active_only(true);
        auto board = ask<pb::ListRolloutsResponse>(*vic, &NexusClient::rolloutsListed,
                                                   [&] { return vic->listRollouts(active); });
        QVERIFY2(board.ok, qPrintable(board.error.text));
        QCOMPARE(board.response.rollouts_size(), 1);
        QCOMPARE(board.response.rollouts(0).rollout_id(), rollout.rollout_id());

        // A second launch on the busy graph is refused; Alice stays connected.
        auto busy = launchDefault(*alice, candidate(n, "Answer briefly.", "rag_pipeline"));
        QVERIFY(busy.arrived && !busy.ok);
        QCOMPARE(busy.error.code, grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY2(busy.error.text.startsWith(QLatin1String("Launching version")),
                 qPrintable(busy.error.text));
        QCOMPARE(alice->state(), NexusClient::State::Ready);
    }

    void promoteSentTwiceAdvancesOnce()
    {
        TestNexus& n = *nexus_;
        const auto version = candidate(n, "Classify in one word.");
        auto alice = signedIn(n, ApiTestServer::approverToken);
        const auto launched = launchDefault(*alice, version);
        QVERIFY2(launched.ok, qPrintable(launched.error.text));

        // From the first analysis to the next one: 25 %.
        const auto promote = on(launched.response);
        auto first = act(*alice, Action::Promote, promote);
        QVERIFY2(first.ok, qPrintable(first.error.text));
        QCOMPARE(first.response.current_step(), 3);
        QCOMPARE(first.response.weight_percent(), 25);
        QCOMPARE(first.response.phase(), pb::ROLLOUT_PHASE_PROGRESSING);

        // The answer was lost, say: the same request again changes nothing.
        auto second = act(*alice, Action::Promote, promote);
        QVERIFY2(second.ok, qPrintable(second.error.text));
        QCOMPARE(second.response.SerializeAsString(), first.response.SerializeAsString());
        auto stored = get(*alice, launched.response);
        QVERIFY2(stored.ok, qPrintable(stored.error.text));
        QCOMPARE(stored.response.current_step(), 3);
        QCOMPARE(stored.response.weight_percent(), 25);
        QCOMPARE(stored.response.revision(), first.response.revision());

        // A fresh request does advance, and a full promote ends it at 100 %.
        QCOMPARE(act(*alice, Action::Promote, on(launched.response)).response.weight_percent(), 50);
        auto full = on(launched.response);
        full.set_full(true);
        auto done = act(*alice, Action::Promote, full);
        QVERIFY2(done.ok, qPrintable(done.error.text));
        QCOMPARE(done.response.phase(), pb::ROLLOUT_PHASE_PROMOTED);
        QCOMPARE(done.response.weight_percent(), 100);
        QCOMPARE(stateOf(versionsOf(*alice, version).response, version.version_id()),
                 pb::VERSION_STATE_LIVE);
    }

    void setWeightPauseResumeAbortEachAnswerTheNewRollout()
    {
        TestNexus& n = *nexus_;
        const auto version = candidate(n, "Classify in one word.");
        auto alice = signedIn(n, ApiTestServer::approverToken);
        auto olga = signedIn(n, ApiTestServer::operatorToken);
        const auto launched = launchDefault(*alice, version);
        QVERIFY2(launched.ok, qPrintable(launched.error.text));
        const pb::Rollout& r = launched.response;

        auto weight = on(r);
        weight.set_weight_percent(40);
        auto weighted = act(*alice, Action::SetWeight, weight);
        QVERIFY2(weighted.ok, qPrintable(weighted.error.text));
        QCOMPARE(weighted.response.weight_percent(), 40);
        QCOMPARE(weighted.response.current_step(), r.current_step()); // the plan stays

        // An operator may pause and abort; pausing keeps the traffic.
        auto paused = act(*olga, Action::Pause, on(r));
        QVERIFY2(paused.ok, qPrintable(paused.error.text));
        QCOMPARE(paused.response.phase(), pb::ROLLOUT_PHASE_PAUSED);
        QVERIFY(!paused.response.paused_by_step());
        QCOMPARE(paused.response.weight_percent(), 40);
        QVERIFY(paused.response.revision() > weighted.response.revision());

        auto resumed = act(*alice, Action::Resume, on(r));
        QVERIFY2(resumed.ok, qPrintable(resumed.error.text));
        QCOMPARE(resumed.response.phase(), pb::ROLLOUT_PHASE_PROGRESSING);
        QCOMPARE(resumed.response.weight_percent(), 40);

        auto abort = on(r);
        abort.set_reason("quality looks off");
        auto aborted = act(*olga, Action::Abort, abort);
        QVERIFY2(aborted.ok, qPrintable(aborted.error.text));
        QCOMPARE(aborted.response.phase(), pb::ROLLOUT_PHASE_ABORTED);
        QCOMPARE(aborted.response.weight_percent(), 0);
        QCOMPARE(aborted.response.reason(), std::string("quality looks off"));
        QCOMPARE(aborted.response.history(aborted.response.history_size() - 1).actor(),
                 std::string("olga"));
        // The version may be launched again later.
        QCOMPARE(stateOf(versionsOf(*olga, version).response, version.version_id()),
                 pb::VERSION_STATE_CANDIDATE);

        // Acting on an ended rollout is refused with what Nexus says.
        auto late = act(*alice, Action::Resume, on(r));
        QVERIFY(late.arrived && !late.ok);
        QCOMPARE(late.error.code, grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY2(late.error.text.startsWith(QStringLiteral("Resuming rollout %1 failed.")
                                                .arg(QString::fromStdString(r.rollout_id()))),
                 qPrintable(late.error.text));
        QCOMPARE(alice->state(), NexusClient::State::Ready);

        QCOMPARE(NexusClient::rolloutActionName(Action::SetWeight), QStringLiteral("set weight"));
        QCOMPARE(NexusClient::rolloutActionName(Action::Abort), QStringLiteral("abort"));
    }

    void operatorMayNotLaunchOrPromoteAndStaysReady()
    {
        TestNexus& n = *nexus_;
        const auto version = candidate(n, "Classify in one word.");
        auto olga = signedIn(n, ApiTestServer::operatorToken);
        QSignalSpy states(olga.get(), &NexusClient::connectionStateChanged);

        auto refused = launchDefault(*olga, version);
        QVERIFY(refused.arrived && !refused.ok);
        QCOMPARE(refused.error.code, grpc::StatusCode::PERMISSION_DENIED);
        QVERIFY2(refused.error.text.startsWith(
                     QStringLiteral("Launching version %1 failed. Permission denied")
                         .arg(QString::fromStdString(version.version_id()))),
                 qPrintable(refused.error.text));
        QVERIFY2(refused.error.serverMessage.contains(QLatin1String("approver")),
                 qPrintable(refused.error.serverMessage));
        QCOMPARE(olga->state(), NexusClient::State::Ready);
        QCOMPARE(stateOf(versionsOf(*olga, version).response, version.version_id()),
                 pb::VERSION_STATE_CANDIDATE);

        auto alice = signedIn(n, ApiTestServer::approverToken);
        const auto launched = launchDefault(*alice, version);
        QVERIFY2(launched.ok, qPrintable(launched.error.text));
        auto denied = act(*olga, Action::Promote, on(launched.response));
        QVERIFY(denied.arrived && !denied.ok);
        QCOMPARE(denied.error.code, grpc::StatusCode::PERMISSION_DENIED);
        QVERIFY2(denied.error.text.startsWith(
                     QStringLiteral("Promoting rollout %1 failed.")
                         .arg(QString::fromStdString(launched.response.rollout_id()))),
                 qPrintable(denied.error.text));
        QCOMPARE(olga->state(), NexusClient::State::Ready);
        QVERIFY(states.isEmpty()); // the refusals never touched the connection

        auto unchanged = get(*olga, launched.response);
        QVERIFY2(unchanged.ok, qPrintable(unchanged.error.text));
        QCOMPARE(unchanged.response.current_step(), launched.response.current_step());
        QCOMPARE(unchanged.response.revision(), launched.response.revision());
    }

    void staleRevisionIsRefusedWithTheServersMessage()
    {
        TestNexus& n = *nexus_;
        auto alice = signedIn(n, ApiTestServer::approverToken);
        const auto launched = launchDefault(*alice, candidate(n, "Classify in one word."));
        QVERIFY2(launched.ok, qPrintable(launched.error.text));
        const pb::Rollout& seen = launched.response;

        // Bob changes the weight while Alice still looks at the launch.
        auto bob = signedIn(n, ApiTestServer::otherApproverToken);
        auto weight = on(seen);
        weight.set_seen_revision(seen.revision());
        weight.set_weight_percent(20);
        auto changed = act(*bob, Action::SetWeight, weight);
        QVERIFY2(changed.ok, qPrintable(changed.error.text));

        auto promote = on(seen);
        promote.set_seen_revision(seen.revision());
        auto stale = act(*alice, Action::Promote, promote);
        QVERIFY(stale.arrived && !stale.ok);
        QCOMPARE(stale.error.code, grpc::StatusCode::FAILED_PRECONDITION);
        const QString expected = QStringLiteral("rollout %1 is at revision %2, not %3")
                                     .arg(QString::fromStdString(seen.rollout_id()))
                                     .arg(changed.response.revision())
                                     .arg(seen.revision());
        QVERIFY2(stale.error.serverMessage.startsWith(expected),
                 qPrintable(stale.error.serverMessage));
        QVERIFY2(stale.error.serverMessage.contains(QLatin1String("by bob")),
                 qPrintable(stale.error.serverMessage));
        QVERIFY2(stale.error.text.endsWith(stale.error.serverMessage),
                 qPrintable(stale.error.text));
        QCOMPARE(alice->state(), NexusClient::State::Ready);
        QCOMPARE(get(*alice, seen).response.weight_percent(), 20); // Bob's change stands

        // A refused request is not remembered: the same id with the
        // revision Alice now sees goes through.
        promote.set_seen_revision(changed.response.revision());
        auto retried = act(*alice, Action::Promote, promote);
        QVERIFY2(retried.ok, qPrintable(retried.error.text));
        QCOMPARE(retried.response.current_step(), 3);
        QCOMPARE(retried.response.weight_percent(), 25);
    }

    void seriesComparesCanaryWithBaseline()
    {
        TestNexus& n = *nexus_;
        const auto version = candidate(n, "Classify in one word.");
        auto alice = signedIn(n, ApiTestServer::approverToken);
        const auto launched = launchDefault(*alice, version);
        QVERIFY2(launched.ok, qPrintable(launched.error.text));
        const pb::Rollout& r = launched.response;

        // Two canary runs and one failed baseline run, right after the launch.
        auto run = [&](const std::string& thread, const std::string& optimization, double quality,
                       std::int64_t durationMs, bool failed, std::int64_t afterUs) {
            nexus::server::RunSample s;
            s.threadId = thread;
            s.graphName = r.graph_name();
            s.rolloutId = r.rollout_id();
            s.optimizationVersion = optimization;
            s.endedUs = r.created_us() + afterUs;
            s.durationUs = durationMs * 1000;
            s.failed = failed;
            s.quality = quality;
            s.costMicros = 300;
            QVERIFY(n.server->store().addRunSample(s).ok());
        };
        run("canary-1", version.version_id(), 0.8, 100, false, 1);
        run("canary-2", version.version_id(), 0.6, 300, false, 2);
        run("baseline-1", "", 0.9, 200, true, 3);

        auto vic = signedIn(n, ApiTestServer::viewerToken);
        pb::GetRolloutSeriesRequest request;
        request.set_rollout_id(r.rollout_id());
        auto series =
            ask<pb::GetRolloutSeriesResponse>(*vic, &NexusClient::rolloutSeriesReceived,
                                              [&] { return vic->getRolloutSeries(request); });
        QVERIFY2(series.ok, qPrintable(series.error.text));
        const auto& s = series.response;
        QCOMPARE(s.rollout_id(), r.rollout_id());
        QCOMPARE(s.start_us(), r.created_us());
        QCOMPARE(s.canary_runs(), std::int64_t{2});
        QCOMPARE(s.baseline_runs(), std::int64_t{1});
        QCOMPARE(s.step_seconds(), 10); // a young rollout: the smallest step
        QCOMPARE(s.series_size(), 4);
        QCOMPARE(s.series(0).metric(), std::string("quality"));
        QCOMPARE(s.series(0).canary_size(), 1);
        QCOMPARE(s.series(0).canary(0).value(), 0.7);
        QCOMPARE(s.series(0).canary(0).count(), std::int64_t{2});
        QCOMPARE(s.series(0).baseline(0).value(), 0.9);
        QCOMPARE(s.series(2).metric(), std::string("error_rate"));
        QCOMPARE(s.series(2).canary(0).value(), 0.0);
        QCOMPARE(s.series(2).baseline(0).value(), 1.0);

        pb::GetRolloutSeriesRequest unknown;
        unknown.set_rollout_id("no-such-rollout");
        auto missing =
            ask<pb::GetRolloutSeriesResponse>(*vic, &NexusClient::rolloutSeriesReceived,
                                              [&] { return vic->getRolloutSeries(unknown); });
        QVERIFY(missing.arrived && !missing.ok);
        QCOMPARE(missing.error.code, grpc::StatusCode::NOT_FOUND);
        QCOMPARE(vic->state(), NexusClient::State::Ready);
    }

    void restorePutsAnEarlierVersionBack()
    {
        TestNexus& n = *nexus_;
        const auto first = candidate(n, "Classify in one word.");
        const auto second = candidate(n, "Classify in one word, then say why.");
        auto alice = signedIn(n, ApiTestServer::approverToken);
        for (const auto& version : {first, second}) {
            const auto launched = launchDefault(*alice, version);
            QVERIFY2(launched.ok, qPrintable(launched.error.text));
            auto full = on(launched.response);
            full.set_full(true);
            QCOMPARE(act(*alice, Action::Promote, full).response.phase(),
                     pb::ROLLOUT_PHASE_PROMOTED);
        }
        QCOMPARE(stateOf(versionsOf(*alice, first).response, first.version_id()),
                 pb::VERSION_STATE_RETIRED);

        pb::RestoreVersionRequest back;
        back.set_graph_name(first.graph_name());
        back.set_node_id(first.node_id());
        back.set_version_id(first.version_id());
        back.set_seen_live_version_id(second.version_id());
        back.set_reason("the new wording confuses the router");
        back.set_request_id(NexusClient::newRequestId().toStdString());
        auto restore = [&](NexusClient& c, const pb::RestoreVersionRequest& r) {
            return ask<pb::ListVersionsResponse>(c, &NexusClient::versionRestored,
                                                 [&] { return c.restoreVersion(r); });
        };

        // An operator may not; Olga stays connected.
        auto olga = signedIn(n, ApiTestServer::operatorToken);
        auto denied = restore(*olga, back);
        QVERIFY(denied.arrived && !denied.ok);
        QCOMPARE(denied.error.code, grpc::StatusCode::PERMISSION_DENIED);
        QCOMPARE(olga->state(), NexusClient::State::Ready);

        // Alice saw the graph as shipped: refused, nothing changes.
        auto stale = back;
        stale.set_seen_live_version_id("");
        stale.set_request_id(NexusClient::newRequestId().toStdString());
        auto refused = restore(*alice, stale);
        QVERIFY(refused.arrived && !refused.ok);
        QCOMPARE(refused.error.code, grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY2(refused.error.text.startsWith(
                     QStringLiteral("Restoring version %1 of support_triage/classify failed.")
                         .arg(QString::fromStdString(first.version_id()))),
                 qPrintable(refused.error.text));
        QVERIFY2(refused.error.serverMessage.contains(QString::fromStdString(second.version_id())),
                 qPrintable(refused.error.serverMessage));
        QCOMPARE(alice->state(), NexusClient::State::Ready);
        QCOMPARE(stateOf(versionsOf(*alice, first).response, second.version_id()),
                 pb::VERSION_STATE_LIVE);

        // Seen right: the first version is live again, the second retired;
        // the same request again answers the same and changes nothing.
        auto restored = restore(*alice, back);
        QVERIFY2(restored.ok, qPrintable(restored.error.text));
        QCOMPARE(stateOf(restored.response, first.version_id()), pb::VERSION_STATE_LIVE);
        QCOMPARE(stateOf(restored.response, second.version_id()), pb::VERSION_STATE_RETIRED);
        auto again = restore(*alice, back);
        QVERIFY2(again.ok, qPrintable(again.error.text));
        QCOMPARE(again.response.SerializeAsString(), restored.response.SerializeAsString());

        // Back to the graph as shipped: nothing is live.
        pb::RestoreVersionRequest shipped = back;
        shipped.set_version_id("");
        shipped.set_seen_live_version_id(first.version_id());
        shipped.set_request_id(NexusClient::newRequestId().toStdString());
        auto asShipped = restore(*alice, shipped);
        QVERIFY2(asShipped.ok, qPrintable(asShipped.error.text));
        QCOMPARE(stateOf(asShipped.response, first.version_id()), pb::VERSION_STATE_RETIRED);
        QCOMPARE(stateOf(asShipped.response, second.version_id()), pb::VERSION_STATE_RETIRED);
    }

    void watcherNeverGoesBackToAnOlderRevision()
    {
        // Whole rollouts published faster than this thread takes them: the
        // watcher may merge the waiting ones, but each rollout only moves
        // forward and ends at its newest revision; an older copy that comes
        // late is not shown.
        TestNexus& n = *nexus_;
        auto vic = signedIn(n, ApiTestServer::viewerToken);
        RolloutWatcher watcher(vic->channel(), vic->endpoint());
        RolloutLog log(watcher);
        watcher.start();
        QTRY_COMPARE_WITH_TIMEOUT(log.subscriptions, 1, 10000);

        constexpr int kRevisions = 400;
        pb::Rollout a, b;
        a.set_rollout_id("rollout-a");
        b.set_rollout_id("rollout-b");
        for (int revision = 1; revision <= kRevisions; ++revision) {
            a.set_revision(revision);
            a.set_weight_percent(revision % 101);
            b.set_revision(revision);
            n.server->events().rollouts.publish(a);
            n.server->events().rollouts.publish(b);
        }
        a.set_revision(3); // a late, older copy
        n.server->events().rollouts.publish(a);
        pb::Rollout marker;
        marker.set_rollout_id("rollout-c");
        marker.set_revision(1);
        n.server->events().rollouts.publish(marker);

        QTRY_VERIFY_WITH_TIMEOUT(!log.seen.isEmpty() && log.seen.last().rollout_id() == "rollout-c",
                                 10000);
        QVERIFY2(log.backwardsError().isEmpty(), qPrintable(log.backwardsError()));
        QCOMPARE(log.last("rollout-a").revision(), std::int64_t{kRevisions});
        QCOMPARE(log.last("rollout-a").weight_percent(), kRevisions % 101);
        QCOMPARE(log.last("rollout-b").revision(), std::int64_t{kRevisions});
        QVERIFY(log.seen.size() <= 2 * kRevisions + 1);
        qInfo("%lld of %d updates delivered", qlonglong(log.seen.size()), 2 * kRevisions + 2);
    }

    void watcherResubscribesWhenNexusDropsIt()
    {
        // A flood Nexus cannot keep for the watcher (1024 per subscriber):
        // it ends the stream with ABORTED and the watcher subscribes again
        // at once. The rollout still only moves forward, and a change made
        // once the flood is over arrives (sent again while a re-subscription
        // swallows it: nothing in the store stands behind these rollouts).
        TestNexus& n = *nexus_;
        auto vic = signedIn(n, ApiTestServer::viewerToken);
        RolloutWatcher watcher(vic->channel(), vic->endpoint());
        watcher.setBackoffPolicy({std::chrono::milliseconds(50), std::chrono::milliseconds(400)});
        RolloutLog log(watcher);
        watcher.start();
        QTRY_COMPARE_WITH_TIMEOUT(log.subscriptions, 1, 10000);

        pb::Rollout flood;
        flood.set_rollout_id("flood");
        constexpr std::int64_t kFlood = 50'000;
        for (std::int64_t revision = 1; revision <= kFlood; ++revision) {
            flood.set_revision(revision);
            n.server->events().rollouts.publish(flood);
        }
        std::int64_t marker = kFlood;
        bool markerSeen = false;
        for (int round = 0; round < 10 && !markerSeen; ++round) {
            const int before = log.subscriptions;
            QTRY_COMPARE_WITH_TIMEOUT(watcher.state(), RolloutWatcher::State::Live, 30000);
            flood.set_revision(++marker);
            n.server->events().rollouts.publish(flood);
            QTRY_VERIFY_WITH_TIMEOUT(
                log.subscriptions > before || log.last("flood").revision() == marker, 30000);
            markerSeen = log.last("flood").revision() == marker;
        }
        QVERIFY(markerSeen);
        QVERIFY2(log.backwardsError().isEmpty(), qPrintable(log.backwardsError()));
        qInfo("flood: %lld of %lld updates delivered, %d subscriptions", qlonglong(log.seen.size()),
              qlonglong(marker), log.subscriptions);
    }

    void watcherFollowsNexusAcrossARestart()
    {
        using S = RolloutWatcher::State;
        TestNexus& n = *nexus_;
        const auto version = candidate(n, "Classify in one word.");
        auto vic = signedIn(n, ApiTestServer::viewerToken);
        // Declared before the watcher: its destructor still reports Stopped.
        QList<S> states;
        int lastAttempt = 0;
        RolloutWatcher watcher(vic->channel(), vic->endpoint());
        watcher.setBackoffPolicy({std::chrono::milliseconds(50), std::chrono::milliseconds(400)});
        connect(&watcher, &RolloutWatcher::stateChanged, this,
                [&](S state, int attempt, int, const QString&) {
                    states << state;
                    lastAttempt = attempt;
                });
        RolloutLog log(watcher);
        watcher.start();
        QTRY_COMPARE_WITH_TIMEOUT(log.subscriptions, 1, 10000);

        {
            auto alice = signedIn(n, ApiTestServer::approverToken);
            const auto launched = launchDefault(*alice, version);
            QVERIFY2(launched.ok, qPrintable(launched.error.text));
        }
        QTRY_COMPARE_WITH_TIMEOUT(log.seen.size(), 1, 10000);
        const pb::Rollout before = log.seen.first();
        QCOMPARE(before.weight_percent(), 5);

        // Nexus goes away: the watcher retries by itself.
        states.clear();
        const QString address = n.address();
        n.stop();
        QTRY_COMPARE_WITH_TIMEOUT(watcher.state(), S::Reconnecting, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(lastAttempt >= 2, 10000);
        QVERIFY(!states.contains(S::Live));
        QCOMPARE(log.subscriptions, 1);

        // Back on the same port and store: live and subscribed again, and
        // the rollout as it stands comes again with the snapshot.
        QVERIFY(n.startAgainOn(address));
        QTRY_COMPARE_WITH_TIMEOUT(log.subscriptions, 2, 30000);
        QCOMPARE(watcher.state(), S::Live);
        QCOMPARE(states.first(), S::Reconnecting);
        QCOMPARE(states.last(), S::Live);
        QTRY_COMPARE_WITH_TIMEOUT(log.seen.size(), 2, 10000);
        QCOMPARE(log.seen.last().revision(), before.revision());

        // A change made now arrives.
        auto alice = signedIn(n, ApiTestServer::approverToken);
        auto weight = on(before);
        weight.set_weight_percent(30);
        QVERIFY(act(*alice, Action::SetWeight, weight).ok);
        QTRY_COMPARE_WITH_TIMEOUT(log.last(before.rollout_id()).weight_percent(), 30, 10000);
        QVERIFY(log.last(before.rollout_id()).revision() > before.revision());
        QVERIFY2(log.backwardsError().isEmpty(), qPrintable(log.backwardsError()));

        watcher.stop();
        QCOMPARE(watcher.state(), S::Stopped);
        QCOMPARE(states.last(), S::Stopped);
    }
};

QTEST_GUILESS_MAIN(TestClientRollouts)
#include "tst_client_rollouts.moc"
