// The welcome screen (issue 12): shown on the first start, not the second
// unless asked for; its buttons do what they say on a console connected to
// the real Local sandbox; Help > Welcome brings it back; screenshots to look
// at.
#include "client/ConnectionProfile.h"

#include "ConsoleSession.h"
#include "MainWindow.h"
#include "ProfileDialog.h"
#include "WelcomeDialog.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

using nexus::app::MainWindow;
using nexus::app::WelcomeDialog;

namespace {

QString screenshotDir()
{
    const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

QString allText(const QWidget* w)
{
    QStringList texts;
    for (const QLabel* label : w->findChildren<QLabel*>())
        texts << label->text();
    return texts.join(u'\n');
}

} // namespace

class TestWelcome : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("NexusTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_welcome"));
        QSettings().clear();
        window_ = new MainWindow;
        window_->show();
        window_->openProfile(nexus::client::ConnectionProfile::localSandbox());
    }

    void cleanupTestCase() { delete window_; }

    void init()
    {
        qDeleteAll(window_->findChildren<WelcomeDialog*>());
        qDeleteAll(window_->findChildren<nexus::app::ProfileDialog*>());
        QSettings().remove(QStringLiteral("onboarding"));
    }

    void firstStartShowsItThenNotAgain()
    {
        QVERIFY(WelcomeDialog::wantedAtStartup());
        QPointer<WelcomeDialog> welcome = nexus::app::showWelcome(window_);
        QVERIFY(welcome && welcome->isVisible());
        const QString text = allText(welcome);
        for (const char* words :
             {"Local sandbox", "24 agent", "nothing leaves this machine", "Nexus address",
              "access token", "TLS CA", "Kafka bootstrap", "Ctrl+K", "F1", "Help \u203a Welcome"})
            QVERIFY2(text.contains(QString::fromUtf8(words)), words);
        QVERIFY(!welcome->showAtStartupBox()->isChecked());
        QVERIFY(welcome->exploreButton()->isDefault());

        // Look at it: alone, and as the user sees it, over the window.
        welcome->adjustSize();
        QVERIFY(welcome->grab().save(screenshotDir() + QStringLiteral("/welcome.png")));
        QTRY_VERIFY_WITH_TIMEOUT(window_->session()->profile().kind ==
                                     nexus::client::ConnectionProfile::Kind::LocalSandbox,
                                 10000);
        QVERIFY(welcome->grabOver(window_).save(screenshotDir() +
                                                QStringLiteral("/welcome_over_window.png")));

        // "Explore the sandbox": closes, the console stays on the sandbox.
        QTest::mouseClick(welcome->exploreButton(), Qt::LeftButton);
        QTRY_VERIFY(welcome.isNull());
        QCOMPARE(window_->session()->profile().name,
                 nexus::client::ConnectionProfile::localSandboxName());
        QVERIFY(!window_->findChild<nexus::app::ProfileDialog*>());
        // The second start does not show it.
        QVERIFY(!WelcomeDialog::wantedAtStartup());
    }

    void showAtStartupIsRemembered()
    {
        QPointer<WelcomeDialog> welcome = nexus::app::showWelcome(window_);
        welcome->showAtStartupBox()->setChecked(true);
        welcome->reject(); // Escape, or the window's close button
        QTRY_VERIFY(welcome.isNull());
        QVERIFY(WelcomeDialog::wantedAtStartup());
        QCOMPARE(QSettings().value(QStringLiteral("onboarding/showAtStartup")).toBool(), true);

        // Unchecking it again persists too.
        welcome = nexus::app::showWelcome(window_);
        QVERIFY(welcome->showAtStartupBox()->isChecked());
        welcome->showAtStartupBox()->setChecked(false);
        QTest::mouseClick(welcome->exploreButton(), Qt::LeftButton);
        QTRY_VERIFY(welcome.isNull());
        QVERIFY(!WelcomeDialog::wantedAtStartup());
        QCOMPARE(QSettings().value(QStringLiteral("onboarding/showAtStartup")).toBool(), false);
    }

    void connectOpensTheProfileDialog()
    {
        QPointer<WelcomeDialog> welcome = nexus::app::showWelcome(window_);
        QTest::mouseClick(welcome->connectButton(), Qt::LeftButton);
        QTRY_VERIFY(welcome.isNull());
        auto* profiles = window_->findChild<nexus::app::ProfileDialog*>();
        QVERIFY(profiles);
        QVERIFY(profiles->isVisible());
        profiles->close();
    }

    void openTraceAsksForATraceFile()
    {
        // The file chooser is modal: note what it offers, then cancel it as
        // a user would (opening a file itself is tst_main_window's).
        QTimer chooser;
        QString title;
        QStringList filters;
        connect(&chooser, &QTimer::timeout, this, [&] {
            for (QWidget* w : QApplication::topLevelWidgets())
                if (auto* files = qobject_cast<QFileDialog*>(w); files && files->isVisible()) {
                    chooser.stop();
                    title = files->windowTitle();
                    filters = files->nameFilters();
                    files->reject();
                }
        });
        chooser.start(20);
        QPointer<WelcomeDialog> welcome = nexus::app::showWelcome(window_);
        QSignalSpy requested(welcome.data(), &WelcomeDialog::openTraceRequested);
        QTest::mouseClick(welcome->openTraceButton(), Qt::LeftButton);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(title, QStringLiteral("Open Trace"));
        QVERIFY2(!filters.isEmpty() && filters.first().contains(QStringLiteral("*.dstrace")),
                 qPrintable(filters.join(u';')));
        QTRY_VERIFY(welcome.isNull());
    }

    void whatToTryLinksRaiseTheirView()
    {
        auto* views = window_->findChild<QTabWidget*>(QStringLiteral("views"));
        QPointer<WelcomeDialog> welcome = nexus::app::showWelcome(window_);
        auto* rollouts = welcome->findChild<QLabel*>(QStringLiteral("try-rollouts"));
        QVERIFY(rollouts);
        QVERIFY(rollouts->text().contains(QStringLiteral("href=\"rollouts\"")));
        emit rollouts->linkActivated(QStringLiteral("rollouts"));
        QCOMPARE(views->tabText(views->currentIndex()), QStringLiteral("Rollouts"));
        QTRY_VERIFY(welcome.isNull());
    }

    void helpWelcomeReopensIt()
    {
        QSettings().setValue(QStringLiteral("onboarding/done"), true);
        QAction* action = window_->findChild<QAction*>(QStringLiteral("welcomeAction"));
        QVERIFY(action);
        QCOMPARE(action->text().remove(u'&'), QStringLiteral("Welcome"));
        action->trigger();
        auto* welcome = window_->findChild<WelcomeDialog*>();
        QVERIFY(welcome && welcome->isVisible());
        // Asking again raises the open one instead of stacking a second.
        action->trigger();
        QCOMPARE(window_->findChildren<WelcomeDialog*>().size(), qsizetype(1));
    }

private:
    MainWindow* window_ = nullptr;
};

QTEST_MAIN(TestWelcome)
#include "tst_welcome.moc"
