// Two nexusd replicas (real processes, no --sandbox) on one PostgreSQL
// database (a cluster this test starts) and one consumer group on the
// embedded broker this test hosts (docs/DEPLOYMENT.md "Several replicas"):
// - records are ingested once: partitions split between the replicas, one
//   is SIGKILLed mid-stream, its partitions move to the survivor, every
//   produced record is stored exactly once and every run has one sample;
//   both replicas' fleet views list the same instances;
// - a replica stalled (SIGSTOP) until its partitions moved, then woken up,
//   writes what it had consumed alongside the new owner: nothing twice;
// - a review sent to replica A reaches a WatchKnowledge stream on B;
// - a rollout keeps exactly one driver through a kill of the driving
//   replica: the other takes the lease, the rollout goes on to a later step,
//   and every step transition is audited once, by one replica.
// QSKIPs (with the reason) only when the PostgreSQL server binaries are missing.
#include "server/store/OpenStore.h"

#include "FaultSupport.h"
#include "PgTestCluster.h"
#include "ReplicaProcess.h"
#include "StoreBackend.h"
#include "nexus/v1/audit.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"
#include "nexus/v1/knowledge.grpc.pb.h"
#include "nexus/v1/rollouts.grpc.pb.h"

#include <QTest>

#include <csignal>

using namespace nexus;
using namespace nexus::faults;
using test::Replica;
namespace pb = ::nexus::v1;

namespace {

constexpr int kPartitions = 4;

std::set<std::string> instanceIds(Replica& replica)
{
    auto stub = pb::Fleet::NewStub(replica.channel());
    grpc::ClientContext context;
    test::authorize(context);
    pb::ListInstancesRequest request;
    request.set_page_size(1000);
    pb::ListInstancesResponse response;
    std::set<std::string> ids;
    if (stub->ListInstances(&context, request, &response).ok())
        for (const auto& instance : response.instances())
            ids.insert(instance.instance_id());
    return ids;
}

std::int64_t count(test::PgRawDb& raw, const std::string& sql)
{
    const auto column = raw.column(sql);
    return column.empty() ? -1 : std::stoll(column.front());
}

} // namespace

class TestReplicas : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::PgTestCluster> cluster_;

private slots:
    void initTestCase()
    {
        QString why;
        cluster_ = test::PgTestCluster::start(&why);
        if (!cluster_)
            QSKIP(qPrintable(why));
    }

    void ingestedOnceThroughAKill()
    {
        const std::string uri = cluster_->createDatabase();
        QVERIFY(!uri.empty());
        const Corpus corpus = makeCorpus(3000, 91);
        auto broker = startCluster(1, kPartitions, 1);
        QVERIFY(broker);
        QTemporaryDir dir;
        Replica a(QStringLiteral("replica-a"), dir), b(QStringLiteral("replica-b"), dir);
        QVERIFY2(a.start(uri, broker->bootstrapServers()), a.log().constData());
        QVERIFY2(b.start(uri, broker->bootstrapServers()), b.log().constData());

        // Kafka splits the partitions between the two members of the group.
        auto split = [&] {
            const auto pa = a.partitions(), pb = b.partitions();
            if (!pa || !pb || pa->empty() || pb->empty())
                return false;
            std::set<int> all = *pa;
            all.insert(pb->begin(), pb->end());
            return all.size() == std::size_t(kPartitions) &&
                   pa->size() + pb->size() == std::size_t(kPartitions);
        };
        QTRY_VERIFY2_WITH_TIMEOUT(split(), (a.log() + "\n---\n" + b.log()).constData(), 40'000);

        Fleet fleet(broker->bootstrapServers(), corpus, 200);
        auto opened = server::openStore(uri, {});
        QVERIFY(opened);
        server::Store& store = **opened;
        QTRY_VERIFY_WITH_TIMEOUT(fleet.sent() >= corpus.records.size() / 3, 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(recordsIn(store, corpus) > 0, 30'000);

        // Both replicas' fleet views show every instance either one ingested.
        QTRY_VERIFY_WITH_TIMEOUT(instanceIds(a).size() >= 2 && instanceIds(a) == instanceIds(b),
                                 10'000);

        // SIGKILL: no flush, no commit, no leaving the group.
        const std::set<int> moved = *a.partitions();
        a.process().kill();
        QVERIFY(a.process().waitForFinished(10'000));
        QElapsedTimer takeover;
        takeover.start();
        QTRY_VERIFY2_WITH_TIMEOUT(b.partitions()->size() == std::size_t(kPartitions),
                                  b.log().constData(), 40'000);
        qInfo("partitions %zu of replica-a moved to replica-b %lld ms after the kill", moved.size(),
              takeover.elapsed());

        QTRY_VERIFY_WITH_TIMEOUT(fleet.finished(), 60'000);
        QCOMPARE(fleet.deliveredCount(), corpus.records.size());
        QTRY_COMPARE_WITH_TIMEOUT(recordsIn(store, corpus), corpus.records.size(), 60'000);
        qInfo("every record stored %lld ms after the kill", takeover.elapsed());
        const QString stored = checkStore(store, corpus);
        QVERIFY2(stored.isEmpty(), qPrintable(stored));

        test::PgRawDb raw(uri);
        QCOMPARE(count(raw, "SELECT COUNT(*) FROM trace_records"),
                 std::int64_t(corpus.records.size()));
        // One sample per finished run, though two replicas may have finished it.
        QTRY_COMPARE_WITH_TIMEOUT(count(raw, "SELECT COUNT(DISTINCT thread_id) FROM run_samples"),
                                  std::int64_t(corpus.recordsPerThread.size()), 20'000);
        QCOMPARE(count(raw, "SELECT COUNT(*) FROM run_samples"),
                 std::int64_t(corpus.recordsPerThread.size()));

        ::kill(static_cast<pid_t>(b.process().processId()), SIGTERM);
        QVERIFY(b.process().waitForFinished(20'000));
        QCOMPARE(b.process().exitCode(), 0);
    }

    // A replica that stalls (SIGSTOP: a VM pause, a swap storm) loses its
    // partitions to the other, then wakes up with records it had already
    // consumed and writes them while the other writes the same ones: the
    // store's record keys and the one-sample-per-run rule keep each once.
    void aStalledReplicaThatWakesUpStoresNothingTwice()
    {
        const std::string uri = cluster_->createDatabase();
        QVERIFY(!uri.empty());
        const Corpus corpus = makeCorpus(3000, 93);
        auto broker = startCluster(1, kPartitions, 1);
        QVERIFY(broker);
        QTemporaryDir dir;
        Replica a(QStringLiteral("replica-a"), dir), b(QStringLiteral("replica-b"), dir);
        QVERIFY2(a.start(uri, broker->bootstrapServers()), a.log().constData());
        QVERIFY2(b.start(uri, broker->bootstrapServers()), b.log().constData());
        QTRY_VERIFY_WITH_TIMEOUT(a.partitions() && b.partitions() && !a.partitions()->empty() &&
                                     !b.partitions()->empty(),
                                 40'000);

        Fleet fleet(broker->bootstrapServers(), corpus, 300);
        auto opened = server::openStore(uri, {});
        QVERIFY(opened);
        server::Store& store = **opened;
        QTRY_VERIFY_WITH_TIMEOUT(fleet.sent() >= corpus.records.size() / 4, 30'000);
        const auto pid = static_cast<pid_t>(a.process().processId());
        ::kill(pid, SIGSTOP);
        QTRY_VERIFY2_WITH_TIMEOUT(b.partitions()->size() == std::size_t(kPartitions),
                                  b.log().constData(), 40'000);
        ::kill(pid, SIGCONT);
        // It finds out, gives up what it no longer owns, and joins again.
        QTRY_VERIFY_WITH_TIMEOUT(a.partitions() && !a.partitions()->empty() &&
                                     b.partitions()->size() < std::size_t(kPartitions),
                                 40'000);

        QTRY_VERIFY_WITH_TIMEOUT(fleet.finished(), 60'000);
        QTRY_COMPARE_WITH_TIMEOUT(recordsIn(store, corpus), corpus.records.size(), 60'000);
        const QString stored = checkStore(store, corpus);
        QVERIFY2(stored.isEmpty(), qPrintable(stored));
        test::PgRawDb raw(uri);
        QCOMPARE(count(raw, "SELECT COUNT(*) FROM trace_records"),
                 std::int64_t(corpus.records.size()));
        QTRY_COMPARE_WITH_TIMEOUT(count(raw, "SELECT COUNT(*) FROM run_samples"),
                                  std::int64_t(corpus.recordsPerThread.size()), 20'000);
        QCOMPARE(count(raw, "SELECT COUNT(DISTINCT thread_id) FROM run_samples"),
                 std::int64_t(corpus.recordsPerThread.size()));
    }

    void reviewAndRolloutAcrossReplicas()
    {
        const std::string uri = cluster_->createDatabase();
        QVERIFY(!uri.empty());
        auto opened = server::openStore(uri, {});
        QVERIFY(opened);
        server::Store& store = **opened;
        pb::KnowledgeEntry e;
        e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
        e.set_title("Retry storms");
        e.set_summary("retries without backoff");
        const auto entry = store.createEntry(e, 1'700'000'000'000'000);
        QVERIFY(entry);
        pb::OptimizationVersion v;
        v.set_graph_name("support");
        v.set_node_id("answer");
        v.set_target_param("prompt");
        v.set_state(pb::VERSION_STATE_CANDIDATE);
        const auto version = store.createVersion(v, 1'700'000'000'000'000);
        QVERIFY(version);

        QTemporaryDir dir;
        Replica a(QStringLiteral("replica-a"), dir), b(QStringLiteral("replica-b"), dir);
        QVERIFY2(a.start(uri, {}), a.log().constData());
        QVERIFY2(b.start(uri, {}), b.log().constData());
        QTRY_VERIFY_WITH_TIMEOUT(a.driving() != b.driving(), 10'000);

        // A review sent to A, seen through B's WatchKnowledge.
        auto watchStub = pb::Knowledge::NewStub(b.channel());
        grpc::ClientContext watchContext;
        test::authorize(watchContext, 30);
        auto watch = watchStub->WatchKnowledge(&watchContext, pb::WatchKnowledgeRequest());
        watch->WaitForInitialMetadata(); // the watch is in place
        auto reviewStub = pb::Knowledge::NewStub(a.channel());
        grpc::ClientContext reviewContext;
        test::authorize(reviewContext);
        pb::ReviewEntryRequest review;
        review.set_entry_id(entry->entry_id());
        review.set_seen_revision(entry->revision());
        review.set_decision(pb::REVIEW_DECISION_APPROVE);
        review.set_request_id("review-through-a");
        pb::ReviewEntryResponse reviewed;
        const grpc::Status status = reviewStub->ReviewEntry(&reviewContext, review, &reviewed);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QElapsedTimer latency;
        latency.start();
        pb::KnowledgeEvent event;
        QVERIFY(watch->Read(&event));
        QCOMPARE(event.type(), pb::KnowledgeEvent::TYPE_REVIEWED);
        QCOMPARE(event.entry().entry_id(), entry->entry_id());
        QCOMPARE(event.review().review_id(), reviewed.review().review_id());
        QCOMPARE(event.entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);
        qInfo("review through replica-a seen on replica-b's stream after %lld ms",
              latency.elapsed());
        watchContext.TryCancel();

        // A rollout launched through the replica that does not drive it.
        Replica& driver = a.driving() ? a : b;
        Replica& other = a.driving() ? b : a;
        auto rollouts = pb::Rollouts::NewStub(other.channel());
        pb::LaunchRolloutRequest launch;
        launch.set_version_id(version->version_id());
        launch.set_request_id("launch-across-replicas");
        for (const int percent : {10, 20, 30, 50}) {
            launch.add_steps()->mutable_set_weight()->set_percent(percent);
            launch.add_steps()->mutable_pause()->set_duration_seconds(percent == 50 ? 0 : 2);
        }
        grpc::ClientContext launchContext;
        test::authorize(launchContext);
        pb::Rollout launched;
        const grpc::Status launchStatus =
            rollouts->LaunchRollout(&launchContext, launch, &launched);
        QVERIFY2(launchStatus.ok(), launchStatus.error_message().c_str());
        const std::string id = launched.rollout_id();
        auto weight = [&] {
            const auto r = store.rollout(id);
            return r && *r ? (*r)->weight_percent() : -1;
        };
        // The driver moves it past its first pause (the launch set 10 %);
        // the launching replica's WatchRollouts shows the driver's step.
        grpc::ClientContext rolloutsContext;
        test::authorize(rolloutsContext, 20);
        pb::WatchRolloutsRequest watchRollout;
        watchRollout.set_rollout_id(id);
        auto rolloutStream = rollouts->WatchRollouts(&rolloutsContext, watchRollout);
        pb::Rollout seen;
        std::int64_t lastRevision = 0;
        while (seen.weight_percent() < 20) {
            QVERIFY2(rolloutStream->Read(&seen), "no step of the driver reached the stream");
            QVERIFY(seen.revision() >= lastRevision); // never back, never a stale copy
            lastRevision = seen.revision();
        }
        rolloutsContext.TryCancel();
        QVERIFY(weight() >= 20);

        driver.process().kill();
        QVERIFY(driver.process().waitForFinished(10'000));
        QElapsedTimer takeover;
        takeover.start();
        QTRY_VERIFY2_WITH_TIMEOUT(other.driving(), other.log().constData(), 15'000);
        qInfo("%s took the rollout-driver lease %lld ms after %s was killed",
              qPrintable(other.name()), takeover.elapsed(), qPrintable(driver.name()));
        QTRY_COMPARE_WITH_TIMEOUT(weight(), 50, 30'000);

        // Every step transition audited once, by one replica; both drove.
        pb::ListAuditRequest steps;
        steps.set_action_prefix("rollout.step");
        steps.set_target(id);
        steps.set_page_size(1000);
        const auto audit = store.listAudit(steps);
        QVERIFY(audit);
        std::set<std::string> revisions, peers;
        for (const pb::AuditRecord& record : audit->records) {
            const std::string revision = record.detail().substr(0, record.detail().find(','));
            QVERIFY2(revisions.insert(revision).second, record.detail().c_str());
            peers.insert(record.peer());
            qInfo("%s by %s", record.detail().c_str(), record.peer().c_str());
        }
        QCOMPARE(peers, (std::set<std::string>{"replica-a", "replica-b"}));
        QCOMPARE(revisions.size(), std::size_t(3)); // 10 -> 20 -> 30 -> 50

        ::kill(static_cast<pid_t>(other.process().processId()), SIGTERM);
        QVERIFY(other.process().waitForFinished(20'000));
        QCOMPARE(other.process().exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestReplicas)
#include "tst_replicas.moc"
