#include "CommandPalette.h"

#include "models/CommandPaletteModel.h"

#include <QApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

#include <algorithm>

namespace nexus::widgets {

namespace {

using models::CommandPaletteModel;

// Two lines per entry: name (bold) with the category and shortcut on the
// right; below, the path, or why the entry is unavailable.
class EntryDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const override
    {
        const int line = option.fontMetrics.height();
        return {200, line * 2 + 10};
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        opt.text.clear();
        const QWidget* widget = option.widget;
        QStyle* style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

        const bool enabled = index.data(CommandPaletteModel::EnabledRole).toBool();
        const bool selected = option.state & QStyle::State_Selected;
        const QPalette::ColorGroup group = enabled ? QPalette::Normal : QPalette::Disabled;
        const QColor text =
            option.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
        QColor dim = text;
        dim.setAlphaF(enabled ? 0.65F : 0.8F);

        painter->save();
        const QRect r = option.rect.adjusted(10, 4, -10, -4);
        const int line = option.fontMetrics.height();
        const QRect top(r.left(), r.top(), r.width(), line);
        const QRect bottom(r.left(), r.top() + line + 2, r.width(), line);

        // Right side: shortcut, then the category before it.
        const QString keys = index.data(CommandPaletteModel::ShortcutRole).toString();
        const QString category = index.data(CommandPaletteModel::CategoryRole).toString();
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.9);
        const QFontMetrics smallMetrics(small);
        int right = top.right();
        painter->setFont(small);
        if (!keys.isEmpty()) {
            const int w = smallMetrics.horizontalAdvance(keys) + 12;
            const QRect box(right - w, top.top(), w, line);
            QColor frame = text;
            frame.setAlphaF(0.35F);
            painter->setPen(frame);
            painter->drawRoundedRect(box.adjusted(0, 0, -1, -1), 3, 3);
            painter->setPen(text);
            painter->drawText(box, Qt::AlignCenter, keys);
            right -= w + 8;
        }
        painter->setPen(dim);
        painter->drawText(QRect(bottom.left(), bottom.top(), bottom.width(), line),
                          Qt::AlignRight | Qt::AlignVCenter,
                          smallMetrics.elidedText(category, Qt::ElideRight, r.width() / 3));

        QFont bold = option.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(text);
        const QRect name(top.left(), top.top(), right - top.left(), line);
        painter->drawText(
            name, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(bold).elidedText(index.data().toString(), Qt::ElideRight, name.width()));

        QString second = index.data(CommandPaletteModel::PathRole).toString();
        if (!enabled) {
            const QString tip = index.data(Qt::ToolTipRole).toString();
            const qsizetype colon = tip.indexOf(QStringLiteral(": "));
            second =
                QObject::tr("Not available: %1").arg(colon >= 0 ? tip.mid(colon + 2) : QString());
        }
        painter->setFont(small);
        painter->setPen(dim);
        const int secondWidth = r.width() - r.width() / 3 - 8;
        painter->drawText(QRect(bottom.left(), bottom.top(), secondWidth, line),
                          Qt::AlignLeft | Qt::AlignVCenter,
                          smallMetrics.elidedText(second, Qt::ElideRight, secondWidth));
        painter->restore();
    }
};

} // namespace

CommandPalette::CommandPalette(models::CommandPaletteModel* model, QWidget* parent)
    : QFrame(parent), model_(model), search_(new QLineEdit(this)), list_(new QListView(this)),
      count_(new QLabel(this))
{
    setObjectName(QStringLiteral("commandPalette"));
    setAccessibleName(tr("Command palette"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    hide();

    search_->setObjectName(QStringLiteral("commandPaletteSearch"));
    search_->setPlaceholderText(tr("Type a command or view: \u201croll\u201d, \u201cconnect\u201d, "
                                   "\u201copen trace\u201d\u2026"));
    search_->setAccessibleName(tr("Search commands"));
    search_->setToolTip(tr("Filters the commands by name and menu path; Enter runs the "
                           "selected one, Esc closes"));
    search_->setClearButtonEnabled(true);
    search_->installEventFilter(this);

    list_->setObjectName(QStringLiteral("commandPaletteList"));
    list_->setAccessibleName(tr("Commands"));
    list_->setModel(model_);
    list_->setItemDelegate(new EntryDelegate(list_));
    list_->setUniformItemSizes(true);
    list_->setFocusPolicy(Qt::NoFocus);
    list_->setFrameShape(QFrame::NoFrame);
    list_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    count_->setObjectName(QStringLiteral("commandPaletteCount"));
    count_->setTextFormat(Qt::PlainText);
    count_->setForegroundRole(QPalette::PlaceholderText);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 6);
    layout->setSpacing(6);
    layout->addWidget(search_);
    layout->addWidget(list_, 1);
    layout->addWidget(count_);

    connect(search_, &QLineEdit::textChanged, model_, [this](const QString& text) {
        model_->setQuery(text);
        selectFirst();
        updateCount();
    });
    connect(list_, &QListView::clicked, this, [this](const QModelIndex& index) {
        list_->setCurrentIndex(index);
        runCurrent();
    });
    connect(model_, &QAbstractItemModel::modelReset, this, &CommandPalette::updateCount);
    // Clicking elsewhere closes it, like a popup.
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget*, QWidget* now) {
        if (isVisible() && now && now != this && !isAncestorOf(now))
            hide();
    });
    parent->installEventFilter(this);
}

void CommandPalette::popup()
{
    if (!isVisible())
        previousFocus_ = QApplication::focusWidget();
    search_->clear();
    model_->setQuery(QString());
    place();
    show();
    raise();
    selectFirst();
    updateCount();
    search_->setFocus(Qt::ShortcutFocusReason);
}

void CommandPalette::place()
{
    const QWidget* window = parentWidget();
    const int width = std::clamp(window->width() * 2 / 5, std::min(480, window->width() - 20), 720);
    const int height = std::min(window->height() - 80, 460);
    setGeometry((window->width() - width) / 2, 40, width, std::max(height, 160));
}

void CommandPalette::selectFirst()
{
    const int row = model_->firstEnabledRow();
    list_->setCurrentIndex(row >= 0 ? model_->index(row, 0) : QModelIndex());
    list_->scrollToTop();
}

void CommandPalette::moveCurrent(int step)
{
    const int rows = model_->rowCount();
    int row = list_->currentIndex().isValid() ? list_->currentIndex().row() : -1;
    for (int i = 0; i < rows; ++i) {
        row += step;
        if (row < 0 || row >= rows)
            return;
        if (model_->entryAt(row).enabled) {
            list_->setCurrentIndex(model_->index(row, 0));
            list_->scrollTo(list_->currentIndex());
            return;
        }
    }
}

void CommandPalette::runCurrent()
{
    const QModelIndex current = list_->currentIndex();
    if (!current.isValid())
        return;
    const int row = current.row();
    if (!model_->entryAt(row).enabled)
        return;
    dismiss();
    model_->trigger(row);
}

void CommandPalette::dismiss()
{
    hide();
    if (previousFocus_ && previousFocus_->isVisible())
        previousFocus_->setFocus(Qt::OtherFocusReason);
}

void CommandPalette::updateCount()
{
    const int rows = model_->rowCount();
    count_->setText(rows == 0 ? tr("No command matches \u201c%1\u201d").arg(search_->text())
                              : tr("%n command(s) \u2014 \u2191\u2193 to choose, Enter to run, "
                                   "Esc to close",
                                   nullptr, rows));
}

bool CommandPalette::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == parentWidget() && event->type() == QEvent::Resize && isVisible())
        place();
    if (watched == search_ && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        switch (key->key()) {
        case Qt::Key_Down:
            moveCurrent(1);
            return true;
        case Qt::Key_Up:
            moveCurrent(-1);
            return true;
        case Qt::Key_PageDown:
            moveCurrent(8);
            return true;
        case Qt::Key_PageUp:
            moveCurrent(-8);
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            runCurrent();
            return true;
        case Qt::Key_Escape:
            dismiss();
            return true;
        default:
            break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace nexus::widgets
