// PostgresStore: opening, instances, traces, schemas, run samples, retention.
// Knowledge is in PostgresStoreKnowledge.cpp, versions/rollouts/requests/audit
// in PostgresStoreRollouts.cpp.
#include "server/store/PostgresStore.h"

#include "server/store/PageToken.h"
#include "server/store/PgMigrations.h"
#include "server/store/PostgresStoreInternal.h"
#include "server/store/StoreSql.h"

#include <algorithm>
#include <chrono>

namespace nexus::server {

using namespace pg;
using sqlite::decodePageToken;
using sqlite::encodePageToken;
using sqlite::pageSize;

namespace {

std::int64_t systemNowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

PostgresStore::PostgresStore(std::unique_ptr<Pool> pool, const PostgresStoreOptions& options)
    : pool_(std::move(pool)), options_(options)
{}

PostgresStore::~PostgresStore() = default;

StoreResult<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& conninfo,
                                                                const PostgresStoreOptions& options)
{
    const std::string where = maskConninfo(conninfo);
    if (options.poolSize < 1)
        return StoreError{StoreError::Code::Invalid, "the connection pool needs at least one "
                                                     "connection"};
    try {
        auto first = std::make_unique<Connection>(conninfo);
        pgMigrate(*first, systemNowUs());
        auto pool = std::make_unique<Pool>(conninfo, options.poolSize);
        pool->adopt(std::move(first));
        return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(pool), options));
    } catch (const PgError& e) {
        const std::string message = e.what();
        if (message.find(where) != std::string::npos)
            return StoreError{e.code, message};
        return StoreError{e.code, where + ": " + message};
    } catch (const std::exception& e) {
        return StoreError{StoreError::Code::Io, where + ": " + e.what()};
    }
}

// --- instances

StoreStatus PostgresStore::upsertInstance(const pb::Instance& instance)
{
    if (instance.instance_id().empty())
        return StoreError{StoreError::Code::Invalid, "an instance needs an instance_id"};
    return run([&](Connection& c) -> StoreStatus {
        c.query("INSERT INTO instances(instance_id, deployment, tenant_id, last_seen_us, data)"
                " VALUES(?, ?, ?, ?, ?) ON CONFLICT(instance_id) DO UPDATE SET"
                " deployment = EXCLUDED.deployment, tenant_id = EXCLUDED.tenant_id,"
                " last_seen_us = EXCLUDED.last_seen_us, data = EXCLUDED.data",
                params(instance.instance_id(), instance.deployment(), instance.tenant_id(),
                       instance.last_seen_us(), bytesOf(instance.SerializeAsString())));
        return protocol::Ok{};
    });
}

StoreResult<std::vector<pb::Instance>> PostgresStore::listInstances()
{
    return run([&](Connection& c) -> StoreResult<std::vector<pb::Instance>> {
        std::vector<pb::Instance> out;
        auto r = c.query("SELECT data FROM instances ORDER BY instance_id");
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(parseStored<pb::Instance>(r.bytes(i, 0), "instance"));
        return out;
    });
}

// --- traces

StoreStatus PostgresStore::appendTraceRecords(const std::string& threadId,
                                              const std::vector<std::string>& recordValues)
{
    if (threadId.empty())
        return StoreError{StoreError::Code::Invalid, "trace records need a thread_id"};
    if (recordValues.empty())
        return protocol::Ok{};
    return run([&](Connection& c) -> StoreStatus {
        Transaction tx(c);
        // Appends to one thread are serialised across every connection and
        // process; different threads do not wait for each other.
        c.query("SELECT pg_advisory_xact_lock(1, hashtext(?))", params(threadId));
        auto last =
            c.query("SELECT COALESCE(MAX(seq), -1) + 1 FROM trace_records WHERE thread_id = ?",
                    params(threadId));
        std::int64_t next = last.int64(0, 0);
        for (const std::string& value : recordValues)
            c.query("INSERT INTO trace_records(thread_id, seq, value) VALUES(?, ?, ?)",
                    params(threadId, next++, Bytes{value}));
        tx.commit();
        return protocol::Ok{};
    });
}

StoreStatus PostgresStore::upsertTraceSummary(const pb::TraceSummary& s)
{
    if (s.thread_id().empty())
        return StoreError{StoreError::Code::Invalid, "a trace summary needs a thread_id"};
    const std::int64_t activity = std::max({s.started_us(), s.ended_us(), s.last_seen_us()});
    return run([&](Connection& c) -> StoreStatus {
        c.query("INSERT INTO traces(thread_id, tenant_id, instance_id, deployment, graph_name,"
                " status, started_us, ended_us, duration_us, cost_micros, error, activity_us, data)"
                " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(thread_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id,"
                " instance_id = EXCLUDED.instance_id, deployment = EXCLUDED.deployment,"
                " graph_name = EXCLUDED.graph_name, status = EXCLUDED.status,"
                " started_us = EXCLUDED.started_us, ended_us = EXCLUDED.ended_us,"
                " duration_us = EXCLUDED.duration_us, cost_micros = EXCLUDED.cost_micros,"
                " error = EXCLUDED.error, activity_us = EXCLUDED.activity_us,"
                " data = EXCLUDED.data",
                params(s.thread_id(), s.tenant_id(), s.instance_id(), s.deployment(),
                       s.graph_name(), s.status(), s.started_us(), s.ended_us(), s.duration_us(),
                       s.cost_micros(), s.error(), activity, bytesOf(s.SerializeAsString())));
        return protocol::Ok{};
    });
}

StoreResult<std::optional<pb::TraceSummary>>
PostgresStore::traceSummary(const std::string& threadId)
{
    return run([&](Connection& c) -> StoreResult<std::optional<pb::TraceSummary>> {
        auto r = c.query("SELECT data FROM traces WHERE thread_id = ?", params(threadId));
        if (r.rows() == 0)
            return std::optional<pb::TraceSummary>();
        return std::optional(parseStored<pb::TraceSummary>(r.bytes(0, 0), "trace summary"));
    });
}

StoreResult<std::vector<std::string>> PostgresStore::traceRecords(const std::string& threadId)
{
    return run([&](Connection& c) -> StoreResult<std::vector<std::string>> {
        std::vector<std::string> out;
        auto r = c.query("SELECT value FROM trace_records WHERE thread_id = ? ORDER BY seq",
                         params(threadId));
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(r.bytes(i, 0));
        return out;
    });
}

namespace {

Filter traceFilter(const pb::SearchTracesRequest& r)
{
    Filter f;
    if (!r.instance_id().empty())
        f.add("instance_id = ?", params(r.instance_id()));
    if (!r.deployment().empty())
        f.add("deployment = ?", params(r.deployment()));
    if (!r.graph_name().empty())
        f.add("graph_name = ?", params(r.graph_name()));
    if (!r.tenant_id().empty())
        f.add("tenant_id = ?", params(r.tenant_id()));
    if (r.status() != pb::RUN_STATUS_UNSPECIFIED)
        f.add("status = ?", params(std::int64_t{r.status()}));
    if (r.start_us() > 0)
        f.add("started_us >= ?", params(r.start_us()));
    if (r.end_us() > 0)
        f.add("started_us < ?", params(r.end_us()));
    if (r.min_duration_us() > 0)
        f.add("duration_us >= ?", params(r.min_duration_us()));
    if (r.max_duration_us() > 0)
        f.add("duration_us <= ?", params(r.max_duration_us()));
    if (r.min_cost_micros() > 0)
        f.add("cost_micros >= ?", params(r.min_cost_micros()));
    if (!r.text().empty()) {
        // ILIKE: SQLite's LIKE ignores ASCII case, and so does this search.
        const std::string p = containsPattern(r.text());
        f.add("thread_id ILIKE ? ESCAPE '\\' OR graph_name ILIKE ? ESCAPE '\\'"
              " OR instance_id ILIKE ? ESCAPE '\\' OR error ILIKE ? ESCAPE '\\'",
              params(p, p, p, p));
    }
    return f;
}

using storesql::traceOrder;

} // namespace

StoreResult<TracePage> PostgresStore::searchTraces(const pb::SearchTracesRequest& request,
                                                   const TenantFilter& scope)
{
    const auto offset = decodePageToken(request.page_token(), 't');
    if (!offset)
        return offset.error();
    const std::int64_t size = pageSize(request.page_size(), 50, 1000);

    return run([&](Connection& c) -> StoreResult<TracePage> {
        Filter filter = traceFilter(request);
        addTenantFilter(filter, scope.tenants);
        TracePage page;
        // One snapshot for the count and the page.
        Transaction tx(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        page.totalMatches =
            c.query("SELECT COUNT(*) FROM traces" + filter.sql(), filter.values()).int64(0, 0);
        auto r = c.query("SELECT data FROM traces" + filter.sql() + traceOrder(request.sort()) +
                             " LIMIT ? OFFSET ?",
                         filter.values(params(size, *offset)));
        tx.commit();
        for (int i = 0; i < r.rows(); ++i)
            page.traces.push_back(parseStored<pb::TraceSummary>(r.bytes(i, 0), "trace summary"));
        const std::int64_t end = *offset + static_cast<std::int64_t>(page.traces.size());
        if (end < page.totalMatches && !page.traces.empty())
            page.nextPageToken = encodePageToken('t', end);
        return page;
    });
}

StoreStatus PostgresStore::putSchema(const pb::GraphSchema& schema)
{
    if (schema.schema_id().empty())
        return StoreError{StoreError::Code::Invalid, "a graph schema needs a schema_id"};
    return run([&](Connection& c) -> StoreStatus {
        c.query(
            "INSERT INTO graph_schemas(schema_id, graph_name, data) VALUES(?, ?, ?)"
            " ON CONFLICT(schema_id) DO NOTHING",
            params(schema.schema_id(), schema.graph_name(), bytesOf(schema.SerializeAsString())));
        return protocol::Ok{};
    });
}

StoreResult<std::optional<pb::GraphSchema>> PostgresStore::schema(const std::string& schemaId)
{
    return run([&](Connection& c) -> StoreResult<std::optional<pb::GraphSchema>> {
        auto r = c.query("SELECT data FROM graph_schemas WHERE schema_id = ?", params(schemaId));
        if (r.rows() == 0)
            return std::optional<pb::GraphSchema>();
        return std::optional(parseStored<pb::GraphSchema>(r.bytes(0, 0), "graph schema"));
    });
}

// --- run samples

StoreStatus PostgresStore::addRunSample(const RunSample& s)
{
    return run([&](Connection& c) -> StoreStatus {
        c.query("INSERT INTO run_samples(thread_id, tenant_id, instance_id, deployment,"
                " version, graph_name, optimization_version, rollout_id, ended_us,"
                " duration_us, failed, quality, tokens, cost_micros)"
                " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (thread_id) DO NOTHING",
                params(s.threadId, s.tenantId, s.instanceId, s.deployment, s.version, s.graphName,
                       s.optimizationVersion, s.rolloutId, s.endedUs, s.durationUs,
                       std::int64_t{s.failed ? 1 : 0}, s.quality, s.tokens, s.costMicros));
        return protocol::Ok{};
    });
}

StoreResult<std::vector<RunSample>> PostgresStore::runSamples(const SampleQuery& q)
{
    Filter f;
    if (q.sinceUs > 0)
        f.add("ended_us >= ?", params(q.sinceUs));
    if (q.untilUs > 0)
        f.add("ended_us < ?", params(q.untilUs));
    if (!q.instanceIds.empty()) {
        std::vector<Param> ids;
        for (const auto& id : q.instanceIds)
            ids.push_back(param(id));
        std::string clause = "instance_id IN (" + placeholders(ids.size()) + ")";
        f.add(std::move(clause), std::move(ids));
    }
    if (!q.deployments.empty()) {
        std::vector<Param> ds;
        for (const auto& d : q.deployments)
            ds.push_back(param(d));
        std::string clause = "deployment IN (" + placeholders(ds.size()) + ")";
        f.add(std::move(clause), std::move(ds));
    }
    if (!q.graphName.empty())
        f.add("graph_name = ?", params(q.graphName));
    if (q.optimizationVersion)
        f.add("optimization_version = ?", params(*q.optimizationVersion));
    if (!q.rolloutId.empty())
        f.add("rollout_id = ?", params(q.rolloutId));
    addTenantFilter(f, q.tenants);

    std::string sql = "SELECT thread_id, tenant_id, instance_id, deployment, version,"
                      " graph_name, optimization_version, rollout_id, ended_us, duration_us,"
                      " failed, quality, tokens, cost_micros, sample_id FROM run_samples" +
                      f.sql() + " ORDER BY ended_us DESC, sample_id DESC";
    if (q.limit > 0)
        sql += " LIMIT " + std::to_string(q.limit);

    return run([&](Connection& c) -> StoreResult<std::vector<RunSample>> {
        auto r = c.query(sql, f.values());
        std::vector<RunSample> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) {
            RunSample s;
            s.threadId = r.text(i, 0);
            s.tenantId = r.text(i, 1);
            s.instanceId = r.text(i, 2);
            s.deployment = r.text(i, 3);
            s.version = r.text(i, 4);
            s.graphName = r.text(i, 5);
            s.optimizationVersion = r.text(i, 6);
            s.rolloutId = r.text(i, 7);
            s.endedUs = r.int64(i, 8);
            s.durationUs = r.int64(i, 9);
            s.failed = r.int64(i, 10) != 0;
            if (!r.isNull(i, 11))
                s.quality = r.real(i, 11);
            s.tokens = r.int64(i, 12);
            s.costMicros = r.int64(i, 13);
            s.sampleId = r.int64(i, 14);
            out.push_back(std::move(s));
        }
        return out;
    });
}

// --- retention

StoreStatus PostgresStore::prune(const RetentionPolicy& policy, std::int64_t nowUs)
{
    return run([&](Connection& c) -> StoreStatus {
        Transaction tx(c);
        if (policy.traceMaxAgeUs > 0) {
            const std::int64_t cutoff = nowUs - policy.traceMaxAgeUs;
            c.query("DELETE FROM trace_records WHERE thread_id IN"
                    " (SELECT thread_id FROM traces WHERE activity_us < ?)",
                    params(cutoff));
            c.query("DELETE FROM traces WHERE activity_us < ?", params(cutoff));
        }
        if (policy.maxTraces > 0) {
            const char* beyond = "SELECT thread_id FROM traces"
                                 " ORDER BY activity_us DESC, thread_id DESC OFFSET ?";
            c.query(std::string("DELETE FROM trace_records WHERE thread_id IN (") + beyond + ")",
                    params(policy.maxTraces));
            c.query(std::string("DELETE FROM traces WHERE thread_id IN (") + beyond + ")",
                    params(policy.maxTraces));
        }
        if (policy.sampleMaxAgeUs > 0)
            c.query("DELETE FROM run_samples WHERE ended_us < ?",
                    params(nowUs - policy.sampleMaxAgeUs));
        tx.commit();
        return protocol::Ok{};
    });
}

} // namespace nexus::server
