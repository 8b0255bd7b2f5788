#pragma once
// The Nexus store: everything nexusd keeps (DESIGN.md §4). One interface,
// two implementations (SqliteStore, PostgresStore; openStore() in
// OpenStore.h picks one) with the same semantics: reviews and rollout
// updates are atomic, idempotent by request id and refuse stale revisions;
// the audit log is append-only.
//
// Domain objects are the nexus.v1 messages themselves, so what the API
// returns is what the store keeps. All calls are thread-safe.

#include "protocol/Expected.h"

#include "nexus/v1/audit.pb.h"
#include "nexus/v1/fleet.pb.h"
#include "nexus/v1/knowledge.pb.h"
#include "nexus/v1/rollouts.pb.h"
#include "nexus/v1/traces.pb.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::server {

namespace pb = ::nexus::v1;

struct StoreError
{
    enum class Code
    {
        NotFound,      // no such entry / rollout / trace / version
        Stale,         // the revision the caller saw is not the current one
        AlreadyExists, // a create whose id exists
        Invalid,       // an argument the store cannot accept
        Io,            // the database failed (disk full, corrupt, locked too long)
    };
    Code code;
    std::string message;
};

template <class T> using StoreResult = protocol::Expected<T, StoreError>;
using StoreStatus = StoreResult<protocol::Ok>;

// One finished run, the unit of every aggregate (fleet metrics, series,
// quality summaries, canary analysis).
struct RunSample
{
    std::int64_t sampleId = 0; // assigned by the store (ascending); ignored by addRunSample
    std::string threadId;
    std::string tenantId;
    std::string instanceId;
    std::string deployment;
    std::string version;
    std::string graphName;
    std::string optimizationVersion; // empty = baseline / none
    std::string rolloutId;
    std::int64_t endedUs = 0;
    std::int64_t durationUs = 0;
    bool failed = false;
    std::optional<double> quality;
    std::int64_t tokens = 0;
    std::int64_t costMicros = 0;
};

struct SampleQuery
{
    std::int64_t sinceUs = 0; // ended at or after
    std::int64_t untilUs = 0; // ended before; 0 = no bound
    std::vector<std::string> instanceIds;
    std::vector<std::string> deployments;
    std::string graphName;
    std::optional<std::string> optimizationVersion; // "" selects runs without one
    std::string rolloutId;
    std::vector<std::string> tenants; // only runs of these tenants; empty = every tenant
    std::size_t limit = 0;            // 0 = no limit (newest first when limited)
};

// What a caller may see of tenant data (docs/SECURITY.md, "Tenants"): rows
// whose tenant_id is one of `tenants`; empty = every tenant. The API layer
// fills it from the token's scope narrowed by the request's tenant_id.
struct TenantFilter
{
    std::vector<std::string> tenants; // empty = every tenant (unscoped)
    std::string alsoActor;            // listAudit: this actor's own records too
};

struct TracePage
{
    std::vector<pb::TraceSummary> traces;
    std::string nextPageToken;
    std::int64_t totalMatches = 0;
};

struct EntryPage
{
    std::vector<pb::KnowledgeEntry> entries;
    std::string nextPageToken;
    std::vector<std::pair<std::string, std::int64_t>> countsByStatus; // "pending" -> n
};

struct ReviewOutcome
{
    pb::KnowledgeEntry entry;
    pb::Review review;
    bool replayed = false; // the request id was seen before: nothing changed
};

struct AuditPage
{
    std::vector<pb::AuditRecord> records;
    std::string nextPageToken;
};

// A trace record with a key unique per record (the DashStream message id):
// appending it again is a no-op, so replicas that both read a record after
// Kafka moved its partition store it once.
struct KeyedRecord
{
    std::string key;
    std::string value;
};

struct RetentionPolicy
{
    std::int64_t traceMaxAgeUs = 7LL * 24 * 3600 * 1'000'000; // traces and their records
    std::int64_t maxTraces = 100'000;
    std::int64_t sampleMaxAgeUs = 7LL * 24 * 3600 * 1'000'000;
};

class Store
{
public:
    virtual ~Store() = default;

    // --- instances
    virtual StoreStatus upsertInstance(const pb::Instance& instance) = 0;
    virtual StoreResult<std::vector<pb::Instance>> listInstances() = 0;

    // --- traces: the full record log of every run, and its summary
    virtual StoreStatus appendTraceRecords(const std::string& threadId,
                                           const std::vector<std::string>& recordValues) = 0;
    // Idempotent by (thread, key): records already stored are skipped.
    // Returns how many were new.
    virtual StoreResult<std::size_t>
    appendTraceRecordsOnce(const std::string& threadId,
                           const std::vector<KeyedRecord>& records) = 0;
    virtual StoreStatus upsertTraceSummary(const pb::TraceSummary& summary) = 0;
    virtual StoreResult<std::optional<pb::TraceSummary>>
    traceSummary(const std::string& threadId) = 0;
    virtual StoreResult<std::vector<std::string>> traceRecords(const std::string& threadId) = 0;
    virtual StoreResult<TracePage> searchTraces(const pb::SearchTracesRequest& request,
                                                const TenantFilter& scope = {}) = 0;
    virtual StoreStatus putSchema(const pb::GraphSchema& schema) = 0; // first one wins
    virtual StoreResult<std::optional<pb::GraphSchema>> schema(const std::string& schemaId) = 0;

    // --- run samples (one per thread: a second sample of a thread is ignored)
    virtual StoreStatus addRunSample(const RunSample& sample) = 0;
    virtual StoreResult<std::vector<RunSample>> runSamples(const SampleQuery& query) = 0;
    // Samples with sample_id > afterId, oldest first: the replicas' fleet feed.
    virtual StoreResult<std::vector<RunSample>> runSamplesAfter(std::int64_t afterId,
                                                                std::size_t limit) = 0;

    // --- knowledge
    // Assigns entry_id (when empty), revision 1, status PENDING, timestamps.
    virtual StoreResult<pb::KnowledgeEntry> createEntry(pb::KnowledgeEntry entry,
                                                        std::int64_t nowUs) = 0;
    virtual StoreResult<EntryPage> listEntries(const pb::ListEntriesRequest& request,
                                               const TenantFilter& scope = {}) = 0;
    virtual StoreResult<pb::GetEntryResponse> getEntry(const std::string& entryId) = 0;
    // Atomic: replay by request id, else check seen_revision == revision
    // (Stale names the review that won), else record the review, set the
    // status, bump the revision and keep the old revision in history.
    virtual StoreResult<ReviewOutcome> reviewEntry(const pb::ReviewEntryRequest& request,
                                                   const std::string& reviewer,
                                                   std::int64_t nowUs) = 0;

    // --- optimization versions
    virtual StoreResult<pb::OptimizationVersion> createVersion(pb::OptimizationVersion version,
                                                               std::int64_t nowUs) = 0;
    virtual StoreResult<std::vector<pb::OptimizationVersion>>
    listVersions(const std::string& graphName, const std::string& nodeId) = 0;
    virtual StoreResult<std::optional<pb::OptimizationVersion>>
    version(const std::string& versionId) = 0;
    virtual StoreStatus setVersionState(const std::string& versionId, pb::VersionState state) = 0;

    // --- rollouts (optimistic concurrency on Rollout.revision)
    // Assigns rollout_id (when empty) and revision 1.
    virtual StoreResult<pb::Rollout> createRollout(pb::Rollout rollout) = 0;
    // Writes `rollout` with revision + 1 if the stored revision equals
    // rollout.revision(); Stale otherwise.
    virtual StoreResult<pb::Rollout> updateRollout(const pb::Rollout& rollout) = 0;
    virtual StoreResult<std::optional<pb::Rollout>> rollout(const std::string& rolloutId) = 0;
    virtual StoreResult<std::vector<pb::Rollout>>
    listRollouts(bool activeOnly, const std::string& graphName, const TenantFilter& scope = {}) = 0;

    // --- idempotent requests: the first response to a request id, kept
    virtual StoreResult<std::optional<std::string>> findRequest(const std::string& requestId) = 0;
    // AlreadyExists when the id is taken (a concurrent retry won the race).
    virtual StoreStatus rememberRequest(const std::string& requestId, const std::string& action,
                                        const std::string& responseBytes, std::int64_t nowUs) = 0;

    // --- audit (append-only; assigns seq)
    virtual StoreResult<pb::AuditRecord> appendAudit(pb::AuditRecord record) = 0;
    virtual StoreResult<AuditPage> listAudit(const pb::ListAuditRequest& request,
                                             const TenantFilter& scope = {}) = 0;
    // Records with seq > afterSeq, oldest first: the replicas' change feed.
    virtual StoreResult<std::vector<pb::AuditRecord>> auditAfter(std::int64_t afterSeq,
                                                                 std::size_t limit) = 0;

    // --- leases (one holder at a time across every process on the store)
    // Takes `name` for `holder` until nowUs + ttlUs when it is free, expired
    // or already held by `holder` (a renewal); false while another holds it.
    virtual StoreResult<bool> acquireLease(const std::string& name, const std::string& holder,
                                           std::int64_t ttlUs, std::int64_t nowUs) = 0;
    // Gives the lease up if `holder` has it.
    virtual StoreStatus releaseLease(const std::string& name, const std::string& holder) = 0;

    // --- retention
    virtual StoreStatus prune(const RetentionPolicy& policy, std::int64_t nowUs) = 0;
};

} // namespace nexus::server
