#pragma once
// A thin RAII layer over libpq, private to the store: one connection, its
// results, transactions and a small pool. Failures throw PgError; the
// PostgresStore turns them into StoreError values at its public boundary.

#include "server/store/Store.h"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct pg_conn;
struct pg_result;

namespace nexus::server::pg {

struct PgError : std::runtime_error
{
    PgError(StoreError::Code c, const std::string& message, std::string state = {},
            bool lost = false)
        : std::runtime_error(message), code(c), sqlState(std::move(state)), connectionLost(lost)
    {}
    StoreError::Code code;
    std::string sqlState;        // "23505", "40001", ... ("" when none)
    bool connectionLost = false; // the connection is gone: the pool drops it
    bool retryable() const { return sqlState == "40001" || sqlState == "40P01"; }
};

// A connection string with its password replaced by "***", for messages.
std::string maskConninfo(const std::string& conninfo);

// Bytes sent as BYTEA (a plain string is sent as TEXT).
struct Bytes
{
    std::string_view bytes;
};

// One bound parameter: a type OID, and its value in text (or binary for BYTEA).
struct Param
{
    unsigned type = 0;
    std::optional<std::string> value; // nullopt = NULL
    bool binary = false;
};

Param param(std::int64_t value);
Param param(double value);
Param param(std::string_view text);
inline Param param(const std::string& text)
{
    return param(std::string_view(text));
}
inline Param param(const char* text)
{
    return param(std::string_view(text));
}
Param param(Bytes bytes);
Param param(std::optional<double> value);
Param param(bool value);
template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) Param param(T value)
{
    return param(static_cast<std::int64_t>(value));
}

template <class T>
requires std::is_enum_v<T> Param param(T value)
{
    return param(static_cast<std::int64_t>(value));
}

template <class... Args> std::vector<Param> params(const Args&... args)
{
    return std::vector<Param>{param(args)...};
}

class Result
{
public:
    explicit Result(pg_result* result);
    Result(Result&&) noexcept;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    Result& operator=(Result&&) = delete;
    ~Result();

    int rows() const;
    std::int64_t affected() const; // rows changed by INSERT/UPDATE/DELETE
    bool isNull(int row, int col) const;
    std::string text(int row, int col) const;
    std::int64_t int64(int row, int col) const;
    double real(int row, int col) const;
    std::string bytes(int row, int col) const; // a BYTEA column, unescaped

private:
    pg_result* result_;
};

class Connection
{
public:
    // Connects; throws PgError (Io) naming the masked conninfo.
    explicit Connection(const std::string& conninfo);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    bool ok() const;
    // Runs one or more statements without parameters.
    void exec(const std::string& sql);
    // One statement whose parameters are written `?` (numbered in order).
    Result query(const std::string& sql, const std::vector<Param>& values = {});

private:
    [[noreturn]] void fail(pg_result* result, const std::string& sql);

    pg_conn* conn_ = nullptr;
};

// BEGIN ... COMMIT; rolls back when destroyed uncommitted.
class Transaction
{
public:
    explicit Transaction(Connection& c, const char* begin = "BEGIN");
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

private:
    Connection& c_;
    bool done_ = false;
};

// At most `size` connections, made on demand. A connection that lost its
// server is dropped together with every idle one (they share its fate), so
// the next call connects afresh.
class Pool
{
public:
    Pool(std::string conninfo, int size);
    ~Pool();

    class Lease
    {
    public:
        Lease(Pool& pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() { pool_.release(std::move(c_)); }
        Connection& operator*() { return *c_; }
        Connection* operator->() { return c_.get(); }

    private:
        Pool& pool_;
        std::unique_ptr<Connection> c_;
    };

    Lease acquire();                           // throws PgError when a new connection fails
    void adopt(std::unique_ptr<Connection> c); // a connection made elsewhere joins
    const std::string& conninfo() const { return conninfo_; }

private:
    void release(std::unique_ptr<Connection> c);

    std::string conninfo_;
    int size_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<Connection>> idle_;
    int open_ = 0; // idle + leased
};

} // namespace nexus::server::pg
