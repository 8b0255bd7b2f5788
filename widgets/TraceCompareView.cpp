#include "widgets/TraceCompareView.h"

#include "models/StateDiffModel.h"
#include "models/TraceComparisonModels.h"
#include "models/TraceFormat.h"
#include "widgets/ThemeStyle.h"

#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace nexus::widgets {
namespace {

namespace fmt = models::tracefmt;
using models::AlignKind;

// The state diff table compares A with B, not before with after.
class StateCompareProxy : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation == Qt::Horizontal && role == Qt::DisplayRole) {
            if (section == models::StateDiffModel::ChangeColumn)
                return QStringLiteral("Difference");
            if (section == models::StateDiffModel::BeforeColumn)
                return QStringLiteral("A");
            if (section == models::StateDiffModel::AfterColumn)
                return QStringLiteral("B");
        }
        return QIdentityProxyModel::headerData(section, orientation, role);
    }

    QVariant data(const QModelIndex& index, int role) const override
    {
        if (role == Qt::DisplayRole && index.column() == models::StateDiffModel::ChangeColumn) {
            switch (models::ChangeKind(
                QIdentityProxyModel::data(index, models::StateDiffModel::ChangeKindRole).toInt())) {
            case models::ChangeKind::Added:
                return QStringLiteral("only in B");
            case models::ChangeKind::Removed:
                return QStringLiteral("only in A");
            case models::ChangeKind::Changed:
                return QStringLiteral("differs");
            }
        }
        return QIdentityProxyModel::data(index, role);
    }
};

QLabel* plainLabel(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    return label;
}

QLabel* sectionTitle(const QString& text, QWidget* parent)
{
    QLabel* label = plainLabel(text, parent);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

QTableView* makeTable(QWidget* parent)
{
    auto* table = new QTableView(parent);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->setShowGrid(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    return table;
}

QString runText(const models::TraceSide& side)
{
    const QString thread = QString::fromStdString(side.threadId);
    return side.ordinal > 1 ? QStringLiteral("%1 #%2").arg(thread).arg(side.ordinal) : thread;
}

// "+1.20 s (+12.0 %)"; red when B needs more, green when less.
QString withPercent(const QString& delta, double a, double b)
{
    if (a == b)
        return QStringLiteral("0");
    return QStringLiteral("%1 (%2)").arg(delta, fmt::signedPercent(models::percentChange(a, b)));
}

QString deltaStyle(double delta)
{
    if (delta > 0)
        return QStringLiteral("color: #b3261e;");
    if (delta < 0)
        return QStringLiteral("color: #1b7f3b;");
    return {};
}

constexpr int kHeaderColumns = 8; // label, run, graph, status, duration, tokens, cost, nodes

} // namespace

TraceCompareView::TraceCompareView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeHeader());
    layout->addWidget(makeBody(), 1);
    clear();
}

TraceCompareView::~TraceCompareView() = default;

QWidget* TraceCompareView::makeHeader()
{
    auto* header = new QWidget(this);
    auto* column = new QVBoxLayout(header);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(sectionTitle(tr("Trace comparison"), header));
    grid_ = new QGridLayout;
    grid_->setHorizontalSpacing(18);
    grid_->setVerticalSpacing(2);
    const QString headings[kHeaderColumns] = {
        QString(),      tr("Run"),    tr("Graph"), tr("Status"),
        tr("Duration"), tr("Tokens"), tr("Cost"),  tr("Node executions")};
    for (int c = 0; c < kHeaderColumns; ++c) {
        QLabel* h = plainLabel(headings[c], header);
        setThemedStyleSheet(h, QStringLiteral("color: palette(placeholder-text);"));
        grid_->addWidget(h, 0, c, c >= 4 ? Qt::AlignRight : Qt::AlignLeft);
        for (int r = 1; r <= 3; ++r) {
            QLabel* cell = plainLabel(QString(), header);
            cell->setTextInteractionFlags(Qt::TextSelectableByMouse);
            grid_->addWidget(cell, r, c, c >= 4 ? Qt::AlignRight : Qt::AlignLeft);
        }
    }
    grid_->setColumnStretch(kHeaderColumns, 1);
    column->addLayout(grid_);

    divergenceBox_ = new QFrame(header);
    divergenceBox_->setObjectName(QStringLiteral("divergence"));
    auto* box = new QHBoxLayout(divergenceBox_);
    box->setContentsMargins(8, 6, 8, 6);
    divergence_ = plainLabel(QString(), divergenceBox_);
    divergence_->setWordWrap(true);
    divergence_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(divergence_, 1);
    goToDivergence_ = new QPushButton(tr("Go to divergence"), divergenceBox_);
    goToDivergence_->setToolTip(tr("Select the row and show that step in both runs"));
    box->addWidget(goToDivergence_, 0, Qt::AlignVCenter);
    connect(goToDivergence_, &QPushButton::clicked, this, &TraceCompareView::goToDivergence);
    column->addWidget(divergenceBox_);
    return header;
}

QWidget* TraceCompareView::makeBody()
{
    pathModel_ = new models::AlignedPathModel(this);
    path_ = makeTable(this);
    path_->setAccessibleName(tr("Path differences"));
    path_->setModel(pathModel_);
    nodeModel_ = new models::NodeDeltaModel(this);
    nodeSort_ = new QSortFilterProxyModel(this);
    nodeSort_->setSourceModel(nodeModel_);
    nodeSort_->setSortRole(models::NodeDeltaModel::SortRole);
    nodes_ = makeTable(this);
    nodes_->setAccessibleName(tr("Node differences"));
    nodes_->setModel(nodeSort_);
    nodes_->setSortingEnabled(true);
    nodes_->sortByColumn(-1, Qt::AscendingOrder);
    stateModel_ = new models::StateDiffModel(this);
    auto* stateProxy = new StateCompareProxy(this);
    stateProxy->setSourceModel(stateModel_);
    state_ = makeTable(this);
    state_->setAccessibleName(tr("State differences"));
    state_->setModel(stateProxy);
    // Values get the room: A and B share what the kind and path leave.
    state_->horizontalHeader()->setStretchLastSection(false);
    state_->horizontalHeader()->setSectionResizeMode(models::StateDiffModel::BeforeColumn,
                                                     QHeaderView::Stretch);
    state_->horizontalHeader()->setSectionResizeMode(models::StateDiffModel::AfterColumn,
                                                     QHeaderView::Stretch);
    nodes_->horizontalHeader()->setStretchLastSection(false); // numbers stay by their heading

    auto* pathBox = new QWidget(this);
    auto* pathLayout = new QVBoxLayout(pathBox);
    pathLayout->setContentsMargins(0, 0, 0, 0);
    auto* pathTitle = new QHBoxLayout;
    pathTitle->addWidget(sectionTitle(tr("Aligned path"), pathBox));
    QLabel* legend = plainLabel(tr("=  same    \u2260  state or outcome differs    A / B  ran only "
                                   "in that run    \u2225  parallel branch"),
                                pathBox);
    setThemedStyleSheet(legend, QStringLiteral("color: palette(placeholder-text);"));
    pathTitle->addWidget(legend, 1, Qt::AlignRight);
    pathLayout->addLayout(pathTitle);
    pathLayout->addWidget(path_, 1);

    auto* stateBox = new QWidget(this);
    auto* stateLayout = new QVBoxLayout(stateBox);
    stateLayout->setContentsMargins(0, 0, 0, 0);
    stateTitle_ = sectionTitle(QString(), stateBox);
    stateTitle_->setWordWrap(true);
    stateLayout->addWidget(stateTitle_);
    stateLayout->addWidget(state_, 1);

    auto* nodeBox = new QWidget(this);
    auto* nodeLayout = new QVBoxLayout(nodeBox);
    nodeLayout->setContentsMargins(0, 0, 0, 0);
    nodeLayout->addWidget(sectionTitle(tr("Per node (B \u2212 A)"), nodeBox));
    nodeLayout->addWidget(nodes_, 1);

    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(pathBox);
    top->addWidget(stateBox);
    top->setStretchFactor(0, 1);
    top->setStretchFactor(1, 1);
    top->setSizes({560, 440}); // scaled to the real width on the first show
    top->setChildrenCollapsible(false);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(nodeBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);

    connect(path_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { showStateOf(current.row()); });
    connect(path_, &QTableView::activated, this,
            [this](const QModelIndex& index) { pickSteps(index.row()); });
    return split;
}

void TraceCompareView::setRuns(const models::RunStore& store, quint64 runA, quint64 runB)
{
    const models::Run* a = store.run(runA);
    const models::Run* b = store.run(runB);
    if (!a || !b) {
        clear();
        return;
    }
    setComparison(
        std::make_shared<const models::TraceComparison>(models::compareTraces(store, *a, *b)));
}

void TraceCompareView::setComparison(std::shared_ptr<const models::TraceComparison> comparison)
{
    comparison_ = std::move(comparison);
    pathModel_->setComparison(comparison_);
    nodeModel_->setComparison(comparison_);
    updateHeader();
    selectRow(comparison_ && comparison_->divergence      ? comparison_->divergence->row
              : comparison_ && !comparison_->rows.empty() ? 0
                                                          : -1);
}

void TraceCompareView::clear()
{
    setComparison(nullptr);
}

void TraceCompareView::updateHeader()
{
    auto cell = [this](int row, int column) {
        return static_cast<QLabel*>(grid_->itemAtPosition(row + 1, column)->widget());
    };
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < kHeaderColumns; ++c) {
            cell(r, c)->clear();
            setThemedStyleSheet(cell(r, c), QString());
        }
    const auto* c = comparison_.get();
    if (!c) {
        divergence_->setText(tr("Pick two runs to compare."));
        goToDivergence_->hide();
        setThemedStyleSheet(divergenceBox_, QString());
        return;
    }
    const models::TraceSide* sides[] = {&c->a, &c->b};
    const QString names[] = {QStringLiteral("A"), QStringLiteral("B")};
    for (int r = 0; r < 2; ++r) {
        const models::TraceSide& s = *sides[r];
        cell(r, 0)->setText(names[r]);
        setThemedStyleSheet(cell(r, 0), QStringLiteral("font-weight: bold;"));
        cell(r, 1)->setText(runText(s));
        cell(r, 2)->setText(QString::fromStdString(s.graphName));
        cell(r, 3)->setText(QString::fromLatin1(models::runStatusName(s.status)));
        cell(r, 4)->setText(fmt::duration(s.durationUs));
        cell(r, 5)->setText(fmt::count(s.tokens));
        cell(r, 6)->setText(fmt::usd(s.costUsd));
        cell(r, 7)->setText(QString::number(s.nodeCount));
    }
    cell(2, 0)->setText(tr("B \u2212 A"));
    setThemedStyleSheet(cell(2, 0), QStringLiteral("font-weight: bold;"));
    if (c->a.graphName != c->b.graphName)
        cell(2, 2)->setText(tr("different graphs"));
    cell(2, 4)->setText(withPercent(fmt::signedDuration(c->durationDelta()),
                                    double(c->a.durationUs), double(c->b.durationUs)));
    setThemedStyleSheet(cell(2, 4), deltaStyle(double(c->durationDelta())));
    cell(2, 5)->setText(
        withPercent(fmt::signedCount(c->tokenDelta()), double(c->a.tokens), double(c->b.tokens)));
    setThemedStyleSheet(cell(2, 5), deltaStyle(double(c->tokenDelta())));
    cell(2, 6)->setText(withPercent(fmt::signedUsd(c->costDelta()), c->a.costUsd, c->b.costUsd));
    setThemedStyleSheet(cell(2, 6), deltaStyle(c->costDelta()));
    cell(2, 7)->setText(fmt::signedCount(c->nodeCountDelta()));
    divergence_->setText(divergenceText());
    goToDivergence_->setVisible(c->divergence.has_value());
    setThemedStyleSheet(
        divergenceBox_,
        c->divergence ? QStringLiteral("QFrame#divergence { background: rgba(245, 158, 11, 40); "
                                       "border: 1px solid rgba(180, 110, 0, 120); "
                                       "border-radius: 4px; }")
                      : QStringLiteral("QFrame#divergence { background: rgba(22, 163, 74, 30); "
                                       "border: 1px solid rgba(22, 120, 60, 110); "
                                       "border-radius: 4px; }"));
}

QString TraceCompareView::divergenceText() const
{
    if (!comparison_)
        return {};
    const auto& c = *comparison_;
    const QString counts = tr("%1 same, %2 changed, %3 only in A, %4 only in B")
                               .arg(c.count(AlignKind::Same))
                               .arg(c.count(AlignKind::Changed))
                               .arg(c.count(AlignKind::OnlyA))
                               .arg(c.count(AlignKind::OnlyB));
    QString text = c.divergence
                       ? tr("First divergence at row %1: %2")
                             .arg(c.divergence->row + 1)
                             .arg(QString::fromStdString(c.divergence->explanation))
                       : tr("No divergence: the same path and the same state after every node.");
    text += QStringLiteral("\n") + counts;
    if (c.approximate)
        text += tr(" (long runs: aligned greedily)");
    return text;
}

QString TraceCompareView::stateTitle() const
{
    return stateTitle_->text();
}

QString TraceCompareView::headerCell(int row, int column) const
{
    QLayoutItem* item = grid_->itemAtPosition(row + 1, column);
    return item ? static_cast<QLabel*>(item->widget())->text() : QString();
}

int TraceCompareView::selectedRow() const
{
    const QModelIndex current = path_->selectionModel()->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void TraceCompareView::selectRow(int row)
{
    if (row < 0 || row >= pathModel_->rowCount()) {
        path_->selectionModel()->clearSelection();
        showStateOf(-1);
        return;
    }
    const QModelIndex index = pathModel_->index(row, models::AlignedPathModel::NodeAColumn);
    path_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                        QItemSelectionModel::Rows);
    path_->scrollTo(index);
    showStateOf(row);
}

void TraceCompareView::goToDivergence()
{
    if (!comparison_ || !comparison_->divergence)
        return;
    const models::Divergence& d = *comparison_->divergence;
    selectRow(d.row);
    if (d.stepA != models::kNoIndex)
        emit stepPickedA(d.stepA);
    if (d.stepB != models::kNoIndex)
        emit stepPickedB(d.stepB);
}

void TraceCompareView::pickSteps(int row)
{
    const models::AlignedRow* r = pathModel_->rowAt(row);
    if (!r)
        return;
    if (r->spanA >= 0 && r->stepA != models::kNoIndex)
        emit stepPickedA(r->stepA);
    if (r->spanB >= 0 && r->stepB != models::kNoIndex)
        emit stepPickedB(r->stepB);
}

void TraceCompareView::showStateOf(int row)
{
    const models::AlignedRow* r = pathModel_->rowAt(row);
    if (!r) {
        stateModel_->clear();
        stateTitle_->setText(tr("State differences"));
        return;
    }
    QString node = QString::fromStdString(r->node);
    const int visit = r->spanA >= 0 ? r->visitA : r->visitB;
    if (visit > 1)
        node += tr(" (visit %1)").arg(visit);
    if (!r->matched()) {
        stateModel_->clear();
        stateTitle_->setText(
            tr("%1 ran only in %2: no state to compare")
                .arg(node, r->spanA >= 0 ? QStringLiteral("A") : QStringLiteral("B")));
        return;
    }
    stateModel_->setChanges(r->stateChanges);
    if (!r->stateCompared)
        stateTitle_->setText(tr("State after %1: not known in both runs").arg(node));
    else if (!r->stateDiffers)
        stateTitle_->setText(tr("State after %1: the same in A and B").arg(node));
    else if (r->stateChangeCount > r->stateChanges.size())
        stateTitle_->setText(tr("State after %1: %2 paths differ (the first %3 shown)")
                                 .arg(node)
                                 .arg(r->stateChangeCount)
                                 .arg(r->stateChanges.size()));
    else
        stateTitle_->setText(
            r->stateChangeCount == 1
                ? tr("State after %1: 1 path differs").arg(node)
                : tr("State after %1: %2 paths differ").arg(node).arg(r->stateChangeCount));
    if (r->outcomeDiffers)
        stateTitle_->setText(stateTitle_->text() +
                             tr(" \u00b7 outcome: %1 in A, %2 in B")
                                 .arg(QString::fromLatin1(models::nodeStateName(r->stateA)),
                                      QString::fromLatin1(models::nodeStateName(r->stateB))));
}

} // namespace nexus::widgets
