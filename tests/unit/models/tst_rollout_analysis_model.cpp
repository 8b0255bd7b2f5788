// The metrics table of one canary analysis: what each column says, the
// change coloured by the metric's direction (a higher latency is worse, a
// higher quality better), the verdict on its colour, and live updates that
// keep the rows (dataChanged) while the same metrics are analysed again.
#include "models/RolloutAnalysisModel.h"
#include "models/RolloutFormat.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTest>

using nexus::models::RolloutAnalysisModel;
namespace pb = ::nexus::v1;

namespace {

pb::MetricAnalysis metric(const char* id, bool higherIsBetter, double canary, double baseline,
                          double p, double r, pb::Verdict verdict)
{
    pb::MetricAnalysis m;
    m.set_metric(id);
    m.set_higher_is_better(higherIsBetter);
    m.set_canary_samples(143);
    m.set_baseline_samples(1402);
    m.set_canary_mean(canary);
    m.set_baseline_mean(baseline);
    m.set_u_statistic(81234.5);
    m.set_p_value(p);
    m.set_effect_size(r);
    m.set_verdict(verdict);
    return m;
}

// As nexusd writes one: quality down, latency down, errors up, cost equal.
pb::AnalysisResult analysis()
{
    pb::AnalysisResult a;
    a.set_step_index(1);
    *a.add_metrics() = metric("quality", true, 0.80, 0.86, 0.0031, -0.42, pb::VERDICT_FAIL);
    *a.add_metrics() = metric("latency_ms", false, 380, 420, 0.012, -0.21, pb::VERDICT_PASS);
    *a.add_metrics() = metric("error", false, 0.05, 0.02, 0.15, 0.03, pb::VERDICT_MARGINAL);
    *a.add_metrics() = metric("cost_micros", false, 4200, 4200, 0.9, 0.0, pb::VERDICT_PASS);
    a.set_score(50);
    a.set_verdict(pb::VERDICT_FAIL);
    return a;
}

QString cell(const RolloutAnalysisModel& m, int row, int column, int role = Qt::DisplayRole)
{
    return m.data(m.index(row, column), role).toString();
}

QVariant foreground(const RolloutAnalysisModel& m, int row)
{
    return m.data(m.index(row, RolloutAnalysisModel::Change), Qt::ForegroundRole);
}

} // namespace

class TestRolloutAnalysisModel : public QObject
{
    Q_OBJECT
private slots:
    void columnsReadAsAPersonComparesTwoSides()
    {
        RolloutAnalysisModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResult(analysis());
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int(RolloutAnalysisModel::ColumnCount));
        using C = RolloutAnalysisModel::Column;
        QCOMPARE(cell(model, 0, C::Metric), QStringLiteral("Quality"));
        QCOMPARE(cell(model, 0, C::Canary), QStringLiteral("0.80"));
        QCOMPARE(cell(model, 0, C::Baseline), QStringLiteral("0.86"));
        QCOMPARE(cell(model, 0, C::Change), QStringLiteral("-7.0 %"));
        QCOMPARE(cell(model, 0, C::PValue), QStringLiteral("p = 0.0031"));
        QCOMPARE(cell(model, 0, C::EffectSize), QStringLiteral("r = -0.42"));
        QCOMPARE(cell(model, 0, C::Samples), QStringLiteral("143 / 1 402"));
        QCOMPARE(cell(model, 0, C::Verdict), QStringLiteral("Fail"));
        QCOMPARE(cell(model, 1, C::Canary), QStringLiteral("380 ms"));
        QCOMPARE(cell(model, 2, C::Canary), QStringLiteral("5.0 %"));
        QCOMPARE(cell(model, 3, C::Baseline), QStringLiteral("$0.0042"));
        QCOMPARE(cell(model, 1, C::EffectSize), QStringLiteral("r = -0.21"));
        QCOMPARE(cell(model, 2, C::EffectSize), QStringLiteral("r = +0.03"));

        QCOMPARE(cell(model, 0, C::Metric, RolloutAnalysisModel::MetricIdRole),
                 QStringLiteral("quality"));
        QCOMPARE(model.data(model.index(0, C::Metric), RolloutAnalysisModel::VerdictRole).toInt(),
                 int(pb::VERDICT_FAIL));
        // The verdict on its colour, the same as everywhere in the console.
        QCOMPARE(model.data(model.index(0, C::Verdict), Qt::BackgroundRole).value<QColor>(),
                 nexus::models::rolloutfmt::verdictColor(pb::VERDICT_FAIL));
        QCOMPARE(model.data(model.index(1, C::Verdict), Qt::BackgroundRole).value<QColor>(),
                 nexus::models::rolloutfmt::verdictColor(pb::VERDICT_PASS));
        // The headers explain the statistics.
        QVERIFY(model.headerData(C::PValue, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("Mann-Whitney U")));
        QVERIFY(model.headerData(C::PValue, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("two-sided")));
        QVERIFY(model.headerData(C::EffectSize, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("r > 0 = the canary's values tend to be higher")));
    }

    void changeIsColouredByTheMetricsDirection()
    {
        RolloutAnalysisModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResult(analysis());
        // Quality lower: worse. Latency lower: better. Errors higher: worse. Cost equal: neither.
        QCOMPARE(foreground(model, 0).value<QColor>(), RolloutAnalysisModel::worseColor());
        QCOMPARE(foreground(model, 1).value<QColor>(), RolloutAnalysisModel::betterColor());
        QCOMPARE(foreground(model, 2).value<QColor>(), RolloutAnalysisModel::worseColor());
        QVERIFY(!foreground(model, 3).isValid());
        QVERIFY(RolloutAnalysisModel::worseColor().red() >
                RolloutAnalysisModel::worseColor().green());
        QVERIFY(RolloutAnalysisModel::betterColor().green() >
                RolloutAnalysisModel::betterColor().red());

        // The same numbers the other way round flip the colours.
        pb::AnalysisResult flipped = analysis();
        for (pb::MetricAnalysis& m : *flipped.mutable_metrics()) {
            const double c = m.canary_mean();
            m.set_canary_mean(m.baseline_mean());
            m.set_baseline_mean(c);
        }
        model.setResult(flipped);
        QCOMPARE(foreground(model, 0).value<QColor>(), RolloutAnalysisModel::betterColor());
        QCOMPARE(foreground(model, 1).value<QColor>(), RolloutAnalysisModel::worseColor());
        QCOMPARE(foreground(model, 2).value<QColor>(), RolloutAnalysisModel::betterColor());
        QVERIFY(cell(model, 0, RolloutAnalysisModel::Change, Qt::ToolTipRole)
                    .contains(QStringLiteral("better")));
    }

    void sameMetricsUpdateInPlaceOtherMetricsReset()
    {
        RolloutAnalysisModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResult(analysis());
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        pb::AnalysisResult later = analysis(); // the window grew: more runs, other numbers
        later.mutable_metrics(0)->set_canary_samples(160);
        later.mutable_metrics(0)->set_canary_mean(0.84);
        later.mutable_metrics(0)->set_verdict(pb::VERDICT_PASS);
        model.setResult(later);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(0, 0));
        QCOMPARE(changed.at(0).at(1).toModelIndex(), model.index(3, RolloutAnalysisModel::Verdict));
        QCOMPARE(cell(model, 0, RolloutAnalysisModel::Samples), QStringLiteral("160 / 1 402"));
        QCOMPARE(cell(model, 0, RolloutAnalysisModel::Verdict), QStringLiteral("Pass"));

        pb::AnalysisResult fewer = later; // another set of metrics: a reset
        fewer.mutable_metrics()->RemoveLast();
        model.setResult(fewer);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 3);

        model.clear();
        QCOMPARE(reset.count(), 2);
        QCOMPARE(model.rowCount(), 0);
    }

    void waitingMetricShowsNoTest()
    {
        RolloutAnalysisModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        pb::AnalysisResult a;
        pb::MetricAnalysis m =
            metric("quality", true, 0.8, 0.86, 1.0, 0.0, pb::VERDICT_INSUFFICIENT_DATA);
        m.set_canary_samples(0);
        *a.add_metrics() = m;
        model.setResult(a);
        QCOMPARE(cell(model, 0, RolloutAnalysisModel::Canary), QStringLiteral("—"));
        QCOMPARE(cell(model, 0, RolloutAnalysisModel::Change), QStringLiteral("—"));
        QCOMPARE(cell(model, 0, RolloutAnalysisModel::PValue), QStringLiteral("—"));
        QCOMPARE(cell(model, 0, RolloutAnalysisModel::Samples), QStringLiteral("0 / 1 402"));
        QCOMPARE(cell(model, 0, RolloutAnalysisModel::Verdict),
                 QStringLiteral("Insufficient data"));
        QVERIFY(!foreground(model, 0).isValid());
    }
};

QTEST_GUILESS_MAIN(TestRolloutAnalysisModel)
#include "tst_rollout_analysis_model.moc"
