#include "models/RolloutAnalysisModel.h"

#include "models/PlainToolTip.h"
#include "models/RolloutFormat.h"

#include <QColor>

#include <cmath>

namespace nexus::models {

namespace pb = ::nexus::v1;

namespace {

bool sameMetrics(const pb::AnalysisResult& a, const pb::AnalysisResult& b)
{
    if (a.metrics_size() != b.metrics_size())
        return false;
    for (int i = 0; i < a.metrics_size(); ++i)
        if (a.metrics(i).metric() != b.metrics(i).metric())
            return false;
    return true;
}

QString metricId(const pb::MetricAnalysis& m)
{
    return QString::fromStdString(m.metric());
}

// A metric left out of the score has no test to show.
bool judged(const pb::MetricAnalysis& m)
{
    return m.verdict() != pb::VERDICT_INSUFFICIENT_DATA && m.verdict() != pb::VERDICT_UNSPECIFIED;
}

} // namespace

RolloutAnalysisModel::RolloutAnalysisModel(QObject* parent) : QAbstractTableModel(parent) {}

void RolloutAnalysisModel::setResult(const pb::AnalysisResult& result)
{
    if (sameMetrics(result_, result)) {
        result_ = result;
        if (result_.metrics_size() > 0)
            emit dataChanged(index(0, 0), index(result_.metrics_size() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    result_ = result;
    endResetModel();
}

void RolloutAnalysisModel::clear()
{
    setResult(pb::AnalysisResult());
}

int RolloutAnalysisModel::direction(const pb::MetricAnalysis& m)
{
    const double c = m.canary_mean(), b = m.baseline_mean();
    if (m.canary_samples() == 0 || m.baseline_samples() == 0 || !std::isfinite(c) ||
        !std::isfinite(b) || c == b)
        return 0;
    return (c > b) == m.higher_is_better() ? 1 : -1;
}

QColor RolloutAnalysisModel::worseColor()
{
    return QColor(0xb9, 0x1c, 0x1c);
}

QColor RolloutAnalysisModel::betterColor()
{
    return QColor(0x15, 0x80, 0x3d);
}

int RolloutAnalysisModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : result_.metrics_size();
}

int RolloutAnalysisModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString RolloutAnalysisModel::text(const pb::MetricAnalysis& m, int column) const
{
    const QString id = metricId(m);
    switch (column) {
    case Metric:
        return rolloutfmt::metricName(id);
    case Canary:
        return m.canary_samples() > 0 ? rolloutfmt::metricValue(id, m.canary_mean())
                                      : QStringLiteral("—");
    case Baseline:
        return m.baseline_samples() > 0 ? rolloutfmt::metricValue(id, m.baseline_mean())
                                        : QStringLiteral("—");
    case Change:
        return m.canary_samples() > 0 && m.baseline_samples() > 0
                   ? rolloutfmt::relativeChange(m.canary_mean(), m.baseline_mean())
                   : QStringLiteral("—");
    case PValue:
        return judged(m) ? rolloutfmt::pValue(m.p_value()) : QStringLiteral("—");
    case EffectSize:
        return judged(m) ? QStringLiteral("r = %1%2")
                               .arg(m.effect_size() >= 0 ? QStringLiteral("+") : QString())
                               .arg(m.effect_size(), 0, 'f', 2)
                         : QStringLiteral("—");
    case Samples:
        return QStringLiteral("%1 / %2").arg(rolloutfmt::runCount(m.canary_samples()),
                                             rolloutfmt::runCount(m.baseline_samples()));
    case Verdict:
        return rolloutfmt::verdictName(m.verdict());
    default:
        return {};
    }
}

QString RolloutAnalysisModel::toolTip(const pb::MetricAnalysis& m, int column) const
{
    const QString better = m.higher_is_better() ? tr("higher is better") : tr("lower is better");
    switch (column) {
    case Metric:
        return tr("%1 (%2), compared over the runs of the analysis window")
            .arg(rolloutfmt::metricName(metricId(m)), better);
    case Change:
        switch (direction(m)) {
        case -1:
            return tr("The canary is worse than the baseline (%1)").arg(better);
        case 1:
            return tr("The canary is better than the baseline (%1)").arg(better);
        default:
            return tr("No difference between the means (%1)").arg(better);
        }
    case PValue:
        return judged(m) ? tr("Mann-Whitney U = %1, two-sided").arg(m.u_statistic(), 0, 'f', 1)
                         : tr("Not tested: too few runs on a side");
    case Samples:
        return tr("%1 canary runs, %2 baseline runs")
            .arg(rolloutfmt::runCount(m.canary_samples()),
                 rolloutfmt::runCount(m.baseline_samples()));
    default:
        return headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString();
    }
}

QVariant RolloutAnalysisModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const pb::MetricAnalysis& m = result_.metrics(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return text(m, column);
    case Qt::ToolTipRole:
        return plainToolTip(toolTip(m, column));
    case Qt::ForegroundRole:
        if (column == Change && direction(m) != 0)
            return direction(m) < 0 ? worseColor() : betterColor();
        if (column == Verdict)
            return QColor(0x1f, 0x29, 0x37); // dark on every verdict colour
        return {};
    case Qt::BackgroundRole:
        if (column == Verdict && m.verdict() != pb::VERDICT_UNSPECIFIED)
            return rolloutfmt::verdictColor(m.verdict());
        return {};
    case Qt::TextAlignmentRole:
        if (column == Metric || column == Verdict)
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case MetricIdRole:
        return metricId(m);
    case VerdictRole:
        return int(m.verdict());
    default:
        return {};
    }
}

QVariant RolloutAnalysisModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        static const char* const names[ColumnCount] = {
            "Metric", "Canary", "Baseline", "Change", "p-value", "Effect size", "Runs", "Verdict"};
        return tr(names[section]);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Metric:
            return tr("What is compared between the canary's runs and the baseline's");
        case Canary:
            return tr("Mean over the runs of the new version (the canary)");
        case Baseline:
            return tr("Mean over the other runs of the rollout (the baseline)");
        case Change:
            return tr("Canary against baseline, relative to the baseline; red when the canary "
                      "is worse in the metric's direction, green when it is better");
        case PValue:
            return tr("Mann-Whitney U test, two-sided: the chance of a difference at least this "
                      "large if both sides behaved the same. Small (< 0.05) = a real difference");
        case EffectSize:
            return tr("Rank-biserial correlation r, -1..1: r > 0 = the canary's values tend to "
                      "be higher, r < 0 = lower, whatever is better for the metric");
        case Samples:
            return tr("Runs compared: canary / baseline");
        case Verdict:
            return tr("Fail = worse with p < 0.05, Marginal = worse with p < 0.20, Pass "
                      "otherwise; Insufficient data = too few runs on a side");
        default:
            return {};
        }
    }
    return {};
}

} // namespace nexus::models
