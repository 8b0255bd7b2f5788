#pragma once
// Helpers shared by the PostgresStore*.cpp files; not part of the library's API.

#include "server/store/PgConnection.h"
#include "server/store/PostgresStore.h"

#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::server {

template <class Work>
auto PostgresStore::run(Work&& work) -> decltype(work(std::declval<pg::Connection&>()))
{
    for (int attempt = 1;; ++attempt) {
        try {
            auto lease = pool_->acquire();
            return work(*lease);
        } catch (const pg::PgError& e) {
            if (e.retryable() && attempt < options_.maxAttempts)
                continue; // a serialization failure or deadlock: run it again
            return StoreError{e.code, e.what()};
        } catch (const std::exception& e) {
            return StoreError{StoreError::Code::Io, e.what()};
        }
    }
}

namespace pg {

template <class Message> Message parseStored(const std::string& bytes, const char* what)
{
    Message message;
    if (!message.ParseFromString(bytes))
        throw PgError(StoreError::Code::Io, std::string("a stored ") + what + " does not parse");
    return message;
}

inline Bytes bytesOf(const std::string& bytes)
{
    return Bytes{bytes};
}

// A WHERE clause built from optional filters (placeholders `?`), with its
// bound values in order.
class Filter
{
public:
    void add(std::string clause, std::vector<Param> values = {})
    {
        clauses_.push_back(std::move(clause));
        for (auto& v : values)
            values_.push_back(std::move(v));
    }
    std::string sql() const
    {
        std::string out;
        for (std::size_t i = 0; i < clauses_.size(); ++i)
            out += (i == 0 ? " WHERE (" : " AND (") + clauses_[i] + ")";
        return out;
    }
    // The bound values followed by `more`.
    std::vector<Param> values(std::vector<Param> more = {}) const
    {
        std::vector<Param> out = values_;
        for (auto& v : more)
            out.push_back(std::move(v));
        return out;
    }

private:
    std::vector<std::string> clauses_;
    std::vector<Param> values_;
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
inline void addTenantFilter(Filter& f, const std::vector<std::string>& tenants,
                            const std::string& alsoActor = {})
{
    if (tenants.empty())
        return;
    std::vector<Param> v;
    for (const auto& t : tenants)
        v.push_back(param(t));
    std::string clause = "tenant_id IN (" + placeholders(v.size()) + ")";
    if (!alsoActor.empty()) {
        clause += " OR actor = ?";
        v.push_back(param(alsoActor));
    }
    f.add(std::move(clause), std::move(v));
}

} // namespace pg
} // namespace nexus::server
