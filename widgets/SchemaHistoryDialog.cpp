#include "widgets/SchemaHistoryDialog.h"

#include "widgets/GraphCanvas.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <set>

namespace nexus::widgets {
namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QTableWidgetItem* cell(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return item;
}

QString timeOf(std::int64_t us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(
        QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

std::set<std::string> edgeKeys(const runtime::Graph& g)
{
    std::set<std::string> keys;
    for (const auto& e : g.edges)
        keys.insert(e.from + " \u2192 " + e.to + " (" + runtime::edgeKindName(e.kind) +
                    (e.label.empty() ? "" : ", " + e.label) + ")");
    return keys;
}

} // namespace

QStringList schemaChanges(const runtime::Graph* before, const runtime::Graph* after)
{
    QStringList lines;
    if (!before || !after) {
        lines << SchemaHistoryDialog::tr("no graph to compare with");
        return lines;
    }
    std::set<std::string> a, b;
    for (const auto& n : before->nodes)
        a.insert(n.name);
    for (const auto& n : after->nodes)
        b.insert(n.name);
    for (const auto& n : b)
        if (!a.count(n))
            lines << SchemaHistoryDialog::tr("+ node %1").arg(qs(n));
    for (const auto& n : a)
        if (!b.count(n))
            lines << SchemaHistoryDialog::tr("\u2212 node %1").arg(qs(n));
    const auto ea = edgeKeys(*before), eb = edgeKeys(*after);
    for (const auto& e : eb)
        if (!ea.count(e))
            lines << SchemaHistoryDialog::tr("+ edge %1").arg(qs(e));
    for (const auto& e : ea)
        if (!eb.count(e))
            lines << SchemaHistoryDialog::tr("\u2212 edge %1").arg(qs(e));
    if (before->entryPoint != after->entryPoint)
        lines << SchemaHistoryDialog::tr("entry point %1 \u2192 %2")
                     .arg(qs(before->entryPoint), qs(after->entryPoint));
    if (lines.isEmpty())
        lines << SchemaHistoryDialog::tr("same nodes and edges");
    return lines;
}

SchemaHistoryDialog::SchemaHistoryDialog(const QString& graphName, const History& history,
                                         QWidget* parent)
    : QDialog(parent), history_(history), graphs_(new QComboBox(this)),
      table_(new QTableWidget(this)), changes_(new QPlainTextEdit(this)),
      canvas_(new GraphCanvas(this))
{
    setObjectName(QStringLiteral("schemaHistory"));
    setWindowTitle(tr("Schema History"));
    resize(1000, 680);
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Graph:"), this));
    graphs_->setObjectName(QStringLiteral("schemaGraphs"));
    for (const auto& [name, list] : history_)
        graphs_->addItem(qs(name));
    top->addWidget(graphs_, 1);
    layout->addLayout(top);

    table_->setObjectName(QStringLiteral("schemaTable"));
    table_->setColumnCount(6);
    table_->setHorizontalHeaderLabels(
        {tr("Schema ID"), tr("First Seen"), tr("Last Seen"), tr("Runs"), tr("Nodes"), tr("Edges")});
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->horizontalHeader()->setStretchLastSection(true);
    changes_->setObjectName(QStringLiteral("schemaChanges"));
    changes_->setReadOnly(true);
    changes_->setPlaceholderText(tr("Select a schema to see what changed from the one before"));
    canvas_->setPlaceholderText(tr("No graph for this schema"));

    auto* left = new QSplitter(Qt::Vertical, this);
    left->addWidget(table_);
    left->addWidget(changes_);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(canvas_);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(graphs_, &QComboBox::currentTextChanged, this, &SchemaHistoryDialog::showGraph);
    connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) { showSchema(row); });
    selectGraph(graphName);
}

void SchemaHistoryDialog::selectGraph(const QString& graphName)
{
    const int index = graphs_->findText(graphName);
    if (index >= 0 && index != graphs_->currentIndex())
        graphs_->setCurrentIndex(index);
    else
        showGraph(graphs_->currentText());
}

int SchemaHistoryDialog::schemaCount() const
{
    return int(shown_.size());
}

QString SchemaHistoryDialog::changesText() const
{
    return changes_->toPlainText();
}

void SchemaHistoryDialog::showGraph(const QString& graphName)
{
    auto it = history_.find(graphName.toStdString());
    shown_ = it == history_.end() ? std::vector<models::SchemaObservation>{} : it->second;
    table_->setRowCount(int(shown_.size()));
    for (std::size_t i = 0; i < shown_.size(); ++i) {
        const auto& o = shown_[i];
        const int row = int(i);
        table_->setItem(row, 0, cell(qs(o.schemaId)));
        table_->setItem(row, 1, cell(timeOf(o.firstSeenUs)));
        table_->setItem(row, 2, cell(timeOf(o.lastSeenUs)));
        table_->setItem(row, 3, cell(QString::number(o.runs)));
        table_->setItem(row, 4, cell(o.graph ? QString::number(o.graph->nodes.size()) : QString()));
        table_->setItem(row, 5, cell(o.graph ? QString::number(o.graph->edges.size()) : QString()));
    }
    table_->resizeColumnsToContents();
    if (!shown_.empty())
        table_->selectRow(int(shown_.size()) - 1);
    else
        showSchema(-1);
}

void SchemaHistoryDialog::showSchema(int row)
{
    if (row < 0 || row >= int(shown_.size())) {
        canvas_->setGraph(nullptr);
        changes_->clear();
        return;
    }
    const auto& o = shown_[std::size_t(row)];
    canvas_->setGraph(o.graph);
    if (row == 0) {
        changes_->setPlainText(
            tr("First schema seen for this graph (%n run(s)).", nullptr, int(o.runs)));
        return;
    }
    const auto& prev = shown_[std::size_t(row) - 1];
    changes_->setPlainText(tr("Changes from %1 to %2:\n").arg(qs(prev.schemaId), qs(o.schemaId)) +
                           schemaChanges(prev.graph.get(), o.graph.get()).join(QLatin1Char('\n')));
}

} // namespace nexus::widgets
