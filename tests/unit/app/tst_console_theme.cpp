// Issue 12: light and dark themes (View > Theme), layouts saved per
// connection profile, and cancelling the opening of a big trace. Every
// main view is rendered in both themes into screenshots/theme-*.png, and
// again at QT_SCALE_FACTOR=2 (the tst_console_theme_hidpi entry).
#include "client/ConnectionProfile.h"
#include "models/RecordTableModel.h"
#include "protocol/Dstrace.h"
#include "widgets/DeploymentCharts.h"
#include "widgets/ThemeStyle.h"

#include "MainWindow.h"
#include "Theme.h"
#include "TracesPage.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <fstream>

using nexus::app::MainWindow;
using nexus::app::ThemeChoice;
using nexus::app::TracesPage;
namespace theme = nexus::app::theme;

namespace {

QString screenshotDir()
{
    const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

// WCAG contrast ratio of two opaque colours.
double contrast(const QColor& a, const QColor& b)
{
    const auto luminance = [](const QColor& c) {
        const auto channel = [](double v) {
            return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) +
               0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

std::string vector(const char* name)
{
    QFile f(QStringLiteral(NEXUS_TEST_DATA "/vectors/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing vector %s", name);
    return f.readAll().toStdString();
}

QString writeTrace(const QString& path, int copies)
{
    std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
    nexus::protocol::DstraceWriter writer(out);
    const std::string ev = vector("ev.framed"), sd = vector("sd.framed");
    for (int i = 0; i < copies; ++i)
        if (!writer.append(i % 2 ? sd : ev).ok())
            qFatal("write failed");
    return path;
}

nexus::client::ConnectionProfile profile(const char* name)
{
    nexus::client::ConnectionProfile p;
    p.name = QString::fromLatin1(name);
    p.nexusEndpoint = QStringLiteral("127.0.0.1:1"); // nobody there: no data, no dialogs
    return p;
}

QAction* action(QWidget* window, const char* name)
{
    auto* a = window->findChild<QAction*>(QLatin1String(name));
    if (!a)
        qFatal("no action %s", name);
    return a;
}

QDockWidget* dock(QWidget* window, const char* name)
{
    auto* d = window->findChild<QDockWidget*>(QLatin1String(name));
    if (!d)
        qFatal("no dock %s", name);
    return d;
}

int currentTab(QWidget* window)
{
    return window->findChild<QTabWidget*>(QStringLiteral("views"))->currentIndex();
}

} // namespace

class TestConsoleTheme : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setApplicationName(QStringLiteral("tst_console_theme"));
        QSettings().clear();
    }

    void init() { QSettings().clear(); }

    void choicesAndDesktopPreferenceResolve()
    {
        QCOMPARE(theme::choiceFromString(QStringLiteral("dark")), ThemeChoice::Dark);
        QCOMPARE(theme::choiceFromString(QStringLiteral("light")), ThemeChoice::Light);
        QCOMPARE(theme::choiceFromString(QStringLiteral("system")), ThemeChoice::System);
        QCOMPARE(theme::choiceFromString(QStringLiteral("purple")), ThemeChoice::System);
        for (ThemeChoice c : {ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark})
            QCOMPARE(theme::choiceFromString(theme::choiceToString(c)), c);

        // What `gsettings get org.gnome.desktop.interface color-scheme` prints.
        QCOMPARE(theme::parseGnomeColorScheme(QStringLiteral("'prefer-dark'\n")),
                 std::optional<bool>(true));
        QCOMPARE(theme::parseGnomeColorScheme(QStringLiteral("'prefer-light'\n")),
                 std::optional<bool>(false));
        QCOMPARE(theme::parseGnomeColorScheme(QStringLiteral("'default'\n")), std::nullopt);
        QCOMPARE(theme::parseGnomeColorScheme(QString()), std::nullopt);

        const QPalette darkPlatform = theme::darkPalette(), lightPlatform = theme::lightPalette();
        QVERIFY(theme::resolveDark(ThemeChoice::Dark, false, lightPlatform));
        QVERIFY(!theme::resolveDark(ThemeChoice::Light, true, darkPlatform));
        QVERIFY(theme::resolveDark(ThemeChoice::System, true, lightPlatform));
        QVERIFY(!theme::resolveDark(ThemeChoice::System, false, darkPlatform));
        // No desktop answer: the platform palette decides.
        QVERIFY(theme::resolveDark(ThemeChoice::System, std::nullopt, darkPlatform));
        QVERIFY(!theme::resolveDark(ThemeChoice::System, std::nullopt, lightPlatform));
    }

    void bothPalettesAreReadable()
    {
        for (const QPalette& p : {theme::lightPalette(), theme::darkPalette()}) {
            using R = QPalette;
            QVERIFY(contrast(p.color(R::Text), p.color(R::Base)) >= 7);
            QVERIFY(contrast(p.color(R::WindowText), p.color(R::Window)) >= 7);
            QVERIFY(contrast(p.color(R::ButtonText), p.color(R::Button)) >= 7);
            QVERIFY(contrast(p.color(R::ToolTipText), p.color(R::ToolTipBase)) >= 7);
            QVERIFY(contrast(p.color(R::HighlightedText), p.color(R::Highlight)) >= 4.5);
            QVERIFY(contrast(p.color(R::Link), p.color(R::Base)) >= 4.5);
            QVERIFY(contrast(p.color(R::PlaceholderText), p.color(R::Base)) >= 3);
            // Disabled text is visibly different, yet still legible.
            const QColor disabled = p.color(R::Disabled, R::Text);
            QVERIFY(disabled != p.color(R::Active, R::Text));
            QVERIFY(contrast(disabled, p.color(R::Window)) >= 2);
            QVERIFY(contrast(p.color(R::Text), p.color(R::AlternateBase)) >= 7);
        }
        QVERIFY(!theme::isDark(theme::lightPalette()));
        QVERIFY(theme::isDark(theme::darkPalette()));
    }

    void lightStyleSheetsGetDarkTwins()
    {
        const QString light =
            QStringLiteral("QLabel { background: #fff4e5; color: #7a4100; border: 1px solid "
                           "#f0b260; }");
        const QString dark = nexus::widgets::darkStyleSheet(light);
        QVERIFY(dark.startsWith(QStringLiteral("QLabel { background: #")));
        const QColor background(dark.mid(dark.indexOf(u'#'), 7));
        const QColor text(dark.mid(dark.indexOf(QLatin1String("color: #")) + 7, 7));
        QVERIFY2(background.lightnessF() < 0.35, qPrintable(dark));
        QVERIFY2(text.lightnessF() > 0.6, qPrintable(dark));
        QVERIFY(contrast(text, background) >= 4.5);
        // The hue stays: an amber warning is still amber.
        QVERIFY(std::abs(text.hslHue() - QColor(0x7a4100).hslHue()) <= 2);
        QCOMPARE(nexus::widgets::darkStyleSheet(QStringLiteral("font-weight: bold")),
                 QStringLiteral("font-weight: bold"));
    }

    void viewMenuSwitchesTheThemeLive()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* charts = w.findChild<nexus::widgets::DeploymentCharts*>();
        QVERIFY(charts);
        // A label whose style sheet was written for the light theme.
        QLabel* muted = nullptr;
        for (QLabel* l : w.findChildren<QLabel*>())
            if (l->property("nexusLightStyleSheet").toString().contains(QLatin1String("#5f6368")))
                muted = l;
        QVERIFY(muted);

        action(&w, "themeDark")->trigger();
        QCOMPARE(QSettings().value(QStringLiteral("ui/theme")).toString(), QStringLiteral("dark"));
        QVERIFY(w.theme()->isDark());
        QVERIFY(theme::isDark(QApplication::palette()));
        QTRY_VERIFY(theme::isDark(w.palette())); // propagated by the event loop
        QVERIFY(action(&w, "themeDark")->isChecked());
        QVERIFY(!action(&w, "themeLight")->isChecked());
        QVERIFY(charts->chart(0)->backgroundBrush().color().lightnessF() < 0.3);
        QVERIFY(!muted->styleSheet().contains(QLatin1String("#5f6368")));
        shootAll(w, QStringLiteral("dark"));

        action(&w, "themeLight")->trigger();
        QCOMPARE(QSettings().value(QStringLiteral("ui/theme")).toString(), QStringLiteral("light"));
        QTRY_VERIFY(!theme::isDark(w.palette()));
        QVERIFY(charts->chart(0)->backgroundBrush().color().lightnessF() > 0.9);
        QVERIFY(muted->styleSheet().contains(QLatin1String("#5f6368")));
        shootAll(w, QStringLiteral("light"));

        // "System" follows the desktop's preference.
        w.theme()->setDesktopPreferenceOverride(true);
        action(&w, "themeSystem")->trigger();
        QCOMPARE(w.theme()->choice(), ThemeChoice::System);
        QVERIFY(w.theme()->isDark());
        w.theme()->setDesktopPreferenceOverride(false);
        QVERIFY(!w.theme()->isDark());
        w.theme()->setDesktopPreferenceOverride(std::nullopt);

        // The next start applies the remembered choice.
        QSettings().setValue(QStringLiteral("ui/theme"), QStringLiteral("dark"));
        MainWindow again;
        QVERIFY(theme::isDark(QApplication::palette()));
        QVERIFY(action(&again, "themeDark")->isChecked());
    }

    void hiDpiRendersSharp()
    {
        // Run by the tst_console_theme_hidpi entry with QT_SCALE_FACTOR=2.
        const bool scaled = qEnvironmentVariable("QT_SCALE_FACTOR") == QLatin1String("2");
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.devicePixelRatioF(), scaled ? 2.0 : 1.0);
        const QPixmap shot = w.grab();
        QCOMPARE(shot.devicePixelRatio(), w.devicePixelRatioF());
        QCOMPARE(shot.width(), qRound(w.width() * w.devicePixelRatioF()));
        if (scaled) {
            w.theme()->setChoice(ThemeChoice::Dark);
            shootAll(w, QStringLiteral("dark@2x"));
            w.theme()->setChoice(ThemeChoice::Light);
            shootAll(w, QStringLiteral("light@2x"));
        }
    }

    void layoutsAreKeptPerProfile()
    {
        auto w = std::make_unique<MainWindow>();
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        w->openProfile(profile("alpha"));
        dock(w.get(), "notificationsDock")->close();
        w->showView(QStringLiteral("compare"));

        // A profile never seen starts from the layout shown last.
        w->openProfile(profile("beta/with slash"));
        QVERIFY(dock(w.get(), "notificationsDock")->isHidden());
        dock(w.get(), "notificationsDock")->show();
        dock(w.get(), "deploymentsDock")->close();
        w->showView(QStringLiteral("fleet"));

        w->openProfile(profile("alpha"));
        QVERIFY(dock(w.get(), "notificationsDock")->isHidden());
        QVERIFY(!dock(w.get(), "deploymentsDock")->isHidden());
        QCOMPARE(currentTab(w.get()), 1); // compare

        w->openProfile(profile("beta/with slash"));
        QVERIFY(!dock(w.get(), "notificationsDock")->isHidden());
        QVERIFY(dock(w.get(), "deploymentsDock")->isHidden());
        QCOMPARE(currentTab(w.get()), 0);

        // Kept across restarts too.
        w->close();
        w = std::make_unique<MainWindow>();
        w->show();
        w->openProfile(profile("alpha"));
        QVERIFY(dock(w.get(), "notificationsDock")->isHidden());
        QCOMPARE(currentTab(w.get()), 1);

        // Reset: the default layout, and alpha's saved one is forgotten.
        action(w.get(), "resetLayout")->trigger();
        QVERIFY(!dock(w.get(), "notificationsDock")->isHidden());
        QVERIFY(!dock(w.get(), "deploymentsDock")->isHidden());
        QCOMPARE(currentTab(w.get()), 0);
        QSettings settings;
        QVERIFY(!settings.contains(QStringLiteral("layout/alpha/state")));
        QVERIFY(settings.contains(QStringLiteral("layout/beta%2Fwith%20slash/state")));
    }

    void openingABigTraceCanBeCancelled()
    {
        QTemporaryDir dir;
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        TracesPage* page = w.tracesPage();
        QSignalSpy loaded(&w, &MainWindow::traceLoaded);

        // Before: a small trace is open.
        const QString small = writeTrace(dir.filePath(QStringLiteral("small.dstrace")), 4);
        w.openTrace(small);
        QVERIFY(loaded.wait(20000));
        QTRY_VERIFY(!page->isLoading());
        const auto runsBefore = page->openRunIds();
        const auto currentBefore = page->currentRunId();
        QVERIFY(!runsBefore.empty());
        auto* records = w.findChild<QTableView*>(QStringLiteral("records"));
        const int rowsBefore = records->model()->rowCount();
        QCOMPARE(rowsBefore, 4);
        const QString statusBefore = w.findChild<QLabel*>(QStringLiteral("traceStatus"))->text();
        loaded.clear();

        // 1,000,000 records (about 84 MB): read and decoded off the GUI thread,
        // with the count and share read shown while the window stays live.
        const QString big = writeTrace(dir.filePath(QStringLiteral("big.dstrace")), 1000000);
        w.openTrace(big);
        QVERIFY(page->isLoading());
        auto* bar = page->findChild<QProgressBar*>(QStringLiteral("traceProgress"));
        QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() == 1000 && bar->value() > 0, 20000);
        QVERIFY2(bar->value() < 1000, "the read finished before it could be cancelled");
        QVERIFY(bar->format().contains(QLatin1String("records")));
        QVERIFY(w.grab().save(screenshotDir() + QStringLiteral("/theme-trace-progress.png")));
        QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("traceCancel")),
                          Qt::LeftButton);

        // The workers stop; the window is as before, and says so.
        QVERIFY(QThreadPool::globalInstance()->waitForDone(20000));
        QTRY_VERIFY(!loaded.isEmpty());
        QCOMPARE(loaded.front().at(0).toString(), big);
        QCOMPARE(loaded.front().at(1).toInt(), 0);
        QVERIFY(!page->isLoading());
        QCOMPARE(page->bannerText(), QStringLiteral("Opening cancelled."));
        QCOMPARE(page->openRunIds(), runsBefore);
        QCOMPARE(page->currentRunId(), currentBefore);
        QCOMPARE(records->model()->rowCount(), rowsBefore);
        QCOMPARE(w.findChild<QLabel*>(QStringLiteral("traceStatus"))->text(), statusBefore);
        auto* notes = w.findChild<QListWidget*>(QStringLiteral("notifications"));
        QVERIFY(notes->count() > 0);
        QVERIFY(notes->item(0)->text().endsWith(QStringLiteral("Opening big.dstrace cancelled.")));
    }

private:
    static void shootAll(MainWindow& w, const QString& theme)
    {
        const QString dir = screenshotDir();
        for (const char* view : {"fleet", "compare", "runs", "traces", "knowledge", "rollouts"}) {
            QVERIFY(w.showView(QLatin1String(view)));
            QCoreApplication::processEvents();
            QVERIFY(w.grab().save(
                QStringLiteral("%1/theme-%2-%3.png").arg(dir, theme, QLatin1String(view))));
        }
        w.showView(QStringLiteral("fleet"));
        QVERIFY(w.showView(QStringLiteral("deployments")));
        QVERIFY(w.grab().save(QStringLiteral("%1/theme-%2-deployments.png").arg(dir, theme)));
    }
};

QTEST_MAIN(TestConsoleTheme)
#include "tst_console_theme.moc"
