// nexus-console: the desktop console for DashFlow fleets.
#include "client/ConnectionProfile.h"
#include "client/LibraryVersions.h"
#include "client/ProfileStore.h"

#include "MainWindow.h"
#include "NexusVersion.h"
#include "TracesPage.h"
#include "WelcomeDialog.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEvent>
#include <QIcon>
#include <QPointer>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

// The profile to open: --nexus (a remote given on the command line, token
// from NEXUS_TOKEN), --profile NAME, the last one used, or the Local sandbox.
std::optional<nexus::client::ConnectionProfile>
chooseProfile(const QCommandLineParser& parser, nexus::client::ProfileStore& store, QString& error)
{
    using nexus::client::ConnectionProfile;
    if (parser.isSet(QStringLiteral("nexus"))) {
        ConnectionProfile p;
        p.name = QStringLiteral("command line");
        p.kind = ConnectionProfile::Kind::Remote;
        p.nexusEndpoint = parser.value(QStringLiteral("nexus"));
        p.kafkaBootstrapServers = parser.value(QStringLiteral("kafka"));
        p.tlsCaPath = parser.value(QStringLiteral("tls-ca"));
        if (qEnvironmentVariableIsSet("NEXUS_TOKEN"))
            p.token = {nexus::client::SecretSource::Kind::EnvVar, QStringLiteral("NEXUS_TOKEN")};
        return p;
    }
    const QString name = parser.isSet(QStringLiteral("profile"))
                             ? parser.value(QStringLiteral("profile"))
                             : store.lastUsed();
    if (name.isEmpty())
        return ConnectionProfile::localSandbox();
    auto profile = store.profile(name);
    if (!profile) {
        error = QStringLiteral("no connection profile named \"%1\" (known: %2)")
                    .arg(name, store.names().join(u", "));
        return std::nullopt;
    }
    return profile;
}

// Milliseconds since the process started: from its start time in
// /proc/self/stat (clock ticks since boot, so 10 ms steps), else since main().
double msSinceProcessStart(const QElapsedTimer& sinceMain)
{
    std::ifstream stat("/proc/self/stat");
    std::string line;
    timespec boot{};
    if (std::getline(stat, line) && clock_gettime(CLOCK_BOOTTIME, &boot) == 0) {
        // Field 22 (starttime), counted after the ")" that ends field 2.
        std::istringstream rest(line.substr(line.rfind(')') + 2));
        std::string field;
        for (int i = 3; i < 22 && rest >> field; ++i) {
        }
        unsigned long long ticks = 0;
        if (rest >> ticks) {
            const double startMs = double(ticks) * 1000.0 / double(sysconf(_SC_CLK_TCK));
            return double(boot.tv_sec) * 1000.0 + double(boot.tv_nsec) / 1e6 - startMs;
        }
    }
    return double(sinceMain.nsecsElapsed()) / 1e6;
}

// --startup-probe (for bench_startup, DESIGN.md §6 "cold start to first frame
// / sandbox fleet visible"): prints "startup-probe: <what> <ms>" once the
// moment is reached and ends the console with 0. first-frame: the main
// window's first paint has been done (its whole repaint, then the event loop
// is back); fleet-visible: the fleet table has painted at least one instance.
class StartupProbe : public QObject
{
public:
    StartupProbe(QString what, QWidget* window, QAbstractItemView* fleet,
                 const QElapsedTimer& sinceMain)
        : what_(std::move(what)), window_(window), fleet_(fleet), sinceMain_(sinceMain)
    {
        if (what_ == QLatin1String("first-frame"))
            window_->installEventFilter(this);
        else
            fleet_->viewport()->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() != QEvent::Paint || done_)
            return false;
        const bool reached = watched == window_ || fleet_->model()->rowCount() > 0;
        if (reached) {
            done_ = true;
            // After this paint event the rest of the frame is painted and
            // flushed; the zero timer runs when the event loop is back.
            QTimer::singleShot(0, this, [this] {
                std::printf("startup-probe: %s %.0f\n", qPrintable(what_),
                            msSinceProcessStart(sinceMain_));
                std::fflush(stdout);
                QApplication::exit(0);
            });
        }
        return false;
    }

private:
    QString what_;
    QWidget* window_;
    QAbstractItemView* fleet_;
    const QElapsedTimer& sinceMain_;
    bool done_ = false;
};

} // namespace

int main(int argc, char** argv)
{
    QElapsedTimer sinceMain;
    sinceMain.start();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("nexus-console"));
    QApplication::setApplicationDisplayName(QStringLiteral("Nexus Console"));
    QApplication::setOrganizationName(QStringLiteral("Nexus"));
    QApplication::setApplicationVersion(QStringLiteral(NEXUS_VERSION));
    // Desktop integration (packaging/): the window belongs to the desktop file
    // and shows the theme icon, or the built-in one.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.nexus_console.NexusConsole"));
    {
        QIcon fallback;
        for (const int size : {32, 64, 256})
            fallback.addFile(QStringLiteral(":/icons/nexus-console-%1.png").arg(size));
        QApplication::setWindowIcon(
            QIcon::fromTheme(QStringLiteral("io.github.nexus_console.NexusConsole"), fallback));
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Desktop console for DashFlow agent fleets. Without options it opens the "
                       "last connection profile,\n"
                       "or on first start the Local sandbox: a Nexus with a simulated fleet hosted "
                       "in this process."));
    parser.addHelpOption();
    const QCommandLineOption versionOption(
        {QStringLiteral("V"), QStringLiteral("version")},
        QStringLiteral("Show the versions of the console and its libraries."));
    parser.addOption(versionOption);
    parser.addOption({QStringLiteral("profile"),
                      QStringLiteral("Open the connection profile <name>."),
                      QStringLiteral("name")});
    parser.addOption(
        {QStringLiteral("nexus"),
         QStringLiteral("Connect to the Nexus at <host:port> (token from NEXUS_TOKEN)."),
         QStringLiteral("host:port")});
    parser.addOption({QStringLiteral("kafka"),
                      QStringLiteral("With --nexus: Kafka bootstrap servers."),
                      QStringLiteral("host:port")});
    parser.addOption({QStringLiteral("tls-ca"),
                      QStringLiteral("With --nexus: the CA of Nexus's TLS certificate."),
                      QStringLiteral("pem")});
    parser.addOption({QStringLiteral("screenshot"),
                      QStringLiteral("Save the main window as PNG to <file> and exit."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("view"),
                      QStringLiteral("With --screenshot: the view to show (fleet, compare, runs, "
                                     "traces, traces-debugger, knowledge, rollouts, "
                                     "deployments, records, notifications)."),
                      QStringLiteral("name"), QStringLiteral("fleet")});
    parser.addOption({QStringLiteral("after"),
                      QStringLiteral("With --screenshot: wait <seconds> first (default 1)."),
                      QStringLiteral("seconds"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("compare"),
                      QStringLiteral("Compare these instances (comma separated, 2-8; the first is "
                                     "the baseline)."),
                      QStringLiteral("ids")});
    parser.addOption({QStringLiteral("open-trace"),
                      QStringLiteral("Open the .dstrace <file> in the Traces tab (no server "
                                     "needed; may be given more than once)."),
                      QStringLiteral("file")});
    parser.addOption(
        {QStringLiteral("startup-probe"),
         QStringLiteral("For measurement: print \"startup-probe: <what> <ms since process "
                        "start>\" when <what> is reached, then exit (first-frame: the main "
                        "window is painted; fleet-visible: the fleet table shows an instance)."),
         QStringLiteral("what")});
    parser.addOption({QStringLiteral("welcome"),
                      QStringLiteral("Show the welcome screen (shown by itself on the first "
                                     "start; with --screenshot: over the window).")});
    parser.addPositionalArgument(QStringLiteral("trace"),
                                 QStringLiteral("A .dstrace file to open (as --open-trace)."),
                                 QStringLiteral("[trace]"));
    parser.process(app);

    if (parser.isSet(versionOption)) {
        for (const auto& [name, version] : nexus::client::libraryVersions())
            std::printf("%s %s\n", qPrintable(name), qPrintable(version));
        return 0;
    }

    QSettings settings;
    nexus::client::ProfileStore profiles(&settings);
    QString error;
    const auto profile = chooseProfile(parser, profiles, error);
    if (!profile) {
        std::fprintf(stderr, "nexus-console: %s\n", qPrintable(error));
        return 2;
    }

    nexus::app::MainWindow window;
    std::unique_ptr<StartupProbe> probe;
    if (parser.isSet(QStringLiteral("startup-probe"))) {
        const QString what = parser.value(QStringLiteral("startup-probe"));
        auto* fleet = window.findChild<QAbstractItemView*>(QStringLiteral("fleetTable"));
        if ((what != QLatin1String("first-frame") && what != QLatin1String("fleet-visible")) ||
            !fleet) {
            std::fprintf(stderr, "nexus-console: unknown startup probe %s\n", qPrintable(what));
            return 2;
        }
        probe = std::make_unique<StartupProbe>(what, &window, fleet, sinceMain);
    }
    window.show();
    window.openProfile(*profile);
    if (parser.isSet(QStringLiteral("compare")))
        window.compareInstances(
            parser.value(QStringLiteral("compare")).split(u',', Qt::SkipEmptyParts));
    QStringList traces = parser.values(QStringLiteral("open-trace"));
    traces += parser.positionalArguments();
    for (const QString& trace : std::as_const(traces))
        window.openTrace(trace);
    // The welcome screen: on the first start of a plain launch (not when
    // measuring, taking a screenshot or opening a given trace, profile or Nexus).
    const bool plainStart = !parser.isSet(QStringLiteral("screenshot")) &&
                            !parser.isSet(QStringLiteral("startup-probe")) &&
                            !parser.isSet(QStringLiteral("nexus")) &&
                            !parser.isSet(QStringLiteral("profile")) && traces.isEmpty();
    QPointer<nexus::app::WelcomeDialog> welcome;
    if (parser.isSet(QStringLiteral("welcome")) ||
        (plainStart && nexus::app::WelcomeDialog::wantedAtStartup()))
        welcome = nexus::app::showWelcome(&window);

    if (parser.isSet(QStringLiteral("screenshot"))) {
        const QString file = parser.value(QStringLiteral("screenshot"));
        QString view = parser.value(QStringLiteral("view"));
        if (view == QLatin1String("traces-debugger")) { // the Traces tab's replay debugger
            QTabWidget* inspector = window.tracesPage()->inspectorTabs();
            for (int i = 0; i < inspector->count(); ++i)
                if (inspector->tabText(i).remove(u'&') == QLatin1String("Debugger"))
                    inspector->setCurrentIndex(i);
            view = QStringLiteral("traces");
        }
        if (!window.showView(view)) {
            std::fprintf(stderr, "nexus-console: unknown view %s\n",
                         qPrintable(parser.value(QStringLiteral("view"))));
            return 2;
        }
        const int delayMs =
            static_cast<int>(parser.value(QStringLiteral("after")).toDouble() * 1000);
        QTimer::singleShot(delayMs, &window, [&window, file, welcome] {
            const QPixmap shot = welcome ? welcome->grabOver(&window) : window.grab();
            const bool saved = shot.save(file, "PNG");
            if (!saved)
                std::fprintf(stderr, "nexus-console: cannot write %s\n", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
