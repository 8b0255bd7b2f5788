#include "server/store/Migrations.h"

#include "server/store/SqliteDb.h"

#include "nexus/v1/knowledge.pb.h"
#include "nexus/v1/rollouts.pb.h"

#include <utility>

namespace nexus::server::sqlite {

namespace {

// Version 1: every table. Proto messages are stored whole (`data`); the
// columns beside them are what queries filter and sort on.
const char* const kTables = R"sql(
CREATE TABLE instances (
  instance_id TEXT PRIMARY KEY,
  deployment TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  last_seen_us INTEGER NOT NULL,
  data BLOB NOT NULL);

CREATE TABLE traces (
  thread_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  deployment TEXT NOT NULL,
  graph_name TEXT NOT NULL,
  status INTEGER NOT NULL,
  started_us INTEGER NOT NULL,
  ended_us INTEGER NOT NULL,
  duration_us INTEGER NOT NULL,
  cost_micros INTEGER NOT NULL,
  error TEXT NOT NULL,
  activity_us INTEGER NOT NULL, -- the latest of started, ended, last seen: retention age
  data BLOB NOT NULL);
CREATE INDEX traces_by_started ON traces(started_us);
CREATE INDEX traces_by_activity ON traces(activity_us);
CREATE INDEX traces_by_instance ON traces(instance_id, started_us);
CREATE INDEX traces_by_graph ON traces(graph_name, started_us);

CREATE TABLE trace_records (
  thread_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (thread_id, seq));

CREATE TABLE graph_schemas (
  schema_id TEXT PRIMARY KEY,
  graph_name TEXT NOT NULL,
  data BLOB NOT NULL);

CREATE TABLE run_samples (
  sample_id INTEGER PRIMARY KEY,
  thread_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  deployment TEXT NOT NULL,
  version TEXT NOT NULL,
  graph_name TEXT NOT NULL,
  optimization_version TEXT NOT NULL,
  rollout_id TEXT NOT NULL,
  ended_us INTEGER NOT NULL,
  duration_us INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  quality REAL,
  tokens INTEGER NOT NULL,
  cost_micros INTEGER NOT NULL);
CREATE INDEX run_samples_by_ended ON run_samples(ended_us);
CREATE INDEX run_samples_by_rollout ON run_samples(rollout_id, ended_us);
CREATE INDEX run_samples_by_instance ON run_samples(instance_id, ended_us);

CREATE TABLE knowledge_entries (
  entry_id TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  status INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  data BLOB NOT NULL);
CREATE INDEX knowledge_by_status ON knowledge_entries(status, created_us);

CREATE TABLE knowledge_sources (
  entry_id TEXT NOT NULL REFERENCES knowledge_entries(entry_id),
  instance_id TEXT NOT NULL,
  PRIMARY KEY (entry_id, instance_id));
CREATE INDEX knowledge_sources_by_instance ON knowledge_sources(instance_id);

CREATE TABLE knowledge_revisions (
  entry_id TEXT NOT NULL REFERENCES knowledge_entries(entry_id),
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (entry_id, revision));

CREATE TABLE knowledge_reviews (
  review_id TEXT PRIMARY KEY,
  entry_id TEXT NOT NULL REFERENCES knowledge_entries(entry_id),
  revision INTEGER NOT NULL,
  decision INTEGER NOT NULL,
  reviewer TEXT NOT NULL,
  reviewed_us INTEGER NOT NULL,
  request_id TEXT UNIQUE, -- NULL when the client sent none
  data BLOB NOT NULL);
CREATE INDEX knowledge_reviews_by_entry ON knowledge_reviews(entry_id, reviewed_us);

CREATE TABLE optimization_versions (
  version_id TEXT PRIMARY KEY,
  graph_name TEXT NOT NULL,
  node_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  data BLOB NOT NULL);
CREATE INDEX versions_by_graph ON optimization_versions(graph_name, node_id);

CREATE TABLE rollouts (
  rollout_id TEXT PRIMARY KEY,
  version_id TEXT NOT NULL REFERENCES optimization_versions(version_id),
  graph_name TEXT NOT NULL,
  phase INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  data BLOB NOT NULL);
CREATE INDEX rollouts_by_graph ON rollouts(graph_name, phase);

CREATE TABLE requests (
  request_id TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  response BLOB NOT NULL,
  at_us INTEGER NOT NULL);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  request_id TEXT NOT NULL,
  data BLOB NOT NULL);
CREATE INDEX audit_by_target ON audit_log(target, seq);
CREATE INDEX audit_by_actor ON audit_log(actor, seq);
)sql";

// Version 2: the audit log refuses edits, whoever connects to the file.
const char* const kAuditAppendOnly = R"sql(
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only: records cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only: records cannot be deleted');
END;
)sql";

// Version 3: replicas (several nexusd on one store). A trace record carries
// its key (the DashStream message id; NULL for rows from before) and is
// stored once per thread; a run has one sample (older duplicates of a
// sample are dropped, the first kept); leases name one holder at a time.
const char* const kReplicas = R"sql(
ALTER TABLE trace_records ADD COLUMN record_key TEXT;
CREATE UNIQUE INDEX trace_records_by_key ON trace_records(thread_id, record_key);
DELETE FROM run_samples WHERE sample_id NOT IN
  (SELECT MIN(sample_id) FROM run_samples GROUP BY thread_id);
CREATE UNIQUE INDEX run_samples_by_thread ON run_samples(thread_id);
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_us INTEGER NOT NULL);
)sql";

// Version 4: tenants. Entries, rollouts and audit records carry the tenant
// they belong to, so lists filter by the caller's tenants in SQL. Old audit
// records get "" (fleet-wide); entries and rollouts are backfilled from the
// tenant_id kept in their data (backfillTenants).
const char* const kTenants = R"sql(
ALTER TABLE knowledge_entries ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE rollouts ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
CREATE INDEX knowledge_by_tenant ON knowledge_entries(tenant_id, created_us);
CREATE INDEX audit_by_tenant ON audit_log(tenant_id, seq);
)sql";

template <class Message>
void backfillTenant(SqliteDb& db, const std::string& table, const std::string& key)
{
    std::vector<std::pair<std::string, std::string>> rows; // key, tenant
    auto select = db.prepareOnce("SELECT " + key + ", data FROM " + table);
    while (select.step()) {
        Message m;
        if (m.ParseFromString(select.blobAt(1)) && !m.tenant_id().empty())
            rows.emplace_back(select.textAt(0), m.tenant_id());
    }
    auto update = db.prepareOnce("UPDATE " + table + " SET tenant_id = ? WHERE " + key + " = ?");
    for (const auto& [id, tenant] : rows) {
        update.bindAll(tenant, id);
        update.run();
    }
}

void backfillTenants(SqliteDb& db)
{
    backfillTenant<::nexus::v1::KnowledgeEntry>(db, "knowledge_entries", "entry_id");
    backfillTenant<::nexus::v1::Rollout>(db, "rollouts", "rollout_id");
}

// The append-only triggers exactly as migration 2 created them; SQLite keeps
// each CREATE TRIGGER's text without the final semicolon.
std::vector<std::pair<std::string, std::string>> expectedAuditTriggers()
{
    std::vector<std::pair<std::string, std::string>> triggers;
    const std::string sql = kAuditAppendOnly;
    std::size_t from = sql.find("CREATE TRIGGER");
    while (from != std::string::npos) {
        const std::size_t end = sql.find("END;", from);
        const std::string text = sql.substr(from, end + 3 - from);
        const std::size_t nameAt = std::string("CREATE TRIGGER ").size();
        triggers.emplace_back(text.substr(nameAt, text.find(' ', nameAt) - nameAt), text);
        from = sql.find("CREATE TRIGGER", end);
    }
    return triggers;
}

// Refuses a file whose audit log lost its protection (a trigger dropped or
// replaced by hand): the server must not start on a log that can be edited.
void checkAuditTriggers(SqliteDb& db)
{
    for (const auto& [name, text] : expectedAuditTriggers()) {
        auto stmt = db.prepareOnce("SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                                   " AND name = ? AND tbl_name = 'audit_log'");
        stmt.bindAll(name);
        if (!stmt.step() || stmt.textAt(0) != text)
            throw DbError(StoreError::Code::Invalid,
                          "the audit log of this database is no longer append-only (trigger " +
                              name +
                              " is missing or was changed); the file was edited outside "
                              "nexusd: restore it from a backup");
    }
}

std::int64_t appliedVersion(SqliteDb& db)
{
    auto stmt = db.prepareOnce("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    stmt.step();
    return stmt.int64At(0);
}

} // namespace

const std::vector<Migration>& schemaMigrations()
{
    static const std::vector<Migration> migrations{
        {1, "tables", kTables},
        {2, "audit log append-only", kAuditAppendOnly},
        {3, "replicas", kReplicas},
        {4, "tenants", kTenants},
    };
    return migrations;
}

int latestSchemaVersion()
{
    return schemaMigrations().back().version;
}

void migrate(SqliteDb& db, std::int64_t nowUs)
{
    db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us INTEGER NOT NULL)");
    if (const auto found = appliedVersion(db); found > latestSchemaVersion())
        throw DbError(StoreError::Code::Invalid,
                      "the database has schema version " + std::to_string(found) +
                          ", newer than this nexusd knows (" +
                          std::to_string(latestSchemaVersion()) + "); use a newer nexusd");

    for (const Migration& m : schemaMigrations()) {
        if (appliedVersion(db) >= m.version)
            continue;
        Transaction tx(db);
        // Re-read under the write lock: another process may have migrated meanwhile.
        if (appliedVersion(db) >= m.version)
            continue;
        db.exec(m.sql);
        if (m.version == 4)
            backfillTenants(db);
        db.prepareOnce("INSERT INTO schema_migrations(version, name, applied_us) VALUES(?, ?, ?)")
            .bindAll(m.version, m.name, nowUs)
            .run();
        tx.commit();
    }
    checkAuditTriggers(db);
}

} // namespace nexus::server::sqlite
