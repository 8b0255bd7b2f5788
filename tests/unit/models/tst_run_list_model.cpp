// RunListModel and RunFilterProxy: the item-model contract under
// QAbstractItemModelTester while real sample runs arrive in batches (rows
// inserted, changed in place, evicted; never reset), the columns, and the
// proxy's filters and numeric sorting.
#include "models/RunListModel.h"

#include "RunStoreTestSupport.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace nexus::models;
using namespace nexus::testing;

namespace {

// Messages of several runs, interleaved as a Kafka topic would carry them.
std::vector<ds::DashStreamMessage> interleave(const std::vector<SampleRun>& runs)
{
    std::vector<ds::DashStreamMessage> out;
    for (std::size_t i = 0;; ++i) {
        bool any = false;
        for (const SampleRun& run : runs)
            if (i < run.messages.size()) {
                out.push_back(run.messages[i]);
                any = true;
            }
        if (!any)
            return out;
    }
}

QStringList column(const QAbstractItemModel& m, int c, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << m.index(r, c).data(role).toString();
    return out;
}

} // namespace

class TestRunListModel : public QObject
{
    Q_OBJECT

private slots:
    void liveBatchesWithEviction()
    {
        RunStoreLimits limits;
        limits.maxRuns = 3;
        RunStore store(limits);
        RunListModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        RunFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(RunListModel::Tokens, Qt::DescendingOrder);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        const std::vector<SampleRun> first = {runSample("rag_pipeline", 0, 11, "sim-001"),
                                              runSample("support_triage", 0, 12, "sim-002"),
                                              runSample("research_team", 0, 13, "edge-003")};
        const auto stream = interleave(first);
        std::int64_t wall = kWallUs;
        for (std::size_t at = 0; at < stream.size(); at += 25) {
            std::vector<const ds::DashStreamMessage*> batch;
            for (std::size_t i = at; i < std::min(stream.size(), at + 25); ++i)
                batch.push_back(&stream[i]);
            model.applied(store.apply(batch, wall += 1000));
            QCOMPARE(model.rowCount(), int(store.size()));
        }
        QCOMPARE(inserted.count(), 1); // all three runs start in the first batch
        QVERIFY(changed.count() >= 3);
        QCOMPARE(model.rowCount(), 3);
        for (int row = 0; row < 3; ++row) {
            const Run* run = store.run(model.runIdAt(row));
            QVERIFY(run);
            QCOMPARE(model.index(row, 0).data(RunListModel::RunIdRole).toULongLong(), run->id);
            QCOMPARE(model.index(row, RunListModel::Thread).data().toString(),
                     QString::fromStdString(first[std::size_t(row)].threadId));
            QCOMPARE(model.index(row, RunListModel::Status).data().toString(),
                     QStringLiteral("completed"));
            QCOMPARE(model.index(row, RunListModel::Integrity).data().toString(),
                     QStringLiteral("ok"));
            QCOMPARE(
                model.index(row, RunListModel::Tokens).data(RunListModel::SortRole).toLongLong(),
                run->tokens);
            QCOMPARE(model.index(row, RunListModel::NodesDone).data().toInt(), run->nodesDone);
            QCOMPARE(
                model.index(row, RunListModel::Duration).data(RunListModel::SortRole).toLongLong(),
                first[std::size_t(row)].result.durationUs);
        }
        QCOMPARE(column(model, RunListModel::Graph),
                 QStringList({"rag_pipeline", "support_triage", "research_team"}));
        QCOMPARE(column(model, RunListModel::Instance),
                 QStringList({"sim-001", "sim-002", "edge-003"}));

        // Sorted by tokens, most first, by number (not by text).
        for (int row = 1; row < proxy.rowCount(); ++row)
            QVERIFY(
                proxy.index(row - 1, RunListModel::Tokens)
                    .data(RunListModel::SortRole)
                    .toLongLong() >=
                proxy.index(row, RunListModel::Tokens).data(RunListModel::SortRole).toLongLong());

        // Proxy filters: instance, status, text over thread id, graph.
        proxy.setInstanceFilter(QStringLiteral("SIM-"));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setInstanceFilter({});
        proxy.setStatusFilter(RunStatus::Running);
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setStatusesFilter({RunStatus::Running, RunStatus::Completed});
        QCOMPARE(proxy.rowCount(), 3);
        proxy.setStatusFilter(std::nullopt);
        proxy.setTextFilter(QString::fromStdString(first[1].threadId).left(12));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setTextFilter({});
        proxy.setGraphFilter(QStringLiteral("research_team"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setGraphFilter({});

        // A running run (GRAPH_START only) and a new one evict the oldest finished runs.
        const SampleRun late = runSample("coding_agent", 0, 14, "sim-004");
        const SampleRun later = runSample("rag_pipeline", 0, 15, "sim-005");
        model.applied(store.apply(late.messages.front(), wall += 1000));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(2, RunListModel::Status).data().toString(), QStringLiteral("running"));
        proxy.setStatusFilter(RunStatus::Running);
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setStatusFilter(std::nullopt);
        std::vector<const ds::DashStreamMessage*> rest;
        for (std::size_t i = 1; i < late.messages.size(); ++i)
            rest.push_back(&late.messages[i]);
        for (const auto& m : later.messages)
            rest.push_back(&m);
        model.applied(store.apply(rest, wall += 1000));
        QCOMPARE(removed.count(), 2);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(column(model, RunListModel::Instance),
                 QStringList({"edge-003", "sim-004", "sim-005"}));
        QCOMPARE(column(model, RunListModel::Status),
                 QStringList({"completed", "completed", "completed"}));
        QVERIFY(!model.indexOfRun(model.runIdAt(0)).data(RunListModel::RunIdRole).isNull());
        QCOMPARE(model.indexOfRun(9999), QModelIndex());

        // Stale after a failed node, shown in place.
        StreamBuilder b("failing-thread");
        model.applied(store.apply(b.event(ds::EVENT_TYPE_GRAPH_START, "", 1), wall));
        model.applied(
            store.apply(b.event(ds::EVENT_TYPE_NODE_ERROR, "a", 2, {{"error", "x"}}), wall));
        const int changesBefore = int(changed.count());
        model.applied(store.expire(wall + 31'000'000));
        QVERIFY(changed.count() > changesBefore);
        const QModelIndex failing = model.index(model.rowCount() - 1, RunListModel::Status);
        QCOMPARE(failing.data().toString(), QStringLiteral("stale"));
        QVERIFY(failing.data(Qt::ForegroundRole).isValid());
        QCOMPARE(resets.count(), 0);

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(store.size(), std::size_t(0));
        QCOMPARE(resets.count(), 1);
    }

    void integrityColumnAndOrdinal()
    {
        RunStore store;
        RunListModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        StreamBuilder b("reused");
        std::vector<ds::DashStreamMessage> m = {
            b.event(ds::EVENT_TYPE_GRAPH_START, "", 1), b.event(ds::EVENT_TYPE_GRAPH_END, "", 2),
            b.event(ds::EVENT_TYPE_GRAPH_START, "", 3), b.event(ds::EVENT_TYPE_NODE_START, "a", 6)};
        model.applied(applyAll(store, m));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(1, RunListModel::Thread).data().toString(),
                 QStringLiteral("reused #2"));
        QCOMPARE(model.index(1, RunListModel::Thread).data(RunListModel::ThreadIdRole).toString(),
                 QStringLiteral("reused"));
        QCOMPARE(model.index(0, RunListModel::Integrity).data().toString(), QStringLiteral("ok"));
        QCOMPARE(model.index(1, RunListModel::Integrity).data().toString(),
                 QStringLiteral("corrupted since step 1"));
        QVERIFY(
            !model.index(1, RunListModel::Integrity).data(Qt::ToolTipRole).toString().isEmpty());
        QCOMPARE(model.headerData(RunListModel::Cost, Qt::Horizontal).toString(),
                 QStringLiteral("Cost (USD)"));
    }
};

QTEST_GUILESS_MAIN(TestRunListModel)
#include "tst_run_list_model.moc"
