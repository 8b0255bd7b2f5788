#pragma once
// Chooses the store from a specification (nexusd --store SPEC):
//   ""                          SQLite at defaultSqlitePath
//   "sqlite:PATH" or "PATH"     SQLite at PATH
//   "postgres://..." / "postgresql://..."   PostgreSQL (a libpq URI)
// Errors name what failed and never show the URI's password.

#include "server/store/Store.h"

#include <memory>
#include <string>

namespace nexus::server {

enum class StoreKind
{
    Sqlite,
    Postgres,
};

StoreKind storeKindOf(const std::string& spec);

// The specification as it may be shown (the password masked).
std::string describeStoreSpec(const std::string& spec, const std::string& defaultSqlitePath);

StoreResult<std::unique_ptr<Store>> openStore(const std::string& spec,
                                              const std::string& defaultSqlitePath);

} // namespace nexus::server
