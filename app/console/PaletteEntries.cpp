#include "PaletteEntries.h"

#include "widgets/CommandPalette.h"
#include "widgets/ShortcutsDialog.h"

#include "MainWindow.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTextDocumentFragment>
#include <QTextEdit>
#include <QToolButton>

namespace nexus::app::palette {

namespace {

const QString kSep = QStringLiteral(" \u203a ");

QString clean(QString text)
{
    // "&Open Trace…" -> "Open Trace…"; "&&" stays one "&".
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    text.replace(u'\x01', u'&');
    return text.trimmed();
}

// The name of a tool button that shows only an icon or a glyph: its tooltip
// without the "(Ctrl+X)" tail.
QString buttonText(const QAbstractButton* button)
{
    QString text = clean(button->text());
    const bool glyph = text.size() <= 2 && !text.isEmpty() && !text.front().isLetterOrNumber();
    if (text.isEmpty() || glyph) {
        text = button->toolTip();
        if (const qsizetype paren = text.lastIndexOf(QStringLiteral(" (")); paren > 0)
            text.truncate(paren);
    }
    return text.trimmed();
}

// Where `w` lives: the tab and dock titles on the way up to `top`.
QStringList placeOf(const QWidget* w, const QWidget* top)
{
    QStringList parts;
    for (const QWidget* a = w; a && a != top; a = a->parentWidget()) {
        if (const auto* dock = qobject_cast<const QDockWidget*>(a)) {
            parts.prepend(clean(dock->windowTitle()));
            continue;
        }
        const auto* stack = qobject_cast<const QStackedWidget*>(a->parentWidget());
        if (!stack)
            continue;
        if (const auto* tabs = qobject_cast<const QTabWidget*>(stack->parentWidget()))
            parts.prepend(clean(tabs->tabText(tabs->indexOf(const_cast<QWidget*>(a)))));
    }
    parts.removeAll(QString());
    return parts;
}

// Brings `w` forward: the tabs, stacked pages and docks it sits in.
void reveal(QWidget* w)
{
    for (QWidget* a = w; a; a = a->parentWidget()) {
        if (auto* dock = qobject_cast<QDockWidget*>(a)) {
            dock->show();
            dock->raise();
        }
        auto* stack = qobject_cast<QStackedWidget*>(a->parentWidget());
        if (!stack)
            continue;
        if (auto* tabs = qobject_cast<QTabWidget*>(stack->parentWidget()))
            tabs->setCurrentWidget(a);
        else
            stack->setCurrentWidget(a);
    }
}

// Hidden on purpose (not just on another tab or stacked page).
bool explicitlyHidden(const QWidget* w, const QWidget* top)
{
    for (const QWidget* a = w; a && a != top; a = a->parentWidget())
        if (a->isHidden() && !qobject_cast<const QStackedWidget*>(a->parentWidget()) &&
            !qobject_cast<const QDockWidget*>(a))
            return true;
    return false;
}

QString disabledReason(const QString& toolTip)
{
    if (toolTip.isEmpty())
        return QObject::tr("not available in the current state");
    // Rich-text tooltips ("<p style=…>Not connected…</p>") read as plain text.
    return Qt::mightBeRichText(toolTip)
               ? QTextDocumentFragment::fromHtml(toolTip).toPlainText().simplified()
               : toolTip;
}

// An action's tooltip when it says more than its text (Qt's default tooltip
// is the text without "&" and "…").
QString reasonFor(const QAction* a)
{
    const QString tip = a->toolTip();
    return disabledReason(clean(a->text()).startsWith(tip) ? QString() : tip);
}

void walkMenu(QMenu* menu, const QStringList& path, const QString& category,
              QList<models::PaletteEntry>& out, QSet<const QAction*>& seen)
{
    // Menus filled on demand (File › Connect To) fill now.
    emit menu->aboutToShow();
    const bool connectMenu = menu->objectName() == QLatin1String("connectMenu");
    for (QAction* a : menu->actions()) {
        if (a->isSeparator())
            continue;
        if (QMenu* sub = a->menu()) {
            walkMenu(sub, path + QStringList{clean(a->text())}, category, out, seen);
            continue;
        }
        if (clean(a->text()).isEmpty() || seen.contains(a))
            continue;
        seen.insert(a);
        models::PaletteEntry e;
        e.text =
            connectMenu ? QObject::tr("Connect to %1").arg(clean(a->text())) : clean(a->text());
        e.path = (path + QStringList{clean(a->text())}).join(kSep);
        e.category = connectMenu ? QObject::tr("Connect") : category;
        e.shortcut = a->shortcut();
        e.action = a;
        e.enabled = a->isEnabled();
        e.disabledReason = reasonFor(a);
        out << e;
    }
}

// The QActions and buttons of a page or dock.
void collectPage(QWidget* page, QWidget* window, QList<models::PaletteEntry>& out,
                 QSet<const QAction*>& seen)
{
    const QStringList pagePlace = placeOf(page, window);
    const QString category = pagePlace.value(0);
    for (QAction* a : page->findChildren<QAction*>()) {
        const QString text = clean(a->text());
        if (text.isEmpty() || a->isSeparator() || a->menu() || seen.contains(a))
            continue;
        QWidget* owner = qobject_cast<QWidget*>(a->parent());
        if (!owner || qobject_cast<QMenu*>(owner) || explicitlyHidden(owner, window))
            continue;
        seen.insert(a);
        models::PaletteEntry e;
        e.text = text;
        e.path = (placeOf(owner, window) + QStringList{text}).join(kSep);
        e.category = category;
        e.shortcut = a->shortcut();
        e.action = a;
        e.enabled = a->isEnabled();
        e.disabledReason = reasonFor(a);
        QPointer<QAction> action = a;
        QPointer<QWidget> where = owner;
        e.run = [action, where] {
            if (where)
                reveal(where);
            if (action)
                action->trigger();
        };
        out << e;
    }
    // Key shortcuts without an action, named by their whatsThis.
    for (QShortcut* k : page->findChildren<QShortcut*>()) {
        auto* owner = qobject_cast<QWidget*>(k->parent());
        if (!owner || k->whatsThis().isEmpty() || explicitlyHidden(owner, window))
            continue;
        models::PaletteEntry e;
        e.text = k->whatsThis();
        e.path = (placeOf(owner, window) + QStringList{e.text}).join(kSep);
        e.category = category;
        e.shortcut = k->key();
        e.enabled = k->isEnabled();
        e.disabledReason = disabledReason({});
        QPointer<QShortcut> shortcut = k;
        QPointer<QWidget> where = owner;
        e.run = [shortcut, where] {
            if (where)
                reveal(where);
            if (shortcut)
                emit shortcut->activated();
        };
        out << e;
    }
    for (QAbstractButton* b : page->findChildren<QAbstractButton*>()) {
        const bool toggle = qobject_cast<QCheckBox*>(b) != nullptr;
        if (!qobject_cast<QPushButton*>(b) && !qobject_cast<QToolButton*>(b) && !toggle)
            continue;
        if (auto* tool = qobject_cast<QToolButton*>(b); tool && tool->defaultAction())
            continue; // its action is listed
        const QString text = buttonText(b);
        if (text.isEmpty() || explicitlyHidden(b, window))
            continue;
        models::PaletteEntry e;
        e.text = toggle ? QObject::tr("Toggle \u201c%1\u201d").arg(text) : text;
        e.path = (placeOf(b, window) + QStringList{text}).join(kSep);
        e.category = category;
        e.shortcut = b->shortcut();
        e.enabled = b->isEnabled();
        e.disabledReason = disabledReason(b->toolTip());
        QPointer<QAbstractButton> button = b;
        e.run = [button] {
            if (!button)
                return;
            reveal(button);
            button->click();
        };
        out << e;
    }
}

QString viewTitle(const QString& name)
{
    if (name == QLatin1String("fleet"))
        return QObject::tr("Fleet");
    if (name == QLatin1String("compare"))
        return QObject::tr("Compare");
    if (name == QLatin1String("runs"))
        return QObject::tr("Runs");
    if (name == QLatin1String("traces"))
        return QObject::tr("Traces");
    if (name == QLatin1String("knowledge"))
        return QObject::tr("Knowledge");
    if (name == QLatin1String("rollouts"))
        return QObject::tr("Rollouts");
    if (name == QLatin1String("deployments"))
        return QObject::tr("Deployments");
    if (name == QLatin1String("records"))
        return QObject::tr("Trace records");
    return QObject::tr("Notifications");
}

} // namespace

QStringList viewNames()
{
    return {QStringLiteral("fleet"),        QStringLiteral("compare"),
            QStringLiteral("runs"),         QStringLiteral("traces"),
            QStringLiteral("knowledge"),    QStringLiteral("rollouts"),
            QStringLiteral("deployments"),  QStringLiteral("records"),
            QStringLiteral("notifications")};
}

QList<models::PaletteEntry> collect(MainWindow* window)
{
    QList<models::PaletteEntry> out;
    QSet<const QAction*> seen;
    const QPointer<MainWindow> w = window;
    for (const QString& name : viewNames()) {
        models::PaletteEntry e;
        e.text = QObject::tr("Go to %1").arg(viewTitle(name));
        e.path = QObject::tr("Go to") + kSep + viewTitle(name);
        e.category = QObject::tr("Go to");
        e.run = [w, name] {
            if (w)
                w->showView(name);
        };
        out << e;
    }
    for (QAction* top : window->menuBar()->actions())
        if (QMenu* menu = top->menu())
            walkMenu(menu, {clean(top->text())}, clean(top->text()), out, seen);
    // Window-wide actions no menu shows (e.g. Ctrl+F, filter the fleet).
    for (QAction* a : window->actions()) {
        if (seen.contains(a) || clean(a->text()).isEmpty() || a->menu())
            continue;
        seen.insert(a);
        models::PaletteEntry e;
        e.text = clean(a->text());
        e.path = QObject::tr("Window") + kSep + e.text;
        e.category = QObject::tr("Window");
        e.shortcut = a->shortcut();
        e.action = a;
        e.enabled = a->isEnabled();
        out << e;
    }
    // Every page of the main tabs, then every dock.
    if (auto* views = window->findChild<QTabWidget*>(QStringLiteral("views")))
        for (int i = 0; i < views->count(); ++i)
            collectPage(views->widget(i), window, out, seen);
    for (QDockWidget* dock : window->findChildren<QDockWidget*>())
        if (dock->widget())
            collectPage(dock->widget(), window, out, seen);
    return out;
}

QList<models::PaletteEntry> shortcutEntries(MainWindow* window)
{
    QList<models::PaletteEntry> out;
    const QList<models::PaletteEntry> all = collect(window);
    for (const models::PaletteEntry& e : all)
        if (!e.shortcut.isEmpty())
            out << e;
    return out;
}

namespace {

// One key binding and where it is active: window-wide, or in its widgets
// (and their children). `widgets` also gate it: a shortcut of a hidden
// widget does not fire. Empty `widgets`: a menu bar action, always there.
struct Binding
{
    QKeySequence keys;
    QString name;
    bool windowWide = false;
    bool withChildren = false;
    QList<const QWidget*> widgets;
};

// `a` and `b` sit on different pages of one stack (a tab widget's, say):
// they are never shown together.
bool exclusive(const QWidget* a, const QWidget* b)
{
    for (const QWidget* p = a->parentWidget(); p; p = p->parentWidget())
        if (p->isAncestorOf(b))
            return qobject_cast<const QStackedWidget*>(p) != nullptr;
    return false;
}

bool overlaps(const Binding& a, const Binding& b)
{
    const QList<const QWidget*> none{nullptr};
    for (const QWidget* x : a.widgets.isEmpty() ? none : a.widgets)
        for (const QWidget* y : b.widgets.isEmpty() ? none : b.widgets) {
            if (x && y && x != y && exclusive(x, y))
                continue;
            if (a.windowWide || b.windowWide)
                return true;
            if (!x || !y)
                continue;
            if (x == y || (a.withChildren && x->isAncestorOf(y)) ||
                (b.withChildren && y->isAncestorOf(x)))
                return true;
        }
    return false;
}

QString bindingName(const QObject* o, const QString& text)
{
    const QString name = clean(text);
    if (!name.isEmpty())
        return name;
    return o->objectName().isEmpty() ? QString::fromLatin1(o->metaObject()->className())
                                     : o->objectName();
}

} // namespace

QStringList shortcutConflicts(QWidget* window)
{
    QList<Binding> bindings;
    auto inWindow = [window](const QWidget* w) { return w && w->window() == window; };
    for (QAction* a : window->findChildren<QAction*>()) {
        if (a->shortcuts().isEmpty())
            continue;
        Binding b;
        b.name = bindingName(a, a->text());
        const Qt::ShortcutContext context = a->shortcutContext();
        bool inMenu = false;
        for (QObject* o : a->associatedObjects()) {
            auto* w = qobject_cast<QWidget*>(o);
            if (qobject_cast<QMenu*>(w) || qobject_cast<QMenuBar*>(w)) {
                inMenu = true; // active wherever the window's menu bar is
                continue;
            }
            if (inWindow(w))
                b.widgets << w;
        }
        if (context == Qt::WindowShortcut || context == Qt::ApplicationShortcut)
            b.windowWide = !b.widgets.isEmpty() || inMenu;
        b.withChildren = context == Qt::WidgetWithChildrenShortcut;
        if (!b.windowWide && b.widgets.isEmpty())
            continue; // not active anywhere in this window
        for (const QKeySequence& keys : a->shortcuts()) {
            b.keys = keys;
            bindings << b;
        }
    }
    for (QShortcut* s : window->findChildren<QShortcut*>()) {
        auto* parent = qobject_cast<QWidget*>(s->parent());
        if (!inWindow(parent) || s->key().isEmpty())
            continue;
        Binding b;
        b.keys = s->key();
        b.name = bindingName(s, s->whatsThis());
        b.windowWide =
            s->context() == Qt::WindowShortcut || s->context() == Qt::ApplicationShortcut;
        b.withChildren = s->context() == Qt::WidgetWithChildrenShortcut;
        b.widgets << parent;
        bindings << b;
    }
    for (QAbstractButton* button : window->findChildren<QAbstractButton*>()) {
        if (button->shortcut().isEmpty() || !inWindow(button))
            continue;
        if (auto* tool = qobject_cast<QToolButton*>(button); tool && tool->defaultAction())
            continue; // the action's shortcut, counted above
        Binding b;
        b.keys = button->shortcut();
        b.name = bindingName(button, button->text());
        b.windowWide = true; // QAbstractButton grabs its shortcut window-wide
        b.widgets << button;
        bindings << b;
    }
    QStringList conflicts;
    for (qsizetype i = 0; i < bindings.size(); ++i)
        for (qsizetype j = i + 1; j < bindings.size(); ++j)
            if (bindings[i].keys == bindings[j].keys && overlaps(bindings[i], bindings[j]))
                conflicts << QStringLiteral("%1: %2 / %3")
                                 .arg(bindings[i].keys.toString(QKeySequence::NativeText),
                                      bindings[i].name, bindings[j].name);
    return conflicts;
}

namespace {

// Line and text edits claim Ctrl+K (delete to the end of the line) before
// any shortcut sees it; in this window the palette gets it instead.
class PaletteKeyGuard : public QObject
{
public:
    PaletteKeyGuard(QWidget* window, QKeySequence keys) : QObject(window), keys_(std::move(keys))
    {
        qApp->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() != QEvent::ShortcutOverride)
            return false;
        auto* w = qobject_cast<QWidget*>(watched);
        if (!w || w->window() != parent())
            return false;
        if (!qobject_cast<QLineEdit*>(w) && !qobject_cast<QTextEdit*>(w) &&
            !qobject_cast<QPlainTextEdit*>(w))
            return false;
        auto* key = static_cast<QKeyEvent*>(event);
        return QKeySequence(key->keyCombination()) == keys_;
    }

private:
    QKeySequence keys_;
};

} // namespace

void addCommandPalette(MainWindow* window, QMenu* viewMenu)
{
    auto* model = new models::CommandPaletteModel(window);
    model->setObjectName(QStringLiteral("commandPaletteModel"));
    model->setRecent(QSettings().value(QStringLiteral("palette/recent")).toStringList());
    QObject::connect(model, &models::CommandPaletteModel::recentChanged, window,
                     [](const QStringList& ids) {
                         QSettings().setValue(QStringLiteral("palette/recent"), ids);
                     });
    auto* palette = new widgets::CommandPalette(model, window);
    const QKeySequence keys(Qt::CTRL | Qt::Key_K);
    QAction* open = viewMenu->addAction(QObject::tr("Command &Palette\u2026"));
    open->setObjectName(QStringLiteral("commandPaletteAction"));
    open->setShortcut(keys);
    open->setToolTip(QObject::tr("Find any view or command by typing its name"));
    QObject::connect(open, &QAction::triggered, window, [window, model, palette, open] {
        QList<models::PaletteEntry> entries = collect(window);
        entries.removeIf([open](const models::PaletteEntry& e) { return e.action == open; });
        model->setEntries(std::move(entries));
        palette->popup();
    });
    new PaletteKeyGuard(window, keys);
}

void addShortcutsHelp(MainWindow* window, QMenu* helpMenu)
{
    QAction* help = helpMenu->addAction(QObject::tr("&Keyboard Shortcuts"));
    help->setObjectName(QStringLiteral("keyboardShortcutsAction"));
    help->setShortcut(QKeySequence(Qt::Key_F1));
    QObject::connect(help, &QAction::triggered, window, [window] {
        if (auto* open = window->findChild<widgets::ShortcutsDialog*>()) {
            open->raise();
            open->activateWindow();
            return;
        }
        auto* dialog = new widgets::ShortcutsDialog(shortcutEntries(window), window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
}

} // namespace nexus::app::palette
