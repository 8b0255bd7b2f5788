#include "widgets/ReplayBreakpointsPanel.h"

#include "widgets/KnowledgeBadges.h"

#include <QAction>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace nexus::widgets {

using runtime::Breakpoint;
using runtime::BreakpointKind;

namespace {

constexpr int kIdRole = Qt::UserRole + 1;

QString kindText(BreakpointKind kind)
{
    switch (kind) {
    case BreakpointKind::BeforeNode:
        return ReplayBreakpointsPanel::tr("Before node");
    case BreakpointKind::AfterNode:
        return ReplayBreakpointsPanel::tr("After node");
    case BreakpointKind::StateCondition:
        return ReplayBreakpointsPanel::tr("When");
    }
    return {};
}

} // namespace

ReplayBreakpointsPanel::ReplayBreakpointsPanel(QWidget* parent)
    : QWidget(parent), list_(new QTreeWidget(this)), kind_(new QComboBox(this)),
      node_(new QComboBox(this)), condition_(new QLineEdit(this)),
      conditionStatus_(new QLabel(this)), add_(new QPushButton(tr("Add"), this)),
      remove_(new QPushButton(tr("Remove"), this))
{
    setObjectName(QStringLiteral("replayBreakpoints"));
    list_->setObjectName(QStringLiteral("breakpointList"));
    list_->setAccessibleName(tr("Breakpoints"));
    list_->setColumnCount(ColumnCount);
    list_->setHeaderLabels({tr("Breakpoint"), tr("Node / condition"), tr("Holds at")});
    list_->setRootIsDecorated(false);
    list_->setUniformRowHeights(true);
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    list_->header()->setSectionResizeMode(KindColumn, QHeaderView::ResizeToContents);
    list_->header()->setSectionResizeMode(WhatColumn, QHeaderView::Stretch);
    list_->header()->setSectionResizeMode(HoldsColumn, QHeaderView::ResizeToContents);
    list_->headerItem()->setToolTip(HoldsColumn,
                                    tr("How many positions of the run the breakpoint holds at"));
    connect(list_, &QTreeWidget::itemChanged, this, &ReplayBreakpointsPanel::itemToggled);
    connect(list_, &QTreeWidget::itemSelectionChanged, this,
            [this] { remove_->setEnabled(!list_->selectedItems().isEmpty()); });

    kind_->setObjectName(QStringLiteral("breakpointKind"));
    kind_->addItem(tr("Before node"), BeforeKind);
    kind_->addItem(tr("After node"), AfterKind);
    kind_->addItem(tr("State condition"), ConditionKind);
    node_->setObjectName(QStringLiteral("breakpointNode"));
    node_->setAccessibleName(tr("Breakpoint node"));
    node_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    condition_->setObjectName(QStringLiteral("breakpointCondition"));
    condition_->setAccessibleName(tr("Breakpoint condition"));
    condition_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    condition_->setPlaceholderText(
        QStringLiteral(R"({"path": "/attempts", "op": ">=", "value": 2})"));
    condition_->setToolTip(
        tr("A condition on the state, as in graph files: {\"path\": JSON Pointer, \"op\": "
           "==, !=, <, <=, >, >=, exists or in, \"value\": ...}, combined with {\"and\": "
           "[...]}, {\"or\": [...]}, {\"not\": ...}"));
    conditionStatus_->setObjectName(QStringLiteral("breakpointConditionStatus"));
    conditionStatus_->setTextFormat(Qt::PlainText);
    conditionStatus_->setWordWrap(true);
    add_->setObjectName(QStringLiteral("breakpointAdd"));
    remove_->setObjectName(QStringLiteral("breakpointRemove"));
    remove_->setEnabled(false);
    remove_->setToolTip(tr("Remove the selected breakpoint (Delete)"));
    auto* removeKey = new QAction(this);
    removeKey->setShortcut(QKeySequence::Delete);
    removeKey->setShortcutContext(Qt::WidgetShortcut);
    list_->addAction(removeKey);
    connect(removeKey, &QAction::triggered, this, &ReplayBreakpointsPanel::removeSelected);

    connect(kind_, &QComboBox::currentIndexChanged, this, &ReplayBreakpointsPanel::updateEditor);
    connect(condition_, &QLineEdit::textChanged, this, &ReplayBreakpointsPanel::checkCondition);
    connect(condition_, &QLineEdit::returnPressed, this, &ReplayBreakpointsPanel::addFromEditor);
    connect(add_, &QPushButton::clicked, this, &ReplayBreakpointsPanel::addFromEditor);
    connect(remove_, &QPushButton::clicked, this, &ReplayBreakpointsPanel::removeSelected);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(list_, 1);
    auto* row = new QHBoxLayout;
    row->addWidget(kind_);
    row->addWidget(node_);
    row->addWidget(condition_, 1);
    row->addWidget(add_);
    row->addWidget(remove_);
    layout->addLayout(row);
    layout->addWidget(conditionStatus_);
    updateEditor();
}

ReplayBreakpointsPanel::~ReplayBreakpointsPanel() = default;

void ReplayBreakpointsPanel::setSession(std::shared_ptr<runtime::ReplaySession> session)
{
    if (session != session_) {
        // Ids are per session: carry the typed texts over by condition.
        QHash<int, QString> typed;
        if (session && session_)
            for (const Breakpoint& old : session_->breakpoints())
                for (const Breakpoint& now : session->breakpoints())
                    if (old.when && now.when && typed_.contains(old.id) &&
                        old.when->toJson() == now.when->toJson())
                        typed.insert(now.id, typed_.value(old.id));
        typed_ = typed;
    }
    session_ = std::move(session);
    refresh();
    updateEditor();
}

void ReplayBreakpointsPanel::setNodes(const QStringList& nodes)
{
    const QString current = node_->currentText();
    node_->clear();
    node_->addItems(nodes);
    if (const int at = node_->findText(current); at >= 0)
        node_->setCurrentIndex(at);
}

int ReplayBreakpointsPanel::holdCount(const Breakpoint& bp) const
{
    if (!session_)
        return 0;
    int count = 0;
    const auto& steps = session_->steps();
    switch (bp.kind) {
    case BreakpointKind::BeforeNode:
    case BreakpointKind::AfterNode:
        for (const auto& step : steps)
            count += step.node == bp.node ? 1 : 0;
        return count;
    case BreakpointKind::StateCondition:
        if (!bp.when)
            return 0;
        for (std::size_t p = 0; p <= steps.size(); ++p)
            if (const auto state = session_->stateAt(p); state && bp.when->evaluate(*state))
                ++count;
        return count;
    }
    return 0;
}

void ReplayBreakpointsPanel::refresh()
{
    filling_ = true;
    const int selectedId =
        list_->currentItem() ? list_->currentItem()->data(0, kIdRole).toInt() : 0;
    list_->clear();
    if (session_) {
        for (const Breakpoint& bp : session_->breakpoints()) {
            auto* item = new QTreeWidgetItem(list_);
            item->setData(0, kIdRole, bp.id);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(KindColumn, bp.enabled ? Qt::Checked : Qt::Unchecked);
            item->setText(KindColumn, kindText(bp.kind));
            item->setToolTip(KindColumn, tr("Breakpoint %1: untick to disable it").arg(bp.id));
            QString what = QString::fromStdString(bp.node);
            if (bp.kind == BreakpointKind::StateCondition)
                what = typed_.value(
                    bp.id, bp.when ? QString::fromStdString(bp.when->toJson().dump()) : QString());
            item->setText(WhatColumn, what);
            item->setToolTip(WhatColumn, knowledgeui::plainToolTip(what)); // names as typed
            const int holds = holdCount(bp);
            item->setText(HoldsColumn, holds == 0 ? tr("never")
                                                  : (holds == 1 ? tr("1 position")
                                                                : tr("%1 positions").arg(holds)));
            if (bp.id == selectedId)
                list_->setCurrentItem(item);
        }
    }
    remove_->setEnabled(list_->currentItem() != nullptr);
    filling_ = false;
}

void ReplayBreakpointsPanel::updateEditor()
{
    const bool condition = kind_->currentData().toInt() == ConditionKind;
    node_->setVisible(!condition);
    condition_->setVisible(condition);
    checkCondition();
}

void ReplayBreakpointsPanel::checkCondition()
{
    conditionError_.clear();
    const bool condition = kind_->currentData().toInt() == ConditionKind;
    if (condition) {
        const std::string text = condition_->text().trimmed().toStdString();
        if (text.empty()) {
            conditionError_ = tr("Type a condition, e.g. %1").arg(condition_->placeholderText());
        } else {
            const nlohmann::json spec = nlohmann::json::parse(text, nullptr, false);
            if (spec.is_discarded()) {
                conditionError_ = tr("Not JSON yet");
            } else if (auto parsed = runtime::Condition::parse(spec); !parsed) {
                conditionError_ = QString::fromStdString(parsed.error().message);
            }
        }
    }
    conditionStatus_->setVisible(condition);
    conditionStatus_->setText(conditionError_.isEmpty() ? tr("\u2714 Valid condition")
                                                        : conditionError_);
    // An empty field is a hint, not an error.
    const bool empty = condition_->text().trimmed().isEmpty();
    QPalette pal = conditionStatus_->palette();
    pal.setColor(QPalette::WindowText, conditionError_.isEmpty() ? QColor(0x16a34a)
                                       : empty ? palette().color(QPalette::PlaceholderText)
                                               : QColor(0xdc2626));
    conditionStatus_->setPalette(pal);
    add_->setEnabled(session_ && (condition ? conditionError_.isEmpty() : node_->count() > 0));
}

bool ReplayBreakpointsPanel::addFromEditor()
{
    if (!session_)
        return false;
    switch (kind_->currentData().toInt()) {
    case BeforeKind:
    case AfterKind: {
        const std::string node = node_->currentText().toStdString();
        if (node.empty())
            return false;
        if (kind_->currentData().toInt() == BeforeKind)
            session_->addBreakpointBefore(node);
        else
            session_->addBreakpointAfter(node);
        break;
    }
    case ConditionKind: {
        checkCondition();
        if (!conditionError_.isEmpty())
            return false;
        const auto spec =
            nlohmann::json::parse(condition_->text().trimmed().toStdString(), nullptr, false);
        auto added = session_->addBreakpointWhen(spec);
        if (!added) {
            conditionError_ = QString::fromStdString(added.error().message);
            conditionStatus_->setText(conditionError_);
            return false;
        }
        typed_.insert(*added, condition_->text().trimmed());
        condition_->clear();
        break;
    }
    }
    refresh();
    list_->setCurrentItem(list_->topLevelItem(list_->topLevelItemCount() - 1));
    emit breakpointsChanged();
    return true;
}

void ReplayBreakpointsPanel::removeSelected()
{
    QTreeWidgetItem* item = list_->currentItem();
    if (!session_ || !item)
        return;
    session_->removeBreakpoint(item->data(0, kIdRole).toInt());
    refresh();
    emit breakpointsChanged();
}

void ReplayBreakpointsPanel::itemToggled(QTreeWidgetItem* item, int column)
{
    if (filling_ || !session_ || column != KindColumn)
        return;
    session_->setBreakpointEnabled(item->data(0, kIdRole).toInt(),
                                   item->checkState(KindColumn) == Qt::Checked);
    // Queued: the debugger answers by refreshing this list, which deletes
    // `item` while QTreeWidget is still inside its setData().
    QMetaObject::invokeMethod(
        this, [this] { emit breakpointsChanged(); }, Qt::QueuedConnection);
}

} // namespace nexus::widgets
