#include "models/ReplayStepsModel.h"

#include "models/PlainToolTip.h"

#include <QColor>
#include <QFont>
#include <QStringList>

namespace nexus::models {

using runtime::BreakpointKind;
using runtime::ReplayStep;
using runtime::RouteVerdict;
using runtime::StepVerdict;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QString joined(const std::vector<std::string>& names)
{
    if (names.empty())
        return QStringLiteral("nothing");
    QStringList out;
    for (const std::string& name : names)
        out << qs(name);
    return out.join(QStringLiteral(", "));
}

// Mid tones: readable on light and dark bases alike.
QColor goodColour()
{
    return QColor(0x16a34a);
}
QColor badColour()
{
    return QColor(0xdc2626);
}
QColor mutedColour()
{
    return QColor(0x8a8a8a);
}

} // namespace

ReplayStepsModel::ReplayStepsModel(QObject* parent) : QAbstractTableModel(parent) {}

ReplayStepsModel::~ReplayStepsModel() = default;

void ReplayStepsModel::setSession(std::shared_ptr<const runtime::ReplaySession> session)
{
    beginResetModel();
    session_ = std::move(session);
    position_ = session_ ? session_->position() : 0;
    flags_ = computeFlags();
    endResetModel();
}

void ReplayStepsModel::clear()
{
    setSession(nullptr);
}

int ReplayStepsModel::nextRow() const
{
    return session_ && position_ < session_->size() ? int(position_) : -1;
}

void ReplayStepsModel::emitRowChanged(int row)
{
    if (row >= 0 && row < rowCount())
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ReplayStepsModel::refreshPosition()
{
    if (!session_ || session_->position() == position_)
        return;
    const std::size_t old = position_;
    position_ = session_->position();
    // The rows that carried a marker before and carry one now.
    for (int row : {int(old) - 1, int(old), int(position_) - 1, int(position_)})
        emitRowChanged(row);
}

void ReplayStepsModel::refreshBreakpoints()
{
    if (!session_)
        return;
    std::vector<std::uint8_t> flags = computeFlags();
    for (std::size_t row = 0; row < flags.size() && row < flags_.size(); ++row)
        if (flags[row] != flags_[row]) {
            flags_[row] = flags[row];
            emit dataChanged(index(int(row), BreakpointColumn), index(int(row), BreakpointColumn));
        }
}

std::vector<std::uint8_t> ReplayStepsModel::computeFlags() const
{
    std::vector<std::uint8_t> flags(session_ ? session_->size() : 0, 0);
    if (!session_ || session_->breakpoints().empty())
        return flags;
    const auto& breakpoints = session_->breakpoints();
    const auto kindOf = [&](int id) {
        for (const runtime::Breakpoint& bp : breakpoints)
            if (bp.id == id)
                return bp.kind;
        return BreakpointKind::BeforeNode;
    };
    // Where continue would stop: breakpointsAt(position) is the engine's own test.
    for (std::size_t position = 0; position <= flags.size(); ++position)
        for (int id : session_->breakpointsAt(position)) {
            switch (kindOf(id)) {
            case BreakpointKind::BeforeNode:
                if (position < flags.size())
                    flags[position] |= BreakBefore;
                break;
            case BreakpointKind::AfterNode:
                if (position > 0)
                    flags[position - 1] |= BreakAfter;
                break;
            case BreakpointKind::StateCondition:
                if (position < flags.size())
                    flags[position] |= BreakWhen;
                break;
            }
        }
    return flags;
}

ReplayStepsModel::Marker ReplayStepsModel::markerOf(int row) const
{
    if (std::size_t(row) == position_)
        return NextMarker;
    if (std::size_t(row) + 1 == position_)
        return LastMarker;
    return NoMarker;
}

QString ReplayStepsModel::hashText(StepVerdict verdict)
{
    switch (verdict) {
    case StepVerdict::Verified:
        return tr("verified");
    case StepVerdict::Mismatch:
        return tr("mismatch");
    case StepVerdict::Unverified:
        return tr("unverified");
    case StepVerdict::NotApplied:
        return tr("not applied");
    }
    return {};
}

QString ReplayStepsModel::routeText(const ReplayStep& step)
{
    switch (step.route) {
    case RouteVerdict::Agrees:
        return tr("agrees \u2192 %1").arg(joined(step.recordedNext));
    case RouteVerdict::Diverges:
        return tr("diverges: graph \u2192 %1, run \u2192 %2")
            .arg(joined(step.expectedNext), joined(step.recordedNext));
    case RouteVerdict::CannotCheck:
        return tr("cannot check \u2192 %1").arg(joined(step.recordedNext));
    case RouteVerdict::NotApplicable:
        return QStringLiteral("\u2013");
    }
    return {};
}

int ReplayStepsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !session_ ? 0 : int(session_->size());
}

int ReplayStepsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReplayStepsModel::displayData(const ReplayStep& step, int row, int column) const
{
    switch (column) {
    case BreakpointColumn: {
        QString dots;
        const std::uint8_t f = flags_[std::size_t(row)];
        if (f & BreakBefore)
            dots += QStringLiteral("\u25cf");
        if (f & BreakAfter)
            dots += QStringLiteral("\u25cb");
        if (f & BreakWhen)
            dots += QStringLiteral("\u25c6");
        return dots;
    }
    case StepColumn:
        return markerOf(row) == NextMarker ? QStringLiteral("\u25b6 %1").arg(step.step)
                                           : QString::number(step.step);
    case NodeColumn:
        return qs(step.node);
    case SuperStepColumn:
        return QString::number(step.superStep);
    case VisitColumn:
        return QString::number(step.visit);
    case HashColumn:
        return hashText(step.hash);
    case RouteColumn:
        return routeText(step);
    }
    return {};
}

QString ReplayStepsModel::toolTip(const ReplayStep& step, int row, int column) const
{
    switch (column) {
    case BreakpointColumn: {
        QStringList lines;
        const std::uint8_t f = flags_[std::size_t(row)];
        if (f & BreakBefore)
            lines << tr("Stops before %1 runs").arg(qs(step.node));
        if (f & BreakAfter)
            lines << tr("Stops after %1 ran").arg(qs(step.node));
        if (f & BreakWhen)
            lines << tr("A state condition holds before this step");
        return lines.join(QLatin1Char('\n'));
    }
    case StepColumn:
        switch (markerOf(row)) {
        case NextMarker:
            return tr("About to run (position %1)").arg(row);
        case LastMarker:
            return tr("Just ran (position %1)").arg(row + 1);
        case NoMarker:
            break;
        }
        return {};
    case HashColumn: {
        QString tip;
        switch (step.hash) {
        case StepVerdict::Verified:
            tip = tr("The replayed state's SHA-256 equals the recorded state hash");
            break;
        case StepVerdict::Mismatch:
            tip = tr("The replayed state differs from the one the run recorded\nrecorded %1\n"
                     "replayed %2")
                      .arg(qs(step.recordedHash), qs(step.replayedHash));
            break;
        case StepVerdict::Unverified:
            tip = tr("Nothing to verify: the node sent no state hash");
            break;
        case StepVerdict::NotApplied:
            tip = tr("The recorded state change could not be applied");
            break;
        }
        if (step.updates > 0)
            tip += tr("\nUpdates recorded before this step (%1): %2")
                       .arg(step.updates)
                       .arg(hashText(step.updatesHash));
        return tip;
    }
    case RouteColumn:
        return step.routeDetail.empty() ? routeText(step) : qs(step.routeDetail);
    }
    return {};
}

QVariant ReplayStepsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        !session_)
        return {};
    const int row = index.row();
    const ReplayStep& step = session_->steps()[std::size_t(row)];
    switch (role) {
    case Qt::DisplayRole:
        return displayData(step, row, index.column());
    case Qt::ToolTipRole:
        return plainToolTip(toolTip(step, row, index.column()));
    case Qt::ForegroundRole:
        if (index.column() == BreakpointColumn)
            return badColour();
        if (index.column() == HashColumn)
            return step.hash == StepVerdict::Verified     ? QVariant(goodColour())
                   : step.hash == StepVerdict::Unverified ? QVariant(mutedColour())
                                                          : QVariant(badColour());
        if (index.column() == RouteColumn)
            return step.route == RouteVerdict::Diverges ? QVariant(badColour())
                   : step.route == RouteVerdict::Agrees ? QVariant()
                                                        : QVariant(mutedColour());
        return {};
    case Qt::FontRole:
        if (markerOf(row) == NextMarker) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == BreakpointColumn)
            return int(Qt::AlignCenter);
        if (index.column() == StepColumn || index.column() == SuperStepColumn ||
            index.column() == VisitColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case StepRole:
        return int(step.step);
    case NodeRole:
        return qs(step.node);
    case MarkerRole:
        return int(markerOf(row));
    case BreakpointRole:
        return int(flags_[std::size_t(row)]);
    case HashVerdictRole:
        return int(step.hash);
    case RouteVerdictRole:
        return int(step.route);
    case DivergenceRole:
        return step.divergence ? int(*step.divergence) : -1;
    case PositionRole:
        return row;
    }
    return {};
}

QVariant ReplayStepsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case BreakpointColumn:
            return QString();
        case StepColumn:
            return tr("#");
        case NodeColumn:
            return tr("Node");
        case SuperStepColumn:
            return tr("Super-step");
        case VisitColumn:
            return tr("Visit");
        case HashColumn:
            return tr("State hash");
        case RouteColumn:
            return tr("Route");
        }
    }
    if (role == Qt::ToolTipRole && section == BreakpointColumn)
        return tr("Breakpoints: \u25cf before the node, \u25cb after it, \u25c6 a state "
                  "condition holds");
    return {};
}

} // namespace nexus::models
