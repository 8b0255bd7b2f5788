#include "models/ComparisonModel.h"

#include "models/ComparisonIdentityModel.h"
#include "models/FleetModel.h"
#include "models/MetricSeriesStore.h"
#include "models/PlainToolTip.h"

#include <QBrush>
#include <QDateTime>
#include <QFont>

#include <algorithm>
#include <cmath>

namespace nexus::models {
namespace {

using nexus::v1::Metric;

constexpr Metric kMetrics[ComparisonModel::kMetricCount] = {
    nexus::v1::METRIC_THROUGHPUT,  nexus::v1::METRIC_ERROR_RATE, nexus::v1::METRIC_LATENCY_P50,
    nexus::v1::METRIC_LATENCY_P95, nexus::v1::METRIC_QUALITY,    nexus::v1::METRIC_COST};

const QString kMissing = QStringLiteral("\u2014");

QString signOf(double v)
{
    return v > 0 ? QStringLiteral("+") : v < 0 ? QStringLiteral("\u2212") : QString();
}

QColor directionColor(int direction)
{
    return direction > 0 ? QColor(0x1b, 0x6e, 0x2a) : QColor(0xb7, 0x1c, 0x1c);
}

QColor directionTint(int direction)
{
    return direction > 0 ? QColor(0xe6, 0xf4, 0xe8) : QColor(0xfd, 0xea, 0xe8);
}

} // namespace

ComparisonModel::ComparisonModel(QObject* parent)
    : QAbstractTableModel(parent), identity_(new ComparisonIdentityModel(this))
{}

ComparisonModel::~ComparisonModel() = default;

void ComparisonModel::setInstances(const QStringList& ids)
{
    QStringList kept;
    int offered = 0;
    for (const QString& raw : ids) {
        const QString id = raw.trimmed();
        if (id.isEmpty() || kept.contains(id))
            continue;
        ++offered;
        if (kept.size() < kMaxInstances)
            kept << id;
    }
    const int dropped = offered - int(kept.size());
    if (kept == instances_ && dropped == dropped_)
        return;
    beginResetModel();
    instances_ = kept;
    dropped_ = dropped;
    rows_ = computeRows();
    endResetModel();
    identity_->setInstances(instances_);
    emit instancesChanged(instances_);
}

QString ComparisonModel::notice() const
{
    if (dropped_ <= 0)
        return {};
    return tr("Showing the first %1 of %2 instances: at most %1 can be compared.")
        .arg(kMaxInstances)
        .arg(kMaxInstances + dropped_);
}

void ComparisonModel::setFleet(FleetModel* fleet)
{
    fleet_ = fleet;
    identity_->setFleet(fleet);
}

FleetModel* ComparisonModel::fleet() const
{
    return fleet_;
}

MetricSeriesStore* ComparisonModel::series() const
{
    return store_;
}

void ComparisonModel::setSeries(MetricSeriesStore* store)
{
    if (store_)
        disconnect(store_, nullptr, this, nullptr);
    store_ = store;
    if (store_)
        connect(store_, &MetricSeriesStore::seriesChanged, this, &ComparisonModel::recompute);
    recompute();
}

void ComparisonModel::setAlpha(double alpha)
{
    if (!(alpha > 0)) // also NaN
        return;
    alpha_ = std::min(alpha, 0.5);
    recompute();
}

void ComparisonModel::setMinimumRuns(int runs)
{
    minimumRuns_ = std::max(2, runs);
    recompute();
}

void ComparisonModel::setRangeSeconds(int seconds)
{
    rangeSeconds_ = std::max(60, seconds);
}

nexus::v1::GetMetricSeriesRequest ComparisonModel::request(qint64 endUs) const
{
    if (endUs <= 0)
        endUs = fleet_ && fleet_->asOfUs() > 0 ? fleet_->asOfUs()
                                               : QDateTime::currentMSecsSinceEpoch() * 1000;
    nexus::v1::GetMetricSeriesRequest r;
    for (const QString& id : instances_)
        r.add_instance_ids(id.toStdString());
    for (Metric m : kMetrics)
        r.add_metrics(m);
    r.set_end_us(endUs);
    r.set_start_us(endUs - qint64(rangeSeconds_) * 1'000'000);
    r.set_include_samples(true);
    return r;
}

int ComparisonModel::rowOf(Metric metric, const QString& instanceId) const
{
    const int instance = int(instances_.indexOf(instanceId));
    for (int r = 0; r < int(rows_.size()); ++r)
        if (rows_[std::size_t(r)].metric == metric && rows_[std::size_t(r)].instance == instance)
            return r;
    return -1;
}

Metric ComparisonModel::metricAt(int index)
{
    return kMetrics[std::clamp(index, 0, kMetricCount - 1)];
}

QString ComparisonModel::metricName(Metric metric)
{
    switch (metric) {
    case nexus::v1::METRIC_THROUGHPUT:
        return tr("Throughput");
    case nexus::v1::METRIC_ERROR_RATE:
        return tr("Error rate");
    case nexus::v1::METRIC_LATENCY_P50:
        return tr("p50 latency");
    case nexus::v1::METRIC_LATENCY_P95:
        return tr("p95 latency");
    case nexus::v1::METRIC_LATENCY_P99:
        return tr("p99 latency");
    case nexus::v1::METRIC_QUALITY:
        return tr("Quality");
    case nexus::v1::METRIC_COST:
        return tr("Cost");
    case nexus::v1::METRIC_TOKENS:
        return tr("Tokens");
    default:
        return tr("Unknown");
    }
}

QColor ComparisonModel::instanceColor(int index)
{
    // Tableau 10 without its grey and olive: distinguishable on white.
    static const QColor palette[kMaxInstances] = {
        QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
        QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
        QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf)};
    return palette[std::max(0, index) % kMaxInstances];
}

QString ComparisonModel::formatValue(Metric metric, double value)
{
    if (std::isnan(value))
        return kMissing;
    switch (metric) {
    case nexus::v1::METRIC_THROUGHPUT:
        return tr("%1 runs/s").arg(value, 0, 'f', 2);
    case nexus::v1::METRIC_ERROR_RATE:
        return FleetModel::formatPercent(value);
    case nexus::v1::METRIC_LATENCY_P50:
    case nexus::v1::METRIC_LATENCY_P95:
    case nexus::v1::METRIC_LATENCY_P99:
        return FleetModel::formatLatency(value);
    case nexus::v1::METRIC_QUALITY:
        return QString::number(value, 'f', 3);
    case nexus::v1::METRIC_COST:
        return FleetModel::formatCost(std::llround(value));
    default:
        return QString::number(value, 'g', 4);
    }
}

QString ComparisonModel::formatDelta(Metric metric, double delta)
{
    if (std::isnan(delta))
        return kMissing;
    const double magnitude = std::abs(delta);
    QString text;
    switch (metric) {
    case nexus::v1::METRIC_ERROR_RATE: // percentage points, not percent
        // A small but real difference keeps a digit rather than reading "0.0".
        text = tr("%1 pp").arg(100 * magnitude, 0, 'f',
                               magnitude > 0 && 100 * magnitude < 0.05 ? 2 : 1);
        break;
    default:
        text = formatValue(metric, magnitude);
    }
    return signOf(delta) + text;
}

QString ComparisonModel::formatPValue(double p)
{
    if (std::isnan(p))
        return kMissing;
    if (p < 0.001)
        return QStringLiteral("< 0.001");
    return QString::number(p, 'f', 3);
}

void ComparisonModel::recompute()
{
    std::vector<Row> fresh = computeRows();
    if (fresh.size() != rows_.size()) { // cannot happen while the instances stay
        beginResetModel();
        rows_ = std::move(fresh);
        endResetModel();
        return;
    }
    int first = -1, last = -1;
    for (int r = 0; r < int(fresh.size()); ++r)
        if (!(fresh[std::size_t(r)].c == rows_[std::size_t(r)].c)) {
            first = first < 0 ? r : first;
            last = r;
        }
    rows_ = std::move(fresh);
    if (first >= 0)
        emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

std::vector<ComparisonModel::Row> ComparisonModel::computeRows() const
{
    std::vector<Row> rows;
    if (instances_.size() < kMinInstances)
        return rows;
    rows.reserve(std::size_t(kMetricCount * (instances_.size() - 1)));
    for (Metric metric : kMetrics) {
        auto seriesOf = [&](const QString& id) {
            return store_ ? store_->series(metric, id, false) : nullptr;
        };
        const MetricSummary baseline = summarize(metric, seriesOf(instances_.front()));
        for (int i = 1; i < int(instances_.size()); ++i) {
            const MetricSummary other = summarize(metric, seriesOf(instances_[i]));
            rows.push_back({metric, i, compare(metric, baseline, other, alpha_, minimumRuns_)});
        }
    }
    return rows;
}

int ComparisonModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int ComparisonModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ComparisonModel::significanceText(const Row& row) const
{
    const MetricComparison& c = row.c;
    if (!c.tested && std::isnan(c.baseline))
        return tr("no data for the baseline");
    if (!c.tested && std::isnan(c.value))
        return tr("no data");
    if (!c.tested)
        return testsBuckets(row.metric)
                   ? tr("not enough data (%1 vs %2 buckets)")
                         .arg(c.valueSamples)
                         .arg(c.baselineSamples)
                   : tr("not enough runs (%1 vs %2)").arg(c.valueSamples).arg(c.baselineSamples);
    if (!c.significant)
        return tr("not significant");
    if (c.direction == Better)
        return tr("significant, better");
    if (c.direction == Worse)
        return tr("significant, worse");
    return tr("significant");
}

QString ComparisonModel::toolTip(const Row& row) const
{
    const MetricComparison& c = row.c;
    const QString unit = testsBuckets(row.metric) ? tr("buckets") : tr("runs");
    QString text =
        tr("%1 of %2: %3, baseline %4: %5")
            .arg(metricName(row.metric), instances_[row.instance], formatValue(row.metric, c.value),
                 instances_.front(), formatValue(row.metric, c.baseline));
    if (!std::isnan(c.delta))
        text += tr(" (%1)").arg(formatDelta(row.metric, c.delta));
    text += QLatin1Char('\n');
    if (!c.tested)
        return text + tr("%1 %2 here, %3 in the baseline; the test needs at least %4 per side.")
                          .arg(c.valueSamples)
                          .arg(unit)
                          .arg(c.baselineSamples)
                          .arg(minimumRuns_);
    text += tr("Mann-Whitney U on %1 vs %2 %3: p = %4, ")
                .arg(c.valueSamples)
                .arg(c.baselineSamples)
                .arg(unit)
                .arg(c.pValue, 0, 'g', 3);
    text += c.significant ? tr("significant at \u03b1 = %1.").arg(alpha_)
                          : tr("not significant at \u03b1 = %1.").arg(alpha_);
    return text;
}

QVariant ComparisonModel::display(const Row& row, int column) const
{
    const MetricComparison& c = row.c;
    switch (column) {
    case MetricColumn:
        return metricName(row.metric);
    case InstanceColumn:
        return instances_[row.instance];
    case BaselineColumn:
        return formatValue(row.metric, c.baseline);
    case ValueColumn:
        return formatValue(row.metric, c.value);
    case DeltaColumn:
        return formatDelta(row.metric, c.delta);
    case DeltaPercentColumn:
        return std::isnan(c.deltaPercent)
                   ? kMissing
                   : signOf(c.deltaPercent) +
                         QStringLiteral("%1 %").arg(std::abs(c.deltaPercent), 0, 'f', 1);
    case PValueColumn:
        return formatPValue(c.pValue);
    case SignificanceColumn:
        return significanceText(row);
    default:
        return {};
    }
}

QVariant ComparisonModel::sortValue(const Row& row, int column) const
{
    const MetricComparison& c = row.c;
    const auto number = [](double v) {
        return std::isnan(v) ? std::numeric_limits<double>::lowest() : v;
    };
    switch (column) {
    case MetricColumn:
        return int(std::find(std::begin(kMetrics), std::end(kMetrics), row.metric) -
                   std::begin(kMetrics));
    case InstanceColumn:
        return row.instance;
    case BaselineColumn:
        return number(c.baseline);
    case ValueColumn:
        return number(c.value);
    case DeltaColumn:
        return number(c.delta);
    case DeltaPercentColumn:
        return number(c.deltaPercent);
    case PValueColumn:
        return c.tested ? c.pValue : 2.0; // untested after the largest p
    case SignificanceColumn:              // worst news first when sorted descending
        return !c.tested ? 0 : !c.significant ? 1 : c.direction == Worse ? 3 : 2;
    default:
        return {};
    }
}

QVariant ComparisonModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = rows_[std::size_t(index.row())];
    const MetricComparison& c = row.c;
    const int column = index.column();
    const bool coloured = c.significant && c.direction != Same;
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column);
    case Qt::ToolTipRole:
        return plainToolTip(toolTip(row));
    case Qt::DecorationRole:
        if (column == InstanceColumn)
            return instanceColor(row.instance);
        return {};
    case Qt::TextAlignmentRole:
        if (column >= BaselineColumn && column <= PValueColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (coloured &&
            (column == DeltaColumn || column == DeltaPercentColumn || column == SignificanceColumn))
            return QBrush(directionColor(c.direction));
        if (!c.tested && (column == PValueColumn || column == SignificanceColumn))
            return QBrush(QColor(0x6c, 0x75, 0x7d));
        return {};
    case Qt::BackgroundRole:
        if (coloured)
            return QBrush(directionTint(c.direction));
        return {};
    case Qt::FontRole:
        if (c.significant) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case SortRole:
        return sortValue(row, column);
    case MetricRole:
        return int(row.metric);
    case InstanceIdRole:
        return instances_[row.instance];
    case InstanceIndexRole:
        return row.instance;
    case SignificantRole:
        return c.significant;
    case TestedRole:
        return c.tested;
    case PValueRole:
        return c.tested ? QVariant(c.pValue) : QVariant();
    case DeltaPercentRole:
        return std::isnan(c.deltaPercent) ? QVariant() : QVariant(c.deltaPercent);
    case DirectionRole:
        return c.direction;
    default:
        return {};
    }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue((section >= BaselineColumn && section <= PValueColumn
                                        ? Qt::AlignRight
                                        : Qt::AlignLeft) |
                                   Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && section == PValueColumn)
        return tr("Two-sided Mann-Whitney U test of the windowed samples against the baseline's");
    if (role != Qt::DisplayRole)
        return {};
    static const char* const names[ColumnCount] = {
        "Metric", "Instance", "Baseline", "Value", "\u0394", "\u0394 %", "p-value", "Significance"};
    return QString::fromUtf8(names[section]);
}

} // namespace nexus::models
