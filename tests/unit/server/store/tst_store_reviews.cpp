// The store, once per backend (StoreBackend.h): knowledge reviews (approve,
// reject, replay by request id, stale revisions), entry listing, versions,
// rollout optimistic concurrency and idempotent requests.
#include "StoreBackend.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace nexus::server;
using nexus::test::Backend;
namespace pb = nexus::v1;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000'000;

pb::ReviewEntryRequest review(const std::string& entryId, std::int64_t seen,
                              pb::ReviewDecision decision, const std::string& requestId,
                              const std::string& comment = {})
{
    pb::ReviewEntryRequest r;
    r.set_entry_id(entryId);
    r.set_seen_revision(seen);
    r.set_decision(decision);
    r.set_request_id(requestId);
    r.set_comment(comment);
    return r;
}

pb::KnowledgeEntry entry(pb::KnowledgeKind kind, const std::string& source)
{
    pb::KnowledgeEntry e;
    e.set_kind(kind);
    e.set_title("entry from " + source);
    e.add_source_instances(source);
    return e;
}

} // namespace

class TestStoreReviews : public QObject
{
    Q_OBJECT

    nexus::test::StoreFixture fixture_;
    std::unique_ptr<Store> store_;

    std::string newEntry()
    {
        const auto created = store_->createEntry(entry(pb::KNOWLEDGE_KIND_PITFALL, "inst-1"), kNow);
        return created ? created->entry_id() : std::string();
    }

public:
    explicit TestStoreReviews(Backend backend) : fixture_(backend) {}

private slots:
    void initTestCase()
    {
        QString why;
        if (!fixture_.initBackend(&why))
            QSKIP(qPrintable(why));
        qInfo("store backend: %s", fixture_.name());
    }

    void init()
    {
        store_.reset();
        QVERIFY(fixture_.freshDatabase());
        store_ = fixture_.open();
        QVERIFY(store_);
    }

    void createAssignsIdRevisionAndStatus()
    {
        pb::KnowledgeEntry e = entry(pb::KNOWLEDGE_KIND_CODE_PATTERN, "inst-1");
        e.set_status(pb::KNOWLEDGE_STATUS_APPROVED); // ignored: new entries are pending
        const auto created = store_->createEntry(e, kNow);
        QVERIFY(created);
        QCOMPARE(created->entry_id().size(), std::size_t(36)); // UUID text form
        QCOMPARE(created->revision(), std::int64_t(1));
        QCOMPARE(created->status(), pb::KNOWLEDGE_STATUS_PENDING);
        QCOMPARE(created->created_us(), kNow);
        const auto again = store_->createEntry(*created, kNow);
        QVERIFY(!again);
        QCOMPARE(again.error().code, StoreError::Code::AlreadyExists);
    }

    void approveBumpsRevisionAndKeepsHistory()
    {
        const std::string id = newEntry();
        const auto outcome = store_->reviewEntry(
            review(id, 1, pb::REVIEW_DECISION_APPROVE, "req-1"), "alice", kNow + 5);
        QVERIFY(outcome);
        QVERIFY(!outcome->replayed);
        QCOMPARE(outcome->entry.status(), pb::KNOWLEDGE_STATUS_APPROVED);
        QCOMPARE(outcome->entry.revision(), std::int64_t(2));
        QCOMPARE(outcome->entry.updated_us(), kNow + 5);
        QCOMPARE(outcome->review.reviewer(), std::string("alice"));
        QCOMPARE(outcome->review.revision(), std::int64_t(1));

        const auto got = store_->getEntry(id);
        QVERIFY(got);
        QCOMPARE(got->entry().revision(), std::int64_t(2));
        QCOMPARE(got->reviews_size(), 1);
        QCOMPARE(got->reviews(0).request_id(), std::string("req-1"));
        QCOMPARE(got->revisions_size(), 1);
        QCOMPARE(got->revisions(0).revision(), std::int64_t(1));
        QCOMPARE(got->revisions(0).status(), pb::KNOWLEDGE_STATUS_PENDING);
    }

    void rejectNeedsAComment()
    {
        const std::string id = newEntry();
        for (const std::string comment : {"", "   \n"}) {
            const auto refused = store_->reviewEntry(
                review(id, 1, pb::REVIEW_DECISION_REJECT, "req-x", comment), "bob", kNow);
            QVERIFY(!refused);
            QCOMPARE(refused.error().code, StoreError::Code::Invalid);
        }
        QCOMPARE(store_->getEntry(id)->entry().revision(), std::int64_t(1));
        // The refused request id was not consumed: the corrected retry applies.
        const auto rejected = store_->reviewEntry(
            review(id, 1, pb::REVIEW_DECISION_REJECT, "req-x", "duplicates KB-12"), "bob", kNow);
        QVERIFY(rejected);
        QCOMPARE(rejected->entry.status(), pb::KNOWLEDGE_STATUS_REJECTED);
        QCOMPARE(rejected->review.comment(), std::string("duplicates KB-12"));
    }

    void retryWithSameRequestIdAppliesOnce()
    {
        const std::string id = newEntry();
        const auto req = review(id, 1, pb::REVIEW_DECISION_APPROVE, "req-retry");
        const auto first = store_->reviewEntry(req, "alice", kNow);
        QVERIFY(first);
        const auto retry = store_->reviewEntry(req, "alice", kNow + 1000);
        QVERIFY(retry); // not Stale, although seen_revision is now old
        QVERIFY(retry->replayed);
        QCOMPARE(retry->review.review_id(), first->review.review_id());
        QCOMPARE(retry->entry.revision(), std::int64_t(2));
        const auto got = store_->getEntry(id);
        QCOMPARE(got->reviews_size(), 1);
        QCOMPARE(got->entry().revision(), std::int64_t(2));
        QCOMPARE(got->entry().updated_us(), kNow);

        // The replay returns the entry as it was after that review, even later.
        QVERIFY(store_->reviewEntry(review(id, 2, pb::REVIEW_DECISION_REJECT, "req-2", "no"),
                                    "carol", kNow + 2));
        const auto late = store_->reviewEntry(req, "alice", kNow + 3);
        QVERIFY(late && late->replayed);
        QCOMPARE(late->entry.revision(), std::int64_t(2));
        QCOMPARE(late->entry.status(), pb::KNOWLEDGE_STATUS_APPROVED);
    }

    void concurrentRetriesApplyOnce()
    {
        const std::string id = newEntry();
        const auto req = review(id, 1, pb::REVIEW_DECISION_APPROVE, "req-race");
        std::atomic<int> applied{0}, replayed{0}, failed{0};
        std::vector<std::thread> workers;
        for (int i = 0; i < 4; ++i)
            workers.emplace_back([&] {
                const auto r = store_->reviewEntry(req, "alice", kNow);
                if (!r)
                    ++failed;
                else if (r->replayed)
                    ++replayed;
                else
                    ++applied;
            });
        for (auto& w : workers)
            w.join();
        QCOMPARE(applied.load(), 1);
        QCOMPARE(replayed.load(), 3);
        QCOMPARE(failed.load(), 0);
        QCOMPARE(store_->getEntry(id)->reviews_size(), 1);
    }

    void staleRevisionIsRefusedNamingTheWinner()
    {
        const std::string id = newEntry();
        QVERIFY(store_->reviewEntry(review(id, 1, pb::REVIEW_DECISION_APPROVE, "req-a"), "alice",
                                    kNow));
        const auto late = store_->reviewEntry(
            review(id, 1, pb::REVIEW_DECISION_REJECT, "req-b", "too vague"), "bob", kNow + 1);
        QVERIFY(!late);
        QCOMPARE(late.error().code, StoreError::Code::Stale);
        const std::string& why = late.error().message;
        QVERIFY2(why.find("alice") != std::string::npos, why.c_str());
        QVERIFY2(why.find("approved") != std::string::npos, why.c_str());
        QVERIFY2(why.find("revision 1") != std::string::npos, why.c_str());
        QCOMPARE(store_->getEntry(id)->entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);

        const auto missing = store_->reviewEntry(
            review("nope", 1, pb::REVIEW_DECISION_APPROVE, "req-c"), "bob", kNow);
        QCOMPARE(missing.error().code, StoreError::Code::NotFound);
        const auto unseen =
            store_->reviewEntry(review(id, 0, pb::REVIEW_DECISION_APPROVE, "req-d"), "bob", kNow);
        QCOMPARE(unseen.error().code, StoreError::Code::Invalid);
    }

    void listEntriesFiltersSortsAndCounts()
    {
        std::vector<std::string> created;
        for (int i = 0; i < 6; ++i) {
            auto e = entry(i % 2 ? pb::KNOWLEDGE_KIND_PITFALL : pb::KNOWLEDGE_KIND_SUCCESS_PATTERN,
                           "inst-" + std::to_string(i % 3));
            created.push_back(store_->createEntry(e, kNow + i)->entry_id());
        }
        // The newest one approved: it sorts after every pending entry.
        QVERIFY(store_->reviewEntry(review(created[5], 1, pb::REVIEW_DECISION_APPROVE, "r"), "a",
                                    kNow + 10));

        const auto all = store_->listEntries({});
        QVERIFY(all);
        QCOMPARE(all->entries.size(), std::size_t(6));
        QCOMPARE(all->entries.front().entry_id(), created[4]); // newest pending first
        QCOMPARE(all->entries.back().entry_id(), created[5]);
        const auto counts = all->countsByStatus;
        QVERIFY(std::find(counts.begin(), counts.end(),
                          std::pair<std::string, std::int64_t>("pending", 5)) != counts.end());
        QVERIFY(std::find(counts.begin(), counts.end(),
                          std::pair<std::string, std::int64_t>("approved", 1)) != counts.end());

        pb::ListEntriesRequest pending;
        pending.add_statuses(pb::KNOWLEDGE_STATUS_PENDING);
        const auto p = store_->listEntries(pending);
        QCOMPARE(p->entries.size(), std::size_t(5));
        QCOMPARE(p->countsByStatus, all->countsByStatus); // counts ignore the status filter

        pb::ListEntriesRequest pitfalls;
        pitfalls.add_kinds(pb::KNOWLEDGE_KIND_PITFALL);
        QCOMPARE(store_->listEntries(pitfalls)->entries.size(), std::size_t(3));
        pb::ListEntriesRequest fromInstance;
        fromInstance.set_source_instance("inst-2");
        QCOMPARE(store_->listEntries(fromInstance)->entries.size(), std::size_t(2));
        pb::ListEntriesRequest recent;
        recent.set_created_after_us(kNow + 3);
        QCOMPARE(store_->listEntries(recent)->entries.size(), std::size_t(2));

        pb::ListEntriesRequest paged;
        paged.set_page_size(4);
        const auto first = store_->listEntries(paged);
        QCOMPARE(first->entries.size(), std::size_t(4));
        QVERIFY(!first->nextPageToken.empty());
        paged.set_page_token(first->nextPageToken);
        const auto second = store_->listEntries(paged);
        QCOMPARE(second->entries.size(), std::size_t(2));
        QVERIFY(second->nextPageToken.empty());
    }

    void versionsAreCreatedListedAndChanged()
    {
        pb::OptimizationVersion v;
        v.set_graph_name("support_bot");
        v.set_node_id("answer");
        v.set_content("Be brief.");
        const auto created = store_->createVersion(v, kNow);
        QVERIFY(created);
        QVERIFY(!created->version_id().empty());
        QCOMPARE(created->state(), pb::VERSION_STATE_CANDIDATE);
        v.set_node_id("plan");
        QVERIFY(store_->createVersion(v, kNow + 1));

        QCOMPARE(store_->listVersions("support_bot", "")->size(), std::size_t(2));
        QCOMPARE(store_->listVersions("support_bot", "answer")->size(), std::size_t(1));
        QCOMPARE(store_->listVersions("other", "")->size(), std::size_t(0));

        QVERIFY(store_->setVersionState(created->version_id(), pb::VERSION_STATE_LIVE));
        QCOMPARE((*store_->version(created->version_id()))->state(), pb::VERSION_STATE_LIVE);
        QCOMPARE(store_->setVersionState("nope", pb::VERSION_STATE_LIVE).error().code,
                 StoreError::Code::NotFound);
        QVERIFY(!store_->version("nope")->has_value());
    }

    void rolloutUpdatesAreOptimistic()
    {
        pb::OptimizationVersion v;
        v.set_graph_name("g");
        const auto version = store_->createVersion(v, kNow);
        pb::Rollout r;
        r.set_version_id(version->version_id());
        r.set_graph_name("g");
        r.set_phase(pb::ROLLOUT_PHASE_PROGRESSING);
        const auto created = store_->createRollout(r);
        QVERIFY(created);
        QCOMPARE(created->revision(), std::int64_t(1));

        pb::Rollout a = *created;
        a.set_weight_percent(25);
        const auto updated = store_->updateRollout(a);
        QVERIFY(updated);
        QCOMPARE(updated->revision(), std::int64_t(2));

        pb::Rollout b = *created; // a second writer that saw revision 1
        b.set_weight_percent(50);
        const auto stale = store_->updateRollout(b);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, StoreError::Code::Stale);
        const auto stored = store_->rollout(created->rollout_id());
        QCOMPARE((*stored)->weight_percent(), 25);
        QCOMPARE((*stored)->revision(), std::int64_t(2));

        pb::Rollout ghost = *created;
        ghost.set_rollout_id("ghost");
        QCOMPARE(store_->updateRollout(ghost).error().code, StoreError::Code::NotFound);
        pb::Rollout orphan = r;
        orphan.set_version_id("no-such-version");
        QCOMPARE(store_->createRollout(orphan).error().code, StoreError::Code::NotFound);

        QCOMPARE(store_->listRollouts(true, "g")->size(), std::size_t(1));
        pb::Rollout done = *updated;
        done.set_phase(pb::ROLLOUT_PHASE_ABORTED);
        QVERIFY(store_->updateRollout(done));
        QCOMPARE(store_->listRollouts(true, "")->size(), std::size_t(0));
        QCOMPARE(store_->listRollouts(false, "g")->size(), std::size_t(1));
    }

    void requestsAreRememberedOnce()
    {
        QVERIFY(!store_->findRequest("req-1")->has_value());
        QVERIFY(store_->rememberRequest("req-1", "rollout.promote", std::string("\0r1", 3), kNow));
        const auto dup = store_->rememberRequest("req-1", "rollout.promote", "other", kNow + 1);
        QVERIFY(!dup);
        QCOMPARE(dup.error().code, StoreError::Code::AlreadyExists);
        QCOMPARE(**store_->findRequest("req-1"), std::string("\0r1", 3)); // the first response
    }
};

NEXUS_STORE_TEST_MAIN(TestStoreReviews)
#include "tst_store_reviews.moc"
