#pragma once
// The steps of a replay (runtime::ReplaySession) as a debugger's listing:
// one row per recorded node execution with its number, node, super-step,
// visit, hash verdict, route verdict (or the divergence) and breakpoint
// markers. MarkerRole says which row is the step about to run at the
// session's position (a debugger's current line) and which one just ran.
//
// The session is shared with the view that navigates it; after navigation
// the view calls refreshPosition(), after breakpoint edits
// refreshBreakpoints(): both emit dataChanged only for the rows whose
// markers changed. A new session is a reset.

#include "runtime/Replay.h"

#include <QAbstractTableModel>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace nexus::models {

class ReplayStepsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        BreakpointColumn, // "●" before, "○" after the node, "◆" a state condition holds
        StepColumn,       // 1-based step number; "▶" marks the step about to run
        NodeColumn,
        SuperStepColumn,
        VisitColumn,
        HashColumn,  // verified / mismatch / unverified / not applied
        RouteColumn, // agrees / diverges (expected ...) / cannot check / -
        ColumnCount
    };

    enum Role
    {
        StepRole = Qt::UserRole + 1, // int: 1-based step number
        NodeRole,                    // QString
        MarkerRole,                  // int: Marker
        BreakpointRole,              // int: BreakpointFlags of the enabled breakpoints
        HashVerdictRole,             // int: runtime::StepVerdict
        RouteVerdictRole,            // int: runtime::RouteVerdict
        DivergenceRole,              // int: index into the report's divergences, -1 for none
        PositionRole,                // int: the position where this step is about to run (row)
    };

    enum Marker
    {
        NoMarker,
        NextMarker, // the step about to run at the position (the debugger's current line)
        LastMarker, // the step that led to the position
    };

    enum BreakpointFlag
    {
        BreakBefore = 1, // an enabled "before node" breakpoint stops ahead of this step
        BreakAfter = 2,  // an enabled "after node" breakpoint stops right after it
        BreakWhen = 4,   // an enabled state condition holds where this step is about to run
    };

    explicit ReplayStepsModel(QObject* parent = nullptr);
    ~ReplayStepsModel() override;

    void setSession(std::shared_ptr<const runtime::ReplaySession> session);
    const std::shared_ptr<const runtime::ReplaySession>& session() const { return session_; }
    void clear();

    // The session moved: update the markers.
    void refreshPosition();
    // Breakpoints were added, removed, enabled or disabled: update the dots.
    void refreshBreakpoints();

    // The position the markers show, and the row of the step about to run
    // there (-1 at the end).
    std::size_t position() const { return position_; }
    int nextRow() const;

    static QString hashText(runtime::StepVerdict verdict);
    static QString routeText(const runtime::ReplayStep& step);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<std::uint8_t> computeFlags() const;
    Marker markerOf(int row) const;
    QVariant displayData(const runtime::ReplayStep& step, int row, int column) const;
    QString toolTip(const runtime::ReplayStep& step, int row, int column) const;
    void emitRowChanged(int row);

    std::shared_ptr<const runtime::ReplaySession> session_;
    std::size_t position_ = 0;
    std::vector<std::uint8_t> flags_; // BreakpointFlags by row
};

} // namespace nexus::models
