// PostgresStore: what several nexusd processes on one database need
// (Store.h, "replicas"): keyed trace records, the sample and audit feeds,
// leases. Every statement is atomic on its own (INSERT ... ON CONFLICT), so
// no process-local lock is involved.
#include "server/store/PostgresStore.h"
#include "server/store/PostgresStoreInternal.h"

namespace nexus::server {

using namespace pg;

StoreResult<std::size_t>
PostgresStore::appendTraceRecordsOnce(const std::string& threadId,
                                      const std::vector<KeyedRecord>& records)
{
    if (threadId.empty())
        return StoreError{StoreError::Code::Invalid, "trace records need a thread_id"};
    if (records.empty())
        return std::size_t{0};
    return run([&](Connection& c) -> StoreResult<std::size_t> {
        Transaction tx(c);
        // Appends to one thread are serialised across every connection and
        // process (seq is MAX + 1); different threads do not wait.
        c.query("SELECT pg_advisory_xact_lock(1, hashtext(?))", params(threadId));
        auto last =
            c.query("SELECT COALESCE(MAX(seq), -1) + 1 FROM trace_records WHERE thread_id = ?",
                    params(threadId));
        std::int64_t next = last.int64(0, 0);
        std::size_t added = 0;
        for (const KeyedRecord& record : records) {
            // Only a key conflict is ignored: anything else is an error.
            auto r = c.query("INSERT INTO trace_records(thread_id, seq, value, record_key)"
                             " VALUES(?, ?, ?, NULLIF(?, ''))"
                             " ON CONFLICT (thread_id, record_key) DO NOTHING",
                             params(threadId, next, Bytes{record.value}, record.key));
            if (r.affected() > 0) {
                ++next;
                ++added;
            }
        }
        tx.commit();
        return added;
    });
}

StoreResult<std::vector<RunSample>> PostgresStore::runSamplesAfter(std::int64_t afterId,
                                                                   std::size_t limit)
{
    return run([&](Connection& c) -> StoreResult<std::vector<RunSample>> {
        auto r = c.query("SELECT sample_id, thread_id, tenant_id, instance_id, deployment,"
                         " version, graph_name, optimization_version, rollout_id, ended_us,"
                         " duration_us, failed, quality, tokens, cost_micros FROM run_samples"
                         " WHERE sample_id > ? ORDER BY sample_id LIMIT ?",
                         params(afterId, static_cast<std::int64_t>(limit == 0 ? 1000 : limit)));
        std::vector<RunSample> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) {
            RunSample s;
            s.sampleId = r.int64(i, 0);
            s.threadId = r.text(i, 1);
            s.tenantId = r.text(i, 2);
            s.instanceId = r.text(i, 3);
            s.deployment = r.text(i, 4);
            s.version = r.text(i, 5);
            s.graphName = r.text(i, 6);
            s.optimizationVersion = r.text(i, 7);
            s.rolloutId = r.text(i, 8);
            s.endedUs = r.int64(i, 9);
            s.durationUs = r.int64(i, 10);
            s.failed = r.int64(i, 11) != 0;
            if (!r.isNull(i, 12))
                s.quality = r.real(i, 12);
            s.tokens = r.int64(i, 13);
            s.costMicros = r.int64(i, 14);
            out.push_back(std::move(s));
        }
        return out;
    });
}

StoreResult<std::vector<pb::AuditRecord>> PostgresStore::auditAfter(std::int64_t afterSeq,
                                                                    std::size_t limit)
{
    return run([&](Connection& c) -> StoreResult<std::vector<pb::AuditRecord>> {
        auto r = c.query("SELECT seq, data FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                         params(afterSeq, static_cast<std::int64_t>(limit == 0 ? 1000 : limit)));
        std::vector<pb::AuditRecord> out;
        for (int i = 0; i < r.rows(); ++i) {
            auto record = parseStored<pb::AuditRecord>(r.bytes(i, 1), "audit record");
            record.set_seq(r.int64(i, 0));
            out.push_back(std::move(record));
        }
        return out;
    });
}

StoreResult<bool> PostgresStore::acquireLease(const std::string& name, const std::string& holder,
                                              std::int64_t ttlUs, std::int64_t nowUs)
{
    if (name.empty() || holder.empty())
        return StoreError{StoreError::Code::Invalid, "a lease needs a name and a holder"};
    return run([&](Connection& c) -> StoreResult<bool> {
        auto r = c.query("INSERT INTO leases(name, holder, expires_us) VALUES(?, ?, ?)"
                         " ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder,"
                         " expires_us = EXCLUDED.expires_us"
                         " WHERE leases.expires_us < ? OR leases.holder = EXCLUDED.holder"
                         " RETURNING holder",
                         params(name, holder, nowUs + ttlUs, nowUs));
        return r.rows() == 1;
    });
}

StoreStatus PostgresStore::releaseLease(const std::string& name, const std::string& holder)
{
    return run([&](Connection& c) -> StoreStatus {
        c.query("DELETE FROM leases WHERE name = ? AND holder = ?", params(name, holder));
        return protocol::Ok{};
    });
}

} // namespace nexus::server
