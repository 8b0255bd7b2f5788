#pragma once
// A thin RAII layer over one sqlite3 connection, private to the store.
// Failures throw DbError; SqliteStore turns them into StoreError values at
// its public boundary, so no exception leaves the library.

#include "server/store/Store.h"

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace nexus::server::sqlite {

struct DbError : std::runtime_error
{
    DbError(StoreError::Code c, const std::string& message) : std::runtime_error(message), code(c)
    {}
    StoreError::Code code;
};

// Bytes bound as a BLOB (a plain string binds as TEXT).
struct Blob
{
    std::string_view bytes;
};

class Statement
{
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt, bool owned);
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;
    ~Statement();

    // Parameters are 1-based, as in SQL (?1, ?2, ...).
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const std::string& text)
    {
        return bind(index, std::string_view(text));
    }
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, Blob blob);
    Statement& bind(int index, std::nullptr_t);
    Statement& bind(int index, std::optional<double> value);
    template <std::integral T> Statement& bind(int index, T value)
    {
        return bind(index, static_cast<std::int64_t>(value));
    }
    template <class T>
    requires std::is_enum_v<T> Statement& bind(int index, T value)
    {
        return bind(index, static_cast<std::int64_t>(value));
    }

    // Binds every argument in order, from ?1.
    template <class... Args> Statement& bindAll(const Args&... args)
    {
        int index = 0;
        (bind(++index, args), ...);
        return *this;
    }

    bool step(); // true: a row is available; false: done
    void run();  // step to the end, ignoring rows; the statement can then be bound again

    bool isNull(int column) const;
    std::int64_t int64At(int column) const;
    double doubleAt(int column) const;
    std::string textAt(int column) const;
    std::string blobAt(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
    bool owned_;
};

class SqliteDb
{
public:
    static std::unique_ptr<SqliteDb> open(const std::string& path, int busyTimeoutMs);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    // A statement kept prepared for the connection's lifetime (fixed SQL).
    Statement prepare(const std::string& sql);
    // A statement prepared for one use (SQL built at run time).
    Statement prepareOnce(const std::string& sql);
    void exec(const std::string& sql);
    std::int64_t lastInsertRowid() const;
    int changes() const;
    sqlite3* handle() const { return db_; }

private:
    explicit SqliteDb(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE (takes the write lock up front, so a transaction never
// fails half way on a lock upgrade); rolls back unless committed.
class Transaction
{
public:
    explicit Transaction(SqliteDb& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    SqliteDb& db_;
    bool done_ = false;
};

// Throws DbError with the connection's message; constraint violations map
// to AlreadyExists (unique/primary key) or Invalid (others).
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what);

} // namespace nexus::server::sqlite
