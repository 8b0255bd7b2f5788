#pragma once
// One knowledge entry's history, from Nexus's Knowledge.GetEntry answer:
// every revision and every review, oldest first.
//
//  - a revision row per earlier revision and one for the current revision:
//    "Revision 1 — created", then "Revision 2 — status (Pending → Approved)"
//    naming what changed against the revision before (title, summary, the
//    detail's fields such as "optimized prompt", status, ...), at the
//    revision's updated_us (created_us for revision 1). Who: the instance
//    that found it for revision 1, else the reviewer whose review of the
//    revision before produced it;
//  - a review row per review: "alice approved revision 1", its comment, at
//    reviewed_us.
// A review and the revision it produced share a time; the review comes
// first. setHistory() and clear() reset the model (a one-shot answer).

#include "nexus/v1/knowledge.pb.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

namespace nexus::models {

class KnowledgeHistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        When, // local time, to the second
        Who,
        What,
        Comment, // the review's comment; empty for revisions
        ColumnCount
    };

    enum Role
    {
        RevisionRole = Qt::UserRole + 1, // qint64: the revision, or the one a review reviewed
        IsReviewRole,                    // bool
        WhenUsRole,                      // qint64, µs since the epoch
    };

    explicit KnowledgeHistoryModel(QObject* parent = nullptr);

    void setHistory(const nexus::v1::GetEntryResponse& response);
    void clear();
    QString entryId() const { return entryId_; }

    // The names of the fields that differ between two revisions of an entry
    // ("title", "summary", "optimized prompt", "status (Pending → Approved)"),
    // in field order; revision, timestamps and ids are not compared.
    static QStringList changedFields(const nexus::v1::KnowledgeEntry& before,
                                     const nexus::v1::KnowledgeEntry& after);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        qint64 whenUs = 0;
        QString who;
        QString what;
        QString comment;
        qint64 revision = 0;
        bool isReview = false;
        bool isCurrent = false;
        int decision = 0; // nexus::v1::ReviewDecision for reviews
    };

    QString entryId_;
    std::vector<Row> rows_;
};

} // namespace nexus::models
