#include "widgets/CostBreakdownView.h"

#include "models/CostBreakdownModels.h"
#include "models/TraceFormat.h"
#include "widgets/FlameGraphView.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace nexus::widgets {
namespace {

namespace fmt = models::tracefmt;

QTableView* makeTable(QAbstractItemModel* model, QWidget* parent)
{
    auto* table = new QTableView(parent);
    table->setModel(model);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->setShowGrid(false);
    table->setSortingEnabled(true);
    table->sortByColumn(-1, Qt::AscendingOrder); // execution order until the user sorts
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    return table;
}

QWidget* titled(const QString& title, QWidget* content, QWidget* parent)
{
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* label = new QLabel(title, box);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    layout->addWidget(label);
    layout->addWidget(content, 1);
    return box;
}

} // namespace

CostBreakdownView::CostBreakdownView(QWidget* parent) : QWidget(parent)
{
    summary_ = new QLabel(this);
    summary_->setTextFormat(Qt::PlainText);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    flame_ = new FlameGraphView(this);

    nodeModel_ = new models::NodeCostModel(this);
    nodeSort_ = new QSortFilterProxyModel(this);
    nodeSort_->setSourceModel(nodeModel_);
    nodeSort_->setSortRole(models::NodeCostModel::SortRole);
    modelModel_ = new models::ModelCostModel(this);
    modelSort_ = new QSortFilterProxyModel(this);
    modelSort_->setSourceModel(modelModel_);
    modelSort_->setSortRole(models::ModelCostModel::SortRole);
    nodes_ = makeTable(nodeSort_, this);
    nodes_->setAccessibleName(tr("Cost per node"));
    models_ = makeTable(modelSort_, this);
    models_->setAccessibleName(tr("Cost per model"));

    // The flame graph is a few rows deep: it gets what it asks for, the
    // node table (the wide one) the rest, the model table a few rows.
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(flame_);
    split->addWidget(titled(tr("Per node"), nodes_, split));
    split->addWidget(titled(tr("Per model"), models_, split));
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 1);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(summary_);
    layout->addWidget(split, 1);

    coalesce_ = new QTimer(this);
    coalesce_->setSingleShot(true);
    coalesce_->setInterval(100);
    connect(coalesce_, &QTimer::timeout, this, &CostBreakdownView::rebuild);
    connect(flame_, &FlameGraphView::perVisitChanged, this, &CostBreakdownView::rebuild);
    connect(flame_, &FlameGraphView::nodeActivated, this, [this](const QString& node) {
        selectNode(node);
        emit nodeActivated(node);
    });
    connect(nodes_, &QTableView::clicked, this, [this](const QModelIndex& index) {
        const QString node = index.data(models::NodeCostModel::NodeRole).toString();
        if (!node.isEmpty())
            emit nodeActivated(node);
    });
    rebuild();
}

CostBreakdownView::~CostBreakdownView() = default;

void CostBreakdownView::setRun(const models::Run* run)
{
    run_ = run;
    rebuild();
}

void CostBreakdownView::clear()
{
    setRun(nullptr);
}

void CostBreakdownView::runChanged()
{
    if (!coalesce_->isActive())
        coalesce_->start();
}

void CostBreakdownView::rebuild()
{
    coalesce_->stop();
    const bool perVisit = flame_->perVisit();
    // A rebuild of the same run and shape (new steps arrived) keeps the zoom.
    const bool keepZoom =
        breakdown_ && run_ && breakdown_->runId == run_->id && breakdown_->perVisit == perVisit;
    const int zoom = flame_->zoomedFrame();
    breakdown_ = run_ ? std::make_shared<const models::CostBreakdown>(
                            models::buildCostBreakdown(*run_, perVisit))
                      : nullptr;
    flame_->setBreakdown(breakdown_);
    if (keepZoom && zoom > 0 && zoom < int(breakdown_->frames.size()))
        flame_->zoomTo(zoom);
    nodeModel_->setBreakdown(breakdown_);
    modelModel_->setBreakdown(breakdown_);
    summary_->setText(summaryText());
}

QString CostBreakdownView::summaryText() const
{
    if (!breakdown_)
        return tr("No run selected.");
    const auto& b = *breakdown_;
    QStringList parts;
    parts << QString::fromStdString(run_ && !run_->graphName.empty() ? run_->graphName
                                                                     : std::string("run"));
    parts << tr("%1 wall clock").arg(fmt::duration(b.runDurationUs));
    if (b.root().timeUs > b.runDurationUs)
        parts << tr("%1 node time").arg(fmt::duration(b.root().timeUs));
    int executions = 0;
    for (const auto& node : b.nodes)
        executions += node.visits;
    parts << (executions == 1 ? tr("1 node execution") : tr("%1 node executions").arg(executions));
    parts << tr("%1 tokens").arg(fmt::count(b.tokens));
    parts << fmt::usd(b.costUsd);
    parts << (b.models.size() == 1 ? tr("1 model") : tr("%1 models").arg(b.models.size()));
    return parts.join(QStringLiteral("  \u00b7  "));
}

void CostBreakdownView::selectNode(const QString& node)
{
    const int row = nodeModel_->rowOf(node);
    if (row < 0) {
        nodes_->clearSelection();
        return;
    }
    const QModelIndex index = nodeSort_->mapFromSource(nodeModel_->index(row, 0));
    nodes_->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect |
                                                QItemSelectionModel::Rows);
    nodes_->scrollTo(index);
}

} // namespace nexus::widgets
