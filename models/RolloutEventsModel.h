#pragma once
// The timeline of one rollout: one row per RolloutEvent of its history,
// oldest first. The rollout comes again with every watch update; the same
// rollout with more history appends the new events (rowsInserted, no reset)
// so the view keeps its scroll position and selection. Another rollout, or
// a history that no longer starts with the rows shown, resets.

#include "nexus/v1/rollouts.pb.h"

#include <QAbstractTableModel>
#include <QString>

#include <string>
#include <vector>

namespace nexus::models {

class RolloutEventsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,   // local time, to the second
        Event,  // "Launched", "Step", "Weight", ..., "Rolled back"
        Detail, // tooltip too: it can be long
        Actor,  // a token name, or "controller"
        ColumnCount
    };

    enum Role
    {
        KindRole = Qt::UserRole + 1, // QString, the event's kind ("rolled_back")
        AtUsRole,                    // qint64, µs since the epoch
    };

    explicit RolloutEventsModel(QObject* parent = nullptr);

    void setRollout(const nexus::v1::Rollout& rollout);
    void clear();
    QString rolloutId() const { return QString::fromStdString(rolloutId_); }

    // "Launched", "Rolled back", ...; an unknown kind as it came.
    static QString eventName(const std::string& kind);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::string rolloutId_;
    std::vector<nexus::v1::RolloutEvent> rows_;
};

} // namespace nexus::models
