#pragma once
// Reviews not known to have reached Nexus: written here before they are
// sent and removed when settled (delivered, refused for good, or discarded
// by the user), so a review is never lost silently — not even across a
// console restart — and, re-sent with its request id, never applied twice.
//
// One JSON file, {"format": "nexus-review-outbox", "version": 1,
// "reviews": [...]}, rewritten atomically (QSaveFile) after every change.
// A file that cannot be read is never overwritten: it is moved aside to
// "<file>.damaged-<yyyyMMdd-HHmmss>" and loadProblem() says so in a
// sentence; reviews in it that could still be read are kept. A failed write
// leaves the reviews in memory and saveProblem() says why.
//
// As a table (for the "waiting to be sent" list): one row per review in the
// order they were queued.

#include <QAbstractTableModel>
#include <QString>

#include <optional>
#include <vector>

namespace nexus::models {

struct PendingReview
{
    QString requestId; // sent with every attempt: Nexus replays the first outcome
    QString entryId;
    QString title;
    qint64 seenRevision = 0;
    int decision = 0; // nexus::v1::ReviewDecision
    QString comment;
    qint64 queuedAtUs = 0;
    int attempts = 0; // failed deliveries so far
    QString lastError;
    qint64 lastAttemptUs = 0;

    bool operator==(const PendingReview&) const = default;
};

class ReviewOutbox : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Entry,    // the entry's title
        Decision, // Approved / Rejected
        Comment,
        Queued, // local time
        Attempts,
        LastError,
        ColumnCount
    };

    enum Role
    {
        RequestIdRole = Qt::UserRole + 1, // QString
        EntryIdRole,                      // QString
    };

    explicit ReviewOutbox(QString filePath, QObject* parent = nullptr);

    QString filePath() const { return filePath_; }
    // Empty when the file was read (or did not exist yet).
    QString loadProblem() const { return loadProblem_; }
    // Empty when the last write succeeded.
    QString saveProblem() const { return saveProblem_; }

    // Refused (false) when a review of the same entry, or with the same
    // request id, is already queued, or the review lacks either id.
    bool add(const PendingReview& review);
    // Delivered, refused for good or discarded; false when not queued.
    bool remove(const QString& requestId);
    // A failed delivery: one more attempt, its error and time.
    bool markAttempt(const QString& requestId, const QString& error, qint64 nowUs);

    std::optional<PendingReview> find(const QString& requestId) const;
    std::optional<PendingReview> findByEntry(const QString& entryId) const;
    const std::vector<PendingReview>& all() const { return reviews_; }
    int size() const { return int(reviews_.size()); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    // After every change (and its save attempt).
    void changed();

private:
    void load();
    QString moveAside(const QString& why);
    void save();
    int rowOf(const QString& requestId) const;

    QString filePath_;
    QString loadProblem_;
    QString saveProblem_;
    bool keepFile_ = false; // a damaged file could not be moved aside: never overwrite it
    std::vector<PendingReview> reviews_;
};

} // namespace nexus::models
