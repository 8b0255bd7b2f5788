// The Traces tab: construction, the search form and the result list.
// Opening, closing and exporting traces: TracesPageOpen.cpp.
#include "TracesPage.h"

#include "client/NexusClient.h"
#include "models/TraceSearchModel.h"
#include "widgets/RunView.h"
#include "widgets/ThemeStyle.h"

#include "ConsoleSession.h"
#include "TraceLoader.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace nexus::app {

namespace pb = ::nexus::v1;

namespace {

// Opened traces are whole recordings: nothing is evicted while open, a
// long run keeps every step, and the same trace opened twice (or a fork
// that shares message ids with its origin) gives two runs, so message ids
// are not remembered across sources (a repeated sequence still shows as
// an integrity issue of the run).
models::RunStoreLimits traceStoreLimits()
{
    models::RunStoreLimits limits;
    limits.maxRuns = 10'000;
    limits.maxStepsPerRun = 2'000'000;
    limits.dedupeCapacity = 1;
    return limits;
}

QLabel* fieldLabel(const QString& text, QWidget* buddy, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

} // namespace

TracesPage::TracesPage(ConsoleSession* session, QWidget* parent)
    : QWidget(parent), session_(session),
      store_(std::make_unique<models::RunStore>(traceStoreLimits())),
      results_(new models::TraceSearchModel(this))
{
    setObjectName(QStringLiteral("tracesPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("tracesSplitter"));
    split->addWidget(createSearchPane());
    split->addWidget(createInspectorPane());
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({480, 1020});
    layout->addWidget(split, 1);

    connect(results_, &models::TraceSearchModel::sortChanged, this, [this] { search(); });
    connect(results_, &models::TraceSearchModel::pagesChanged, this, [this] {
        loadMore_->setVisible(results_->hasMore());
        loadMore_->setEnabled(results_->hasMore() && moreRequest_ == 0);
    });
    connect(session_, &ConsoleSession::nexusClientChanged, this, &TracesPage::setClient);
    connect(session_, &ConsoleSession::tenantChanged, this, [this] {
        if (searchedOnce_)
            search();
    });
    setClient(session_->nexus());
}

TracesPage::~TracesPage()
{
    for (auto& [id, load] : loads_)
        load.cancel->store(true);
    if (client_)
        for (const auto& [id, load] : loads_)
            if (load.requestId)
                client_->cancel(load.requestId);
    // The inspector's views read store_, which goes before the child widgets would.
    delete inspectorStack_;
}

QWidget* TracesPage::createSearchPane()
{
    auto* pane = new QWidget(this);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* form = new QGridLayout;
    form->setHorizontalSpacing(6);
    form->setVerticalSpacing(4);
    text_ = new QLineEdit(pane);
    text_->setObjectName(QStringLiteral("traceText"));
    text_->setPlaceholderText(tr("Thread, graph, instance or error text"));
    text_->setClearButtonEnabled(true);
    searchButton_ = new QPushButton(tr("Search"), pane);
    searchButton_->setObjectName(QStringLiteral("traceSearchButton"));
    searchButton_->setDefault(true);
    instance_ = new QLineEdit(pane);
    instance_->setObjectName(QStringLiteral("traceInstance"));
    instance_->setPlaceholderText(tr("any instance"));
    instance_->setClearButtonEnabled(true);
    graph_ = new QLineEdit(pane);
    graph_->setObjectName(QStringLiteral("traceGraph"));
    graph_->setAccessibleName(tr("Graph"));
    graph_->setPlaceholderText(tr("any graph"));
    graph_->setClearButtonEnabled(true);
    status_ = new QComboBox(pane);
    status_->setObjectName(QStringLiteral("traceStatusFilter"));
    status_->addItem(tr("Any status"), int(pb::RUN_STATUS_UNSPECIFIED));
    for (int s : {pb::RUN_STATUS_RUNNING, pb::RUN_STATUS_COMPLETED, pb::RUN_STATUS_FAILED,
                  pb::RUN_STATUS_STALE, pb::RUN_STATUS_INTERRUPTED})
        status_->addItem(models::TraceSearchModel::statusText(s), s);
    range_ = new QComboBox(pane);
    range_->setObjectName(QStringLiteral("traceRangeFilter"));
    range_->addItem(tr("Any time"), 0);
    range_->addItem(tr("Last 15 minutes"), 15 * 60);
    range_->addItem(tr("Last hour"), 3600);
    range_->addItem(tr("Last 24 hours"), 24 * 3600);
    range_->addItem(tr("Last 7 days"), 7 * 24 * 3600);
    range_->addItem(tr("Custom\u2026"), -1);
    from_ = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(-3600), pane);
    from_->setObjectName(QStringLiteral("traceFrom"));
    from_->setAccessibleName(tr("From"));
    to_ = new QDateTimeEdit(QDateTime::currentDateTime(), pane);
    to_->setObjectName(QStringLiteral("traceTo"));
    to_->setAccessibleName(tr("To"));
    for (QDateTimeEdit* edit : {from_, to_}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    const auto spin = [pane](const char* name, const QString& any, const QString& suffix,
                             int decimals, double step) {
        auto* box = new QDoubleSpinBox(pane);
        box->setObjectName(QLatin1String(name));
        box->setRange(0, 1e7);
        box->setDecimals(decimals);
        box->setSingleStep(step);
        box->setSpecialValueText(any); // shown at 0: no limit
        box->setSuffix(suffix);
        return box;
    };
    minDuration_ = spin("traceMinDuration", tr("any"), tr(" s"), 1, 1);
    maxDuration_ = spin("traceMaxDuration", tr("any"), tr(" s"), 1, 1);
    maxDuration_->setAccessibleName(tr("Maximum duration"));
    minCost_ = spin("traceMinCost", tr("any"), QString(), 4, 0.001);
    minCost_->setAccessibleName(tr("Minimum cost"));
    minCost_->setPrefix(QStringLiteral("$"));
    minDuration_->setToolTip(tr("Runs that took at least this long (0: any)"));
    maxDuration_->setToolTip(tr("Runs that took at most this long (0: any)"));
    minCost_->setToolTip(tr("Runs that cost at least this much (0: any)"));

    // One label column; each row's fields share the rest.
    const auto row = [form, pane](int at, const QString& label, QWidget* buddy,
                                  std::initializer_list<std::pair<QWidget*, int>> fields) {
        if (!label.isEmpty())
            form->addWidget(fieldLabel(label, buddy, pane), at, 0);
        auto* line = new QHBoxLayout;
        line->setSpacing(4);
        bool first = true;
        for (const auto& [field, stretch] : fields) {
            if (!first && qobject_cast<QLabel*>(field))
                line->addSpacing(8); // a label starts a new field
            line->addWidget(field, stretch);
            first = false;
        }
        form->addLayout(line, at, 1);
    };
    const auto text = [pane](const QString& t) { return new QLabel(t, pane); };
    row(0, tr("Search"), text_, {{text_, 1}, {searchButton_, 0}});
    row(1, tr("Instance"), instance_,
        {{instance_, 3}, {text(tr("Graph")), 0}, {graph_, 3}, {status_, 2}});
    row(2, tr("Started"), range_,
        {{range_, 2}, {from_, 2}, {text(QStringLiteral("\u2013")), 0}, {to_, 2}});
    row(3, tr("Duration"), minDuration_,
        {{text(QStringLiteral("\u2265")), 0},
         {minDuration_, 2},
         {text(QStringLiteral("\u2264")), 0},
         {maxDuration_, 2},
         {text(tr("Cost \u2265")), 0},
         {minCost_, 2}});
    form->setColumnStretch(1, 1);
    layout->addLayout(form);

    table_ = new QTableView(pane);
    table_->setObjectName(QStringLiteral("traceResults"));
    table_->setAccessibleName(tr("Traces found"));
    table_->setModel(results_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    QHeaderView* header = table_->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSortIndicator(models::TraceSearchModel::sortColumn(results_->traceSort()),
                             models::TraceSearchModel::sortOrder(results_->traceSort()));
    table_->setSortingEnabled(true);
    // The header shows the server's sort, whatever was clicked.
    const auto showSort = [this, header] {
        const QSignalBlocker block(header);
        header->setSortIndicator(models::TraceSearchModel::sortColumn(results_->traceSort()),
                                 models::TraceSearchModel::sortOrder(results_->traceSort()));
    };
    connect(header, &QHeaderView::sortIndicatorChanged, this, showSort);
    connect(results_, &models::TraceSearchModel::sortChanged, this, showSort);
    const int widths[models::TraceSearchModel::ColumnCount] = {150, 110, 110, 80, 135,
                                                               70,  50,  70,  70, 200};
    for (int c = 0; c < models::TraceSearchModel::ColumnCount; ++c)
        table_->setColumnWidth(c, widths[c]);
    layout->addWidget(table_, 1);

    auto* footer = new QHBoxLayout;
    searchStatus_ = new QLabel(pane);
    searchStatus_->setObjectName(QStringLiteral("traceSearchStatus"));
    searchStatus_->setTextFormat(Qt::PlainText);
    searchStatus_->setWordWrap(true);
    loadMore_ = new QPushButton(tr("Load more"), pane);
    loadMore_->setObjectName(QStringLiteral("traceLoadMore"));
    loadMore_->setVisible(false);
    footer->addWidget(searchStatus_, 1);
    footer->addWidget(loadMore_);
    layout->addLayout(footer);
    setSearchStatus(tr("Search the runs Nexus recorded, or open a .dstrace file (Ctrl+O)."), false);

    connect(searchButton_, &QPushButton::clicked, this, &TracesPage::search);
    for (QLineEdit* edit : {text_, instance_, graph_})
        connect(edit, &QLineEdit::returnPressed, this, &TracesPage::search);
    connect(loadMore_, &QPushButton::clicked, this, &TracesPage::loadMore);
    connect(range_, &QComboBox::currentIndexChanged, this, &TracesPage::updateTimeFields);
    connect(table_, &QTableView::activated, this, [this](const QModelIndex& index) {
        openThread(index.data(models::TraceSearchModel::ThreadIdRole).toString());
    });
    updateTimeFields();
    return pane;
}

void TracesPage::updateTimeFields()
{
    const bool custom = range_->currentData().toInt() < 0;
    from_->setEnabled(custom);
    to_->setEnabled(custom);
}

pb::SearchTracesRequest TracesPage::filtersFromForm(QString& problem) const
{
    pb::SearchTracesRequest request;
    request.set_text(text_->text().trimmed().toStdString());
    request.set_instance_id(instance_->text().trimmed().toStdString());
    request.set_graph_name(graph_->text().trimmed().toStdString());
    request.set_status(pb::RunStatus(status_->currentData().toInt()));
    const int range = range_->currentData().toInt();
    const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    if (range > 0) {
        request.set_start_us(nowUs - qint64(range) * 1'000'000);
    } else if (range < 0) {
        const qint64 fromUs = from_->dateTime().toMSecsSinceEpoch() * 1000;
        const qint64 toUs = to_->dateTime().toMSecsSinceEpoch() * 1000;
        if (toUs <= fromUs)
            problem = tr("The end of the time range is not after its start.");
        request.set_start_us(fromUs);
        request.set_end_us(toUs);
    }
    const auto us = [](double seconds) { return qint64(seconds * 1e6 + 0.5); };
    request.set_min_duration_us(us(minDuration_->value()));
    request.set_max_duration_us(us(maxDuration_->value()));
    if (request.max_duration_us() > 0 && request.max_duration_us() < request.min_duration_us())
        problem = tr("The longest duration is shorter than the shortest.");
    request.set_min_cost_micros(qint64(minCost_->value() * 1e6 + 0.5));
    request.set_tenant_id(session_->tenant().toStdString()); // the menu bar's tenant
    return request;
}

void TracesPage::setClient(client::NexusClient* client)
{
    if (client_)
        client_->disconnect(this);
    client_ = client;
    // Requests of the previous client are never answered.
    const bool searching = searchRequest_ != 0 || moreRequest_ != 0;
    searchRequest_ = moreRequest_ = 0;
    for (auto it = loads_.begin(); it != loads_.end();) {
        if (it->second.requestId) {
            showBanner(tr("Downloading %1 stopped: the connection to Nexus was closed.")
                           .arg(it->second.threadId),
                       BannerLevel::Error);
            it = loads_.erase(it);
        } else {
            ++it;
        }
    }
    updateProgress();
    if (searching)
        setSearchStatus(tr("The search stopped: the connection to Nexus was closed."), true);
    searchButton_->setEnabled(true);
    loadMore_->setEnabled(results_->hasMore());
    if (!client)
        return;
    connect(client, &client::NexusClient::tracesFound, this, &TracesPage::searchAnswered);
    connect(client, &client::NexusClient::callFailed, this, &TracesPage::callFailed);
    connect(client, &client::NexusClient::traceProgress, this, &TracesPage::downloadProgress);
    connect(client, &client::NexusClient::traceReceived, this, &TracesPage::downloaded);
    connect(client, &client::NexusClient::connectionStateChanged, this,
            [this] { maybeSearchOnFirstShow(); });
    maybeSearchOnFirstShow();
}

void TracesPage::maybeSearchOnFirstShow()
{
    // Like Jaeger, the tab opens with the latest traces listed: once, when
    // it is first seen with a connected Nexus and nothing was searched yet.
    if (searchedOnce_ || !client_ || !isVisible() ||
        client_->state() != client::NexusClient::State::Ready)
        return;
    search();
}

void TracesPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    maybeSearchOnFirstShow();
}

void TracesPage::search()
{
    searchedOnce_ = true;
    QString problem;
    const pb::SearchTracesRequest filters = filtersFromForm(problem);
    if (!problem.isEmpty()) {
        setSearchStatus(problem, true);
        emit searchFinished(false, problem);
        return;
    }
    if (!client_) {
        const QString text = tr("Not connected to Nexus (yet): choose a connection in File \u203a "
                                "Connect To. Trace files open without one (Ctrl+O).");
        setSearchStatus(text, true);
        emit searchFinished(false, text);
        return;
    }
    if (searchRequest_)
        client_->cancel(searchRequest_);
    if (moreRequest_)
        client_->cancel(moreRequest_);
    moreRequest_ = 0;
    results_->setFilters(filters);
    searchRequest_ = client_->searchTraces(results_->firstPageRequest());
    loadMore_->setEnabled(false);
    setSearchStatus(tr("Searching\u2026"), false);
}

void TracesPage::loadMore()
{
    const auto request = results_->nextPageRequest();
    if (!request || !client_ || moreRequest_ || searchRequest_)
        return;
    moreRequest_ = client_->searchTraces(*request);
    loadMore_->setEnabled(false);
    setSearchStatus(tr("%1 \u2013 loading more\u2026").arg(results_->countText()), false);
}

void TracesPage::searchAnswered(quint64 requestId, const pb::SearchTracesResponse& response)
{
    if (requestId == searchRequest_) {
        searchRequest_ = 0;
        results_->setFirstPage(response);
        if (results_->rowCount() > 0) {
            table_->scrollToTop();
            // Room for what is shown; a long error text does not push the
            // other columns out of sight (the tooltip has it whole).
            table_->resizeColumnsToContents();
            for (int c = 0; c < models::TraceSearchModel::ColumnCount; ++c)
                table_->setColumnWidth(c, std::min(table_->columnWidth(c) + 8, 220));
        }
    } else if (requestId == moreRequest_) {
        moreRequest_ = 0;
        results_->appendPage(response);
    } else {
        return; // a stale answer
    }
    loadMore_->setEnabled(results_->hasMore());
    setSearchStatus(results_->countText(), false);
    emit searchFinished(true, results_->countText());
}

void TracesPage::callFailed(quint64 requestId, const client::CallError& error)
{
    if (requestId == searchRequest_ || requestId == moreRequest_) {
        const bool more = requestId == moreRequest_;
        searchRequest_ = moreRequest_ = 0;
        // The rows already shown stay: they are still true, only not complete.
        const QString text = more ? tr("Loading more failed. %1").arg(error.text) : error.text;
        setSearchStatus(text, true);
        loadMore_->setEnabled(results_->hasMore());
        emit searchFinished(false, text);
        return;
    }
    for (auto it = loads_.begin(); it != loads_.end(); ++it)
        if (it->second.requestId == requestId) {
            const QString origin = it->second.origin;
            loads_.erase(it);
            updateProgress();
            showBanner(error.text, BannerLevel::Error);
            emit loadFinished(origin, 0, 0, QString(), error.text);
            return;
        }
}

QString TracesPage::searchStatus() const
{
    return searchStatus_->text();
}

void TracesPage::setSearchStatus(const QString& text, bool problem)
{
    searchStatus_->setText(text);
    widgets::setThemedStyleSheet(
        searchStatus_, problem ? QStringLiteral("color: #b3261e; font-weight: bold") : QString());
}

QWidget* TracesPage::createInspectorPane()
{
    auto* pane = new QWidget(this);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* bar = new QHBoxLayout;
    selector_ = new QComboBox(pane);
    selector_->setObjectName(QStringLiteral("openTraces"));
    selector_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    selector_->setMinimumContentsLength(30);
    selector_->setPlaceholderText(tr("No trace open"));
    close_ = new QToolButton(pane);
    close_->setObjectName(QStringLiteral("closeTrace"));
    close_->setText(tr("Close"));
    close_->setToolTip(tr("Close the trace shown"));
    export_ = new QToolButton(pane);
    export_->setObjectName(QStringLiteral("exportTrace"));
    export_->setText(tr("Export Trace\u2026"));
    export_->setToolTip(tr("Write the trace shown as .dstrace (byte for byte) or .json"));
    auto* label = new QLabel(tr("Open traces"), pane);
    label->setBuddy(selector_);
    bar->addWidget(label);
    bar->addWidget(selector_, 1);
    bar->addWidget(close_);
    bar->addWidget(export_);
    layout->addLayout(bar);

    banner_ = new QWidget(pane);
    banner_->setObjectName(QStringLiteral("traceBanner"));
    banner_->setAttribute(Qt::WA_StyledBackground);
    auto* bannerLayout = new QHBoxLayout(banner_);
    bannerLayout->setContentsMargins(8, 4, 4, 4);
    bannerText_ = new QLabel(banner_);
    bannerText_->setObjectName(QStringLiteral("traceBannerText"));
    bannerText_->setTextFormat(Qt::PlainText);
    bannerText_->setWordWrap(true);
    bannerText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bannerText_->installEventFilter(this);
    auto* dismiss = new QToolButton(banner_);
    dismiss->setAutoRaise(true);
    dismiss->setText(QStringLiteral("\u2715"));
    dismiss->setToolTip(tr("Dismiss"));
    bannerLayout->addWidget(bannerText_, 1);
    bannerLayout->addWidget(dismiss, 0, Qt::AlignTop);
    banner_->hide();
    layout->addWidget(banner_);

    progressRow_ = new QWidget(pane);
    progressRow_->setObjectName(QStringLiteral("traceProgressRow"));
    auto* progressLayout = new QHBoxLayout(progressRow_);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    progressText_ = new QLabel(progressRow_);
    progressText_->setTextFormat(Qt::PlainText);
    progress_ = new QProgressBar(progressRow_);
    progress_->setObjectName(QStringLiteral("traceProgress"));
    auto* cancel = new QPushButton(tr("Cancel"), progressRow_);
    cancel->setObjectName(QStringLiteral("traceCancel"));
    progressLayout->addWidget(progressText_, 1);
    progressLayout->addWidget(progress_, 1);
    progressLayout->addWidget(cancel);
    progressRow_->hide();
    layout->addWidget(progressRow_);

    inspector_ = new QTabWidget(pane);
    inspector_->setObjectName(QStringLiteral("traceInspector"));
    inspector_->setDocumentMode(true);
    view_ = new widgets::RunView(inspector_);
    view_->setObjectName(QStringLiteral("traceRunView"));
    view_->setStore(store_.get());
    view_->setRecorded(true);
    inspector_->addTab(view_, tr("Run"));
    auto* hint = new QLabel(tr("No trace open.\n\nDouble-click a search result to download it "
                               "from Nexus,\nor open a .dstrace file with File \u203a Open "
                               "Trace\u2026 (Ctrl+O) \u2014 no server needed."),
                            pane);
    hint->setObjectName(QStringLiteral("traceHint"));
    hint->setAlignment(Qt::AlignCenter);
    hint->setStyleSheet(QStringLiteral("color: palette(mid)"));
    inspectorStack_ = new QStackedWidget(pane);
    inspectorStack_->addWidget(hint);
    inspectorStack_->addWidget(inspector_);
    layout->addWidget(inspectorStack_, 1);

    connect(dismiss, &QToolButton::clicked, this, &TracesPage::hideBanner);
    connect(cancel, &QPushButton::clicked, this, &TracesPage::cancelLoading);
    connect(selector_, &QComboBox::currentIndexChanged, this, &TracesPage::selectorChanged);
    connect(close_, &QToolButton::clicked, this, [this] { closeTrace(currentRun_); });
    connect(export_, &QToolButton::clicked, this, &TracesPage::chooseExportFile);
    close_->setEnabled(false);
    export_->setEnabled(false);
    return pane;
}

} // namespace nexus::app
