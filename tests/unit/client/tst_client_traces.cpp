// NexusClient's trace calls against a real NexusServer on loopback, whose
// store holds runs the embedded runtime really executed: search with
// filters, pages and the server's sorts; a trace downloaded byte for byte
// in chunks with progress; clear failures (unknown trace, too large, Nexus
// gone); cancelling and destroying the client mid-download.
#include "client/NexusClient.h"
#include "server/api/NexusServer.h"

#include "../server/api/ApiTestServer.h"
#include "TraceSeed.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <fstream>

using namespace nexus::client;
using nexus::testing::RunSpec;
using nexus::testing::SeededTrace;
namespace pb = ::nexus::v1;

namespace {

// The API tests' server (a token per role); the client signs in as the viewer.
struct TestNexus : ApiTestServer
{
    NexusEndpoint endpoint() const
    {
        NexusEndpoint e;
        e.address = QString::fromStdString(server->nexusAddress());
        e.token = QString::fromLatin1(viewerToken);
        e.callTimeout = std::chrono::seconds(10);
        return e;
    }
};

QStringList threadsOf(const pb::SearchTracesResponse& response)
{
    QStringList out;
    for (const auto& t : response.traces())
        out << QString::fromStdString(t.thread_id());
    return out;
}

} // namespace

class TestClientTraces : public QObject
{
    Q_OBJECT

    TestNexus nexus_;
    std::vector<SeededTrace> seeded_;
    SeededTrace long_; // many records: several chunks

    // Answers of one search, on the caller's thread.
    pb::SearchTracesResponse searchFor(NexusClient& client, const pb::SearchTracesRequest& request)
    {
        QSignalSpy found(&client, &NexusClient::tracesFound);
        QSignalSpy failed(&client, &NexusClient::callFailed);
        const quint64 id = client.searchTraces(request);
        if (!found.wait(10000) || !failed.isEmpty())
            qFatal("search failed");
        if (found.at(0).at(0).toULongLong() != id)
            qFatal("answer for another request");
        return found.at(0).at(1).value<pb::SearchTracesResponse>();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(nexus_.start());
        const std::int64_t hour = 3600LL * 1'000'000;
        const std::int64_t base = nexus::testing::nowUs() - 10 * hour;
        // Seven runs an hour apart, of two graphs and three instances; two fail.
        const RunSpec specs[] = {
            {"rag_pipeline", "rag-a", "sim-001", 1, base},
            {"rag_pipeline", "rag-b", "sim-001", 2, base + hour},
            {"support_triage", "triage-a", "sim-002", 3, base + 2 * hour},
            {"rag_pipeline", "rag-c", "sim-001", 4, base + 3 * hour},
            {"support_triage", "triage-b", "sim-002", 5, base + 4 * hour},
            {"rag_pipeline", "rag-fail-a", "sim-003", 6, base + 5 * hour, true},
            {"rag_pipeline", "rag-fail-b", "sim-003", 7, base + 6 * hour, true},
        };
        for (const RunSpec& spec : specs) {
            seeded_.push_back(nexus::testing::recordRun(spec));
            nexus::testing::storeTrace(nexus_.server->store(), seeded_.back());
        }
        // A trace of more than two chunks (Nexus sends at most 2000 records
        // per chunk): real records of a run, repeated.
        long_ = seeded_.front();
        long_.threadId = "long-run";
        long_.summary.set_thread_id("long-run");
        long_.summary.set_started_us(base - hour);
        while (long_.records.size() < 4500)
            long_.records.insert(long_.records.end(), seeded_.front().records.begin(),
                                 seeded_.front().records.end());
        long_.summary.set_records(qint64(long_.records.size()));
        nexus::testing::storeTrace(nexus_.server->store(), long_);
    }

    void searchFindsByGraphStatusAndErrorText()
    {
        NexusClient client(nexus_.endpoint());
        QThread* seenThread = nullptr;
        connect(&client, &NexusClient::tracesFound, this,
                [&] { seenThread = QThread::currentThread(); });

        pb::SearchTracesRequest byGraph;
        byGraph.set_graph_name("support_triage");
        const auto triage = searchFor(client, byGraph);
        QCOMPARE(seenThread, QThread::currentThread());
        QCOMPARE(triage.total_matches(), 2);
        QCOMPARE(threadsOf(triage), (QStringList{"triage-b", "triage-a"})); // newest first

        pb::SearchTracesRequest failed;
        failed.set_status(pb::RUN_STATUS_FAILED);
        const auto failures = searchFor(client, failed);
        QCOMPARE(threadsOf(failures), (QStringList{"rag-fail-b", "rag-fail-a"}));
        for (const auto& t : failures.traces())
            QVERIFY2(t.error().find("upstream rate limit exceeded") != std::string::npos,
                     t.error().c_str());

        pb::SearchTracesRequest byText;
        byText.set_text("rate limit");
        QCOMPARE(threadsOf(searchFor(client, byText)), (QStringList{"rag-fail-b", "rag-fail-a"}));

        pb::SearchTracesRequest byInstance;
        byInstance.set_instance_id("sim-001");
        byInstance.set_graph_name("rag_pipeline");
        QCOMPARE(threadsOf(searchFor(client, byInstance)),
                 (QStringList{"rag-c", "rag-b", "rag-a", "long-run"}));
    }

    void searchPagesInTheServersOrder()
    {
        NexusClient client(nexus_.endpoint());
        pb::SearchTracesRequest request;
        request.set_sort(pb::TRACE_SORT_STARTED_ASC);
        request.set_page_size(3);
        QStringList all;
        int pages = 0;
        do {
            const auto page = searchFor(client, request);
            QCOMPARE(page.total_matches(), 8);
            all << threadsOf(page);
            request.set_page_token(page.next_page_token());
            ++pages;
        } while (!request.page_token().empty() && pages < 10);
        QCOMPARE(pages, 3);
        QCOMPARE(all, (QStringList{"long-run", "rag-a", "rag-b", "triage-a", "rag-c", "triage-b",
                                   "rag-fail-a", "rag-fail-b"}));

        pb::SearchTracesRequest longest;
        longest.set_sort(pb::TRACE_SORT_DURATION_DESC);
        const auto byDuration = searchFor(client, longest);
        for (int i = 1; i < byDuration.traces_size(); ++i)
            QVERIFY(byDuration.traces(i - 1).duration_us() >= byDuration.traces(i).duration_us());
    }

    void aTraceArrivesByteForByteWithProgress()
    {
        NexusClient client(nexus_.endpoint());
        QSignalSpy progress(&client, &NexusClient::traceProgress);
        QSignalSpy received(&client, &NexusClient::traceReceived);
        QSignalSpy failed(&client, &NexusClient::callFailed);
        const quint64 id = client.getTrace(QStringLiteral("long-run"));
        QVERIFY(client.isPending(id));
        QVERIFY(received.wait(20000));
        QVERIFY(failed.isEmpty());
        QVERIFY(!client.isPending(id));
        QCOMPARE(received.at(0).at(0).toULongLong(), id);
        const auto trace = received.at(0).at(1).value<TraceDownload>();
        QCOMPARE(trace.summary.thread_id(), std::string("long-run"));
        QVERIFY(trace.records);
        QCOMPARE(trace.records->size(), long_.records.size());
        QVERIFY(*trace.records == long_.records);

        // One progress report per chunk (2000 records at most), growing
        // towards the count the summary announced.
        QVERIFY2(progress.size() >= 3, qPrintable(QString::number(progress.size())));
        qint64 last = 0;
        for (const auto& p : progress) {
            QCOMPARE(p.at(0).toULongLong(), id);
            QVERIFY(p.at(1).toLongLong() > last);
            last = p.at(1).toLongLong();
            QCOMPARE(p.at(2).toLongLong(), qint64(long_.records.size()));
        }
        QCOMPARE(last, qint64(long_.records.size()));
    }

    void anUnknownTraceIsNotFound()
    {
        NexusClient client(nexus_.endpoint());
        client.connectToNexus();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), NexusClient::State::Ready, 10000);
        QSignalSpy failed(&client, &NexusClient::callFailed);
        const quint64 id = client.getTrace(QStringLiteral("no-such-thread"));
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.at(0).at(0).toULongLong(), id);
        const auto error = failed.at(0).at(1).value<CallError>();
        QCOMPARE(error.code, grpc::StatusCode::NOT_FOUND);
        QVERIFY2(error.text.contains(QStringLiteral("Not found")) &&
                     error.text.contains(QStringLiteral("no-such-thread")),
                 qPrintable(error.text));
        QCOMPARE(client.state(),
                 NexusClient::State::Ready); // a request error, not a connection one
    }

    void aTraceOverTheLimitIsRefused()
    {
        NexusClient client(nexus_.endpoint());
        QSignalSpy failed(&client, &NexusClient::callFailed);
        QSignalSpy received(&client, &NexusClient::traceReceived);
        client.getTrace(QStringLiteral("long-run"), /*maxBytes=*/4096);
        QVERIFY(failed.wait(10000));
        const auto error = failed.at(0).at(1).value<CallError>();
        QCOMPARE(error.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
        QVERIFY2(error.text.contains(QStringLiteral("larger than")), qPrintable(error.text));
        QVERIFY(received.isEmpty());
    }

    void aCancelledDownloadDeliversNothing()
    {
        NexusClient client(nexus_.endpoint());
        QSignalSpy progress(&client, &NexusClient::traceProgress);
        QSignalSpy received(&client, &NexusClient::traceReceived);
        QSignalSpy failed(&client, &NexusClient::callFailed);
        const quint64 cancelled = client.getTrace(QStringLiteral("long-run"));
        QVERIFY(client.cancel(cancelled));
        QVERIFY(!client.isPending(cancelled));
        QVERIFY(!client.cancel(cancelled)); // once

        // The client goes on working; by the time a later download is
        // delivered, the cancelled one would have been too.
        const quint64 next = client.getTrace(QStringLiteral("rag-a"));
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 20000);
        QCOMPARE(received.at(0).at(0).toULongLong(), next);
        for (const auto& p : progress)
            QCOMPARE(p.at(0).toULongLong(), next);
        QVERIFY(failed.isEmpty());
    }

    void destroyingTheClientMidDownloadIsSafe()
    {
        for (int i = 0; i < 3; ++i) {
            auto client = std::make_unique<NexusClient>(nexus_.endpoint());
            QSignalSpy progress(client.get(), &NexusClient::traceProgress);
            client->getTrace(QStringLiteral("long-run"));
            if (i > 0) // at different points of the stream
                QVERIFY(progress.wait(10000));
            client.reset();
        }
        // Nexus still answers.
        NexusClient client(nexus_.endpoint());
        pb::SearchTracesRequest any;
        QCOMPARE(searchFor(client, any).total_matches(), 8);
    }

    void aStoppedNexusFailsTheSearchClearly()
    {
        TestNexus gone;
        QVERIFY(gone.start());
        NexusClient client(gone.endpoint());
        gone.server.reset();
        QSignalSpy failed(&client, &NexusClient::callFailed);
        const quint64 id = client.searchTraces({});
        QVERIFY(failed.wait(15000));
        QCOMPARE(failed.at(0).at(0).toULongLong(), id);
        const auto error = failed.at(0).at(1).value<CallError>();
        QCOMPARE(error.code, grpc::StatusCode::UNAVAILABLE);
        QVERIFY2(error.text.contains(QStringLiteral("Searching traces")), qPrintable(error.text));
        QCOMPARE(client.state(), NexusClient::State::Unavailable);
    }
};

QTEST_GUILESS_MAIN(TestClientTraces)
#include "tst_client_traces.moc"
