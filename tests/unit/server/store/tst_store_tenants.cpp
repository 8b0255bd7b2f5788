// Tenant filters of the store, once per backend (StoreBackend.h): paged
// lists (traces, entries and their counts, rollouts, audit) and run samples
// filter by tenant in SQL, so pages and totals count only what the caller
// may see; migration 4 gives old entries and rollouts their tenant from
// their data and old audit records "".
#include "server/store/Migrations.h"
#include "server/store/PgMigrations.h"

#include "StoreBackend.h"

#include <QTest>

#include <set>

using namespace nexus::server;
using nexus::test::Backend;
namespace pb = nexus::v1;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000'000;

template <class Items, class Id> std::set<std::string> idsOf(const Items& items, Id id)
{
    std::set<std::string> out;
    for (const auto& item : items)
        out.insert(id(item));
    return out;
}

const std::vector<std::string> kAcme{"acme"};

} // namespace

class TestStoreTenants : public QObject
{
    Q_OBJECT

    nexus::test::StoreFixture fixture_;

    std::string version(Store& store, const std::string& graph)
    {
        pb::OptimizationVersion v;
        v.set_graph_name(graph);
        v.set_node_id("n");
        v.set_state(pb::VERSION_STATE_CANDIDATE);
        return store.createVersion(v, kNow)->version_id();
    }

public:
    explicit TestStoreTenants(Backend backend) : fixture_(backend) {}

private slots:
    void initTestCase()
    {
        QString why;
        if (!fixture_.initBackend(&why))
            QSKIP(qPrintable(why));
        qInfo("store backend: %s", fixture_.name());
    }

    void init() { QVERIFY(fixture_.freshDatabase()); }

    void listsFilterByTenantBeforePaging()
    {
        auto store = fixture_.open();
        QVERIFY(store);
        // 5 globex traces started after 3 acme ones: an API-side filter after
        // paging would return an empty first page of 2.
        for (int i = 0; i < 8; ++i) {
            pb::TraceSummary t;
            t.set_thread_id("t" + std::to_string(i));
            t.set_tenant_id(i < 3 ? "acme" : "globex");
            t.set_started_us(kNow + i);
            QVERIFY(store->upsertTraceSummary(t));
        }
        pb::SearchTracesRequest page;
        page.set_page_size(2);
        const auto first = store->searchTraces(page, TenantFilter{kAcme, {}});
        QVERIFY(first);
        QCOMPARE(first->totalMatches, std::int64_t(3));
        const auto thread = [](const pb::TraceSummary& t) { return t.thread_id(); };
        QCOMPARE(idsOf(first->traces, thread), (std::set<std::string>{"t2", "t1"}));
        page.set_page_token(first->nextPageToken);
        QCOMPARE(idsOf(store->searchTraces(page, TenantFilter{kAcme, {}})->traces, thread),
                 (std::set<std::string>{"t0"}));
        QCOMPARE(store->searchTraces({})->totalMatches, std::int64_t(8)); // unscoped

        for (const char* tenant : {"acme", "globex", "globex"}) {
            pb::KnowledgeEntry e;
            e.set_tenant_id(tenant);
            QVERIFY(store->createEntry(e, kNow));
        }
        const auto entries = store->listEntries({}, TenantFilter{kAcme, {}});
        QVERIFY(entries);
        QCOMPARE(entries->entries.size(), std::size_t(1));
        QCOMPARE(entries->entries.front().tenant_id(), std::string("acme"));
        for (const auto& [status, count] : entries->countsByStatus)
            QCOMPARE(count, std::int64_t(status == "pending" ? 1 : 0));
        QCOMPARE(store->listEntries({})->entries.size(), std::size_t(3));

        for (const char* tenant : {"acme", "globex", ""}) {
            pb::Rollout r;
            r.set_version_id(version(*store, std::string("g-") + tenant));
            r.set_graph_name(std::string("g-") + tenant);
            r.set_tenant_id(tenant);
            r.set_phase(pb::ROLLOUT_PHASE_PROGRESSING);
            QVERIFY(store->createRollout(r));
        }
        const auto graph = [](const pb::Rollout& r) { return r.graph_name(); };
        QCOMPARE(idsOf(*store->listRollouts(true, {}, TenantFilter{{"acme", ""}, {}}), graph),
                 (std::set<std::string>{"g-acme", "g-"}));
        QCOMPARE(store->listRollouts(false, {})->size(), std::size_t(3));
        // The tenant is kept through an update.
        auto acme = store->listRollouts(false, "g-acme")->front();
        acme.set_weight_percent(5);
        QVERIFY(store->updateRollout(acme));
        QCOMPARE(store->listRollouts(false, {}, TenantFilter{kAcme, {}})->size(), std::size_t(1));

        const std::pair<const char*, const char*> records[] = {
            {"ann", "acme"}, {"gus", "globex"}, {"ann", "globex"}, {"olga", ""}};
        for (const auto& [actor, tenant] : records) {
            pb::AuditRecord record;
            record.set_actor(actor);
            record.set_tenant_id(tenant);
            QVERIFY(store->appendAudit(record));
        }
        const auto actorTenant = [](const pb::AuditRecord& r) {
            return r.actor() + "/" + r.tenant_id();
        };
        // acme's records and ann's own, not gus's or olga's.
        QCOMPARE(idsOf(store->listAudit({}, TenantFilter{kAcme, "ann"})->records, actorTenant),
                 (std::set<std::string>{"ann/acme", "ann/globex"}));
        pb::ListAuditRequest globex;
        globex.set_tenant_id("globex");
        QCOMPARE(store->listAudit(globex)->records.size(), std::size_t(2));
        QCOMPARE(store->listAudit({})->records.size(), std::size_t(4));
    }

    void runSamplesFilterByTenant()
    {
        auto store = fixture_.open();
        QVERIFY(store);
        for (int i = 0; i < 4; ++i) {
            RunSample s;
            s.threadId = "run" + std::to_string(i);
            s.tenantId = i == 0 ? "acme" : "globex";
            s.endedUs = kNow + i;
            QVERIFY(store->addRunSample(s));
        }
        SampleQuery acme;
        acme.tenants = kAcme;
        const auto runs = store->runSamples(acme);
        QVERIFY(runs);
        QCOMPARE(runs->size(), std::size_t(1));
        QCOMPARE(runs->front().threadId, std::string("run0"));
        QCOMPARE(store->runSamples({})->size(), std::size_t(4));
    }

    void migrationFourBackfillsTenants()
    {
        {
            // A database of migrations 1..3 with an entry, a rollout and an audit record.
            auto raw = fixture_.raw();
            const std::string integer = fixture_.isPostgres() ? "BIGINT" : "INTEGER";
            QVERIFY(raw->exec("CREATE TABLE schema_migrations (version " + integer +
                              " PRIMARY KEY, name TEXT NOT NULL, applied_us " + integer +
                              " NOT NULL);"));
            for (int v = 1; v <= 3; ++v) {
                const std::string sql =
                    fixture_.isPostgres()
                        ? nexus::server::pg::pgSchemaMigrations().at(std::size_t(v - 1)).sql
                        : sqlite::schemaMigrations().at(std::size_t(v - 1)).sql;
                QVERIFY2(raw->exec(sql), raw->lastError().c_str());
                QVERIFY(raw->exec("INSERT INTO schema_migrations VALUES(" + std::to_string(v) +
                                  ", 'm', 1)"));
            }
            pb::KnowledgeEntry e;
            e.set_entry_id("e1");
            e.set_tenant_id("acme");
            QVERIFY2(raw->exec("INSERT INTO knowledge_entries(entry_id, kind, status, revision,"
                               " created_us, updated_us, data) VALUES('e1', 1, 1, 1, 1, 1, " +
                               raw->blobLiteral(e.SerializeAsString()) + ")"),
                     raw->lastError().c_str());
            pb::OptimizationVersion v;
            v.set_version_id("v1");
            QVERIFY2(raw->exec("INSERT INTO optimization_versions(version_id, graph_name,"
                               " node_id, state, created_us, data) VALUES('v1', 'g', 'n', 1, 1, " +
                               raw->blobLiteral(v.SerializeAsString()) + ")"),
                     raw->lastError().c_str());
            pb::Rollout r;
            r.set_rollout_id("r1");
            r.set_tenant_id("globex");
            QVERIFY2(raw->exec("INSERT INTO rollouts(rollout_id, version_id, graph_name, phase,"
                               " revision, created_us, updated_us, data) VALUES('r1', 'v1', 'g',"
                               " 1, 1, 1, 1, " +
                               raw->blobLiteral(r.SerializeAsString()) + ")"),
                     raw->lastError().c_str());
            QVERIFY(raw->exec("INSERT INTO audit_log(at_us, actor, action, target, request_id,"
                              " data) VALUES(5, 'bob', 'x', '', '', " +
                              raw->blobLiteral(pb::AuditRecord().SerializeAsString()) + ")"));
        }
        auto store = fixture_.open();
        QVERIFY(store);
        QCOMPARE(store->listEntries({}, TenantFilter{kAcme, {}})->entries.size(), std::size_t(1));
        QCOMPARE(store->listRollouts(false, {}, TenantFilter{{"globex"}, {}})->size(),
                 std::size_t(1));
        QCOMPARE(store->listRollouts(false, {}, TenantFilter{kAcme, {}})->size(), std::size_t(0));
        QCOMPARE(store->listAudit({}, TenantFilter{{""}, {}})->records.size(), std::size_t(1));
    }
};

NEXUS_STORE_TEST_MAIN(TestStoreTenants)
#include "tst_store_tenants.moc"
