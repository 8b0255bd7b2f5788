#pragma once
// A small in-memory Store for the ingestion and simulator tests: what the
// Ingestor and the FleetSimulator write (instances, traces, schemas, run
// samples, knowledge entries, versions), kept in maps under one mutex.
// Everything else answers Invalid. `failWrites` makes trace writes fail, to
// test that ingestion retries and commits only what it stored.

#include "server/store/Store.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>

namespace nexus::server::test {

class MemoryStore final : public Store
{
public:
    std::atomic<int> failWrites{0}; // the next n appendTraceRecords calls fail

    StoreStatus upsertInstance(const pb::Instance& instance) override
    {
        std::lock_guard lock(mutex_);
        instances_[instance.instance_id()] = instance;
        return protocol::Ok{};
    }
    StoreResult<std::vector<pb::Instance>> listInstances() override
    {
        std::lock_guard lock(mutex_);
        std::vector<pb::Instance> out;
        for (const auto& [id, instance] : instances_)
            out.push_back(instance);
        return out;
    }

    StoreStatus appendTraceRecords(const std::string& threadId,
                                   const std::vector<std::string>& recordValues) override
    {
        if (failWrites > 0) {
            --failWrites;
            return StoreError{StoreError::Code::Io, "injected write failure"};
        }
        std::lock_guard lock(mutex_);
        auto& log = records_[threadId];
        log.insert(log.end(), recordValues.begin(), recordValues.end());
        return protocol::Ok{};
    }
    StoreResult<std::size_t>
    appendTraceRecordsOnce(const std::string& threadId,
                           const std::vector<KeyedRecord>& records) override
    {
        if (failWrites > 0) {
            --failWrites;
            return StoreError{StoreError::Code::Io, "injected write failure"};
        }
        std::lock_guard lock(mutex_);
        auto& log = records_[threadId];
        std::size_t added = 0;
        for (const KeyedRecord& record : records)
            if (record.key.empty() || keys_.insert({threadId, record.key}).second) {
                log.push_back(record.value);
                ++added;
            }
        return added;
    }
    StoreStatus upsertTraceSummary(const pb::TraceSummary& summary) override
    {
        std::lock_guard lock(mutex_);
        summaries_[summary.thread_id()] = summary;
        return protocol::Ok{};
    }
    StoreResult<std::optional<pb::TraceSummary>> traceSummary(const std::string& threadId) override
    {
        std::lock_guard lock(mutex_);
        auto it = summaries_.find(threadId);
        if (it == summaries_.end())
            return std::optional<pb::TraceSummary>{};
        return std::optional<pb::TraceSummary>(it->second);
    }
    StoreResult<std::vector<std::string>> traceRecords(const std::string& threadId) override
    {
        std::lock_guard lock(mutex_);
        auto it = records_.find(threadId);
        return it == records_.end() ? std::vector<std::string>{} : it->second;
    }
    StoreResult<TracePage> searchTraces(const pb::SearchTracesRequest&,
                                        const TenantFilter& = {}) override
    {
        std::lock_guard lock(mutex_);
        TracePage page;
        for (const auto& [id, summary] : summaries_)
            page.traces.push_back(summary);
        page.totalMatches = std::int64_t(page.traces.size());
        return page;
    }
    StoreStatus putSchema(const pb::GraphSchema& schema) override
    {
        std::lock_guard lock(mutex_);
        schemas_.try_emplace(schema.schema_id(), schema);
        return protocol::Ok{};
    }
    StoreResult<std::optional<pb::GraphSchema>> schema(const std::string& schemaId) override
    {
        std::lock_guard lock(mutex_);
        auto it = schemas_.find(schemaId);
        if (it == schemas_.end())
            return std::optional<pb::GraphSchema>{};
        return std::optional<pb::GraphSchema>(it->second);
    }

    StoreStatus addRunSample(const RunSample& sample) override
    {
        std::lock_guard lock(mutex_);
        samples_.push_back(sample);
        return protocol::Ok{};
    }
    StoreResult<std::vector<RunSample>> runSamples(const SampleQuery& query) override
    {
        std::lock_guard lock(mutex_);
        std::vector<RunSample> out;
        for (const auto& s : samples_)
            if (s.endedUs >= query.sinceUs && (query.untilUs == 0 || s.endedUs < query.untilUs))
                out.push_back(s);
        return out;
    }

    StoreResult<pb::KnowledgeEntry> createEntry(pb::KnowledgeEntry entry,
                                                std::int64_t nowUs) override
    {
        std::lock_guard lock(mutex_);
        if (entry.entry_id().empty())
            entry.set_entry_id("kb-" + std::to_string(entries_.size() + 1));
        entry.set_revision(1);
        entry.set_status(pb::KNOWLEDGE_STATUS_PENDING);
        entry.set_created_us(nowUs);
        entry.set_updated_us(nowUs);
        entries_[entry.entry_id()] = entry;
        return entry;
    }
    StoreResult<EntryPage> listEntries(const pb::ListEntriesRequest&,
                                       const TenantFilter& = {}) override
    {
        std::lock_guard lock(mutex_);
        EntryPage page;
        for (const auto& [id, entry] : entries_)
            page.entries.push_back(entry);
        return page;
    }
    StoreResult<pb::GetEntryResponse> getEntry(const std::string&) override { return invalid(); }
    StoreResult<ReviewOutcome> reviewEntry(const pb::ReviewEntryRequest&, const std::string&,
                                           std::int64_t) override
    {
        return invalid();
    }

    StoreResult<pb::OptimizationVersion> createVersion(pb::OptimizationVersion version,
                                                       std::int64_t nowUs) override
    {
        std::lock_guard lock(mutex_);
        if (version.version_id().empty())
            version.set_version_id("ver-" + std::to_string(versions_.size() + 1));
        version.set_created_us(nowUs);
        versions_[version.version_id()] = version;
        return version;
    }
    StoreResult<std::vector<pb::OptimizationVersion>> listVersions(const std::string& graphName,
                                                                   const std::string&) override
    {
        std::lock_guard lock(mutex_);
        std::vector<pb::OptimizationVersion> out;
        for (const auto& [id, v] : versions_)
            if (graphName.empty() || v.graph_name() == graphName)
                out.push_back(v);
        return out;
    }
    StoreResult<std::optional<pb::OptimizationVersion>>
    version(const std::string& versionId) override
    {
        std::lock_guard lock(mutex_);
        auto it = versions_.find(versionId);
        if (it == versions_.end())
            return std::optional<pb::OptimizationVersion>{};
        return std::optional<pb::OptimizationVersion>(it->second);
    }
    StoreStatus setVersionState(const std::string&, pb::VersionState) override { return invalid(); }

    StoreResult<pb::Rollout> createRollout(pb::Rollout) override { return invalid(); }
    StoreResult<pb::Rollout> updateRollout(const pb::Rollout&) override { return invalid(); }
    StoreResult<std::optional<pb::Rollout>> rollout(const std::string&) override
    {
        return invalid();
    }
    StoreResult<std::vector<pb::Rollout>> listRollouts(bool, const std::string&,
                                                       const TenantFilter& = {}) override
    {
        return invalid();
    }
    StoreResult<std::optional<std::string>> findRequest(const std::string&) override
    {
        return invalid();
    }
    StoreStatus rememberRequest(const std::string&, const std::string&, const std::string&,
                                std::int64_t) override
    {
        return invalid();
    }
    StoreResult<pb::AuditRecord> appendAudit(pb::AuditRecord) override { return invalid(); }
    StoreResult<AuditPage> listAudit(const pb::ListAuditRequest&, const TenantFilter& = {}) override
    {
        return invalid();
    }
    StoreResult<std::vector<pb::AuditRecord>> auditAfter(std::int64_t, std::size_t) override
    {
        return invalid();
    }
    StoreResult<std::vector<RunSample>> runSamplesAfter(std::int64_t, std::size_t) override
    {
        return invalid();
    }
    StoreResult<bool> acquireLease(const std::string&, const std::string&, std::int64_t,
                                   std::int64_t) override
    {
        return invalid();
    }
    StoreStatus releaseLease(const std::string&, const std::string&) override { return invalid(); }
    StoreStatus prune(const RetentionPolicy&, std::int64_t) override { return invalid(); }

    // --- test helpers
    std::size_t sampleCount()
    {
        std::lock_guard lock(mutex_);
        return samples_.size();
    }
    std::vector<RunSample> samples()
    {
        std::lock_guard lock(mutex_);
        return samples_;
    }
    std::map<std::string, pb::TraceSummary> summaries()
    {
        std::lock_guard lock(mutex_);
        return summaries_;
    }
    std::size_t schemaCount()
    {
        std::lock_guard lock(mutex_);
        return schemas_.size();
    }
    std::vector<pb::KnowledgeEntry> entries()
    {
        std::lock_guard lock(mutex_);
        std::vector<pb::KnowledgeEntry> out;
        for (const auto& [id, entry] : entries_)
            out.push_back(entry);
        return out;
    }
    std::vector<pb::OptimizationVersion> versions()
    {
        std::lock_guard lock(mutex_);
        std::vector<pb::OptimizationVersion> out;
        for (const auto& [id, v] : versions_)
            out.push_back(v);
        return out;
    }

private:
    static StoreError invalid() { return {StoreError::Code::Invalid, "not in the test store"}; }

    std::mutex mutex_;
    std::map<std::string, pb::Instance> instances_;
    std::map<std::string, std::vector<std::string>> records_;
    std::set<std::pair<std::string, std::string>> keys_; // (thread, record key) stored
    std::map<std::string, pb::TraceSummary> summaries_;
    std::map<std::string, pb::GraphSchema> schemas_;
    std::vector<RunSample> samples_;
    std::map<std::string, pb::KnowledgeEntry> entries_;
    std::map<std::string, pb::OptimizationVersion> versions_;
};

} // namespace nexus::server::test
