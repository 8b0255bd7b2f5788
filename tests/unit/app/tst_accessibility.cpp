// Tooltips and accessible names on every control (issue 12): the main
// window on the Local sandbox with every view and inner tab visited, and
// the main dialogs (connection profiles, launch rollout wizard, about,
// keyboard shortcuts, welcome). Every interactive control must have an
// accessible name as a screen reader reads it (QAccessible's Name: the
// accessible name, a button's text, a buddy label); every icon-only
// button and every custom canvas must also have a tooltip. The failure
// lists each offender with its class, object name and parent chain.
#include "client/ConnectionProfile.h"
#include "client/LibraryVersions.h"
#include "models/FleetModel.h"
#include "widgets/AboutDialog.h"
#include "widgets/CommandPalette.h"
#include "widgets/LaunchRolloutWizard.h"
#include "widgets/ShortcutsDialog.h"

#include "ConsoleSession.h"
#include "MainWindow.h"
#include "PaletteEntries.h"
#include "ProfileDialog.h"
#include "WelcomeDialog.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QTextEdit>
#include <QToolButton>

namespace {

QString describe(const QWidget* w)
{
    QStringList chain;
    for (const QWidget* p = w->parentWidget(); p; p = p->parentWidget())
        chain << (p->objectName().isEmpty() ? QString::fromLatin1(p->metaObject()->className())
                                            : p->objectName());
    return QStringLiteral("%1 \"%2\" in %3")
        .arg(QString::fromLatin1(w->metaObject()->className()), w->objectName(),
             chain.join(QStringLiteral(" < ")));
}

// Parts Qt draws inside other controls, which Qt names itself.
bool internalPart(const QWidget* w)
{
    const QByteArray cls = w->metaObject()->className();
    if (cls == "QLineEditIconButton" || cls == "QTableCornerButton" || cls == "QToolBarExtension" ||
        cls == "QDockWidgetTitleButton" || cls == "QCalendarWidget")
        return true;
    if (qobject_cast<const QScrollBar*>(w))
        return true;
    if (w->objectName().startsWith(QLatin1String("qt_")) && !qobject_cast<const QTabBar*>(w))
        return true;
    const QWidget* parent = w->parentWidget();
    if (qobject_cast<const QTabBar*>(parent)) // its scroll buttons, named by Qt
        return true;
    if (qobject_cast<const QHeaderView*>(w) && qobject_cast<const QAbstractItemView*>(parent))
        return true;
    if (qobject_cast<const QComboBox*>(parent) || qobject_cast<const QAbstractSpinBox*>(parent))
        return true;
    return false;
}

bool isCanvas(const QWidget* w)
{
    return QByteArray(w->metaObject()->className()).startsWith("nexus::") &&
           w->focusPolicy() != Qt::NoFocus && !qobject_cast<const QAbstractItemView*>(w) &&
           !qobject_cast<const QAbstractButton*>(w) && !qobject_cast<const QLineEdit*>(w) &&
           !qobject_cast<const QTextEdit*>(w) && !qobject_cast<const QPlainTextEdit*>(w) &&
           !qobject_cast<const QComboBox*>(w);
}

bool isControl(const QWidget* w)
{
    return qobject_cast<const QAbstractButton*>(w) || qobject_cast<const QLineEdit*>(w) ||
           qobject_cast<const QComboBox*>(w) || qobject_cast<const QAbstractSpinBox*>(w) ||
           qobject_cast<const QAbstractSlider*>(w) || qobject_cast<const QAbstractItemView*>(w) ||
           qobject_cast<const QTabBar*>(w) || qobject_cast<const QPlainTextEdit*>(w) ||
           qobject_cast<const QTextEdit*>(w) || isCanvas(w);
}

QString accessibleName(QWidget* w)
{
    QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(w);
    return iface ? iface->text(QAccessible::Name).trimmed() : QString();
}

bool iconOnly(const QAbstractButton* b)
{
    const QString text = QString(b->text()).remove(u'&').trimmed();
    return text.isEmpty() || (text.size() <= 2 && !text.front().isLetterOrNumber());
}

// Offenders among `top` and its descendants in the same window.
QStringList audit(QWidget* top)
{
    QStringList problems;
    QList<QWidget*> all = top->findChildren<QWidget*>();
    all.prepend(top);
    for (QWidget* w : std::as_const(all)) {
        if (w->window() != top->window() || internalPart(w) || !isControl(w))
            continue;
        if (auto* tabs = qobject_cast<QTabBar*>(w)) {
            // A tab bar is read as its tabs: each needs a name.
            for (int i = 0; i < tabs->count(); ++i)
                if (tabs->tabText(i).trimmed().isEmpty() && tabs->tabToolTip(i).isEmpty())
                    problems << QStringLiteral("tab %1 without text or tooltip: %2")
                                    .arg(i)
                                    .arg(describe(w));
            continue;
        }
        if (accessibleName(w).isEmpty())
            problems << QStringLiteral("no accessible name: ") + describe(w);
        auto* button = qobject_cast<QAbstractButton*>(w);
        if ((button && iconOnly(button)) || isCanvas(w))
            if (w->toolTip().trimmed().isEmpty())
                problems << QStringLiteral("no tooltip: ") + describe(w);
    }
    problems.removeDuplicates();
    return problems;
}

void visitAllTabs(QWidget* top)
{
    for (QTabWidget* tabs : top->findChildren<QTabWidget*>())
        for (int i = 0; i < tabs->count(); ++i)
            tabs->setCurrentIndex(i);
}

// QTest cuts long messages: every offender goes to the log first.
#define VERIFY_AUDIT(widget)                                                                       \
    do {                                                                                           \
        const QStringList problems = audit(widget);                                                \
        for (const QString& problem : problems)                                                    \
            qWarning().noquote() << problem;                                                       \
        QVERIFY2(problems.isEmpty(),                                                               \
                 qPrintable(QStringLiteral("%1 control(s) without an accessible name or "          \
                                           "tooltip (listed above), first: %2")                    \
                                .arg(problems.size())                                              \
                                .arg(problems.value(0))));                                         \
    } while (false)

} // namespace

class TestAccessibility : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void auditSeesMissingNamesAndTooltips()
    {
        QWidget page;
        page.setObjectName(QStringLiteral("page"));
        auto* bare = new QLineEdit(&page);
        bare->setObjectName(QStringLiteral("bare"));
        auto* icon = new QToolButton(&page); // an icon, no text
        const QStringList problems = audit(&page);
        QVERIFY2(problems.size() == 3, qPrintable(problems.join(u'\n')));
        QVERIFY(problems.first().contains(QStringLiteral("\"bare\" in page")));
        bare->setAccessibleName(QStringLiteral("Filter"));
        icon->setToolTip(QStringLiteral("Close"));
        icon->setAccessibleName(QStringLiteral("Close"));
        QVERIFY2(audit(&page).isEmpty(), qPrintable(audit(&page).join(u'\n')));
    }

    void mainWindowOnTheLocalSandbox()
    {
        nexus::app::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.openProfile(nexus::client::ConnectionProfile::localSandbox());
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->fleet()->rowCount() >= 2, 60000);
        // Two instances side by side: the comparison's chips.
        const auto* fleet = w.session()->fleet();
        w.compareInstances(
            {fleet->index(0, nexus::models::FleetModel::InstanceIdColumn).data().toString(),
             fleet->index(1, nexus::models::FleetModel::InstanceIdColumn).data().toString()});
        for (const QString& view : nexus::app::palette::viewNames()) {
            QVERIFY(w.showView(view));
            QCoreApplication::processEvents();
            visitAllTabs(&w);
        }
        QTest::keyClick(&w, Qt::Key_K, Qt::ControlModifier); // the palette too
        VERIFY_AUDIT(&w);
    }

    void profilesDialog()
    {
        nexus::app::MainWindow w;
        nexus::app::ProfileDialog* profiles = w.showProfiles();
        visitAllTabs(profiles);
        VERIFY_AUDIT(profiles);
    }

    void launchRolloutWizard()
    {
        nexus::widgets::LaunchRolloutWizard wizard;
        VERIFY_AUDIT(&wizard);
    }

    void aboutShortcutsAndWelcomeDialogs()
    {
        nexus::widgets::AboutDialog about(nexus::client::libraryVersions());
        VERIFY_AUDIT(&about);
        nexus::app::MainWindow w;
        nexus::widgets::ShortcutsDialog shortcuts(nexus::app::palette::shortcutEntries(&w));
        VERIFY_AUDIT(&shortcuts);
        nexus::app::WelcomeDialog welcome;
        VERIFY_AUDIT(&welcome);
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
