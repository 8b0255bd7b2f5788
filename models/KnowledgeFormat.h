#pragma once
// Knowledge entries as a person reads them: the names of kinds, statuses
// and decisions, shared by the knowledge models, views and the console.
// The status keys are the ones Nexus uses in counts_by_status ("pending",
// "approved", "rejected", "superseded").

#include "nexus/v1/knowledge.pb.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace nexus::models::knowledgefmt {

// "Prompt optimization", "Pitfall", "Success pattern", "Code pattern".
QString kindName(nexus::v1::KnowledgeKind kind);
// "Pending", "Approved", "Rejected", "Superseded".
QString statusName(nexus::v1::KnowledgeStatus status);
// "pending", "approved", ... (counts_by_status keys); "" for unspecified.
QString statusKey(nexus::v1::KnowledgeStatus status);
std::optional<nexus::v1::KnowledgeStatus> statusFromKey(const QString& key);
// "approve" / "reject" for messages, "Approved" / "Rejected" for tables.
QString decisionVerb(nexus::v1::ReviewDecision decision);
QString decisionName(nexus::v1::ReviewDecision decision);
// "+7.0 %" / "-2.5 %" from a relative change (0.07 → "+7.0 %").
QString improvement(double relative);
// "3 min ago", "2 h ago", "5 d ago" relative to nowUs; "just now" < 60 s.
QString age(std::int64_t thenUs, std::int64_t nowUs);
// A local date-time "2026-11-24 18:49:27" (ISO, seconds).
QString timestamp(std::int64_t us);
// The instance an entry came from: found_by, else its first source instance.
QString sourceOf(const nexus::v1::KnowledgeEntry& entry);

} // namespace nexus::models::knowledgefmt
