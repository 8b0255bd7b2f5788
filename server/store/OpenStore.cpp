#include "server/store/OpenStore.h"

#include "server/store/PgConnection.h"
#include "server/store/PostgresStore.h"
#include "server/store/SqliteStore.h"

namespace nexus::server {

namespace {

bool startsWith(const std::string& text, const char* prefix)
{
    return text.rfind(prefix, 0) == 0;
}

std::string sqlitePath(const std::string& spec, const std::string& defaultSqlitePath)
{
    if (spec.empty())
        return defaultSqlitePath;
    if (startsWith(spec, "sqlite:"))
        return spec.substr(7);
    return spec;
}

} // namespace

StoreKind storeKindOf(const std::string& spec)
{
    return startsWith(spec, "postgres://") || startsWith(spec, "postgresql://")
               ? StoreKind::Postgres
               : StoreKind::Sqlite;
}

std::string describeStoreSpec(const std::string& spec, const std::string& defaultSqlitePath)
{
    if (storeKindOf(spec) == StoreKind::Postgres)
        return "PostgreSQL " + pg::maskConninfo(spec);
    return "SQLite " + sqlitePath(spec, defaultSqlitePath);
}

StoreResult<std::unique_ptr<Store>> openStore(const std::string& spec,
                                              const std::string& defaultSqlitePath)
{
    if (storeKindOf(spec) == StoreKind::Postgres) {
        auto store = PostgresStore::open(spec);
        if (!store)
            return StoreError{store.error().code, "PostgreSQL store: " + store.error().message};
        return std::unique_ptr<Store>(std::move(*store));
    }
    const std::string path = sqlitePath(spec, defaultSqlitePath);
    if (path.empty())
        return StoreError{StoreError::Code::Invalid, "the SQLite store needs a file path"};
    auto store = SqliteStore::open(path);
    if (!store)
        return StoreError{store.error().code, "SQLite store: " + store.error().message};
    return std::unique_ptr<Store>(std::move(*store));
}

} // namespace nexus::server
