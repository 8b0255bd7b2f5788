#include "server/store/SqliteDb.h"

#include <sqlite3.h>
#include <utility>

namespace nexus::server::sqlite {

void fail(sqlite3* db, int rc, std::string_view what)
{
    std::string message(what);
    message += ": ";
    message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const int extended = db ? sqlite3_extended_errcode(db) : rc;
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        const bool duplicate =
            extended == SQLITE_CONSTRAINT_PRIMARYKEY || extended == SQLITE_CONSTRAINT_UNIQUE;
        throw DbError(duplicate ? StoreError::Code::AlreadyExists : StoreError::Code::Invalid,
                      message);
    }
    throw DbError(StoreError::Code::Io, message);
}

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, bool owned)
    : db_(db), stmt_(stmt), owned_(owned)
{}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), owned_(other.owned_)
{}

Statement::~Statement()
{
    if (!stmt_)
        return;
    if (owned_) {
        sqlite3_finalize(stmt_);
    } else {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
}

namespace {

void check(sqlite3* db, int rc, const char* what)
{
    if (rc != SQLITE_OK)
        fail(db, rc, what);
}

} // namespace

Statement& Statement::bind(int index, std::int64_t value)
{
    check(db_, sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    check(db_, sqlite3_bind_double(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text)
{
    check(
        db_,
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        "bind");
    return *this;
}

Statement& Statement::bind(int index, Blob blob)
{
    // A zero-length blob must still be a BLOB, not NULL: give it a valid pointer.
    static const char empty = 0;
    const char* data = blob.bytes.empty() ? &empty : blob.bytes.data();
    check(db_, sqlite3_bind_blob64(stmt_, index, data, blob.bytes.size(), SQLITE_TRANSIENT),
          "bind");
    return *this;
}

Statement& Statement::bind(int index, std::nullptr_t)
{
    check(db_, sqlite3_bind_null(stmt_, index), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::optional<double> value)
{
    return value ? bind(index, *value) : bind(index, nullptr);
}

bool Statement::step()
{
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    fail(db_, rc, "step");
}

void Statement::run()
{
    while (step()) {
    }
    // Ready to be bound and run again (a loop of inserts).
    sqlite3_reset(stmt_);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64At(int column) const
{
    return sqlite3_column_int64(stmt_, column);
}

double Statement::doubleAt(int column) const
{
    return sqlite3_column_double(stmt_, column);
}

std::string Statement::textAt(int column) const
{
    const auto* text = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
                : std::string();
}

std::string Statement::blobAt(int column) const
{
    const void* blob = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return blob ? std::string(static_cast<const char*>(blob), static_cast<std::size_t>(size))
                : std::string();
}

std::unique_ptr<SqliteDb> SqliteDb::open(const std::string& path, int busyTimeoutMs)
{
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        std::string message =
            "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        throw DbError(StoreError::Code::Io, message);
    }
    std::unique_ptr<SqliteDb> result(new SqliteDb(db));
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busyTimeoutMs);
    return result;
}

SqliteDb::~SqliteDb()
{
    for (auto& [sql, stmt] : cache_)
        sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

Statement SqliteDb::prepare(const std::string& sql)
{
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK)
            fail(db_, rc, "prepare");
        it = cache_.emplace(sql, stmt).first;
    }
    return Statement(db_, it->second, false);
}

Statement SqliteDb::prepareOnce(const std::string& sql)
{
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK)
        fail(db_, rc, "prepare");
    return Statement(db_, stmt, true);
}

void SqliteDb::exec(const std::string& sql)
{
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            throw DbError(StoreError::Code::Invalid, message);
        throw DbError(StoreError::Code::Io, message);
    }
}

std::int64_t SqliteDb::lastInsertRowid() const
{
    return sqlite3_last_insert_rowid(db_);
}

int SqliteDb::changes() const
{
    return sqlite3_changes(db_);
}

Transaction::Transaction(SqliteDb& db) : db_(db)
{
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
            // The transaction may already have been rolled back by SQLite itself.
        }
    }
}

void Transaction::commit()
{
    db_.exec("COMMIT");
    done_ = true;
}

} // namespace nexus::server::sqlite
