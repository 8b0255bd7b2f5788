// nexusctl kb ls | show | approve | reject
#include "Commands.h"
#include "NexusClient.h"
#include "Output.h"
#include "nexus/v1/knowledge.grpc.pb.h"

#include <cstdio>

namespace nexusctl {

namespace pb = ::nexus::v1;

namespace {

template <class Enum>
bool parseEnum(const std::string& text, const std::string& prefix, const std::string& (*name)(Enum),
               int min, int max, bool (*valid)(int), Enum& out)
{
    for (int i = min; i <= max; ++i)
        if (valid(i) && enumSuffix(name(static_cast<Enum>(i)), prefix) == text) {
            out = static_cast<Enum>(i);
            return true;
        }
    return false;
}

std::string statusText(pb::KnowledgeStatus s)
{
    return enumSuffix(pb::KnowledgeStatus_Name(s), "KNOWLEDGE_STATUS_");
}

std::string kindText(pb::KnowledgeKind k)
{
    return enumSuffix(pb::KnowledgeKind_Name(k), "KNOWLEDGE_KIND_");
}

int kbLs(const ArgParser& args, const Connection& c)
{
    pb::ListEntriesRequest request;
    request.set_tenant_id(args.value("tenant", ""));
    if (auto s = args.value("status")) {
        pb::KnowledgeStatus status;
        if (!parseEnum<pb::KnowledgeStatus>(*s, "KNOWLEDGE_STATUS_", pb::KnowledgeStatus_Name,
                                            pb::KnowledgeStatus_MIN, pb::KnowledgeStatus_MAX,
                                            pb::KnowledgeStatus_IsValid, status))
            return usage("kb", "--status is pending, approved, rejected or superseded");
        request.add_statuses(status);
    }
    if (auto k = args.value("kind")) {
        pb::KnowledgeKind kind;
        if (!parseEnum<pb::KnowledgeKind>(*k, "KNOWLEDGE_KIND_", pb::KnowledgeKind_Name,
                                          pb::KnowledgeKind_MIN, pb::KnowledgeKind_MAX,
                                          pb::KnowledgeKind_IsValid, kind))
            return usage("kb",
                         "--kind is success_pattern, pitfall, prompt_optimization or code_pattern");
        request.add_kinds(kind);
    }
    const auto limit = args.integer("limit", 100);
    if (!limit)
        return usage("kb", "--limit takes a number");
    request.set_page_size(static_cast<int>(*limit));
    auto service = pb::Knowledge::NewStub(c.channel);
    pb::ListEntriesResponse response;
    auto ctx = c.context();
    if (auto s = service->ListEntries(ctx.get(), request, &response); !s.ok())
        return reportError("kb ls", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    Table t({"ENTRY", "KIND", "STATUS", "REV", "CREATED (UTC)", "TITLE"});
    for (const auto& e : response.entries())
        t.add({e.entry_id(), kindText(e.kind()), statusText(e.status()),
               std::to_string(e.revision()), formatTime(e.created_us()), e.title()});
    t.print();
    std::string counts;
    for (const auto& [status, n] : response.counts_by_status())
        counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + status;
    std::printf("\n%s\n", counts.c_str());
    return 0;
}

int kbShow(const ArgParser& args, const Connection& c)
{
    if (args.positional().size() < 2)
        return usage("kb", "kb show needs an ENTRY_ID");
    auto service = pb::Knowledge::NewStub(c.channel);
    pb::GetEntryRequest request;
    request.set_entry_id(args.positional()[1]);
    pb::GetEntryResponse response;
    auto ctx = c.context();
    if (auto s = service->GetEntry(ctx.get(), request, &response); !s.ok())
        return reportError("kb show", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    const auto& e = response.entry();
    std::printf("%s  %s  %s  revision %lld\n%s\n\n%s\n", e.entry_id().c_str(),
                kindText(e.kind()).c_str(), statusText(e.status()).c_str(),
                static_cast<long long>(e.revision()), e.title().c_str(), e.summary().c_str());
    for (const auto& r : response.reviews())
        std::printf("\nreview: %s by %s at %s (revision %lld): %s\n",
                    enumSuffix(pb::ReviewDecision_Name(r.decision()), "REVIEW_DECISION_").c_str(),
                    r.reviewer().c_str(), formatTime(r.reviewed_us()).c_str(),
                    static_cast<long long>(r.revision()), r.comment().c_str());
    return 0;
}

int kbReview(const ArgParser& args, const Connection& c, pb::ReviewDecision decision)
{
    const char* verb = decision == pb::REVIEW_DECISION_APPROVE ? "approve" : "reject";
    if (args.positional().size() < 2)
        return usage("kb", std::string("kb ") + verb + " needs an ENTRY_ID");
    const std::string id = args.positional()[1];
    const std::string comment = args.value("comment", "");
    if (decision == pb::REVIEW_DECISION_REJECT && comment.empty())
        return usage("kb", "kb reject needs --comment (say why)");
    auto service = pb::Knowledge::NewStub(c.channel);

    // The revision this review is about: given, or the current one.
    auto revision = args.integer("revision", 0);
    if (!revision)
        return usage("kb", "--revision takes a number");
    if (*revision == 0) {
        pb::GetEntryRequest get;
        get.set_entry_id(id);
        pb::GetEntryResponse current;
        auto ctx = c.context();
        if (auto s = service->GetEntry(ctx.get(), get, &current); !s.ok())
            return reportError(std::string("kb ") + verb, s);
        *revision = current.entry().revision();
    }
    pb::ReviewEntryRequest request;
    request.set_entry_id(id);
    request.set_seen_revision(*revision);
    request.set_decision(decision);
    request.set_comment(comment);
    request.set_request_id(args.value("request-id", newRequestId()));
    pb::ReviewEntryResponse response;
    auto ctx = c.context();
    if (auto s = service->ReviewEntry(ctx.get(), request, &response); !s.ok())
        return reportError(std::string("kb ") + verb, s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    std::printf("%s: %s (revision %lld)%s\n", id.c_str(),
                statusText(response.entry().status()).c_str(),
                static_cast<long long>(response.entry().revision()),
                response.replayed() ? ", already applied by an earlier try" : "");
    return 0;
}

} // namespace

int kbCommand(const Args& raw)
{
    auto options = connectionOptions();
    options.insert({"status", "kind", "limit", "comment", "revision", "request-id", "tenant"});
    const ArgParser args(raw, options, {"json", "help"});
    if (args.flag("help") || args.positional().empty()) {
        std::printf(
            "Usage: nexusctl kb ls [--status S] [--kind K] [--tenant T] [--limit N] [--json]\n"
            "       nexusctl kb show ENTRY_ID [--json]\n"
            "       nexusctl kb approve ENTRY_ID [--comment C] [--revision N] [--request-id ID] "
            "[--json]\n"
            "       nexusctl kb reject ENTRY_ID --comment C [--revision N] [--request-id ID] "
            "[--json]\n\n"
            "Knowledge-base review (approve and reject need the approver role). A review names\n"
            "the revision it saw (default: the current one) and is refused if the entry changed\n"
            "since; retrying with the same --request-id never applies it twice.\n");
        return args.flag("help") ? 0 : 2;
    }
    if (!args.ok())
        return usage("kb", args.error());
    auto c = connect(args);
    if (!c)
        return 2;
    const std::string& sub = args.positional()[0];
    if (sub == "ls")
        return kbLs(args, *c);
    if (sub == "show")
        return kbShow(args, *c);
    if (sub == "approve")
        return kbReview(args, *c, pb::REVIEW_DECISION_APPROVE);
    if (sub == "reject")
        return kbReview(args, *c, pb::REVIEW_DECISION_REJECT);
    return usage("kb", "unknown subcommand " + sub);
}

} // namespace nexusctl
