#pragma once
// The Rollouts tab (docs/rollouts-console.md): canaries of optimization
// versions, after Argo Rollouts' dashboard and Kayenta's canary analysis.
//
// The board lists every rollout (active first) and follows the
// WatchRollouts stream; every (re)subscription re-lists. The detail of the
// selected rollout shows its step plan, the canary-vs-baseline evidence
// (GetRolloutSeries, refreshed while it runs), the analysis of each window,
// the timeline of what happened and the versions of its graph/node.
//
// The server does the work: an action (promote, pause, resume, set weight,
// abort, restore a version, launch) is a request with a fresh request id and
// the revision on screen, and the page shows what Nexus answers — never a
// state it made up. An action Nexus did not answer (unreachable, deadline)
// can be sent again with the same request id, which Nexus applies once.

#include "nexus/v1/knowledge.pb.h"
#include "nexus/v1/rollouts.pb.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;
class QTimer;

namespace nexus::client {
class NexusClient;
class RolloutWatcher;
struct CallError;
} // namespace nexus::client
namespace nexus::models {
class RolloutBoardModel;
class RolloutEventsModel;
class VersionHistoryModel;
} // namespace nexus::models
namespace nexus::widgets {
class AnalysisView;
class CanaryCharts;
class LaunchRolloutWizard;
class RolloutStepsView;
} // namespace nexus::widgets

namespace nexus::app {

class ConsoleSession;

class RolloutsPage : public QWidget
{
    Q_OBJECT
public:
    explicit RolloutsPage(ConsoleSession* session, QWidget* parent = nullptr);
    ~RolloutsPage() override;

    enum class Action
    {
        PromoteStep,
        PromoteFull,
        Pause,
        Resume,
        SetWeight,
        Abort,
    };

    void refresh(); // the board, and the selected rollout's detail
    void selectRollout(const QString& rolloutId);
    QString currentRolloutId() const { return currentId_; }
    // Acts on the selected rollout (asks first where it matters: promote
    // fully, abort, a weight of 100 %).
    void act(Action action);
    // Sends the last action Nexus did not answer again, same request id.
    void retryLastAction();
    // Opens the launch wizard; with a knowledge entry id it offers that
    // entry's version (made from the approved entry when there is none).
    void openLaunchWizard(const QString& entryId = {});
    // Restores the Versions tab's selected version ("" = the graph as
    // shipped) after asking for a reason.
    void restoreSelectedVersion(bool asShipped = false);

    // Approver: launch, promote, resume, set weight, restore. Operators may
    // pause and abort (stopping a bad canary is everyone's job on call).
    bool canAct() const { return canAct_; }
    // Why an action is disabled for the selected rollout ("" = it is not).
    QString actionBlockedReason(Action action) const;
    QString statusText() const { return statusText_; }
    QString streamText() const { return streamText_; }
    QString headerText() const;

    models::RolloutBoardModel* board() const { return board_; }
    models::RolloutEventsModel* events() const { return events_; }
    models::VersionHistoryModel* versions() const { return versions_; }
    QTableView* boardTable() const { return boardTable_; }
    QTableView* versionsTable() const { return versionsTable_; }
    QTabWidget* detailTabs() const { return detailTabs_; }
    widgets::RolloutStepsView* stepsView() const { return steps_; }
    widgets::AnalysisView* analysisView() const { return analysis_; }
    widgets::CanaryCharts* charts() const { return charts_; }
    widgets::LaunchRolloutWizard* wizard() const { return wizard_; }
    QPushButton* actionButton(Action action) const;
    QSpinBox* weightSpin() const { return weightSpin_; }

    // Asked before the actions that matter; the default asks with a message
    // box. Tests answer themselves. `askReason` returns nullopt on cancel.
    void setConfirmation(std::function<bool(const QString& question)> confirm);
    void setReasonPrompt(std::function<std::optional<QString>(const QString& question)> askReason);

Q_SIGNALS:
    void notify(const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    // The menu bar's tenant (all when none): its own rollouts, as the server
    // lists them for a tenant_id.
    bool shownTenant(const nexus::v1::Rollout& rollout) const;
    struct PendingAction
    {
        Action action = Action::PromoteStep;
        nexus::v1::RolloutActionRequest request;
        QString label;         // "Promote rollout 1a2b3c4d"
        bool isLaunch = false; // then `launch` is the request
        nexus::v1::LaunchRolloutRequest launch;
    };

    void buildUi();
    QWidget* buildDetail();
    QWidget* buildActionBar(QWidget* parent);
    void setClient(client::NexusClient* client);
    void onListed(quint64 id, const nexus::v1::ListRolloutsResponse& response);
    void onRollout(const nexus::v1::Rollout& rollout);
    void onChanged(quint64 id, const nexus::v1::Rollout& rollout);
    void onSeries(quint64 id, const nexus::v1::GetRolloutSeriesResponse& response);
    void onVersions(quint64 id, const nexus::v1::ListVersionsResponse& response);
    void onFailed(quint64 id, const client::CallError& error);
    void showCurrent();
    void fetchSeries();
    void fetchVersions();
    void send(const PendingAction& pending);
    void updateActions();
    void setStatus(const QString& text);
    void launchWith(const std::vector<nexus::v1::OptimizationVersion>& versions,
                    const QSet<QString>& approvedEntries, const QString& preselect);
    void continueLaunchWizard();
    QString describe(const nexus::v1::Rollout& rollout) const;

    ConsoleSession* session_;
    QPointer<client::NexusClient> client_;
    std::unique_ptr<client::RolloutWatcher> watcher_;
    models::RolloutBoardModel* board_ = nullptr;
    models::RolloutEventsModel* events_ = nullptr;
    models::VersionHistoryModel* versions_ = nullptr;

    QCheckBox* activeOnly_ = nullptr;
    QPushButton* launchButton_ = nullptr;
    QPushButton* refreshButton_ = nullptr;
    QLabel* streamLabel_ = nullptr;
    QTableView* boardTable_ = nullptr;
    QWidget* detail_ = nullptr;
    QLabel* emptyHint_ = nullptr;
    QLabel* header_ = nullptr;
    QLabel* phaseBadge_ = nullptr;
    QLabel* reasonBox_ = nullptr;
    QLabel* blockedLabel_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QPushButton* retryButton_ = nullptr;
    QHash<int, QPushButton*> buttons_;
    QSpinBox* weightSpin_ = nullptr;
    widgets::RolloutStepsView* steps_ = nullptr;
    QTabWidget* detailTabs_ = nullptr;
    widgets::CanaryCharts* charts_ = nullptr;
    widgets::AnalysisView* analysis_ = nullptr;
    QTableView* eventsTable_ = nullptr;
    QTableView* versionsTable_ = nullptr;
    QLabel* versionsLabel_ = nullptr;
    QPushButton* restoreButton_ = nullptr;
    QPushButton* restoreShippedButton_ = nullptr;
    widgets::LaunchRolloutWizard* wizard_ = nullptr;
    QTimer* seriesTimer_ = nullptr;

    QString currentId_;
    quint64 listRequest_ = 0;
    quint64 seriesRequest_ = 0;
    quint64 versionsRequest_ = 0;
    QString versionsKey_; // "graph/node" the Versions tab lists
    QHash<quint64, PendingAction> actions_;
    std::optional<PendingAction> unanswered_; // the last action Nexus did not answer
    QHash<quint64, QString> restores_;        // RestoreVersion calls → what was asked
    // Launching: the wizard needs every version and the approved entries.
    quint64 launchVersionsRequest_ = 0;
    quint64 launchEntriesRequest_ = 0;
    quint64 launchCreateRequest_ = 0;
    quint64 launchRequest_ = 0;
    QString launchEntryId_;
    QString launchPreselect_; // the version just made from the entry
    std::optional<std::vector<nexus::v1::OptimizationVersion>> launchVersions_;
    std::optional<QSet<QString>> launchApproved_;
    QString streamText_;
    QString statusText_;
    bool canAct_ = false;      // approver: every action
    bool canStop_ = false;     // operator: pause and abort (stopping a bad canary)
    QString cannotActReason_;  // why not approver
    QString cannotStopReason_; // why not operator
    bool listedOnce_ = false;
    std::function<bool(const QString&)> confirm_;
    std::function<std::optional<QString>(const QString&)> askReason_;
};

} // namespace nexus::app
