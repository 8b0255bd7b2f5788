#include "models/TraceComparisonModels.h"

#include "models/TraceFormat.h"

#include <QBrush>
#include <QColor>
#include <QStringList>

namespace nexus::models {
namespace {

namespace fmt = tracefmt;

QString nodeText(const std::string& node, int visit, bool parallel)
{
    QString text = QString::fromStdString(node);
    if (visit > 1)
        text += QStringLiteral(" #%1").arg(visit);
    return parallel ? QStringLiteral("\u2225 ") + text : text;
}

// Translucent, so the tint reads on light and dark palettes alike.
QVariant kindBackground(AlignKind kind)
{
    switch (kind) {
    case AlignKind::Same:
        return {};
    case AlignKind::Changed:
        return QBrush(QColor(0xf5, 0x9e, 0x0b, 56));
    case AlignKind::OnlyA:
        return QBrush(QColor(0xdc, 0x26, 0x26, 44));
    case AlignKind::OnlyB:
        return QBrush(QColor(0x16, 0xa3, 0x4a, 48));
    }
    return {};
}

// More time, tokens or money in B is worse (red); less is better (green).
QVariant deltaForeground(double delta)
{
    if (delta > 0)
        return QBrush(QColor(0xb3, 0x26, 0x1e));
    if (delta < 0)
        return QBrush(QColor(0x1b, 0x7f, 0x3b));
    return {};
}

QString stateText(const AlignedRow& row)
{
    if (!row.matched())
        return QString::fromLatin1(alignKindName(row.kind));
    QStringList parts;
    if (row.outcomeDiffers)
        parts << QStringLiteral("outcome differs");
    if (row.stateDiffers)
        parts << (row.stateChangeCount == 1
                      ? QStringLiteral("1 path differs")
                      : QStringLiteral("%1 paths differ").arg(row.stateChangeCount));
    if (parts.isEmpty())
        return row.stateCompared ? QStringLiteral("same") : QStringLiteral("no state");
    return parts.join(QStringLiteral(", "));
}

QVariant stepValue(int span, std::uint32_t step)
{
    return span >= 0 && step != kNoIndex ? qint64(step) : qint64(-1);
}

} // namespace

AlignedPathModel::AlignedPathModel(QObject* parent) : QAbstractTableModel(parent) {}

void AlignedPathModel::setComparison(std::shared_ptr<const TraceComparison> comparison)
{
    beginResetModel();
    comparison_ = std::move(comparison);
    endResetModel();
}

const AlignedRow* AlignedPathModel::rowAt(int row) const
{
    if (!comparison_ || row < 0 || row >= int(comparison_->rows.size()))
        return nullptr;
    return &comparison_->rows[std::size_t(row)];
}

QString AlignedPathModel::kindMarker(AlignKind kind)
{
    switch (kind) {
    case AlignKind::Same:
        return QStringLiteral("=");
    case AlignKind::Changed:
        return QStringLiteral("\u2260");
    case AlignKind::OnlyA:
        return QStringLiteral("A");
    case AlignKind::OnlyB:
        return QStringLiteral("B");
    }
    return {};
}

int AlignedPathModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !comparison_ ? 0 : int(comparison_->rows.size());
}

int AlignedPathModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlignedPathModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const kNames[] = {
        "",           "A", "B", "A time", "B time", "\u0394 time", "\u0394 tokens", "\u0394 cost",
        "State after"};
    return section >= 0 && section < ColumnCount ? QString::fromUtf8(kNames[section]) : QVariant();
}

QVariant AlignedPathModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AlignedRow& r = comparison_->rows[std::size_t(index.row())];
    const bool a = r.spanA >= 0, b = r.spanB >= 0;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KindColumn:
            return kindMarker(r.kind);
        case NodeAColumn:
            return a ? nodeText(r.node, r.visitA, r.parallelA) : QString();
        case NodeBColumn:
            return b ? nodeText(r.node, r.visitB, r.parallelB) : QString();
        case DurationAColumn:
            return a ? fmt::duration(r.durationA) : QString();
        case DurationBColumn:
            return b ? fmt::duration(r.durationB) : QString();
        case DurationDeltaColumn:
            return fmt::signedDuration(r.durationDelta());
        case TokenDeltaColumn:
            return fmt::signedCount(r.tokenDelta());
        case CostDeltaColumn:
            return fmt::signedUsd(r.costDelta());
        case StateColumn:
            return stateText(r);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case KindColumn:
            return int(r.kind);
        case DurationAColumn:
            return qint64(r.durationA);
        case DurationBColumn:
            return qint64(r.durationB);
        case DurationDeltaColumn:
            return qint64(r.durationDelta());
        case TokenDeltaColumn:
            return qint64(r.tokenDelta());
        case CostDeltaColumn:
            return r.costDelta();
        case StateColumn:
            return qint64(r.stateChangeCount);
        }
        return data(index, Qt::DisplayRole);
    case Qt::ToolTipRole:
        if (index.column() == KindColumn)
            return QString::fromLatin1(alignKindName(r.kind));
        return {};
    case Qt::BackgroundRole:
        return kindBackground(r.kind);
    case Qt::ForegroundRole:
        switch (index.column()) {
        case DurationDeltaColumn:
            return deltaForeground(double(r.durationDelta()));
        case TokenDeltaColumn:
            return deltaForeground(double(r.tokenDelta()));
        case CostDeltaColumn:
            return deltaForeground(r.costDelta());
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= DurationAColumn && index.column() <= CostDeltaColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (index.column() == KindColumn)
            return QVariant::fromValue(Qt::AlignCenter);
        return {};
    case KindRole:
        return int(r.kind);
    case StepARole:
        return stepValue(r.spanA, r.stepA);
    case StepBRole:
        return stepValue(r.spanB, r.stepB);
    }
    return {};
}

NodeDeltaModel::NodeDeltaModel(QObject* parent) : QAbstractTableModel(parent) {}

void NodeDeltaModel::setComparison(std::shared_ptr<const TraceComparison> comparison)
{
    beginResetModel();
    comparison_ = std::move(comparison);
    endResetModel();
}

int NodeDeltaModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !comparison_ ? 0 : int(comparison_->nodes.size());
}

int NodeDeltaModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeDeltaModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const kNames[] = {
        "Node",     "Visits A", "Visits B",      "Time A", "Time B", "\u0394 time", "\u0394 %",
        "Tokens A", "Tokens B", "\u0394 tokens", "Cost A", "Cost B", "\u0394 cost"};
    return section >= 0 && section < ColumnCount ? QString::fromUtf8(kNames[section]) : QVariant();
}

QVariant NodeDeltaModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const NodeDelta& d = comparison_->nodes[std::size_t(index.row())];
    const auto change = percentChange(double(d.durationA), double(d.durationB));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NodeColumn:
            return QString::fromStdString(d.node);
        case VisitsAColumn:
            return d.visitsA;
        case VisitsBColumn:
            return d.visitsB;
        case DurationAColumn:
            return d.visitsA ? fmt::duration(d.durationA) : QString();
        case DurationBColumn:
            return d.visitsB ? fmt::duration(d.durationB) : QString();
        case DurationDeltaColumn:
            return fmt::signedDuration(d.durationDelta());
        case DurationChangeColumn:
            return fmt::signedPercent(change);
        case TokensAColumn:
            return d.visitsA ? fmt::count(d.tokensA) : QString();
        case TokensBColumn:
            return d.visitsB ? fmt::count(d.tokensB) : QString();
        case TokenDeltaColumn:
            return fmt::signedCount(d.tokenDelta());
        case CostAColumn:
            return d.visitsA ? fmt::usd(d.costA) : QString();
        case CostBColumn:
            return d.visitsB ? fmt::usd(d.costB) : QString();
        case CostDeltaColumn:
            return fmt::signedUsd(d.costDelta());
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case NodeColumn:
            return QString::fromStdString(d.node);
        case VisitsAColumn:
            return d.visitsA;
        case VisitsBColumn:
            return d.visitsB;
        case DurationAColumn:
            return qint64(d.durationA);
        case DurationBColumn:
            return qint64(d.durationB);
        case DurationDeltaColumn:
            return qint64(d.durationDelta());
        case DurationChangeColumn:
            return change ? *change : 1e300; // "new" sorts last
        case TokensAColumn:
            return qint64(d.tokensA);
        case TokensBColumn:
            return qint64(d.tokensB);
        case TokenDeltaColumn:
            return qint64(d.tokenDelta());
        case CostAColumn:
            return d.costA;
        case CostBColumn:
            return d.costB;
        case CostDeltaColumn:
            return d.costDelta();
        }
        return {};
    case Qt::ForegroundRole:
        switch (index.column()) {
        case DurationDeltaColumn:
        case DurationChangeColumn:
            return deltaForeground(double(d.durationDelta()));
        case TokenDeltaColumn:
            return deltaForeground(double(d.tokenDelta()));
        case CostDeltaColumn:
            return deltaForeground(d.costDelta());
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() != NodeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case NodeRole:
        return QString::fromStdString(d.node);
    }
    return {};
}

} // namespace nexus::models
