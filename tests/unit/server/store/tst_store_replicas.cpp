// The store, once per backend (StoreBackend.h): what several nexusd replicas
// on one store rely on — keyed trace records stored once, one run sample per
// thread, the audit and sample feeds in id order, and the lease that names
// one rollout driver at a time (taken when free or expired, renewed by its
// holder, refused to others, released).
#include "server/store/Migrations.h"
#include "server/store/PgMigrations.h"

#include "StoreBackend.h"

#include <QTest>

using namespace nexus::server;
using nexus::test::Backend;
namespace pb = nexus::v1;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000'000;
constexpr std::int64_t kTtl = 10'000'000;

RunSample sample(const std::string& thread, std::int64_t endedUs)
{
    RunSample s;
    s.threadId = thread;
    s.instanceId = "inst-1";
    s.deployment = "prod";
    s.graphName = "g";
    s.endedUs = endedUs;
    s.durationUs = 1000;
    return s;
}

} // namespace

class TestStoreReplicas : public QObject
{
    Q_OBJECT

    nexus::test::StoreFixture fixture_;
    std::unique_ptr<Store> store_;

public:
    explicit TestStoreReplicas(Backend backend) : fixture_(backend) {}

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

    void keyedRecordsAreStoredOncePerThread()
    {
        const auto first = store_->appendTraceRecordsOnce("t1", {{"m1", "one"}, {"m2", "two"}});
        QVERIFY(first);
        QCOMPARE(*first, std::size_t(2));
        // A second replica re-reads the same records after a partition moved.
        const auto again =
            store_->appendTraceRecordsOnce("t1", {{"m2", "two"}, {"m3", "three"}, {"m1", "one"}});
        QVERIFY(again);
        QCOMPARE(*again, std::size_t(1));
        QCOMPARE(*store_->traceRecords("t1"), (std::vector<std::string>{"one", "two", "three"}));
        // Keys are per thread; unkeyed records (older callers) are never merged.
        QCOMPARE(*store_->appendTraceRecordsOnce("t2", {{"m1", "other"}}), std::size_t(1));
        QVERIFY(store_->appendTraceRecords("t1", {"plain", "plain"}));
        QCOMPARE(store_->traceRecords("t1")->size(), std::size_t(5));
        QCOMPARE(*store_->appendTraceRecordsOnce("t1", {{"m4", "four"}}), std::size_t(1));
        QCOMPARE(store_->traceRecords("t1")->back(), std::string("four"));
    }

    void aRunHasOneSample()
    {
        QVERIFY(store_->addRunSample(sample("t1", kNow)));
        QVERIFY(store_->addRunSample(sample("t1", kNow + 5))); // finished again elsewhere
        QVERIFY(store_->addRunSample(sample("t2", kNow + 1)));
        const auto all = store_->runSamples({});
        QVERIFY(all);
        QCOMPARE(all->size(), std::size_t(2));
        for (const RunSample& s : *all)
            if (s.threadId == "t1")
                QCOMPARE(s.endedUs, kNow); // the first one stays
    }

    void samplesAfterAnIdComeInIdOrder()
    {
        for (int i = 0; i < 5; ++i)
            QVERIFY(store_->addRunSample(sample("t" + std::to_string(i), kNow - i)));
        const auto all = store_->runSamplesAfter(0, 0);
        QVERIFY(all);
        QCOMPARE(all->size(), std::size_t(5));
        for (std::size_t i = 1; i < all->size(); ++i)
            QVERIFY((*all)[i - 1].sampleId < (*all)[i].sampleId);
        QCOMPARE(all->front().threadId, std::string("t0"));
        const auto later = store_->runSamplesAfter((*all)[2].sampleId, 1);
        QVERIFY(later);
        QCOMPARE(later->size(), std::size_t(1));
        QCOMPARE(later->front().threadId, std::string("t3"));
        QCOMPARE(later->front().sampleId, (*all)[3].sampleId);
        // runSamples names the ids too.
        const auto newest = store_->runSamples({});
        QVERIFY(newest && !newest->empty() && newest->front().sampleId == all->front().sampleId);
    }

    void auditAfterASeqComesOldestFirst()
    {
        std::vector<std::int64_t> seqs;
        for (const char* action : {"knowledge.review", "rollout.launch", "rollout.step"}) {
            pb::AuditRecord r;
            r.set_at_us(kNow);
            r.set_actor("ops");
            r.set_action(action);
            r.set_target("x");
            const auto appended = store_->appendAudit(r);
            QVERIFY(appended);
            seqs.push_back(appended->seq());
        }
        const auto after = store_->auditAfter(seqs[0], 10);
        QVERIFY(after);
        QCOMPARE(after->size(), std::size_t(2));
        QCOMPARE(after->at(0).seq(), seqs[1]);
        QCOMPARE(after->at(0).action(), std::string("rollout.launch"));
        QCOMPARE(after->at(1).seq(), seqs[2]);
        QCOMPARE(store_->auditAfter(seqs[2], 10)->size(), std::size_t(0));
    }

    void oneLeaseHolderAtATime()
    {
        QCOMPARE(*store_->acquireLease("rollout-driver", "a", kTtl, kNow), true);
        QCOMPARE(*store_->acquireLease("rollout-driver", "b", kTtl, kNow + 1), false);
        // Renewed by its holder, so it outlives the first term.
        QCOMPARE(*store_->acquireLease("rollout-driver", "a", kTtl, kNow + kTtl - 1), true);
        QCOMPARE(*store_->acquireLease("rollout-driver", "b", kTtl, kNow + kTtl + 1), false);
        // Another name is another lease.
        QCOMPARE(*store_->acquireLease("other", "b", kTtl, kNow), true);
        // The holder died: once expired, b takes it and a is refused.
        QCOMPARE(*store_->acquireLease("rollout-driver", "b", kTtl, kNow + 2 * kTtl), true);
        QCOMPARE(*store_->acquireLease("rollout-driver", "a", kTtl, kNow + 2 * kTtl + 1), false);
        // Released (only by its holder): free at once.
        QVERIFY(store_->releaseLease("rollout-driver", "a"));
        QCOMPARE(*store_->acquireLease("rollout-driver", "a", kTtl, kNow + 2 * kTtl + 2), false);
        QVERIFY(store_->releaseLease("rollout-driver", "b"));
        QCOMPARE(*store_->acquireLease("rollout-driver", "a", kTtl, kNow + 2 * kTtl + 3), true);
        const auto bad = store_->acquireLease("", "a", kTtl, kNow);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, StoreError::Code::Invalid);
    }

    void anOlderDatabaseKeepsOneSampleOfEachRun()
    {
        // A database written by a nexusd from before migration 3, where two
        // nexusd both finished run t1: the migration keeps its first sample.
        store_.reset();
        QVERIFY(fixture_.freshDatabase());
        auto raw = fixture_.raw();
        const std::string integer = fixture_.isPostgres() ? "BIGINT" : "INTEGER";
        QVERIFY(raw->exec("CREATE TABLE schema_migrations (version " + integer +
                          " PRIMARY KEY, name TEXT NOT NULL, applied_us " + integer +
                          " NOT NULL)"));
        std::vector<std::pair<int, std::string>> before;
        if (fixture_.isPostgres())
            for (const auto& m : pg::pgSchemaMigrations())
                before.emplace_back(m.version, m.sql);
        else
            for (const auto& m : sqlite::schemaMigrations())
                before.emplace_back(m.version, m.sql);
        for (const auto& [version, sql] : before) {
            if (version >= 3)
                break;
            QVERIFY2(raw->exec(sql), raw->lastError().c_str());
            QVERIFY(raw->exec("INSERT INTO schema_migrations VALUES(" + std::to_string(version) +
                              ", 'old', 1)"));
        }
        for (const std::int64_t ended : {kNow, kNow + 1})
            QVERIFY2(raw->exec("INSERT INTO run_samples(thread_id, tenant_id, instance_id,"
                               " deployment, version, graph_name, optimization_version,"
                               " rollout_id, ended_us, duration_us, failed, quality, tokens,"
                               " cost_micros) VALUES('t1', '', 'inst-1', 'prod', '', 'g', '',"
                               " '', " +
                               std::to_string(ended) + ", 1000, 0, NULL, 0, 0)"),
                     raw->lastError().c_str());
        QVERIFY(raw->exec("INSERT INTO trace_records(thread_id, seq, value) VALUES('t1', 0, " +
                          raw->blobLiteral("old") + ")"));
        store_ = fixture_.open();
        QVERIFY(store_);
        const auto kept = store_->runSamples({});
        QCOMPARE(kept->size(), std::size_t(1));
        QCOMPARE(kept->front().endedUs, kNow);
        // The old record stays, without a key; keyed ones go after it.
        QCOMPARE(*store_->appendTraceRecordsOnce("t1", {{"m1", "new"}}), std::size_t(1));
        QCOMPARE(*store_->traceRecords("t1"), (std::vector<std::string>{"old", "new"}));
    }
};

NEXUS_STORE_TEST_MAIN(TestStoreReplicas)
#include "tst_store_replicas.moc"
