#include "widgets/RolloutStepsView.h"

#include "models/KnowledgeFormat.h"
#include "models/RolloutFormat.h"
#include "widgets/KnowledgeBadges.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTimer>
#include <QToolTip>

#include <algorithm>

namespace nexus::widgets {

namespace pb = ::nexus::v1;
namespace fmt = ::nexus::models::rolloutfmt;

namespace {

constexpr int kMarginX = 10;
constexpr int kTop = 8;
constexpr int kChipHeight = 28;
constexpr int kGap = 22; // the connector between two chips
constexpr int kPadding = 10;
constexpr int kMark = 14; // check, cross, dot or pause bars, with its spacing
constexpr int kScoreGap = 12;
constexpr int kRowGap = 4;
constexpr int kBarHeight = 6;
constexpr int kBottom = 6;

const QColor kAccent(0x1a, 0x56, 0xdb);
const QColor kCanary(0x1a, 0x73, 0xe8);
const QColor kBaseline(0xda, 0xdc, 0xe0);
const QColor kText(0x20, 0x21, 0x24);
const QColor kMuted(0x80, 0x86, 0x8b);
const QColor kPausedText(0x8a, 0x5a, 0x00);
const QColor kFailed(0xc6, 0x28, 0x28);
const QColor kAbortedLine(0x75, 0x75, 0x75);

QFont smallFont(const QFont& base)
{
    QFont small = base;
    small.setPointSizeF(base.pointSizeF() * 0.9);
    return small;
}

QFont boldFont(const QFont& base)
{
    QFont bold = base;
    bold.setBold(true);
    return bold;
}

const pb::AnalysisResult* latestAnalysis(const pb::Rollout& r, int stepIndex)
{
    for (auto it = r.analyses().rbegin(); it != r.analyses().rend(); ++it)
        if (it->step_index() == stepIndex)
            return &*it;
    return nullptr;
}

bool judged(const pb::AnalysisResult* a)
{
    return a && (a->verdict() == pb::VERDICT_PASS || a->verdict() == pb::VERDICT_MARGINAL ||
                 a->verdict() == pb::VERDICT_FAIL);
}

QString metricLine(const pb::MetricAnalysis& m)
{
    const QString metric = QString::fromStdString(m.metric());
    return QStringLiteral("%1: canary %2 vs baseline %3 (%4), %5, %6 runs · %7")
        .arg(fmt::metricName(metric), fmt::metricValue(metric, m.canary_mean()),
             fmt::metricValue(metric, m.baseline_mean()),
             fmt::relativeChange(m.canary_mean(), m.baseline_mean()), fmt::pValue(m.p_value()),
             QStringLiteral("%1/%2").arg(m.canary_samples()).arg(m.baseline_samples()),
             fmt::verdictName(m.verdict()));
}

} // namespace

RolloutStepsView::RolloutStepsView(QWidget* parent) : QWidget(parent), ticker_(new QTimer(this))
{
    setObjectName(QStringLiteral("rolloutSteps"));
    setMouseTracking(true);
    // Preferred, not Fixed: a fixed height would cap the wrapped rows at sizeHint's.
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    ticker_->setInterval(1000);
    connect(ticker_, &QTimer::timeout, this, qOverload<>(&QWidget::update));
}

void RolloutStepsView::setRollout(const pb::Rollout& rollout)
{
    const int heightBefore = currentLayout().height;
    rollout_ = rollout;
    layoutWidth_ = -1;
    updateTimer();
    if (currentLayout().height != heightBefore)
        updateGeometry();
    update();
}

void RolloutStepsView::clear()
{
    rollout_.reset();
    layoutWidth_ = -1;
    pressedStep_ = -1;
    updateTimer();
    updateGeometry();
    update();
}

void RolloutStepsView::setNowUs(std::int64_t nowUs)
{
    nowUs_ = nowUs;
    layoutWidth_ = -1;
    updateTimer();
    update();
}

const RolloutStepsView::Layout& RolloutStepsView::currentLayout() const
{
    if (layoutWidth_ != width()) {
        layout_ = layoutFor(width(), chips());
        layoutWidth_ = width();
    }
    return layout_;
}

void RolloutStepsView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange) {
        layoutWidth_ = -1;
        updateGeometry();
    }
    QWidget::changeEvent(event);
}

std::int64_t RolloutStepsView::currentUs() const
{
    return nowUs_ != 0 ? nowUs_ : QDateTime::currentMSecsSinceEpoch() * 1000;
}

void RolloutStepsView::updateTimer()
{
    // A countdown on the wall clock repaints every second; nothing else moves.
    const bool counting = nowUs_ == 0 && rollout_ && fmt::isActive(rollout_->phase()) &&
                          !captionOf(rollout_->current_step()).isEmpty();
    if (counting && !ticker_->isActive())
        ticker_->start();
    else if (!counting)
        ticker_->stop();
}

RolloutStepsView::StepState RolloutStepsView::stateOf(int stepIndex) const
{
    const pb::Rollout& r = *rollout_;
    const int stop = std::min(r.current_step(), r.steps_size() - 1);
    switch (r.phase()) {
    case pb::ROLLOUT_PHASE_PROMOTED:
        return StepState::Done;
    case pb::ROLLOUT_PHASE_ABORTED:
    case pb::ROLLOUT_PHASE_ROLLED_BACK:
        if (stepIndex == stop)
            return StepState::Stopped;
        return stepIndex < stop ? StepState::Done : StepState::Upcoming;
    default:
        if (stepIndex < r.current_step())
            return StepState::Done;
        return stepIndex == r.current_step() ? StepState::Current : StepState::Upcoming;
    }
}

QString RolloutStepsView::captionOf(int stepIndex) const
{
    if (!rollout_ || stepIndex < 0 || stepIndex >= rollout_->steps_size())
        return {};
    const pb::Rollout& r = *rollout_;
    const StepState state = stateOf(stepIndex);
    if (state == StepState::Stopped)
        return r.phase() == pb::ROLLOUT_PHASE_ABORTED ? tr("aborted") : tr("rolled back");
    if (state != StepState::Current)
        return {};
    const pb::RolloutStep& step = r.steps(stepIndex);
    const std::int64_t elapsedS =
        std::max<std::int64_t>(0, (currentUs() - r.step_started_us()) / 1'000'000);
    if (r.phase() == pb::ROLLOUT_PHASE_PAUSED) {
        if (!r.paused_by_step() || !step.has_pause())
            return tr("paused");
        if (step.pause().duration_seconds() == 0)
            return tr("until promoted");
        return tr("waiting %1")
            .arg(fmt::duration(
                std::max<std::int64_t>(0, step.pause().duration_seconds() - elapsedS)));
    }
    if (step.has_analysis()) {
        const pb::AnalysisResult* a = latestAnalysis(r, stepIndex);
        if (a && a->verdict() == pb::VERDICT_INSUFFICIENT_DATA)
            return tr("too few runs");
        const std::int64_t left = step.analysis().window_seconds() - elapsedS;
        return left > 0 ? tr("%1 left").arg(fmt::duration(left)) : tr("judging");
    }
    return {};
}

std::vector<RolloutStepsView::Chip> RolloutStepsView::chips() const
{
    std::vector<Chip> out;
    if (!rollout_)
        return out;
    const QFontMetrics normal(font());
    const QFontMetrics bold(boldFont(font()));
    for (int i = 0; i < rollout_->steps_size(); ++i) {
        Chip chip;
        chip.text = fmt::stepShortText(rollout_->steps(i));
        chip.state = stateOf(i);
        chip.caption = captionOf(i);
        if (rollout_->steps(i).has_analysis()) {
            chip.analysis = latestAnalysis(*rollout_, i);
            if (judged(chip.analysis))
                chip.score = QString::number(chip.analysis->score(), 'f', 0);
        }
        const bool emphasised = chip.state == StepState::Current;
        chip.width = 2 * kPadding + (chip.state == StepState::Upcoming ? 0 : kMark) +
                     (emphasised ? bold : normal).horizontalAdvance(chip.text);
        if (!chip.score.isEmpty())
            chip.width += kScoreGap + bold.horizontalAdvance(chip.score);
        out.push_back(std::move(chip));
    }
    return out;
}

RolloutStepsView::Layout RolloutStepsView::layoutFor(int width,
                                                     const std::vector<Chip>& chips) const
{
    Layout layout;
    const int captionHeight = QFontMetrics(smallFont(font())).height();
    const int rowPitch = kChipHeight + captionHeight + kRowGap;
    int x = kMarginX;
    int y = kTop;
    layout.rows = chips.empty() ? 0 : 1;
    for (std::size_t i = 0; i < chips.size(); ++i) {
        if (i > 0 && x + chips[i].width > width - kMarginX) {
            ++layout.rows;
            y += rowPitch;
            x = kMarginX + kGap; // room for the line coming from the row above
        }
        layout.chips.emplace_back(x, y, chips[i].width, kChipHeight);
        layout.rowOfChip.push_back(layout.rows - 1);
        x += chips[i].width + kGap;
    }
    const int barSection = QFontMetrics(smallFont(font())).height() + 10;
    layout.barTop = kTop + std::max(1, layout.rows) * rowPitch;
    layout.height = layout.barTop + barSection + kBottom;
    return layout;
}

int RolloutStepsView::heightForWidth(int width) const
{
    return layoutFor(width, chips()).height;
}

QSize RolloutStepsView::sizeHint() const
{
    const std::vector<Chip> all = chips();
    int oneRow = 2 * kMarginX;
    for (const Chip& chip : all)
        oneRow += chip.width + kGap;
    const int width = std::clamp(oneRow, 360, 960);
    return {width, layoutFor(width, all).height};
}

QSize RolloutStepsView::minimumSizeHint() const
{
    return {200, layoutFor(200, {}).height};
}

int RolloutStepsView::stepAt(const QPoint& pos) const
{
    const Layout& layout = currentLayout();
    for (std::size_t i = 0; i < layout.chips.size(); ++i)
        if (layout.chips[i].contains(pos))
            return int(i);
    return -1;
}

QString RolloutStepsView::weightText() const
{
    if (!rollout_)
        return {};
    const int weight = std::clamp(rollout_->weight_percent(), 0, 100);
    return tr("canary %1 % · baseline %2 %").arg(weight).arg(100 - weight);
}

QString RolloutStepsView::stepToolTip(int stepIndex) const
{
    if (!rollout_ || stepIndex < 0 || stepIndex >= rollout_->steps_size())
        return {};
    const pb::Rollout& r = *rollout_;
    QStringList lines;
    lines << tr("Step %1 of %2: %3")
                 .arg(stepIndex + 1)
                 .arg(r.steps_size())
                 .arg(fmt::stepText(r.steps(stepIndex)));
    const QString caption = captionOf(stepIndex);
    switch (stateOf(stepIndex)) {
    case StepState::Done:
        lines << tr("Done");
        break;
    case StepState::Current:
        lines << (caption.isEmpty() ? tr("The current step")
                                    : tr("The current step: %1").arg(caption));
        break;
    case StepState::Upcoming:
        lines << tr("Not reached yet");
        break;
    case StepState::Stopped:
        lines << (r.reason().empty() ? tr("The rollout stopped here (%1)").arg(caption)
                                     : tr("The rollout stopped here (%1): %2")
                                           .arg(caption, QString::fromStdString(r.reason())));
        break;
    }
    if (!r.steps(stepIndex).has_analysis())
        return lines.join(QLatin1Char('\n'));
    const pb::AnalysisResult* a = latestAnalysis(r, stepIndex);
    if (!a) {
        lines << tr("No analysis result yet");
        return lines.join(QLatin1Char('\n'));
    }
    lines
        << (judged(a)
                ? tr("%1, score %2").arg(fmt::verdictName(a->verdict())).arg(a->score(), 0, 'f', 1)
                : fmt::verdictName(a->verdict()));
    if (a->window_end_us() > a->window_start_us())
        lines << tr("Window %1 – %2 (%3)")
                     .arg(models::knowledgefmt::timestamp(a->window_start_us()),
                          models::knowledgefmt::timestamp(a->window_end_us()),
                          fmt::duration((a->window_end_us() - a->window_start_us()) / 1'000'000));
    for (const pb::MetricAnalysis& m : a->metrics())
        lines << metricLine(m);
    return lines.join(QLatin1Char('\n'));
}

bool RolloutStepsView::event(QEvent* event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    const auto* help = static_cast<QHelpEvent*>(event);
    const int step = stepAt(help->pos());
    if (step >= 0)
        QToolTip::showText(help->globalPos(), knowledgeui::plainToolTip(stepToolTip(step)), this);
    else if (rollout_ && help->pos().y() >= currentLayout().barTop)
        QToolTip::showText(help->globalPos(), weightText(), this);
    else
        QToolTip::hideText();
    return true;
}

void RolloutStepsView::mousePressEvent(QMouseEvent* event)
{
    pressedStep_ = event->button() == Qt::LeftButton ? stepAt(event->position().toPoint()) : -1;
    QWidget::mousePressEvent(event);
}

void RolloutStepsView::mouseReleaseEvent(QMouseEvent* event)
{
    const int step = stepAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && step >= 0 && step == pressedStep_)
        emit stepClicked(step);
    pressedStep_ = -1;
    QWidget::mouseReleaseEvent(event);
}

void RolloutStepsView::mouseMoveEvent(QMouseEvent* event)
{
    if (stepAt(event->position().toPoint()) >= 0)
        setCursor(Qt::PointingHandCursor);
    else
        unsetCursor();
    QWidget::mouseMoveEvent(event);
}

void RolloutStepsView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (!rollout_ || rollout_->steps_size() == 0) {
        p.setPen(kMuted);
        p.drawText(rect(), Qt::AlignCenter,
                   rollout_ ? tr("This rollout has no steps") : tr("No rollout selected"));
        return;
    }
    const std::vector<Chip> all = chips();
    const Layout layout = layoutFor(width(), all);

    // Connectors first, under the chips: solid where the plan has passed.
    for (std::size_t i = 0; i + 1 < all.size(); ++i) {
        const QRect& a = layout.chips[i];
        const QRect& b = layout.chips[i + 1];
        const bool passed = all[i + 1].state == StepState::Done ||
                            all[i + 1].state == StepState::Current ||
                            all[i + 1].state == StepState::Stopped;
        p.setPen(passed ? QPen(kAccent, 2) : QPen(kBaseline, 2));
        if (layout.rowOfChip[i] == layout.rowOfChip[i + 1]) {
            p.drawLine(a.right() + 1, a.center().y(), b.left() - 1, b.center().y());
        } else { // wraps: a stub out of this row, a stub into the next
            p.drawLine(a.right() + 1, a.center().y(), a.right() + kGap / 2, a.center().y());
            p.drawLine(kMarginX, b.center().y(), b.left() - 1, b.center().y());
        }
    }
    for (std::size_t i = 0; i < all.size(); ++i)
        paintChip(p, layout.chips[i], all[i]);

    // Captions beneath their chips, kept inside the widget.
    p.setFont(smallFont(font()));
    const QFontMetrics small(p.font());
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].caption.isEmpty())
            continue;
        const QRect& chip = layout.chips[i];
        const int w = small.horizontalAdvance(all[i].caption) + 4;
        const int x = std::clamp(chip.center().x() - w / 2, 0, std::max(0, width() - w));
        const bool stopped = all[i].state == StepState::Stopped;
        p.setPen(stopped ? (rollout_->phase() == pb::ROLLOUT_PHASE_ABORTED ? kAbortedLine : kFailed)
                 : rollout_->phase() == pb::ROLLOUT_PHASE_PAUSED ? kPausedText
                                                                 : kAccent);
        p.drawText(QRect(x, chip.bottom() + 2, w, small.height()), Qt::AlignCenter, all[i].caption);
    }
    paintWeightBar(p, layout.barTop + 6);
}

void RolloutStepsView::paintChip(QPainter& p, const QRect& rect, const Chip& chip) const
{
    const bool aborted = rollout_->phase() == pb::ROLLOUT_PHASE_ABORTED;
    const bool withVerdict = chip.analysis && chip.state != StepState::Upcoming;
    QColor fill = withVerdict ? fmt::verdictColor(chip.analysis->verdict())
                              : fmt::phaseColor(pb::ROLLOUT_PHASE_PROGRESSING);
    QPen border(fill.darker(150), 1);
    QColor text = kText;
    QColor mark = kAccent;
    switch (chip.state) {
    case StepState::Done:
        mark = withVerdict ? fill.darker(250) : kAccent;
        break;
    case StepState::Current:
        if (!withVerdict) {
            fill = palette().color(QPalette::Base);
            text = palette().color(QPalette::Text);
        }
        border = QPen(rollout_->phase() == pb::ROLLOUT_PHASE_PAUSED ? kPausedText : kAccent, 2);
        mark = border.color();
        break;
    case StepState::Upcoming:
        fill = palette().color(QPalette::AlternateBase);
        border = QPen(palette().color(QPalette::Mid), 1, Qt::DashLine);
        text = palette().color(QPalette::PlaceholderText);
        break;
    case StepState::Stopped:
        fill = fmt::phaseColor(aborted ? pb::ROLLOUT_PHASE_ABORTED : pb::ROLLOUT_PHASE_ROLLED_BACK);
        border = QPen(aborted ? kAbortedLine : kFailed, 2);
        text = aborted ? QColor(0x42, 0x42, 0x42) : QColor(0x8e, 0x1b, 0x1b);
        mark = border.color();
        break;
    }
    p.setPen(border);
    p.setBrush(fill);
    p.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);

    int x = rect.left() + kPadding;
    const int cy = rect.center().y();
    if (chip.state != StepState::Upcoming) {
        p.setPen(QPen(mark, 2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.setBrush(Qt::NoBrush);
        if (chip.state == StepState::Done) { // a check mark
            QPainterPath check;
            check.moveTo(x, cy);
            check.lineTo(x + 3.5, cy + 3.5);
            check.lineTo(x + 9, cy - 4);
            p.drawPath(check);
        } else if (chip.state == StepState::Stopped) { // a cross
            p.drawLine(x + 1, cy - 4, x + 8, cy + 3);
            p.drawLine(x + 8, cy - 4, x + 1, cy + 3);
        } else if (rollout_->phase() == pb::ROLLOUT_PHASE_PAUSED) { // pause bars
            p.drawLine(x + 2, cy - 4, x + 2, cy + 4);
            p.drawLine(x + 7, cy - 4, x + 7, cy + 4);
        } else { // running: a dot
            p.setPen(Qt::NoPen);
            p.setBrush(mark);
            p.drawEllipse(QPointF(x + 4.5, cy), 4, 4);
        }
        x += kMark;
    }
    const QFont textFont = chip.state == StepState::Current ? boldFont(font()) : font();
    p.setFont(textFont);
    p.setPen(text);
    const int textWidth = QFontMetrics(textFont).horizontalAdvance(chip.text);
    p.drawText(QRect(x, rect.top(), textWidth + 1, rect.height()), Qt::AlignVCenter, chip.text);
    if (chip.score.isEmpty())
        return;
    x += textWidth + kScoreGap / 2;
    p.setPen(QPen(border.color(), 1));
    p.drawLine(x, rect.top() + 6, x, rect.bottom() - 6);
    x += kScoreGap / 2;
    p.setFont(boldFont(font()));
    p.setPen(text);
    p.drawText(QRect(x, rect.top(), rect.right() - x, rect.height()), Qt::AlignVCenter, chip.score);
}

void RolloutStepsView::paintWeightBar(QPainter& p, int top) const
{
    p.setFont(smallFont(font()));
    const QFontMetrics small(p.font());
    const QString label = weightText();
    const int labelWidth = small.horizontalAdvance(label);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(kMarginX, top, labelWidth + 2, small.height()), Qt::AlignVCenter, label);
    const int left = kMarginX + labelWidth + 12;
    const int right = width() - kMarginX;
    if (right - left < 40)
        return;
    const QRectF bar(left, top + (small.height() - kBarHeight) / 2.0, right - left, kBarHeight);
    p.setPen(Qt::NoPen);
    p.setBrush(kBaseline);
    p.drawRoundedRect(bar, kBarHeight / 2.0, kBarHeight / 2.0);
    const double weight = std::clamp(rollout_->weight_percent(), 0, 100) / 100.0;
    if (weight > 0) {
        p.setBrush(kCanary);
        p.drawRoundedRect(QRectF(bar.left(), bar.top(),
                                 std::max(kBarHeight * 1.0, bar.width() * weight), bar.height()),
                          kBarHeight / 2.0, kBarHeight / 2.0);
    }
}

} // namespace nexus::widgets
