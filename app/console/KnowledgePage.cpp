// The Knowledge tab: construction, the queue and its live updates.
// Reviewing (keys, outcomes, the outbox panel): KnowledgePageReview.cpp.
#include "KnowledgePage.h"

#include "client/KnowledgeWatcher.h"
#include "client/NexusClient.h"
#include "models/KnowledgeFormat.h"
#include "models/KnowledgeHistoryModel.h"
#include "models/KnowledgeQueueModel.h"
#include "models/ReviewOutbox.h"
#include "widgets/KnowledgeCountsBar.h"
#include "widgets/KnowledgeEntryView.h"
#include "widgets/ReviewPanel.h"

#include "ConsoleSession.h"
#include "KnowledgeAuditPanel.h"
#include "KnowledgeReviews.h"
#include "StreamStateText.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace nexus::app {

namespace pb = ::nexus::v1;
namespace fmt = models::knowledgefmt;

namespace {

constexpr int kPageSize = 200;

qint64 nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

} // namespace

KnowledgePage::KnowledgePage(ConsoleSession* session, QWidget* parent)
    : QWidget(parent), session_(session)
{
    queue_ = new models::KnowledgeQueueModel(this);
    history_ = new models::KnowledgeHistoryModel(this);
    buildUi();
    openOutbox();
    connect(session_, &ConsoleSession::nexusClientChanged, this, &KnowledgePage::setClient);
    connect(session_, &ConsoleSession::tenantChanged, this, &KnowledgePage::applyFilterFromUi);
    setClient(session_->nexus());
}

// The watcher says "stopped" as it goes: not to this page's members, which
// are partly gone by the time the unique_ptr members are destroyed.
KnowledgePage::~KnowledgePage()
{
    if (watcher_)
        disconnect(watcher_.get(), nullptr, this, nullptr);
    watcher_.reset();
}

// Undelivered reviews belong to the profile they were made under: one
// file per profile name (the sandbox's ports change from start to start,
// its name does not).
void KnowledgePage::openOutbox()
{
    const QString profile =
        session_->profile().name.isEmpty() ? QStringLiteral("default") : session_->profile().name;
    if (outbox_ && profile == outboxProfile_)
        return;
    outboxProfile_ = profile;
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                        QStringLiteral("/review-outbox");
    QDir().mkpath(dir);
    const QString key = QString::fromLatin1(
        QCryptographicHash::hash(profile.toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
    auto outbox = std::make_unique<models::ReviewOutbox>(dir + QLatin1Char('/') + key +
                                                         QStringLiteral(".json"));
    if (!outbox->loadProblem().isEmpty())
        emit notify(outbox->loadProblem());
    delete reviews_; // it points into the outbox being replaced
    outboxTable_->setModel(outbox.get());
    outbox_ = std::move(outbox);
    reviews_ = new KnowledgeReviews(outbox_.get(), this);
    connect(outbox_.get(), &models::ReviewOutbox::changed, this, &KnowledgePage::updateOutboxBox);
    connect(reviews_, &KnowledgeReviews::reviewed, this, &KnowledgePage::onReviewed);
    connect(reviews_, &KnowledgeReviews::conflicted, this, &KnowledgePage::onConflict);
    connect(reviews_, &KnowledgeReviews::refused, this,
            [this](const QString& entryId, const QString&, const QString& text) {
                setStatus(text);
                if (entryId == currentEntryId())
                    panel_->showError(text);
                updatePanel();
            });
    connect(reviews_, &KnowledgeReviews::queuedForRetry, this,
            [this](const QString& entryId, const QString&, const QString& text) {
                setStatus(text);
                if (entryId == currentEntryId())
                    panel_->showPendingRetry(text);
                updatePanel();
            });
    connect(reviews_, &KnowledgeReviews::inFlightChanged, this, [this] { updatePanel(); });
    reviews_->setClient(client_);
    updateOutboxBox();
}

void KnowledgePage::buildUi()
{
    tabs_ = new QTabWidget(this);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(tabs_);

    auto* queuePage = new QWidget(tabs_);
    auto* layout = new QVBoxLayout(queuePage);

    auto* filters = new QHBoxLayout;
    kindCombo_ = new QComboBox(queuePage);
    kindCombo_->setAccessibleName(tr("Kind"));
    kindCombo_->addItem(tr("All kinds"), 0);
    for (auto kind : {pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION, pb::KNOWLEDGE_KIND_PITFALL,
                      pb::KNOWLEDGE_KIND_SUCCESS_PATTERN, pb::KNOWLEDGE_KIND_CODE_PATTERN})
        kindCombo_->addItem(fmt::kindName(kind), int(kind));
    sourceEdit_ = new QLineEdit(queuePage);
    sourceEdit_->setPlaceholderText(tr("Source instance"));
    sourceEdit_->setAccessibleName(tr("Source instance"));
    sourceEdit_->setClearButtonEnabled(true);
    ageCombo_ = new QComboBox(queuePage);
    ageCombo_->setAccessibleName(tr("Age"));
    ageCombo_->addItem(tr("Any age"), 0);
    ageCombo_->addItem(tr("Last hour"), 3600);
    ageCombo_->addItem(tr("Last 24 hours"), 86400);
    ageCombo_->addItem(tr("Last 7 days"), 7 * 86400);
    ageCombo_->addItem(tr("Last 30 days"), 30 * 86400);
    refreshButton_ = new QPushButton(tr("Refresh"), queuePage);
    refreshButton_->setToolTip(tr("List the entries again (F5)"));
    streamLabel_ = new QLabel(queuePage);
    streamLabel_->setTextFormat(Qt::PlainText);
    filters->addWidget(kindCombo_);
    filters->addWidget(sourceEdit_, 1);
    filters->addWidget(ageCombo_);
    filters->addWidget(refreshButton_);
    filters->addStretch();
    filters->addWidget(streamLabel_);
    layout->addLayout(filters);

    counts_ = new widgets::KnowledgeCountsBar(queuePage);
    layout->addWidget(counts_);

    auto* split = new QSplitter(Qt::Horizontal, queuePage);
    auto* left = new QWidget(split);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    table_ = new QTableView(left);
    table_->setModel(queue_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideRight);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(false);
    // The title takes the room; graph and source get a fixed share
    // (their full text is in the detail), the short columns fit their text.
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(models::KnowledgeQueueModel::Title, QHeaderView::Stretch);
    for (int column :
         {int(models::KnowledgeQueueModel::GraphNode), int(models::KnowledgeQueueModel::Source)}) {
        header->setSectionResizeMode(column, QHeaderView::Interactive);
        header->resizeSection(column, 100);
    }
    header->setMinimumSectionSize(60);
    table_->setAccessibleName(tr("Review queue"));
    leftLayout->addWidget(table_, 1);
    moreButton_ = new QPushButton(tr("Load more"), left);
    moreButton_->hide();
    leftLayout->addWidget(moreButton_);

    outboxBox_ = new QGroupBox(tr("Waiting to be sent"), left);
    auto* outboxLayout = new QVBoxLayout(outboxBox_);
    outboxTable_ = new QTableView(outboxBox_);
    outboxTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    outboxTable_->verticalHeader()->hide();
    outboxTable_->horizontalHeader()->setStretchLastSection(true);
    outboxTable_->setMaximumHeight(140);
    outboxTable_->setAccessibleName(tr("Reviews waiting to be sent"));
    auto* outboxButtons = new QHBoxLayout;
    auto* retry = new QPushButton(tr("Retry now"), outboxBox_);
    auto* discard = new QPushButton(tr("Discard selected"), outboxBox_);
    discard->setToolTip(tr("Give the selected review up: it is not sent"));
    outboxButtons->addWidget(retry);
    outboxButtons->addWidget(discard);
    outboxButtons->addStretch();
    outboxLayout->addWidget(outboxTable_);
    outboxLayout->addLayout(outboxButtons);
    leftLayout->addWidget(outboxBox_);
    connect(retry, &QPushButton::clicked, this, [this] { reviews_->retryNow(); });
    connect(discard, &QPushButton::clicked, this, [this] {
        const QModelIndex index = outboxTable_->currentIndex();
        if (!index.isValid())
            return;
        const auto all = outbox_->all();
        if (index.row() < int(all.size())) {
            const auto& review = all[std::size_t(index.row())];
            setStatus(tr("Discarded the review of \"%1\"; it was not sent.").arg(review.title));
            reviews_->discard(review.requestId);
            updatePanel();
        }
    });

    detailTabs_ = new QTabWidget(split);
    auto* entryPage = new QWidget(detailTabs_);
    auto* entryLayout = new QVBoxLayout(entryPage);
    entryLayout->setContentsMargins(0, 0, 0, 0);
    entryView_ = new widgets::KnowledgeEntryView(entryPage);
    panel_ = new widgets::ReviewPanel(entryPage);
    entryLayout->addWidget(entryView_, 1);
    entryLayout->addWidget(panel_);
    rolloutButton_ = new QPushButton(tr("Roll out this optimization…"), entryPage);
    rolloutButton_->setToolTip(
        tr("Launch a canary of this approved prompt optimization in the Rollouts tab"));
    rolloutButton_->hide();
    connect(rolloutButton_, &QPushButton::clicked, this, [this] {
        if (!currentEntryId().isEmpty())
            emit rolloutRequested(currentEntryId());
    });
    entryLayout->addWidget(rolloutButton_, 0, Qt::AlignLeft);
    detailTabs_->addTab(entryPage, tr("Entry"));
    historyTable_ = new QTableView(detailTabs_);
    historyTable_->setModel(history_);
    historyTable_->verticalHeader()->hide();
    historyTable_->horizontalHeader()->setStretchLastSection(true);
    historyTable_->setWordWrap(true);
    historyTable_->setAccessibleName(tr("Entry history"));
    detailTabs_->addTab(historyTable_, tr("History"));
    split->addWidget(left);
    split->addWidget(detailTabs_);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({860, 640}); // the queue's columns readable at the default window size
    layout->addWidget(split, 1);

    statusLabel_ = new QLabel(queuePage);
    statusLabel_->setTextFormat(Qt::PlainText);
    statusLabel_->setWordWrap(true);
    statusLabel_->setAccessibleName(tr("Last review outcome"));
    layout->addWidget(statusLabel_);
    tabs_->addTab(queuePage, tr("Review queue"));

    audit_ = new KnowledgeAuditPanel(tabs_);
    tabs_->addTab(audit_, tr("Audit log"));

    // --- Wiring.
    connect(kindCombo_, &QComboBox::currentIndexChanged, this, &KnowledgePage::applyFilterFromUi);
    connect(ageCombo_, &QComboBox::currentIndexChanged, this, &KnowledgePage::applyFilterFromUi);
    connect(sourceEdit_, &QLineEdit::editingFinished, this, &KnowledgePage::applyFilterFromUi);
    connect(refreshButton_, &QPushButton::clicked, this, &KnowledgePage::refresh);
    connect(moreButton_, &QPushButton::clicked, this, &KnowledgePage::loadMore);
    connect(counts_, &widgets::KnowledgeCountsBar::statusClicked, this, [this](const QString& key) {
        statusKey_ = key;
        counts_->setActiveStatus(key);
        applyFilterFromUi();
    });
    connect(queue_, &models::KnowledgeQueueModel::countsChanged, this,
            [this] { counts_->setCounts(queue_->counts()); });
    // Entries that arrive into an empty queue: the first pending one gets
    // the cursor, so A/R work without a click.
    // (After the burst: the top pending row, not the first to arrive.)
    connect(queue_, &QAbstractItemModel::rowsInserted, this, [this] {
        QTimer::singleShot(0, this, [this] {
            if (!table_->currentIndex().isValid())
                if (const int row = queue_->nextPending(-1, +1); row >= 0)
                    selectOnly(row);
        });
    });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showCurrent(); });
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { updatePanel(); });
    connect(entryView_, &widgets::KnowledgeEntryView::traceRequested, this,
            &KnowledgePage::openTraceRequested);
    connect(panel_, &widgets::ReviewPanel::approveRequested, this,
            [this](const QString& comment) { review(pb::REVIEW_DECISION_APPROVE, comment); });
    connect(panel_, &widgets::ReviewPanel::rejectRequested, this,
            [this](const QString& comment) { review(pb::REVIEW_DECISION_REJECT, comment); });
    connect(panel_, &widgets::ReviewPanel::commentEscaped, this, [this] { table_->setFocus(); });

    // The name (whatsThis) is what Help › Keyboard Shortcuts and the command
    // palette show.
    auto key = [this](const QKeySequence& sequence, const QString& name, auto slot) {
        auto* shortcut = new QShortcut(sequence, tabs_->widget(0));
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        shortcut->setWhatsThis(name);
        connect(shortcut, &QShortcut::activated, this, slot);
    };
    key(QKeySequence(Qt::Key_J), tr("Next entry"), [this] { moveCursor(+1); });
    key(QKeySequence(Qt::Key_K), tr("Previous entry"), [this] { moveCursor(-1); });
    key(QKeySequence(Qt::Key_A), tr("Approve the selected entries"),
        [this] { approveSelection(); });
    key(QKeySequence(Qt::Key_R), tr("Reject the selected entries"), [this] { rejectSelection(); });
    key(QKeySequence(Qt::Key_F5), tr("Refresh the queue"), [this] { refresh(); });

    clock_ = new QTimer(this);
    clock_->setInterval(30'000);
    connect(clock_, &QTimer::timeout, this, [this] { queue_->setNowUs(nowUs()); });
    clock_->start();
    queue_->setNowUs(nowUs());
    entryView_->clear();
    updateOutboxBox();
}

void KnowledgePage::setClient(client::NexusClient* client)
{
    if (client_)
        disconnect(client_, nullptr, this, nullptr);
    if (watcher_)
        disconnect(watcher_.get(), nullptr, this, nullptr);
    watcher_.reset();
    client_ = client;
    openOutbox();
    reviews_->setClient(client);
    audit_->setClient(client);
    listRequest_ = 0;
    entryRequests_.clear();
    canReview_ = false;
    cannotReviewReason_ =
        client ? tr("Checking your role with Nexus…") : tr("Not connected to Nexus.");
    streamText_ = client ? tr("Connecting…") : tr("Not connected");
    streamLabel_->setText(streamText_);
    updatePanel();
    if (!client)
        return;
    connect(client, &client::NexusClient::entriesListed, this, &KnowledgePage::onListed);
    connect(client, &client::NexusClient::entryReceived, this, &KnowledgePage::onEntry);
    connect(client, &client::NexusClient::callFailed, this, &KnowledgePage::onFailed);
    connect(client, &client::NexusClient::whoAmIReceived, this,
            [this](quint64, const pb::WhoAmIResponse& who) {
                const QString actor = QString::fromStdString(who.actor());
                canReview_ = who.role() >= pb::ROLE_APPROVER;
                const QString role = QString::fromStdString(pb::Role_Name(who.role()))
                                         .remove(QStringLiteral("ROLE_"))
                                         .toLower();
                cannotReviewReason_ =
                    canReview_ ? QString()
                               : tr("Signed in as %1 (%2): reviewing needs the approver role.")
                                     .arg(actor, role);
                updatePanel();
            });
    client->whoAmI();

    watcher_ = std::make_unique<client::KnowledgeWatcher>(client->channel(), client->endpoint());
    connect(watcher_.get(), &client::KnowledgeWatcher::subscribed, this, &KnowledgePage::refresh);
    connect(watcher_.get(), &client::KnowledgeWatcher::resyncNeeded, this, &KnowledgePage::refresh);
    connect(watcher_.get(), &client::KnowledgeWatcher::eventReceived, this,
            &KnowledgePage::onEvent);
    connect(watcher_.get(), &client::KnowledgeWatcher::stateChanged, this,
            [this](client::KnowledgeWatcher::State state, int attempt, int retryInMs,
                   const QString& detail) {
                streamText_ =
                    streamStateText(state, attempt, retryInMs, detail, tr("the last list"));
                streamLabel_->setText(streamText_);
            });
    watcher_->start();
}

void KnowledgePage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!listedOnce_ && client_)
        refresh();
}

void KnowledgePage::applyFilterFromUi()
{
    models::KnowledgeFilter filter;
    if (const int kind = kindCombo_->currentData().toInt(); kind != 0)
        filter.kinds.insert(kind);
    if (const auto status = fmt::statusFromKey(statusKey_))
        filter.statuses.insert(int(*status));
    filter.sourceInstance = sourceEdit_->text().trimmed();
    filter.tenant = session_->tenant(); // the menu bar's tenant
    if (const qint64 seconds = ageCombo_->currentData().toLongLong(); seconds > 0)
        filter.createdAfterUs = nowUs() - seconds * 1'000'000;
    queue_->setFilter(filter);
    refresh();
}

void KnowledgePage::refresh()
{
    if (!client_)
        return;
    listedOnce_ = true;
    if (!currentEntryId().isEmpty())
        pendingSelect_ = currentEntryId();
    listAppends_ = false;
    listRequest_ = client_->listEntries(queue_->filter().toRequest(kPageSize));
}

void KnowledgePage::loadMore()
{
    if (!client_ || !queue_->hasMore())
        return;
    auto request = queue_->filter().toRequest(kPageSize);
    request.set_page_token(queue_->nextPageToken());
    listAppends_ = true;
    listRequest_ = client_->listEntries(request);
}

void KnowledgePage::onListed(quint64 id, const pb::ListEntriesResponse& response)
{
    if (id != listRequest_)
        return; // an older listing
    listRequest_ = 0;
    if (listAppends_) {
        queue_->appendPage(response);
    } else {
        queue_->reset(response);
        int row = pendingSelect_.isEmpty() ? -1 : queue_->rowOf(pendingSelect_);
        if (row < 0)
            row = queue_->nextPending(-1, +1);
        if (row < 0 && queue_->rowCount() > 0)
            row = 0;
        if (row >= 0)
            selectOnly(row);
        else
            showCurrent();
    }
    pendingSelect_.clear();
    moreButton_->setVisible(queue_->hasMore());
    counts_->setCounts(queue_->counts());
}

void KnowledgePage::onFailed(quint64 id, const client::CallError& error)
{
    if (id == listRequest_) {
        listRequest_ = 0;
        setStatus(tr("Could not list the knowledge entries: %1").arg(error.text));
    } else if (entryRequests_.contains(id)) {
        // Said on the History tab: the status line keeps the last review's
        // outcome, which matters more.
        if (entryRequests_.take(id) == currentEntryId()) {
            detailTabs_->setTabText(1, tr("History (not loaded)"));
            detailTabs_->setTabToolTip(1, error.text);
        }
    }
}

void KnowledgePage::onEvent(const pb::KnowledgeEvent& event)
{
    queue_->apply(event);
    const QString entryId = QString::fromStdString(event.entry().entry_id());
    if (entryId.isEmpty() || entryId != currentEntryId())
        return;
    // The entry on screen changed under us: show it as it is now, and who
    // reviewed it, before a review of ours could conflict.
    showCurrent();
    if (event.type() == pb::KnowledgeEvent::TYPE_REVIEWED && event.has_review() &&
        !reviews_->isSettling(entryId)) {
        const pb::Review& r = event.review();
        panel_->showConflict(
            tr("%1 %2d this entry %3%4")
                .arg(QString::fromStdString(r.reviewer()), fmt::decisionVerb(r.decision()),
                     fmt::age(r.reviewed_us(), nowUs()),
                     r.comment().empty()
                         ? QString()
                         : QStringLiteral(": “%1”").arg(QString::fromStdString(r.comment()))));
    }
}

void KnowledgePage::setStatus(const QString& text)
{
    statusText_ = text;
    statusLabel_->setText(text);
}

QString KnowledgePage::currentEntryId() const
{
    const QModelIndex index = table_->currentIndex();
    if (!index.isValid())
        return {};
    return index.siblingAtColumn(0).data(models::KnowledgeQueueModel::EntryIdRole).toString();
}

QString KnowledgePage::statusText() const
{
    return statusText_;
}

QString KnowledgePage::streamText() const
{
    return streamText_;
}

} // namespace nexus::app
