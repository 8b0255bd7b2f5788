#pragma once
// What the command palette and the keyboard shortcuts dialog list (issue
// 12), collected from the live window each time they open, so they can
// never go stale: every menu action (menus walked recursively, the dock
// toggles included), "Go to <view>" for every name MainWindow::showView
// accepts, "Connect to <profile>" for each connection profile, and the
// operations of every page and dock: their QActions and their push/tool
// buttons. A page operation first brings its page (and inner tab) forward,
// then runs.

#include "models/CommandPaletteModel.h"

#include <QList>
#include <QStringList>

class QMenu;
class QWidget;

namespace nexus::app {

class MainWindow;

namespace palette {

// Every name MainWindow::showView accepts.
QStringList viewNames();
// Everything the palette lists for `window`.
QList<models::PaletteEntry> collect(MainWindow* window);
// The entries with a shortcut, plus actions with a shortcut that no menu
// shows; grouped by menu or page (PaletteEntry::category).
QList<models::PaletteEntry> shortcutEntries(MainWindow* window);
// Pairs of shortcuts in `window` that one key press could trigger both of
// ("Ctrl+Shift+C: Compare Selected / Copy Path"); empty when none.
QStringList shortcutConflicts(QWidget* window);

// Adds View › Command Palette… (Ctrl+K) to `viewMenu`, and the palette
// itself over `window`; recently used commands persist in QSettings
// ("palette/recent").
void addCommandPalette(MainWindow* window, QMenu* viewMenu);
// Adds Help › Keyboard Shortcuts (F1).
void addShortcutsHelp(MainWindow* window, QMenu* helpMenu);

} // namespace palette
} // namespace nexus::app
