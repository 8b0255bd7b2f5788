#pragma once
// The versions of one graph/node (ListVersions), newest created first, each
// with what its rollouts did ("canary at 25 % now", "promoted 20:31",
// "rolled back 20:40: quality guardrail…"), and whether a row can be
// restored (RestoreVersion puts a RETIRED version back live; Nexus refuses
// while the graph has an active rollout).
//
// setVersions() is a new listing (a reset); setRollouts() only changes the
// Rollouts column, so it can follow every watch update.

#include "nexus/v1/rollouts.pb.h"

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace nexus::models {

class VersionHistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Version,     // first 8 characters; tooltip: the full id and the content (the prompt)
        State,       // Candidate, Canary, Live (bold, green row), Retired, Rolled back
        Description, //
        FromEntry,   // first 8 characters of source_entry_id; tooltip: the full id
        Created,     // local time
        Rollouts,    // the newest rollout of the version; tooltip: all of them
        ColumnCount
    };

    enum Role
    {
        VersionIdRole = Qt::UserRole + 1, // QString, any column
        StateRole,                        // int, nexus::v1::VersionState
        CreatedUsRole,                    // qint64
    };

    explicit VersionHistoryModel(QObject* parent = nullptr);

    void setVersions(const std::vector<nexus::v1::OptimizationVersion>& versions);
    // Any rollouts; those of these versions (and the active one of their
    // graph) are used.
    void setRollouts(const std::vector<nexus::v1::Rollout>& rollouts);
    void clear();

    const nexus::v1::OptimizationVersion& versionAt(int row) const; // row must be valid
    int rowOf(const QString& versionId) const;                      // -1 when unknown
    QString liveVersionId() const;                                  // "" = the graph as shipped
    QString graphName() const; // of the versions; "" without versions
    QString nodeId() const;

    // A PROGRESSING or PAUSED rollout of one of these versions, or of their
    // graph (Nexus allows one active rollout per graph); nullptr when none.
    const nexus::v1::Rollout* activeRollout() const;
    bool hasActiveRollout() const { return activeRollout() != nullptr; }
    // Why a row cannot be restored (RestoreVersion needs a RETIRED version and
    // no active rollout); "" = it can.
    QString restoreBlockedReason(int row) const;

    // The clock that decides whether a rollout time shows as "20:31" (today)
    // or with its date (0 = the wall clock).
    void setNowUs(std::int64_t nowUs);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const nexus::v1::OptimizationVersion& v, int column) const;
    QVariant toolTip(const nexus::v1::OptimizationVersion& v, int column) const;
    QString rolloutSummary(const nexus::v1::Rollout& r) const;
    QString rolloutsToolTip(const std::string& versionId) const;
    std::int64_t currentUs() const;
    void rolloutsChanged();

    std::vector<nexus::v1::OptimizationVersion> rows_;
    std::vector<nexus::v1::Rollout> rollouts_; // newest created first
    // version id → indexes into rollouts_, newest first
    std::unordered_map<std::string, std::vector<std::size_t>> rolloutsByVersion_;
    std::int64_t nowUs_ = 0;
};

} // namespace nexus::models
