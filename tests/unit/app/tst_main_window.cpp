// The console's window: its title, opening a trace off the GUI thread, the
// record model under QAbstractItemModelTester, and a screenshot to look at.
#include "client/LibraryVersions.h"
#include "models/RecordTableModel.h"
#include "protocol/Dstrace.h"
#include "widgets/AboutDialog.h"

#include "MainWindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

namespace {

QString writeTrace(const QTemporaryDir& dir)
{
    const QString path = dir.filePath(QStringLiteral("sample.dstrace"));
    std::ofstream out(path.toStdString(), std::ios::binary);
    nexus::protocol::DstraceWriter writer(out);
    for (const char* name : {"ev.framed", "sd.framed"}) {
        QFile f(QStringLiteral(NEXUS_TEST_DATA "/vectors/") + QLatin1String(name));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("missing vector");
        if (!writer.append(f.readAll().toStdString()).ok())
            qFatal("write failed");
    }
    if (!writer.append(std::string("\x01\x28\xb5\x2f\xfd<b>bold</b>")).ok())
        qFatal("write failed");
    return path;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void aboutNamesTheLibraryVersions()
    {
        nexus::widgets::AboutDialog about(nexus::client::libraryVersions());
        about.adjustSize();
        QStringList shown;
        for (const QLabel* label : about.findChildren<QLabel*>())
            shown << label->text();
        const QString all = shown.join(u'\n');
        for (const char* library : {"Qt:", "gRPC:", "librdkafka:", "Protobuf:", "zstd:"})
            QVERIFY2(all.contains(QLatin1String(library)), qPrintable(all));
        QVERIFY(all.contains(QString::fromLatin1(qVersion())));
        const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
        QDir().mkpath(dir);
        QVERIFY(about.grab().save(dir + QStringLiteral("/about.png")));
    }

    void titleIsNexusConsole()
    {
        nexus::app::MainWindow w;
        QCOMPARE(w.windowTitle(), QStringLiteral("Nexus Console"));
    }

    void recordModelPassesTheTester()
    {
        nexus::models::RecordTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTemporaryDir dir;
        auto file = nexus::models::RecordTableModel::loadFile(writeTrace(dir));
        QVERIFY(file.error.isEmpty());
        model.setRecords(file.rows);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(file.badRecords, 1);
        QCOMPARE(model.index(0, nexus::models::RecordTableModel::Kind).data().toString(),
                 QStringLiteral("event"));
        QCOMPARE(model.index(0, nexus::models::RecordTableModel::Detail).data().toString(),
                 QStringLiteral("NODE_START agent"));
        QCOMPARE(model.index(1, nexus::models::RecordTableModel::Sequence).data().toULongLong(),
                 2u);
        QCOMPARE(model.index(2, nexus::models::RecordTableModel::Kind).data().toString(),
                 QStringLiteral("error"));
        model.setRecords({});
        QCOMPARE(model.rowCount(), 0);
    }

    void openTraceShowsItsRecords()
    {
        QTemporaryDir dir;
        const QString path = writeTrace(dir);
        nexus::app::MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &nexus::app::MainWindow::traceLoaded);
        w.openTrace(path);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.at(0).at(1).toInt(), 3);
        QCOMPARE(loaded.at(0).at(2).toInt(), 1);
        auto* table = w.findChild<QTableView*>(QStringLiteral("records"));
        QVERIFY(table && table->isVisible());
        QCOMPARE(table->model()->rowCount(), 3);
        // The status bar names the file and counts the bad record.
        const QString status = w.findChild<QLabel*>(QStringLiteral("traceStatus"))->text();
        QVERIFY2(status.contains(QStringLiteral("1 could not be decoded")), qPrintable(status));

        const QString shot = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
        QDir().mkpath(shot);
        QVERIFY(w.grab().save(shot + QStringLiteral("/main_window_trace.png")));
    }

    void missingFileSaysSo()
    {
        nexus::app::MainWindow w;
        QSignalSpy loaded(&w, &nexus::app::MainWindow::traceLoaded);
        w.openTrace(QStringLiteral("/nonexistent/x.dstrace"));
        QVERIFY(loaded.wait(10000));
        const QString status = w.findChild<QLabel*>(QStringLiteral("traceStatus"))->text();
        QVERIFY(status.contains(QStringLiteral("Cannot open")));
        QCOMPARE(w.notificationCount(), 1); // and the notification area says so too
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
