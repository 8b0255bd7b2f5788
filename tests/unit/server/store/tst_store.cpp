// The store on a real database, once per backend (SQLite file, PostgreSQL
// server; StoreBackend.h): restart, migrations, the append-only audit log
// (proven with a raw second connection), trace search and paging, record
// logs, run samples and retention.
#include "server/store/Migrations.h"
#include "server/store/PgMigrations.h"

#include "StoreBackend.h"

#include <QTest>

#include <set>

using namespace nexus::server;
using nexus::test::Backend;
namespace pb = nexus::v1;

namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kDay = 24 * 3600 * kSecond;
constexpr std::int64_t kNow = 1'700'000'000 * kSecond;

pb::TraceSummary trace(int i)
{
    pb::TraceSummary t;
    t.set_thread_id("thread-" + std::to_string(100 + i));
    t.set_tenant_id(i % 2 ? "acme" : "globex");
    t.set_instance_id("inst-" + std::to_string(i % 3));
    t.set_deployment(i % 2 ? "prod" : "staging");
    t.set_graph_name(i % 4 == 0 ? "support_bot" : "research_agent");
    t.set_status(i % 5 == 0 ? pb::RUN_STATUS_FAILED : pb::RUN_STATUS_COMPLETED);
    t.set_started_us(kNow - (30 - i) * kSecond);
    t.set_ended_us(t.started_us() + (i + 1) * 1000);
    t.set_duration_us((i + 1) * 1000);
    t.set_cost_micros(i * 10);
    if (t.status() == pb::RUN_STATUS_FAILED)
        t.set_error(i == 10 ? "tool timeout after 100% of budget" : "rate limited");
    return t;
}

std::set<std::string> ids(const std::vector<pb::TraceSummary>& traces)
{
    std::set<std::string> out;
    for (const auto& t : traces)
        out.insert(t.thread_id());
    return out;
}

RunSample sample(const std::string& thread, std::int64_t endedUs, const std::string& opt,
                 std::optional<double> quality)
{
    RunSample s;
    s.threadId = thread;
    s.instanceId = "inst-1";
    s.graphName = "g";
    s.rolloutId = opt.empty() ? "" : "r1";
    s.optimizationVersion = opt;
    s.endedUs = endedUs;
    s.durationUs = 1500;
    s.quality = quality;
    s.costMicros = 7;
    return s;
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

    nexus::test::StoreFixture fixture_;

    std::unique_ptr<Store> openStore() { return fixture_.open(); }

    std::size_t migrationCount() const
    {
        return fixture_.isPostgres() ? nexus::server::pg::pgSchemaMigrations().size()
                                     : sqlite::schemaMigrations().size();
    }

public:
    explicit TestStore(Backend backend) : fixture_(backend) {}

private slots:
    void initTestCase()
    {
        QString why;
        if (!fixture_.initBackend(&why))
            QSKIP(qPrintable(why));
        qInfo("store backend: %s", fixture_.name());
    }

    void init() { QVERIFY(fixture_.freshDatabase()); }

    void restartKeepsData()
    {
        {
            auto store = openStore();
            QVERIFY(store);
            pb::Instance instance;
            instance.set_instance_id("inst-a");
            instance.set_region("eu-west");
            QVERIFY(store->upsertInstance(instance));
            QVERIFY(store->upsertTraceSummary(trace(1)));
            QVERIFY(
                store->appendTraceRecords("thread-101", {std::string("\x00one", 4), "\x01two"}));
            pb::KnowledgeEntry entry;
            entry.set_title("Retry on 429");
            QVERIFY(store->createEntry(entry, kNow));
            pb::AuditRecord record;
            record.set_actor("alice");
            record.set_action("knowledge.review");
            QVERIFY(store->appendAudit(record));
            QVERIFY(store->rememberRequest("req-1", "rollout.pause", "bytes", kNow));
        }
        auto store = openStore();
        QVERIFY(store);
        const auto instances = store->listInstances();
        QVERIFY(instances);
        QCOMPARE(instances->size(), std::size_t(1));
        QCOMPARE(instances->front().region(), std::string("eu-west"));
        const auto summary = store->traceSummary("thread-101");
        QVERIFY(summary && summary->has_value());
        QCOMPARE((*summary)->graph_name(), std::string("research_agent"));
        const auto records = store->traceRecords("thread-101");
        QVERIFY(records);
        QCOMPARE(*records, (std::vector<std::string>{std::string("\x00one", 4), "\x01two"}));
        const auto entries = store->listEntries({});
        QVERIFY(entries);
        QCOMPARE(entries->entries.size(), std::size_t(1));
        QCOMPARE(entries->entries.front().title(), std::string("Retry on 429"));
        const auto audit = store->listAudit({});
        QVERIFY(audit);
        QCOMPARE(audit->records.size(), std::size_t(1));
        QCOMPARE(audit->records.front().actor(), std::string("alice"));
        const auto request = store->findRequest("req-1");
        QVERIFY(request && request->has_value());
        QCOMPARE(**request, std::string("bytes"));
    }

    void migrationsRunOnceOnAFreshFile()
    {
        QVERIFY(openStore());
        auto raw = fixture_.raw();
        const auto applied = raw->column("SELECT version FROM schema_migrations ORDER BY version");
        QCOMPARE(applied.size(), migrationCount());
        QCOMPARE(applied.back(), std::to_string(sqlite::latestSchemaVersion()));
        if (!fixture_.isPostgres())
            QCOMPARE(raw->column("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
        const auto stamps =
            raw->column("SELECT applied_us FROM schema_migrations ORDER BY version");

        QVERIFY(openStore()); // reopening applies nothing again
        QCOMPARE(raw->column("SELECT applied_us FROM schema_migrations ORDER BY version"), stamps);
    }

    void anOlderFileIsMigratedAndKeepsItsRows()
    {
        {
            // A database written by a nexusd that knew only migration 1.
            auto raw = fixture_.raw();
            const std::string integer = fixture_.isPostgres() ? "BIGINT" : "INTEGER";
            QVERIFY(raw->exec("CREATE TABLE schema_migrations (version " + integer +
                              " PRIMARY KEY, name TEXT NOT NULL, applied_us " + integer +
                              " NOT NULL);"));
            QVERIFY2(raw->exec(fixture_.isPostgres()
                                   ? nexus::server::pg::pgSchemaMigrations().front().sql
                                   : sqlite::schemaMigrations().front().sql),
                     raw->lastError().c_str());
            QVERIFY(raw->exec("INSERT INTO schema_migrations VALUES(1, 'tables', 1)"));
            pb::AuditRecord old;
            old.set_actor("bob");
            QVERIFY2(raw->exec("INSERT INTO audit_log(at_us, actor, action, target, request_id,"
                               " data) VALUES(5, 'bob', 'x', '', '', " +
                               raw->blobLiteral(old.SerializeAsString()) + ")"),
                     raw->lastError().c_str());
            // Before migration 2 an edit still goes through.
            QVERIFY(raw->exec("UPDATE audit_log SET target = 't'"));
        }
        auto store = openStore();
        QVERIFY(store);
        auto raw = fixture_.raw();
        QCOMPARE(raw->column("SELECT COUNT(*) FROM schema_migrations"),
                 std::vector<std::string>{std::to_string(migrationCount())});
        const auto audit = store->listAudit({});
        QVERIFY(audit);
        QCOMPARE(audit->records.size(), std::size_t(1));
        QCOMPARE(audit->records.front().actor(), std::string("bob"));
        QVERIFY(!raw->exec("UPDATE audit_log SET target = 'u'"));
    }

    void aNewerFileIsRefused()
    {
        QVERIFY(openStore());
        QVERIFY(fixture_.raw()->exec("INSERT INTO schema_migrations VALUES(999, 'future', 1)"));
        auto store = fixture_.tryOpen();
        QVERIFY(!store);
        QCOMPARE(store.error().code, StoreError::Code::Invalid);
        QVERIFY(store.error().message.find("newer") != std::string::npos);
    }

    void auditLogIsAppendOnly()
    {
        auto store = openStore();
        QVERIFY(store);
        pb::AuditRecord record;
        record.set_actor("alice");
        record.set_action("rollout.launch");
        record.set_target("r1");
        record.set_outcome("ok");
        const auto first = store->appendAudit(record);
        QVERIFY(first);
        QCOMPARE(first->seq(), std::int64_t(1));
        QVERIFY(first->at_us() > 0); // stamped by the store

        auto raw = fixture_.raw();
        QVERIFY(!raw->exec("UPDATE audit_log SET actor = 'mallory'"));
        QVERIFY2(raw->lastError().find("append-only") != std::string::npos,
                 raw->lastError().c_str());
        QVERIFY(!raw->exec("DELETE FROM audit_log"));
        QVERIFY(raw->lastError().find("append-only") != std::string::npos);
        if (fixture_.isPostgres()) {
            QVERIFY(!raw->exec("TRUNCATE audit_log"));
            QVERIFY(raw->lastError().find("append-only") != std::string::npos);
        }

        const auto audit = store->listAudit({});
        QVERIFY(audit);
        QCOMPARE(audit->records.size(), std::size_t(1));
        QCOMPARE(audit->records.front().actor(), std::string("alice"));

        // Retention never touches it either.
        RetentionPolicy aggressive;
        aggressive.traceMaxAgeUs = 1;
        aggressive.maxTraces = 1;
        aggressive.sampleMaxAgeUs = 1;
        QVERIFY(store->prune(aggressive, kNow * 2));
        QCOMPARE(store->listAudit({})->records.size(), std::size_t(1));
    }

    void openRefusesAnAuditLogThatLostItsProtection()
    {
        QVERIFY(openStore());
        auto raw = fixture_.raw();
        if (fixture_.isPostgres()) {
            // A disabled trigger protects nothing either.
            QVERIFY(raw->exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"));
            const auto disabled = fixture_.tryOpen();
            QVERIFY(!disabled);
            QCOMPARE(disabled.error().code, StoreError::Code::Invalid);
            QVERIFY(raw->exec("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update"));
            QVERIFY(openStore());
        }
        QVERIFY2(raw->exec(fixture_.isPostgres() ? "DROP TRIGGER audit_log_no_delete ON audit_log"
                                                 : "DROP TRIGGER audit_log_no_delete"),
                 raw->lastError().c_str());
        const auto store = fixture_.tryOpen();
        QVERIFY(!store);
        QCOMPARE(store.error().code, StoreError::Code::Invalid);
        QVERIFY2(store.error().message.find("append-only") != std::string::npos,
                 store.error().message.c_str());
        QVERIFY(store.error().message.find("audit_log_no_delete") != std::string::npos);
    }

    void auditFiltersAndPagesNewestFirst()
    {
        auto store = openStore();
        QVERIFY(store);
        for (int i = 0; i < 7; ++i) {
            pb::AuditRecord r;
            r.set_at_us(kNow + i);
            r.set_actor(i % 2 ? "alice" : "bob");
            r.set_action(i < 4 ? "rollout.promote" : "knowledge.review");
            r.set_target("t" + std::to_string(i % 3));
            QVERIFY(store->appendAudit(r));
        }
        pb::ListAuditRequest byPrefix;
        byPrefix.set_action_prefix("rollout.");
        QCOMPARE(store->listAudit(byPrefix)->records.size(), std::size_t(4));
        pb::ListAuditRequest byActor;
        byActor.set_actor("alice");
        QCOMPARE(store->listAudit(byActor)->records.size(), std::size_t(3));
        pb::ListAuditRequest since;
        since.set_since_us(kNow + 5);
        QCOMPARE(store->listAudit(since)->records.size(), std::size_t(2));

        pb::ListAuditRequest paged;
        paged.set_page_size(3);
        std::vector<std::int64_t> seqs;
        for (int page = 0; page < 5; ++page) {
            const auto p = store->listAudit(paged);
            QVERIFY(p);
            for (const auto& r : p->records)
                seqs.push_back(r.seq());
            if (p->nextPageToken.empty())
                break;
            paged.set_page_token(p->nextPageToken);
        }
        QCOMPARE(seqs, (std::vector<std::int64_t>{7, 6, 5, 4, 3, 2, 1}));
    }

    void searchFiltersTraces()
    {
        auto store = openStore();
        QVERIFY(store);
        for (int i = 0; i < 25; ++i)
            QVERIFY(store->upsertTraceSummary(trace(i)));

        auto search = [&](auto configure) {
            pb::SearchTracesRequest r;
            r.set_page_size(100);
            configure(r);
            auto page = store->searchTraces(r);
            if (!page)
                qWarning() << page.error().message.c_str();
            return page ? page->traces : std::vector<pb::TraceSummary>{};
        };

        QCOMPARE(search([](auto&) {}).size(), std::size_t(25));
        QCOMPARE(search([](auto& r) { r.set_instance_id("inst-1"); }).size(), std::size_t(8));
        QCOMPARE(search([](auto& r) { r.set_graph_name("support_bot"); }).size(), std::size_t(7));
        QCOMPARE(search([](auto& r) { r.set_status(pb::RUN_STATUS_FAILED); }).size(),
                 std::size_t(5));
        QCOMPARE(search([](auto& r) { r.set_tenant_id("acme"); }).size(), std::size_t(12));
        // Text matches the error ...
        QCOMPARE(ids(search([](auto& r) { r.set_text("timeout"); })),
                 std::set<std::string>{"thread-110"});
        // ... a literal % (not a wildcard) ...
        QCOMPARE(ids(search([](auto& r) { r.set_text("100%"); })),
                 std::set<std::string>{"thread-110"});
        QCOMPARE(search([](auto& r) { r.set_text("1_0"); }).size(), std::size_t(0));
        // ... the thread id, the graph and the instance.
        QCOMPARE(ids(search([](auto& r) { r.set_text("d-124"); })),
                 std::set<std::string>{"thread-124"});
        QCOMPARE(search([](auto& r) { r.set_text("support"); }).size(), std::size_t(7));
        QCOMPARE(search([](auto& r) { r.set_text("inst-2"); }).size(), std::size_t(8));

        const auto slow = search([](auto& r) {
            r.set_min_duration_us(20'000);
            r.set_max_duration_us(22'000);
        });
        QCOMPARE(ids(slow), (std::set<std::string>{"thread-119", "thread-120", "thread-121"}));
        QCOMPARE(search([](auto& r) { r.set_min_cost_micros(230); }).size(), std::size_t(2));
        const auto window = search([](auto& r) {
            r.set_start_us(kNow - 10 * kSecond); // i >= 20
            r.set_end_us(kNow - 7 * kSecond);    // i < 23
        });
        QCOMPARE(ids(window), (std::set<std::string>{"thread-120", "thread-121", "thread-122"}));

        const auto newest = search([](auto&) {});
        QCOMPARE(newest.front().thread_id(), std::string("thread-124"));
        const auto oldest = search([](auto& r) { r.set_sort(pb::TRACE_SORT_STARTED_ASC); });
        QCOMPARE(oldest.front().thread_id(), std::string("thread-100"));
        const auto costly = search([](auto& r) { r.set_sort(pb::TRACE_SORT_COST_DESC); });
        QCOMPARE(costly.front().cost_micros(), std::int64_t(240));
        const auto longest = search([](auto& r) { r.set_sort(pb::TRACE_SORT_DURATION_DESC); });
        QCOMPARE(longest.front().duration_us(), std::int64_t(25'000));
    }

    void searchPagesWithOpaqueTokens()
    {
        auto store = openStore();
        QVERIFY(store);
        for (int i = 0; i < 25; ++i)
            QVERIFY(store->upsertTraceSummary(trace(i)));
        pb::SearchTracesRequest r;
        r.set_page_size(10);
        std::vector<std::string> seen;
        int pages = 0;
        while (true) {
            const auto page = store->searchTraces(r);
            QVERIFY(page);
            QCOMPARE(page->totalMatches, std::int64_t(25));
            ++pages;
            for (const auto& t : page->traces)
                seen.push_back(t.thread_id());
            if (page->nextPageToken.empty())
                break;
            r.set_page_token(page->nextPageToken);
        }
        QCOMPARE(pages, 3);
        QCOMPARE(seen.size(), std::size_t(25));
        QCOMPARE(std::set<std::string>(seen.begin(), seen.end()).size(), std::size_t(25));
        QCOMPARE(seen.front(), std::string("thread-124"));
        QCOMPARE(seen.back(), std::string("thread-100"));

        r.set_page_token("not-a-token");
        const auto bad = store->searchTraces(r);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, StoreError::Code::Invalid);
    }

    void largeRecordLogsComeBackInOrder()
    {
        auto store = openStore();
        QVERIFY(store);
        std::vector<std::string> expectedA, expectedB;
        for (int batch = 0; batch < 50; ++batch) {
            std::vector<std::string> a, b;
            for (int i = 0; i < batch % 7 + 1; ++i) {
                std::string value(300 + i, static_cast<char>(batch));
                value[0] = '\0'; // DashStream frame byte: binary safe
                value += std::to_string(expectedA.size() + a.size());
                a.push_back(value);
                b.push_back("b" + std::to_string(expectedB.size() + b.size()));
            }
            QVERIFY(store->appendTraceRecords("thread-a", a));
            QVERIFY(store->appendTraceRecords("thread-b", b));
            expectedA.insert(expectedA.end(), a.begin(), a.end());
            expectedB.insert(expectedB.end(), b.begin(), b.end());
        }
        QCOMPARE(*store->traceRecords("thread-a"), expectedA);
        QCOMPARE(*store->traceRecords("thread-b"), expectedB);
        QVERIFY(store->traceRecords("unknown")->empty());
    }

    void schemasFirstOneWins()
    {
        auto store = openStore();
        QVERIFY(store);
        pb::GraphSchema s;
        s.set_schema_id("sch-1");
        s.set_graph_schema_json("{\"first\":true}");
        QVERIFY(store->putSchema(s));
        s.set_graph_schema_json("{\"first\":false}");
        QVERIFY(store->putSchema(s));
        const auto got = store->schema("sch-1");
        QVERIFY(got && got->has_value());
        QCOMPARE((*got)->graph_schema_json(), std::string("{\"first\":true}"));
        QVERIFY(!store->schema("nope")->has_value());
    }

    void runSamplesFilter()
    {
        auto store = openStore();
        QVERIFY(store);
        QVERIFY(store->addRunSample(sample("t1", kNow - 30, "", 0.8)));
        QVERIFY(store->addRunSample(sample("t2", kNow - 20, "v2", std::nullopt)));
        QVERIFY(store->addRunSample(sample("t3", kNow - 10, "v2", 0.9)));
        QVERIFY(store->addRunSample(sample("t4", kNow, "", 0.7)));

        SampleQuery all;
        const auto everything = store->runSamples(all);
        QVERIFY(everything);
        QCOMPARE(everything->size(), std::size_t(4));
        QCOMPARE(everything->front().threadId, std::string("t4")); // newest first
        QVERIFY(!(*everything)[2].quality.has_value());
        QCOMPARE(*(*everything)[1].quality, 0.9);

        SampleQuery baseline;
        baseline.optimizationVersion = "";
        QCOMPARE(store->runSamples(baseline)->size(), std::size_t(2));
        SampleQuery canary;
        canary.optimizationVersion = "v2";
        canary.rolloutId = "r1";
        QCOMPARE(store->runSamples(canary)->size(), std::size_t(2));
        SampleQuery window;
        window.sinceUs = kNow - 20;
        window.untilUs = kNow;
        QCOMPARE(store->runSamples(window)->size(), std::size_t(2));
        SampleQuery limited;
        limited.limit = 1;
        QCOMPARE(store->runSamples(limited)->front().threadId, std::string("t4"));
        SampleQuery byInstance;
        byInstance.instanceIds = {"inst-9", "inst-1"};
        QCOMPARE(store->runSamples(byInstance)->size(), std::size_t(4));
        byInstance.instanceIds = {"inst-9"};
        QCOMPARE(store->runSamples(byInstance)->size(), std::size_t(0));
    }

    void retentionPrunesTracesAndSamplesOnly()
    {
        auto store = openStore();
        QVERIFY(store);
        for (int i = 0; i < 6; ++i) {
            pb::TraceSummary t;
            t.set_thread_id("t" + std::to_string(i));
            t.set_started_us(kNow - (10 - i) * kDay); // t0: 10 days old ... t5: 5 days
            QVERIFY(store->upsertTraceSummary(t));
            QVERIFY(store->appendTraceRecords(t.thread_id(), {"r"}));
            QVERIFY(store->addRunSample(sample(t.thread_id(), t.started_us(), "", 0.5)));
        }
        pb::KnowledgeEntry entry;
        QVERIFY(store->createEntry(entry, kNow - 30 * kDay));

        RetentionPolicy policy; // 7 days, 100,000 traces
        QVERIFY(store->prune(policy, kNow));
        pb::SearchTracesRequest all;
        QCOMPARE(ids(store->searchTraces(all)->traces),
                 (std::set<std::string>{"t3", "t4", "t5"})); // t3 is exactly 7 days old: kept
        QVERIFY(store->traceRecords("t0")->empty());
        QCOMPARE(store->traceRecords("t4")->size(), std::size_t(1));
        QCOMPARE(store->runSamples({})->size(), std::size_t(3));

        policy.maxTraces = 1;
        QVERIFY(store->prune(policy, kNow));
        QCOMPARE(ids(store->searchTraces(all)->traces), std::set<std::string>{"t5"});
        QVERIFY(store->traceRecords("t4")->empty());
        QCOMPARE(store->listEntries({})->entries.size(), std::size_t(1));
    }
};

NEXUS_STORE_TEST_MAIN(TestStore)
#include "tst_store.moc"
