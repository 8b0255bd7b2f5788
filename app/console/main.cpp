// nexus-console: the desktop console for DashFlow fleets.
#include "client/LibraryVersions.h"

#include "MainWindow.h"
#include "NexusVersion.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("nexus-console"));
    QApplication::setApplicationDisplayName(QStringLiteral("Nexus Console"));
    QApplication::setOrganizationName(QStringLiteral("Nexus"));
    QApplication::setApplicationVersion(QStringLiteral(NEXUS_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Desktop console for DashFlow agent fleets."));
    parser.addHelpOption();
    const QCommandLineOption versionOption(
        {QStringLiteral("V"), QStringLiteral("version")},
        QStringLiteral("Show the versions of the console and its libraries."));
    parser.addOption(versionOption);
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Save the main window as PNG to <file> and exit."), QStringLiteral("file"));
    parser.addOption(screenshotOption);
    const QCommandLineOption afterOption(
        QStringLiteral("after"),
        QStringLiteral("With --screenshot: wait <seconds> first (default 1)."),
        QStringLiteral("seconds"), QStringLiteral("1"));
    parser.addOption(afterOption);
    parser.addPositionalArgument(QStringLiteral("trace"),
                                 QStringLiteral("A .dstrace file to open."),
                                 QStringLiteral("[trace]"));
    parser.process(app);

    if (parser.isSet(versionOption)) {
        for (const auto& [name, version] : nexus::client::libraryVersions())
            std::printf("%s %s\n", qPrintable(name), qPrintable(version));
        return 0;
    }

    nexus::app::MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty())
        window.openTrace(parser.positionalArguments().constFirst());

    if (parser.isSet(screenshotOption)) {
        const QString file = parser.value(screenshotOption);
        const int delayMs = static_cast<int>(parser.value(afterOption).toDouble() * 1000);
        QTimer::singleShot(delayMs, &window, [&window, file] {
            const bool saved = window.grab().save(file, "PNG");
            if (!saved)
                std::fprintf(stderr, "nexus-console: cannot write %s\n", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
