#pragma once
// Help › Keyboard Shortcuts (F1, issue 12): every action that has a
// shortcut, grouped by menu or page, with a search field. The app builds
// the rows from the real QActions each time it opens the dialog, so the
// list cannot go stale.

#include "models/CommandPaletteModel.h"

#include <QDialog>

class QLineEdit;
class QTreeWidget;

namespace nexus::widgets {

class ShortcutsDialog : public QDialog
{
    Q_OBJECT
public:
    // Rows: entries with a shortcut (others are skipped), grouped by
    // PaletteEntry::category in the order first seen.
    explicit ShortcutsDialog(const QList<models::PaletteEntry>& entries, QWidget* parent = nullptr);

    QLineEdit* searchField() const { return search_; }
    QTreeWidget* tree() const { return tree_; }
    // The shown (not filtered out) rows as "Group|Action|Keys"; for tests.
    QStringList shownRows() const;

private:
    void filter(const QString& text);

    QLineEdit* search_;
    QTreeWidget* tree_;
};

} // namespace nexus::widgets
