#include "widgets/FleetTableView.h"

#include "models/FleetModel.h"

#include <QAction>
#include <QApplication>
#include <QContextMenuEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QMenu>
#include <QPainter>
#include <QStyledItemDelegate>

namespace nexus::widgets {
namespace {

using nexus::models::FleetModel;

QColor pillColor(int status)
{
    switch (status) {
    case nexus::v1::INSTANCE_STATUS_HEALTHY:
        return QColor(0x2e, 0x7d, 0x32);
    case nexus::v1::INSTANCE_STATUS_DEGRADED:
        return QColor(0xef, 0x8f, 0x00);
    case nexus::v1::INSTANCE_STATUS_UNHEALTHY:
        return QColor(0xc6, 0x28, 0x28);
    default:
        return QColor(0x75, 0x75, 0x75);
    }
}

class CellDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    // The cell's panel (alternating base, selection, hover) without its text.
    void paintBackground(QPainter* p, const QStyleOptionViewItem& option,
                         const QModelIndex& index) const
    {
        QStyleOptionViewItem bg = option;
        initStyleOption(&bg, index);
        bg.text.clear();
        bg.icon = QIcon();
        const QWidget* w = option.widget;
        QStyle* style = w ? w->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &bg, p, w);
    }
};

// Status as a rounded pill with white text.
class StatusPillDelegate : public CellDelegate
{
public:
    using CellDelegate::CellDelegate;
    void paint(QPainter* p, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override
    {
        paintBackground(p, option, index);
        const QString text = index.data().toString();
        const QFontMetrics fm(option.font);
        const int w = fm.horizontalAdvance(text) + 14, h = fm.height() + 2;
        const QRect pill(option.rect.left() + 4, option.rect.center().y() - h / 2 + 1, w, h);
        p->save();
        p->setRenderHint(QPainter::Antialiasing);
        p->setPen(Qt::NoPen);
        p->setBrush(pillColor(index.data(FleetModel::StatusRole).toInt()));
        p->drawRoundedRect(pill, h / 2.0, h / 2.0);
        p->setPen(Qt::white);
        p->drawText(pill, Qt::AlignCenter, text); // plain text
        p->restore();
    }
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize s = QStyledItemDelegate::sizeHint(option, index);
        s.rwidth() += 22;
        return s;
    }
};

// Instance id with an orange "!" badge in front when the row is an outlier.
class OutlierBadgeDelegate : public CellDelegate
{
public:
    using CellDelegate::CellDelegate;
    void paint(QPainter* p, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override
    {
        const int badge = option.rect.height() - 8;
        paintBackground(p, option, index);
        QStyleOptionViewItem text = option;
        initStyleOption(&text, index);
        text.rect.setLeft(option.rect.left() + badge + 8);
        text.backgroundBrush = Qt::NoBrush;
        // The text part only: the item's own background was drawn across the whole cell.
        const QWidget* w = option.widget;
        QStyle* style = w ? w->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &text, p, w);
        if (!index.data(FleetModel::OutlierRole).toBool())
            return;
        const QRect r(option.rect.left() + 4, option.rect.top() + 4, badge, badge);
        p->save();
        p->setRenderHint(QPainter::Antialiasing);
        p->setPen(Qt::NoPen);
        p->setBrush(QColor(0xe6, 0x51, 0x00));
        p->drawEllipse(r);
        p->setPen(Qt::white);
        QFont f = option.font;
        f.setBold(true);
        p->setFont(f);
        p->drawText(r, Qt::AlignCenter, QStringLiteral("!"));
        p->restore();
    }
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize s = QStyledItemDelegate::sizeHint(option, index);
        s.rwidth() += s.height() + 4;
        return s;
    }
};

} // namespace

FleetTableView::FleetTableView(QWidget* parent)
    : QTableView(parent), compareAction_(new QAction(this))
{
    compareAction_->setObjectName(QStringLiteral("compareSelected"));
    setAccessibleName(tr("Fleet instances"));
    compareAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    compareAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(compareAction_);
    connect(compareAction_, &QAction::triggered, this, [this] {
        const QStringList ids = selectedInstanceIds();
        if (ids.size() >= 2 && ids.size() <= 8)
            emit compareRequested(ids);
    });
    updateCompareAction();
    setSortingEnabled(true);
    setSelectionBehavior(SelectRows);
    setSelectionMode(ExtendedSelection);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setShowGrid(false);
    verticalHeader()->hide();
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    horizontalHeader()->setStretchLastSection(false);
    horizontalHeader()->setHighlightSections(false);
    setItemDelegateForColumn(FleetModel::StatusColumn, new StatusPillDelegate(this));
    setItemDelegateForColumn(FleetModel::InstanceIdColumn, new OutlierBadgeDelegate(this));
    connect(this, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        emit instanceActivated(index.data(FleetModel::InstanceIdRole).toString());
    });
}

void FleetTableView::setModel(QAbstractItemModel* model)
{
    QTableView::setModel(model);
    updateCompareAction();
    if (!model)
        return;
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &FleetTableView::updateCompareAction);
    // Widths from the header and a typical value, never from all 10,000 rows.
    const QFontMetrics fm(font());
    const int widths[FleetModel::ColumnCount] = {
        fm.horizontalAdvance(QStringLiteral("dash-ai-apse2-10")) + 40,
        fm.horizontalAdvance(QStringLiteral("Deployment")) + 20,
        fm.horizontalAdvance(QStringLiteral("2.0.0-rc1")) + 20,
        fm.horizontalAdvance(QStringLiteral("dash-ai-node-c99")) + 20,
        fm.horizontalAdvance(QStringLiteral("ap-southeast-2")) + 20,
        fm.horizontalAdvance(QStringLiteral("unhealthy")) + 36,
        fm.horizontalAdvance(QStringLiteral("59 min ago")) + 20,
        fm.horizontalAdvance(QStringLiteral("Runs/s")) + 24,
        fm.horizontalAdvance(QStringLiteral("Error rate")) + 24,
        fm.horizontalAdvance(QStringLiteral("1800 ms")) + 24,
        fm.horizontalAdvance(QStringLiteral("1800 ms")) + 24,
        fm.horizontalAdvance(QStringLiteral("Quality")) + 24,
        fm.horizontalAdvance(QStringLiteral("$10.00/h")) + 24,
    };
    for (int c = 0; c < FleetModel::ColumnCount; ++c)
        setColumnWidth(c, widths[c]);
}

QStringList FleetTableView::selectedInstanceIds() const
{
    QStringList ids;
    if (!selectionModel())
        return ids;
    for (const QModelIndex& index : selectionModel()->selectedRows(FleetModel::InstanceIdColumn))
        ids << index.data(FleetModel::InstanceIdRole).toString();
    return ids;
}

void FleetTableView::updateCompareAction()
{
    const auto n = int(selectedInstanceIds().size());
    compareAction_->setText(n >= 2 ? tr("Compare %n Instances", nullptr, n)
                                   : tr("Compare Selected Instances"));
    compareAction_->setEnabled(n >= 2 && n <= 8);
    compareAction_->setToolTip(n > 8 ? tr("At most 8 instances can be compared")
                                     : tr("Select 2 to 8 instances to compare"));
}

void FleetTableView::contextMenuEvent(QContextMenuEvent* event)
{
    updateCompareAction();
    QMenu menu(this);
    menu.setToolTipsVisible(true);
    menu.addAction(compareAction_);
    menu.exec(event->globalPos());
}

} // namespace nexus::widgets
