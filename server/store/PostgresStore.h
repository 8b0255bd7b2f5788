#pragma once
// The Store on PostgreSQL (libpq), with SqliteStore's semantics (the store
// tests run against both). A small pool of connections serves concurrent
// calls; atomicity comes from PostgreSQL, not from locks in this process, so
// several nexusd processes may share one database:
// - reviews lock the entry row (SELECT ... FOR UPDATE) and rely on the UNIQUE
//   request id: a concurrent retry in another process replays, a concurrent
//   review of the same revision is Stale;
// - rollout updates are one conditional UPDATE on the revision;
// - rememberRequest is an INSERT on the request id's primary key;
// - migrations take a transaction-level advisory lock;
// - the audit log is guarded by triggers that refuse UPDATE, DELETE and
//   TRUNCATE; open() refuses a database whose triggers were dropped or
//   disabled.
// A call whose connection was lost fails with Io; the pool drops that
// connection (and its idle siblings) and the next call connects again.
//
// Semantics beyond Store.h are SqliteStore's (page sizes, ordering, prune).

#include "server/store/Store.h"

#include <memory>
#include <string>
#include <utility>

namespace nexus::server {

namespace pg {
class Connection;
class Pool;
} // namespace pg

struct PostgresStoreOptions
{
    int poolSize = 4;    // connections kept open at most
    int maxAttempts = 5; // tries of a transaction that hit a serialization failure
};

class PostgresStore final : public Store
{
public:
    // Connects to `conninfo` (a libpq URI, postgres://user:pass@host:port/db)
    // and migrates the database to the latest schema.
    static StoreResult<std::unique_ptr<PostgresStore>>
    open(const std::string& conninfo, const PostgresStoreOptions& options = {});
    ~PostgresStore() override;

    StoreStatus upsertInstance(const pb::Instance& instance) override;
    StoreResult<std::vector<pb::Instance>> listInstances() override;

    StoreStatus appendTraceRecords(const std::string& threadId,
                                   const std::vector<std::string>& recordValues) override;
    StoreResult<std::size_t>
    appendTraceRecordsOnce(const std::string& threadId,
                           const std::vector<KeyedRecord>& records) override;
    StoreStatus upsertTraceSummary(const pb::TraceSummary& summary) override;
    StoreResult<std::optional<pb::TraceSummary>> traceSummary(const std::string& threadId) override;
    StoreResult<std::vector<std::string>> traceRecords(const std::string& threadId) override;
    StoreResult<TracePage> searchTraces(const pb::SearchTracesRequest& request,
                                        const TenantFilter& scope = {}) override;
    StoreStatus putSchema(const pb::GraphSchema& schema) override;
    StoreResult<std::optional<pb::GraphSchema>> schema(const std::string& schemaId) override;

    StoreStatus addRunSample(const RunSample& sample) override;
    StoreResult<std::vector<RunSample>> runSamples(const SampleQuery& query) override;
    StoreResult<std::vector<RunSample>> runSamplesAfter(std::int64_t afterId,
                                                        std::size_t limit) override;

    StoreResult<pb::KnowledgeEntry> createEntry(pb::KnowledgeEntry entry,
                                                std::int64_t nowUs) override;
    StoreResult<EntryPage> listEntries(const pb::ListEntriesRequest& request,
                                       const TenantFilter& scope = {}) override;
    StoreResult<pb::GetEntryResponse> getEntry(const std::string& entryId) override;
    StoreResult<ReviewOutcome> reviewEntry(const pb::ReviewEntryRequest& request,
                                           const std::string& reviewer,
                                           std::int64_t nowUs) override;

    StoreResult<pb::OptimizationVersion> createVersion(pb::OptimizationVersion version,
                                                       std::int64_t nowUs) override;
    StoreResult<std::vector<pb::OptimizationVersion>>
    listVersions(const std::string& graphName, const std::string& nodeId) override;
    StoreResult<std::optional<pb::OptimizationVersion>>
    version(const std::string& versionId) override;
    StoreStatus setVersionState(const std::string& versionId, pb::VersionState state) override;

    StoreResult<pb::Rollout> createRollout(pb::Rollout rollout) override;
    StoreResult<pb::Rollout> updateRollout(const pb::Rollout& rollout) override;
    StoreResult<std::optional<pb::Rollout>> rollout(const std::string& rolloutId) override;
    StoreResult<std::vector<pb::Rollout>> listRollouts(bool activeOnly,
                                                       const std::string& graphName,
                                                       const TenantFilter& scope = {}) override;

    StoreResult<std::optional<std::string>> findRequest(const std::string& requestId) override;
    StoreStatus rememberRequest(const std::string& requestId, const std::string& action,
                                const std::string& responseBytes, std::int64_t nowUs) override;

    StoreResult<pb::AuditRecord> appendAudit(pb::AuditRecord record) override;
    StoreResult<AuditPage> listAudit(const pb::ListAuditRequest& request,
                                     const TenantFilter& scope = {}) override;
    StoreResult<std::vector<pb::AuditRecord>> auditAfter(std::int64_t afterSeq,
                                                         std::size_t limit) override;
    StoreResult<bool> acquireLease(const std::string& name, const std::string& holder,
                                   std::int64_t ttlUs, std::int64_t nowUs) override;
    StoreStatus releaseLease(const std::string& name, const std::string& holder) override;

    StoreStatus prune(const RetentionPolicy& policy, std::int64_t nowUs) override;

private:
    explicit PostgresStore(std::unique_ptr<pg::Pool> pool, const PostgresStoreOptions& options);

    // Runs `work` on a pooled connection, retrying serialization failures and
    // deadlocks, turning internal failures into StoreError.
    template <class Work> auto run(Work&& work) -> decltype(work(std::declval<pg::Connection&>()));

    std::unique_ptr<pg::Pool> pool_;
    PostgresStoreOptions options_;
};

} // namespace nexus::server
