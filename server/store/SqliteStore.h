#pragma once
// The Store on one SQLite file (WAL). One connection behind a mutex: every
// call is serialised, and every multi-statement change is one transaction.
// Proto messages are kept whole as blobs, with indexed columns beside them
// for what is filtered and sorted on.
//
// Semantics beyond Store.h:
// - runSamples returns newest first (ended_us descending), limited or not.
// - Page sizes: default 50 (traces, entries) / 100 (audit), at most 1000.
// - prune: a limit <= 0 is off. Trace age is the latest of started, ended and
//   last seen. Record logs whose summary never arrived are not pruned.
// - appendAudit stamps at_us with the system clock when it is 0.

#include "server/store/Store.h"

#include <memory>
#include <mutex>
#include <string>

namespace nexus::server {

namespace sqlite {
class SqliteDb;
}

struct SqliteStoreOptions
{
    int busyTimeoutMs = 5000; // how long a write waits for another connection's lock
    // NORMAL keeps every commit across an application crash and may lose the
    // last ones on power loss; FULL syncs every commit.
    bool synchronousFull = false;
};

class SqliteStore final : public Store
{
public:
    // Creates the file when missing and migrates it to the latest schema.
    static StoreResult<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                          const SqliteStoreOptions& options = {});
    ~SqliteStore() override;

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
    explicit SqliteStore(std::unique_ptr<sqlite::SqliteDb> db);

    // Runs `work` under the mutex, turning internal failures into StoreError.
    template <class Work> auto locked(Work&& work) -> decltype(work());

    std::mutex mutex_;
    std::unique_ptr<sqlite::SqliteDb> db_;
};

} // namespace nexus::server
