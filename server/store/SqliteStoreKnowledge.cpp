// SqliteStore: knowledge entries, their revisions and reviews.
#include "protocol/Ids.h"
#include "server/store/PageToken.h"
#include "server/store/SqliteStore.h"
#include "server/store/SqliteStoreInternal.h"
#include "server/store/StoreSql.h"

#include <algorithm>
#include <cctype>

namespace nexus::server {

using namespace sqlite;

namespace {

using storesql::blank;
using storesql::decisionVerb;
using storesql::statusName;

std::optional<pb::KnowledgeEntry> loadEntry(SqliteDb& db, const std::string& entryId)
{
    auto stmt = db.prepare("SELECT data FROM knowledge_entries WHERE entry_id = ?1");
    stmt.bindAll(entryId);
    if (!stmt.step())
        return std::nullopt;
    return parseStored<pb::KnowledgeEntry>(stmt.blobAt(0), "knowledge entry");
}

// The entry as it was at `revision`: current, or kept in history.
std::optional<pb::KnowledgeEntry> entryAtRevision(SqliteDb& db, const std::string& entryId,
                                                  std::int64_t revision)
{
    auto current = loadEntry(db, entryId);
    if (current && current->revision() == revision)
        return current;
    auto stmt =
        db.prepare("SELECT data FROM knowledge_revisions WHERE entry_id = ?1 AND revision = ?2");
    stmt.bindAll(entryId, revision);
    if (!stmt.step())
        return current;
    return parseStored<pb::KnowledgeEntry>(stmt.blobAt(0), "knowledge revision");
}

std::optional<pb::Review> reviewByRequest(SqliteDb& db, const std::string& requestId)
{
    auto stmt = db.prepare("SELECT data FROM knowledge_reviews WHERE request_id = ?1");
    stmt.bindAll(requestId);
    if (!stmt.step())
        return std::nullopt;
    return parseStored<pb::Review>(stmt.blobAt(0), "review");
}

std::string staleMessage(SqliteDb& db, const pb::KnowledgeEntry& entry, std::int64_t seen)
{
    std::string message = "entry " + entry.entry_id() + " is at revision " +
                          std::to_string(entry.revision()) + ", not " + std::to_string(seen);
    auto stmt = db.prepare("SELECT reviewer, decision, revision FROM knowledge_reviews"
                           " WHERE entry_id = ?1 ORDER BY reviewed_us DESC, rowid DESC LIMIT 1");
    stmt.bindAll(entry.entry_id());
    if (!stmt.step())
        return message + " (it changed without a review)";
    return message + ": " + stmt.textAt(0) + " " + decisionVerb(stmt.int64At(1)) + " revision " +
           std::to_string(stmt.int64At(2)) + " first";
}

SqlFilter entryFilter(const pb::ListEntriesRequest& r, bool withStatuses)
{
    SqlFilter f;
    if (withStatuses && !r.statuses().empty()) {
        std::vector<SqlFilter::Value> v;
        for (int s : r.statuses())
            v.emplace_back(std::int64_t{s});
        std::string clause = "status IN (" + placeholders(v.size()) + ")";
        f.add(std::move(clause), std::move(v));
    }
    if (!r.kinds().empty()) {
        std::vector<SqlFilter::Value> v;
        for (int k : r.kinds())
            v.emplace_back(std::int64_t{k});
        std::string clause = "kind IN (" + placeholders(v.size()) + ")";
        f.add(std::move(clause), std::move(v));
    }
    if (!r.source_instance().empty())
        f.add("entry_id IN (SELECT entry_id FROM knowledge_sources WHERE instance_id = ?)",
              {r.source_instance()});
    if (r.created_after_us() > 0)
        f.add("created_us > ?", {r.created_after_us()});
    return f;
}

} // namespace

StoreResult<pb::KnowledgeEntry> SqliteStore::createEntry(pb::KnowledgeEntry entry,
                                                         std::int64_t nowUs)
{
    return locked([&]() -> StoreResult<pb::KnowledgeEntry> {
        if (entry.entry_id().empty())
            entry.set_entry_id(protocol::newUuidString());
        entry.set_revision(1);
        entry.set_status(pb::KNOWLEDGE_STATUS_PENDING);
        entry.set_created_us(nowUs);
        entry.set_updated_us(nowUs);

        Transaction tx(*db_);
        db_->prepare("INSERT INTO knowledge_entries(entry_id, kind, status, revision, created_us,"
                     " updated_us, data, tenant_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .bindAll(entry.entry_id(), entry.kind(), entry.status(), entry.revision(),
                     entry.created_us(), entry.updated_us(), blobOf(entry.SerializeAsString()),
                     entry.tenant_id())
            .run();
        auto source = db_->prepare(
            "INSERT OR IGNORE INTO knowledge_sources(entry_id, instance_id) VALUES(?1, ?2)");
        for (const std::string& instance : entry.source_instances()) {
            source.bindAll(entry.entry_id(), instance);
            source.run();
        }
        tx.commit();
        return entry;
    });
}

StoreResult<EntryPage> SqliteStore::listEntries(const pb::ListEntriesRequest& request,
                                                const TenantFilter& scope)
{
    const auto offset = decodePageToken(request.page_token(), 'k');
    if (!offset)
        return offset.error();
    const std::int64_t size = pageSize(request.page_size(), 50, 1000);

    return locked([&]() -> StoreResult<EntryPage> {
        EntryPage page;
        SqlFilter filter = entryFilter(request, true);
        addTenantFilter(filter, scope.tenants);
        auto stmt = db_->prepareOnce(
            "SELECT data FROM knowledge_entries" + filter.sql() +
            " ORDER BY (status = 1) DESC, created_us DESC, entry_id ASC LIMIT ? OFFSET ?");
        const int next = filter.bindTo(stmt);
        stmt.bind(next, size + 1).bind(next + 1, *offset);
        while (stmt.step())
            page.entries.push_back(parseStored<pb::KnowledgeEntry>(stmt.blobAt(0), "entry"));
        if (static_cast<std::int64_t>(page.entries.size()) > size) {
            page.entries.pop_back();
            page.nextPageToken = encodePageToken('k', *offset + size);
        }

        // Counts ignore the status filter: they label the queue's status tabs.
        for (std::int64_t s = pb::KNOWLEDGE_STATUS_PENDING; s <= pb::KNOWLEDGE_STATUS_SUPERSEDED;
             ++s)
            page.countsByStatus.emplace_back(statusName(s), 0);
        SqlFilter counted = entryFilter(request, false);
        addTenantFilter(counted, scope.tenants);
        auto count = db_->prepareOnce("SELECT status, COUNT(*) FROM knowledge_entries" +
                                      counted.sql() + " GROUP BY status");
        counted.bindTo(count);
        while (count.step()) {
            const std::string name = statusName(count.int64At(0));
            auto it = std::find_if(page.countsByStatus.begin(), page.countsByStatus.end(),
                                   [&](const auto& c) { return c.first == name; });
            if (it != page.countsByStatus.end())
                it->second = count.int64At(1);
        }
        return page;
    });
}

StoreResult<pb::GetEntryResponse> SqliteStore::getEntry(const std::string& entryId)
{
    return locked([&]() -> StoreResult<pb::GetEntryResponse> {
        auto entry = loadEntry(*db_, entryId);
        if (!entry)
            return StoreError{StoreError::Code::NotFound, "no knowledge entry " + entryId};
        pb::GetEntryResponse response;
        *response.mutable_entry() = std::move(*entry);
        auto reviews = db_->prepare("SELECT data FROM knowledge_reviews WHERE entry_id = ?1"
                                    " ORDER BY reviewed_us, rowid");
        reviews.bindAll(entryId);
        while (reviews.step())
            *response.add_reviews() = parseStored<pb::Review>(reviews.blobAt(0), "review");
        auto revisions = db_->prepare(
            "SELECT data FROM knowledge_revisions WHERE entry_id = ?1 ORDER BY revision");
        revisions.bindAll(entryId);
        while (revisions.step())
            *response.add_revisions() =
                parseStored<pb::KnowledgeEntry>(revisions.blobAt(0), "knowledge revision");
        return response;
    });
}

StoreResult<ReviewOutcome> SqliteStore::reviewEntry(const pb::ReviewEntryRequest& request,
                                                    const std::string& reviewer, std::int64_t nowUs)
{
    using Code = StoreError::Code;
    return locked([&]() -> StoreResult<ReviewOutcome> {
        Transaction tx(*db_);
        if (!request.request_id().empty()) {
            if (auto first = reviewByRequest(*db_, request.request_id())) {
                if (first->entry_id() != request.entry_id())
                    return StoreError{Code::Invalid, "request id " + request.request_id() +
                                                         " was already used for entry " +
                                                         first->entry_id()};
                ReviewOutcome outcome;
                outcome.entry = entryAtRevision(*db_, first->entry_id(), first->revision() + 1)
                                    .value_or(pb::KnowledgeEntry());
                outcome.review = std::move(*first);
                outcome.replayed = true;
                return outcome;
            }
        }
        auto entry = loadEntry(*db_, request.entry_id());
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
            return StoreError{Code::Stale, staleMessage(*db_, *entry, request.seen_revision())};

        pb::Review review;
        review.set_review_id(protocol::newUuidString());
        review.set_entry_id(entry->entry_id());
        review.set_revision(entry->revision());
        review.set_decision(request.decision());
        review.set_comment(request.comment());
        review.set_reviewer(reviewer);
        review.set_reviewed_us(nowUs);
        review.set_request_id(request.request_id());
        auto insert = db_->prepare(
            "INSERT INTO knowledge_reviews(review_id, entry_id, revision, decision, reviewer,"
            " reviewed_us, request_id, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        insert.bindAll(review.review_id(), review.entry_id(), review.revision(), review.decision(),
                       reviewer, nowUs, nullptr, blobOf(review.SerializeAsString()));
        if (!request.request_id().empty())
            insert.bind(7, request.request_id());
        insert.run();

        db_->prepare("INSERT INTO knowledge_revisions(entry_id, revision, data) VALUES(?1, ?2, ?3)")
            .bindAll(entry->entry_id(), entry->revision(), blobOf(entry->SerializeAsString()))
            .run();

        entry->set_status(request.decision() == pb::REVIEW_DECISION_APPROVE
                              ? pb::KNOWLEDGE_STATUS_APPROVED
                              : pb::KNOWLEDGE_STATUS_REJECTED);
        entry->set_revision(entry->revision() + 1);
        entry->set_updated_us(nowUs);
        db_->prepare("UPDATE knowledge_entries SET status = ?2, revision = ?3, updated_us = ?4,"
                     " data = ?5 WHERE entry_id = ?1")
            .bindAll(entry->entry_id(), entry->status(), entry->revision(), nowUs,
                     blobOf(entry->SerializeAsString()))
            .run();
        tx.commit();

        ReviewOutcome outcome;
        outcome.entry = std::move(*entry);
        outcome.review = std::move(review);
        return outcome;
    });
}

} // namespace nexus::server
