// SqliteStore: what several nexusd processes on one store need (Store.h,
// "replicas"): keyed trace records, the sample and audit feeds, leases.
// SQLite has one writer at a time, so the same SQL as PostgreSQL's is
// atomic here too; replicas on one SQLite file share one machine.
#include "server/store/SqliteStoreInternal.h"

namespace nexus::server {

using namespace sqlite;

StoreResult<std::size_t>
SqliteStore::appendTraceRecordsOnce(const std::string& threadId,
                                    const std::vector<KeyedRecord>& records)
{
    return locked([&]() -> StoreResult<std::size_t> {
        if (threadId.empty())
            return StoreError{StoreError::Code::Invalid, "trace records need a thread_id"};
        if (records.empty())
            return std::size_t{0};
        Transaction tx(*db_);
        std::int64_t next = 0;
        {
            auto last = db_->prepare(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM trace_records WHERE thread_id = ?1");
            last.bindAll(threadId);
            last.step();
            next = last.int64At(0);
        }
        auto insert = db_->prepare("INSERT INTO trace_records(thread_id, seq, value, record_key)"
                                   " VALUES(?1, ?2, ?3, ?4)"
                                   " ON CONFLICT(thread_id, record_key) DO NOTHING");
        std::size_t added = 0;
        for (const KeyedRecord& record : records) {
            insert.bind(1, threadId).bind(2, next).bind(3, Blob{record.value});
            if (record.key.empty())
                insert.bind(4, nullptr);
            else
                insert.bind(4, record.key);
            insert.run();
            if (db_->changes() > 0) {
                ++next;
                ++added;
            }
        }
        tx.commit();
        return added;
    });
}

StoreResult<std::vector<RunSample>> SqliteStore::runSamplesAfter(std::int64_t afterId,
                                                                 std::size_t limit)
{
    return locked([&]() -> StoreResult<std::vector<RunSample>> {
        auto stmt = db_->prepareOnce(
            "SELECT sample_id, thread_id, tenant_id, instance_id, deployment, version,"
            " graph_name, optimization_version, rollout_id, ended_us, duration_us, failed,"
            " quality, tokens, cost_micros FROM run_samples WHERE sample_id > ?"
            " ORDER BY sample_id LIMIT ?");
        stmt.bindAll(afterId, static_cast<std::int64_t>(limit == 0 ? 1000 : limit));
        std::vector<RunSample> out;
        while (stmt.step()) {
            RunSample s;
            s.sampleId = stmt.int64At(0);
            s.threadId = stmt.textAt(1);
            s.tenantId = stmt.textAt(2);
            s.instanceId = stmt.textAt(3);
            s.deployment = stmt.textAt(4);
            s.version = stmt.textAt(5);
            s.graphName = stmt.textAt(6);
            s.optimizationVersion = stmt.textAt(7);
            s.rolloutId = stmt.textAt(8);
            s.endedUs = stmt.int64At(9);
            s.durationUs = stmt.int64At(10);
            s.failed = stmt.int64At(11) != 0;
            if (!stmt.isNull(12))
                s.quality = stmt.doubleAt(12);
            s.tokens = stmt.int64At(13);
            s.costMicros = stmt.int64At(14);
            out.push_back(std::move(s));
        }
        return out;
    });
}

StoreResult<std::vector<pb::AuditRecord>> SqliteStore::auditAfter(std::int64_t afterSeq,
                                                                  std::size_t limit)
{
    return locked([&]() -> StoreResult<std::vector<pb::AuditRecord>> {
        auto stmt =
            db_->prepareOnce("SELECT seq, data FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?");
        stmt.bindAll(afterSeq, static_cast<std::int64_t>(limit == 0 ? 1000 : limit));
        std::vector<pb::AuditRecord> out;
        while (stmt.step()) {
            auto record = parseStored<pb::AuditRecord>(stmt.blobAt(1), "audit record");
            record.set_seq(stmt.int64At(0));
            out.push_back(std::move(record));
        }
        return out;
    });
}

StoreResult<bool> SqliteStore::acquireLease(const std::string& name, const std::string& holder,
                                            std::int64_t ttlUs, std::int64_t nowUs)
{
    return locked([&]() -> StoreResult<bool> {
        if (name.empty() || holder.empty())
            return StoreError{StoreError::Code::Invalid, "a lease needs a name and a holder"};
        auto stmt =
            db_->prepareOnce("INSERT INTO leases(name, holder, expires_us) VALUES(?1, ?2, ?3)"
                             " ON CONFLICT(name) DO UPDATE SET holder = excluded.holder,"
                             " expires_us = excluded.expires_us"
                             " WHERE leases.expires_us < ?4 OR leases.holder = excluded.holder"
                             " RETURNING holder");
        stmt.bindAll(name, holder, nowUs + ttlUs, nowUs);
        const bool taken = stmt.step();
        if (taken)
            stmt.run();
        return taken;
    });
}

StoreStatus SqliteStore::releaseLease(const std::string& name, const std::string& holder)
{
    return locked([&]() -> StoreStatus {
        db_->prepareOnce("DELETE FROM leases WHERE name = ?1 AND holder = ?2")
            .bindAll(name, holder)
            .run();
        return protocol::Ok{};
    });
}

} // namespace nexus::server
