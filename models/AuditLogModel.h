#pragma once
// The audit log as Nexus's Audit.ListAudit answers it: one row per
// AuditRecord, newest first (the server's order), page by page. reset()
// starts a new listing (a reset), appendPage() adds older records at the end
// (a record already shown — same seq — is not repeated). Refusals stand out:
// rows whose outcome is "denied", "refused: …" or "failed: …" are drawn in a
// warning colour.

#include "nexus/v1/audit.pb.h"

#include <QAbstractTableModel>

#include <string>
#include <unordered_set>
#include <vector>

namespace nexus::models {

class AuditLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        When, // local time, to the second
        Actor,
        Role,
        Action,  // "knowledge.review", ...
        Target,  // entry id, rollout id, ...
        Outcome, // "ok: approve", "denied", "refused: …"
        RequestId,
        Detail,
        ColumnCount
    };

    enum DataRole
    {
        SeqRole = Qt::UserRole + 1, // qint64
        AtUsRole,                   // qint64, µs since the epoch
        IsRefusalRole,              // bool: denied, refused or failed
    };

    explicit AuditLogModel(QObject* parent = nullptr);

    void reset(const nexus::v1::ListAuditResponse& firstPage);
    void appendPage(const nexus::v1::ListAuditResponse& page);
    void clear();
    bool hasMore() const { return !nextPageToken_.empty(); }
    std::string nextPageToken() const { return nextPageToken_; }
    const nexus::v1::AuditRecord* record(int row) const; // nullptr when out of range

    // "denied", "refused…", "failed…".
    static bool isRefusal(const std::string& outcome);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<nexus::v1::AuditRecord> rows_;
    std::unordered_set<qint64> seqs_;
    std::string nextPageToken_;
};

} // namespace nexus::models
