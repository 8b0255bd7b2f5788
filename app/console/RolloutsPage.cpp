// The Rollouts tab: construction, the board and its live updates, the
// detail of the selected rollout. Actions, launching and restoring:
// RolloutsPageActions.cpp.
#include "RolloutsPage.h"

#include "client/NexusClient.h"
#include "client/RolloutWatcher.h"
#include "models/KnowledgeFormat.h"
#include "models/RolloutBoardModel.h"
#include "models/RolloutEventsModel.h"
#include "models/RolloutFormat.h"
#include "models/VersionHistoryModel.h"
#include "widgets/AnalysisView.h"
#include "widgets/CanaryCharts.h"
#include "widgets/LaunchRolloutWizard.h"
#include "widgets/RolloutStepsView.h"

#include "ConsoleSession.h"
#include "StreamStateText.h"

#include <QCheckBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QShowEvent>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedLayout>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace nexus::app {

namespace pb = ::nexus::v1;
namespace rfmt = models::rolloutfmt;

namespace {

constexpr int kSeriesRefreshMs = 5'000;

QString shortId(const std::string& id)
{
    return QString::fromStdString(id).left(8);
}

} // namespace

RolloutsPage::RolloutsPage(ConsoleSession* session, QWidget* parent)
    : QWidget(parent), session_(session)
{
    board_ = new models::RolloutBoardModel(this);
    events_ = new models::RolloutEventsModel(this);
    versions_ = new models::VersionHistoryModel(this);
    buildUi();
    connect(session_, &ConsoleSession::nexusClientChanged, this, &RolloutsPage::setClient);
    connect(session_, &ConsoleSession::tenantChanged, this, [this] {
        if (listedOnce_)
            refresh();
    });
    setClient(session_->nexus());
}

RolloutsPage::~RolloutsPage()
{
    if (watcher_)
        disconnect(watcher_.get(), nullptr, this, nullptr);
    watcher_.reset();
}

void RolloutsPage::buildUi()
{
    auto* outer = new QVBoxLayout(this);

    auto* bar = new QHBoxLayout;
    launchButton_ = new QPushButton(tr("Launch canary…"), this);
    launchButton_->setToolTip(
        tr("Roll an optimization version out to part of the fleet, with analysis and guardrails"));
    connect(launchButton_, &QPushButton::clicked, this, [this] { openLaunchWizard(); });
    bar->addWidget(launchButton_);
    activeOnly_ = new QCheckBox(tr("Active only"), this);
    connect(activeOnly_, &QCheckBox::toggled, this, [this] { refresh(); });
    bar->addWidget(activeOnly_);
    bar->addStretch();
    refreshButton_ = new QPushButton(tr("Refresh"), this);
    connect(refreshButton_, &QPushButton::clicked, this, &RolloutsPage::refresh);
    bar->addWidget(refreshButton_);
    streamLabel_ = new QLabel(this);
    bar->addWidget(streamLabel_);
    outer->addLayout(bar);

    auto* split = new QSplitter(Qt::Vertical, this);
    boardTable_ = new QTableView(split);
    boardTable_->setModel(board_);
    boardTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    boardTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    boardTable_->verticalHeader()->hide();
    boardTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    boardTable_->horizontalHeader()->setStretchLastSection(true);
    boardTable_->setAccessibleName(tr("Rollouts"));
    connect(boardTable_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                const QString id =
                    current.isValid()
                        ? current.data(models::RolloutBoardModel::RolloutIdRole).toString()
                        : QString();
                if (id == currentId_)
                    return;
                currentId_ = id;
                showCurrent();
                fetchSeries();
                fetchVersions();
            });
    connect(board_, &models::RolloutBoardModel::rolloutUpdated, this, [this](const QString& id) {
        if (id != currentId_)
            return;
        showCurrent();
        // A step or phase change is worth fresh evidence now (the timer
        // takes care of the rest), and a promotion changes the versions.
        fetchSeries();
        fetchVersions();
    });
    split->addWidget(boardTable_);
    split->addWidget(buildDetail());
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    split->setSizes({170, 800});
    outer->addWidget(split, 1);

    auto* statusRow = new QHBoxLayout;
    statusLabel_ = new QLabel(this);
    statusLabel_->setWordWrap(true);
    statusLabel_->setTextFormat(Qt::PlainText);
    statusRow->addWidget(statusLabel_, 1);
    retryButton_ = new QPushButton(tr("Send again"), this);
    retryButton_->setToolTip(tr("Sends the same request (same request id): Nexus applies it once"));
    retryButton_->hide();
    connect(retryButton_, &QPushButton::clicked, this, &RolloutsPage::retryLastAction);
    statusRow->addWidget(retryButton_);
    outer->addLayout(statusRow);

    seriesTimer_ = new QTimer(this);
    seriesTimer_->setInterval(kSeriesRefreshMs);
    connect(seriesTimer_, &QTimer::timeout, this, [this] {
        const pb::Rollout* r = board_->find(currentId_);
        if (r && rfmt::isActive(r->phase()) && isVisible())
            fetchSeries();
        board_->setNowUs(0);
    });
    seriesTimer_->start();
    showCurrent();
}

QWidget* RolloutsPage::buildDetail()
{
    auto* holder = new QWidget(this);
    auto* stack = new QStackedLayout(holder);
    emptyHint_ = new QLabel(tr("Select a rollout, or launch a canary of an approved "
                               "optimization with “Launch canary…”."),
                            holder);
    emptyHint_->setAlignment(Qt::AlignCenter);
    emptyHint_->setWordWrap(true);
    stack->addWidget(emptyHint_);

    detail_ = new QWidget(holder);
    auto* layout = new QVBoxLayout(detail_);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* headRow = new QHBoxLayout;
    header_ = new QLabel(detail_);
    header_->setTextFormat(Qt::RichText);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    headRow->addWidget(header_, 1);
    phaseBadge_ = new QLabel(detail_);
    phaseBadge_->setAlignment(Qt::AlignCenter);
    headRow->addWidget(phaseBadge_);
    layout->addLayout(headRow);

    reasonBox_ = new QLabel(detail_);
    reasonBox_->setWordWrap(true);
    reasonBox_->setTextFormat(Qt::PlainText);
    reasonBox_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    reasonBox_->hide();
    layout->addWidget(reasonBox_);

    layout->addWidget(buildActionBar(detail_));
    steps_ = new widgets::RolloutStepsView(detail_);
    connect(steps_, &widgets::RolloutStepsView::stepClicked, this, [this](int step) {
        analysis_->showStep(step);
        detailTabs_->setCurrentWidget(analysis_);
    });
    layout->addWidget(steps_);

    detailTabs_ = new QTabWidget(detail_);
    charts_ = new widgets::CanaryCharts(detailTabs_);
    detailTabs_->addTab(charts_, tr("Evidence"));
    analysis_ = new widgets::AnalysisView(detailTabs_);
    detailTabs_->addTab(analysis_, tr("Analysis"));
    eventsTable_ = new QTableView(detailTabs_);
    eventsTable_->setAccessibleName(tr("Rollout events"));
    eventsTable_->setModel(events_);
    eventsTable_->verticalHeader()->hide();
    eventsTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    eventsTable_->horizontalHeader()->setStretchLastSection(true);
    eventsTable_->setWordWrap(false);
    detailTabs_->addTab(eventsTable_, tr("Timeline"));

    auto* versionsPage = new QWidget(detailTabs_);
    auto* vl = new QVBoxLayout(versionsPage);
    versionsLabel_ = new QLabel(versionsPage);
    versionsLabel_->setWordWrap(true);
    vl->addWidget(versionsLabel_);
    versionsTable_ = new QTableView(versionsPage);
    versionsTable_->setAccessibleName(tr("Versions"));
    versionsTable_->setModel(versions_);
    versionsTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    versionsTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    versionsTable_->verticalHeader()->hide();
    versionsTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    versionsTable_->horizontalHeader()->setStretchLastSection(true);
    vl->addWidget(versionsTable_, 1);
    auto* vb = new QHBoxLayout;
    restoreButton_ = new QPushButton(tr("Roll back to this version…"), versionsPage);
    connect(restoreButton_, &QPushButton::clicked, this, [this] { restoreSelectedVersion(); });
    vb->addWidget(restoreButton_);
    restoreShippedButton_ = new QPushButton(tr("Back to the graph as shipped…"), versionsPage);
    connect(restoreShippedButton_, &QPushButton::clicked, this,
            [this] { restoreSelectedVersion(true); });
    vb->addWidget(restoreShippedButton_);
    vb->addStretch();
    vl->addLayout(vb);
    connect(versionsTable_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { updateActions(); });
    detailTabs_->addTab(versionsPage, tr("Versions"));
    layout->addWidget(detailTabs_, 1);

    stack->addWidget(detail_);
    return holder;
}

void RolloutsPage::setClient(client::NexusClient* client)
{
    if (client_)
        disconnect(client_, nullptr, this, nullptr);
    if (watcher_)
        disconnect(watcher_.get(), nullptr, this, nullptr);
    watcher_.reset();
    client_ = client;
    actions_.clear();
    restores_.clear();
    unanswered_.reset();
    retryButton_->hide();
    listRequest_ = seriesRequest_ = versionsRequest_ = 0;
    launchVersionsRequest_ = launchEntriesRequest_ = launchCreateRequest_ = launchRequest_ = 0;
    canAct_ = canStop_ = false;
    cannotActReason_ =
        client ? tr("Checking your role with Nexus…") : tr("Not connected to Nexus.");
    cannotStopReason_ = cannotActReason_;
    streamText_ = client ? tr("Connecting…") : tr("Not connected");
    streamLabel_->setText(streamText_);
    updateActions();
    if (!client)
        return;
    connect(client, &client::NexusClient::rolloutsListed, this, &RolloutsPage::onListed);
    connect(client, &client::NexusClient::rolloutReceived, this,
            [this](quint64, const pb::Rollout& r) { onRollout(r); });
    connect(client, &client::NexusClient::rolloutChanged, this, &RolloutsPage::onChanged);
    connect(client, &client::NexusClient::rolloutSeriesReceived, this, &RolloutsPage::onSeries);
    connect(client, &client::NexusClient::versionsListed, this, &RolloutsPage::onVersions);
    connect(client, &client::NexusClient::callFailed, this, &RolloutsPage::onFailed);
    connect(client, &client::NexusClient::entriesListed, this,
            [this](quint64 id, const pb::ListEntriesResponse& response) {
                if (id != launchEntriesRequest_)
                    return;
                launchEntriesRequest_ = 0;
                QSet<QString> approved;
                for (const auto& e : response.entries())
                    if (e.status() == pb::KNOWLEDGE_STATUS_APPROVED)
                        approved.insert(QString::fromStdString(e.entry_id()));
                launchApproved_ = approved;
                continueLaunchWizard();
            });
    connect(client, &client::NexusClient::versionCreated, this,
            [this](quint64 id, const pb::OptimizationVersion& version) {
                if (id != launchCreateRequest_)
                    return;
                launchCreateRequest_ = 0;
                if (launchVersions_)
                    launchVersions_->push_back(version);
                launchPreselect_ = QString::fromStdString(version.version_id());
                continueLaunchWizard();
            });
    connect(client, &client::NexusClient::versionRestored, this,
            [this](quint64 id, const pb::ListVersionsResponse& response) {
                const QString what = restores_.take(id);
                if (what.isEmpty())
                    return;
                versions_->setVersions({response.versions().begin(), response.versions().end()});
                setStatus(what);
                emit notify(what);
                updateActions();
            });
    connect(client, &client::NexusClient::whoAmIReceived, this,
            [this](quint64, const pb::WhoAmIResponse& who) {
                const QString actor = QString::fromStdString(who.actor());
                canAct_ = who.role() >= pb::ROLE_APPROVER;
                canStop_ = who.role() >= pb::ROLE_OPERATOR;
                const QString role = QString::fromStdString(pb::Role_Name(who.role()))
                                         .remove(QStringLiteral("ROLE_"))
                                         .toLower();
                cannotActReason_ =
                    canAct_    ? QString()
                    : canStop_ ? tr("Signed in as %1 (%2): you may pause and abort; launching, "
                                    "promoting and the other changes need the approver role.")
                                     .arg(actor, role)
                               : tr("Signed in as %1 (%2): changing rollouts needs the approver "
                                    "role (pause and abort: operator).")
                                     .arg(actor, role);
                cannotStopReason_ = canStop_ ? QString() : cannotActReason_;
                updateActions();
            });
    client->whoAmI();

    watcher_ = std::make_unique<client::RolloutWatcher>(client->channel(), client->endpoint());
    connect(watcher_.get(), &client::RolloutWatcher::subscribed, this, &RolloutsPage::refresh);
    connect(watcher_.get(), &client::RolloutWatcher::rolloutReceived, this,
            &RolloutsPage::onRollout);
    connect(watcher_.get(), &client::RolloutWatcher::stateChanged, this,
            [this](client::RolloutWatcher::State state, int attempt, int retryInMs,
                   const QString& detail) {
                streamText_ =
                    streamStateText(state, attempt, retryInMs, detail, tr("the last state"));
                streamLabel_->setText(streamText_);
            });
    watcher_->start();
}

void RolloutsPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!listedOnce_ && client_)
        refresh();
}

void RolloutsPage::refresh()
{
    if (!client_)
        return;
    listedOnce_ = true;
    pb::ListRolloutsRequest request;
    request.set_active_only(activeOnly_->isChecked());
    request.set_tenant_id(session_->tenant().toStdString()); // the menu bar's tenant
    listRequest_ = client_->listRollouts(request);
    fetchSeries();
    fetchVersions();
}

void RolloutsPage::onListed(quint64 id, const pb::ListRolloutsResponse& response)
{
    if (id != listRequest_)
        return;
    listRequest_ = 0;
    const QString keep = currentId_;
    board_->setRollouts({response.rollouts().begin(), response.rollouts().end()});
    versions_->setRollouts({response.rollouts().begin(), response.rollouts().end()});
    if (!keep.isEmpty() && board_->rowOf(keep) >= 0)
        selectRollout(keep);
    else if (board_->rowCount() > 0 && currentId_.isEmpty())
        selectRollout(board_->rolloutAt(0).rollout_id().c_str());
    else
        showCurrent();
}

bool RolloutsPage::shownTenant(const pb::Rollout& rollout) const
{
    const std::string tenant = session_->tenant().toStdString();
    return tenant.empty() || rollout.tenant_id() == tenant; // as ListRollouts(tenant_id)
}

// A watch update or a GetRollout answer. The active-only board leaves out
// what ended, except the one on screen.
void RolloutsPage::onRollout(const pb::Rollout& rollout)
{
    const QString id = QString::fromStdString(rollout.rollout_id());
    if (activeOnly_->isChecked() && !rfmt::isActive(rollout.phase()) && board_->rowOf(id) < 0)
        return;
    if (!shownTenant(rollout) && board_->rowOf(id) < 0)
        return;
    const bool isNew = board_->rowOf(id) < 0;
    board_->upsert(rollout);
    if (isNew && id == currentId_)
        selectRollout(id);
    if (id == currentId_ && isNew)
        showCurrent();
}

void RolloutsPage::selectRollout(const QString& rolloutId)
{
    const int row = board_->rowOf(rolloutId);
    if (row < 0) {
        currentId_ = rolloutId; // shown once it arrives
        showCurrent();
        return;
    }
    boardTable_->selectionModel()->setCurrentIndex(
        board_->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (currentId_ != rolloutId) {
        currentId_ = rolloutId;
        showCurrent();
        fetchSeries();
        fetchVersions();
    } else {
        showCurrent();
    }
}

QString RolloutsPage::describe(const pb::Rollout& r) const
{
    const QString baseline = r.baseline_version_id().empty()
                                 ? tr("the graph as shipped")
                                 : tr("version %1").arg(shortId(r.baseline_version_id()));
    return tr("<b>%1 / %2</b> — version <b>%3</b> against %4 · rollout %5 · launched by %6 %7")
        .arg(QString::fromStdString(r.graph_name()).toHtmlEscaped(),
             QString::fromStdString(r.node_id()).toHtmlEscaped(), shortId(r.version_id()), baseline,
             shortId(r.rollout_id()), QString::fromStdString(r.created_by()).toHtmlEscaped(),
             models::knowledgefmt::age(r.created_us(), QDateTime::currentMSecsSinceEpoch() * 1000));
}

QString RolloutsPage::headerText() const
{
    return header_->text();
}

void RolloutsPage::showCurrent()
{
    auto* stack = static_cast<QStackedLayout*>(emptyHint_->parentWidget()->layout());
    const pb::Rollout* r = board_->find(currentId_);
    if (!r) {
        stack->setCurrentWidget(emptyHint_);
        events_->clear();
        steps_->clear();
        updateActions();
        return;
    }
    stack->setCurrentWidget(detail_);
    header_->setText(describe(*r));
    phaseBadge_->setText(
        QStringLiteral(" %1 · %2 % ").arg(rfmt::phaseName(r->phase())).arg(r->weight_percent()));
    phaseBadge_->setStyleSheet(QStringLiteral("background:%1; border-radius:4px; padding:3px 8px; "
                                              "font-weight:bold;")
                                   .arg(rfmt::phaseColor(r->phase()).name()));
    if (!r->reason().empty() && !rfmt::isActive(r->phase())) {
        const bool rolledBack = r->phase() == pb::ROLLOUT_PHASE_ROLLED_BACK;
        reasonBox_->setText((rolledBack ? tr("Rolled back automatically: %1") : tr("Aborted: %1"))
                                .arg(QString::fromStdString(r->reason())));
        reasonBox_->setStyleSheet(
            QStringLiteral("background:%1; border:1px solid %2; border-radius:4px; padding:6px;")
                .arg(rfmt::phaseColor(r->phase()).name(),
                     rfmt::phaseColor(r->phase()).darker(140).name()));
        reasonBox_->show();
    } else {
        reasonBox_->hide();
    }
    steps_->setRollout(*r);
    analysis_->setRollout(*r);
    charts_->setMarkers(*r);
    events_->setRollout(*r);
    weightSpin_->setValue(r->weight_percent());
    updateActions();
}

void RolloutsPage::fetchSeries()
{
    if (!client_ || currentId_.isEmpty() || seriesRequest_ != 0)
        return;
    pb::GetRolloutSeriesRequest request;
    request.set_rollout_id(currentId_.toStdString());
    seriesRequest_ = client_->getRolloutSeries(request);
}

void RolloutsPage::onSeries(quint64 id, const pb::GetRolloutSeriesResponse& response)
{
    if (id != seriesRequest_)
        return;
    seriesRequest_ = 0;
    if (QString::fromStdString(response.rollout_id()) == currentId_)
        charts_->setSeries(response);
    else
        fetchSeries(); // the selection moved while it was asked
}

void RolloutsPage::fetchVersions()
{
    const pb::Rollout* r = board_->find(currentId_);
    if (!client_ || !r)
        return;
    versionsKey_ = QString::fromStdString(r->graph_name() + "/" + r->node_id());
    pb::ListVersionsRequest request;
    request.set_graph_name(r->graph_name());
    request.set_node_id(r->node_id());
    versionsRequest_ = client_->listVersions(request);
}

void RolloutsPage::onVersions(quint64 id, const pb::ListVersionsResponse& response)
{
    if (id == launchVersionsRequest_) {
        launchVersionsRequest_ = 0;
        launchVersions_ = std::vector<pb::OptimizationVersion>(response.versions().begin(),
                                                               response.versions().end());
        continueLaunchWizard();
        return;
    }
    if (id != versionsRequest_)
        return;
    versionsRequest_ = 0;
    versions_->setVersions({response.versions().begin(), response.versions().end()});
    std::vector<pb::Rollout> all;
    for (int row = 0; row < board_->rowCount(); ++row)
        all.push_back(board_->rolloutAt(row));
    versions_->setRollouts(all);
    const QString live = versions_->liveVersionId();
    versionsLabel_->setText(tr("Versions of %1. Live now: %2.")
                                .arg(versionsKey_, live.isEmpty()
                                                       ? tr("the graph as shipped")
                                                       : tr("version %1").arg(live.left(8))));
    updateActions();
}

void RolloutsPage::setStatus(const QString& text)
{
    statusText_ = text;
    statusLabel_->setText(text);
}

} // namespace nexus::app
