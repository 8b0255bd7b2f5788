// TraceSearchModel: Nexus's search results page by page under
// QAbstractItemModelTester, "N of M" as the user reads it, the request for
// the next page, and header clicks mapped to the server's sorts (a new
// query, never a local reorder).
#include "models/TraceSearchModel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

using nexus::models::TraceSearchModel;
namespace pb = ::nexus::v1;

namespace {

pb::TraceSummary summary(const std::string& thread, qint64 startedUs, qint64 durationUs = 0,
                         qint64 costMicros = 0)
{
    pb::TraceSummary t;
    t.set_thread_id(thread);
    t.set_graph_name("rag_pipeline");
    t.set_instance_id("sim-001");
    t.set_status(pb::RUN_STATUS_COMPLETED);
    t.set_started_us(startedUs);
    t.set_duration_us(durationUs);
    t.set_cost_micros(costMicros);
    return t;
}

pb::SearchTracesResponse page(std::initializer_list<const char*> threads, const std::string& next,
                              qint64 total)
{
    pb::SearchTracesResponse r;
    qint64 started = 1'700'000'000'000'000;
    for (const char* t : threads)
        *r.add_traces() = summary(t, started += 1'000'000);
    r.set_next_page_token(next);
    r.set_total_matches(total);
    return r;
}

// One line per row: the thread ids, in the model's order.
QStringList threads(const TraceSearchModel& model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, TraceSearchModel::Thread).data().toString();
    return out;
}

} // namespace

class TestTraceSearchModel : public QObject
{
    Q_OBJECT
private slots:
    void pagesAppendAndCount()
    {
        TraceSearchModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.countText(), QStringLiteral("No matching traces"));
        QVERIFY(!model.nextPageRequest());

        pb::SearchTracesRequest filters;
        filters.set_graph_name("rag_pipeline");
        filters.set_page_token("stale-token"); // the model's own paging wins
        filters.set_page_size(7);
        model.setFilters(filters);
        model.setPageSize(3);
        const pb::SearchTracesRequest first = model.firstPageRequest();
        QCOMPARE(first.graph_name(), std::string("rag_pipeline"));
        QCOMPARE(first.page_size(), 3);
        QVERIFY(first.page_token().empty());
        QCOMPARE(first.sort(), pb::TRACE_SORT_STARTED_DESC);

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setFirstPage(page({"a", "b", "c"}, "t3", 7));
        QCOMPARE(reset.size(), 1);
        QCOMPARE(threads(model), (QStringList{"a", "b", "c"}));
        QVERIFY(model.hasMore());
        QCOMPARE(model.totalMatches(), 7);
        QCOMPARE(model.countText(), QStringLiteral("3 of 7 matching traces"));
        const auto next = model.nextPageRequest();
        QVERIFY(next);
        QCOMPARE(next->page_token(), std::string("t3"));
        QCOMPARE(next->graph_name(), std::string("rag_pipeline"));
        QCOMPARE(next->page_size(), 3);

        model.appendPage(page({"d", "e", "f"}, "t6", 7));
        model.appendPage(page({"g"}, "", 7));
        QCOMPARE(inserted.size(), 2); // appended, never reset
        QCOMPARE(reset.size(), 1);
        QCOMPARE(threads(model), (QStringList{"a", "b", "c", "d", "e", "f", "g"}));
        QVERIFY(!model.hasMore());
        QVERIFY(!model.nextPageRequest());
        QCOMPARE(model.countText(), QStringLiteral("7 matching traces"));
        QCOMPARE(model.rowOfThread(QStringLiteral("e")), 4);
        QCOMPARE(model.rowOfThread(QStringLiteral("zz")), -1);

        // A new search replaces the rows.
        model.setFirstPage(page({"x"}, "", 1));
        QCOMPARE(threads(model), QStringList{"x"});
        QCOMPARE(model.countText(), QStringLiteral("1 matching trace"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.countText(), QStringLiteral("No matching traces"));
    }

    void cellsAsTheUserReadsThem()
    {
        TraceSearchModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QDateTime started(QDate(2024, 5, 6), QTime(7, 8, 9));
        pb::TraceSummary t =
            summary("run-42", started.toMSecsSinceEpoch() * 1000, 1'500'000, 12'300);
        t.set_status(pb::RUN_STATUS_FAILED);
        t.set_nodes_done(3);
        t.set_tokens(12345);
        t.set_error("retrieve: upstream rate limit exceeded\nretry after 30 s");
        t.set_tenant_id("acme");
        pb::SearchTracesResponse r;
        *r.add_traces() = t;
        r.set_total_matches(1);
        model.setFirstPage(r);

        const auto cell = [&](int column, int role = Qt::DisplayRole) {
            return model.index(0, column).data(role);
        };
        QStringList shown;
        for (int c = 0; c < TraceSearchModel::ColumnCount; ++c)
            shown << model.headerData(c, Qt::Horizontal).toString() + QStringLiteral("=") +
                         cell(c).toString();
        QCOMPARE(shown, (QStringList{
                            "Thread=run-42",
                            "Graph=rag_pipeline",
                            "Instance=sim-001",
                            "Tenant=acme",
                            "Status=failed",
                            "Started=2024-05-06 07:08:09",
                            "Duration=1.50 s",
                            "Nodes=3",
                            "Tokens=12,345",
                            "Cost=$0.0123",
                            "Error=retrieve: upstream rate limit exceeded \u2026",
                        }));
        // The whole error in the tooltip; raw values for scripts and views.
        QCOMPARE(cell(TraceSearchModel::Error, Qt::ToolTipRole).toString(),
                 QStringLiteral("retrieve: upstream rate limit exceeded\nretry after 30 s"));
        QCOMPARE(cell(TraceSearchModel::Duration, TraceSearchModel::RawValueRole).toLongLong(),
                 1'500'000);
        QCOMPARE(cell(TraceSearchModel::Cost, TraceSearchModel::RawValueRole).toLongLong(), 12'300);
        QCOMPARE(cell(TraceSearchModel::Started, TraceSearchModel::RawValueRole).toLongLong(),
                 started.toMSecsSinceEpoch() * 1000);
        QCOMPARE(cell(TraceSearchModel::Graph, TraceSearchModel::ThreadIdRole).toString(),
                 QStringLiteral("run-42"));
        QCOMPARE(cell(TraceSearchModel::Thread, TraceSearchModel::StatusRole).toInt(),
                 int(pb::RUN_STATUS_FAILED));
        QVERIFY(cell(TraceSearchModel::Status, Qt::ForegroundRole).isValid()); // failed: red
        QCOMPARE(cell(TraceSearchModel::Cost, Qt::TextAlignmentRole).value<Qt::Alignment>(),
                 Qt::AlignRight | Qt::AlignVCenter);
    }

    void headerClicksAskTheServerToSort()
    {
        TraceSearchModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setFirstPage(page({"a", "b", "c"}, "", 3));
        QSignalSpy sorts(&model, &TraceSearchModel::sortChanged);

        model.sort(TraceSearchModel::Started, Qt::AscendingOrder);
        QCOMPARE(sorts.size(), 1);
        QCOMPARE(model.firstPageRequest().sort(), pb::TRACE_SORT_STARTED_ASC);
        model.sort(TraceSearchModel::Duration,
                   Qt::AscendingOrder); // the server sorts it descending
        QCOMPARE(model.traceSort(), pb::TRACE_SORT_DURATION_DESC);
        model.sort(TraceSearchModel::Cost, Qt::DescendingOrder);
        QCOMPARE(model.traceSort(), pb::TRACE_SORT_COST_DESC);
        QCOMPARE(sorts.size(), 3);
        model.sort(TraceSearchModel::Cost, Qt::AscendingOrder);  // the same server sort
        model.sort(TraceSearchModel::Graph, Qt::AscendingOrder); // the server cannot
        QCOMPARE(sorts.size(), 3);
        QCOMPARE(sorts.last().at(0).value<pb::TraceSort>(), pb::TRACE_SORT_COST_DESC);

        // Rows wait for the new query: a local reorder of one page would lie.
        QCOMPARE(threads(model), (QStringList{"a", "b", "c"}));

        // The header shows what the server sorts by.
        QCOMPARE(TraceSearchModel::sortColumn(pb::TRACE_SORT_STARTED_ASC),
                 int(TraceSearchModel::Started));
        QCOMPARE(TraceSearchModel::sortOrder(pb::TRACE_SORT_STARTED_ASC), Qt::AscendingOrder);
        QCOMPARE(TraceSearchModel::sortColumn(pb::TRACE_SORT_DURATION_DESC),
                 int(TraceSearchModel::Duration));
        QCOMPARE(TraceSearchModel::sortOrder(pb::TRACE_SORT_COST_DESC), Qt::DescendingOrder);
        QVERIFY(!TraceSearchModel::sortFor(TraceSearchModel::Error, Qt::AscendingOrder));
    }
};

QTEST_GUILESS_MAIN(TestTraceSearchModel)
#include "tst_trace_search_model.moc"
