#include "widgets/ComparisonView.h"

#include "models/ComparisonIdentityModel.h"
#include "models/ComparisonModel.h"
#include "models/FleetModel.h"
#include "models/MetricSeriesStore.h"
#include "widgets/ComparisonCharts.h"
#include "widgets/InstanceChips.h"
#include "widgets/ThemeStyle.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QCompleter>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace nexus::widgets {
namespace {

using nexus::models::ComparisonModel;

struct RangeSpec
{
    int seconds;
    const char* label;
};
constexpr RangeSpec kRanges[] = {{900, "15 min"}, {3600, "1 h"}, {21600, "6 h"}, {86400, "24 h"}};

QLabel* sectionTitle(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

QTableView* makeTable(QWidget* parent)
{
    auto* table = new QTableView(parent);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->setShowGrid(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    return table;
}

} // namespace

ComparisonView::ComparisonView(QWidget* parent) : QWidget(parent)
{
    stack_ = new QStackedWidget(this);
    auto* empty = new QLabel(tr("Select 2\u20138 instances in the fleet table and choose "
                                "Compare,\nor add them by id above."),
                             stack_);
    empty->setObjectName(QStringLiteral("emptyState"));
    empty->setTextFormat(Qt::PlainText);
    empty->setAlignment(Qt::AlignCenter);
    setThemedStyleSheet(empty, QStringLiteral("color: #5f6368;"));
    QFont larger = empty->font();
    larger.setPointSizeF(larger.pointSizeF() * 1.3);
    empty->setFont(larger);
    stack_->addWidget(empty);
    stack_->addWidget(makeContent());

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeHeader());
    layout->addWidget(stack_, 1);

    coalesce_ = new QTimer(this);
    coalesce_->setSingleShot(true);
    coalesce_->setInterval(40);
    connect(coalesce_, &QTimer::timeout, this, &ComparisonView::refresh);
    updateState();
}

QWidget* ComparisonView::makeHeader()
{
    auto* header = new QWidget(this);
    auto* top = new QHBoxLayout;
    top->addWidget(sectionTitle(tr("Instance comparison"), header));
    notice_ = new QLabel(header);
    notice_->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(notice_, QStringLiteral("color: #8a5300;"));
    top->addWidget(notice_);
    top->addStretch();
    message_ = new QLabel(header);
    message_->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(message_, QStringLiteral("color: #b3261e;"));
    top->addWidget(message_);
    search_ = new QLineEdit(header);
    search_->setAccessibleName(tr("Instance to add"));
    search_->setPlaceholderText(tr("Add an instance by id\u2026"));
    search_->setClearButtonEnabled(true);
    search_->setMinimumWidth(220);
    search_->setMaximumWidth(320);
    completer_ = new QCompleter(this);
    completer_->setCaseSensitivity(Qt::CaseInsensitive);
    completer_->setFilterMode(Qt::MatchContains);
    completer_->setCompletionColumn(nexus::models::FleetModel::InstanceIdColumn);
    search_->setCompleter(completer_);
    top->addWidget(search_);
    add_ = new QPushButton(tr("Add"), header);
    top->addWidget(add_);
    connect(search_, &QLineEdit::returnPressed, this, [this] { addInstance(search_->text()); });
    connect(add_, &QPushButton::clicked, this, [this] { addInstance(search_->text()); });
    connect(search_, &QLineEdit::textEdited, this, [this] { say({}); });

    top->addSpacing(12);
    ranges_ = new QButtonGroup(this);
    ranges_->setExclusive(true);
    for (const RangeSpec& r : kRanges) {
        auto* button = new QToolButton(header);
        button->setText(QString::fromLatin1(r.label));
        button->setCheckable(true);
        button->setChecked(r.seconds == rangeSeconds_);
        ranges_->addButton(button, r.seconds);
        top->addWidget(button);
    }
    connect(ranges_, &QButtonGroup::idClicked, this, [this](int seconds) {
        if (seconds == rangeSeconds_)
            return;
        rangeSeconds_ = seconds;
        charts_->setRangeSeconds(seconds);
        emit rangeChanged(seconds);
    });

    chips_ = new InstanceChips(header);
    connect(chips_, &InstanceChips::removeRequested, this, &ComparisonView::removeInstance);
    connect(chips_, &InstanceChips::baselineRequested, this, &ComparisonView::makeBaseline);

    auto* layout = new QVBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(chips_);
    return header;
}

QWidget* ComparisonView::makeContent()
{
    auto* splitter = new QSplitter(Qt::Vertical, stack_);
    splitter_ = splitter;
    charts_ = new ComparisonCharts(splitter);
    splitter->addWidget(charts_);

    auto* tables = new QWidget(splitter);
    tables_ = tables;
    auto* box = new QVBoxLayout(tables);
    box->setContentsMargins(0, 4, 0, 0);
    box->addWidget(sectionTitle(tr("Instances"), tables));
    identity_ = makeTable(tables);
    identity_->setAccessibleName(tr("Instance identity"));
    identity_->setSelectionMode(QAbstractItemView::NoSelection);
    box->addWidget(identity_);
    auto* deltasTitle = new QHBoxLayout;
    deltasTitle->addWidget(sectionTitle(tr("Differences from the baseline"), tables));
    deltasTitle->addStretch();
    significantOnly_ = new QCheckBox(tr("Significant only"), tables);
    significantOnly_->setToolTip(tr("Hide the rows without a significant difference"));
    deltasTitle->addWidget(significantOnly_);
    box->addLayout(deltasTitle);
    deltas_ = makeTable(tables);
    deltas_->setAccessibleName(tr("Metric differences"));
    deltas_->verticalHeader()->hide();
    deltas_->setSortingEnabled(true);
    deltas_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // the model's order
    box->addWidget(deltas_, 1);
    splitter->addWidget(tables);
    splitter->setChildrenCollapsible(false);
    splitter->installEventFilter(this);
    connect(splitter, &QSplitter::splitterMoved, this, [this] { userSizedSplitter_ = true; });
    return splitter;
}

void ComparisonView::setModel(ComparisonModel* model)
{
    if (model_)
        disconnect(model_, nullptr, this, nullptr);
    model_ = model;
    charts_->setModel(model);
    if (auto* old = deltas_->model(); old && old->parent() == this)
        old->deleteLater();
    identity_->setModel(model ? model->identityModel() : nullptr);
    if (model) {
        auto* proxy = new QSortFilterProxyModel(this);
        proxy->setSortRole(ComparisonModel::SortRole);
        proxy->setFilterRole(ComparisonModel::SignificantRole);
        proxy->setFilterKeyColumn(0);
        proxy->setDynamicSortFilter(true);
        proxy->setSourceModel(model);
        const auto filter = [proxy](bool only) {
            proxy->setFilterFixedString(only ? QStringLiteral("true") : QString());
        };
        connect(significantOnly_, &QCheckBox::toggled, proxy, filter);
        filter(significantOnly_->isChecked());
        deltas_->setModel(proxy);
        completer_->setModel(model->fleet());
        const auto later = [this] { coalesce_->start(); };
        connect(model, &QAbstractItemModel::modelReset, this, later);
        connect(model, &QAbstractItemModel::dataChanged, this, later);
        if (model->series())
            connect(model->series(), &nexus::models::MetricSeriesStore::seriesChanged, this, later);
        setRangeSeconds(model->rangeSeconds());
    } else {
        deltas_->setModel(nullptr);
        completer_->setModel(nullptr);
    }
    refresh();
}

void ComparisonView::setRangeSeconds(int seconds)
{
    if (auto* button = ranges_->button(seconds)) {
        button->setChecked(true);
        rangeSeconds_ = seconds;
        charts_->setRangeSeconds(seconds);
    }
}

QChart* ComparisonView::chart(int metricIndex) const
{
    return charts_->chart(metricIndex);
}

bool ComparisonView::showsEmptyState() const
{
    return stack_->currentIndex() == 0;
}

void ComparisonView::refresh()
{
    coalesce_->stop();
    updateState();
    charts_->refresh();
}

void ComparisonView::updateState()
{
    const QStringList ids = model_ ? model_->instances() : QStringList();
    chips_->setInstances(ids);
    chips_->setVisible(!ids.isEmpty());
    notice_->setText(model_ ? model_->notice() : QString());
    const bool full = ids.size() >= ComparisonModel::kMaxInstances;
    add_->setEnabled(model_ && !full);
    search_->setEnabled(model_ && !full);
    add_->setToolTip(full ? tr("At most %1 instances can be compared; remove one first.")
                                .arg(ComparisonModel::kMaxInstances)
                          : tr("Add the instance to the comparison"));
    stack_->setCurrentIndex(model_ && model_->isComparable() ? 1 : 0);
    fitIdentityHeight();
    balanceSplitter();
}

void ComparisonView::fitIdentityHeight()
{
    // Every instance's row is visible; the deltas table takes the rest.
    const int rows = identity_->model() ? identity_->model()->rowCount() : 0;
    identity_->setFixedHeight(identity_->horizontalHeader()->sizeHint().height() +
                              rows * identity_->verticalHeader()->defaultSectionSize() +
                              2 * identity_->frameWidth() + 2);
}

void ComparisonView::balanceSplitter()
{
    const int total = splitter_->height() - splitter_->handleWidth();
    if (userSizedSplitter_ || total <= 0)
        return;
    const QAbstractItemModel* deltas = deltas_->model();
    const int deltaRows = deltas ? std::max(1, deltas->rowCount()) : 1;
    // Everything above the deltas table at its size hint, then all its rows.
    QLayout* box = tables_->layout();
    int need = box->contentsMargins().top() + box->contentsMargins().bottom();
    for (int i = 0; i < box->count(); ++i)
        if (box->itemAt(i)->widget() != deltas_)
            need += box->itemAt(i)->sizeHint().height() + box->spacing();
    need += deltas_->horizontalHeader()->sizeHint().height() +
            deltaRows * deltas_->verticalHeader()->defaultSectionSize() +
            2 * deltas_->frameWidth() + 2;
    const int tables = std::min(need, total * 55 / 100);
    splitter_->setSizes({total - tables, tables});
}

bool ComparisonView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == splitter_ && event->type() == QEvent::Resize)
        balanceSplitter();
    return QWidget::eventFilter(watched, event);
}

void ComparisonView::say(const QString& message)
{
    message_->setText(message);
}

void ComparisonView::addInstance(const QString& text)
{
    const QString id = text.trimmed();
    if (id.isEmpty() || !model_)
        return;
    QStringList ids = model_->instances();
    QString problem;
    if (ids.contains(id))
        problem = tr("%1 is already compared").arg(id);
    else if (ids.size() >= ComparisonModel::kMaxInstances)
        problem = tr("At most %1 instances").arg(ComparisonModel::kMaxInstances);
    else if (const auto* fleet = model_->fleet(); fleet && fleet->rowOf(id) < 0)
        problem = tr("No instance \u201c%1\u201d in the fleet").arg(id);
    if (!problem.isEmpty()) {
        say(problem);
        return;
    }
    search_->clear();
    say({});
    ids << id;
    emit instancesChanged(ids);
}

void ComparisonView::removeInstance(const QString& id)
{
    if (!model_)
        return;
    QStringList ids = model_->instances();
    if (ids.removeAll(id) > 0)
        emit instancesChanged(ids);
}

void ComparisonView::makeBaseline(const QString& id)
{
    if (!model_)
        return;
    QStringList ids = model_->instances();
    if (ids.indexOf(id) <= 0)
        return;
    ids.removeAll(id);
    ids.prepend(id);
    emit instancesChanged(ids);
}

} // namespace nexus::widgets
