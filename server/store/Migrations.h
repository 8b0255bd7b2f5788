#pragma once
// The store's schema as numbered migrations. Each runs once, in its own
// transaction, and is recorded in `schema_migrations`; opening an older file
// applies the missing ones, opening a newer one is refused.

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::server::sqlite {

class SqliteDb;

struct Migration
{
    int version;
    std::string name;
    std::string sql;
};

const std::vector<Migration>& schemaMigrations();
int latestSchemaVersion();

// Applies every missing migration; throws DbError.
void migrate(SqliteDb& db, std::int64_t nowUs);

} // namespace nexus::server::sqlite
