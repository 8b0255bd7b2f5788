// The Rollouts tab: actions on a rollout, launching a canary, restoring a
// version. Every one is a request Nexus answers; the page shows the answer.
#include "client/CallError.h"
#include "client/NexusClient.h"
#include "models/RolloutBoardModel.h"
#include "models/RolloutFormat.h"
#include "models/VersionHistoryModel.h"
#include "widgets/LaunchRolloutWizard.h"
#include "widgets/ThemeStyle.h"

#include "RolloutsPage.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>

namespace nexus::app {

namespace pb = ::nexus::v1;
namespace rfmt = models::rolloutfmt;

namespace {

QString shortId(const std::string& id)
{
    return QString::fromStdString(id).left(8);
}

client::NexusClient::RolloutAction clientAction(RolloutsPage::Action action)
{
    using A = RolloutsPage::Action;
    using C = client::NexusClient::RolloutAction;
    switch (action) {
    case A::PromoteStep:
    case A::PromoteFull:
        return C::Promote;
    case A::Pause:
        return C::Pause;
    case A::Resume:
        return C::Resume;
    case A::SetWeight:
        return C::SetWeight;
    case A::Abort:
        return C::Abort;
    }
    return C::Promote;
}

// Whether a failure leaves it open if Nexus applied the request: then the
// same request may be sent again.
bool unanswered(const client::CallError& error)
{
    return error.code == grpc::StatusCode::UNAVAILABLE ||
           error.code == grpc::StatusCode::DEADLINE_EXCEEDED ||
           error.code == grpc::StatusCode::CANCELLED || error.code == grpc::StatusCode::UNKNOWN ||
           error.code == grpc::StatusCode::INTERNAL;
}

QString serverText(const client::CallError& error)
{
    return error.serverMessage.isEmpty() ? error.text : error.serverMessage;
}

} // namespace

QWidget* RolloutsPage::buildActionBar(QWidget* parent)
{
    auto* bar = new QWidget(parent);
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    auto add = [&](Action action, const QString& text, const QString& tip) {
        auto* button = new QPushButton(text, bar);
        button->setProperty("tip", tip);
        connect(button, &QPushButton::clicked, this, [this, action] { act(action); });
        buttons_.insert(int(action), button);
        layout->addWidget(button);
        return button;
    };
    add(Action::PromoteStep, tr("Promote step"),
        tr("Leave the current step (a pause or an analysis) for the next one"));
    add(Action::PromoteFull, tr("Promote fully…"),
        tr("Send every run to the canary now and make it the live version"));
    add(Action::Pause, tr("Pause"),
        tr("Stop the plan where it is; the weight stays and guardrails still watch"));
    add(Action::Resume, tr("Resume"), tr("Go on with the plan; the current step starts over"));
    layout->addSpacing(12);
    weightSpin_ = new QSpinBox(bar);
    weightSpin_->setRange(0, 100);
    weightSpin_->setSuffix(QStringLiteral(" %"));
    weightSpin_->setAccessibleName(tr("Canary weight"));
    layout->addWidget(weightSpin_);
    add(Action::SetWeight, tr("Set weight"),
        tr("Route this share of the graph's runs to the canary; the plan does not move"));
    layout->addSpacing(12);
    auto* abort = add(Action::Abort, tr("Abort…"),
                      tr("Stop the rollout: every run goes back to the baseline"));
    widgets::setThemedStyleSheet(abort, QStringLiteral("QPushButton:enabled { color: #a40000; }"));
    blockedLabel_ = new QLabel(bar);
    blockedLabel_->setWordWrap(true);
    blockedLabel_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    layout->addWidget(blockedLabel_, 1);
    return bar;
}

QPushButton* RolloutsPage::actionButton(Action action) const
{
    return buttons_.value(int(action));
}

void RolloutsPage::setConfirmation(std::function<bool(const QString&)> confirm)
{
    confirm_ = std::move(confirm);
}

void RolloutsPage::setReasonPrompt(std::function<std::optional<QString>(const QString&)> askReason)
{
    askReason_ = std::move(askReason);
}

QString RolloutsPage::actionBlockedReason(Action action) const
{
    if (!client_)
        return tr("Not connected to Nexus.");
    const bool stopping = action == Action::Pause || action == Action::Abort;
    if (stopping ? !canStop_ : !canAct_)
        return stopping ? cannotStopReason_ : cannotActReason_;
    const pb::Rollout* r = board_->find(currentId_);
    if (!r)
        return tr("Select a rollout.");
    if (!rfmt::isActive(r->phase()))
        return tr("Rollout %1 is %2: there is nothing more to do with it.")
            .arg(shortId(r->rollout_id()), rfmt::phaseName(r->phase()).toLower());
    for (const PendingAction& pending : actions_)
        if (pending.request.rollout_id() == r->rollout_id())
            return tr("Waiting for Nexus to answer: %1.").arg(pending.label);
    const bool paused = r->phase() == pb::ROLLOUT_PHASE_PAUSED;
    if (action == Action::Pause && paused && !r->paused_by_step())
        return tr("It is paused already.");
    if (action == Action::Resume && !paused)
        return tr("It is not paused.");
    if (action == Action::Resume && r->paused_by_step())
        return tr("It waits at a pause step of its plan: promote it to go on.");
    return {};
}

void RolloutsPage::updateActions()
{
    for (auto it = buttons_.begin(); it != buttons_.end(); ++it) {
        const QString why = actionBlockedReason(Action(it.key()));
        it.value()->setEnabled(why.isEmpty());
        it.value()->setToolTip(why.isEmpty() ? it.value()->property("tip").toString() : why);
    }
    weightSpin_->setEnabled(actionBlockedReason(Action::SetWeight).isEmpty());
    blockedLabel_->setText(canAct_ ? QString() : cannotActReason_);
    launchButton_->setEnabled(client_ && canAct_);
    launchButton_->setToolTip(canAct_ ? tr("Roll an optimization version out to part of the "
                                           "fleet, with analysis and guardrails")
                                      : cannotActReason_);
    const QModelIndex row = versionsTable_->currentIndex();
    QString restoreWhy = !canAct_        ? cannotActReason_
                         : row.isValid() ? versions_->restoreBlockedReason(row.row())
                                         : tr("Select a retired version.");
    restoreButton_->setEnabled(restoreWhy.isEmpty());
    restoreButton_->setToolTip(restoreWhy.isEmpty()
                                   ? tr("Make this version live again for every run, at once")
                                   : restoreWhy);
    QString shippedWhy = !canAct_                     ? cannotActReason_
                         : versions_->rowCount() == 0 ? tr("No versions listed.")
                         : versions_->liveVersionId().isEmpty()
                             ? tr("The graph runs as shipped already.")
                         : versions_->hasActiveRollout()
                             ? tr("A rollout of this graph is active: abort or finish it first.")
                             : QString();
    restoreShippedButton_->setEnabled(shippedWhy.isEmpty());
    restoreShippedButton_->setToolTip(
        shippedWhy.isEmpty()
            ? tr("Retire the live version: runs use the prompt the graph ships with")
            : shippedWhy);
}

void RolloutsPage::act(Action action)
{
    const QString why = actionBlockedReason(action);
    if (!why.isEmpty()) {
        setStatus(why);
        return;
    }
    const pb::Rollout& r = *board_->find(currentId_);
    const QString id = shortId(r.rollout_id());
    const QString target = QString::fromStdString(r.graph_name() + " / " + r.node_id());
    PendingAction pending;
    pending.action = action;
    pending.request.set_rollout_id(r.rollout_id());
    pending.request.set_request_id(client::NexusClient::newRequestId().toStdString());
    pending.request.set_seen_revision(r.revision());
    auto confirmed = [this](const QString& question) {
        if (confirm_)
            return confirm_(question);
        return QMessageBox::question(this, tr("Rollouts"), question) == QMessageBox::Yes;
    };
    switch (action) {
    case Action::PromoteStep:
        pending.label = tr("Promote rollout %1 to its next step").arg(id);
        break;
    case Action::PromoteFull:
        if (!confirmed(tr("Promote rollout %1 fully? Every run of %2 goes to version %3 at once "
                          "and it becomes the live version; the remaining steps and analyses are "
                          "skipped.")
                           .arg(id, target, shortId(r.version_id()))))
            return;
        pending.request.set_full(true);
        pending.label = tr("Promote rollout %1 fully").arg(id);
        break;
    case Action::Pause:
        pending.label = tr("Pause rollout %1").arg(id);
        break;
    case Action::Resume:
        pending.label = tr("Resume rollout %1").arg(id);
        break;
    case Action::SetWeight: {
        const int weight = weightSpin_->value();
        if (weight == 100 && !confirmed(tr("Send every run of %1 to the canary (100 %)? The plan "
                                           "does not move; promote to make it live.")
                                            .arg(target)))
            return;
        pending.request.set_weight_percent(weight);
        pending.label = tr("Set rollout %1 to %2 %").arg(id).arg(weight);
        break;
    }
    case Action::Abort: {
        const QString question = tr("Abort rollout %1? Every run of %2 goes back to the baseline "
                                    "and version %3 becomes a candidate again.\n\nWhy? (it goes "
                                    "into the audit log)")
                                     .arg(id, target, shortId(r.version_id()));
        std::optional<QString> reason;
        if (askReason_) {
            reason = askReason_(question);
        } else {
            bool ok = false;
            const QString text = QInputDialog::getText(this, tr("Abort rollout"), question,
                                                       QLineEdit::Normal, {}, &ok);
            if (ok)
                reason = text;
        }
        if (!reason)
            return;
        if (reason->trimmed().isEmpty()) {
            setStatus(tr("Not aborted: say why (it goes into the audit log)."));
            return;
        }
        pending.request.set_reason(reason->trimmed().toStdString());
        pending.label = tr("Abort rollout %1").arg(id);
        break;
    }
    }
    send(pending);
}

void RolloutsPage::send(const PendingAction& pending)
{
    if (!client_)
        return;
    const quint64 id = pending.isLaunch
                           ? client_->launchRollout(pending.launch)
                           : client_->rolloutAction(clientAction(pending.action), pending.request);
    actions_.insert(id, pending);
    retryButton_->hide();
    setStatus(tr("%1: sent, waiting for Nexus…").arg(pending.label));
    updateActions();
}

void RolloutsPage::retryLastAction()
{
    if (!unanswered_ || !client_)
        return;
    const PendingAction pending = *unanswered_;
    unanswered_.reset();
    send(pending);
}

void RolloutsPage::onChanged(quint64 id, const pb::Rollout& rollout)
{
    if (!actions_.contains(id))
        return;
    const PendingAction pending = actions_.take(id);
    unanswered_.reset();
    retryButton_->hide();
    board_->upsert(rollout);
    const QString rolloutId = QString::fromStdString(rollout.rollout_id());
    QString text;
    if (pending.isLaunch) {
        activeOnly_->setChecked(false);
        selectRollout(rolloutId);
        text = tr("Launched canary %1: version %2 on %3 / %4, now at %5 %.")
                   .arg(shortId(rollout.rollout_id()), shortId(rollout.version_id()),
                        QString::fromStdString(rollout.graph_name()),
                        QString::fromStdString(rollout.node_id()))
                   .arg(rollout.weight_percent());
    } else {
        text = tr("%1: done. It is %2 at step %3, weight %4 %.")
                   .arg(pending.label, rfmt::phaseName(rollout.phase()).toLower(),
                        rfmt::stepPosition(rollout))
                   .arg(rollout.weight_percent());
    }
    setStatus(text);
    emit notify(text);
    if (rolloutId == currentId_) {
        showCurrent();
        fetchVersions();
    }
    updateActions();
}

void RolloutsPage::onFailed(quint64 id, const client::CallError& error)
{
    if (id == seriesRequest_) {
        seriesRequest_ = 0;
        return; // the charts keep their last evidence; the timer asks again
    }
    if (id == versionsRequest_) {
        versionsRequest_ = 0;
        versionsLabel_->setText(tr("Could not list the versions: %1").arg(error.text));
        return;
    }
    if (id == listRequest_) {
        listRequest_ = 0;
        setStatus(tr("Could not list the rollouts: %1").arg(error.text));
        return;
    }
    if (id == launchVersionsRequest_ || id == launchEntriesRequest_ || id == launchCreateRequest_) {
        launchVersionsRequest_ = launchEntriesRequest_ = launchCreateRequest_ = 0;
        launchVersions_.reset();
        launchApproved_.reset();
        setStatus(tr("Could not prepare the launch: %1").arg(serverText(error)));
        return;
    }
    if (restores_.contains(id)) {
        restores_.remove(id);
        setStatus(tr("The rollback to an earlier version was refused: %1").arg(serverText(error)));
        fetchVersions();
        return;
    }
    if (!actions_.contains(id))
        return;
    const PendingAction pending = actions_.take(id);
    if (unanswered(error)) {
        unanswered_ = pending;
        retryButton_->show();
        setStatus(tr("%1: Nexus did not answer (%2). It may or may not have been applied; "
                     "“Send again” sends the same request, which Nexus applies only once.")
                      .arg(pending.label, error.text));
    } else {
        setStatus(tr("%1: refused. %2").arg(pending.label, serverText(error)));
        if (!pending.isLaunch && client_)
            client_->getRollout(QString::fromStdString(pending.request.rollout_id()));
    }
    emit notify(statusText_);
    updateActions();
}

void RolloutsPage::openLaunchWizard(const QString& entryId)
{
    if (!client_ || !canAct_) {
        setStatus(client_ ? cannotActReason_ : tr("Not connected to Nexus."));
        return;
    }
    launchEntryId_ = entryId;
    launchVersions_.reset();
    launchApproved_.reset();
    launchCreateRequest_ = 0;
    launchPreselect_.clear();
    launchVersionsRequest_ = client_->listVersions({});
    pb::ListEntriesRequest entries;
    entries.add_statuses(pb::KNOWLEDGE_STATUS_APPROVED);
    entries.add_kinds(pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
    entries.set_page_size(1000);
    launchEntriesRequest_ = client_->listEntries(entries);
    setStatus(tr("Looking up the versions that can be rolled out…"));
}

// Both answers are in (versions, approved entries): offer them. A launch
// from an approved entry without a version of its own makes one first.
void RolloutsPage::continueLaunchWizard()
{
    if (!launchVersions_ || !launchApproved_ || launchCreateRequest_ != 0)
        return;
    QString preselect;
    if (!launchEntryId_.isEmpty()) {
        for (const auto& v : *launchVersions_)
            if (QString::fromStdString(v.source_entry_id()) == launchEntryId_ &&
                v.state() == pb::VERSION_STATE_CANDIDATE)
                preselect = QString::fromStdString(v.version_id());
        if (preselect.isEmpty() && launchApproved_->contains(launchEntryId_)) {
            pb::CreateVersionRequest create;
            create.set_source_entry_id(launchEntryId_.toStdString());
            create.set_request_id(client::NexusClient::newRequestId().toStdString());
            launchCreateRequest_ = client_->createVersion(create);
            launchEntryId_.clear(); // made once; the next pass selects it
            setStatus(tr("Making a version of the approved entry…"));
            return;
        }
        if (preselect.isEmpty())
            setStatus(tr("Knowledge entry %1 is not approved, or has no version that can be "
                         "rolled out.")
                          .arg(launchEntryId_.left(8)));
    }
    if (preselect.isEmpty())
        preselect = launchPreselect_; // made from the entry just now
    launchPreselect_.clear();
    auto versions = std::move(*launchVersions_);
    auto approved = std::move(*launchApproved_);
    launchVersions_.reset();
    launchApproved_.reset();
    launchWith(versions, approved, preselect);
}

void RolloutsPage::launchWith(const std::vector<pb::OptimizationVersion>& versions,
                              const QSet<QString>& approvedEntries, const QString& preselect)
{
    delete wizard_;
    wizard_ = new widgets::LaunchRolloutWizard(this);
    wizard_->setAttribute(Qt::WA_DeleteOnClose, false);
    wizard_->setVersions(versions);
    QHash<QString, QString> busyGraphs; // graph → its active rollout
    for (int row = 0; row < board_->rowCount(); ++row) {
        const pb::Rollout& r = board_->rolloutAt(row);
        if (rfmt::isActive(r.phase()))
            busyGraphs.insert(QString::fromStdString(r.graph_name()), shortId(r.rollout_id()));
    }
    int offered = 0;
    for (const auto& v : versions) {
        if (v.state() != pb::VERSION_STATE_CANDIDATE)
            continue;
        ++offered;
        const QString vid = QString::fromStdString(v.version_id());
        const QString graph = QString::fromStdString(v.graph_name());
        const QString entry = QString::fromStdString(v.source_entry_id());
        if (busyGraphs.contains(graph))
            wizard_->setBlocked(vid, tr("graph %1 already has an active rollout %2")
                                         .arg(graph, busyGraphs.value(graph)));
        else if (!entry.isEmpty() && !approvedEntries.contains(entry))
            wizard_->setBlocked(vid, tr("its knowledge entry %1 is not approved yet (review it in "
                                        "the Knowledge tab)")
                                         .arg(entry.left(8)));
    }
    if (!preselect.isEmpty())
        wizard_->selectVersion(preselect);
    connect(wizard_, &QDialog::accepted, this, [this] {
        PendingAction pending;
        pending.isLaunch = true;
        pending.launch = wizard_->request();
        pending.label =
            tr("Launch a canary of version %1").arg(wizard_->selectedVersionId().left(8));
        send(pending);
    });
    setStatus(offered == 0 ? tr("No candidate versions: approve a prompt optimization in the "
                                "Knowledge tab first.")
                           : tr("%n candidate version(s).", nullptr, offered));
    wizard_->open();
}

void RolloutsPage::restoreSelectedVersion(bool asShipped)
{
    const pb::Rollout* r = board_->find(currentId_);
    if (!client_ || !r)
        return;
    const QModelIndex row = versionsTable_->currentIndex();
    QString versionId;
    if (!asShipped) {
        if (!row.isValid())
            return;
        if (const QString why = versions_->restoreBlockedReason(row.row()); !why.isEmpty()) {
            setStatus(why);
            return;
        }
        versionId = QString::fromStdString(versions_->versionAt(row.row()).version_id());
    }
    const QString live = versions_->liveVersionId();
    const QString target = QString::fromStdString(r->graph_name() + " / " + r->node_id());
    const QString to =
        asShipped ? tr("the graph as shipped") : tr("version %1").arg(versionId.left(8));
    const QString question =
        tr("Roll %1 back to %2? It takes every run at once, without a canary; %3 is retired.\n\n"
           "Why? (it goes into the audit log)")
            .arg(target, to,
                 live.isEmpty() ? tr("nothing") : tr("version %1 (live now)").arg(live.left(8)));
    std::optional<QString> reason;
    if (askReason_) {
        reason = askReason_(question);
    } else {
        bool ok = false;
        const QString text = QInputDialog::getText(this, tr("Roll back to an earlier version"),
                                                   question, QLineEdit::Normal, {}, &ok);
        if (ok)
            reason = text;
    }
    if (!reason)
        return;
    pb::RestoreVersionRequest request;
    request.set_graph_name(r->graph_name());
    request.set_node_id(r->node_id());
    request.set_version_id(versionId.toStdString());
    request.set_seen_live_version_id(live.toStdString());
    request.set_request_id(client::NexusClient::newRequestId().toStdString());
    request.set_reason(reason->trimmed().toStdString());
    restores_.insert(client_->restoreVersion(request), tr("%1 is back on %2.").arg(target, to));
    setStatus(tr("Rolling %1 back to %2…").arg(target, to));
}

} // namespace nexus::app
