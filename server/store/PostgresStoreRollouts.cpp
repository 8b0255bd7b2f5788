// PostgresStore: optimization versions, rollouts, idempotent requests, audit.
#include "protocol/Ids.h"
#include "server/store/PageToken.h"
#include "server/store/PostgresStore.h"
#include "server/store/PostgresStoreInternal.h"

#include <chrono>

namespace nexus::server {

using namespace pg;
using sqlite::decodePageToken;
using sqlite::encodePageToken;
using sqlite::pageSize;

namespace {

bool isActive(pb::RolloutPhase phase)
{
    return phase == pb::ROLLOUT_PHASE_PROGRESSING || phase == pb::ROLLOUT_PHASE_PAUSED;
}

std::optional<pb::Rollout> loadRollout(Connection& c, const std::string& rolloutId)
{
    auto r = c.query("SELECT data FROM rollouts WHERE rollout_id = ?", params(rolloutId));
    if (r.rows() == 0)
        return std::nullopt;
    return parseStored<pb::Rollout>(r.bytes(0, 0), "rollout");
}

} // namespace

// --- optimization versions

StoreResult<pb::OptimizationVersion> PostgresStore::createVersion(pb::OptimizationVersion version,
                                                                  std::int64_t nowUs)
{
    if (version.version_id().empty())
        version.set_version_id(protocol::newUuidString());
    if (version.state() == pb::VERSION_STATE_UNSPECIFIED)
        version.set_state(pb::VERSION_STATE_CANDIDATE);
    if (version.created_us() == 0)
        version.set_created_us(nowUs);
    return run([&](Connection& c) -> StoreResult<pb::OptimizationVersion> {
        c.query("INSERT INTO optimization_versions(version_id, graph_name, node_id, state,"
                " created_us, data) VALUES(?, ?, ?, ?, ?, ?)",
                params(version.version_id(), version.graph_name(), version.node_id(),
                       version.state(), version.created_us(),
                       bytesOf(version.SerializeAsString())));
        return version;
    });
}

StoreResult<std::vector<pb::OptimizationVersion>>
PostgresStore::listVersions(const std::string& graphName, const std::string& nodeId)
{
    return run([&](Connection& c) -> StoreResult<std::vector<pb::OptimizationVersion>> {
        Filter f;
        if (!graphName.empty())
            f.add("graph_name = ?", params(graphName));
        if (!nodeId.empty())
            f.add("node_id = ?", params(nodeId));
        auto r = c.query("SELECT data FROM optimization_versions" + f.sql() +
                             " ORDER BY created_us DESC, version_id ASC",
                         f.values());
        std::vector<pb::OptimizationVersion> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(parseStored<pb::OptimizationVersion>(r.bytes(i, 0), "version"));
        return out;
    });
}

StoreResult<std::optional<pb::OptimizationVersion>>
PostgresStore::version(const std::string& versionId)
{
    return run([&](Connection& c) -> StoreResult<std::optional<pb::OptimizationVersion>> {
        auto r = c.query("SELECT data FROM optimization_versions WHERE version_id = ?",
                         params(versionId));
        if (r.rows() == 0)
            return std::optional<pb::OptimizationVersion>();
        return std::optional(parseStored<pb::OptimizationVersion>(r.bytes(0, 0), "version"));
    });
}

StoreStatus PostgresStore::setVersionState(const std::string& versionId, pb::VersionState state)
{
    return run([&](Connection& c) -> StoreStatus {
        Transaction tx(c);
        auto r = c.query("SELECT data FROM optimization_versions WHERE version_id = ? FOR UPDATE",
                         params(versionId));
        if (r.rows() == 0)
            return StoreError{StoreError::Code::NotFound, "no optimization version " + versionId};
        auto version = parseStored<pb::OptimizationVersion>(r.bytes(0, 0), "version");
        version.set_state(state);
        c.query("UPDATE optimization_versions SET state = ?, data = ? WHERE version_id = ?",
                params(state, bytesOf(version.SerializeAsString()), versionId));
        tx.commit();
        return protocol::Ok{};
    });
}

// --- rollouts

StoreResult<pb::Rollout> PostgresStore::createRollout(pb::Rollout rollout)
{
    if (rollout.rollout_id().empty())
        rollout.set_rollout_id(protocol::newUuidString());
    rollout.set_revision(1);
    return run([&](Connection& c) -> StoreResult<pb::Rollout> {
        try {
            c.query("INSERT INTO rollouts(rollout_id, version_id, graph_name, phase,"
                    " revision, created_us, updated_us, data, tenant_id)"
                    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    params(rollout.rollout_id(), rollout.version_id(), rollout.graph_name(),
                           rollout.phase(), rollout.revision(), rollout.created_us(),
                           rollout.updated_us(), bytesOf(rollout.SerializeAsString()),
                           rollout.tenant_id()));
        } catch (const PgError& e) {
            if (e.sqlState == "23503") // the foreign key on version_id
                return StoreError{StoreError::Code::NotFound,
                                  "no optimization version " + rollout.version_id()};
            throw;
        }
        return rollout;
    });
}

StoreResult<pb::Rollout> PostgresStore::updateRollout(const pb::Rollout& rollout)
{
    pb::Rollout next = rollout;
    next.set_revision(rollout.revision() + 1);
    return run([&](Connection& c) -> StoreResult<pb::Rollout> {
        // One statement: PostgreSQL re-checks the revision under the row lock,
        // so of two writers that saw the same revision exactly one wins.
        auto r =
            c.query("UPDATE rollouts SET version_id = ?, graph_name = ?, phase = ?,"
                    " revision = ?, created_us = ?, updated_us = ?, data = ?"
                    " WHERE rollout_id = ? AND revision = ?",
                    params(next.version_id(), next.graph_name(), next.phase(), next.revision(),
                           next.created_us(), next.updated_us(), bytesOf(next.SerializeAsString()),
                           rollout.rollout_id(), rollout.revision()));
        if (r.affected() == 1)
            return next;
        auto current = loadRollout(c, rollout.rollout_id());
        if (!current)
            return StoreError{StoreError::Code::NotFound, "no rollout " + rollout.rollout_id()};
        return StoreError{StoreError::Code::Stale,
                          "rollout " + rollout.rollout_id() + " is at revision " +
                              std::to_string(current->revision()) + ", not " +
                              std::to_string(rollout.revision())};
    });
}

StoreResult<std::optional<pb::Rollout>> PostgresStore::rollout(const std::string& rolloutId)
{
    return run([&](Connection& c) -> StoreResult<std::optional<pb::Rollout>> {
        return loadRollout(c, rolloutId);
    });
}

StoreResult<std::vector<pb::Rollout>> PostgresStore::listRollouts(bool activeOnly,
                                                                  const std::string& graphName,
                                                                  const TenantFilter& scope)
{
    return run([&](Connection& c) -> StoreResult<std::vector<pb::Rollout>> {
        Filter f;
        if (activeOnly)
            f.add("phase IN (?, ?)", params(std::int64_t{pb::ROLLOUT_PHASE_PROGRESSING},
                                            std::int64_t{pb::ROLLOUT_PHASE_PAUSED}));
        if (!graphName.empty())
            f.add("graph_name = ?", params(graphName));
        addTenantFilter(f, scope.tenants);
        auto r = c.query("SELECT data FROM rollouts" + f.sql() +
                             " ORDER BY created_us DESC, rollout_id ASC",
                         f.values());
        std::vector<pb::Rollout> out;
        for (int i = 0; i < r.rows(); ++i) {
            auto rollout = parseStored<pb::Rollout>(r.bytes(i, 0), "rollout");
            if (!activeOnly || isActive(rollout.phase()))
                out.push_back(std::move(rollout));
        }
        return out;
    });
}

// --- idempotent requests

StoreResult<std::optional<std::string>> PostgresStore::findRequest(const std::string& requestId)
{
    return run([&](Connection& c) -> StoreResult<std::optional<std::string>> {
        auto r = c.query("SELECT response FROM requests WHERE request_id = ?", params(requestId));
        if (r.rows() == 0)
            return std::optional<std::string>();
        return std::optional(r.bytes(0, 0));
    });
}

StoreStatus PostgresStore::rememberRequest(const std::string& requestId, const std::string& action,
                                           const std::string& responseBytes, std::int64_t nowUs)
{
    if (requestId.empty())
        return StoreError{StoreError::Code::Invalid, "an empty request id cannot be remembered"};
    return run([&](Connection& c) -> StoreStatus {
        // The primary key decides: of concurrent retries, one inserts.
        auto r = c.query("INSERT INTO requests(request_id, action, response, at_us)"
                         " VALUES(?, ?, ?, ?) ON CONFLICT(request_id) DO NOTHING",
                         params(requestId, action, Bytes{responseBytes}, nowUs));
        if (r.affected() == 0)
            return StoreError{StoreError::Code::AlreadyExists,
                              "request id " + requestId + " was already answered"};
        return protocol::Ok{};
    });
}

// --- audit

StoreResult<pb::AuditRecord> PostgresStore::appendAudit(pb::AuditRecord record)
{
    if (record.at_us() == 0)
        record.set_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
    record.clear_seq(); // the row's seq is the record's; never stored twice
    return run([&](Connection& c) -> StoreResult<pb::AuditRecord> {
        auto r = c.query("INSERT INTO audit_log(at_us, actor, action, target, request_id, data,"
                         " tenant_id) VALUES(?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                         params(record.at_us(), record.actor(), record.action(), record.target(),
                                record.request_id(), bytesOf(record.SerializeAsString()),
                                record.tenant_id()));
        pb::AuditRecord out = record;
        out.set_seq(r.int64(0, 0));
        return out;
    });
}

StoreResult<AuditPage> PostgresStore::listAudit(const pb::ListAuditRequest& request,
                                                const TenantFilter& scope)
{
    const auto before = decodePageToken(request.page_token(), 'a');
    if (!before)
        return before.error();
    const std::int64_t size = pageSize(request.page_size(), 100, 1000);

    return run([&](Connection& c) -> StoreResult<AuditPage> {
        Filter f;
        if (*before > 0)
            f.add("seq < ?", params(*before));
        if (!request.actor().empty())
            f.add("actor = ?", params(request.actor()));
        if (!request.action_prefix().empty())
            f.add("starts_with(action, ?)", params(request.action_prefix()));
        if (!request.target().empty())
            f.add("target = ?", params(request.target()));
        if (request.since_us() > 0)
            f.add("at_us >= ?", params(request.since_us()));
        if (!request.tenant_id().empty())
            f.add("tenant_id = ?", params(request.tenant_id()));
        addTenantFilter(f, scope.tenants, scope.alsoActor);
        auto r = c.query("SELECT seq, data FROM audit_log" + f.sql() + " ORDER BY seq DESC LIMIT ?",
                         f.values(params(size + 1)));
        AuditPage page;
        for (int i = 0; i < r.rows(); ++i) {
            auto record = parseStored<pb::AuditRecord>(r.bytes(i, 1), "audit record");
            record.set_seq(r.int64(i, 0));
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
