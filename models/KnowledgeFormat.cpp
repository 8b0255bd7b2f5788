#include "models/KnowledgeFormat.h"

#include <QDateTime>

namespace nexus::models::knowledgefmt {

namespace pb = nexus::v1;

QString kindName(pb::KnowledgeKind kind)
{
    switch (kind) {
    case pb::KNOWLEDGE_KIND_SUCCESS_PATTERN:
        return QStringLiteral("Success pattern");
    case pb::KNOWLEDGE_KIND_PITFALL:
        return QStringLiteral("Pitfall");
    case pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION:
        return QStringLiteral("Prompt optimization");
    case pb::KNOWLEDGE_KIND_CODE_PATTERN:
        return QStringLiteral("Code pattern");
    default:
        return QStringLiteral("Unknown kind");
    }
}

QString statusName(pb::KnowledgeStatus status)
{
    switch (status) {
    case pb::KNOWLEDGE_STATUS_PENDING:
        return QStringLiteral("Pending");
    case pb::KNOWLEDGE_STATUS_APPROVED:
        return QStringLiteral("Approved");
    case pb::KNOWLEDGE_STATUS_REJECTED:
        return QStringLiteral("Rejected");
    case pb::KNOWLEDGE_STATUS_SUPERSEDED:
        return QStringLiteral("Superseded");
    default:
        return QStringLiteral("Unknown");
    }
}

QString statusKey(pb::KnowledgeStatus status)
{
    switch (status) {
    case pb::KNOWLEDGE_STATUS_PENDING:
        return QStringLiteral("pending");
    case pb::KNOWLEDGE_STATUS_APPROVED:
        return QStringLiteral("approved");
    case pb::KNOWLEDGE_STATUS_REJECTED:
        return QStringLiteral("rejected");
    case pb::KNOWLEDGE_STATUS_SUPERSEDED:
        return QStringLiteral("superseded");
    default:
        return {};
    }
}

std::optional<pb::KnowledgeStatus> statusFromKey(const QString& key)
{
    for (auto s : {pb::KNOWLEDGE_STATUS_PENDING, pb::KNOWLEDGE_STATUS_APPROVED,
                   pb::KNOWLEDGE_STATUS_REJECTED, pb::KNOWLEDGE_STATUS_SUPERSEDED})
        if (statusKey(s) == key)
            return s;
    return std::nullopt;
}

QString decisionVerb(pb::ReviewDecision decision)
{
    switch (decision) {
    case pb::REVIEW_DECISION_APPROVE:
        return QStringLiteral("approve");
    case pb::REVIEW_DECISION_REJECT:
        return QStringLiteral("reject");
    default:
        return QStringLiteral("review");
    }
}

QString decisionName(pb::ReviewDecision decision)
{
    switch (decision) {
    case pb::REVIEW_DECISION_APPROVE:
        return QStringLiteral("Approved");
    case pb::REVIEW_DECISION_REJECT:
        return QStringLiteral("Rejected");
    default:
        return QStringLiteral("Reviewed");
    }
}

QString improvement(double relative)
{
    return QStringLiteral("%1%2 %")
        .arg(relative >= 0 ? QStringLiteral("+") : QString())
        .arg(relative * 100.0, 0, 'f', 1);
}

QString age(std::int64_t thenUs, std::int64_t nowUs)
{
    const std::int64_t s = std::max<std::int64_t>(0, (nowUs - thenUs) / 1'000'000);
    if (s < 60)
        return QStringLiteral("just now");
    if (s < 3600)
        return QStringLiteral("%1 min ago").arg(s / 60);
    if (s < 86400)
        return QStringLiteral("%1 h ago").arg(s / 3600);
    return QStringLiteral("%1 d ago").arg(s / 86400);
}

QString timestamp(std::int64_t us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(
        QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString sourceOf(const pb::KnowledgeEntry& entry)
{
    if (!entry.found_by().empty())
        return QString::fromStdString(entry.found_by());
    if (entry.source_instances_size() > 0)
        return QString::fromStdString(entry.source_instances(0));
    return {};
}

} // namespace nexus::models::knowledgefmt
