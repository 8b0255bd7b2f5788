// PostgresStore under what only a shared database server sees: concurrent
// writers on different connections and in different processes (reviews by
// request id, stale reviews, rollout revisions, remembered requests, first
// opens racing to migrate), a server restart between calls, and passwords
// kept out of error messages. Also openStore()'s choice of backend.
#include "server/store/OpenStore.h"
#include "server/store/PgMigrations.h"
#include "server/store/PostgresStore.h"

#include "StoreBackend.h"

#include <QProcess>
#include <QTest>

#include <atomic>
#include <cstdio>
#include <thread>

using namespace nexus::server;
namespace pb = nexus::v1;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000'000;
constexpr int kWriters = 4;

pb::ReviewEntryRequest review(const std::string& entryId, std::int64_t seen,
                              const std::string& requestId)
{
    pb::ReviewEntryRequest r;
    r.set_entry_id(entryId);
    r.set_seen_revision(seen);
    r.set_decision(pb::REVIEW_DECISION_APPROVE);
    r.set_request_id(requestId);
    return r;
}

// Child process mode: `--child open URI` or `--child review URI ENTRY REQUEST SEEN`.
// Prints one word (opened / applied / replayed / stale) or "error: ...".
int runChild(int argc, char** argv)
{
    const std::string what = argv[2];
    auto store = PostgresStore::open(argv[3]);
    if (!store) {
        std::printf("error: %s\n", store.error().message.c_str());
        return 1;
    }
    if (what == "open") {
        std::printf("opened\n");
        return 0;
    }
    if (what == "review" && argc >= 7) {
        const auto r =
            (*store)->reviewEntry(review(argv[4], std::stoll(argv[6]), argv[5]), "child", kNow);
        if (r)
            std::printf(r->replayed ? "replayed\n" : "applied\n");
        else if (r.error().code == StoreError::Code::Stale)
            std::printf("stale\n");
        else
            std::printf("error: %s\n", r.error().message.c_str());
        return 0;
    }
    return 2;
}

} // namespace

class TestStorePostgres : public QObject
{
    Q_OBJECT

    std::unique_ptr<nexus::test::PgTestCluster> cluster_;
    QString why_;
    std::string uri_;

    // Separate stores = separate connection pools, as separate nexusd
    // processes would have.
    std::vector<std::unique_ptr<PostgresStore>> stores(int n)
    {
        std::vector<std::unique_ptr<PostgresStore>> out;
        for (int i = 0; i < n; ++i) {
            auto s = PostgresStore::open(uri_);
            if (!s) {
                qWarning() << s.error().message.c_str();
                return {};
            }
            out.push_back(std::move(*s));
        }
        return out;
    }

    // Runs `work(i)` on n threads released together.
    template <class Work> static void together(int n, Work work)
    {
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i)
            threads.emplace_back([&, i] {
                ++ready;
                while (ready.load() < n)
                    std::this_thread::yield();
                work(i);
            });
        for (auto& t : threads)
            t.join();
    }

    // Starts n children of this executable at once; returns their outputs.
    QStringList children(int n, const QStringList& args)
    {
        std::vector<std::unique_ptr<QProcess>> procs;
        for (int i = 0; i < n; ++i) {
            procs.push_back(std::make_unique<QProcess>());
            procs.back()->start(QCoreApplication::applicationFilePath(),
                                QStringList{"--child"} + args);
        }
        QStringList out;
        for (auto& p : procs) {
            p->waitForFinished(60'000);
            out << QString::fromLocal8Bit(p->readAllStandardOutput()).trimmed();
        }
        return out;
    }

    std::string newEntry(Store& store)
    {
        pb::KnowledgeEntry e;
        e.set_title("concurrent");
        const auto created = store.createEntry(e, kNow);
        return created ? created->entry_id() : std::string();
    }

private slots:
    void initTestCase() { cluster_ = nexus::test::PgTestCluster::start(&why_); }

    void init()
    {
        if (!cluster_ && QByteArray(QTest::currentTestFunction()) != "openStoreChoosesTheBackend")
            QSKIP(qPrintable(why_));
        if (cluster_) {
            uri_ = cluster_->createDatabase();
            QVERIFY(!uri_.empty());
        }
    }

    void openStoreChoosesTheBackend()
    {
        QTemporaryDir dir;
        const std::string fallback = dir.filePath("default.db").toStdString();
        QVERIFY(openStore("", fallback));
        QVERIFY(QFile::exists(QString::fromStdString(fallback)));
        const std::string named = dir.filePath("named.db").toStdString();
        QVERIFY(openStore("sqlite:" + named, fallback));
        QVERIFY(QFile::exists(QString::fromStdString(named)));
        const std::string plain = dir.filePath("plain.db").toStdString();
        QVERIFY(openStore(plain, fallback));
        QVERIFY(QFile::exists(QString::fromStdString(plain)));
        QCOMPARE(storeKindOf("postgresql://h/db"), StoreKind::Postgres);
        QCOMPARE(storeKindOf("postgres://h/db"), StoreKind::Postgres);
        QCOMPARE(storeKindOf("/var/lib/nexus/postgres.db"), StoreKind::Sqlite);
        QCOMPARE(describeStoreSpec("postgres://nexus:hunter2@db:5432/nexus", fallback),
                 std::string("PostgreSQL postgres://nexus:***@db:5432/nexus"));
        QCOMPARE(describeStoreSpec("postgres://db/nexus?password=hunter2&sslmode=require", ""),
                 std::string("PostgreSQL postgres://db/nexus?password=***&sslmode=require"));
    }

    void passwordsNeverAppearInErrors()
    {
        // A database that does not exist, and a port nobody listens on.
        for (const std::string& uri :
             {"postgres://nexus:s3cret-pw@127.0.0.1:" + std::to_string(cluster_->port()) +
                  "/no_such_db",
              std::string("postgresql://nexus:s3cret-pw@127.0.0.1:1/nexus?connect_timeout=5")}) {
            const auto store = openStore(uri, "");
            QVERIFY(!store);
            QCOMPARE(store.error().code, StoreError::Code::Io);
            const std::string& message = store.error().message;
            QVERIFY2(message.find("s3cret-pw") == std::string::npos, message.c_str());
            QVERIFY2(message.find("nexus:***@127.0.0.1") != std::string::npos, message.c_str());
        }
    }

    void concurrentRetriesOnSeparateConnectionsApplyOnce()
    {
        auto s = stores(kWriters);
        QCOMPARE(s.size(), std::size_t(kWriters));
        const std::string id = newEntry(*s[0]);
        std::atomic<int> applied{0}, replayed{0}, failed{0};
        together(kWriters, [&](int i) {
            const auto r = s[i]->reviewEntry(review(id, 1, "req-race"), "alice", kNow);
            if (!r)
                ++failed;
            else
                ++(r->replayed ? replayed : applied);
        });
        QCOMPARE(applied.load(), 1);
        QCOMPARE(replayed.load(), kWriters - 1);
        QCOMPARE(failed.load(), 0);
        const auto got = s[0]->getEntry(id);
        QCOMPARE(got->reviews_size(), 1);
        QCOMPARE(got->entry().revision(), std::int64_t(2));
    }

    void concurrentStaleReviewsLetExactlyOneWin()
    {
        auto s = stores(kWriters);
        QCOMPARE(s.size(), std::size_t(kWriters));
        const std::string id = newEntry(*s[0]);
        std::atomic<int> applied{0}, stale{0}, other{0};
        together(kWriters, [&](int i) {
            const auto r = s[i]->reviewEntry(review(id, 1, "req-" + std::to_string(i)),
                                             "r" + std::to_string(i), kNow + i);
            if (r && !r->replayed)
                ++applied;
            else if (!r && r.error().code == StoreError::Code::Stale)
                ++stale;
            else
                ++other;
        });
        QCOMPARE(applied.load(), 1);
        QCOMPARE(stale.load(), kWriters - 1);
        QCOMPARE(other.load(), 0);
        QCOMPARE(s[0]->getEntry(id)->reviews_size(), 1);
    }

    void concurrentRolloutUpdatesLetExactlyOneWin()
    {
        auto s = stores(kWriters);
        QCOMPARE(s.size(), std::size_t(kWriters));
        pb::OptimizationVersion v;
        v.set_graph_name("g");
        const auto version = s[0]->createVersion(v, kNow);
        pb::Rollout r;
        r.set_version_id(version->version_id());
        r.set_graph_name("g");
        const auto created = s[0]->createRollout(r);
        QVERIFY(created);
        std::atomic<int> won{0}, stale{0};
        together(kWriters, [&](int i) {
            pb::Rollout mine = *created;
            mine.set_weight_percent(10 * (i + 1));
            const auto u = s[i]->updateRollout(mine);
            if (u)
                ++won;
            else if (u.error().code == StoreError::Code::Stale)
                ++stale;
        });
        QCOMPARE(won.load(), 1);
        QCOMPARE(stale.load(), kWriters - 1);
        QCOMPARE((*s[0]->rollout(created->rollout_id()))->revision(), std::int64_t(2));
    }

    void concurrentRememberRequestKeepsTheFirst()
    {
        auto s = stores(kWriters);
        QCOMPARE(s.size(), std::size_t(kWriters));
        std::atomic<int> stored{0}, taken{0};
        together(kWriters, [&](int i) {
            const auto r = s[i]->rememberRequest("req-1", "rollout.promote",
                                                 "response " + std::to_string(i), kNow);
            if (r)
                ++stored;
            else if (r.error().code == StoreError::Code::AlreadyExists)
                ++taken;
        });
        QCOMPARE(stored.load(), 1);
        QCOMPARE(taken.load(), kWriters - 1);
        QVERIFY(s[0]->findRequest("req-1")->has_value());
    }

    void concurrentFirstOpensInSeparateProcessesMigrateOnce()
    {
        const QStringList out = children(kWriters, {"open", QString::fromStdString(uri_)});
        QCOMPARE(out, QStringList(kWriters, "opened"));
        nexus::test::PgRawDb raw(uri_);
        QCOMPARE(raw.column("SELECT COUNT(*) FROM schema_migrations"),
                 std::vector<std::string>{std::to_string(pg::pgSchemaMigrations().size())});
    }

    void concurrentReviewsInSeparateProcessesApplyOnce()
    {
        auto s = stores(1);
        QCOMPARE(s.size(), std::size_t(1));
        const std::string id = newEntry(*s[0]);
        QStringList out = children(kWriters, {"review", QString::fromStdString(uri_),
                                              QString::fromStdString(id), "req-proc", "1"});
        out.sort();
        QStringList expected{"applied"};
        for (int i = 1; i < kWriters; ++i)
            expected << "replayed";
        QCOMPARE(out, expected);
        QCOMPARE(s[0]->getEntry(id)->reviews_size(), 1);

        // Different request ids, the same seen revision: one wins, the rest are stale.
        const std::string other = newEntry(*s[0]);
        QStringList results;
        std::vector<std::unique_ptr<QProcess>> procs;
        for (int i = 0; i < kWriters; ++i) {
            procs.push_back(std::make_unique<QProcess>());
            procs.back()->start(QCoreApplication::applicationFilePath(),
                                {"--child", "review", QString::fromStdString(uri_),
                                 QString::fromStdString(other), QString("req-p%1").arg(i), "1"});
        }
        for (auto& p : procs) {
            QVERIFY(p->waitForFinished(60'000));
            results << QString::fromLocal8Bit(p->readAllStandardOutput()).trimmed();
        }
        results.sort();
        QStringList oneWins{"applied"};
        for (int i = 1; i < kWriters; ++i)
            oneWins << "stale";
        QCOMPARE(results, oneWins);
    }

    void aRoleWithoutAuditRightsUsesTheStoreButCannotEditTheLog()
    {
        // DEPLOYMENT.md: the owner migrates, nexusd runs as a role with only
        // what it needs.
        QVERIFY(stores(1).size() == 1);
        nexus::test::PgRawDb owner(uri_);
        for (const char* sql :
             {"DROP ROLE IF EXISTS nexus_rt", "CREATE ROLE nexus_rt LOGIN",
              "GRANT USAGE ON SCHEMA public TO nexus_rt",
              "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO nexus_rt",
              "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM nexus_rt",
              "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO nexus_rt"})
            QVERIFY2(owner.exec(sql), owner.lastError().c_str());
        std::string roleUri = uri_;
        roleUri.replace(roleUri.find("postgres@"), 9, "nexus_rt@");

        auto store = PostgresStore::open(roleUri);
        QVERIFY2(store, store ? "" : store.error().message.c_str());
        pb::AuditRecord record;
        record.set_actor("alice");
        QVERIFY((*store)->appendAudit(record));
        QCOMPARE((*store)->listAudit({})->records.size(), std::size_t(1));
        QVERIFY(newEntry(**store).size() == 36);

        nexus::test::PgRawDb asRole(roleUri);
        QVERIFY(!asRole.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"));
        QVERIFY(!asRole.exec("DROP TRIGGER audit_log_no_delete ON audit_log"));
        QVERIFY(!asRole.exec("DELETE FROM audit_log"));
        QCOMPARE(asRole.column("SELECT COUNT(*) FROM audit_log"), std::vector<std::string>{"1"});
        owner.exec("DROP OWNED BY nexus_rt");
        owner.exec("DROP ROLE nexus_rt");
    }

    void aLostConnectionIsIoAndTheNextCallReconnects()
    {
        auto s = stores(1);
        QCOMPARE(s.size(), std::size_t(1));
        pb::Instance instance;
        instance.set_instance_id("inst-a");
        QVERIFY(s[0]->upsertInstance(instance));

        QString out;
        QVERIFY2(cluster_->restart(&out), qPrintable(out));

        const auto lost = s[0]->listInstances();
        QVERIFY(!lost);
        QCOMPARE(lost.error().code, StoreError::Code::Io);
        QVERIFY2(lost.error().message.find("connection to PostgreSQL was lost") !=
                     std::string::npos,
                 lost.error().message.c_str());

        const auto again = s[0]->listInstances();
        QVERIFY2(again, again ? "" : again.error().message.c_str());
        QCOMPARE(again->size(), std::size_t(1));
        QCOMPARE(again->front().instance_id(), std::string("inst-a"));
    }
};

int main(int argc, char** argv)
{
    if (argc >= 4 && std::string(argv[1]) == "--child")
        return runChild(argc, argv);
    QCoreApplication app(argc, argv);
    TestStorePostgres test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_store_postgres.moc"
