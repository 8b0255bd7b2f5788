#include "RunsPage.h"

#include "models/RunListModel.h"
#include "widgets/RunView.h"

#include "ConsoleSession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace nexus::app {

RunsPage::RunsPage(ConsoleSession* session, QWidget* parent)
    : QWidget(parent), session_(session), proxy_(new models::RunFilterProxy(this)),
      search_(new QLineEdit(this)), graph_(new QComboBox(this)), status_(new QComboBox(this)),
      follow_(new QCheckBox(tr("Follow newest"), this)), count_(new QLabel(this)),
      table_(new QTableView(this)), view_(new widgets::RunView(this))
{
    setObjectName(QStringLiteral("runsPage"));
    proxy_->setSourceModel(session_->runList());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto* listPane = new QWidget(this);
    auto* listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(0, 0, 0, 0);
    auto* filters = new QHBoxLayout;
    search_->setObjectName(QStringLiteral("runSearch"));
    search_->setAccessibleName(tr("Filter runs"));
    search_->setPlaceholderText(tr("Filter by thread or instance"));
    search_->setClearButtonEnabled(true);
    graph_->setObjectName(QStringLiteral("runGraphFilter"));
    graph_->addItem(tr("All graphs"), QString());
    status_->setObjectName(QStringLiteral("runStatusFilter"));
    status_->addItem(tr("Any status"), -1);
    status_->addItem(tr("Running"), int(models::RunStatus::Running));
    status_->addItem(tr("Completed"), int(models::RunStatus::Completed));
    status_->addItem(tr("Error"), int(models::RunStatus::Error));
    status_->addItem(tr("Stale"), int(models::RunStatus::Stale));
    filters->addWidget(search_, 1);
    filters->addWidget(graph_);
    filters->addWidget(status_);
    listLayout->addLayout(filters);
    auto* options = new QHBoxLayout;
    follow_->setObjectName(QStringLiteral("runFollowNewest"));
    follow_->setChecked(true);
    follow_->setToolTip(tr("Show each new run as it starts; pick a run to pin it"));
    count_->setObjectName(QStringLiteral("runCount"));
    count_->setTextFormat(Qt::PlainText);
    options->addWidget(follow_);
    options->addStretch(1);
    options->addWidget(count_);
    listLayout->addLayout(options);

    table_->setObjectName(QStringLiteral("runTable"));
    table_->setAccessibleName(tr("Runs"));
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(models::RunListModel::Started, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setAlternatingRowColors(true);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setWordWrap(false);
    listLayout->addWidget(table_, 1);

    view_->setStore(session_->runStore());
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("runsSplitter"));
    split->addWidget(listPane);
    split->addWidget(view_);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setSizes({430, 1070});
    layout->addWidget(split, 1);

    connect(search_, &QLineEdit::textChanged, proxy_, &models::RunFilterProxy::setTextFilter);
    connect(graph_, &QComboBox::currentIndexChanged, this,
            [this] { proxy_->setGraphFilter(graph_->currentData().toString()); });
    connect(status_, &QComboBox::currentIndexChanged, this, [this] {
        const int s = status_->currentData().toInt();
        proxy_->setStatusFilter(s < 0 ? std::optional<models::RunStatus>{}
                                      : std::optional<models::RunStatus>{models::RunStatus(s)});
    });
    connect(follow_, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            applied({});
    });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RunsPage::selectionChanged);
    connect(session_, &ConsoleSession::runsApplied, this, &RunsPage::applied);
    updateCount();
}

void RunsPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    applied({}); // follow what arrived while another tab was shown
}

bool RunsPage::followNewest() const
{
    return follow_->isChecked();
}

void RunsPage::setFollowNewest(bool follow)
{
    follow_->setChecked(follow);
}

void RunsPage::applied(const models::ApplyResult& result)
{
    if (!result.added.empty())
        updateGraphChoices();
    view_->storeChanged(result);
    // Following: once the run shown has ended (or none is shown), move on to
    // the newest run that passes the filters, so that a busy fleet's runs
    // are watched whole instead of flickering past.
    // (Only while the tab is shown: it catches up when shown again.)
    const models::Run* shown = view_->run();
    if (follow_->isChecked() && isVisible() &&
        (!shown || shown->status != models::RunStatus::Running)) {
        const models::Run* newest = nullptr;
        for (const models::Run* r : session_->runStore()->runs()) {
            const QModelIndex index = session_->runList()->indexOfRun(r->id);
            if (index.isValid() && proxy_->mapFromSource(index).isValid() &&
                (!newest || r->startUs >= newest->startUs))
                newest = r;
        }
        if (newest && newest != shown)
            selectRow(proxy_->mapFromSource(session_->runList()->indexOfRun(newest->id)).row());
    }
    updateCount();
}

void RunsPage::selectRow(int proxyRow)
{
    if (proxyRow < 0 || proxyRow >= proxy_->rowCount())
        return;
    selecting_ = true;
    const QModelIndex index = proxy_->index(proxyRow, 0);
    table_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    table_->scrollTo(index);
    selecting_ = false;
    selectionChanged();
}

void RunsPage::selectionChanged()
{
    const QModelIndex current = table_->selectionModel()->currentIndex();
    if (!current.isValid())
        return;
    // A run the user picked (mouse or keys in the table) is pinned:
    // following would take it away. Rows moving under a re-sort are not a pick.
    if (!selecting_ && table_->hasFocus() && follow_->isChecked())
        follow_->setChecked(false);
    const auto id = proxy_->data(current, models::RunListModel::RunIdRole).toULongLong();
    if (id != view_->runId()) {
        view_->setFollowLive(true);
        view_->showRun(id);
    }
}

bool RunsPage::selectRun(const QString& threadId)
{
    for (int row = 0; row < proxy_->rowCount(); ++row) {
        const auto id =
            proxy_->data(proxy_->index(row, 0), models::RunListModel::RunIdRole).toULongLong();
        const models::Run* r = session_->runStore()->run(id);
        if (r && QString::fromStdString(r->threadId).startsWith(threadId)) {
            follow_->setChecked(false);
            selectRow(row);
            return true;
        }
    }
    return false;
}

void RunsPage::updateGraphChoices()
{
    QStringList names;
    for (const models::Run* r : session_->runStore()->runs())
        if (!r->graphName.empty())
            names << QString::fromStdString(r->graphName);
    names.removeDuplicates();
    names.sort();
    for (const QString& n : names)
        if (graph_->findData(n) < 0)
            graph_->addItem(n, n);
}

void RunsPage::updateCount()
{
    const int total = session_->runList()->rowCount();
    const int shown = proxy_->rowCount();
    count_->setText(shown == total ? tr("%n run(s)", nullptr, total)
                                   : tr("%1 of %2 runs").arg(shown).arg(total));
}

} // namespace nexus::app
