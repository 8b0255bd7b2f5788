#include "server/store/PgMigrations.h"

#include "server/store/PgConnection.h"

#include "nexus/v1/knowledge.pb.h"
#include "nexus/v1/rollouts.pb.h"

namespace nexus::server::pg {

namespace {

// Version 1: every table. Proto messages are stored whole (`data`, BYTEA);
// the columns beside them are what queries filter and sort on. Times are
// BIGINT microseconds, like everywhere else.
const char* const kTables = R"sql(
CREATE TABLE instances (
  instance_id TEXT PRIMARY KEY,
  deployment TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  last_seen_us BIGINT NOT NULL,
  data BYTEA NOT NULL);

CREATE TABLE traces (
  thread_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  deployment TEXT NOT NULL,
  graph_name TEXT NOT NULL,
  status BIGINT NOT NULL,
  started_us BIGINT NOT NULL,
  ended_us BIGINT NOT NULL,
  duration_us BIGINT NOT NULL,
  cost_micros BIGINT NOT NULL,
  error TEXT NOT NULL,
  activity_us BIGINT NOT NULL,
  data BYTEA NOT NULL);
CREATE INDEX traces_by_started ON traces(started_us);
CREATE INDEX traces_by_activity ON traces(activity_us);
CREATE INDEX traces_by_instance ON traces(instance_id, started_us);
CREATE INDEX traces_by_graph ON traces(graph_name, started_us);

CREATE TABLE trace_records (
  thread_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  value BYTEA NOT NULL,
  PRIMARY KEY (thread_id, seq));

CREATE TABLE graph_schemas (
  schema_id TEXT PRIMARY KEY,
  graph_name TEXT NOT NULL,
  data BYTEA NOT NULL);

CREATE TABLE run_samples (
  sample_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  thread_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  deployment TEXT NOT NULL,
  version TEXT NOT NULL,
  graph_name TEXT NOT NULL,
  optimization_version TEXT NOT NULL,
  rollout_id TEXT NOT NULL,
  ended_us BIGINT NOT NULL,
  duration_us BIGINT NOT NULL,
  failed BIGINT NOT NULL,
  quality DOUBLE PRECISION,
  tokens BIGINT NOT NULL,
  cost_micros BIGINT NOT NULL);
CREATE INDEX run_samples_by_ended ON run_samples(ended_us);
CREATE INDEX run_samples_by_rollout ON run_samples(rollout_id, ended_us);
CREATE INDEX run_samples_by_instance ON run_samples(instance_id, ended_us);

CREATE TABLE knowledge_entries (
  entry_id TEXT PRIMARY KEY,
  kind BIGINT NOT NULL,
  status BIGINT NOT NULL,
  revision BIGINT NOT NULL,
  created_us BIGINT NOT NULL,
  updated_us BIGINT NOT NULL,
  data BYTEA NOT NULL);
CREATE INDEX knowledge_by_status ON knowledge_entries(status, created_us);

CREATE TABLE knowledge_sources (
  entry_id TEXT NOT NULL REFERENCES knowledge_entries(entry_id),
  instance_id TEXT NOT NULL,
  PRIMARY KEY (entry_id, instance_id));
CREATE INDEX knowledge_sources_by_instance ON knowledge_sources(instance_id);

CREATE TABLE knowledge_revisions (
  entry_id TEXT NOT NULL REFERENCES knowledge_entries(entry_id),
  revision BIGINT NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (entry_id, revision));

CREATE TABLE knowledge_reviews (
  review_seq BIGINT GENERATED ALWAYS AS IDENTITY,
  review_id TEXT PRIMARY KEY,
  entry_id TEXT NOT NULL REFERENCES knowledge_entries(entry_id),
  revision BIGINT NOT NULL,
  decision BIGINT NOT NULL,
  reviewer TEXT NOT NULL,
  reviewed_us BIGINT NOT NULL,
  request_id TEXT UNIQUE,
  data BYTEA NOT NULL,
  UNIQUE (entry_id, revision));
CREATE INDEX knowledge_reviews_by_entry ON knowledge_reviews(entry_id, reviewed_us);

CREATE TABLE optimization_versions (
  version_id TEXT PRIMARY KEY,
  graph_name TEXT NOT NULL,
  node_id TEXT NOT NULL,
  state BIGINT NOT NULL,
  created_us BIGINT NOT NULL,
  data BYTEA NOT NULL);
CREATE INDEX versions_by_graph ON optimization_versions(graph_name, node_id);

CREATE TABLE rollouts (
  rollout_id TEXT PRIMARY KEY,
  version_id TEXT NOT NULL REFERENCES optimization_versions(version_id),
  graph_name TEXT NOT NULL,
  phase BIGINT NOT NULL,
  revision BIGINT NOT NULL,
  created_us BIGINT NOT NULL,
  updated_us BIGINT NOT NULL,
  data BYTEA NOT NULL);
CREATE INDEX rollouts_by_graph ON rollouts(graph_name, phase);

CREATE TABLE requests (
  request_id TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  response BYTEA NOT NULL,
  at_us BIGINT NOT NULL);

CREATE TABLE audit_log (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_us BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  request_id TEXT NOT NULL,
  data BYTEA NOT NULL);
CREATE INDEX audit_by_target ON audit_log(target, seq);
CREATE INDEX audit_by_actor ON audit_log(actor, seq);
)sql";

// The body of the function behind the append-only triggers; open() compares
// the stored one with it.
const char* const kAuditGuardBody = R"plpgsql(
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'the audit log is append-only: records cannot be changed';
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: records cannot be deleted';
END;
)plpgsql";

// Version 2: the audit log refuses edits, whoever connects to the database.
std::string auditAppendOnly()
{
    return std::string("CREATE FUNCTION audit_log_append_only() RETURNS trigger"
                       " LANGUAGE plpgsql AS $guard$") +
           kAuditGuardBody +
           "$guard$;\n"
           "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
           " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();\n"
           "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
           " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();\n"
           "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
           " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();\n";
}

// Version 3: replicas (several nexusd on one database), as SQLite's
// migration 3: keyed trace records stored once per thread, one sample per
// run (older duplicates dropped, the first kept), leases.
const char* const kReplicas = R"sql(
ALTER TABLE trace_records ADD COLUMN record_key TEXT;
CREATE UNIQUE INDEX trace_records_by_key ON trace_records(thread_id, record_key);
DELETE FROM run_samples WHERE sample_id NOT IN
  (SELECT MIN(sample_id) FROM run_samples GROUP BY thread_id);
CREATE UNIQUE INDEX run_samples_by_thread ON run_samples(thread_id);
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_us BIGINT NOT NULL);
)sql";

// Version 4: tenants, as SQLite's migration 4: entries, rollouts and audit
// records carry their tenant; old audit records get "", entries and rollouts
// are backfilled from their data (backfillTenants).
const char* const kTenants = R"sql(
ALTER TABLE knowledge_entries ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE rollouts ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
CREATE INDEX knowledge_by_tenant ON knowledge_entries(tenant_id, created_us);
CREATE INDEX audit_by_tenant ON audit_log(tenant_id, seq);
)sql";

template <class Message>
void backfillTenant(Connection& c, const std::string& table, const std::string& key)
{
    auto r = c.query("SELECT " + key + ", data FROM " + table);
    for (int i = 0; i < r.rows(); ++i) {
        Message m;
        if (m.ParseFromString(r.bytes(i, 1)) && !m.tenant_id().empty())
            c.query("UPDATE " + table + " SET tenant_id = ? WHERE " + key + " = ?",
                    params(m.tenant_id(), r.text(i, 0)));
    }
}

void backfillTenants(Connection& c)
{
    backfillTenant<::nexus::v1::KnowledgeEntry>(c, "knowledge_entries", "entry_id");
    backfillTenant<::nexus::v1::Rollout>(c, "rollouts", "rollout_id");
}

// Refuses a database whose audit log lost its protection (a trigger dropped,
// disabled or pointed elsewhere, or the function replaced): the server must
// not start on a log that can be edited.
void checkAuditTriggers(Connection& c)
{
    const struct
    {
        const char* name;
        const char* event;
    } expected[] = {{"audit_log_no_update", "BEFORE UPDATE"},
                    {"audit_log_no_delete", "BEFORE DELETE"},
                    {"audit_log_no_truncate", "BEFORE TRUNCATE"}};
    for (const auto& e : expected) {
        auto r = c.query("SELECT pg_get_triggerdef(t.oid), t.tgenabled, p.proname, p.prosrc"
                         " FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                         " WHERE t.tgrelid = 'audit_log'::regclass AND t.tgname = ?",
                         params(e.name));
        const bool intact = r.rows() == 1 && r.text(0, 0).find(e.event) != std::string::npos &&
                            r.text(0, 1) != "D" && r.text(0, 2) == "audit_log_append_only" &&
                            r.text(0, 3) == kAuditGuardBody;
        if (!intact)
            throw PgError(StoreError::Code::Invalid,
                          std::string("the audit log of this database is no longer append-only "
                                      "(trigger ") +
                              e.name +
                              " is missing, disabled or was changed); the database was edited "
                              "outside nexusd: restore it from a backup");
    }
}

std::int64_t appliedVersion(Connection& c)
{
    auto r = c.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return r.int64(0, 0);
}

} // namespace

const std::vector<PgMigration>& pgSchemaMigrations()
{
    static const std::vector<PgMigration> migrations{
        {1, "tables", kTables},
        {2, "audit log append-only", auditAppendOnly()},
        {3, "replicas", kReplicas},
        {4, "tenants", kTenants},
    };
    return migrations;
}

int pgLatestSchemaVersion()
{
    return pgSchemaMigrations().back().version;
}

void pgMigrate(Connection& c, std::int64_t nowUs)
{
    for (const PgMigration& m : pgSchemaMigrations()) {
        Transaction tx(c);
        // Held until COMMIT: a second process opening at the same moment waits
        // here, then sees the migration applied.
        c.query("SELECT pg_advisory_xact_lock(?)", params(kMigrationLockKey));
        // Checked first: a role that may not create tables (see DEPLOYMENT.md)
        // can still open a database its owner migrated.
        if (c.query("SELECT to_regclass('schema_migrations') IS NULL").text(0, 0) == "t")
            c.exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY,"
                   " name TEXT NOT NULL, applied_us BIGINT NOT NULL)");
        const auto found = appliedVersion(c);
        if (found > pgLatestSchemaVersion())
            throw PgError(StoreError::Code::Invalid,
                          "the database has schema version " + std::to_string(found) +
                              ", newer than this nexusd knows (" +
                              std::to_string(pgLatestSchemaVersion()) + "); use a newer nexusd");
        if (found >= m.version)
            continue;
        c.exec(m.sql);
        if (m.version == 4)
            backfillTenants(c);
        c.query("INSERT INTO schema_migrations(version, name, applied_us) VALUES(?, ?, ?)",
                params(m.version, m.name, nowUs));
        tx.commit();
    }
    checkAuditTriggers(c);
}

} // namespace nexus::server::pg
