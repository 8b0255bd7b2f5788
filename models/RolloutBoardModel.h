#pragma once
// The rollout board: one row per Rollout, active ones (PROGRESSING, PAUSED)
// first, then newest created first.
//
// The model never talks to the network. Its owner hands it the full list of
// a ListRollouts answer (setRollouts: the one reset) and every Rollout the
// WatchRollouts stream or an action answer brings (upsert). An upsert
// changes a row in place — and moves it when its phase moves it between the
// active and the finished rollouts — so the user's selection survives; a
// rollout at a revision lower than (or equal to) the one held changes
// nothing.

#include "nexus/v1/rollouts.pb.h"

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace nexus::models {

class RolloutBoardModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Id,        // first 8 characters; tooltip: the full id
        Target,    // "graph / node"
        Tenant,    // the tenant whose runs it routes; "all tenants" for a fleet-wide one
        Version,   // first 8 characters of version_id; tooltip: the full id
        Phase,     // phase name on the phase colour; tooltip: the reason when stopped
        Step,      // "3/7 · Analysis 5 min", "done"
        Weight,    // "25 %"
        Verdict,   // the last analysis: "Pass · 100" on the verdict colour
        Updated,   // age against setNowUs(); tooltip: the local time
        CreatedBy, // the token that launched it
        ColumnCount
    };

    enum Role
    {
        RolloutIdRole = Qt::UserRole + 1, // QString, any column
        PhaseRole,                        // int, nexus::v1::RolloutPhase
        ActiveRole,                       // bool: PROGRESSING or PAUSED
        RevisionRole,                     // qint64
        UpdatedUsRole,                    // qint64
    };

    explicit RolloutBoardModel(QObject* parent = nullptr);

    // A full list (ListRollouts): replaces the rows.
    void setRollouts(const std::vector<nexus::v1::Rollout>& rollouts);
    // A watch update or an action answer: inserted, or changed (and moved)
    // in place; an older or equal revision than the one held is ignored.
    void upsert(const nexus::v1::Rollout& rollout);
    void clear();

    const nexus::v1::Rollout* find(const QString& rolloutId) const; // nullptr when unknown
    const nexus::v1::Rollout& rolloutAt(int row) const;             // row must be valid
    int rowOf(const QString& rolloutId) const;                      // -1 when unknown
    int activeCount() const;

    // The clock of the Updated column (0 = the wall clock); refresh()es it.
    void setNowUs(std::int64_t nowUs);
    std::int64_t nowUs() const { return nowUs_; }
    // Repaints the Updated column (its ages move with the clock).
    void refresh();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    void countsChanged();                          // activeCount may have changed
    void rolloutUpdated(const QString& rolloutId); // a row's rollout replaced by a newer revision

private:
    // Where the rollout goes among the rows, not counting skipRow.
    int insertionRow(const nexus::v1::Rollout& rollout, int skipRow = -1) const;
    void reindex();
    QVariant display(const nexus::v1::Rollout& r, int column) const;
    QVariant toolTip(const nexus::v1::Rollout& r, int column) const;
    std::int64_t currentUs() const;

    std::vector<nexus::v1::Rollout> rows_;
    std::unordered_map<std::string, int> rowById_;
    std::int64_t nowUs_ = 0;
};

} // namespace nexus::models
