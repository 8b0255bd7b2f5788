// The command palette and the keyboard shortcuts help on the real main
// window: Ctrl+K opens the palette (also from inside a text field), typing
// "roll" + Enter shows the Rollouts view, an operation of a page (the
// Compare page's "6 h" range button) is found and run, Esc closes; the
// palette lists every view, every menu action and every connection
// profile. Help › Keyboard Shortcuts (F1) lists Ctrl+K and the view
// shortcuts, searchable; no two shortcuts collide. Screenshots of both.
#include "client/ConnectionProfile.h"
#include "models/CommandPaletteModel.h"
#include "models/ComparisonModel.h"
#include "widgets/CommandPalette.h"
#include "widgets/ShortcutsDialog.h"

#include "ConsoleSession.h"
#include "ConsoleTestNexus.h"
#include "MainWindow.h"
#include "PaletteEntries.h"
#include "RolloutsPage.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTreeWidget>

using nexus::app::MainWindow;
using nexus::models::PaletteEntry;
using nexus::widgets::CommandPalette;
namespace palette = nexus::app::palette;

namespace {

QStringList menuActionTexts(QMenu* menu)
{
    QStringList out;
    emit menu->aboutToShow();
    for (QAction* a : menu->actions()) {
        if (a->isSeparator())
            continue;
        if (a->menu())
            out << menuActionTexts(a->menu());
        else if (!a->text().isEmpty())
            out << a->text().remove(u'&');
    }
    return out;
}

void showAndActivate(MainWindow& w)
{
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
}

} // namespace

class TestCommandPalette : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void ctrlKOpensAndRollEnterShowsRollouts()
    {
        MainWindow w;
        showAndActivate(w);
        auto* palette = w.findChild<CommandPalette*>();
        QVERIFY(palette);
        QVERIFY(!palette->isVisible());
        QTest::keyClick(&w, Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY(palette->isVisible());
        QVERIFY(palette->searchField()->hasFocus());
        QVERIFY(palette->list()->model()->rowCount() > 30);
        QTest::keyClicks(palette->searchField(), QStringLiteral("roll"));
        QCOMPARE(palette->list()->currentIndex().data().toString(), QStringLiteral("Rollouts"));
        QTest::keyClick(palette->searchField(), Qt::Key_Return);
        QVERIFY(!palette->isVisible());
        auto* views = w.findChild<QTabWidget*>(QStringLiteral("views"));
        QCOMPARE(views->currentWidget(), w.rolloutsPage());

        // Reopened with no query, the command just used comes first.
        QTest::keyClick(&w, Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY(palette->isVisible());
        QCOMPARE(palette->searchField()->text(), QString());
        QCOMPARE(palette->list()
                     ->currentIndex()
                     .data(nexus::models::CommandPaletteModel::PathRole)
                     .toString(),
                 QStringLiteral("View \u203a Rollouts"));
        QTest::keyClick(palette->searchField(), Qt::Key_Escape);
        QVERIFY(!palette->isVisible());
        QCOMPARE(views->currentWidget(), w.rolloutsPage());
    }

    void ctrlKWorksFromInsideATextField()
    {
        MainWindow w;
        showAndActivate(w);
        auto* search = w.findChild<QLineEdit*>(QStringLiteral("fleetSearch"));
        QVERIFY(search);
        search->setFocus();
        QTest::keyClicks(search, QStringLiteral("abc"));
        QTest::keyClick(search, Qt::Key_Home);
        QTest::keyClick(search, Qt::Key_K, Qt::ControlModifier);
        auto* palette = w.findChild<CommandPalette*>();
        QTRY_VERIFY(palette->isVisible());
        QCOMPARE(search->text(), QStringLiteral("abc")); // not "delete to end of line"
        QTest::keyClick(palette->searchField(), Qt::Key_Escape);
    }

    void aPageOperationIsFoundAndRun()
    {
        MainWindow w;
        showAndActivate(w);
        QVERIFY(w.session()->comparison()->rangeSeconds() != 21600);
        QTest::keyClick(&w, Qt::Key_K, Qt::ControlModifier);
        auto* palette = w.findChild<CommandPalette*>();
        QTRY_VERIFY(palette->isVisible());
        QTest::keyClicks(palette->searchField(), QStringLiteral("compare 6 h"));
        const QModelIndex current = palette->list()->currentIndex();
        QVERIFY(current.isValid());
        QVERIFY2(current.data(nexus::models::CommandPaletteModel::PathRole)
                     .toString()
                     .startsWith(QStringLiteral("Compare \u203a ")),
                 qPrintable(current.data(nexus::models::CommandPaletteModel::PathRole).toString()));
        QTest::keyClick(palette->searchField(), Qt::Key_Enter);
        auto* views = w.findChild<QTabWidget*>(QStringLiteral("views"));
        QCOMPARE(views->currentWidget()->objectName(), QStringLiteral("comparisonView"));
        QTRY_COMPARE(w.session()->comparison()->rangeSeconds(), 21600);
    }

    void reachesEveryViewMenuActionAndProfile()
    {
        MainWindow w;
        const QList<PaletteEntry> entries = palette::collect(&w);
        QStringList texts, paths;
        for (const PaletteEntry& e : entries) {
            texts << e.text;
            paths << e.path;
        }
        // Every view MainWindow::showView accepts, and nothing it refuses.
        for (const QString& name : palette::viewNames())
            QVERIFY2(w.showView(name), qPrintable(name));
        QVERIFY(!w.showView(QStringLiteral("no such view")));
        QCOMPARE(std::count_if(entries.begin(), entries.end(),
                               [](const PaletteEntry& e) {
                                   return e.text.startsWith(QStringLiteral("Go to "));
                               }),
                 palette::viewNames().size());
        // Every menu action (dock toggles included) but the palette itself.
        for (QAction* top : w.menuBar()->actions())
            for (const QString& text : menuActionTexts(top->menu()))
                if (text != QStringLiteral("Command Palette\u2026"))
                    QVERIFY2(texts.contains(text) ||
                                 texts.contains(QStringLiteral("Connect to ") + text),
                             qPrintable(text));
        QVERIFY(texts.contains(QStringLiteral("Connect to ") +
                               nexus::client::ConnectionProfile::localSandboxName()));
        QVERIFY(texts.contains(QStringLiteral("Trace records")));
        // Operations of the pages.
        for (const char* page : {"Fleet", "Compare", "Runs", "Traces", "Knowledge", "Rollouts"})
            QVERIFY2(std::any_of(entries.begin(), entries.end(),
                                 [page](const PaletteEntry& e) {
                                     return e.category == QLatin1String(page) &&
                                            !e.path.startsWith(QStringLiteral("Go to"));
                                 }),
                     page);
        // The list, for people to read (build/.../palette-entries.txt).
        QFile out(nexus::testing::screenshotDir() + QStringLiteral("/palette-entries.txt"));
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Text));
        for (const PaletteEntry& e : entries)
            out.write((e.category + u'\t' + e.path + u'\t' +
                       e.shortcut.toString(QKeySequence::NativeText) + u'\t' +
                       (e.enabled ? QString() : QStringLiteral("disabled: ") + e.disabledReason) +
                       u'\n')
                          .toUtf8());
    }

    void shortcutsDialogListsTheRealShortcuts()
    {
        MainWindow w;
        showAndActivate(w);
        QTest::keyClick(&w, Qt::Key_F1);
        nexus::widgets::ShortcutsDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = w.findChild<nexus::widgets::ShortcutsDialog*>()));
        const QString ctrlK = QKeySequence(Qt::CTRL | Qt::Key_K).toString(QKeySequence::NativeText);
        const QStringList rows = dialog->shownRows();
        QVERIFY2(rows.contains(QStringLiteral("View|Command Palette\u2026|") + ctrlK),
                 qPrintable(rows.join(u'\n')));
        QVERIFY(rows.contains(QStringLiteral("Help|Keyboard Shortcuts|F1")));
        // Key shortcuts without a menu entry are listed by their page.
        QVERIFY2(rows.contains(QStringLiteral("Knowledge|Approve the selected entries|A")),
                 qPrintable(rows.join(u'\n')));
        const char* views[] = {"Fleet Overview", "Compare Instances", "Runs",
                               "Traces",         "Knowledge Review",  "Rollouts"};
        for (int i = 0; i < 6; ++i)
            QVERIFY2(rows.contains(QStringLiteral("View|%1|%2")
                                       .arg(QLatin1String(views[i]),
                                            QKeySequence(Qt::CTRL | (Qt::Key_1 + i))
                                                .toString(QKeySequence::NativeText))),
                     views[i]);
        dialog->resize(620, 720);
        QVERIFY(dialog->grab().save(nexus::testing::screenshotDir() +
                                    QStringLiteral("/shortcuts_dialog.png")));

        QTest::keyClicks(dialog->searchField(),
                         QKeySequence(Qt::CTRL | Qt::Key_4).toString(QKeySequence::NativeText));
        QCOMPARE(
            dialog->shownRows(),
            QStringList{QStringLiteral("View|Traces|") +
                        QKeySequence(Qt::CTRL | Qt::Key_4).toString(QKeySequence::NativeText)});
        dialog->searchField()->clear();
        QCOMPARE(dialog->shownRows().size(), rows.size());
    }

    void noTwoShortcutsCollide()
    {
        MainWindow w;
        const QStringList conflicts = palette::shortcutConflicts(&w);
        QVERIFY2(conflicts.isEmpty(), qPrintable(conflicts.join(u'\n')));
        // The check sees a real collision: a second window-wide Ctrl+K.
        auto* clash = new QAction(QStringLiteral("Clash"), &w);
        clash->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
        w.addAction(clash);
        QCOMPARE(palette::shortcutConflicts(&w).size(), 1);
        QVERIFY(palette::shortcutConflicts(&w).first().contains(QStringLiteral("Clash")));
    }

    void screenshotOfThePaletteOverTheWindow()
    {
        MainWindow w;
        showAndActivate(w);
        QTest::keyClick(&w, Qt::Key_K, Qt::ControlModifier);
        auto* palette = w.findChild<CommandPalette*>();
        QTRY_VERIFY(palette->isVisible());
        QTest::keyClicks(palette->searchField(), QStringLiteral("tra"));
        QVERIFY(w.grab().save(nexus::testing::screenshotDir() +
                              QStringLiteral("/command_palette.png")));
        palette->searchField()->clear();
        // Disabled commands stay listed, greyed, last, with the reason.
        QTest::keyClicks(palette->searchField(), QStringLiteral("compare"));
        const auto* model = palette->list()->model();
        const QModelIndex last = model->index(model->rowCount() - 1, 0);
        QVERIFY(!(last.flags() & Qt::ItemIsEnabled));
        QVERIFY(last.data(Qt::ToolTipRole).toString().contains(QStringLiteral("not available")));
        QVERIFY(w.grab().save(nexus::testing::screenshotDir() +
                              QStringLiteral("/command_palette_disabled.png")));
    }
};

QTEST_MAIN(TestCommandPalette)
#include "tst_command_palette.moc"
