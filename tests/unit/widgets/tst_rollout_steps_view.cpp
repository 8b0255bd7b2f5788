// The step plan of a rollout as the Rollouts page shows it: chips in plan
// order that a click selects (wrapping onto more rows when narrow), done /
// current / upcoming / stopped steps told apart by their colours, analysis
// results with their score, the countdown of a timed pause, the canary
// weight, and tooltips that explain a step. Saves screenshots of a 5-step
// and a 9-step plan in every phase to <build>/screenshots/rollout-steps-*.png.
#include "models/RolloutFormat.h"
#include "widgets/RolloutStepsView.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QHelpEvent>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QToolTip>
#include <QVBoxLayout>

#include <map>

using nexus::widgets::RolloutStepsView;
namespace pb = ::nexus::v1;
namespace fmt = ::nexus::models::rolloutfmt;

namespace {

constexpr qint64 kSec = 1'000'000;
constexpr qint64 kT0 = 1'764'010'860'000'000; // 2025-11-24 around 20:01 UTC, µs

pb::RolloutStep weight(int percent)
{
    pb::RolloutStep s;
    s.mutable_set_weight()->set_percent(percent);
    return s;
}

pb::RolloutStep analysis(qint64 windowSeconds)
{
    pb::RolloutStep s;
    s.mutable_analysis()->set_window_seconds(windowSeconds);
    s.mutable_analysis()->set_min_samples(20);
    return s;
}

pb::RolloutStep pause(qint64 seconds)
{
    pb::RolloutStep s;
    s.mutable_pause()->set_duration_seconds(seconds);
    return s;
}

pb::MetricAnalysis metric(const std::string& name, double canary, double baseline, double p,
                          pb::Verdict verdict)
{
    pb::MetricAnalysis m;
    m.set_metric(name);
    m.set_canary_mean(canary);
    m.set_baseline_mean(baseline);
    m.set_canary_samples(31);
    m.set_baseline_samples(118);
    m.set_p_value(p);
    m.set_verdict(verdict);
    return m;
}

pb::AnalysisResult result(int stepIndex, pb::Verdict verdict, double score)
{
    pb::AnalysisResult a;
    a.set_step_index(stepIndex);
    a.set_window_start_us(kT0);
    a.set_window_end_us(kT0 + 300 * kSec);
    a.set_score(score);
    a.set_verdict(verdict);
    *a.add_metrics() = metric("quality", 0.86, 0.84, 0.031, pb::VERDICT_PASS);
    if (verdict == pb::VERDICT_FAIL)
        *a.add_metrics() = metric("latency_ms", 140, 100, 0.00001, pb::VERDICT_FAIL);
    return a;
}

// 20 % → analysis 5 min → pause 2 min → 50 % → 100 %.
pb::Rollout fiveSteps(pb::RolloutPhase phase, int currentStep, int weightPercent)
{
    pb::Rollout r;
    r.set_rollout_id("r-5steps");
    for (const auto& s : {weight(20), analysis(300), pause(120), weight(50), weight(100)})
        *r.add_steps() = s;
    r.set_phase(phase);
    r.set_current_step(currentStep);
    r.set_weight_percent(weightPercent);
    r.set_step_started_us(kT0);
    return r;
}

// 5 → analysis → 25 → pause 2 min → analysis → 50 → analysis 10 min → pause → 100.
pb::Rollout nineSteps(pb::RolloutPhase phase, int currentStep, int weightPercent)
{
    pb::Rollout r;
    r.set_rollout_id("r-9steps");
    for (const auto& s : {weight(5), analysis(300), weight(25), pause(120), analysis(300),
                          weight(50), analysis(600), pause(0), weight(100)})
        *r.add_steps() = s;
    r.set_phase(phase);
    r.set_current_step(currentStep);
    r.set_weight_percent(weightPercent);
    r.set_step_started_us(kT0);
    return r;
}

QString localTime(qint64 us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString("yyyy-MM-dd HH:mm:ss");
}

// The chips as the user finds them: every pixel that stepAt() names, per step.
std::map<int, QRect> chipBoxes(const RolloutStepsView& view)
{
    std::map<int, QRect> boxes;
    for (int y = 0; y < view.height(); ++y)
        for (int x = 0; x < view.width(); ++x)
            if (const int step = view.stepAt({x, y}); step >= 0)
                boxes[step] |= QRect(x, y, 1, 1);
    return boxes;
}

QColor colourInside(RolloutStepsView& view, const QRect& chip)
{
    // Just inside the left border, clear of the mark and the text.
    return view.grab().toImage().pixelColor(chip.left() + 4, chip.center().y());
}

void save(QWidget& w, const QString& name)
{
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QApplication::processEvents();
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path =
        QStringLiteral(NEXUS_BINARY_DIR "/screenshots/rollout-steps-") + name + ".png";
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

} // namespace

class TestRolloutStepsView : public QObject
{
    Q_OBJECT

private slots:
    void chipsLieInPlanOrderAndAClickSelectsOne()
    {
        RolloutStepsView view;
        view.setRollout(fiveSteps(pb::ROLLOUT_PHASE_PROGRESSING, 1, 20));
        view.resize(900, view.heightForWidth(900));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto boxes = chipBoxes(view);
        QCOMPARE(int(boxes.size()), 5);
        for (int i = 0; i + 1 < 5; ++i) { // one row, left to right, a gap between
            QCOMPARE(boxes.at(i).top(), boxes.at(i + 1).top());
            QVERIFY(boxes.at(i).right() + 10 < boxes.at(i + 1).left());
        }
        QVERIFY(boxes.at(0).height() >= 20);
        // The margin, the connector and the weight bar are no chips.
        QCOMPARE(view.stepAt({1, boxes.at(0).center().y()}), -1);
        QCOMPARE(view.stepAt({boxes.at(0).right() + 5, boxes.at(0).center().y()}), -1);
        QCOMPARE(view.stepAt({boxes.at(0).center().x(), view.height() - 8}), -1);

        QSignalSpy clicked(&view, &RolloutStepsView::stepClicked);
        QTest::mouseClick(&view, Qt::LeftButton, {}, boxes.at(2).center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked[0][0].toInt(), 2);
        QTest::mouseClick(&view, Qt::LeftButton, {},
                          {boxes.at(3).right() + 5, boxes.at(3).y() + 5});
        QCOMPARE(clicked.count(), 1);
        QTest::mouseClick(&view, Qt::RightButton, {}, boxes.at(4).center());
        QCOMPARE(clicked.count(), 1);
        QTest::mouseClick(&view, Qt::LeftButton, {}, boxes.at(4).center());
        QCOMPARE(clicked.count(), 2);
        QCOMPARE(clicked[1][0].toInt(), 4);

        view.clear();
        QVERIFY(chipBoxes(view).empty());
        QTest::mouseClick(&view, Qt::LeftButton, {}, boxes.at(2).center());
        QCOMPARE(clicked.count(), 2);
    }

    void aLongPlanWrapsWhenNarrow()
    {
        RolloutStepsView view;
        view.setRollout(nineSteps(pb::ROLLOUT_PHASE_PROGRESSING, 4, 25));
        const int wideHeight = view.heightForWidth(1400);
        QVERIFY2(wideHeight >= 70 && wideHeight <= 110, qPrintable(QString::number(wideHeight)));
        QVERIFY(view.heightForWidth(420) > wideHeight);
        view.resize(420, view.heightForWidth(420));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto boxes = chipBoxes(view);
        QCOMPARE(int(boxes.size()), 9);
        QSet<int> rows;
        for (int i = 0; i < 9; ++i) {
            QVERIFY(boxes.at(i).right() < view.width()); // nothing cut off
            rows.insert(boxes.at(i).top());
            if (i > 0) // reading order: to the right on the same row, or a row further down
                QVERIFY(boxes.at(i).top() > boxes.at(i - 1).bottom() ||
                        (boxes.at(i).top() == boxes.at(i - 1).top() &&
                         boxes.at(i).left() > boxes.at(i - 1).right()));
        }
        QVERIFY(rows.size() >= 3);
        QSignalSpy clicked(&view, &RolloutStepsView::stepClicked);
        QTest::mouseClick(&view, Qt::LeftButton, {}, boxes.at(8).center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked[0][0].toInt(), 8);
    }

    void stepsShowWhereTheRolloutIs()
    {
        RolloutStepsView view;
        auto progressing = nineSteps(pb::ROLLOUT_PHASE_PROGRESSING, 4, 25);
        *progressing.add_analyses() = result(1, pb::VERDICT_PASS, 100);
        view.setRollout(progressing);
        view.resize(1400, view.heightForWidth(1400));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto boxes = chipBoxes(view);
        QCOMPARE(colourInside(view, boxes.at(1)), fmt::verdictColor(pb::VERDICT_PASS));
        QCOMPARE(colourInside(view, boxes.at(0)), fmt::phaseColor(pb::ROLLOUT_PHASE_PROGRESSING));
        QCOMPARE(colourInside(view, boxes.at(4)), QColor(Qt::white)); // current: outlined
        const QColor upcoming = colourInside(view, boxes.at(6));
        QVERIFY(upcoming != QColor(Qt::white) &&
                upcoming != fmt::phaseColor(pb::ROLLOUT_PHASE_PROGRESSING));
        QVERIFY(upcoming.lightness() > 240); // pale
        QCOMPARE(view.weightText(), "canary 25 % · baseline 75 %");
        QCOMPARE(
            view.stepToolTip(1).split('\n'),
            QStringList(
                {"Step 2 of 9: Analysis 5 min (≥ 20 runs per side)", "Done", "Pass, score 100.0",
                 "Window " + localTime(kT0) + " – " + localTime(kT0 + 300 * kSec) + " (5 min)",
                 "Quality: canary 0.86 vs baseline 0.84 (+2.4 %), p = 0.0310, "
                 "31/118 runs · Pass"}));
        view.setNowUs(kT0 + 60 * kSec);
        QCOMPARE(view.stepToolTip(4).split('\n').mid(0, 3),
                 QStringList({"Step 5 of 9: Analysis 5 min (≥ 20 runs per side)",
                              "The current step: 4 min left", "No analysis result yet"}));
        QCOMPARE(view.stepToolTip(6).split('\n')[1], "Not reached yet");

        // A rollback at the analysis of step 2: that chip red, crossed, with its score.
        auto rolledBack = fiveSteps(pb::ROLLOUT_PHASE_ROLLED_BACK, 1, 0);
        *rolledBack.add_analyses() = result(1, pb::VERDICT_FAIL, 50);
        rolledBack.set_reason("analysis at step 2/5 failed with score 50.0: latency_ms FAIL");
        view.setRollout(rolledBack);
        boxes = chipBoxes(view);
        QCOMPARE(int(boxes.size()), 5);
        QCOMPARE(colourInside(view, boxes.at(1)), fmt::phaseColor(pb::ROLLOUT_PHASE_ROLLED_BACK));
        QCOMPARE(colourInside(view, boxes.at(0)), fmt::phaseColor(pb::ROLLOUT_PHASE_PROGRESSING));
        QVERIFY(colourInside(view, boxes.at(2)).lightness() > 240);
        QCOMPARE(view.weightText(), "canary 0 % · baseline 100 %");
        const QStringList tip = view.stepToolTip(1).split('\n');
        QCOMPARE(tip[1], "The rollout stopped here (rolled back): analysis at step 2/5 failed with "
                         "score 50.0: latency_ms FAIL");
        QCOMPARE(tip[2], "Fail, score 50.0");
        QCOMPARE(tip.last(),
                 "Latency: canary 140 ms vs baseline 100 ms (+40.0 %), p < 0.0001, 31/118 runs · "
                 "Fail");

        // Aborted: the stopping step grey.
        view.setRollout(fiveSteps(pb::ROLLOUT_PHASE_ABORTED, 3, 0));
        QCOMPARE(colourInside(view, chipBoxes(view).at(3)),
                 fmt::phaseColor(pb::ROLLOUT_PHASE_ABORTED));
        QVERIFY(view.stepToolTip(3).contains("The rollout stopped here (aborted)"));

        // Promoted: every step done.
        view.setRollout(fiveSteps(pb::ROLLOUT_PHASE_PROMOTED, 5, 100));
        boxes = chipBoxes(view);
        for (int i : {0, 2, 4})
            QCOMPARE(colourInside(view, boxes.at(i)),
                     fmt::phaseColor(pb::ROLLOUT_PHASE_PROGRESSING));
        QCOMPARE(view.stepToolTip(4).split('\n')[1], "Done");
    }

    void aPauseCountsDownAndATooltipExplains()
    {
        RolloutStepsView view;
        auto paused = fiveSteps(pb::ROLLOUT_PHASE_PAUSED, 2, 20);
        paused.set_paused_by_step(true);
        view.setRollout(paused);
        view.setNowUs(kT0 + 30 * kSec);
        QCOMPARE(view.stepToolTip(2).split('\n')[1], "The current step: waiting 90 s");
        view.setNowUs(kT0 + 100 * kSec);
        QCOMPARE(view.stepToolTip(2).split('\n')[1], "The current step: waiting 20 s");
        paused.set_paused_by_step(false); // a person paused it
        view.setRollout(paused);
        QCOMPARE(view.stepToolTip(2).split('\n')[1], "The current step: paused");
        auto untilPromoted = nineSteps(pb::ROLLOUT_PHASE_PAUSED, 7, 50);
        untilPromoted.set_paused_by_step(true);
        view.setRollout(untilPromoted);
        QCOMPARE(
            view.stepToolTip(7).split('\n'),
            QStringList({"Step 8 of 9: Pause until promoted", "The current step: until promoted"}));

        // The real tooltip, as hovering shows it.
        view.resize(1400, view.heightForWidth(1400));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QPoint pos = chipBoxes(view).at(7).center();
        QHelpEvent help(QEvent::ToolTip, pos, view.mapToGlobal(pos));
        QApplication::sendEvent(&view, &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY(QToolTip::text().contains("Pause until promoted"));
    }

    void screenshotsOfEveryPhase()
    {
        struct Shot
        {
            const char* title;
            pb::Rollout rollout;
        };
        auto withAnalyses = [](pb::Rollout r, std::initializer_list<pb::AnalysisResult> results) {
            for (const auto& a : results)
                *r.add_analyses() = a;
            return r;
        };
        auto pausedByStep = [](pb::Rollout r) {
            r.set_paused_by_step(true);
            return r;
        };
        auto because = [](pb::Rollout r, const char* reason) {
            r.set_reason(reason);
            return r;
        };
        const std::vector<Shot> five = {
            {"Progressing: analysing at 20 %", fiveSteps(pb::ROLLOUT_PHASE_PROGRESSING, 1, 20)},
            {"Paused by its plan: a 2 min pause",
             pausedByStep(withAnalyses(fiveSteps(pb::ROLLOUT_PHASE_PAUSED, 2, 20),
                                       {result(1, pb::VERDICT_PASS, 100)}))},
            {"Paused by a person", withAnalyses(fiveSteps(pb::ROLLOUT_PHASE_PAUSED, 1, 20),
                                                {result(1, pb::VERDICT_INSUFFICIENT_DATA, 0)})},
            {"Promoted", withAnalyses(fiveSteps(pb::ROLLOUT_PHASE_PROMOTED, 5, 100),
                                      {result(1, pb::VERDICT_MARGINAL, 87.5)})},
            {"Aborted at the pause",
             because(withAnalyses(fiveSteps(pb::ROLLOUT_PHASE_ABORTED, 2, 0),
                                  {result(1, pb::VERDICT_PASS, 100)}),
                     "aborted by bob")},
            {"Rolled back by its analysis",
             because(withAnalyses(fiveSteps(pb::ROLLOUT_PHASE_ROLLED_BACK, 1, 0),
                                  {result(1, pb::VERDICT_FAIL, 50)}),
                     "analysis at step 2/5 failed with score 50.0")},
        };
        const std::vector<Shot> nine = {
            {"Progressing: third analysis at 50 %",
             withAnalyses(
                 nineSteps(pb::ROLLOUT_PHASE_PROGRESSING, 6, 50),
                 {result(1, pb::VERDICT_PASS, 100), result(4, pb::VERDICT_MARGINAL, 87.5)})},
            {"Paused until promoted",
             pausedByStep(
                 withAnalyses(nineSteps(pb::ROLLOUT_PHASE_PAUSED, 7, 50),
                              {result(1, pb::VERDICT_PASS, 100), result(4, pb::VERDICT_PASS, 100),
                               result(6, pb::VERDICT_MARGINAL, 75)}))},
            {"Promoted",
             withAnalyses(nineSteps(pb::ROLLOUT_PHASE_PROMOTED, 9, 100),
                          {result(1, pb::VERDICT_PASS, 100), result(4, pb::VERDICT_PASS, 100),
                           result(6, pb::VERDICT_PASS, 100)})},
            {"Rolled back by a guardrail at 25 %",
             because(withAnalyses(nineSteps(pb::ROLLOUT_PHASE_ROLLED_BACK, 3, 0),
                                  {result(1, pb::VERDICT_PASS, 100)}),
                     "quality guardrail: canary 0.70 vs baseline 0.86")},
        };
        auto sheet = [](const std::vector<Shot>& shots, int width, const QString& name) {
            QWidget page;
            page.setStyleSheet("QWidget#page { background: white; }");
            page.setObjectName("page");
            auto* layout = new QVBoxLayout(&page);
            for (const Shot& shot : shots) {
                auto* title = new QLabel(shot.title, &page);
                title->setStyleSheet("font-weight: bold; color: #5f6368;");
                layout->addWidget(title);
                auto* view = new RolloutStepsView(&page);
                view->setNowUs(kT0 + 45 * kSec);
                view->setRollout(shot.rollout);
                layout->addWidget(view);
            }
            auto* empty = new QLabel("Nothing selected", &page);
            layout->addWidget(empty);
            layout->addWidget(new RolloutStepsView(&page));
            page.resize(width, page.heightForWidth(width) > 0 ? page.heightForWidth(width)
                                                              : page.sizeHint().height());
            page.setFixedWidth(width);
            save(page, name);
            // Every view got the height its plan needs: no chip cut off.
            for (auto* view : page.findChildren<RolloutStepsView*>())
                QVERIFY2(view->height() >= view->heightForWidth(view->width()),
                         qPrintable(QStringLiteral("%1 < %2")
                                        .arg(view->height())
                                        .arg(view->heightForWidth(view->width()))));
        };
        sheet(five, 760, "5-steps");
        sheet(nine, 1100, "9-steps");
        sheet(nine, 480, "9-steps-narrow");
    }
};

QTEST_MAIN(TestRolloutStepsView)
#include "tst_rollout_steps_view.moc"
