// The replicas' change feed (server/api/ChangeFeed.h) on a real SQLite
// store: a review or rollout change that another process made (written to
// the store and its audit log, never published here) reaches this process's
// EventHub once; what this process published itself is not repeated; and
// the id window reads past numbers committed out of order only after their
// grace.
#include "server/api/ChangeFeed.h"
#include "server/store/SqliteStore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace nexus::server;
namespace pb = nexus::v1;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000'000;

void audit(Store& store, const std::string& action, const std::string& target,
           const std::string& outcome, const std::string& requestId = {})
{
    pb::AuditRecord r;
    r.set_at_us(kNow);
    r.set_actor("ops");
    r.set_action(action);
    r.set_target(target);
    r.set_outcome(outcome);
    r.set_request_id(requestId);
    QVERIFY(store.appendAudit(r));
}

} // namespace

class TestChangeFeed : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<SqliteStore> store_;

private slots:
    void init()
    {
        store_.reset();
        dir_ = std::make_unique<QTemporaryDir>();
        auto opened = SqliteStore::open(dir_->filePath("nexus.db").toStdString());
        QVERIFY(opened);
        store_ = std::move(*opened);
    }

    void theWindowWaitsForAGapThenGivesItUp()
    {
        SeqWindow w(1000);
        w.reset(0);
        QVERIFY(w.take(1, 0));
        QVERIFY(w.take(2, 0));
        QVERIFY(w.take(4, 0)); // 3 not committed yet
        QVERIFY(!w.take(2, 0));
        w.advance(10);
        QCOMPARE(w.readAfter(), std::int64_t(2)); // 3 may still come
        QVERIFY(w.take(3, 500));
        w.advance(500);
        QCOMPARE(w.readAfter(), std::int64_t(4));
        QVERIFY(!w.take(4, 500)); // read again from 4: not new
        QVERIFY(w.take(6, 600));  // 5 rolled back, say
        w.advance(700);
        QCOMPARE(w.readAfter(), std::int64_t(4));
        w.advance(1700);
        QCOMPARE(w.readAfter(), std::int64_t(6));
    }

    void aReviewByAnotherReplicaIsPublishedOnce()
    {
        EventHub hub;
        ChangeFeedOptions options;
        options.intervalMs = 20;
        ChangeFeed feed(*store_, hub, nullptr, nullptr, options);
        QVERIFY(feed.start());
        auto watcher = hub.knowledge.subscribe();

        // "Replica A": the review and its audit record, in the store only.
        pb::KnowledgeEntry e;
        e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
        e.set_title("Retry storms");
        const auto entry = store_->createEntry(e, kNow);
        QVERIFY(entry);
        pb::ReviewEntryRequest review;
        review.set_entry_id(entry->entry_id());
        review.set_seen_revision(entry->revision());
        review.set_decision(pb::REVIEW_DECISION_APPROVE);
        review.set_request_id("req-a");
        const auto reviewed = store_->reviewEntry(review, "alice", kNow);
        QVERIFY(reviewed);
        audit(*store_, "knowledge.review", entry->entry_id(), "refused: stale", "req-other");
        audit(*store_, "knowledge.review", entry->entry_id(), "ok: approve", "req-a");

        const auto event = watcher->next(std::chrono::seconds(5));
        QVERIFY(event);
        QCOMPARE(event->type(), pb::KnowledgeEvent::TYPE_REVIEWED);
        QCOMPARE(event->review().review_id(), reviewed->review.review_id());
        QCOMPARE(event->entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);
        QVERIFY(!watcher->next(std::chrono::milliseconds(300))); // once, and no refusal
    }

    void ownPublishesAreNotRepeatedOthersAre()
    {
        pb::OptimizationVersion v;
        v.set_graph_name("g");
        v.set_node_id("n");
        v.set_state(pb::VERSION_STATE_CANDIDATE);
        const auto version = store_->createVersion(v, kNow);
        QVERIFY(version);
        pb::Rollout r;
        r.set_version_id(version->version_id());
        r.set_graph_name("g");
        r.set_phase(pb::ROLLOUT_PHASE_PROGRESSING);
        const auto created = store_->createRollout(r);
        QVERIFY(created);

        EventHub hub;
        ChangeFeedOptions options;
        options.intervalMs = 20;
        ChangeFeed feed(*store_, hub, nullptr, nullptr, options);
        QVERIFY(feed.start());
        auto watcher = hub.rollouts.subscribe();

        // This replica launched it: published here, then audited.
        hub.rollouts.publish(*created);
        audit(*store_, "rollout.launch", created->rollout_id(), "ok");
        QCOMPARE(watcher->next(std::chrono::seconds(1))->revision(), created->revision());
        QVERIFY(!watcher->next(std::chrono::milliseconds(300)));

        // Another replica's controller took a step.
        pb::Rollout stepped = *created;
        stepped.set_weight_percent(20);
        const auto updated = store_->updateRollout(stepped);
        QVERIFY(updated);
        audit(*store_, "rollout.step", created->rollout_id(), "ok");
        const auto seen = watcher->next(std::chrono::seconds(5));
        QVERIFY(seen);
        QCOMPARE(seen->revision(), updated->revision());
        QCOMPARE(seen->weight_percent(), 20);
        QVERIFY(!watcher->next(std::chrono::milliseconds(300)));
    }
};

QTEST_GUILESS_MAIN(TestChangeFeed)
#include "tst_change_feed.moc"
