#include "widgets/AnalysisView.h"

#include "models/RolloutAnalysisModel.h"
#include "models/RolloutFormat.h"
#include "widgets/ThemeStyle.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QRegularExpression>
#include <QTableView>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace nexus::widgets {

namespace pb = ::nexus::v1;
namespace fmt = ::nexus::models::rolloutfmt;
using nexus::models::RolloutAnalysisModel;

namespace {

constexpr std::int64_t kMicros = 1'000'000;

QString clock(std::int64_t us, bool seconds)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(seconds ? QStringLiteral("HH:mm:ss")
                                                                      : QStringLiteral("HH:mm"));
}

QString score(double value)
{
    return value == std::floor(value) ? QString::number(value, 'f', 0)
                                      : QString::number(value, 'f', 1);
}

QString stepOf(const pb::Rollout& r, int stepIndex)
{
    return QStringLiteral("%1/%2").arg(stepIndex + 1).arg(r.steps_size());
}

std::int32_t minSamplesOf(const pb::Rollout& r, int stepIndex)
{
    if (stepIndex >= 0 && stepIndex < r.steps_size() && r.steps(stepIndex).has_analysis() &&
        r.steps(stepIndex).analysis().min_samples() > 0)
        return r.steps(stepIndex).analysis().min_samples();
    return r.guardrails().min_samples();
}

// Runs on each side of an analysis: its metrics carry them; a result that
// waits for runs has no metrics, and its history event says
// "(canary 12, baseline 30 runs)".
std::optional<std::pair<std::int64_t, std::int64_t>> runCounts(const pb::Rollout& r,
                                                               const pb::AnalysisResult& a)
{
    if (a.metrics_size() > 0) {
        std::int64_t canary = 0, baseline = 0;
        for (const pb::MetricAnalysis& m : a.metrics()) {
            canary = std::max(canary, m.canary_samples());
            baseline = std::max(baseline, m.baseline_samples());
        }
        return std::pair{canary, baseline};
    }
    static const QRegularExpression counts(QStringLiteral("canary (\\d+), baseline (\\d+) runs"));
    for (int i = r.history_size() - 1; i >= 0; --i) {
        const pb::RolloutEvent& e = r.history(i);
        if (e.kind() != "analysis" || e.at_us() != a.at_us())
            continue;
        const auto match = counts.match(QString::fromStdString(e.detail()));
        if (match.hasMatch())
            return std::pair{match.captured(1).toLongLong(), match.captured(2).toLongLong()};
    }
    return std::nullopt;
}

const pb::RolloutEvent* lastEvent(const pb::Rollout& r, const char* kind)
{
    for (int i = r.history_size() - 1; i >= 0; --i)
        if (r.history(i).kind() == kind)
            return &r.history(i);
    return nullptr;
}

} // namespace

AnalysisView::AnalysisView(QWidget* parent) : QWidget(parent)
{
    model_ = new RolloutAnalysisModel(this);

    outcome_ = new QLabel(this);
    outcome_->setObjectName(QStringLiteral("outcomeBox"));
    outcome_->setTextFormat(Qt::RichText);
    outcome_->setWordWrap(true);
    outcome_->setMinimumWidth(1); // a reason without spaces must not widen the window
    outcome_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    outcome_->hide();

    pickerCaption_ = new QLabel(tr("Analysis window"), this);
    picker_ = new QComboBox(this);
    picker_->setObjectName(QStringLiteral("windowPicker"));
    picker_->setAccessibleName(tr("Analysis window"));
    picker_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    picker_->setToolTip(tr("The windows the controller analysed, newest last"));
    auto* pickerRow = new QHBoxLayout;
    pickerRow->addWidget(pickerCaption_);
    pickerRow->addWidget(picker_);
    pickerRow->addStretch();

    banner_ = new QLabel(this);
    banner_->setObjectName(QStringLiteral("verdictBanner"));
    banner_->setTextFormat(Qt::PlainText);
    banner_->setWordWrap(true);
    QFont bold = banner_->font();
    bold.setBold(true);
    banner_->setFont(bold);

    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("metricsTable"));
    table_->setAccessibleName(tr("Metrics"));
    table_->setModel(model_);
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setWordWrap(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(false);
    table_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Maximum);
    banner_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);

    legend_ = new QLabel(
        tr("Each metric: Mann-Whitney U test (two-sided), canary runs against baseline runs. "
           "Score = 100 × (passing + ½ marginal) / judged metrics; Pass ≥ 95, Marginal ≥ 75. "
           "A Fail on quality or errors fails the analysis, and a failed analysis rolls the "
           "rollout back."),
        this);
    legend_->setObjectName(QStringLiteral("analysisLegend"));
    legend_->setWordWrap(true);
    setThemedStyleSheet(legend_, QStringLiteral("QLabel { color: #5f6368; }"));

    empty_ = new QLabel(this);
    empty_->setObjectName(QStringLiteral("emptyState"));
    empty_->setTextFormat(Qt::PlainText);
    empty_->setWordWrap(true);
    empty_->setAlignment(Qt::AlignCenter);
    setThemedStyleSheet(empty_, QStringLiteral("QLabel { color: #5f6368; padding: 24px; }"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(outcome_);
    layout->addLayout(pickerRow);
    layout->addWidget(banner_);
    layout->addWidget(table_);
    layout->addWidget(legend_);
    layout->addWidget(empty_, 1);
    layout->addStretch(); // short content stays at the top

    connect(picker_, &QComboBox::activated, this, [this](int row) {
        const int index = picker_->itemData(row).toInt();
        if (row == picker_->count() - 1)
            pinned_.reset(); // the latest: follow new analyses again
        else
            pinned_ = WindowKey{rollout_.analyses(index).step_index(),
                                rollout_.analyses(index).window_start_us()};
        showWindow(index);
        emit windowPicked(rollout_.analyses(index).step_index());
    });
    clear();
}

void AnalysisView::clear()
{
    setRollout(pb::Rollout());
}

void AnalysisView::setRollout(const pb::Rollout& rollout)
{
    const bool sameRollout = rollout.rollout_id() == rollout_.rollout_id();
    rollout_ = rollout;
    if (!sameRollout)
        pinned_.reset();
    rebuildPicker(pinned_);
    showOutcome();
}

void AnalysisView::showStep(int stepIndex)
{
    for (int row = picker_->count() - 1; row >= 0; --row) {
        const int index = picker_->itemData(row).toInt();
        if (rollout_.analyses(index).step_index() != stepIndex)
            continue;
        if (row == picker_->count() - 1)
            pinned_.reset();
        else
            pinned_ = WindowKey{stepIndex, rollout_.analyses(index).window_start_us()};
        picker_->setCurrentIndex(row);
        showWindow(index);
        return;
    }
}

void AnalysisView::rebuildPicker(std::optional<WindowKey> keep)
{
    const QSignalBlocker block(picker_);
    picker_->clear();
    int select = -1;
    for (int i = 0; i < rollout_.analyses_size(); ++i) {
        const pb::AnalysisResult& a = rollout_.analyses(i);
        picker_->addItem(windowLabel(rollout_, a), i);
        if (keep && keep->first == a.step_index() && keep->second == a.window_start_us())
            select = picker_->count() - 1;
    }
    if (select < 0)
        pinned_.reset(); // the picked window is gone: follow the latest again
    if (select < 0)
        select = picker_->count() - 1;
    const bool any = picker_->count() > 0;
    picker_->setVisible(any);
    pickerCaption_->setVisible(any);
    banner_->setVisible(any);
    table_->setVisible(any);
    legend_->setVisible(any);
    empty_->setVisible(!any && !rollout_.rollout_id().empty());
    empty_->setText(any ? QString() : noAnalysisText(rollout_));
    if (!any) {
        model_->clear();
        banner_->clear();
        return;
    }
    picker_->setCurrentIndex(select);
    showWindow(picker_->itemData(select).toInt());
}

void AnalysisView::showWindow(int index)
{
    const pb::AnalysisResult& a = rollout_.analyses(index);
    model_->setResult(a);
    // A window still waiting for runs has no metrics: the banner says it all.
    table_->setVisible(a.metrics_size() > 0);
    legend_->setVisible(a.metrics_size() > 0);
    banner_->setText(bannerFor(rollout_, a));
    const QColor background = fmt::verdictColor(a.verdict());
    setThemedStyleSheet(banner_, QStringLiteral("QLabel { background: %1; color: #1f2937; "
                                                "border-radius: 4px; padding: 6px 10px; }")
                                     .arg(background.name()));
    // The table has four rows: no empty space under them.
    table_->setMaximumHeight(table_->horizontalHeader()->sizeHint().height() +
                             std::max(1, model_->rowCount()) *
                                 table_->verticalHeader()->defaultSectionSize() +
                             2 * table_->frameWidth() + 2);
}

void AnalysisView::showOutcome()
{
    const pb::RolloutPhase phase = rollout_.phase();
    if (phase != pb::ROLLOUT_PHASE_ROLLED_BACK && phase != pb::ROLLOUT_PHASE_ABORTED) {
        outcome_->hide();
        outcome_->clear();
        return;
    }
    const bool rolledBack = phase == pb::ROLLOUT_PHASE_ROLLED_BACK;
    const pb::RolloutEvent* event = lastEvent(rollout_, rolledBack ? "rolled_back" : "aborted");
    QString headline = rolledBack ? tr("Rolled back automatically") : tr("Aborted");
    if (event && !rolledBack && !event->actor().empty())
        headline = tr("Aborted by %1").arg(QString::fromStdString(event->actor()));
    if (event)
        headline += tr(" at %1").arg(clock(event->at_us(), true));
    QString reason = QString::fromStdString(rollout_.reason());
    if (reason.isEmpty())
        reason = rolledBack ? tr("No reason recorded.") : tr("No reason given.");
    const QString tail = rolledBack ? tr("The baseline was kept; the version cannot be launched "
                                         "again (make a new version).")
                                    : tr("The baseline was kept; the version is a candidate "
                                         "again and can be launched later.");
    outcome_->setText(
        QStringLiteral("<b>%1</b><br>%2<br><span style='color:#4b5563'>%3</span>")
            .arg(headline.toHtmlEscaped(), reason.toHtmlEscaped(), tail.toHtmlEscaped()));
    setThemedStyleSheet(
        outcome_, rolledBack
                      ? QStringLiteral("QLabel { background: #fde2e1; color: #7f1d1d; border: 1px "
                                       "solid #dc2626; border-radius: 4px; padding: 8px 10px; }")
                      : QStringLiteral("QLabel { background: #eceef1; color: #1f2937; border: 1px "
                                       "solid #9ca3af; border-radius: 4px; padding: 8px 10px; }"));
    outcome_->show();
}

QString AnalysisView::bannerText() const
{
    return banner_->text();
}

int AnalysisView::windowCount() const
{
    return picker_->count();
}

QString AnalysisView::outcomeText() const
{
    if (outcome_->isHidden())
        return {};
    QTextDocument doc;
    doc.setHtml(outcome_->text());
    return doc.toPlainText();
}

QString AnalysisView::emptyText() const
{
    return empty_->text();
}

int AnalysisView::currentWindow() const
{
    return picker_->currentIndex() < 0 ? -1 : picker_->currentData().toInt();
}

QString AnalysisView::windowLabel(const pb::Rollout& r, const pb::AnalysisResult& a)
{
    const QString window = a.window_end_us() > 0
                               ? QStringLiteral("%1–%2").arg(clock(a.window_start_us(), false),
                                                             clock(a.window_end_us(), false))
                               : clock(a.window_start_us(), false) + QStringLiteral("–…");
    QString verdict = fmt::verdictName(a.verdict());
    if (a.verdict() != pb::VERDICT_INSUFFICIENT_DATA && a.verdict() != pb::VERDICT_UNSPECIFIED)
        verdict += QLatin1Char(' ') + score(a.score());
    return QStringLiteral("Step %1 · %2 · %3").arg(stepOf(r, a.step_index()), window, verdict);
}

QString AnalysisView::bannerFor(const pb::Rollout& r, const pb::AnalysisResult& a)
{
    const auto counts = runCounts(r, a);
    if (a.verdict() == pb::VERDICT_INSUFFICIENT_DATA || a.verdict() == pb::VERDICT_UNSPECIFIED) {
        const std::int64_t min = minSamplesOf(r, a.step_index());
        const bool waiting = fmt::isActive(r.phase()) && r.current_step() == a.step_index();
        const QString lead = waiting
                                 ? tr("Waiting for runs: ")
                                 : tr("Too few runs at step %1: ").arg(stepOf(r, a.step_index()));
        const QString tailText = waiting ? tr(" so far") : QString();
        if (!counts)
            return lead + tr("at least %1 per side needed").arg(min);
        QStringList parts;
        if (counts->first < min)
            parts << tr("%1 of %2 canary").arg(fmt::runCount(counts->first), fmt::runCount(min));
        if (counts->second < min)
            parts << tr("%1 of %2 baseline").arg(fmt::runCount(counts->second), fmt::runCount(min));
        if (parts.isEmpty()) // enough runs, but no metric could be judged
            parts << tr("%1 canary and %2 baseline")
                         .arg(fmt::runCount(counts->first), fmt::runCount(counts->second));
        return lead + parts.join(tr(" and ")) + tr(" runs") + tailText;
    }
    QString text =
        tr("Analysis at step %1: %2, score %3")
            .arg(stepOf(r, a.step_index()), fmt::verdictName(a.verdict()), score(a.score()));
    if (a.window_end_us() > a.window_start_us())
        text +=
            tr(" over %1").arg(fmt::duration((a.window_end_us() - a.window_start_us()) / kMicros));
    if (counts)
        text += tr(" — %1 canary and %2 baseline runs")
                    .arg(fmt::runCount(counts->first), fmt::runCount(counts->second));
    // A final MARGINAL pauses the rollout for a person (docs/rollouts.md).
    if (a.verdict() == pb::VERDICT_MARGINAL && r.phase() == pb::ROLLOUT_PHASE_PAUSED &&
        !r.paused_by_step() && r.current_step() == a.step_index())
        text += tr(". Paused: the last analysis must pass, so promote or abort");
    return text;
}

QString AnalysisView::noAnalysisText(const pb::Rollout& r)
{
    int next = -1; // the first analysis step from the current one on
    bool planHasAnalysis = false;
    for (int i = 0; i < r.steps_size(); ++i) {
        if (!r.steps(i).has_analysis())
            continue;
        planHasAnalysis = true;
        if (next < 0 && i >= r.current_step())
            next = i;
    }
    if (!planHasAnalysis)
        return tr("This plan has no analysis step: it moves on by its weights and pauses alone. "
                  "The guardrails still roll it back automatically.");
    if (!fmt::isActive(r.phase()))
        return tr("No analysis ran: the rollout was %1 before its first analysis finished.")
            .arg(fmt::phaseName(r.phase()).toLower());
    if (next < 0)
        return tr("No analysis ran, and none is left in the plan: its analysis steps were "
                  "promoted past.");
    const pb::AnalysisStep& step = r.steps(next).analysis();
    if (next == r.current_step() && r.step_started_us() > 0) {
        const std::int64_t due = r.step_started_us() + step.window_seconds() * kMicros;
        return tr("The first analysis is due at %1: step %2 judges the runs of the %3 window "
                  "that started at %4, once each side has %5 runs.")
            .arg(clock(due, true), stepOf(r, next), fmt::duration(step.window_seconds()),
                 clock(r.step_started_us(), true), fmt::runCount(minSamplesOf(r, next)));
    }
    return tr("The first analysis comes at step %1 (%2), after the steps before it.")
        .arg(stepOf(r, next), fmt::stepText(r.steps(next)));
}

} // namespace nexus::widgets
