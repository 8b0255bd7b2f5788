#pragma once
// What the SQLite and PostgreSQL stores say and sort alike: status names of
// the counts, review verbs, the trace search orders (plain SQL both accept).

#include "nexus/v1/knowledge.pb.h"
#include "nexus/v1/traces.pb.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

namespace nexus::server::storesql {

// counts_by_status keys.
inline const char* statusName(std::int64_t status)
{
    switch (status) {
    case ::nexus::v1::KNOWLEDGE_STATUS_PENDING:
        return "pending";
    case ::nexus::v1::KNOWLEDGE_STATUS_APPROVED:
        return "approved";
    case ::nexus::v1::KNOWLEDGE_STATUS_REJECTED:
        return "rejected";
    case ::nexus::v1::KNOWLEDGE_STATUS_SUPERSEDED:
        return "superseded";
    default:
        return "unspecified";
    }
}

inline const char* decisionVerb(std::int64_t decision)
{
    return decision == ::nexus::v1::REVIEW_DECISION_REJECT ? "rejected" : "approved";
}

inline bool blank(const std::string& text)
{
    return std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isspace(c) != 0; });
}

// ORDER BY of SearchTraces (ties broken on the thread id, for stable pages).
inline const char* traceOrder(::nexus::v1::TraceSort sort)
{
    switch (sort) {
    case ::nexus::v1::TRACE_SORT_STARTED_ASC:
        return " ORDER BY started_us ASC, thread_id ASC";
    case ::nexus::v1::TRACE_SORT_DURATION_DESC:
        return " ORDER BY duration_us DESC, thread_id ASC";
    case ::nexus::v1::TRACE_SORT_COST_DESC:
        return " ORDER BY cost_micros DESC, thread_id ASC";
    default:
        return " ORDER BY started_us DESC, thread_id DESC";
    }
}

} // namespace nexus::server::storesql
