#pragma once
// The metrics of one canary analysis (an AnalysisResult of a Rollout), one
// row per metric in the server's order: quality, latency, errors, cost.
//
// The columns read as a person compares two sides: the canary's and the
// baseline's mean with their units, the relative change coloured by the
// metric's direction (red = the canary is worse, green = better), the
// Mann-Whitney p-value, the rank-biserial effect size, the runs on each side
// and the metric's verdict on its verdict colour.
//
// A result for the same metrics (the analysis of a window that grew, or a
// verdict replacing INSUFFICIENT_DATA) changes the rows in place
// (dataChanged), so the selection and scroll position stay; another set of
// metrics resets the model.

#include "nexus/v1/rollouts.pb.h"

#include <QAbstractTableModel>

namespace nexus::models {

class RolloutAnalysisModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Metric,     // "Quality", "Latency", ... (rolloutfmt::metricName)
        Canary,     // the canary's mean with its unit
        Baseline,   // the baseline's mean with its unit
        Change,     // "+7.0 %"; red when worse in the metric's direction, green when better
        PValue,     // "p = 0.0031", two-sided Mann-Whitney U
        EffectSize, // "r = +0.42", rank-biserial; > 0 = canary higher
        Samples,    // "143 / 1 402" runs, canary / baseline
        Verdict,    // "Pass", "Fail", ... on the verdict colour
        ColumnCount
    };

    enum Role
    {
        MetricIdRole = Qt::UserRole + 1, // QString: "quality", "latency_ms", "error", "cost_micros"
        VerdictRole,                     // int: nexus::v1::Verdict of the metric
    };

    explicit RolloutAnalysisModel(QObject* parent = nullptr);

    // Same metrics (ids, in order) as shown: dataChanged only; else a reset.
    void setResult(const nexus::v1::AnalysisResult& result);
    void clear();
    const nexus::v1::AnalysisResult& result() const { return result_; }

    // The canary against the baseline in the metric's direction: -1 worse,
    // +1 better, 0 equal (or not comparable).
    static int direction(const nexus::v1::MetricAnalysis& metric);
    // The foregrounds of the Change column.
    static QColor worseColor();
    static QColor betterColor();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString text(const nexus::v1::MetricAnalysis& m, int column) const;
    QString toolTip(const nexus::v1::MetricAnalysis& m, int column) const;

    nexus::v1::AnalysisResult result_;
};

} // namespace nexus::models
