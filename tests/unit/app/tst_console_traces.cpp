// The Traces tab as a user meets it, against a real Nexus on loopback whose
// store holds runs the embedded runtime executed: a filtered search finds
// the right traces, "Load more" pages, a header click re-sorts on the
// server, a double-click opens the trace in the run view, Export writes a
// .dstrace byte for byte and a .json that parses, corrupted files open with
// a banner that counts and keeps the readable records, and a stopped Nexus
// gives a clear error while the page goes on working. Screenshots are saved
// to look at.
#include "client/ConnectionProfile.h"
#include "models/TraceSearchModel.h"
#include "protocol/Dstrace.h"
#include "widgets/GraphCanvas.h"
#include "widgets/RunView.h"

#include "../client/TraceSeed.h"
#include "ConsoleTestNexus.h"
#include "MainWindow.h"
#include "TracesPage.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <set>

using nexus::app::TracesPage;
using nexus::models::TraceSearchModel;
using nexus::testing::RunSpec;
using nexus::testing::SeededTrace;
namespace pb = ::nexus::v1;

using nexus::testing::screenshotDir;

namespace {

std::unique_ptr<nexus::server::NexusServer> startNexus(const QTemporaryDir& dir,
                                                       const std::string& listen)
{
    return nexus::testing::startConsoleNexus(
        dir, listen,
        R"({"tokens": [{"name": "vic", "role": "viewer", "token": "viewer-secret"}]})");
}

QStringList column(const TraceSearchModel& model, int column, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, column).data(role).toString();
    return out;
}

// A .dstrace of `records` with the byte offset of each record's length prefix.
std::vector<std::uint64_t> writeFile(const QString& path, const std::vector<std::string>& records)
{
    std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
    nexus::protocol::DstraceWriter writer(out);
    std::vector<std::uint64_t> offsets;
    std::uint64_t offset = 0;
    for (const std::string& r : records) {
        offsets.push_back(offset);
        offset += 4 + r.size();
        if (!writer.append(r).ok())
            qFatal("write failed");
    }
    return offsets;
}

std::vector<std::string> readFile(const QString& path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    nexus::protocol::DstraceReader reader(in);
    std::vector<std::string> out;
    while (auto next = reader.next()) {
        if (!next->ok())
            qFatal("unreadable export: %s", next->error().message.c_str());
        out.push_back(next->value().value);
    }
    return out;
}

} // namespace

class TestConsoleTraces : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<nexus::server::NexusServer> nexus_;
    std::string address_;
    std::map<std::string, SeededTrace> seeded_;
    std::unique_ptr<nexus::app::MainWindow> window_;
    TracesPage* page_ = nullptr;

    template <class T> T* find(const char* name)
    {
        T* w = page_->findChild<T*>(QLatin1String(name));
        if (!w)
            qFatal("no %s", name);
        return w;
    }

    // After the layout settled (it is posted), as the user sees it.
    bool shot(const char* name)
    {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        return window_->grab().save(screenshotDir() + QLatin1Char('/') + QLatin1String(name));
    }

    // The banner shows all of its text (a word-wrapped label is easily clipped).
    void bannerShowsAllItsText()
    {
        auto* label = find<QLabel>("traceBannerText");
        QVERIFY(label->isVisible());
        QTRY_VERIFY(label->height() >= label->heightForWidth(label->width()));
    }

    bool search()
    {
        QSignalSpy finished(page_, &TracesPage::searchFinished);
        QTest::mouseClick(find<QPushButton>("traceSearchButton"), Qt::LeftButton);
        return finished.wait(15000) && finished.at(0).at(0).toBool();
    }

    void setStatus(int status)
    {
        auto* box = find<QComboBox>("traceStatusFilter");
        box->setCurrentIndex(box->findData(status));
    }

    void clickHeader(int section)
    {
        QHeaderView* header = page_->resultsTable()->horizontalHeader();
        const QPoint at(header->sectionViewportPosition(section) + header->sectionSize(section) / 2,
                        header->height() / 2);
        QSignalSpy finished(page_, &TracesPage::searchFinished);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
        QVERIFY(finished.wait(15000));
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("TEST_TRACES_TOKEN", "viewer-secret");
        nexus_ = startNexus(dir_, "127.0.0.1:0");
        address_ = nexus_->nexusAddress();
        const std::int64_t minute = 60'000'000;
        const std::int64_t base = nexus::testing::nowUs() - 30 * minute;
        std::vector<RunSpec> specs;
        for (int i = 1; i <= 6; ++i)
            specs.push_back({"rag_pipeline", "rag-0" + std::to_string(i), "sim-001",
                             std::uint64_t(i), base + i * minute});
        for (int i = 1; i <= 3; ++i)
            specs.push_back({"support_triage", "triage-0" + std::to_string(i), "sim-002",
                             std::uint64_t(10 + i), base + (6 + i) * minute});
        for (int i = 1; i <= 2; ++i)
            specs.push_back({"rag_pipeline", "fail-0" + std::to_string(i), "sim-003",
                             std::uint64_t(20 + i), base + (9 + i) * minute, true});
        for (const RunSpec& spec : specs) {
            SeededTrace t = nexus::testing::recordRun(spec);
            nexus::testing::storeTrace(nexus_->store(), t);
            seeded_[t.threadId] = std::move(t);
        }

        window_ = std::make_unique<nexus::app::MainWindow>();
        window_->resize(1500, 950);
        window_->show();
        nexus::client::ConnectionProfile p;
        p.name = QStringLiteral("traces test");
        p.kind = nexus::client::ConnectionProfile::Kind::Remote;
        p.nexusEndpoint = QString::fromStdString(address_);
        p.token = {nexus::client::SecretSource::Kind::EnvVar, QStringLiteral("TEST_TRACES_TOKEN")};
        window_->openProfile(p);
        auto* status = window_->findChild<QLabel*>(QStringLiteral("nexusStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("connected")), 20000);
        QVERIFY(window_->showView(QStringLiteral("traces")));
        page_ = window_->tracesPage();
        QVERIFY(page_ && page_->isVisible());
        // The tab lists the latest traces by itself when first shown.
        QTRY_COMPARE_WITH_TIMEOUT(page_->results()->rowCount(), int(seeded_.size()), 10000);
    }

    void cleanupTestCase()
    {
        window_.reset();
        nexus_.reset();
    }

    void aFilteredSearchFindsTheRightTraces()
    {
        setStatus(pb::RUN_STATUS_FAILED);
        QVERIFY(search());
        const TraceSearchModel& results = *page_->results();
        QCOMPARE(column(results, TraceSearchModel::Thread), (QStringList{"fail-02", "fail-01"}));
        QCOMPARE(column(results, TraceSearchModel::Status), (QStringList{"failed", "failed"}));
        for (const QString& error : column(results, TraceSearchModel::Error))
            QVERIFY2(error.contains(QStringLiteral("upstream rate limit exceeded")),
                     qPrintable(error));
        QCOMPARE(page_->searchStatus(), QStringLiteral("2 matching traces"));

        // Free text reaches graph names; Enter searches.
        setStatus(pb::RUN_STATUS_UNSPECIFIED);
        auto* text = find<QLineEdit>("traceText");
        text->setText(QStringLiteral("triage"));
        QSignalSpy finished(page_, &TracesPage::searchFinished);
        QTest::keyClick(text, Qt::Key_Return);
        QVERIFY(finished.wait(15000));
        QCOMPARE(column(results, TraceSearchModel::Thread),
                 (QStringList{"triage-03", "triage-02", "triage-01"}));
        text->clear();

        find<QLineEdit>("traceInstance")->setText(QStringLiteral("sim-001"));
        QVERIFY(search());
        QCOMPARE(results.rowCount(), 6);
        QCOMPARE(column(results, TraceSearchModel::Instance),
                 QStringList(6, QStringLiteral("sim-001")));
        find<QLineEdit>("traceInstance")->clear();
    }

    void loadMoreFetchesTheNextPages()
    {
        page_->results()->setPageSize(4);
        QVERIFY(search());
        auto* more = find<QPushButton>("traceLoadMore");
        QCOMPARE(page_->results()->rowCount(), 4);
        QCOMPARE(page_->searchStatus(), QStringLiteral("4 of 11 matching traces"));
        QVERIFY(more->isVisible() && more->isEnabled());
        QVERIFY(shot("traces_results.png"));
        for (int expected : {8, 11}) {
            QSignalSpy finished(page_, &TracesPage::searchFinished);
            QTest::mouseClick(more, Qt::LeftButton);
            QVERIFY(finished.wait(15000));
            QCOMPARE(page_->results()->rowCount(), expected);
        }
        QCOMPARE(page_->searchStatus(), QStringLiteral("11 matching traces"));
        QVERIFY(!more->isVisible());
        const QStringList threads = column(*page_->results(), TraceSearchModel::Thread);
        QCOMPARE(QSet<QString>(threads.begin(), threads.end()).size(), 11); // no row twice
        page_->results()->setPageSize(50);
    }

    void aHeaderClickSortsOnTheServer()
    {
        QVERIFY(search());
        const auto started = [this] {
            QList<qint64> out;
            for (int r = 0; r < page_->results()->rowCount(); ++r)
                out << page_->results()
                           ->index(r, TraceSearchModel::Started)
                           .data(TraceSearchModel::RawValueRole)
                           .toLongLong();
            return out;
        };
        QList<qint64> newestFirst = started();
        QCOMPARE(page_->results()->index(0, 0).data().toString(), QStringLiteral("fail-02"));
        clickHeader(TraceSearchModel::Started); // now oldest first
        QCOMPARE(page_->results()->traceSort(), pb::TRACE_SORT_STARTED_ASC);
        QCOMPARE(page_->results()->index(0, 0).data().toString(), QStringLiteral("rag-01"));
        std::reverse(newestFirst.begin(), newestFirst.end());
        QCOMPARE(started(), newestFirst);
        QCOMPARE(page_->resultsTable()->horizontalHeader()->sortIndicatorOrder(),
                 Qt::AscendingOrder);

        clickHeader(TraceSearchModel::Duration);
        QCOMPARE(page_->results()->traceSort(), pb::TRACE_SORT_DURATION_DESC);
        const TraceSearchModel& results = *page_->results();
        for (int r = 1; r < results.rowCount(); ++r)
            QVERIFY(results.summary(r - 1).duration_us() >= results.summary(r).duration_us());
        QCOMPARE(page_->resultsTable()->horizontalHeader()->sortIndicatorSection(),
                 int(TraceSearchModel::Duration));
        QCOMPARE(page_->resultsTable()->horizontalHeader()->sortIndicatorOrder(),
                 Qt::DescendingOrder);
        page_->results()->setTraceSort(pb::TRACE_SORT_STARTED_DESC); // back, for the next tests
        QSignalSpy finished(page_, &TracesPage::searchFinished);
        QVERIFY(finished.wait(15000));
    }

    void doubleClickOpensTheTraceInTheRunView()
    {
        const int row = page_->results()->rowOfThread(QStringLiteral("rag-03"));
        QVERIFY(row >= 0);
        QTableView* table = page_->resultsTable();
        const QModelIndex index = page_->results()->index(row, TraceSearchModel::Graph);
        table->scrollTo(index);
        QSignalSpy opened(page_, &TracesPage::traceOpened);
        // A double-click as the window system delivers it: press, release,
        // then the double-click event.
        const QPoint at = table->visualRect(index).center();
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, at);
        QVERIFY(opened.wait(20000));
        const std::uint64_t runId = opened.at(0).at(0).toULongLong();
        QCOMPARE(page_->currentRunId(), runId);
        nexus::widgets::RunView* view = page_->runView();
        QCOMPARE(view->runId(), runId);
        const nexus::models::Run* run = view->run();
        QVERIFY(run);
        QCOMPARE(run->threadId, std::string("rag-03"));
        QVERIFY(run->graph);
        // Every node of the graph is on the canvas; the run's node spans are
        // the path the runtime took.
        for (const auto& node : run->graph->nodes)
            QVERIFY2(!view->canvas()->nodeRect(QString::fromStdString(node.name)).isEmpty(),
                     node.name.c_str());
        std::set<std::string> spans,
            path(seeded_["rag-03"].nodes.begin(), seeded_["rag-03"].nodes.end());
        for (const auto& span : run->spans)
            spans.insert(span.node);
        QCOMPARE(spans, path);
        QCOMPARE(run->status, nexus::models::RunStatus::Completed);
        QCOMPARE(page_->originOf(runId), QStringLiteral("Nexus"));
        QVERIFY(page_->nexusSummary(runId));
        QCOMPARE(*page_->rawRecords(runId), seeded_["rag-03"].records);

        // A trace that is already open is shown again, not downloaded twice.
        page_->openThread(QStringLiteral("rag-03"));
        QVERIFY(!page_->isLoading());
        QCOMPARE(page_->openRunIds().size(), std::size_t(1));

        // A second trace: both open, the selector switches.
        QSignalSpy second(page_, &TracesPage::traceOpened);
        page_->openThread(QStringLiteral("fail-01"));
        QVERIFY(second.wait(20000));
        QCOMPARE(page_->openRunIds().size(), std::size_t(2));
        QCOMPARE(view->run()->threadId, std::string("fail-01"));
        QCOMPARE(view->run()->status, nexus::models::RunStatus::Error);
        QSignalSpy current(page_, &TracesPage::currentTraceChanged);
        auto* selector = find<QComboBox>("openTraces");
        selector->setCurrentIndex(0);
        QCOMPARE(current.size(), 1);
        QCOMPARE(std::uint64_t(current.at(0).at(0).toULongLong()), runId);
        QCOMPARE(view->runId(), runId);
        QVERIFY(shot("traces_opened.png"));
    }

    void exportWritesTheSameBytesAndJson()
    {
        QTemporaryDir out;
        const std::uint64_t runId = page_->currentRunId();
        QCOMPARE(page_->traceStore().run(runId)->threadId, std::string("rag-03"));

        QSignalSpy exported(page_, &TracesPage::exportFinished);
        const QString dstrace = out.filePath(QStringLiteral("rag-03.dstrace"));
        page_->exportTrace(runId, dstrace);
        QVERIFY(exported.wait(10000));
        QCOMPARE(exported.at(0).at(1).toString(), QString());
        QCOMPARE(readFile(dstrace), seeded_["rag-03"].records);
        QVERIFY(!QFile::exists(dstrace + QStringLiteral(".partial")));

        const QString json = out.filePath(QStringLiteral("rag-03.json"));
        page_->exportTrace(runId, json);
        QVERIFY(exported.wait(10000));
        QCOMPARE(exported.at(1).at(1).toString(), QString());
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto doc = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
        QVERIFY(!doc.is_discarded());
        QCOMPARE(doc["summary"]["thread_id"].get<std::string>(), std::string("rag-03"));
        QCOMPARE(doc["summary"]["nexus_summary"]["thread_id"].get<std::string>(),
                 std::string("rag-03"));
        QCOMPARE(doc["records"].size(), seeded_["rag-03"].records.size());
        QCOMPARE(doc["records"][0]["event"]["event_type"].get<std::string>(),
                 std::string("EVENT_TYPE_GRAPH_START"));

        // A folder that does not exist: a clear error, nothing written.
        const QString nowhere = out.filePath(QStringLiteral("missing/x.dstrace"));
        page_->exportTrace(runId, nowhere);
        QVERIFY(exported.wait(10000));
        const QString error = exported.at(2).at(1).toString();
        QVERIFY2(error.contains(nowhere), qPrintable(error));
        QVERIFY(page_->bannerText().startsWith(QStringLiteral("Export failed")));
        QVERIFY(!QFile::exists(nowhere));
    }

    void aDownloadShowsProgressAndCanBeCancelled()
    {
        QSignalSpy opened(page_, &TracesPage::traceOpened);
        page_->openThread(QStringLiteral("rag-05"));
        QVERIFY(page_->isLoading());
        QVERIFY(find<QWidget>("traceProgressRow")->isVisible());
        QTest::mouseClick(find<QPushButton>("traceCancel"), Qt::LeftButton);
        QVERIFY(!page_->isLoading());
        QVERIFY(!find<QWidget>("traceProgressRow")->isVisible());
        QCOMPARE(page_->bannerText(), QStringLiteral("Opening cancelled."));

        // The next download arrives; the cancelled one never does.
        page_->openThread(QStringLiteral("rag-06"));
        QVERIFY(opened.wait(20000));
        QCOMPARE(opened.size(), 1);
        QCOMPARE(page_->runView()->run()->threadId, std::string("rag-06"));
        for (std::uint64_t id : page_->openRunIds())
            QVERIFY(page_->traceStore().run(id)->threadId != "rag-05");
    }

    void corruptedFilesKeepWhatIsReadable()
    {
        QTemporaryDir out;
        // A run recorded here, never seen by Nexus: files need no server.
        const SeededTrace run =
            nexus::testing::recordRun({"support_triage", "file-run", "laptop", 99, 0});
        const std::size_t n = run.records.size();
        QVERIFY(n > 12);

        // Truncated in the middle of record 10.
        const QString truncated = out.filePath(QStringLiteral("truncated.dstrace"));
        const auto offsets = writeFile(truncated, run.records);
        QVERIFY(QFile::resize(truncated, qint64(offsets[10] + 4 + run.records[10].size() / 2)));
        QSignalSpy loaded(page_, &TracesPage::loadFinished);
        window_->openTrace(truncated); // File > Open Trace
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.at(0).at(1).toInt(), 10);
        QCOMPARE(loaded.at(0).at(2).toInt(), 1);
        QString banner = page_->bannerText();
        QVERIFY2(banner.contains(QStringLiteral("10 records read, 1 bad")), qPrintable(banner));
        QVERIFY2(banner.contains(QStringLiteral("record 10 at byte %1").arg(offsets[10])),
                 qPrintable(banner));
        const nexus::models::Run* shown = page_->runView()->run();
        QVERIFY(shown);
        QCOMPARE(shown->threadId, std::string("file-run"));
        QCOMPARE(page_->rawRecords(shown->id)->size(), std::size_t(10));
        QVERIFY(!shown->steps.empty());
        bannerShowsAllItsText();
        QVERIFY(shot("traces_truncated.png"));

        // Bits flipped in the frame bytes of records 3 and 7.
        std::vector<std::string> flipped = run.records;
        flipped[3][0] = char(flipped[3][0] ^ 0x80);
        flipped[7][0] = char(flipped[7][0] ^ 0x80);
        const QString bits = out.filePath(QStringLiteral("flipped.dstrace"));
        writeFile(bits, flipped);
        page_->openFile(bits);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.at(1).at(1).toInt(), int(n - 2));
        QCOMPARE(loaded.at(1).at(2).toInt(), 2);
        banner = page_->bannerText();
        QVERIFY2(banner.contains(QStringLiteral("%1 records read, 2 bad").arg(n - 2)),
                 qPrintable(banner));
        QVERIFY2(banner.contains(QStringLiteral("record 3 at byte %1").arg(offsets[3])),
                 qPrintable(banner));
        shown = page_->runView()->run();
        QCOMPARE(shown->threadId, std::string("file-run"));
        QCOMPARE(shown->ordinal, 2); // the same thread opened twice: two runs
        // Every record is kept for export, the undecodable ones too.
        QCOMPARE(*page_->rawRecords(shown->id), flipped);
        bannerShowsAllItsText();
        QVERIFY(shot("traces_flipped.png"));

        // Not a file at all: an error, the open traces stay.
        const auto before = page_->openRunIds();
        page_->openFile(out.filePath(QStringLiteral("nothing.dstrace")));
        QVERIFY(loaded.wait(10000));
        QVERIFY(loaded.at(2).at(4).toString().contains(QStringLiteral("Cannot open")));
        QCOMPARE(page_->openRunIds(), before);

        // Closing: the next one is shown; the last one empties the store.
        QSignalSpy changed(page_, &TracesPage::currentTraceChanged);
        // A closed trace's run leaves the store at once.
        const std::size_t stored = page_->traceStore().size();
        page_->closeTrace(before.front());
        QVERIFY(!page_->traceStore().run(before.front()));
        QCOMPARE(page_->traceStore().size(), stored - 1);
        for (std::size_t i = 1; i < before.size(); ++i)
            page_->closeTrace(before[i]);
        QVERIFY(page_->openRunIds().empty());
        QCOMPARE(page_->currentRunId(), std::uint64_t(0));
        QCOMPARE(changed.last().at(0).toULongLong(), 0ULL);
        QCOMPARE(page_->traceStore().size(), std::size_t(0));
        QVERIFY(page_->runView()->run() == nullptr);
    }

    void aStoppedNexusSaysSoAndThePageGoesOn()
    {
        nexus_.reset(); // Nexus goes away
        QVERIFY(!search());
        const QString status = page_->searchStatus();
        QVERIFY2(status.contains(QStringLiteral("Searching traces failed")) &&
                     status.contains(QStringLiteral("unreachable")),
                 qPrintable(status));
        QVERIFY(find<QLabel>("traceSearchStatus")->styleSheet().contains(QStringLiteral("b3261e")));
        QCOMPARE(page_->results()->rowCount(), 11); // the last results stay

        // Downloads fail clearly too; files still open.
        QSignalSpy loaded(page_, &TracesPage::loadFinished);
        page_->openThread(QStringLiteral("rag-01"));
        QVERIFY(loaded.wait(15000));
        QVERIFY2(loaded.at(0).at(4).toString().contains(QStringLiteral("unreachable")),
                 qPrintable(loaded.at(0).at(4).toString()));
        QVERIFY(page_->bannerText().contains(QStringLiteral("Downloading trace rag-01 failed")));
        QTemporaryDir out;
        const QString path = out.filePath(QStringLiteral("offline.dstrace"));
        writeFile(path, seeded_["rag-01"].records);
        page_->openFile(path);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.at(1).at(1).toInt(), int(seeded_["rag-01"].records.size()));
        QCOMPARE(page_->runView()->run()->threadId, std::string("rag-01"));

        // Nexus back on the same port: searching works again.
        nexus_ = startNexus(dir_, address_);
        QTRY_VERIFY_WITH_TIMEOUT(search(), 30000);
        QCOMPARE(page_->results()->rowCount(), 11);
    }
};

QTEST_MAIN(TestConsoleTraces)
#include "tst_console_traces.moc"
