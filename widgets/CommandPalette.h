#pragma once
// The command palette (Ctrl+K, issue 12): a search field over a list of
// every action and view, laid over the top of its window like VS Code's.
// Typing filters (models::CommandPaletteModel ranks); Up/Down move over
// the enabled entries, Enter runs the current one and closes, Esc closes.
// Disabled entries are listed greyed with the reason in place of their
// path. Each row shows the entry's name, where it lives ("View › Runs") or
// why it is unavailable, its category and its shortcut on the right.

#include <QFrame>
#include <QPointer>

class QLabel;
class QLineEdit;
class QListView;

namespace nexus::models {
class CommandPaletteModel;
}

namespace nexus::widgets {

class CommandPalette : public QFrame
{
    Q_OBJECT
public:
    // `parent`: the window it is laid over (required).
    CommandPalette(models::CommandPaletteModel* model, QWidget* parent);

    // Clears the query, places itself over the top centre of the parent,
    // shows and focuses the search field.
    void popup();
    QLineEdit* searchField() const { return search_; }
    QListView* list() const { return list_; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void place();
    void moveCurrent(int step);
    void selectFirst();
    void runCurrent();
    void updateCount();
    void dismiss(); // hides, and gives the focus back to where it was

    QPointer<QWidget> previousFocus_;
    models::CommandPaletteModel* model_;
    QLineEdit* search_;
    QListView* list_;
    QLabel* count_;
};

} // namespace nexus::widgets
