#include "MainWindow.h"

#include "client/LibraryVersions.h"
#include "client/ProfileStore.h"
#include "models/ComparisonModel.h"
#include "models/FleetFilterProxy.h"
#include "models/FleetModel.h"
#include "models/RecordTableModel.h"
#include "server/api/NexusServer.h"
#include "widgets/AboutDialog.h"
#include "widgets/ComparisonView.h"
#include "widgets/DeploymentCharts.h"
#include "widgets/FleetTableView.h"
#include "widgets/KpiTiles.h"
#include "widgets/ThemeStyle.h"

#include "ConsoleSession.h"
#include "KnowledgePage.h"
#include "PaletteEntries.h"
#include "ProfileDialog.h"
#include "RolloutsPage.h"
#include "RunsPage.h"
#include "TenantSelector.h"
#include "Theme.h"
#include "TraceAnalysisTabs.h"
#include "TracesPage.h"
#include "WelcomeDialog.h"
#include "nexus/v1/fleet.pb.h"

#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <tuple>

namespace nexus::app {

namespace pb = ::nexus::v1;

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), session_(new ConsoleSession(this)), views_(new QTabWidget(this)),
      records_(new models::RecordTableModel(this)), recordsView_(new QTableView(this)),
      notifications_(new QListWidget(this)), nexusStatus_(new QLabel(this)),
      fleetStatus_(new QLabel(this)), kafkaStatus_(new QLabel(this)),
      traceStatus_(new QLabel(this)), notificationButton_(new QToolButton(this))
{
    // The theme first, so the views are built in its palette.
    theme_ = new ThemeController(this);
    setWindowTitle(tr("Nexus Console"));
    setObjectName(QStringLiteral("MainWindow"));
    resize(1500, 950);
    setDockNestingEnabled(true);
    views_->setObjectName(QStringLiteral("views"));
    views_->setDocumentMode(true);
    views_->addTab(createFleetPage(), tr("Fleet"));
    views_->addTab(createComparePage(), tr("Compare"));
    runsPage_ = new RunsPage(session_, this);
    views_->addTab(runsPage_, tr("Runs"));
    tracesPage_ = new TracesPage(session_, this);
    views_->addTab(tracesPage_, tr("Traces"));
    traceAnalysis_ =
        new TraceAnalysisTabs(tracesPage_, QString::fromStdString(server::graphsDirectory()));
    knowledgePage_ = new KnowledgePage(session_, this);
    views_->addTab(knowledgePage_, tr("Knowledge"));
    // An example trace of an entry opens in the trace inspector.
    connect(knowledgePage_, &KnowledgePage::openTraceRequested, this,
            [this](const QString& threadId) {
                tracesPage_->openThread(threadId);
                showView(QStringLiteral("traces"));
            });
    connect(knowledgePage_, &KnowledgePage::notify, this, &MainWindow::addNotification);
    rolloutsPage_ = new RolloutsPage(session_, this);
    views_->addTab(rolloutsPage_, tr("Rollouts"));
    connect(rolloutsPage_, &RolloutsPage::notify, this, &MainWindow::addNotification);
    // An approved prompt optimization is rolled out from its entry.
    connect(knowledgePage_, &KnowledgePage::rolloutRequested, this, [this](const QString& entryId) {
        showView(QStringLiteral("rollouts"));
        rolloutsPage_->openLaunchWizard(entryId);
    });
    setCentralWidget(views_);
    createDocks();
    // The Runs and Traces tabs need the height: the bottom docks step aside
    // while they are shown and come back as they were when another tab is
    // chosen.
    connect(views_, &QTabWidget::currentChanged, this, [this](int index) {
        const bool roomy =
            views_->widget(index) == runsPage_ || views_->widget(index) == tracesPage_ ||
            views_->widget(index) == knowledgePage_ || views_->widget(index) == rolloutsPage_;
        if (roomy) {
            for (QDockWidget* dock : findChildren<QDockWidget*>())
                if (dock->isVisible() && dockWidgetArea(dock) == Qt::BottomDockWidgetArea &&
                    !dock->isFloating()) {
                    if (!hiddenForRuns_.contains(dock->objectName()))
                        hiddenForRuns_ << dock->objectName();
                    dock->hide();
                }
        } else {
            for (const QString& name : std::as_const(hiddenForRuns_))
                if (auto* dock = findChild<QDockWidget*>(name))
                    dock->show();
            hiddenForRuns_.clear();
        }
    });
    createMenus();
    createStatusBar();
    defaultState_ = saveState();
    restoreLayout();

    connect(session_, &ConsoleSession::nexusStatus, this,
            [this](const QString& text, bool problem) {
                nexusStatus_->setText(text);
                widgets::setThemedStyleSheet(
                    nexusStatus_,
                    problem ? QStringLiteral("color: #b3261e; font-weight: bold") : QString());
            });
    connect(session_, &ConsoleSession::fleetStatus, this,
            [this](const QString& text, bool problem) {
                fleetStatus_->setText(text);
                widgets::setThemedStyleSheet(
                    fleetStatus_, problem ? QStringLiteral("color: #b3261e") : QString());
            });
    connect(session_, &ConsoleSession::kafkaStatus, this,
            [this](const QString& text, bool problem) {
                kafkaStatus_->setText(text);
                widgets::setThemedStyleSheet(
                    kafkaStatus_, problem ? QStringLiteral("color: #b3261e") : QString());
            });
    connect(session_, &ConsoleSession::notify, this, &MainWindow::addNotification);
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::createFleetPage()
{
    auto* page = new QWidget(this);
    page->setObjectName(QStringLiteral("fleetPage"));
    auto* layout = new QVBoxLayout(page);
    auto* kpis = new widgets::KpiTiles(page);
    kpis->setModel(session_->fleet());
    layout->addWidget(kpis);

    auto* filters = new QHBoxLayout;
    auto* search = new QLineEdit(page);
    search->setObjectName(QStringLiteral("fleetSearch"));
    search->setAccessibleName(tr("Filter the fleet"));
    search->setPlaceholderText(tr("Filter by instance, host or version (Ctrl+F)"));
    search->setClearButtonEnabled(true);
    auto* focusSearch = new QAction(this);
    focusSearch->setShortcut(QKeySequence::Find);
    focusSearch->setText(tr("Filter the Fleet"));
    connect(focusSearch, &QAction::triggered, search, [search] { search->setFocus(); });
    addAction(focusSearch);
    auto* deployment = new QComboBox(page);
    deployment->addItem(tr("All deployments"), QString());
    auto* status = new QComboBox(page);
    status->addItem(tr("Any status"), 0);
    for (int s : {pb::INSTANCE_STATUS_HEALTHY, pb::INSTANCE_STATUS_DEGRADED,
                  pb::INSTANCE_STATUS_UNHEALTHY, pb::INSTANCE_STATUS_STALE})
        status->addItem(models::FleetModel::statusText(s), s);
    auto* outliers = new QCheckBox(tr("Outliers only"), page);
    filters->addWidget(search, 1);
    filters->addWidget(deployment);
    filters->addWidget(status);
    filters->addWidget(outliers);
    layout->addLayout(filters);

    auto* table = new widgets::FleetTableView(page);
    table->setObjectName(QStringLiteral("fleetTable"));
    table->setModel(session_->fleetProxy());
    layout->addWidget(table, 1);

    auto* proxy = session_->fleetProxy();
    connect(search, &QLineEdit::textChanged, proxy, &models::FleetFilterProxy::setTextFilter);
    connect(deployment, &QComboBox::currentIndexChanged, this, [proxy, deployment] {
        proxy->setDeploymentFilter(deployment->currentData().toString());
    });
    connect(status, &QComboBox::currentIndexChanged, this,
            [proxy, status] { proxy->setStatusFilter(status->currentData().toInt()); });
    connect(outliers, &QCheckBox::toggled, proxy, &models::FleetFilterProxy::setOutliersOnly);
    connect(session_->fleet(), &models::FleetModel::deploymentsChanged, this,
            [deployment](const QStringList& names) {
                const QString current = deployment->currentData().toString();
                deployment->blockSignals(true);
                while (deployment->count() > 1)
                    deployment->removeItem(1);
                for (const QString& n : names)
                    deployment->addItem(n, n);
                deployment->setCurrentIndex(std::max(0, deployment->findData(current)));
                deployment->blockSignals(false);
            });
    connect(table, &widgets::FleetTableView::compareRequested, this, &MainWindow::compareInstances);
    return page;
}

QWidget* MainWindow::createComparePage()
{
    auto* view = new widgets::ComparisonView(this);
    view->setObjectName(QStringLiteral("comparisonView"));
    view->setModel(session_->comparison());
    view->setRangeSeconds(session_->comparison()->rangeSeconds());
    connect(view, &widgets::ComparisonView::instancesChanged, session_, &ConsoleSession::compare);
    connect(view, &widgets::ComparisonView::rangeChanged, session_,
            &ConsoleSession::setComparisonRange);
    return view;
}

void MainWindow::compareInstances(const QStringList& instanceIds)
{
    session_->compare(instanceIds);
    showView(QStringLiteral("compare"));
}

void MainWindow::createDocks()
{
    auto* charts = new widgets::DeploymentCharts(this);
    charts->setStore(session_->series());
    charts->setRangeSeconds(session_->seriesRange());
    connect(charts, &widgets::DeploymentCharts::rangeChanged, session_,
            &ConsoleSession::setSeriesRange);
    auto* chartsDock = new QDockWidget(tr("Deployments"), this);
    chartsDock->setObjectName(QStringLiteral("deploymentsDock"));
    chartsDock->setWidget(charts);
    addDockWidget(Qt::BottomDockWidgetArea, chartsDock);

    recordsView_->setObjectName(QStringLiteral("records"));
    recordsView_->setAccessibleName(tr("Trace records"));
    recordsView_->setModel(records_);
    recordsView_->setAlternatingRowColors(true);
    recordsView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    recordsView_->verticalHeader()->hide();
    auto* recordsDock = new QDockWidget(tr("Trace records"), this);
    recordsDock->setObjectName(QStringLiteral("recordsDock"));
    auto* recordsPage = new QWidget(recordsDock);
    auto* recordsLayout = new QVBoxLayout(recordsPage);
    recordsLayout->setContentsMargins(0, 0, 0, 0);
    traceStatus_->setObjectName(QStringLiteral("traceStatus"));
    traceStatus_->setTextFormat(Qt::PlainText);
    traceStatus_->setText(tr("No trace open: File \u203a Open Trace\u2026 (Ctrl+O)"));
    recordsLayout->addWidget(traceStatus_);
    recordsLayout->addWidget(recordsView_, 1);
    recordsDock->setWidget(recordsPage);
    addDockWidget(Qt::BottomDockWidgetArea, recordsDock);

    notifications_->setObjectName(QStringLiteral("notifications"));
    notifications_->setAccessibleName(tr("Notifications"));
    auto* notificationsDock = new QDockWidget(tr("Notifications"), this);
    notificationsDock->setObjectName(QStringLiteral("notificationsDock"));
    notificationsDock->setWidget(notifications_);
    addDockWidget(Qt::BottomDockWidgetArea, notificationsDock);
    tabifyDockWidget(chartsDock, recordsDock);
    tabifyDockWidget(recordsDock, notificationsDock);
    chartsDock->raise();
    resizeDocks({chartsDock}, {380}, Qt::Vertical);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Trace\u2026"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Trace"), QString(), tr("DashStream traces (*.dstrace);;All files (*)"));
        if (!path.isEmpty())
            openTrace(path);
    });
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    QMenu* connectTo = file->addMenu(tr("&Connect To"));
    connectTo->setObjectName(QStringLiteral("connectMenu"));
    connect(connectTo, &QMenu::aboutToShow, this,
            [this, connectTo] { fillConnectMenu(connectTo); });
    fillConnectMenu(connectTo);
    QAction* profiles =
        file->addAction(tr("Connection &Profiles\u2026"), this, [this] { showProfiles(); });
    profiles->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Fleet Overview"), this, [this] { showView(QStringLiteral("fleet")); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    view->addAction(tr("&Compare Instances"), this, [this] { showView(QStringLiteral("compare")); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    view->addAction(tr("&Runs"), this, [this] { showView(QStringLiteral("runs")); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    view->addAction(tr("&Traces"), this, [this] { showView(QStringLiteral("traces")); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    view->addAction(tr("&Knowledge Review"), this,
                    [this] { showView(QStringLiteral("knowledge")); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));
    view->addAction(tr("R&ollouts"), this, [this] { showView(QStringLiteral("rollouts")); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_6));
    view->addSeparator();
    if (auto* table = findChild<widgets::FleetTableView*>(QStringLiteral("fleetTable")))
        view->addAction(table->compareAction());
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    QMenu* themes = view->addMenu(tr("T&heme"));
    themes->setObjectName(QStringLiteral("themeMenu"));
    auto* themeGroup = new QActionGroup(themes);
    for (const auto& [choice, text, name] :
         {std::tuple{ThemeChoice::System, tr("&System"), "themeSystem"},
          std::tuple{ThemeChoice::Light, tr("&Light"), "themeLight"},
          std::tuple{ThemeChoice::Dark, tr("&Dark"), "themeDark"}}) {
        QAction* a = themes->addAction(text, this, [this, c = choice] { theme_->setChoice(c); });
        a->setObjectName(QLatin1String(name));
        a->setCheckable(true);
        a->setChecked(theme_->choice() == choice);
        themeGroup->addAction(a);
    }
    view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout)
        ->setObjectName(QStringLiteral("resetLayout"));
    palette::addCommandPalette(this, view);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Welcome"), this, [this] { showWelcome(this); })
        ->setObjectName(QStringLiteral("welcomeAction"));
    palette::addShortcutsHelp(this, help);
    help->addAction(tr("&About Nexus Console"), this, &MainWindow::showAbout);
    menuBar()->setCornerWidget(new TenantSelector(session_, menuBar()), Qt::TopRightCorner);
}

void MainWindow::createStatusBar()
{
    nexusStatus_->setObjectName(QStringLiteral("nexusStatus"));
    fleetStatus_->setObjectName(QStringLiteral("fleetStatus"));
    nexusStatus_->setTextFormat(Qt::PlainText);
    fleetStatus_->setTextFormat(Qt::PlainText);
    nexusStatus_->setText(tr("Not connected"));
    kafkaStatus_->setObjectName(QStringLiteral("kafkaStatus"));
    kafkaStatus_->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(nexusStatus_);
    statusBar()->addWidget(fleetStatus_);
    statusBar()->addWidget(kafkaStatus_, 1);
    notificationButton_->setObjectName(QStringLiteral("notificationButton"));
    notificationButton_->setAutoRaise(true);
    notificationButton_->setText(tr("No notifications"));
    notificationButton_->setToolTip(tr("Show the notifications"));
    connect(notificationButton_, &QToolButton::clicked, this,
            [this] { showView(QStringLiteral("notifications")); });
    statusBar()->addPermanentWidget(notificationButton_);
}

void MainWindow::addNotification(const QString& message)
{
    auto* item = new QListWidgetItem(
        QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + message);
    notifications_->insertItem(0, item);
    while (notifications_->count() > 500)
        delete notifications_->takeItem(notifications_->count() - 1);
    notificationButton_->setText(tr("%n notification(s)", nullptr, notifications_->count()));
}

int MainWindow::notificationCount() const
{
    return notifications_->count();
}

bool MainWindow::showView(const QString& name)
{
    const QStringList tabs{QStringLiteral("fleet"),     QStringLiteral("compare"),
                           QStringLiteral("runs"),      QStringLiteral("traces"),
                           QStringLiteral("knowledge"), QStringLiteral("rollouts")};
    if (tabs.contains(name)) {
        views_->setCurrentIndex(int(tabs.indexOf(name)));
        return true;
    }
    const QString dockName =
        name == QLatin1String("deployments")     ? QStringLiteral("deploymentsDock")
        : name == QLatin1String("records")       ? QStringLiteral("recordsDock")
        : name == QLatin1String("notifications") ? QStringLiteral("notificationsDock")
                                                 : QString();
    auto* dock = dockName.isEmpty() ? nullptr : findChild<QDockWidget*>(dockName);
    if (!dock)
        return false;
    dock->show();
    dock->raise();
    return true;
}

void MainWindow::openProfile(const client::ConnectionProfile& profile)
{
    setWindowTitle(tr("%1 \u2014 Nexus Console").arg(profile.name));
    // Each profile keeps its own arrangement of docks, tabs and splitters.
    if (profile.name != layoutProfile_) {
        if (!layoutProfile_.isEmpty())
            saveProfileLayout();
        restoreProfileLayout(profile.name);
        layoutProfile_ = profile.name;
    }
    session_->open(profile);
    if (profile.name != QLatin1String("command line")) {
        QSettings settings;
        client::ProfileStore(&settings).setLastUsed(profile.name);
    }
}

void MainWindow::fillConnectMenu(QMenu* menu)
{
    menu->clear();
    QSettings settings;
    const client::ProfileStore store(&settings);
    for (const client::ConnectionProfile& p : store.profiles()) {
        QAction* a = menu->addAction(p.name, this, [this, p] { openProfile(p); });
        a->setCheckable(true);
        a->setChecked(p.name == session_->profile().name);
    }
}

ProfileDialog* MainWindow::showProfiles()
{
    if (auto* open = findChild<ProfileDialog*>()) {
        open->raise();
        open->activateWindow();
        return open;
    }
    auto* settings = new QSettings;
    auto* dialog = new ProfileDialog(settings, session_->profile().name, this);
    settings->setParent(dialog);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProfileDialog::connectRequested, this, &MainWindow::openProfile);
    dialog->show();
    return dialog;
}

void MainWindow::openTrace(const QString& path)
{
    tracesPage_->openFile(path);
    showView(QStringLiteral("traces"));
    // The raw records of the file, as `nexusctl decode` lists them, below
    // (low: the trace view keeps most of the height).
    showView(QStringLiteral("records"));
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("recordsDock"));
        dock && !dock->isFloating())
        resizeDocks({dock}, {height() / 4}, Qt::Vertical);
    const QString before = traceStatus_->text();
    traceStatus_->setText(tr("Reading %1\u2026").arg(QFileInfo(path).fileName()));
    auto* watcher = new QFutureWatcher<models::RecordFile>(this);
    // Cancel in the Traces tab stops this read too; the list keeps what it showed.
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    connect(tracesPage_, &TracesPage::loadCancelled, watcher, [cancel] { cancel->store(true); });
    connect(watcher, &QFutureWatcher<models::RecordFile>::finished, this,
            [this, watcher, path, cancel, before] {
                models::RecordFile file = watcher->result();
                watcher->deleteLater();
                const QString name = QFileInfo(path).fileName();
                if (file.cancelled || cancel->load()) {
                    traceStatus_->setText(before);
                    addNotification(tr("Opening %1 cancelled.").arg(name));
                    emit traceLoaded(path, 0, 0);
                    return;
                }
                if (!file.error.isEmpty()) {
                    traceStatus_->setText(file.error);
                    addNotification(file.error);
                    emit traceLoaded(path, 0, 0);
                    return;
                }
                const int count = static_cast<int>(file.rows.size());
                records_->setRecords(std::move(file.rows));
                recordsView_->resizeColumnsToContents();
                recordsView_->horizontalHeader()->setSectionResizeMode(
                    models::RecordTableModel::Detail, QHeaderView::Stretch);
                traceStatus_->setText(
                    file.badRecords ? tr("%1: %2 records, %3 could not be decoded (shown in red)")
                                          .arg(name)
                                          .arg(count)
                                          .arg(file.badRecords)
                                    : tr("%1: %2 records").arg(name).arg(count));
                emit traceLoaded(path, count, file.badRecords);
            });
    watcher->setFuture(QtConcurrent::run(
        [path, cancel] { return models::RecordTableModel::loadFile(path, cancel.get()); }));
}

void MainWindow::showAbout()
{
    widgets::AboutDialog dialog(client::libraryVersions(), this);
    dialog.exec();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveLayout();
    event->accept();
}

} // namespace nexus::app
