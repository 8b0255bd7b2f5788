// PostgresStore: knowledge entries, their revisions and reviews.
#include "protocol/Ids.h"
#include "server/store/PageToken.h"
#include "server/store/PostgresStore.h"
#include "server/store/PostgresStoreInternal.h"
#include "server/store/StoreSql.h"

#include <algorithm>
#include <cctype>

namespace nexus::server {

using namespace pg;
using sqlite::decodePageToken;
using sqlite::encodePageToken;
using sqlite::pageSize;

namespace {

using storesql::blank;
using storesql::decisionVerb;
using storesql::statusName;

// `lock`: take the row lock that serialises reviews of this entry across
// every connection and process, until the transaction ends.
std::optional<pb::KnowledgeEntry> loadEntry(Connection& c, const std::string& entryId,
                                            bool lock = false)
{
    auto r = c.query(std::string("SELECT data FROM knowledge_entries WHERE entry_id = ?") +
                         (lock ? " FOR UPDATE" : ""),
                     params(entryId));
    if (r.rows() == 0)
        return std::nullopt;
    return parseStored<pb::KnowledgeEntry>(r.bytes(0, 0), "knowledge entry");
}

// The entry as it was at `revision`: current, or kept in history.
std::optional<pb::KnowledgeEntry> entryAtRevision(Connection& c, const std::string& entryId,
                                                  std::int64_t revision)
{
    auto current = loadEntry(c, entryId);
    if (current && current->revision() == revision)
        return current;
    auto r = c.query("SELECT data FROM knowledge_revisions WHERE entry_id = ? AND revision = ?",
                     params(entryId, revision));
    if (r.rows() == 0)
        return current;
    return parseStored<pb::KnowledgeEntry>(r.bytes(0, 0), "knowledge revision");
}

std::optional<pb::Review> reviewByRequest(Connection& c, const std::string& requestId)
{
    auto r = c.query("SELECT data FROM knowledge_reviews WHERE request_id = ?", params(requestId));
    if (r.rows() == 0)
        return std::nullopt;
    return parseStored<pb::Review>(r.bytes(0, 0), "review");
}

std::string staleMessage(Connection& c, const pb::KnowledgeEntry& entry, std::int64_t seen)
{
    std::string message = "entry " + entry.entry_id() + " is at revision " +
                          std::to_string(entry.revision()) + ", not " + std::to_string(seen);
    auto r = c.query("SELECT reviewer, decision, revision FROM knowledge_reviews"
                     " WHERE entry_id = ? ORDER BY reviewed_us DESC, review_seq DESC LIMIT 1",
                     params(entry.entry_id()));
    if (r.rows() == 0)
        return message + " (it changed without a review)";
    return message + ": " + r.text(0, 0) + " " + decisionVerb(r.int64(0, 1)) + " revision " +
           std::to_string(r.int64(0, 2)) + " first";
}

Filter entryFilter(const pb::ListEntriesRequest& r, bool withStatuses)
{
    Filter f;
    if (withStatuses && !r.statuses().empty()) {
        std::vector<Param> v;
        for (int s : r.statuses())
            v.push_back(param(std::int64_t{s}));
        std::string clause = "status IN (" + placeholders(v.size()) + ")";
        f.add(std::move(clause), std::move(v));
    }
    if (!r.kinds().empty()) {
        std::vector<Param> v;
        for (int k : r.kinds())
            v.push_back(param(std::int64_t{k}));
        std::string clause = "kind IN (" + placeholders(v.size()) + ")";
        f.add(std::move(clause), std::move(v));
    }
    if (!r.source_instance().empty())
        f.add("entry_id IN (SELECT entry_id FROM knowledge_sources WHERE instance_id = ?)",
              params(r.source_instance()));
    if (r.created_after_us() > 0)
        f.add("created_us > ?", params(r.created_after_us()));
    return f;
}

} // namespace

StoreResult<pb::KnowledgeEntry> PostgresStore::createEntry(pb::KnowledgeEntry entry,
                                                           std::int64_t nowUs)
{
    if (entry.entry_id().empty())
        entry.set_entry_id(protocol::newUuidString());
    entry.set_revision(1);
    entry.set_status(pb::KNOWLEDGE_STATUS_PENDING);
    entry.set_created_us(nowUs);
    entry.set_updated_us(nowUs);
    return run([&](Connection& c) -> StoreResult<pb::KnowledgeEntry> {
        Transaction tx(c);
        c.query("INSERT INTO knowledge_entries(entry_id, kind, status, revision, created_us,"
                " updated_us, data, tenant_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                params(entry.entry_id(), entry.kind(), entry.status(), entry.revision(),
                       entry.created_us(), entry.updated_us(), bytesOf(entry.SerializeAsString()),
                       entry.tenant_id()));
        for (const std::string& instance : entry.source_instances())
            c.query("INSERT INTO knowledge_sources(entry_id, instance_id) VALUES(?, ?)"
                    " ON CONFLICT DO NOTHING",
                    params(entry.entry_id(), instance));
        tx.commit();
        return entry;
    });
}

StoreResult<EntryPage> PostgresStore::listEntries(const pb::ListEntriesRequest& request,
                                                  const TenantFilter& scope)
{
    const auto offset = decodePageToken(request.page_token(), 'k');
    if (!offset)
        return offset.error();
    const std::int64_t size = pageSize(request.page_size(), 50, 1000);

    return run([&](Connection& c) -> StoreResult<EntryPage> {
        EntryPage page;
        Filter filter = entryFilter(request, true);
        Filter counted = entryFilter(request, false);
        addTenantFilter(filter, scope.tenants);
        addTenantFilter(counted, scope.tenants);
        Transaction tx(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        auto r = c.query("SELECT data FROM knowledge_entries" + filter.sql() +
                             " ORDER BY (status = 1) DESC, created_us DESC, entry_id ASC"
                             " LIMIT ? OFFSET ?",
                         filter.values(params(size + 1, *offset)));
        // Counts ignore the status filter: they label the queue's status tabs.
        auto count = c.query("SELECT status, COUNT(*) FROM knowledge_entries" + counted.sql() +
                                 " GROUP BY status",
                             counted.values());
        tx.commit();
        for (int i = 0; i < r.rows(); ++i)
            page.entries.push_back(parseStored<pb::KnowledgeEntry>(r.bytes(i, 0), "entry"));
        if (static_cast<std::int64_t>(page.entries.size()) > size) {
            page.entries.pop_back();
            page.nextPageToken = encodePageToken('k', *offset + size);
        }
        for (std::int64_t s = pb::KNOWLEDGE_STATUS_PENDING; s <= pb::KNOWLEDGE_STATUS_SUPERSEDED;
             ++s)
            page.countsByStatus.emplace_back(statusName(s), 0);
        for (int i = 0; i < count.rows(); ++i) {
            const std::string name = statusName(count.int64(i, 0));
            auto it = std::find_if(page.countsByStatus.begin(), page.countsByStatus.end(),
                                   [&](const auto& p) { return p.first == name; });
            if (it != page.countsByStatus.end())
                it->second = count.int64(i, 1);
        }
        return page;
    });
}

StoreResult<pb::GetEntryResponse> PostgresStore::getEntry(const std::string& entryId)
{
    return run([&](Connection& c) -> StoreResult<pb::GetEntryResponse> {
        Transaction tx(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        auto entry = loadEntry(c, entryId);
        if (!entry)
            return StoreError{StoreError::Code::NotFound, "no knowledge entry " + entryId};
        pb::GetEntryResponse response;
        *response.mutable_entry() = std::move(*entry);
        auto reviews = c.query("SELECT data FROM knowledge_reviews WHERE entry_id = ?"
                               " ORDER BY reviewed_us, review_seq",
                               params(entryId));
        for (int i = 0; i < reviews.rows(); ++i)
            *response.add_reviews() = parseStored<pb::Review>(reviews.bytes(i, 0), "review");
        auto revisions =
            c.query("SELECT data FROM knowledge_revisions WHERE entry_id = ? ORDER BY revision",
                    params(entryId));
        for (int i = 0; i < revisions.rows(); ++i)
            *response.add_revisions() =
                parseStored<pb::KnowledgeEntry>(revisions.bytes(i, 0), "knowledge revision");
        tx.commit();
        return response;
    });
}

StoreResult<ReviewOutcome> PostgresStore::reviewEntry(const pb::ReviewEntryRequest& request,
                                                      const std::string& reviewer,
                                                      std::int64_t nowUs)
{
    using Code = StoreError::Code;
    // A unique violation means a concurrent transaction (another connection
    // or process) recorded the same request id first: run again, and the
    // second run replays it.
    for (int attempt = 1;; ++attempt) {
        auto result = run([&](Connection& c) -> StoreResult<ReviewOutcome> {
            Transaction tx(c);
            // Lock the entry first: every review of it waits here, and what
            // it reads afterwards includes the reviews committed meanwhile.
            auto entry = loadEntry(c, request.entry_id(), true);
            if (!request.request_id().empty()) {
                if (auto first = reviewByRequest(c, request.request_id())) {
                    if (first->entry_id() != request.entry_id())
                        return StoreError{Code::Invalid, "request id " + request.request_id() +
                                                             " was already used for entry " +
                                                             first->entry_id()};
                    ReviewOutcome outcome;
                    outcome.entry = entryAtRevision(c, first->entry_id(), first->revision() + 1)
                                        .value_or(pb::KnowledgeEntry());
                    outcome.review = std::move(*first);
                    outcome.replayed = true;
                    return outcome;
                }
            }
            if (!entry)
                return StoreError{Code::NotFound, "no knowledge entry " + request.entry_id()};
            if (request.decision() != pb::REVIEW_DECISION_APPROVE &&
                request.decision() != pb::REVIEW_DECISION_REJECT)
                return StoreError{Code::Invalid, "a review must approve or reject"};
            if (request.decision() == pb::REVIEW_DECISION_REJECT && blank(request.comment()))
                return StoreError{Code::Invalid, "a rejection needs a comment saying why"};
            if (request.seen_revision() <= 0)
                return StoreError{Code::Invalid, "a review must name the revision it saw (entry " +
                                                     entry->entry_id() + " is at revision " +
                                                     std::to_string(entry->revision()) + ")"};
            if (request.seen_revision() != entry->revision())
                return StoreError{Code::Stale, staleMessage(c, *entry, request.seen_revision())};

            pb::Review review;
            review.set_review_id(protocol::newUuidString());
            review.set_entry_id(entry->entry_id());
            review.set_revision(entry->revision());
            review.set_decision(request.decision());
            review.set_comment(request.comment());
            review.set_reviewer(reviewer);
            review.set_reviewed_us(nowUs);
            review.set_request_id(request.request_id());
            Param requestId = param(request.request_id());
            if (request.request_id().empty())
                requestId.value.reset(); // NULL: UNIQUE lets any number of them in
            c.query("INSERT INTO knowledge_reviews(review_id, entry_id, revision, decision,"
                    " reviewer, reviewed_us, request_id, data) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                    {param(review.review_id()), param(review.entry_id()), param(review.revision()),
                     param(review.decision()), param(reviewer), param(nowUs), requestId,
                     param(bytesOf(review.SerializeAsString()))});
            c.query(
                "INSERT INTO knowledge_revisions(entry_id, revision, data) VALUES(?, ?, ?)",
                params(entry->entry_id(), entry->revision(), bytesOf(entry->SerializeAsString())));

            entry->set_status(request.decision() == pb::REVIEW_DECISION_APPROVE
                                  ? pb::KNOWLEDGE_STATUS_APPROVED
                                  : pb::KNOWLEDGE_STATUS_REJECTED);
            entry->set_revision(entry->revision() + 1);
            entry->set_updated_us(nowUs);
            c.query("UPDATE knowledge_entries SET status = ?, revision = ?, updated_us = ?,"
                    " data = ? WHERE entry_id = ?",
                    params(entry->status(), entry->revision(), nowUs,
                           bytesOf(entry->SerializeAsString()), entry->entry_id()));
            tx.commit();

            ReviewOutcome outcome;
            outcome.entry = std::move(*entry);
            outcome.review = std::move(review);
            return outcome;
        });
        if (result || result.error().code != Code::AlreadyExists || attempt >= 3)
            return result;
    }
}

} // namespace nexus::server
