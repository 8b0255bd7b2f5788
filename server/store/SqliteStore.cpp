// SqliteStore: opening, instances, traces, schemas, run samples, retention.
// Knowledge is in SqliteStoreKnowledge.cpp, versions/rollouts/requests/audit
// in SqliteStoreRollouts.cpp.
#include "server/store/SqliteStore.h"

#include "server/store/Migrations.h"
#include "server/store/PageToken.h"
#include "server/store/SqliteStoreInternal.h"
#include "server/store/StoreSql.h"

#include <algorithm>
#include <chrono>

namespace nexus::server {

using namespace sqlite;

namespace {

std::int64_t systemNowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string pragmaText(SqliteDb& db, const std::string& pragma)
{
    auto stmt = db.prepareOnce("PRAGMA " + pragma);
    return stmt.step() ? stmt.textAt(0) : std::string();
}

} // namespace

SqliteStore::SqliteStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

SqliteStore::~SqliteStore() = default;

StoreResult<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                            const SqliteStoreOptions& options)
{
    try {
        auto db = SqliteDb::open(path, options.busyTimeoutMs);
        const std::string mode = pragmaText(*db, "journal_mode=WAL");
        if (mode != "wal" && mode != "memory")
            return StoreError{StoreError::Code::Io,
                              "cannot switch " + path + " to WAL mode (it stays in " + mode + ")"};
        db->exec(options.synchronousFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        db->exec("PRAGMA foreign_keys=ON");
        migrate(*db, systemNowUs());
        return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
    } catch (const DbError& e) {
        return StoreError{e.code, path + ": " + e.what()};
    } catch (const std::exception& e) {
        return StoreError{StoreError::Code::Io, path + ": " + e.what()};
    }
}

// --- instances

StoreStatus SqliteStore::upsertInstance(const pb::Instance& instance)
{
    return locked([&]() -> StoreStatus {
        if (instance.instance_id().empty())
            return StoreError{StoreError::Code::Invalid, "an instance needs an instance_id"};
        db_->prepare("INSERT INTO instances(instance_id, deployment, tenant_id, last_seen_us, data)"
                     " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(instance_id) DO UPDATE SET"
                     " deployment = ?2, tenant_id = ?3, last_seen_us = ?4, data = ?5")
            .bindAll(instance.instance_id(), instance.deployment(), instance.tenant_id(),
                     instance.last_seen_us(), blobOf(instance.SerializeAsString()))
            .run();
        return protocol::Ok{};
    });
}

StoreResult<std::vector<pb::Instance>> SqliteStore::listInstances()
{
    return locked([&]() -> StoreResult<std::vector<pb::Instance>> {
        std::vector<pb::Instance> out;
        auto stmt = db_->prepare("SELECT data FROM instances ORDER BY instance_id");
        while (stmt.step())
            out.push_back(parseStored<pb::Instance>(stmt.blobAt(0), "instance"));
        return out;
    });
}

// --- traces

StoreStatus SqliteStore::appendTraceRecords(const std::string& threadId,
                                            const std::vector<std::string>& recordValues)
{
    return locked([&]() -> StoreStatus {
        if (threadId.empty())
            return StoreError{StoreError::Code::Invalid, "trace records need a thread_id"};
        if (recordValues.empty())
            return protocol::Ok{};
        Transaction tx(*db_);
        std::int64_t next = 0;
        {
            auto last = db_->prepare(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM trace_records WHERE thread_id = ?1");
            last.bindAll(threadId);
            last.step();
            next = last.int64At(0);
        }
        auto insert =
            db_->prepare("INSERT INTO trace_records(thread_id, seq, value) VALUES(?1, ?2, ?3)");
        for (const std::string& value : recordValues) {
            insert.bindAll(threadId, next++, Blob{value});
            insert.run();
        }
        tx.commit();
        return protocol::Ok{};
    });
}

StoreStatus SqliteStore::upsertTraceSummary(const pb::TraceSummary& s)
{
    return locked([&]() -> StoreStatus {
        if (s.thread_id().empty())
            return StoreError{StoreError::Code::Invalid, "a trace summary needs a thread_id"};
        const std::int64_t activity = std::max({s.started_us(), s.ended_us(), s.last_seen_us()});
        db_->prepare(
               "INSERT INTO traces(thread_id, tenant_id, instance_id, deployment, graph_name,"
               " status, started_us, ended_us, duration_us, cost_micros, error, activity_us, data)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
               " ON CONFLICT(thread_id) DO UPDATE SET tenant_id = ?2, instance_id = ?3,"
               " deployment = ?4, graph_name = ?5, status = ?6, started_us = ?7, ended_us = ?8,"
               " duration_us = ?9, cost_micros = ?10, error = ?11, activity_us = ?12, data = ?13")
            .bindAll(s.thread_id(), s.tenant_id(), s.instance_id(), s.deployment(), s.graph_name(),
                     s.status(), s.started_us(), s.ended_us(), s.duration_us(), s.cost_micros(),
                     s.error(), activity, blobOf(s.SerializeAsString()))
            .run();
        return protocol::Ok{};
    });
}

StoreResult<std::optional<pb::TraceSummary>> SqliteStore::traceSummary(const std::string& threadId)
{
    return locked([&]() -> StoreResult<std::optional<pb::TraceSummary>> {
        auto stmt = db_->prepare("SELECT data FROM traces WHERE thread_id = ?1");
        stmt.bindAll(threadId);
        if (!stmt.step())
            return std::optional<pb::TraceSummary>();
        return std::optional(parseStored<pb::TraceSummary>(stmt.blobAt(0), "trace summary"));
    });
}

StoreResult<std::vector<std::string>> SqliteStore::traceRecords(const std::string& threadId)
{
    return locked([&]() -> StoreResult<std::vector<std::string>> {
        std::vector<std::string> out;
        auto stmt =
            db_->prepare("SELECT value FROM trace_records WHERE thread_id = ?1 ORDER BY seq");
        stmt.bindAll(threadId);
        while (stmt.step())
            out.push_back(stmt.blobAt(0));
        return out;
    });
}

namespace {

SqlFilter traceFilter(const pb::SearchTracesRequest& r)
{
    SqlFilter f;
    if (!r.instance_id().empty())
        f.add("instance_id = ?", {r.instance_id()});
    if (!r.deployment().empty())
        f.add("deployment = ?", {r.deployment()});
    if (!r.graph_name().empty())
        f.add("graph_name = ?", {r.graph_name()});
    if (!r.tenant_id().empty())
        f.add("tenant_id = ?", {r.tenant_id()});
    if (r.status() != pb::RUN_STATUS_UNSPECIFIED)
        f.add("status = ?", {std::int64_t{r.status()}});
    if (r.start_us() > 0)
        f.add("started_us >= ?", {r.start_us()});
    if (r.end_us() > 0)
        f.add("started_us < ?", {r.end_us()});
    if (r.min_duration_us() > 0)
        f.add("duration_us >= ?", {r.min_duration_us()});
    if (r.max_duration_us() > 0)
        f.add("duration_us <= ?", {r.max_duration_us()});
    if (r.min_cost_micros() > 0)
        f.add("cost_micros >= ?", {r.min_cost_micros()});
    if (!r.text().empty()) {
        const std::string p = containsPattern(r.text());
        f.add("thread_id LIKE ? ESCAPE '\\' OR graph_name LIKE ? ESCAPE '\\'"
              " OR instance_id LIKE ? ESCAPE '\\' OR error LIKE ? ESCAPE '\\'",
              {p, p, p, p});
    }
    return f;
}

using storesql::traceOrder;

} // namespace

StoreResult<TracePage> SqliteStore::searchTraces(const pb::SearchTracesRequest& request,
                                                 const TenantFilter& scope)
{
    const auto offset = decodePageToken(request.page_token(), 't');
    if (!offset)
        return offset.error();
    const std::int64_t size = pageSize(request.page_size(), 50, 1000);

    return locked([&]() -> StoreResult<TracePage> {
        SqlFilter filter = traceFilter(request);
        addTenantFilter(filter, scope.tenants);
        TracePage page;
        {
            auto count = db_->prepareOnce("SELECT COUNT(*) FROM traces" + filter.sql());
            filter.bindTo(count);
            count.step();
            page.totalMatches = count.int64At(0);
        }
        auto stmt = db_->prepareOnce("SELECT data FROM traces" + filter.sql() +
                                     traceOrder(request.sort()) + " LIMIT ? OFFSET ?");
        const int next = filter.bindTo(stmt);
        stmt.bind(next, size).bind(next + 1, *offset);
        while (stmt.step())
            page.traces.push_back(parseStored<pb::TraceSummary>(stmt.blobAt(0), "trace summary"));
        const std::int64_t end = *offset + static_cast<std::int64_t>(page.traces.size());
        if (end < page.totalMatches && !page.traces.empty())
            page.nextPageToken = encodePageToken('t', end);
        return page;
    });
}

StoreStatus SqliteStore::putSchema(const pb::GraphSchema& schema)
{
    return locked([&]() -> StoreStatus {
        if (schema.schema_id().empty())
            return StoreError{StoreError::Code::Invalid, "a graph schema needs a schema_id"};
        db_->prepare("INSERT OR IGNORE INTO graph_schemas(schema_id, graph_name, data)"
                     " VALUES(?1, ?2, ?3)")
            .bindAll(schema.schema_id(), schema.graph_name(), blobOf(schema.SerializeAsString()))
            .run();
        return protocol::Ok{};
    });
}

StoreResult<std::optional<pb::GraphSchema>> SqliteStore::schema(const std::string& schemaId)
{
    return locked([&]() -> StoreResult<std::optional<pb::GraphSchema>> {
        auto stmt = db_->prepare("SELECT data FROM graph_schemas WHERE schema_id = ?1");
        stmt.bindAll(schemaId);
        if (!stmt.step())
            return std::optional<pb::GraphSchema>();
        return std::optional(parseStored<pb::GraphSchema>(stmt.blobAt(0), "graph schema"));
    });
}

// --- run samples

StoreStatus SqliteStore::addRunSample(const RunSample& s)
{
    return locked([&]() -> StoreStatus {
        db_->prepare(
               "INSERT OR IGNORE INTO run_samples(thread_id, tenant_id, instance_id, deployment,"
               " version, graph_name, optimization_version, rollout_id, ended_us,"
               " duration_us, failed, quality, tokens, cost_micros)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
            .bindAll(s.threadId, s.tenantId, s.instanceId, s.deployment, s.version, s.graphName,
                     s.optimizationVersion, s.rolloutId, s.endedUs, s.durationUs, s.failed,
                     s.quality, s.tokens, s.costMicros)
            .run();
        return protocol::Ok{};
    });
}

StoreResult<std::vector<RunSample>> SqliteStore::runSamples(const SampleQuery& q)
{
    return locked([&]() -> StoreResult<std::vector<RunSample>> {
        SqlFilter f;
        if (q.sinceUs > 0)
            f.add("ended_us >= ?", {q.sinceUs});
        if (q.untilUs > 0)
            f.add("ended_us < ?", {q.untilUs});
        if (!q.instanceIds.empty()) {
            std::vector<SqlFilter::Value> ids(q.instanceIds.begin(), q.instanceIds.end());
            std::string clause = "instance_id IN (" + placeholders(ids.size()) + ")";
            f.add(std::move(clause), std::move(ids));
        }
        if (!q.deployments.empty()) {
            std::vector<SqlFilter::Value> ds(q.deployments.begin(), q.deployments.end());
            std::string clause = "deployment IN (" + placeholders(ds.size()) + ")";
            f.add(std::move(clause), std::move(ds));
        }
        if (!q.graphName.empty())
            f.add("graph_name = ?", {q.graphName});
        if (q.optimizationVersion)
            f.add("optimization_version = ?", {*q.optimizationVersion});
        if (!q.rolloutId.empty())
            f.add("rollout_id = ?", {q.rolloutId});
        addTenantFilter(f, q.tenants);

        std::string sql = "SELECT thread_id, tenant_id, instance_id, deployment, version,"
                          " graph_name, optimization_version, rollout_id, ended_us, duration_us,"
                          " failed, quality, tokens, cost_micros, sample_id FROM run_samples" +
                          f.sql() + " ORDER BY ended_us DESC, sample_id DESC";
        if (q.limit > 0)
            sql += " LIMIT " + std::to_string(q.limit);
        auto stmt = db_->prepareOnce(sql);
        f.bindTo(stmt);

        std::vector<RunSample> out;
        while (stmt.step()) {
            RunSample s;
            s.threadId = stmt.textAt(0);
            s.tenantId = stmt.textAt(1);
            s.instanceId = stmt.textAt(2);
            s.deployment = stmt.textAt(3);
            s.version = stmt.textAt(4);
            s.graphName = stmt.textAt(5);
            s.optimizationVersion = stmt.textAt(6);
            s.rolloutId = stmt.textAt(7);
            s.endedUs = stmt.int64At(8);
            s.durationUs = stmt.int64At(9);
            s.failed = stmt.int64At(10) != 0;
            if (!stmt.isNull(11))
                s.quality = stmt.doubleAt(11);
            s.tokens = stmt.int64At(12);
            s.costMicros = stmt.int64At(13);
            s.sampleId = stmt.int64At(14);
            out.push_back(std::move(s));
        }
        return out;
    });
}

// --- retention

StoreStatus SqliteStore::prune(const RetentionPolicy& policy, std::int64_t nowUs)
{
    return locked([&]() -> StoreStatus {
        Transaction tx(*db_);
        if (policy.traceMaxAgeUs > 0) {
            const std::int64_t cutoff = nowUs - policy.traceMaxAgeUs;
            db_->prepare("DELETE FROM trace_records WHERE thread_id IN"
                         " (SELECT thread_id FROM traces WHERE activity_us < ?1)")
                .bindAll(cutoff)
                .run();
            db_->prepare("DELETE FROM traces WHERE activity_us < ?1").bindAll(cutoff).run();
        }
        if (policy.maxTraces > 0) {
            const char* beyond = "SELECT thread_id FROM traces"
                                 " ORDER BY activity_us DESC, thread_id DESC LIMIT -1 OFFSET ?1";
            db_->prepare(std::string("DELETE FROM trace_records WHERE thread_id IN (") + beyond +
                         ")")
                .bindAll(policy.maxTraces)
                .run();
            db_->prepare(std::string("DELETE FROM traces WHERE thread_id IN (") + beyond + ")")
                .bindAll(policy.maxTraces)
                .run();
        }
        if (policy.sampleMaxAgeUs > 0)
            db_->prepare("DELETE FROM run_samples WHERE ended_us < ?1")
                .bindAll(nowUs - policy.sampleMaxAgeUs)
                .run();
        tx.commit();
        return protocol::Ok{};
    });
}

} // namespace nexus::server
