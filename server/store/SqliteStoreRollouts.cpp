// SqliteStore: optimization versions, rollouts, idempotent requests, audit.
#include "protocol/Ids.h"
#include "server/store/PageToken.h"
#include "server/store/SqliteStore.h"
#include "server/store/SqliteStoreInternal.h"

#include <chrono>

namespace nexus::server {

using namespace sqlite;

namespace {

bool isActive(pb::RolloutPhase phase)
{
    return phase == pb::ROLLOUT_PHASE_PROGRESSING || phase == pb::ROLLOUT_PHASE_PAUSED;
}

std::optional<pb::Rollout> loadRollout(SqliteDb& db, const std::string& rolloutId)
{
    auto stmt = db.prepare("SELECT data FROM rollouts WHERE rollout_id = ?1");
    stmt.bindAll(rolloutId);
    if (!stmt.step())
        return std::nullopt;
    return parseStored<pb::Rollout>(stmt.blobAt(0), "rollout");
}

} // namespace

// --- optimization versions

StoreResult<pb::OptimizationVersion> SqliteStore::createVersion(pb::OptimizationVersion version,
                                                                std::int64_t nowUs)
{
    return locked([&]() -> StoreResult<pb::OptimizationVersion> {
        if (version.version_id().empty())
            version.set_version_id(protocol::newUuidString());
        if (version.state() == pb::VERSION_STATE_UNSPECIFIED)
            version.set_state(pb::VERSION_STATE_CANDIDATE);
        if (version.created_us() == 0)
            version.set_created_us(nowUs);
        db_->prepare("INSERT INTO optimization_versions(version_id, graph_name, node_id, state,"
                     " created_us, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
            .bindAll(version.version_id(), version.graph_name(), version.node_id(), version.state(),
                     version.created_us(), blobOf(version.SerializeAsString()))
            .run();
        return version;
    });
}

StoreResult<std::vector<pb::OptimizationVersion>>
SqliteStore::listVersions(const std::string& graphName, const std::string& nodeId)
{
    return locked([&]() -> StoreResult<std::vector<pb::OptimizationVersion>> {
        SqlFilter f;
        if (!graphName.empty())
            f.add("graph_name = ?", {graphName});
        if (!nodeId.empty())
            f.add("node_id = ?", {nodeId});
        auto stmt = db_->prepareOnce("SELECT data FROM optimization_versions" + f.sql() +
                                     " ORDER BY created_us DESC, version_id ASC");
        f.bindTo(stmt);
        std::vector<pb::OptimizationVersion> out;
        while (stmt.step())
            out.push_back(parseStored<pb::OptimizationVersion>(stmt.blobAt(0), "version"));
        return out;
    });
}

StoreResult<std::optional<pb::OptimizationVersion>>
SqliteStore::version(const std::string& versionId)
{
    return locked([&]() -> StoreResult<std::optional<pb::OptimizationVersion>> {
        auto stmt = db_->prepare("SELECT data FROM optimization_versions WHERE version_id = ?1");
        stmt.bindAll(versionId);
        if (!stmt.step())
            return std::optional<pb::OptimizationVersion>();
        return std::optional(parseStored<pb::OptimizationVersion>(stmt.blobAt(0), "version"));
    });
}

StoreStatus SqliteStore::setVersionState(const std::string& versionId, pb::VersionState state)
{
    return locked([&]() -> StoreStatus {
        Transaction tx(*db_);
        auto stmt = db_->prepare("SELECT data FROM optimization_versions WHERE version_id = ?1");
        stmt.bindAll(versionId);
        if (!stmt.step())
            return StoreError{StoreError::Code::NotFound, "no optimization version " + versionId};
        auto version = parseStored<pb::OptimizationVersion>(stmt.blobAt(0), "version");
        version.set_state(state);
        db_->prepare("UPDATE optimization_versions SET state = ?2, data = ?3 WHERE version_id = ?1")
            .bindAll(versionId, state, blobOf(version.SerializeAsString()))
            .run();
        tx.commit();
        return protocol::Ok{};
    });
}

// --- rollouts

StoreResult<pb::Rollout> SqliteStore::createRollout(pb::Rollout rollout)
{
    return locked([&]() -> StoreResult<pb::Rollout> {
        if (rollout.rollout_id().empty())
            rollout.set_rollout_id(protocol::newUuidString());
        rollout.set_revision(1);
        try {
            db_->prepare("INSERT INTO rollouts(rollout_id, version_id, graph_name, phase,"
                         " revision, created_us, updated_us, data, tenant_id)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
                .bindAll(rollout.rollout_id(), rollout.version_id(), rollout.graph_name(),
                         rollout.phase(), rollout.revision(), rollout.created_us(),
                         rollout.updated_us(), blobOf(rollout.SerializeAsString()),
                         rollout.tenant_id())
                .run();
        } catch (const DbError& e) {
            if (e.code == StoreError::Code::Invalid) // the foreign key on version_id
                return StoreError{StoreError::Code::NotFound,
                                  "no optimization version " + rollout.version_id()};
            throw;
        }
        return rollout;
    });
}

StoreResult<pb::Rollout> SqliteStore::updateRollout(const pb::Rollout& rollout)
{
    return locked([&]() -> StoreResult<pb::Rollout> {
        pb::Rollout next = rollout;
        next.set_revision(rollout.revision() + 1);
        db_->prepare("UPDATE rollouts SET version_id = ?3, graph_name = ?4, phase = ?5,"
                     " revision = ?6, created_us = ?7, updated_us = ?8, data = ?9"
                     " WHERE rollout_id = ?1 AND revision = ?2")
            .bindAll(rollout.rollout_id(), rollout.revision(), next.version_id(), next.graph_name(),
                     next.phase(), next.revision(), next.created_us(), next.updated_us(),
                     blobOf(next.SerializeAsString()))
            .run();
        if (db_->changes() == 1)
            return next;
        auto current = loadRollout(*db_, rollout.rollout_id());
        if (!current)
            return StoreError{StoreError::Code::NotFound, "no rollout " + rollout.rollout_id()};
        return StoreError{StoreError::Code::Stale,
                          "rollout " + rollout.rollout_id() + " is at revision " +
                              std::to_string(current->revision()) + ", not " +
                              std::to_string(rollout.revision())};
    });
}

StoreResult<std::optional<pb::Rollout>> SqliteStore::rollout(const std::string& rolloutId)
{
    return locked(
        [&]() -> StoreResult<std::optional<pb::Rollout>> { return loadRollout(*db_, rolloutId); });
}

StoreResult<std::vector<pb::Rollout>>
SqliteStore::listRollouts(bool activeOnly, const std::string& graphName, const TenantFilter& scope)
{
    return locked([&]() -> StoreResult<std::vector<pb::Rollout>> {
        SqlFilter f;
        if (activeOnly)
            f.add("phase IN (?, ?)", {std::int64_t{pb::ROLLOUT_PHASE_PROGRESSING},
                                      std::int64_t{pb::ROLLOUT_PHASE_PAUSED}});
        if (!graphName.empty())
            f.add("graph_name = ?", {graphName});
        addTenantFilter(f, scope.tenants);
        auto stmt = db_->prepareOnce("SELECT data FROM rollouts" + f.sql() +
                                     " ORDER BY created_us DESC, rollout_id ASC");
        f.bindTo(stmt);
        std::vector<pb::Rollout> out;
        while (stmt.step()) {
            auto r = parseStored<pb::Rollout>(stmt.blobAt(0), "rollout");
            if (!activeOnly || isActive(r.phase()))
                out.push_back(std::move(r));
        }
        return out;
    });
}

// --- idempotent requests

StoreResult<std::optional<std::string>> SqliteStore::findRequest(const std::string& requestId)
{
    return locked([&]() -> StoreResult<std::optional<std::string>> {
        auto stmt = db_->prepare("SELECT response FROM requests WHERE request_id = ?1");
        stmt.bindAll(requestId);
        if (!stmt.step())
            return std::optional<std::string>();
        return std::optional(stmt.blobAt(0));
    });
}

StoreStatus SqliteStore::rememberRequest(const std::string& requestId, const std::string& action,
                                         const std::string& responseBytes, std::int64_t nowUs)
{
    return locked([&]() -> StoreStatus {
        if (requestId.empty())
            return StoreError{StoreError::Code::Invalid,
                              "an empty request id cannot be remembered"};
        try {
            db_->prepare("INSERT INTO requests(request_id, action, response, at_us)"
                         " VALUES(?1, ?2, ?3, ?4)")
                .bindAll(requestId, action, Blob{responseBytes}, nowUs)
                .run();
        } catch (const DbError& e) {
            if (e.code == StoreError::Code::AlreadyExists)
                return StoreError{e.code, "request id " + requestId + " was already answered"};
            throw;
        }
        return protocol::Ok{};
    });
}

// --- audit

StoreResult<pb::AuditRecord> SqliteStore::appendAudit(pb::AuditRecord record)
{
    return locked([&]() -> StoreResult<pb::AuditRecord> {
        if (record.at_us() == 0)
            record.set_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
        record.clear_seq(); // the row's seq is the record's; never stored twice
        db_->prepare("INSERT INTO audit_log(at_us, actor, action, target, request_id, data,"
                     " tenant_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .bindAll(record.at_us(), record.actor(), record.action(), record.target(),
                     record.request_id(), blobOf(record.SerializeAsString()), record.tenant_id())
            .run();
        record.set_seq(db_->lastInsertRowid());
        return record;
    });
}

StoreResult<AuditPage> SqliteStore::listAudit(const pb::ListAuditRequest& request,
                                              const TenantFilter& scope)
{
    const auto before = decodePageToken(request.page_token(), 'a');
    if (!before)
        return before.error();
    const std::int64_t size = pageSize(request.page_size(), 100, 1000);

    return locked([&]() -> StoreResult<AuditPage> {
        SqlFilter f;
        if (*before > 0)
            f.add("seq < ?", {*before});
        if (!request.actor().empty())
            f.add("actor = ?", {request.actor()});
        if (!request.action_prefix().empty())
            f.add("substr(action, 1, length(?)) = ?",
                  {request.action_prefix(), request.action_prefix()});
        if (!request.target().empty())
            f.add("target = ?", {request.target()});
        if (request.since_us() > 0)
            f.add("at_us >= ?", {request.since_us()});
        if (!request.tenant_id().empty())
            f.add("tenant_id = ?", {request.tenant_id()});
        addTenantFilter(f, scope.tenants, scope.alsoActor);
        auto stmt = db_->prepareOnce("SELECT seq, data FROM audit_log" + f.sql() +
                                     " ORDER BY seq DESC LIMIT ?");
        stmt.bind(f.bindTo(stmt), size + 1);

        AuditPage page;
        while (stmt.step()) {
            auto record = parseStored<pb::AuditRecord>(stmt.blobAt(1), "audit record");
            record.set_seq(stmt.int64At(0));
            page.records.push_back(std::move(record));
        }
        if (static_cast<std::int64_t>(page.records.size()) > size) {
            page.records.pop_back();
            page.nextPageToken = encodePageToken('a', page.records.back().seq());
        }
        return page;
    });
}

} // namespace nexus::server
