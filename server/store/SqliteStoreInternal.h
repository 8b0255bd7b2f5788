#pragma once
// Helpers shared by the SqliteStore*.cpp files; not part of the library's API.

#include "server/store/SqliteDb.h"
#include "server/store/SqliteStore.h"

#include <exception>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nexus::server {

template <class Work> auto SqliteStore::locked(Work&& work) -> decltype(work())
{
    std::lock_guard lock(mutex_);
    try {
        return work();
    } catch (const sqlite::DbError& e) {
        return StoreError{e.code, e.what()};
    } catch (const std::exception& e) {
        return StoreError{StoreError::Code::Io, e.what()};
    }
}

namespace sqlite {

template <class Message> Message parseStored(const std::string& bytes, const char* what)
{
    Message message;
    if (!message.ParseFromString(bytes))
        throw DbError(StoreError::Code::Io, std::string("a stored ") + what + " does not parse");
    return message;
}

inline Blob blobOf(const std::string& bytes)
{
    return Blob{bytes};
}

// A WHERE clause built from optional filters, with its bound values in order.
class SqlFilter
{
public:
    using Value = std::variant<std::int64_t, double, std::string>;

    void add(std::string clause, std::vector<Value> values = {})
    {
        clauses_.push_back(std::move(clause));
        for (auto& v : values)
            values_.push_back(std::move(v));
    }
    // " WHERE a AND b", or "" without filters.
    std::string sql() const
    {
        std::string out;
        for (std::size_t i = 0; i < clauses_.size(); ++i)
            out += (i == 0 ? " WHERE (" : " AND (") + clauses_[i] + ")";
        return out;
    }
    // Binds the values from ?1; returns the next free index.
    int bindTo(Statement& stmt) const
    {
        int index = 0;
        for (const auto& v : values_)
            std::visit([&](const auto& x) { stmt.bind(++index, x); }, v);
        return index + 1;
    }

private:
    std::vector<std::string> clauses_;
    std::vector<Value> values_;
};

// "%text%" for LIKE ... ESCAPE '\', with the user's % and _ taken literally.
inline std::string containsPattern(std::string_view text)
{
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "%";
}

// "?, ?, ?" for an IN list of n values.
inline std::string placeholders(std::size_t n)
{
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += i == 0 ? "?" : ", ?";
    return out;
}

// "tenant_id IN (...)" (or the actor's own rows, for the audit log); nothing
// when the caller may see every tenant.
inline void addTenantFilter(SqlFilter& f, const std::vector<std::string>& tenants,
                            const std::string& alsoActor = {})
{
    if (tenants.empty())
        return;
    std::vector<SqlFilter::Value> v(tenants.begin(), tenants.end());
    std::string clause = "tenant_id IN (" + placeholders(v.size()) + ")";
    if (!alsoActor.empty()) {
        clause += " OR actor = ?";
        v.emplace_back(alsoActor);
    }
    f.add(std::move(clause), std::move(v));
}

} // namespace sqlite
} // namespace nexus::server
