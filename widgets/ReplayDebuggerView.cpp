#include "widgets/ReplayDebuggerView.h"

#include "models/ReplayStepsModel.h"
#include "widgets/GraphCanvas.h"
#include "widgets/ReplayBreakpointsPanel.h"
#include "widgets/ReplayForkPanel.h"
#include "widgets/StatePanel.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace nexus::widgets {

using models::ReplayStepsModel;

namespace {

constexpr const char* kRecordedItem = "recorded";
constexpr const char* kLibraryItem = "library";
constexpr const char* kFileItem = "file";
constexpr const char* kOtherItem = "other";
QLabel* plainLabel(QWidget* parent, const QString& name)
{
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    return label;
}

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

// The step about to run gets a debugger's current-line band; the one that
// just ran a fainter one.
class StepRowDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const int marker = index.data(ReplayStepsModel::MarkerRole).toInt();
        const bool dark = isDark(option->palette);
        if (marker == ReplayStepsModel::NextMarker)
            option->backgroundBrush = dark ? QColor(0x4a4215) : QColor(0xfff1b8);
        else if (marker == ReplayStepsModel::LastMarker)
            option->backgroundBrush = dark ? QColor(0x2e2b18) : QColor(0xfffae3);
        else if (index.data(ReplayStepsModel::DivergenceRole).toInt() >= 0)
            option->backgroundBrush = dark ? QColor(0x3b1a1a) : QColor(0xfff0f0);
    }
};

QAction* makeAction(QWidget* owner, const QString& name, const QString& text,
                    const QKeySequence& key, const QString& tip)
{
    auto* action = new QAction(text, owner);
    action->setObjectName(name);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    action->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
    owner->addAction(action);
    return action;
}

} // namespace

ReplayDebuggerView::ReplayDebuggerView(QWidget* parent)
    : QWidget(parent), toolBar_(new QToolBar(this)), routingBox_(new QComboBox(this)),
      titleLabel_(plainLabel(this, QStringLiteral("debuggerTitle"))),
      summary_(plainLabel(this, QStringLiteral("debuggerSummary"))),
      firstDivergence_(new QToolButton(this)),
      routingNote_(plainLabel(this, QStringLiteral("debuggerRouting"))),
      stepsView_(new QTableView(this)), stepsModel_(new ReplayStepsModel(this)),
      canvas_(new GraphCanvas(this)), statePanel_(new StatePanel(this)),
      breakpointsPanel_(new ReplayBreakpointsPanel(this)), forkPanel_(new ReplayForkPanel(this)),
      side_(new QTabWidget(this)), status_(plainLabel(this, QStringLiteral("debuggerStatus"))),
      runner_(new ReplayJobRunner(this)), progress_(new QProgressBar(this)),
      cancelButton_(new QPushButton(tr("Cancel"), this))
{
    setObjectName(QStringLiteral("replayDebugger"));
    buildActions();
    buildLayout();
    connect(breakpointsPanel_, &ReplayBreakpointsPanel::breakpointsChanged, this,
            &ReplayDebuggerView::breakpointsEdited);
    connect(forkPanel_, &ReplayForkPanel::forkCreated, this, &ReplayDebuggerView::forkCreated);
    connect(forkPanel_, &ReplayForkPanel::forkCreated, this,
            [this](const QString&, const QString& fork) {
                showStatus(tr("Fork %1 created: it opens as a new trace.").arg(fork), false);
            });
    connect(canvas_, &GraphCanvas::nodeSelected, this, &ReplayDebuggerView::canvasNodeSelected);
    connect(runner_, &ReplayJobRunner::progressed, this, &ReplayDebuggerView::jobProgressed);
    connect(runner_, &ReplayJobRunner::finished, this, &ReplayDebuggerView::jobFinished);
    connect(runner_, &ReplayJobRunner::cancelled, this, &ReplayDebuggerView::jobCancelled);
    connect(cancelButton_, &QPushButton::clicked, this, &ReplayDebuggerView::cancelReplay);
    connect(firstDivergence_, &QToolButton::clicked, this,
            &ReplayDebuggerView::goToFirstDivergence);
    connect(routingBox_, &QComboBox::activated, this, &ReplayDebuggerView::routingChosen);
    connect(stepsView_, &QTableView::doubleClicked, this,
            [this](const QModelIndex& index) { seek(std::size_t(index.row())); });
    connect(stepsView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    canvas_->setSelectedNode(current.data(ReplayStepsModel::NodeRole).toString());
                refreshActions();
            });
    clear();
}

ReplayDebuggerView::~ReplayDebuggerView() = default;

void ReplayDebuggerView::buildActions()
{
    continue_ = makeAction(this, QStringLiteral("debugContinue"), tr("\u25b6\u25b6 Continue"),
                           QKeySequence(Qt::Key_F5),
                           tr("Continue to the next breakpoint, divergence or hash mismatch"));
    step_ = makeAction(this, QStringLiteral("debugStep"), tr("Step"), QKeySequence(Qt::Key_F10),
                       tr("Replay the next step"));
    stepBack_ = makeAction(this, QStringLiteral("debugStepBack"), tr("Step back"),
                           QKeySequence(Qt::SHIFT | Qt::Key_F10), tr("Go back one step"));
    runToCursor_ = makeAction(this, QStringLiteral("debugRunToCursor"), tr("Run to cursor"),
                              QKeySequence(Qt::CTRL | Qt::Key_F10),
                              tr("Replay up to the selected step (it becomes the step about to "
                                 "run), stopping where Continue would"));
    restart_ = makeAction(this, QStringLiteral("debugRestart"), tr("Restart"),
                          QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5),
                          tr("Back to the initial state (position 0)"));
    toggleBreakpoint_ = makeAction(
        this, QStringLiteral("debugToggleBreakpoint"), tr("\u25cf Breakpoint"),
        QKeySequence(Qt::Key_F9),
        tr("Toggle a breakpoint before the selected step's node (or the node about to run)"));
    cancel_ = makeAction(this, QStringLiteral("debugCancelReplay"), tr("Cancel replay"),
                         QKeySequence(Qt::Key_Escape), tr("Stop the replay being built"));
    cancel_->setEnabled(false);
    fork_ = new QAction(tr("Fork from here\u2026"), this);
    fork_->setObjectName(QStringLiteral("debugFork"));

    connect(continue_, &QAction::triggered, this, &ReplayDebuggerView::continueForward);
    connect(step_, &QAction::triggered, this, &ReplayDebuggerView::step);
    connect(stepBack_, &QAction::triggered, this, &ReplayDebuggerView::stepBack);
    connect(runToCursor_, &QAction::triggered, this, &ReplayDebuggerView::runToCursor);
    connect(restart_, &QAction::triggered, this, &ReplayDebuggerView::restart);
    connect(toggleBreakpoint_, &QAction::triggered, this, &ReplayDebuggerView::toggleBreakpoint);
    connect(fork_, &QAction::triggered, this, &ReplayDebuggerView::forkFromHere);
    connect(cancel_, &QAction::triggered, this, &ReplayDebuggerView::cancelReplay);

    toolBar_->setObjectName(QStringLiteral("debuggerToolBar"));
    toolBar_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolBar_->setIconSize(QSize(16, 16));
    for (QAction* action : {continue_, step_, stepBack_, runToCursor_, restart_})
        toolBar_->addAction(action);
    toolBar_->addSeparator();
    toolBar_->addAction(toggleBreakpoint_);
    toolBar_->addSeparator();
    auto* routingLabel = new QLabel(tr("Check routing against:"), toolBar_);
    routingLabel->setContentsMargins(4, 0, 4, 0);
    toolBar_->addWidget(routingLabel);
    routingBox_->setObjectName(QStringLiteral("debuggerRoutingBox"));
    routingBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    routingBox_->setMinimumContentsLength(14);
    routingBox_->setToolTip(tr("The graph whose routing the replay checks and the fork runs"));
    toolBar_->addWidget(routingBox_);
    toolBar_->addSeparator();
    toolBar_->addAction(fork_);
}

void ReplayDebuggerView::buildLayout()
{
    QFont big = titleLabel_->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    big.setBold(true);
    titleLabel_->setFont(big);
    firstDivergence_->setObjectName(QStringLiteral("debuggerFirstDivergence"));
    firstDivergence_->setAccessibleName(tr("Go to the first divergence"));
    firstDivergence_->setToolTip(
        tr("Jump to the first step where the replay left the recorded path"));
    firstDivergence_->setAutoRaise(true);
    firstDivergence_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    firstDivergence_->setCursor(Qt::PointingHandCursor);
    QFont link = firstDivergence_->font();
    link.setUnderline(true);
    firstDivergence_->setFont(link);
    QPalette linkPalette = firstDivergence_->palette();
    linkPalette.setColor(QPalette::ButtonText, QColor(0xdc2626));
    firstDivergence_->setPalette(linkPalette);

    stepsView_->setObjectName(QStringLiteral("debuggerSteps"));
    stepsView_->setAccessibleName(tr("Replay steps"));
    stepsView_->setModel(stepsModel_);
    stepsView_->setItemDelegate(new StepRowDelegate(stepsView_));
    stepsView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    stepsView_->setSelectionMode(QAbstractItemView::SingleSelection);
    stepsView_->setWordWrap(false);
    stepsView_->verticalHeader()->hide();
    stepsView_->verticalHeader()->setDefaultSectionSize(stepsView_->fontMetrics().height() + 6);
    QHeaderView* header = stepsView_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setResizeContentsPrecision(256); // long runs: measure the first rows only
    header->setSectionResizeMode(ReplayStepsModel::RouteColumn, QHeaderView::Stretch);
    header->setHighlightSections(false);

    canvas_->setObjectName(QStringLiteral("debuggerCanvas"));
    canvas_->setPlaceholderText(tr("No graph to show"));
    side_->setObjectName(QStringLiteral("debuggerSide"));
    side_->addTab(statePanel_, tr("State"));
    side_->addTab(breakpointsPanel_, tr("Breakpoints"));
    side_->addTab(forkPanel_, tr("Fork"));

    auto* left = new QSplitter(Qt::Vertical, this);
    left->addWidget(stepsView_);
    left->addWidget(canvas_);
    left->setStretchFactor(0, 2);
    left->setStretchFactor(1, 3);
    left->setSizes({320, 480});
    auto* main = new QSplitter(Qt::Horizontal, this);
    main->setObjectName(QStringLiteral("debuggerSplitter"));
    main->addWidget(left);
    main->addWidget(side_);
    main->setStretchFactor(0, 3);
    main->setStretchFactor(1, 2);
    main->setChildrenCollapsible(false);
    main->setSizes({780, 520});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    layout->addWidget(toolBar_);
    auto* info = new QVBoxLayout;
    info->setContentsMargins(6, 0, 6, 0);
    info->setSpacing(2);
    info->addWidget(titleLabel_);
    auto* summaryRow = new QHBoxLayout;
    summaryRow->addWidget(summary_, 1);
    summaryRow->addWidget(firstDivergence_);
    info->addLayout(summaryRow);
    info->addWidget(routingNote_);
    layout->addLayout(info);
    layout->addWidget(main, 1);
    status_->setContentsMargins(6, 2, 6, 4);
    progress_->setObjectName(QStringLiteral("debuggerProgress"));
    progress_->setAccessibleName(tr("Replay progress"));
    progress_->setMaximumWidth(240);
    progress_->setTextVisible(true);
    progress_->hide();
    cancelButton_->setObjectName(QStringLiteral("debuggerCancel"));
    cancelButton_->setAccessibleName(tr("Cancel the replay"));
    cancelButton_->setToolTip(tr("Stop the replay being built (Esc)"));
    cancelButton_->hide();
    auto* statusRow = new QHBoxLayout;
    statusRow->setContentsMargins(0, 0, 6, 2);
    statusRow->addWidget(status_, 1);
    statusRow->addWidget(progress_);
    statusRow->addWidget(cancelButton_);
    layout->addLayout(statusRow);
}

void ReplayDebuggerView::clear()
{
    pending_.reset();
    runner_->drop();
    setBusy(false);
    cancelledMessages_.clear();
    recording_.reset();
    session_.reset();
    shownGraph_.reset();
    fileGraph_.reset();
    fileGraphPath_.clear();
    fileGraphWarning_.clear();
    routing_ = RoutingSource::Recorded;
    title_.clear();
    stepsModel_->clear();
    breakpointsPanel_->setSession(nullptr);
    breakpointsPanel_->setNodes({});
    forkPanel_->clear(tr("No trace to fork."));
    canvas_->setGraph(nullptr);
    statePanel_->clear(tr("No trace"));
    fillRoutingBox();
    refresh();
    showStatus(tr("Open a trace to replay it."), false);
}

void ReplayDebuggerView::routingChosen(int index)
{
    if (fillingRoutingBox_ || !recording_)
        return;
    const QString kind = routingBox_->itemData(index).toString();
    if (kind == QLatin1String(kRecordedItem)) {
        checkRoutingAgainstRecording();
    } else if (kind == QLatin1String(kLibraryItem)) {
        if (!checkRoutingAgainstLibrary())
            fillRoutingBox();
    } else if (kind == QLatin1String(kOtherItem)) {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Check routing against a graph file"),
            fileGraphPath_.isEmpty() ? library_ : QFileInfo(fileGraphPath_).path(),
            tr("Graph files (*.json);;All files (*)"));
        if (path.isEmpty())
            fillRoutingBox();
        else
            checkRoutingAgainstFile(path);
    }
}

void ReplayDebuggerView::fillRoutingBox()
{
    fillingRoutingBox_ = true;
    routingBox_->clear();
    routingBox_->addItem(tr("Recorded graph"), QLatin1String(kRecordedItem));
    routingBox_->setItemData(0, tr("The graph the trace's GRAPH_START described (no conditions)"),
                             Qt::ToolTipRole);
    const QString libraryFile =
        recording_ ? findLibraryGraphFile(library_, recordedGraphName(*recording_)) : QString();
    if (!libraryFile.isEmpty()) {
        routingBox_->addItem(tr("Library: %1").arg(QFileInfo(libraryFile).fileName()),
                             QLatin1String(kLibraryItem));
        routingBox_->setItemData(routingBox_->count() - 1, libraryFile, Qt::ToolTipRole);
    }
    if (routing_ == RoutingSource::File) {
        routingBox_->addItem(tr("File: %1").arg(QFileInfo(fileGraphPath_).fileName()),
                             QLatin1String(kFileItem));
        routingBox_->setItemData(routingBox_->count() - 1, fileGraphPath_, Qt::ToolTipRole);
    }
    routingBox_->addItem(tr("Other file\u2026"), QLatin1String(kOtherItem));
    const char* current = routing_ == RoutingSource::Library ? kLibraryItem
                          : routing_ == RoutingSource::File  ? kFileItem
                                                             : kRecordedItem;
    routingBox_->setCurrentIndex(std::max(0, routingBox_->findData(QLatin1String(current))));
    routingBox_->setEnabled(recording_ != nullptr && !isBusy());
    fillingRoutingBox_ = false;
}

std::optional<runtime::Graph> ReplayDebuggerView::routingGraph() const
{
    if (routing_ != RoutingSource::Recorded && fileGraph_)
        return fileGraph_;
    if (recording_ && recording_->graph)
        return recording_->graph;
    return std::nullopt;
}

std::size_t ReplayDebuggerView::position() const
{
    return session_ ? session_->position() : 0;
}

std::size_t ReplayDebuggerView::stepCount() const
{
    return session_ ? session_->size() : 0;
}

void ReplayDebuggerView::continueForward()
{
    if (session_)
        stopped(session_->continueForward());
}

void ReplayDebuggerView::step()
{
    if (session_)
        stopped(session_->step());
}

void ReplayDebuggerView::stepBack()
{
    if (session_)
        stopped(session_->stepBack());
}

void ReplayDebuggerView::runToCursor()
{
    const int row = selectedRow();
    if (!session_ || row < 0) {
        showStatus(tr("Select the step to run to first."), true);
        return;
    }
    stopped(session_->runTo(std::size_t(row)));
}

void ReplayDebuggerView::restart()
{
    if (!session_ && !cancelledMessages_.empty() && !isBusy()) { // replay the cancelled trace
        setTrace(std::move(cancelledMessages_), title_);
        return;
    }
    if (session_)
        stopped(session_->seek(0));
}

void ReplayDebuggerView::seek(std::size_t position)
{
    if (session_)
        stopped(session_->seek(position));
}

} // namespace nexus::widgets
