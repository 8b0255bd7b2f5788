#pragma once
// The step plan of one rollout, as Argo Rollouts' dashboard draws it: the
// steps left to right as chips joined by a line (wrapping to more rows when
// they do not fit), and under them a thin bar of the traffic split
// ("canary 25 % · baseline 75 %").
//
// Done steps are filled with a check mark, the current one is outlined (with
// "waiting 75 s", "until promoted" or "paused" beneath while PAUSED), the
// upcoming ones pale. An analysis step with a result takes the verdict's
// colour and shows the score. A rolled-back or aborted rollout marks the
// step where it stopped, red or grey, with a cross. Clicking a chip emits
// stepClicked (the console shows that step's analysis).

#include "nexus/v1/rollouts.pb.h"

#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

class QTimer;

namespace nexus::widgets {

class RolloutStepsView : public QWidget
{
    Q_OBJECT
public:
    explicit RolloutStepsView(QWidget* parent = nullptr);

    void setRollout(const nexus::v1::Rollout& rollout);
    void clear();
    bool hasRollout() const { return rollout_.has_value(); }

    // The clock of "waiting 75 s" and "3 min left" (0 = the wall clock,
    // which then ticks every second while a countdown shows).
    void setNowUs(std::int64_t nowUs);

    int stepAt(const QPoint& pos) const; // -1 when none; for tests
    // What the chip's tooltip says (plain text): the step, and for an
    // analysis step its verdict, score, window and metrics.
    QString stepToolTip(int stepIndex) const;
    // "canary 25 % · baseline 75 %"; "" without a rollout.
    QString weightText() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    void stepClicked(int stepIndex);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    enum class StepState
    {
        Done,
        Current,
        Upcoming,
        Stopped, // where a rolled-back or aborted rollout stopped
    };
    struct Chip
    {
        QString text;    // rolloutfmt::stepShortText
        QString score;   // an analysis result's score, "" without one
        QString caption; // beneath the chip: "waiting 75 s", "paused", ...
        StepState state = StepState::Upcoming;
        const nexus::v1::AnalysisResult* analysis = nullptr; // the step's latest result
        int width = 0;
    };
    struct Layout
    {
        std::vector<QRect> chips;
        std::vector<int> rowOfChip;
        int rows = 0;
        int barTop = 0; // the weight bar's section, under the chips
        int height = 0;
    };

    std::vector<Chip> chips() const;
    Layout layoutFor(int width, const std::vector<Chip>& chips) const;
    const Layout& currentLayout() const; // at width(), cached for stepAt
    StepState stateOf(int stepIndex) const;
    QString captionOf(int stepIndex) const;
    std::int64_t currentUs() const;
    void updateTimer();
    void paintChip(QPainter& p, const QRect& rect, const Chip& chip) const;
    void paintWeightBar(QPainter& p, int top) const;

    std::optional<nexus::v1::Rollout> rollout_;
    std::int64_t nowUs_ = 0;
    int pressedStep_ = -1;
    mutable Layout layout_;
    mutable int layoutWidth_ = -1; // the width layout_ is for; -1 = stale
    QTimer* ticker_ = nullptr;
};

} // namespace nexus::widgets
