#pragma once
// The PostgreSQL store's schema as numbered migrations, the same steps as
// SQLite's (Migrations.h). Each runs once, in its own transaction holding a
// transaction-level advisory lock, so two nexusd processes opening a fresh
// database at once apply it once; opening a newer schema is refused.

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::server::pg {

class Connection;

struct PgMigration
{
    int version;
    std::string name;
    std::string sql;
};

const std::vector<PgMigration>& pgSchemaMigrations();
int pgLatestSchemaVersion();

// The advisory lock key every migration holds (pg_advisory_xact_lock).
constexpr std::int64_t kMigrationLockKey = 0x6e657875730001; // "nexus" + 1

// Applies every missing migration and checks the audit log's triggers; throws PgError.
void pgMigrate(Connection& c, std::int64_t nowUs);

} // namespace nexus::server::pg
