#pragma once
// The knowledge review queue: one row per KnowledgeEntry of Nexus's
// Knowledge.ListEntries answer, in the server's order (pending first, then
// newest first), kept live by the WatchKnowledge stream and by review
// outcomes.
//
// The model never talks to the network. Its owner lists with
// filter().toRequest(), hands the first page to reset() (a new result set:
// the one reset) and further pages to appendPage(); live changes come in
// through apply() (a watch event) and upsert() (a ReviewEntry or GetEntry
// answer):
//  - a known entry (by id) is changed in place, and only forward: an entry
//    at an older revision than the row's is ignored. It stays even when it
//    no longer matches the filter (a reviewed entry stays, dimmed, until the
//    next reset, so the selection does not jump);
//  - an unknown entry that matches the filter is inserted where the server
//    would list it — unless more pages are to come and it sorts after the
//    last loaded row: then it belongs to a page not loaded yet;
//  - an unknown entry that does not match the filter is not shown.
//
// Counts per status: Nexus's counts_by_status cover every entry matching
// the filter's kinds, source instance and age, whatever their status
// (they label the status tabs), not only the loaded page. The model keeps
// them current: a new entry adds one to its status, a status change moves
// one from the old status to the new. An entry the model never saw that a
// review changed is counted as moved from pending (reviews decide pending
// entries); other changes of never-seen entries leave the counts alone.

#include "nexus/v1/knowledge.pb.h"

#include <QAbstractTableModel>
#include <QMap>
#include <QSet>
#include <QString>

#include <string>
#include <unordered_map>
#include <vector>

namespace nexus::models {

// The queue's filter. Empty sets mean "all"; the sets hold the enum values
// (nexus::v1::KnowledgeStatus, nexus::v1::KnowledgeKind).
struct KnowledgeFilter
{
    QSet<int> statuses;
    QSet<int> kinds;
    QString sourceInstance;    // found_by or any of source_instances; "" = any
    qint64 createdAfterUs = 0; // created strictly after; 0 = any age
    QString tenant;            // the entry's tenant_id; "" = any

    // The first page's request (no page token); the sets in ascending order.
    nexus::v1::ListEntriesRequest toRequest(int pageSize) const;
    bool matches(const nexus::v1::KnowledgeEntry& entry) const;
    // The same without the statuses: the set counts_by_status covers.
    bool matchesIgnoringStatus(const nexus::v1::KnowledgeEntry& entry) const;

    bool operator==(const KnowledgeFilter&) const = default;
};

class KnowledgeQueueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Status, // Pending / Approved / Rejected / Superseded
        Kind,   // Prompt optimization, Pitfall, ...
        Title,
        GraphNode, // "rag_pipeline / generate", or the graph alone
        Source,    // knowledgefmt::sourceOf
        Tenant,    // the entry's tenant_id
        Score,     // improvement (prompt optimization), severity (pitfall), confidence %
        Created,   // age against setNowUs(); tooltip: the local time
        Revision,
        ColumnCount
    };

    enum Role
    {
        EntryIdRole = Qt::UserRole + 1, // QString, any column
        StatusRole,                     // int, nexus::v1::KnowledgeStatus
        KindRole,                       // int, nexus::v1::KnowledgeKind
        RevisionRole,                   // qint64
        CreatedUsRole,                  // qint64, the sort key of the Created column
    };

    explicit KnowledgeQueueModel(QObject* parent = nullptr);

    // The clock of the Created column; only that column changes.
    void setNowUs(qint64 nowUs);
    qint64 nowUs() const { return nowUs_; }

    // Applies to live changes at once and to the rows at the next reset().
    void setFilter(const KnowledgeFilter& filter);
    const KnowledgeFilter& filter() const { return filter_; }

    // A new result set (a reset): rows, counts and the next page token.
    void reset(const nexus::v1::ListEntriesResponse& firstPage);
    // The next page: rows appended (one already shown is updated in place,
    // not repeated), counts and token replaced by the fresher ones.
    void appendPage(const nexus::v1::ListEntriesResponse& page);
    void clear();
    bool hasMore() const { return !nextPageToken_.empty(); }
    std::string nextPageToken() const { return nextPageToken_; }

    // A watch event (CREATED, UPDATED, REVIEWED).
    void apply(const nexus::v1::KnowledgeEvent& event);
    // An entry as Nexus answered it (a review outcome, GetEntry).
    void upsert(const nexus::v1::KnowledgeEntry& entry);

    // Keyed by knowledgefmt::statusKey: "pending", "approved", "rejected",
    // "superseded" (all four present after a reset). See the header comment.
    QMap<QString, qint64> counts() const { return counts_; }

    const nexus::v1::KnowledgeEntry* entry(int row) const; // nullptr when out of range
    int rowOf(const QString& entryId) const;               // -1 when not shown
    // The nearest pending row after fromRow in the direction of step (+1 or
    // -1); -1 when none. nextPending(-1, +1) is the first pending row,
    // nextPending(rowCount(), -1) the last.
    int nextPending(int fromRow, int step) const;
    int pendingShown() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    void countsChanged();

private:
    enum class Origin
    {
        Created,  // a CREATED event: new to the counts
        Reviewed, // a REVIEWED event
        Other,    // UPDATED, a review outcome, GetEntry
    };
    struct Seen
    {
        int status = 0;
        qint64 revision = 0;
    };

    void take(const nexus::v1::KnowledgeEntry& entry, Origin origin);
    bool recount(const nexus::v1::KnowledgeEntry& entry, Origin origin);
    void remember(const nexus::v1::KnowledgeEntry& entry);
    int insertionRow(const nexus::v1::KnowledgeEntry& entry) const;
    void reindex(int fromRow);
    void setCounts(const nexus::v1::ListEntriesResponse& page);
    QVariant display(const nexus::v1::KnowledgeEntry& e, int column) const;

    KnowledgeFilter filter_;
    std::vector<nexus::v1::KnowledgeEntry> rows_;
    std::unordered_map<std::string, int> rowById_;
    // Every entry of the counted set the model has seen: its status and revision.
    std::unordered_map<std::string, Seen> seen_;
    QMap<QString, qint64> counts_;
    std::string nextPageToken_;
    qint64 nowUs_ = 0;
};

} // namespace nexus::models
