// nexus-console: the desktop console for DashFlow fleets.
#include "client/ConnectionProfile.h"
#include "client/LibraryVersions.h"
#include "client/ProfileStore.h"

#include "MainWindow.h"
#include "NexusVersion.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

#include <cstdio>

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

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("nexus-console"));
    QApplication::setApplicationDisplayName(QStringLiteral("Nexus Console"));
    QApplication::setOrganizationName(QStringLiteral("Nexus"));
    QApplication::setApplicationVersion(QStringLiteral(NEXUS_VERSION));

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
                                     "traces, knowledge, rollouts, deployments, "
                                     "records, notifications)."),
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
    window.show();
    window.openProfile(*profile);
    if (parser.isSet(QStringLiteral("compare")))
        window.compareInstances(
            parser.value(QStringLiteral("compare")).split(u',', Qt::SkipEmptyParts));
    QStringList traces = parser.values(QStringLiteral("open-trace"));
    traces += parser.positionalArguments();
    for (const QString& trace : std::as_const(traces))
        window.openTrace(trace);

    if (parser.isSet(QStringLiteral("screenshot"))) {
        const QString file = parser.value(QStringLiteral("screenshot"));
        if (!window.showView(parser.value(QStringLiteral("view")))) {
            std::fprintf(stderr, "nexus-console: unknown view %s\n",
                         qPrintable(parser.value(QStringLiteral("view"))));
            return 2;
        }
        const int delayMs =
            static_cast<int>(parser.value(QStringLiteral("after")).toDouble() * 1000);
        QTimer::singleShot(delayMs, &window, [&window, file] {
            const bool saved = window.grab().save(file, "PNG");
            if (!saved)
                std::fprintf(stderr, "nexus-console: cannot write %s\n", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
