// The rollout widgets on rollouts as nexusd writes them: the analysis view
// (banners for a pass, a window waiting for runs, a rollback with its
// reason; the window the user picked stays picked), the canary charts (both
// sides, a gap where a side had no run, markers, the empty state) and the
// launch wizard (presets, validation like the server, the request, blocked
// versions). Saves screenshots to <build>/screenshots/rollouts-*.png.
#include "models/RolloutAnalysisModel.h"
#include "widgets/AnalysisView.h"
#include "widgets/CanaryCharts.h"
#include "widgets/LaunchRolloutWizard.h"

#include "RolloutFixtures.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QUuid>

using nexus::widgets::AnalysisView;
using nexus::widgets::CanaryCharts;
using nexus::widgets::LaunchRolloutWizard;
namespace pb = ::nexus::v1;
namespace rt = nexus::testing::rollouts;

namespace {

void save(QWidget& w, const char* name)
{
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QApplication::processEvents(); // pending layout requests, as a real frame would
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/rollouts-") +
                         QLatin1String(name) + QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

// "w5 a300/20 p0 ..." — the plan in short, to compare with the documented presets.
QString plan(const std::vector<pb::RolloutStep>& steps)
{
    QStringList out;
    for (const pb::RolloutStep& s : steps) {
        if (s.has_set_weight())
            out << QStringLiteral("w%1").arg(s.set_weight().percent());
        else if (s.has_pause())
            out << QStringLiteral("p%1").arg(s.pause().duration_seconds());
        else if (s.has_analysis())
            out << QStringLiteral("a%1/%2")
                       .arg(s.analysis().window_seconds())
                       .arg(s.analysis().min_samples());
        else
            out << QStringLiteral("?");
    }
    return out.join(QLatin1Char(' '));
}

QSpinBox* stepSpin(LaunchRolloutWizard& wizard, int row, int column)
{
    auto* table = wizard.findChild<QTableWidget*>(QStringLiteral("stepsTable"));
    return table ? qobject_cast<QSpinBox*>(table->cellWidget(row, column)) : nullptr;
}

constexpr const char* kCandidate = "5e6f7a8b-0000-4000-8000-000000000002";
constexpr const char* kOtherGraph = "c0ffee01-0000-4000-8000-000000000004";
constexpr const char* kBusy = "deadbeef-0000-4000-8000-000000000005";

} // namespace

class TestWidgetsRollouts : public QObject
{
    Q_OBJECT
private slots:
    void analysisBannerForAPass()
    {
        AnalysisView view;
        QAbstractItemModelTester tester(view.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.setRollout(rt::progressingRollout());
        QCOMPARE(view.windowCount(), 1);
        QCOMPARE(view.bannerText(), QStringLiteral("Analysis at step 2/7: Pass, score 100 over "
                                                   "5 min — 143 canary and 1 402 baseline runs"));
        QCOMPARE(view.windowPicker()->currentText(),
                 QStringLiteral("Step 2/7 · 20:31–20:36 · Pass 100"));
        QCOMPARE(view.model()->rowCount(), 4);
        QCOMPARE(view.outcomeText(), QString());
        view.resize(820, 360);
        save(view, "analysis-pass");
        QVERIFY(view.metricsTable()->isVisible());
    }

    void analysisWaitingForRuns()
    {
        AnalysisView view;
        view.setRollout(rt::waitingRollout());
        QCOMPARE(view.windowCount(), 2);
        QCOMPARE(view.bannerText(),
                 QStringLiteral("Waiting for runs: 12 of 20 canary runs so far"));
        QCOMPARE(view.windowPicker()->currentText(),
                 QStringLiteral("Step 4/7 · 20:36–20:41 · Insufficient data"));
        view.resize(820, 300);
        save(view, "analysis-waiting");
    }

    void analysisRolledBackShowsTheGuardrail()
    {
        AnalysisView view;
        view.setRollout(rt::rolledBackRollout());
        const QString outcome = view.outcomeText();
        QVERIFY2(outcome.startsWith(QStringLiteral("Rolled back automatically at 20:44:00")),
                 qPrintable(outcome));
        QVERIFY2(outcome.contains(QLatin1String(rt::kQualityReason)), qPrintable(outcome));
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("outcomeBox"))->isVisibleTo(&view));
        // The window waiting when it rolled back no longer waits.
        QCOMPARE(view.bannerText(),
                 QStringLiteral("Too few runs at step 4/7: 12 of 20 canary runs"));
        view.resize(820, 420);
        view.showStep(1);
        QCOMPARE(view.windowPicker()->currentIndex(), 0);
        save(view, "analysis-rolled-back");

        pb::Rollout aborted = rt::waitingRollout();
        aborted.set_phase(pb::ROLLOUT_PHASE_ABORTED);
        aborted.set_reason("latency looks off in eu-west, checking first");
        rt::event(aborted, rt::at(20, 43), "aborted", aborted.reason(), "alice");
        view.setRollout(aborted);
        QVERIFY(view.outcomeText().startsWith(QStringLiteral("Aborted by alice at 20:43:00")));
        QVERIFY(view.outcomeText().contains(QStringLiteral("checking first")));
        save(view, "analysis-aborted");

        view.setRollout(rt::progressingRollout()); // another phase: the box goes away
        QCOMPARE(view.outcomeText(), QString());
    }

    void analysisKeepsAnOlderPickedWindow()
    {
        AnalysisView view;
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setRollout(rt::waitingRollout());
        QCOMPARE(view.windowPicker()->currentIndex(), 1); // the latest by default

        // The user goes back to step 2's window.
        view.windowPicker()->setFocus();
        QTest::keyClick(view.windowPicker(), Qt::Key_Up);
        QCOMPARE(view.windowPicker()->currentIndex(), 0);
        QVERIFY(view.bannerText().startsWith(QStringLiteral("Analysis at step 2/7: Pass")));

        // Step 4's analysis gets its verdict, then step 6's comes: the pick stays.
        pb::Rollout later = rt::waitingRollout();
        *later.mutable_analyses(1) = rt::passingAnalysis(3, rt::at(20, 36), rt::at(20, 43));
        *later.add_analyses() = rt::passingAnalysis(5, rt::at(20, 43), rt::at(20, 48));
        view.setRollout(later);
        QCOMPARE(view.windowCount(), 3);
        QCOMPARE(view.windowPicker()->currentIndex(), 0);
        QVERIFY(view.bannerText().startsWith(QStringLiteral("Analysis at step 2/7: Pass")));

        // Back on the latest, the view follows new analyses again.
        view.windowPicker()->setFocus();
        QTest::keyClick(view.windowPicker(), Qt::Key_End);
        QCOMPARE(view.windowPicker()->currentIndex(), 2);
        pb::Rollout more = later;
        *more.add_analyses() = rt::passingAnalysis(5, rt::at(20, 50), rt::at(20, 55));
        view.setRollout(more);
        QCOMPARE(view.windowPicker()->currentIndex(), 3);

        // Another rollout starts at its own latest window.
        view.windowPicker()->setFocus();
        QTest::keyClick(view.windowPicker(), Qt::Key_Home);
        pb::Rollout other = rt::waitingRollout();
        other.set_rollout_id("another");
        view.setRollout(other);
        QCOMPARE(view.windowPicker()->currentIndex(), 1);
    }

    void analysisFinalMarginalWaitsForAPerson()
    {
        AnalysisView view;
        pb::Rollout r = rt::progressingRollout();
        pb::AnalysisResult marginal = rt::passingAnalysis(5, rt::at(20, 46), rt::at(20, 51));
        marginal.mutable_metrics(1)->set_verdict(pb::VERDICT_MARGINAL);
        marginal.set_score(87.5);
        marginal.set_verdict(pb::VERDICT_MARGINAL);
        *r.add_analyses() = marginal;
        r.set_current_step(5);
        r.set_phase(pb::ROLLOUT_PHASE_PAUSED);
        view.setRollout(r);
        QCOMPARE(view.windowPicker()->currentText(),
                 QStringLiteral("Step 6/7 · 20:46–20:51 · Marginal 87.5"));
        QCOMPARE(view.bannerText(),
                 QStringLiteral("Analysis at step 6/7: Marginal, score 87.5 over 5 min — 143 "
                                "canary and 1 402 baseline runs. Paused: the last analysis must "
                                "pass, so promote or abort"));
        view.resize(820, 320);
        save(view, "analysis-marginal");
    }

    void analysisNotYetDue()
    {
        AnalysisView view;
        pb::Rollout r = rt::progressingRollout();
        r.clear_analyses();
        r.set_current_step(1);
        r.set_weight_percent(5);
        r.set_step_started_us(rt::at(20, 31));
        view.setRollout(r);
        QCOMPARE(view.windowCount(), 0);
        QVERIFY2(
            view.emptyText().startsWith(QStringLiteral("The first analysis is due at 20:36:00")),
            qPrintable(view.emptyText()));
        QVERIFY(!view.metricsTable()->isVisibleTo(&view));
        view.resize(720, 200);
        save(view, "analysis-not-yet");

        pb::Rollout gated = r; // Manual gates: no analysis at all
        gated.clear_steps();
        for (const pb::RolloutStep& s : {rt::weight(5), rt::pauseStep(0), rt::weight(100)})
            *gated.add_steps() = s;
        view.setRollout(gated);
        QVERIFY2(view.emptyText().contains(QStringLiteral("no analysis step")),
                 qPrintable(view.emptyText()));
    }

    void chartsDrawBothSidesWithAGap()
    {
        CanaryCharts charts;
        charts.resize(1000, 640);
        charts.setSeries(rt::series());
        charts.setMarkers(rt::rolledBackRollout());
        QVERIFY(!charts.isEmptyStateVisible());
        for (const char* metric : {"quality", "latency_p95_ms", "error_rate", "cost_micros"}) {
            const QString id = QLatin1String(metric);
            QCOMPARE(charts.pointCount(id, true), 19); // bucket 7 had no canary run
            QCOMPARE(charts.pointCount(id, false), 20);
            QCOMPARE(charts.segmentCount(id, true), 2); // a gap, not a line through it
            QCOMPARE(charts.segmentCount(id, false), 1);
        }
        QCOMPARE(charts.markerLabels(), QStringList({QStringLiteral("5 %"), QStringLiteral("25 %"),
                                                     QStringLiteral("rolled back")}));
        save(charts, "charts");

        // A refresh replaces the points in the same charts.
        QChart* quality = charts.chart(QStringLiteral("quality"));
        const auto seriesBefore = quality->series().size();
        charts.setSeries(rt::series(12));
        QCOMPARE(charts.chart(QStringLiteral("quality")), quality);
        QCOMPARE(quality->series().size(), seriesBefore);
        QCOMPARE(charts.pointCount(QStringLiteral("quality"), true), 19);
        QCOMPARE(charts.segmentCount(QStringLiteral("quality"), true), 2);

        // The error rate axis starts at zero.
        const auto axes = charts.chart(QStringLiteral("error_rate"))->axes(Qt::Vertical);
        QCOMPARE(axes.size(), 1);
        QCOMPARE(axes.front()->property("min").toDouble(), 0.0);
    }

    void chartsEmptyState()
    {
        CanaryCharts charts;
        charts.resize(900, 560);
        pb::GetRolloutSeriesResponse none;
        none.set_start_us(rt::at(20, 26));
        none.set_end_us(rt::at(20, 27));
        none.set_step_seconds(10);
        for (const char* metric : {"quality", "latency_p95_ms", "error_rate", "cost_micros"})
            none.add_series()->set_metric(metric);
        charts.setSeries(none);
        QVERIFY(charts.isEmptyStateVisible());
        QVERIFY(charts.emptyText().startsWith(QStringLiteral("No runs yet on either side")));
        save(charts, "charts-empty");
        QVERIFY(charts.findChild<QLabel*>(QStringLiteral("emptyState"))->isVisible());

        charts.setSeries(rt::series());
        QVERIFY(!charts.isEmptyStateVisible());
        charts.clear();
        QVERIFY(charts.isEmptyStateVisible());
        QCOMPARE(charts.pointCount(QStringLiteral("quality"), true), 0);
    }

    void wizardPresetsGiveTheDocumentedSteps()
    {
        LaunchRolloutWizard wizard;
        QCOMPARE(wizard.presetNames(),
                 QStringList({QStringLiteral("Standard"), QStringLiteral("Quick"),
                              QStringLiteral("Manual gates"), QStringLiteral("Custom")}));
        QCOMPARE(wizard.presetName(), QStringLiteral("Standard")); // the server's default
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 a300/20 w25 a300/20 w50 a300/20 w100"));
        wizard.setPreset(QStringLiteral("Quick"));
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w20 a60/20 w50 a60/20 w100"));
        wizard.setPreset(QStringLiteral("Manual gates"));
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 p0 w25 p0 w50 p0 w100"));
        wizard.setPreset(QStringLiteral("Custom")); // keeps the steps to edit
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 p0 w25 p0 w50 p0 w100"));
        QCOMPARE(wizard.validationError(), QString());

        // Choosing in the combo does the same; editing a step makes it Custom.
        auto* combo = wizard.findChild<QComboBox*>(QStringLiteral("presetCombo"));
        QVERIFY(combo);
        combo->setCurrentIndex(combo->findText(QStringLiteral("Standard")));
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 a300/20 w25 a300/20 w50 a300/20 w100"));
        stepSpin(wizard, 2, 2)->setValue(30);
        QCOMPARE(combo->currentText(), QStringLiteral("Custom"));
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 a300/20 w30 a300/20 w50 a300/20 w100"));
    }

    void wizardEditsTheSteps()
    {
        LaunchRolloutWizard wizard;
        wizard.setVersions(rt::versions());
        wizard.selectVersion(QLatin1String(kCandidate));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        wizard.next();
        wizard.setPreset(QStringLiteral("Manual gates")); // w5 p0 w25 p0 w50 p0 w100
        auto* table = wizard.findChild<QTableWidget*>(QStringLiteral("stepsTable"));
        auto click = [&](const char* name) {
            auto* button = wizard.findChild<QAbstractButton*>(QLatin1String(name));
            QVERIFY(button && button->isEnabled());
            button->click();
        };
        table->setCurrentCell(0, 0);
        click("addStep"); // a 5 min analysis after the selected step
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 a300/20 p0 w25 p0 w50 p0 w100"));
        QCOMPARE(wizard.presetName(), QStringLiteral("Custom"));
        QCOMPARE(table->currentRow(), 1);
        click("moveStepDown");
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 p0 a300/20 w25 p0 w50 p0 w100"));
        click("moveStepUp");
        click("moveStepUp"); // an analysis first: at 0 %, refused
        QCOMPARE(plan(wizard.steps()), QStringLiteral("a300/20 w5 p0 w25 p0 w50 p0 w100"));
        QVERIFY(wizard.validationError().startsWith(QStringLiteral("Step 1:")));
        click("removeStep");
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 p0 w25 p0 w50 p0 w100"));
        QCOMPARE(wizard.validationError(), QString());
        QCOMPARE(wizard.presetName(), QStringLiteral("Custom"));

        // The type combo turns a pause into a timed one via Pause seconds.
        auto* type = qobject_cast<QComboBox*>(table->cellWidget(1, 1));
        QVERIFY(type);
        type->setFocus();
        QTest::keyClick(type, Qt::Key_Down); // Pause -> Analysis
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 a300/20 w25 p0 w50 p0 w100"));
        stepSpin(wizard, 3, 2)->setValue(120); // the next pause: 2 min
        QCOMPARE(plan(wizard.steps()), QStringLiteral("w5 a300/20 w25 p120 w50 p0 w100"));
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
        // One value per step and one minimum for the analysis: no stale editors left showing.
        int visibleSpins = 0;
        for (const QSpinBox* box : table->findChildren<QSpinBox*>())
            visibleSpins += box->isVisible() ? 1 : 0;
        QCOMPARE(visibleSpins, 8);
        save(wizard, "wizard-2-plan-edited");
    }

    void wizardRefusesAnAnalysisAtZeroOrFullWeight()
    {
        LaunchRolloutWizard wizard;
        wizard.setVersions(rt::versions());
        wizard.selectVersion(QLatin1String(kCandidate));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        wizard.next();
        QCOMPARE(wizard.currentId(), int(LaunchRolloutWizard::PlanPageId));
        QAbstractButton* next = wizard.button(QWizard::NextButton);
        QVERIFY(next->isEnabled());

        stepSpin(wizard, 0, 2)->setValue(0); // 0 % then an analysis
        QVERIFY(wizard.validationError().startsWith(QStringLiteral("Step 2:")));
        QVERIFY(!next->isEnabled());
        auto* error = wizard.findChild<QLabel*>(QStringLiteral("planError"));
        QVERIFY(error->isVisible());
        QCOMPARE(error->text(), wizard.validationError());
        save(wizard, "wizard-2-plan-invalid");

        stepSpin(wizard, 0, 2)->setValue(100); // 100 % then an analysis: the same
        QVERIFY(wizard.validationError().contains(QStringLiteral("between 1 and 99 %")));
        QVERIFY(!next->isEnabled());

        stepSpin(wizard, 0, 2)->setValue(10);
        QCOMPARE(wizard.validationError(), QString());
        QVERIFY(next->isEnabled());
        QVERIFY(!error->isVisible());

        stepSpin(wizard, 1, 2)->setValue(0); // an analysis window of 0 s
        QVERIFY(wizard.validationError().contains(QStringLiteral("window")));
        QVERIFY(!next->isEnabled());
    }

    void wizardRequestHasStepsAndGuardrailsAsFractions()
    {
        LaunchRolloutWizard wizard;
        wizard.setVersions(rt::versions());
        wizard.selectVersion(QLatin1String(kCandidate));
        wizard.setPreset(QStringLiteral("Quick"));
        wizard.findChild<QDoubleSpinBox*>(QStringLiteral("errorRate"))->setValue(15);
        wizard.findChild<QSpinBox*>(QStringLiteral("minSamples"))->setValue(30);
        const pb::LaunchRolloutRequest request = wizard.request();
        QCOMPARE(QString::fromStdString(request.version_id()), QLatin1String(kCandidate));
        QCOMPARE(plan({request.steps().begin(), request.steps().end()}),
                 QStringLiteral("w20 a60/20 w50 a60/20 w100"));
        QCOMPARE(request.guardrails().max_quality_drop(), 0.10);
        QCOMPARE(request.guardrails().max_p95_latency_increase(), 0.50);
        QCOMPARE(request.guardrails().max_error_rate(), 0.15);
        QCOMPARE(request.guardrails().min_samples(), 30);
        QVERIFY(!request.request_id().empty());
        QCOMPARE(wizard.request().request_id(), request.request_id()); // fixed per wizard
        QVERIFY(!QUuid::fromString(QString::fromStdString(request.request_id())).isNull());
    }

    void wizardBlockedVersionsCannotBeSelected()
    {
        LaunchRolloutWizard wizard;
        wizard.setVersions(rt::versions());
        const QString busy =
            QStringLiteral("graph rag_pipeline already has an active rollout 1a2b3c4d");
        wizard.setBlocked(QLatin1String(kBusy), busy);
        auto* table = wizard.findChild<QTableWidget*>(QStringLiteral("versionTable"));
        QCOMPARE(table->rowCount(), 3); // the candidates; live and retired are not offered

        wizard.selectVersion(QLatin1String(kBusy));
        QCOMPARE(wizard.selectedVersionId(), QString());
        int busyRow = -1;
        for (int row = 0; row < table->rowCount(); ++row)
            if (table->item(row, 1)->text() == QStringLiteral("deadbeef"))
                busyRow = row;
        QVERIFY(busyRow >= 0);
        QVERIFY(!(table->item(busyRow, 0)->flags() & Qt::ItemIsEnabled));
        QCOMPARE(table->item(busyRow, 4)->text(), busy); // visible, with the reason

        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        const QRect cell = table->visualItemRect(table->item(busyRow, 2));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(wizard.selectedVersionId(), QString());
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());

        // A launchable one: its content and its baseline (the live version).
        wizard.selectVersion(QLatin1String(kCandidate));
        QCOMPARE(wizard.selectedVersionId(), QLatin1String(kCandidate));
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
        QVERIFY(wizard.findChild<QPlainTextEdit*>(QStringLiteral("versionContent"))
                    ->toPlainText()
                    .contains(QStringLiteral("Cite the retrieved passages")));
        QVERIFY(wizard.findChild<QLabel*>(QStringLiteral("baselineLabel"))
                    ->text()
                    .startsWith(QStringLiteral("Compared with the live version 9f8e7d6c")));
        save(wizard, "wizard-1-version");

        wizard.selectVersion(QLatin1String(kOtherGraph)); // no live version: as shipped
        QVERIFY(wizard.findChild<QLabel*>(QStringLiteral("baselineLabel"))
                    ->text()
                    .contains(QStringLiteral("the graph as shipped")));

        // Blocking the selected version takes the selection away.
        wizard.setBlocked(QLatin1String(kOtherGraph),
                          QStringLiteral("its knowledge entry is pending review"));
        QCOMPARE(wizard.selectedVersionId(), QString());
        wizard.setBlocked(QLatin1String(kOtherGraph), QString()); // lifted
        wizard.selectVersion(QLatin1String(kOtherGraph));
        QCOMPARE(wizard.selectedVersionId(), QLatin1String(kOtherGraph));
    }

    void wizardPagesAndSummary()
    {
        LaunchRolloutWizard wizard;
        wizard.setVersions(rt::versions());
        wizard.setBlocked(QLatin1String(kBusy),
                          QStringLiteral("graph rag_pipeline already has an active rollout "
                                         "1a2b3c4d"));
        wizard.selectVersion(QLatin1String(kCandidate));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        wizard.next();
        save(wizard, "wizard-2-plan");
        wizard.next();
        QCOMPARE(wizard.currentId(), int(LaunchRolloutWizard::GuardrailsPageId));
        QCOMPARE(wizard.findChild<QDoubleSpinBox*>(QStringLiteral("qualityDrop"))->value(), 10.0);
        QCOMPARE(wizard.findChild<QDoubleSpinBox*>(QStringLiteral("p95Increase"))->value(), 50.0);
        QCOMPARE(wizard.findChild<QDoubleSpinBox*>(QStringLiteral("errorRate"))->value(), 20.0);
        QCOMPARE(wizard.findChild<QSpinBox*>(QStringLiteral("minSamples"))->value(), 20);
        save(wizard, "wizard-3-guardrails");
        wizard.next();
        QCOMPARE(wizard.currentId(), int(LaunchRolloutWizard::SummaryPageId));
        QCOMPARE(wizard.button(QWizard::FinishButton)->text(), QStringLiteral("Launch canary"));
        QVERIFY(wizard.button(QWizard::FinishButton)->isEnabled());
        const QString summary = wizard.findChild<QLabel*>(QStringLiteral("summaryText"))->text();
        QVERIFY(summary.contains(QStringLiteral("rag_pipeline / generate")));
        QVERIFY(summary.contains(QStringLiteral("live version 9f8e7d6c")));
        QVERIFY(summary.contains(QStringLiteral("Set weight 25 %")));
        QVERIFY(summary.contains(QStringLiteral("promotes")));
        QVERIFY(summary.contains(QString::fromStdString(wizard.request().request_id())));
        save(wizard, "wizard-4-summary");
    }
};

QTEST_MAIN(TestWidgetsRollouts)
#include "tst_widgets_rollouts.moc"
