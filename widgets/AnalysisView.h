#pragma once
// The canary analyses of one rollout (Kayenta style): a picker of the
// analysed windows ("Step 2/7 · 20:31–20:36 · Pass 100", newest last), a
// verdict banner in the verdict's colour, the metrics of the picked window
// (RolloutAnalysisModel) and, for a rollout that ended badly, a box on top
// with the reason: red for a rollback (which guardrail or analysis fired,
// with its numbers), grey for an abort.
//
// The picker follows new analyses (the latest is selected) unless the user
// picked an older window: that one stays selected while the rollout still
// has it, through updates of the same rollout. Without any analysis a
// sentence says when the first one is due, or that the plan has none.

#include "nexus/v1/rollouts.pb.h"

#include <QWidget>

#include <cstdint>
#include <optional>
#include <utility>

class QComboBox;
class QLabel;
class QTableView;

namespace nexus::models {
class RolloutAnalysisModel;
}

namespace nexus::widgets {

class AnalysisView : public QWidget
{
    Q_OBJECT
public:
    explicit AnalysisView(QWidget* parent = nullptr);

    // Keeps the window the user picked while it still exists.
    void setRollout(const nexus::v1::Rollout& rollout);
    // Picks that step's (latest) analysis; a no-op when the step has none.
    void showStep(int stepIndex);
    void clear();

    QString bannerText() const; // for tests
    int windowCount() const;    // analyses listed
    // The reason box over everything (rolled back / aborted); "" when hidden.
    QString outcomeText() const;
    // The sentence shown instead of the table when there is no analysis.
    QString emptyText() const;
    // The picked analysis' index in rollout.analyses, -1 for none.
    int currentWindow() const;
    QComboBox* windowPicker() const { return picker_; }
    QTableView* metricsTable() const { return table_; }
    nexus::models::RolloutAnalysisModel* model() const { return model_; }

    // One picker entry: "Step 2/7 · 20:31–20:36 · Pass 100".
    static QString windowLabel(const nexus::v1::Rollout& rollout,
                               const nexus::v1::AnalysisResult& analysis);
    // The banner for one analysis of the rollout.
    static QString bannerFor(const nexus::v1::Rollout& rollout,
                             const nexus::v1::AnalysisResult& analysis);
    // What to say when the rollout has no analysis yet.
    static QString noAnalysisText(const nexus::v1::Rollout& rollout);

signals:
    // The user picked another window (not emitted by setRollout/showStep).
    void windowPicked(int stepIndex);

private:
    using WindowKey = std::pair<int, std::int64_t>; // step index, window start
    void rebuildPicker(std::optional<WindowKey> keep);
    void showWindow(int index);
    void showOutcome();

    nexus::v1::Rollout rollout_;
    nexus::models::RolloutAnalysisModel* model_ = nullptr;
    QLabel* outcome_ = nullptr;
    QComboBox* picker_ = nullptr;
    QLabel* pickerCaption_ = nullptr;
    QLabel* banner_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* legend_ = nullptr;
    QLabel* empty_ = nullptr;
    std::optional<WindowKey> pinned_; // an older window the user picked
};

} // namespace nexus::widgets
