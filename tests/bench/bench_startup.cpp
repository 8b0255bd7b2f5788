// Cold start of the console (DESIGN.md §6: "cold start to first frame /
// sandbox fleet visible <= 1.5 s / <= 3 s").
//
// Launches the built nexus-console with QProcess as a first start: a fresh
// HOME and XDG directories (no profile used before, so the Local sandbox
// opens), the offscreen platform, and `--startup-probe first-frame` or
// `fleet-visible`. The figure is the wall time from QProcess::start() to the
// probe's line on stdout; the milliseconds the console prints (since its
// process started) and its CPU time at that moment are the cross-checks.
// Wall times on a shared machine are noisy: compare the CPU time too.

#include "BenchSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace nexus::bench;

namespace {

const QString kConsole = QStringLiteral(NEXUS_BINARY_DIR "/app/console/nexus-console");
constexpr int kTimeoutMs = 60'000; // a start that takes this long has failed

struct Launch
{
    double wallMs = 0;    // QProcess::start() to the probe line
    double printedMs = 0; // the console's own figure (since its process started)
    double cpuMs = 0;     // the console's CPU time when the line was read
};

// One first start of the console until the probe `what` reports.
Launch launch(const QString& what)
{
    QTemporaryDir home;
    if (!home.isValid())
        qFatal("no temporary directory");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                             "XDG_STATE_HOME", "TMPDIR"}) {
        const QString dir = home.filePath(QString::fromLatin1(name).toLower());
        QDir().mkpath(dir);
        env.insert(QString::fromLatin1(name), dir);
    }
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.remove(QStringLiteral("NEXUS_TOKEN"));

    QProcess console;
    console.setProcessEnvironment(env);
    console.setProcessChannelMode(QProcess::SeparateChannels);
    const QRegularExpression line(QStringLiteral("^startup-probe: ") +
                                  QRegularExpression::escape(what) + QStringLiteral(" ([0-9.]+)$"));
    const double start = nowSeconds();
    console.start(kConsole, {QStringLiteral("--startup-probe"), what});
    Launch out;
    QByteArray seen;
    bool reported = false;
    while (!reported && console.waitForReadyRead(kTimeoutMs)) {
        while (console.canReadLine()) {
            const QByteArray text = console.readLine().trimmed();
            seen += text + '\n';
            const auto match = line.match(QString::fromUtf8(text));
            if (match.hasMatch()) {
                out.wallMs = (nowSeconds() - start) * 1000.0;
                out.cpuMs = processCpuSeconds(console.processId()) * 1000.0;
                out.printedMs = match.captured(1).toDouble();
                reported = true;
                break;
            }
        }
    }
    if (!reported) {
        console.kill();
        console.waitForFinished();
        qFatal("nexus-console --startup-probe %s did not report; stdout:\n%s\nstderr:\n%s",
               qPrintable(what), seen.constData(), console.readAllStandardError().constData());
    }
    if (!console.waitForFinished(kTimeoutMs)) {
        console.kill();
        console.waitForFinished();
        qFatal("nexus-console did not exit after the probe");
    }
    if (console.exitStatus() != QProcess::NormalExit || console.exitCode() != 0)
        qFatal("nexus-console exited with %d after the probe:\n%s", console.exitCode(),
               console.readAllStandardError().constData());
    return out;
}

} // namespace

class BenchStartup : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(kConsole).isExecutable(), qPrintable(kConsole));
        // One start not measured: the binary and its libraries into the page
        // cache, as for any start after the first since boot.
        launch(QStringLiteral("first-frame"));
    }

    void coldStart_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<double>("budgetMs");
        QTest::addColumn<QString>("budgetText");
        QTest::newRow("first_frame")
            << QStringLiteral("first-frame") << 1500.0 << QStringLiteral("<= 1.5 s");
        QTest::newRow("fleet_visible")
            << QStringLiteral("fleet-visible") << 3000.0 << QStringLiteral("<= 3 s");
    }

    void coldStart()
    {
        QFETCH(QString, what);
        QFETCH(double, budgetMs);
        QFETCH(QString, budgetText);
        const std::string name = "startup." + what.replace(u'-', u'_').toStdString();
        Figure wall{
            name + ".ms", "ms", {}, Budget{budgetMs, Better::Lower, budgetText.toStdString()}, ""};
        std::vector<double> printed, cpu;
        for (int r = 0; r < repetitions(); ++r) {
            const Launch l = launch(QString(what).replace(u'_', u'-'));
            // It really started: the console reported the moment itself.
            QVERIFY(l.printedMs > 0);
            wall.samples.push_back(l.wallMs);
            printed.push_back(l.printedMs);
            cpu.push_back(l.cpuMs);
            std::printf("  %s: %.0f ms wall, console says %.0f ms, %.0f ms CPU\n", qPrintable(what),
                        l.wallMs, l.printedMs, l.cpuMs);
        }
        wall.note = "QProcess::start() to the probe line, first start (fresh HOME, Local "
                    "sandbox), offscreen; console's own figure median " +
                    std::to_string(int(median(printed))) + " ms, its CPU time median " +
                    std::to_string(int(median(cpu))) + " ms";
        report(wall);
        report(Figure{name + ".cpu_ms",
                      "ms",
                      cpu,
                      {},
                      "user+system CPU of the console until the probe (less noisy than wall "
                      "time on a shared machine)"});
    }
};

QTEST_GUILESS_MAIN(BenchStartup)
#include "bench_startup.moc"
