#include "server/store/PgConnection.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <libpq-fe.h>

namespace nexus::server::pg {

namespace {

// Type OIDs (pg_type.dat).
constexpr unsigned kBytea = 17, kInt8 = 20, kText = 25, kFloat8 = 701, kBool = 16;

void ignoreNotice(void*, const char*) {}

StoreError::Code codeOf(const std::string& state)
{
    if (state == "23505")
        return StoreError::Code::AlreadyExists; // unique_violation
    if (state.rfind("23", 0) == 0 || state == "P0001" || state.rfind("22", 0) == 0)
        return StoreError::Code::Invalid; // constraints, RAISE, bad data
    return StoreError::Code::Io;
}

std::string trimmed(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// "?" -> "$1", "$2", ... outside quoted literals.
std::string numbered(const std::string& sql)
{
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    bool quoted = false;
    for (char c : sql) {
        if (c == '\'')
            quoted = !quoted;
        if (c == '?' && !quoted)
            out += "$" + std::to_string(++n);
        else
            out += c;
    }
    return out;
}

} // namespace

std::string maskConninfo(const std::string& conninfo)
{
    std::string out = conninfo;
    const auto scheme = out.find("://");
    if (scheme != std::string::npos) {
        const auto hostStart = scheme + 3;
        const auto at = out.find('@', hostStart);
        const auto slash = out.find('/', hostStart);
        if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
            const auto colon = out.find(':', hostStart);
            if (colon != std::string::npos && colon < at)
                out.replace(colon + 1, at - colon - 1, "***");
        }
    }
    // password=... as a URI query parameter or a key=value pair
    for (auto at = out.find("password="); at != std::string::npos;
         at = out.find("password=", at + 1)) {
        const auto from = at + 9;
        auto to = out.find_first_of("& ", from);
        if (to == std::string::npos)
            to = out.size();
        out.replace(from, to - from, "***");
    }
    return out;
}

Param param(std::int64_t value)
{
    return Param{kInt8, std::to_string(value), false};
}
Param param(double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return Param{kFloat8, std::string(buffer), false};
}
Param param(std::string_view text)
{
    return Param{kText, std::string(text), false};
}
Param param(Bytes bytes)
{
    return Param{kBytea, std::string(bytes.bytes), true};
}
Param param(std::optional<double> value)
{
    return value ? param(*value) : Param{kFloat8, std::nullopt, false};
}
Param param(bool value)
{
    return Param{kBool, std::string(value ? "t" : "f"), false};
}

// --- Result

Result::Result(pg_result* result) : result_(result) {}
Result::Result(Result&& other) noexcept : result_(other.result_)
{
    other.result_ = nullptr;
}
Result::~Result()
{
    PQclear(result_);
}
int Result::rows() const
{
    return PQntuples(result_);
}
std::int64_t Result::affected() const
{
    const char* n = PQcmdTuples(result_);
    return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}
bool Result::isNull(int row, int col) const
{
    return PQgetisnull(result_, row, col) != 0;
}
std::string Result::text(int row, int col) const
{
    return std::string(PQgetvalue(result_, row, col),
                       static_cast<std::size_t>(PQgetlength(result_, row, col)));
}
std::int64_t Result::int64(int row, int col) const
{
    const char* v = PQgetvalue(result_, row, col);
    std::int64_t out = 0;
    std::from_chars(v, v + PQgetlength(result_, row, col), out);
    return out;
}
double Result::real(int row, int col) const
{
    return std::strtod(PQgetvalue(result_, row, col), nullptr);
}
std::string Result::bytes(int row, int col) const
{
    std::size_t length = 0;
    unsigned char* raw = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, col)), &length);
    if (!raw)
        throw PgError(StoreError::Code::Io, "out of memory unescaping a BYTEA value");
    std::string out(reinterpret_cast<const char*>(raw), length);
    PQfreemem(raw);
    return out;
}

// --- Connection

Connection::Connection(const std::string& conninfo)
{
    // Defaults first: what the connection string says wins.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "nexusd", conninfo.c_str(), nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (!conn_)
        throw PgError(StoreError::Code::Io, "out of memory connecting to PostgreSQL", {}, true);
    if (PQstatus(conn_) != CONNECTION_OK) {
        const std::string why = trimmed(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw PgError(StoreError::Code::Io,
                      "cannot connect to PostgreSQL at " + maskConninfo(conninfo) + ": " + why, {},
                      true);
    }
    PQsetNoticeProcessor(conn_, ignoreNotice, nullptr);
}

Connection::~Connection()
{
    PQfinish(conn_);
}

bool Connection::ok() const
{
    return conn_ && PQstatus(conn_) == CONNECTION_OK;
}

void Connection::fail(pg_result* result, const std::string& sql)
{
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlState = state ? state : "";
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = primary ? primary : trimmed(PQerrorMessage(conn_));
    PQclear(result);
    const bool lost = PQstatus(conn_) != CONNECTION_OK || sqlState.rfind("08", 0) == 0 ||
                      sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03";
    if (lost)
        throw PgError(StoreError::Code::Io,
                      "the connection to PostgreSQL was lost (" + message +
                          "); the next call reconnects",
                      sqlState, true);
    const std::string head = sql.substr(0, sql.find_first_of("(\n"));
    throw PgError(codeOf(sqlState), message + (head.empty() ? "" : " [" + head + "]"), sqlState);
}

void Connection::exec(const std::string& sql)
{
    pg_result* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        fail(r, sql);
    PQclear(r);
}

Result Connection::query(const std::string& sql, const std::vector<Param>& values)
{
    std::vector<unsigned> types;
    std::vector<const char*> data;
    std::vector<int> lengths, formats;
    for (const Param& p : values) {
        types.push_back(p.type);
        data.push_back(p.value ? p.value->data() : nullptr);
        lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
        formats.push_back(p.binary ? 1 : 0);
    }
    const std::string text = numbered(sql);
    pg_result* r = PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), types.data(),
                                data.data(), lengths.data(), formats.data(), 0);
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        fail(r, sql);
    return Result(r);
}

// --- Transaction

Transaction::Transaction(Connection& c, const char* begin) : c_(c)
{
    c_.exec(begin);
}

Transaction::~Transaction()
{
    if (done_ || !c_.ok())
        return;
    try {
        c_.exec("ROLLBACK");
    } catch (const PgError&) { // the connection is going away anyway
    }
}

void Transaction::commit()
{
    c_.exec("COMMIT");
    done_ = true;
}

// --- Pool

Pool::Pool(std::string conninfo, int size) : conninfo_(std::move(conninfo)), size_(size) {}

Pool::~Pool() = default;

Pool::Lease Pool::acquire()
{
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(c));
    }
    ++open_;
    lock.unlock();
    try {
        return Lease(*this, std::make_unique<Connection>(conninfo_));
    } catch (...) {
        lock.lock();
        --open_;
        freed_.notify_one();
        throw;
    }
}

void Pool::adopt(std::unique_ptr<Connection> c)
{
    {
        std::lock_guard lock(mutex_);
        ++open_;
    }
    release(std::move(c));
}

void Pool::release(std::unique_ptr<Connection> c)
{
    std::lock_guard lock(mutex_);
    if (c && c->ok()) {
        idle_.push_back(std::move(c));
    } else {
        // The server went away (restart, failover, network): the idle
        // connections are most likely dead too.
        open_ -= 1 + static_cast<int>(idle_.size());
        idle_.clear();
    }
    freed_.notify_all();
}

} // namespace nexus::server::pg
