#include "widgets/StatePanel.h"

#include "models/JsonTreeModel.h"
#include "models/StateDiffModel.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTextDocument>
#include <QTimer>
#include <QToolTip>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace nexus::widgets {

using models::JsonTreeModel;
using models::StateDiffModel;
using models::StateVerdict;

namespace {

// Key or value contains the search text; ancestors of matches are kept by
// recursive filtering, the contents of a matching container come along.
class StateFilterProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    bool matches(const QModelIndex& source) const
    {
        const QRegularExpression& re = filterRegularExpression();
        const QAbstractItemModel* m = source.model();
        const QModelIndex key = m->index(source.row(), JsonTreeModel::KeyColumn, source.parent());
        const QModelIndex value =
            m->index(source.row(), JsonTreeModel::ValueColumn, source.parent());
        return re.match(key.data().toString()).hasMatch() ||
               re.match(value.data().toString()).hasMatch();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override
    {
        if (filterRegularExpression().pattern().isEmpty())
            return true;
        return matches(sourceModel()->index(row, 0, parent));
    }
};

// Tooltips carry wire text: show them literally, never as markup.
class PlainToolTipDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    bool helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
                   const QModelIndex& index) override
    {
        if (event->type() != QEvent::ToolTip || !index.isValid())
            return QStyledItemDelegate::helpEvent(event, view, option, index);
        const QString text = index.data(Qt::ToolTipRole).toString();
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(event->globalPos(),
                               Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal), view);
        return true;
    }
};

QString verdictText(StateVerdict verdict)
{
    switch (verdict) {
    case StateVerdict::Verified:
        return QStringLiteral("verified");
    case StateVerdict::Unverified:
        return QStringLiteral("unverified");
    case StateVerdict::Mismatch:
        return QStringLiteral("hash mismatch");
    case StateVerdict::PatchFailed:
        return QStringLiteral("patch failed");
    case StateVerdict::Skipped:
        return QStringLiteral("not applied");
    case StateVerdict::Invalid:
        return QStringLiteral("invalid state");
    }
    return {};
}

QLabel* plainLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText);
    return label;
}

} // namespace

StatePanel::StatePanel(QWidget* parent)
    : QWidget(parent), header_(plainLabel(this)), search_(new QLineEdit(this)),
      searchTimer_(new QTimer(this)), tree_(new QTreeView(this)), diffView_(new QTableView(this)),
      diffCounts_(plainLabel(this)), model_(new JsonTreeModel(this)),
      diffModel_(new StateDiffModel(this)), proxy_(new StateFilterProxy(this)),
      copyPathAction_(new QAction(QStringLiteral("Copy Path"), this)),
      copyValueAction_(new QAction(QStringLiteral("Copy Value"), this))
{
    header_->setWordWrap(true);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = header_->font();
    bold.setBold(true);
    header_->setFont(bold);

    search_->setPlaceholderText(QStringLiteral("Filter keys and values"));
    search_->setClearButtonEnabled(true);
    search_->setAccessibleName(tr("Filter the state"));
    searchTimer_->setSingleShot(true);
    searchTimer_->setInterval(150);
    connect(search_, &QLineEdit::textChanged, searchTimer_, qOverload<>(&QTimer::start));
    connect(search_, &QLineEdit::returnPressed, this, &StatePanel::applyFilter);
    connect(searchTimer_, &QTimer::timeout, this, &StatePanel::applyFilter);

    proxy_->setSourceModel(model_);
    proxy_->setRecursiveFilteringEnabled(true);
    proxy_->setAutoAcceptChildRows(true);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    tree_->setModel(proxy_);
    tree_->setAccessibleName(tr("State"));
    tree_->setItemDelegate(new PlainToolTipDelegate(tree_));
    tree_->setUniformRowHeights(true);
    tree_->setSelectionBehavior(QAbstractItemView::SelectRows);
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(JsonTreeModel::KeyColumn, QHeaderView::Interactive);
    tree_->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(JsonTreeModel::TypeColumn, QHeaderView::Fixed);
    tree_->setColumnWidth(JsonTreeModel::KeyColumn, 200);
    tree_->setColumnWidth(JsonTreeModel::TypeColumn,
                          tree_->fontMetrics().horizontalAdvance(QStringLiteral("boolean")) + 24);
    connect(tree_, &QWidget::customContextMenuRequested, this, &StatePanel::showTreeMenu);
    connect(tree_, &QTreeView::expanded, this, [this](const QModelIndex& index) {
        if (!restoring_ && filterText_.isEmpty())
            expandedPaths_.insert(index.data(JsonTreeModel::PathRole).toString());
    });
    connect(tree_, &QTreeView::collapsed, this, [this](const QModelIndex& index) {
        if (!restoring_ && filterText_.isEmpty())
            expandedPaths_.remove(index.data(JsonTreeModel::PathRole).toString());
    });
    connect(proxy_, &QAbstractItemModel::modelReset, this, &StatePanel::restoreExpansion);

    copyPathAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyValueAction_->setShortcut(QKeySequence::Copy);
    for (QAction* a : {copyPathAction_, copyValueAction_}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        tree_->addAction(a);
    }
    connect(copyPathAction_, &QAction::triggered, this, &StatePanel::copyPath);
    connect(copyValueAction_, &QAction::triggered, this, &StatePanel::copyValue);

    diffView_->setModel(diffModel_);
    diffView_->setAccessibleName(tr("State changes"));
    diffView_->setItemDelegate(new PlainToolTipDelegate(diffView_));
    diffView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    diffView_->setWordWrap(false);
    diffView_->verticalHeader()->hide();
    diffView_->verticalHeader()->setDefaultSectionSize(diffView_->fontMetrics().height() + 6);
    diffView_->horizontalHeader()->setSectionResizeMode(StateDiffModel::ChangeColumn,
                                                        QHeaderView::Fixed);
    diffView_->horizontalHeader()->setSectionResizeMode(StateDiffModel::PathColumn,
                                                        QHeaderView::Interactive);
    diffView_->horizontalHeader()->setSectionResizeMode(StateDiffModel::BeforeColumn,
                                                        QHeaderView::Stretch);
    diffView_->horizontalHeader()->setSectionResizeMode(StateDiffModel::AfterColumn,
                                                        QHeaderView::Stretch);
    diffView_->setColumnWidth(
        StateDiffModel::ChangeColumn,
        diffView_->fontMetrics().horizontalAdvance(QStringLiteral("changed")) + 24);
    diffView_->setColumnWidth(StateDiffModel::PathColumn, 180);
    // Room for the header and three changes before the splitter squeezes it.
    diffView_->setMinimumHeight(diffView_->horizontalHeader()->sizeHint().height() +
                                3 * diffView_->verticalHeader()->defaultSectionSize() +
                                2 * diffView_->frameWidth() + 2);
    diffView_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(diffView_, &QWidget::customContextMenuRequested, this, &StatePanel::showDiffMenu);
    connect(diffView_, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        revealPath(index.data(StateDiffModel::PathRole).toString());
    });

    auto* diffPane = new QWidget(this);
    auto* diffLayout = new QVBoxLayout(diffPane);
    diffLayout->setContentsMargins(0, 4, 0, 0);
    auto* titleRow = new QHBoxLayout;
    auto* title = new QLabel(QStringLiteral("Changes at this step"), diffPane);
    title->setFont(bold);
    titleRow->addWidget(title);
    titleRow->addStretch(1);
    titleRow->addWidget(diffCounts_);
    diffLayout->addLayout(titleRow);
    diffLayout->addWidget(diffView_);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(tree_);
    splitter->addWidget(diffPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(header_);
    layout->addWidget(search_);
    layout->addWidget(splitter, 1);

    clear(QStringLiteral("No run selected"));
}

StatePanel::~StatePanel() = default;

void StatePanel::setHeader(const QString& text, bool warning)
{
    warning_ = warning;
    header_->setText(text);
    QPalette pal = palette();
    if (warning)
        pal.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    header_->setPalette(pal);
}

QString StatePanel::headerText() const
{
    return header_->text();
}

QString StatePanel::diffSummary() const
{
    return diffCounts_->text();
}

void StatePanel::setState(const models::StateAt& state,
                          const std::vector<models::PathChange>& changes, QString stepLabel,
                          std::uint32_t corruptedSince)
{
    if (stepLabel.isEmpty())
        stepLabel = QStringLiteral("State · ") + verdictText(state.verdict);
    if (!state.state) {
        setHeader(QStringLiteral("No state at this step"), false);
    } else if (state.corrupted) {
        const QString since = corruptedSince != models::kNoIndex
                                  ? QStringLiteral("corrupted since step %1").arg(corruptedSince)
                                  : QStringLiteral("corrupted");
        setHeader(QStringLiteral("%1 · %2 — state may be wrong").arg(stepLabel, since), true);
    } else {
        setHeader(stepLabel, state.verdict != StateVerdict::Verified &&
                                 state.verdict != StateVerdict::Unverified);
    }
    model_->setState(state.state);
    model_->setHighlights(changes);
    diffModel_->setChanges(changes);
    diffCounts_->setText(diffModel_->summary());
    restoreExpansion();
    if (!filterText_.isEmpty())
        expandMatches({});
}

void StatePanel::clear(QString reason)
{
    setHeader(reason, false);
    model_->clear();
    diffModel_->clear();
    diffCounts_->setText(diffModel_->summary());
}

void StatePanel::setFilterText(const QString& text)
{
    if (search_->text() != text)
        search_->setText(text);
    applyFilter();
}

void StatePanel::applyFilter()
{
    searchTimer_->stop();
    const QString text = search_->text().trimmed();
    if (text == filterText_)
        return;
    const QString keep = currentPath();
    filterText_ = text;
    proxy_->setFilterFixedString(text);
    restoring_ = true;
    tree_->collapseAll();
    restoring_ = false;
    if (text.isEmpty())
        restoreExpansion();
    else
        expandMatches({});
    if (!keep.isEmpty())
        revealPath(keep);
}

// Opens every container on the way to a match (not the matches themselves).
void StatePanel::expandMatches(const QModelIndex& parent)
{
    auto* filter = static_cast<StateFilterProxy*>(proxy_);
    restoring_ = true;
    const int rows = proxy_->rowCount(parent);
    for (int row = 0; row < rows; ++row) {
        const QModelIndex index = proxy_->index(row, 0, parent);
        if (filter->matches(proxy_->mapToSource(index)) || !proxy_->hasChildren(index))
            continue;
        tree_->expand(index);
        expandMatches(index);
    }
    restoring_ = false;
}

void StatePanel::restoreExpansion()
{
    if (expandedPaths_.isEmpty() || !filterText_.isEmpty())
        return;
    QStringList paths(expandedPaths_.begin(), expandedPaths_.end());
    std::sort(paths.begin(), paths.end(),
              [](const QString& a, const QString& b) { return a.size() < b.size(); });
    restoring_ = true;
    for (const QString& path : paths) {
        const QModelIndex index = proxy_->mapFromSource(model_->indexForPath(path.toStdString()));
        if (index.isValid() && !tree_->isExpanded(index))
            tree_->expand(index);
    }
    restoring_ = false;
}

bool StatePanel::revealPath(const QString& pointer)
{
    QModelIndex index = proxy_->mapFromSource(model_->indexForPath(pointer.toStdString()));
    if (!index.isValid())
        return false;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        tree_->expand(p);
    tree_->setCurrentIndex(index);
    tree_->scrollTo(index);
    return true;
}

QString StatePanel::currentPath() const
{
    const QModelIndex index = tree_->currentIndex();
    return index.isValid() ? index.data(JsonTreeModel::PathRole).toString() : QString();
}

void StatePanel::copyPath()
{
    const QModelIndex index = tree_->currentIndex();
    if (index.isValid())
        QGuiApplication::clipboard()->setText(index.data(JsonTreeModel::PathRole).toString());
}

void StatePanel::copyValue()
{
    const QModelIndex index = tree_->currentIndex();
    if (index.isValid())
        QGuiApplication::clipboard()->setText(index.data(JsonTreeModel::ValueJsonRole).toString());
}

void StatePanel::showTreeMenu(const QPoint& pos)
{
    const QModelIndex index = tree_->indexAt(pos);
    if (!index.isValid())
        return;
    tree_->setCurrentIndex(index);
    QMenu menu(this);
    menu.addAction(copyPathAction_);
    menu.addAction(copyValueAction_);
    menu.exec(tree_->viewport()->mapToGlobal(pos));
}

void StatePanel::showDiffMenu(const QPoint& pos)
{
    const QModelIndex index = diffView_->indexAt(pos);
    if (!index.isValid())
        return;
    QMenu menu(this);
    auto copy = [](const QString& text) { QGuiApplication::clipboard()->setText(text); };
    menu.addAction(QStringLiteral("Copy Path"), this,
                   [=] { copy(index.data(StateDiffModel::PathRole).toString()); });
    QAction* before = menu.addAction(QStringLiteral("Copy Before"), this, [=] {
        copy(index.data(StateDiffModel::BeforeJsonRole).toString());
    });
    QAction* after = menu.addAction(QStringLiteral("Copy After"), this, [=] {
        copy(index.data(StateDiffModel::AfterJsonRole).toString());
    });
    const int kind = index.data(StateDiffModel::ChangeKindRole).toInt();
    before->setEnabled(kind != int(models::ChangeKind::Added));
    after->setEnabled(kind != int(models::ChangeKind::Removed));
    menu.addSeparator();
    menu.addAction(QStringLiteral("Show in Tree"), this,
                   [this, index] { revealPath(index.data(StateDiffModel::PathRole).toString()); });
    menu.exec(diffView_->viewport()->mapToGlobal(pos));
}

} // namespace nexus::widgets
