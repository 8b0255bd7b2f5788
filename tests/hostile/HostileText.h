#pragma once
// Hostile strings for every text that comes from outside, and a generic
// audit of a widget tree: labels, tool tips (as QToolTip would show them),
// text editors, item views, links and widths. Used by tst_hostile_text.

#include <QAbstractItemView>
#include <QApplication>
#include <QGraphicsItem>
#include <QGraphicsView>
#include <QHelpEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScreen>
#include <QTextBrowser>
#include <QTextEdit>
#include <QToolTip>

#include <functional>
#include <string>

namespace nexus::hostile {

// Each carries a unique word (HB, HI, HL, HT, HA) so that a rendering that
// swallowed the markup can be told from one that shows it.
inline std::string hostileText(const std::string& what)
{
    return "<b>HB " + what +
           "</b><img src=x>HI<a href=\"file:///etc/passwd\">HL</a>"
           "<table><tr><td>HT</td></tr></table>&amp;HA \u202Eevil\u202C";
}
inline const std::string kLongWord(5000, 'W'); // a very long string without spaces
inline const std::string kNulText = std::string("nul\0byte", 8) + "\nsecond line";

// Markup that must never reach a rich-text renderer unescaped.
inline const QStringList kRawMarkup = {QStringLiteral("<b>HB"), QStringLiteral("<img src=x>"),
                                       QStringLiteral("<a href=\"file:"), QStringLiteral("<table>"),
                                       QStringLiteral("&amp;HA")};

inline bool hasRawMarkup(const QString& text)
{
    for (const QString& m : kRawMarkup)
        if (text.contains(m))
            return true;
    return false;
}

// Whether a QLabel with this text renders it as rich text.
inline bool rendersRich(const QLabel* label)
{
    return label->textFormat() == Qt::RichText ||
           (label->textFormat() == Qt::AutoText && Qt::mightBeRichText(label->text())) ||
           label->textFormat() == Qt::MarkdownText;
}

// The text a tool tip shows for `widget` at `pos` ("" when none).
inline QString toolTipShown(QWidget* widget, const QPoint& pos)
{
    QToolTip::hideText();
    QHelpEvent help(QEvent::ToolTip, pos, widget->mapToGlobal(pos));
    QApplication::sendEvent(widget, &help);
    return QToolTip::isVisible() ? QToolTip::text() : QString();
}

// A tool tip is wrong when it would render markup from outside as markup.
inline bool toolTipIsUnsafe(const QString& shown)
{
    return !shown.isEmpty() && Qt::mightBeRichText(shown) && hasRawMarkup(shown);
}

struct Audit
{
    QStringList problems;
    int labelsWithHostileText = 0;
    int toolTipsChecked = 0;
    int itemsChecked = 0;
};

inline QString describe(const QObject* o)
{
    return QStringLiteral("%1 \"%2\"")
        .arg(QLatin1String(o->metaObject()->className()), o->objectName());
}

// Walks everything under `root` that is visible.
inline Audit auditTree(QWidget* root, int maxScreenWidth)
{
    Audit a;
    for (QLabel* label : root->findChildren<QLabel*>()) {
        const QString t = label->text();
        if (t.contains(QLatin1String("HB")) || t.contains(QLatin1String("&lt;b&gt;HB")))
            ++a.labelsWithHostileText;
        if (hasRawMarkup(t) && rendersRich(label))
            a.problems << describe(label) + QStringLiteral(" renders outside markup: ") +
                              t.left(120);
        if (label->openExternalLinks() && t.contains(QLatin1String("file:///etc/passwd")))
            a.problems << describe(label) + QStringLiteral(" opens outside links");
        if (label->isVisible() && label->sizeHint().width() > maxScreenWidth && !label->wordWrap())
            a.problems << describe(label) + QStringLiteral(" is %1 px wide (not elided)")
                                                .arg(label->sizeHint().width());
    }
    for (QWidget* w : root->findChildren<QWidget*>()) {
        if (w->toolTip().isEmpty() || !w->isVisible())
            continue;
        ++a.toolTipsChecked;
        const QString shown = toolTipShown(w, w->rect().center());
        if (toolTipIsUnsafe(shown))
            a.problems << describe(w) + QStringLiteral(" tool tip renders outside markup: ") +
                              shown.left(120);
    }
    for (QTextEdit* edit : root->findChildren<QTextEdit*>()) {
        const QString plain = edit->toPlainText();
        if (plain.contains(QLatin1String("HB")) && !plain.contains(QLatin1String("<b>HB")))
            a.problems << describe(edit) + QStringLiteral(" rendered outside markup");
        if (auto* browser = qobject_cast<QTextBrowser*>(edit);
            browser && browser->openLinks() &&
            edit->toHtml().contains(QLatin1String("href=\"file:///etc/passwd\"")))
            a.problems << describe(edit) + QStringLiteral(" has a clickable outside link");
    }
    for (QGraphicsView* view : root->findChildren<QGraphicsView*>()) {
        if (!view->scene())
            continue;
        for (QGraphicsItem* item : view->scene()->items()) {
            ++a.itemsChecked;
            if (!item->toolTip().isEmpty() && toolTipIsUnsafe(item->toolTip()))
                a.problems << describe(view) + QStringLiteral(" item tool tip renders markup: ") +
                                  item->toolTip().left(120);
        }
    }
    for (QAbstractItemView* view : root->findChildren<QAbstractItemView*>()) {
        QAbstractItemModel* model = view->model();
        if (!model || !view->isVisible())
            continue;
        std::function<void(const QModelIndex&, int)> walk = [&](const QModelIndex& parent,
                                                                int depth) {
            const int rows = std::min(model->rowCount(parent), 200);
            for (int r = 0; r < rows; ++r) {
                for (int c = 0; c < model->columnCount(parent); ++c) {
                    const QModelIndex index = model->index(r, c, parent);
                    ++a.itemsChecked;
                    const QString tip = index.data(Qt::ToolTipRole).toString();
                    if (tip.isEmpty() || !hasRawMarkup(tip))
                        continue;
                    // What the view's own tool tip handling shows for it.
                    view->scrollTo(index);
                    const QRect rect = view->visualRect(index);
                    if (rect.isEmpty())
                        continue;
                    ++a.toolTipsChecked;
                    const QString shown = toolTipShown(view->viewport(), rect.center());
                    if (toolTipIsUnsafe(shown))
                        a.problems
                            << describe(view) + QStringLiteral(" row %1 col %2 tool tip renders "
                                                               "outside markup: %3")
                                                    .arg(r)
                                                    .arg(c)
                                                    .arg(shown.left(120));
                }
                const QModelIndex first = model->index(r, 0, parent);
                if (depth < 4 && model->hasChildren(first))
                    walk(first, depth + 1);
            }
        };
        walk({}, 0);
    }
    if (root->isWindow() && root->minimumSizeHint().width() > maxScreenWidth) {
        // Name the widgets that ask for it (those whose children do not).
        QStringList wide;
        for (QWidget* w : root->findChildren<QWidget*>()) {
            if (!w->isVisible() || w->minimumSizeHint().width() <= maxScreenWidth)
                continue;
            bool childIsWide = false;
            for (QWidget* c : w->findChildren<QWidget*>(Qt::FindDirectChildrenOnly))
                childIsWide = childIsWide ||
                              (c->isVisible() && c->minimumSizeHint().width() > maxScreenWidth);
            if (!childIsWide)
                wide << describe(w);
        }
        a.problems << QStringLiteral("the window needs %1 px, wider than the screen, for %2")
                          .arg(root->minimumSizeHint().width())
                          .arg(wide.join(QStringLiteral(", ")));
    }
    return a;
}

} // namespace nexus::hostile
