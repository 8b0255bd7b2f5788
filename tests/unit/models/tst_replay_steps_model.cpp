// ReplayStepsModel: the steps of a replayed seeded run with their verdicts,
// the current-position markers following navigation, breakpoint markers
// where the engine stops, and a divergence against a changed graph — under
// QAbstractItemModelTester throughout.
#include "models/ReplayStepsModel.h"
#include "runtime/Recording.h"
#include "runtime/Replay.h"

#include "../runtime/ReplaySupport.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using nexus::models::ReplayStepsModel;
using namespace nexus::runtime;
using namespace replaytest;

namespace {

const std::vector<std::string> kRetryPath = {"retrieve", "grade", "rewrite_query",
                                             "retrieve", "grade", "generate"};

RecordedRun retryRun(const Graph& graph)
{
    return firstRun(graph, [](const RecordedRun& r) {
        return r.result.status == RunStatus::Completed && r.result.path == kRetryPath;
    });
}

// The rag graph with the "relevant" route inverted: at the first grade
// (not relevant, the run retried) it goes straight to generate.
json invertedRag()
{
    json doc = sampleJson("rag_pipeline");
    for (json& edge : doc["edges"])
        if (edge.contains("routes"))
            for (json& route : edge["routes"])
                if (route["label"] == "relevant")
                    route["when"]["value"] = false;
    return doc;
}

QVariant cell(const ReplayStepsModel& model, int row, int column, int role = Qt::DisplayRole)
{
    return model.index(row, column).data(role);
}

std::vector<int> markers(const ReplayStepsModel& model)
{
    std::vector<int> out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.push_back(cell(model, row, 0, ReplayStepsModel::MarkerRole).toInt());
    return out;
}

std::vector<int> rowsWith(const ReplayStepsModel& model, int flag)
{
    std::vector<int> out;
    for (int row = 0; row < model.rowCount(); ++row)
        if (cell(model, row, 0, ReplayStepsModel::BreakpointRole).toInt() & flag)
            out.push_back(row);
    return out;
}

} // namespace

class TestReplayStepsModel : public QObject
{
    Q_OBJECT
private slots:
    void listsEveryStepWithItsVerdicts()
    {
        const Graph graph = sample("rag_pipeline");
        const RecordedRun run = retryRun(graph);
        ReplayStepsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto session = std::make_shared<ReplaySession>(readRecording(run.messages), graph);
        model.setSession(session);

        QCOMPARE(model.rowCount(), int(kRetryPath.size()));
        QCOMPARE(model.columnCount(), int(ReplayStepsModel::ColumnCount));
        for (int row = 0; row < model.rowCount(); ++row) {
            QCOMPARE(cell(model, row, ReplayStepsModel::NodeColumn).toString(),
                     QString::fromStdString(kRetryPath[std::size_t(row)]));
            QCOMPARE(cell(model, row, 0, ReplayStepsModel::StepRole).toInt(), row + 1);
            QCOMPARE(cell(model, row, 0, ReplayStepsModel::PositionRole).toInt(), row);
            QCOMPARE(cell(model, row, ReplayStepsModel::HashColumn).toString(),
                     QStringLiteral("verified"));
            QCOMPARE(cell(model, row, 0, ReplayStepsModel::HashVerdictRole).toInt(),
                     int(StepVerdict::Verified));
            QCOMPARE(cell(model, row, 0, ReplayStepsModel::DivergenceRole).toInt(), -1);
            QCOMPARE(cell(model, row, ReplayStepsModel::SuperStepColumn).toString(),
                     QString::number(row + 1)); // one node per super-step
        }
        // Visits count up per node; routes agree with the graph file.
        QCOMPARE(cell(model, 3, ReplayStepsModel::VisitColumn).toString(), QStringLiteral("2"));
        QCOMPARE(cell(model, 1, 0, ReplayStepsModel::RouteVerdictRole).toInt(),
                 int(RouteVerdict::Agrees));
        QVERIFY(cell(model, 1, ReplayStepsModel::RouteColumn)
                    .toString()
                    .startsWith(QStringLiteral("agrees \u2192 rewrite_query")));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void markersFollowNavigation()
    {
        const Graph graph = sample("rag_pipeline");
        auto session =
            std::make_shared<ReplaySession>(readRecording(retryRun(graph).messages), graph);
        ReplayStepsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        using M = ReplayStepsModel;
        QCOMPARE(markers(model), (std::vector<int>{M::NextMarker, 0, 0, 0, 0, 0}));
        QCOMPARE(cell(model, 0, M::StepColumn).toString(), QStringLiteral("\u25b6 1"));
        QCOMPARE(model.nextRow(), 0);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        session->step();
        session->step();
        model.refreshPosition();
        QCOMPARE(model.position(), std::size_t(2));
        QCOMPARE(markers(model), (std::vector<int>{0, M::LastMarker, M::NextMarker, 0, 0, 0}));
        QCOMPARE(cell(model, 2, M::StepColumn).toString(), QStringLiteral("\u25b6 3"));
        QCOMPARE(cell(model, 0, M::StepColumn).toString(), QStringLiteral("1"));
        QVERIFY(changed.count() >= 2); // the old and the new marker rows
        for (const auto& args : changed) {
            const int row = args.at(0).value<QModelIndex>().row();
            QVERIFY2(row <= 2, "only the rows whose markers changed");
        }

        session->seek(session->size());
        model.refreshPosition();
        QCOMPARE(markers(model), (std::vector<int>{0, 0, 0, 0, 0, M::LastMarker}));
        QCOMPARE(model.nextRow(), -1);

        changed.clear();
        model.refreshPosition(); // nothing moved: nothing changes
        QCOMPARE(changed.count(), 0);
    }

    void breakpointMarkersAreWhereTheEngineStops()
    {
        const Graph graph = sample("rag_pipeline");
        auto session =
            std::make_shared<ReplaySession>(readRecording(retryRun(graph).messages), graph);
        ReplayStepsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        QCOMPARE(rowsWith(model, 7), std::vector<int>{});

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const int before = session->addBreakpointBefore("grade");
        session->addBreakpointAfter("retrieve");
        model.refreshBreakpoints();
        QCOMPARE(rowsWith(model, ReplayStepsModel::BreakBefore), (std::vector<int>{1, 4}));
        QCOMPARE(rowsWith(model, ReplayStepsModel::BreakAfter), (std::vector<int>{0, 3}));
        QCOMPARE(cell(model, 1, ReplayStepsModel::BreakpointColumn).toString(),
                 QStringLiteral("\u25cf"));
        QCOMPARE(cell(model, 0, ReplayStepsModel::BreakpointColumn).toString(),
                 QStringLiteral("\u25cb"));
        QCOMPARE(changed.count(), 4); // only the breakpoint cells of the marked rows

        // retrieve counts the attempts: 2 from the second retrieve on (positions 4, 5, 6).
        QVERIFY(session->addBreakpointWhen({{"path", "/attempts"}, {"op", ">="}, {"value", 2}}));
        session->setBreakpointEnabled(before, false);
        model.refreshBreakpoints();
        QCOMPARE(rowsWith(model, ReplayStepsModel::BreakWhen), (std::vector<int>{4, 5}));
        QCOMPARE(rowsWith(model, ReplayStepsModel::BreakBefore), std::vector<int>{});
        QCOMPARE(cell(model, 4, ReplayStepsModel::BreakpointColumn).toString(),
                 QStringLiteral("\u25c6"));
        QVERIFY(!cell(model, 4, ReplayStepsModel::BreakpointColumn, Qt::ToolTipRole)
                     .toString()
                     .isEmpty());
    }

    void aDamagedHashShowsAsMismatch()
    {
        const Graph graph = sample("rag_pipeline");
        const RecordedRun run = retryRun(graph);
        auto session = std::make_shared<ReplaySession>(
            readRecording(replaytest::withBadHash(run.messages, 3)), graph);
        ReplayStepsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        QCOMPARE(cell(model, 1, ReplayStepsModel::HashColumn).toString(),
                 QStringLiteral("verified"));
        QCOMPARE(cell(model, 2, ReplayStepsModel::HashColumn).toString(),
                 QStringLiteral("mismatch"));
        QCOMPARE(cell(model, 2, 0, ReplayStepsModel::HashVerdictRole).toInt(),
                 int(StepVerdict::Mismatch));
        QVERIFY(cell(model, 2, ReplayStepsModel::HashColumn, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("differs")));
        QVERIFY(cell(model, 2, ReplayStepsModel::HashColumn, Qt::ForegroundRole) !=
                cell(model, 1, ReplayStepsModel::HashColumn, Qt::ForegroundRole));
    }

    void aChangedGraphShowsTheDivergence()
    {
        const Graph graph = sample("rag_pipeline");
        const RecordedRun run = retryRun(graph);
        auto session =
            std::make_shared<ReplaySession>(readRecording(run.messages), graphFrom(invertedRag()));
        ReplayStepsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(session);
        // Step 2 is the first grade: the run retried, the inverted graph generates.
        QCOMPARE(cell(model, 0, 0, ReplayStepsModel::DivergenceRole).toInt(), -1);
        QCOMPARE(cell(model, 1, 0, ReplayStepsModel::DivergenceRole).toInt(), 0);
        QCOMPARE(cell(model, 1, 0, ReplayStepsModel::RouteVerdictRole).toInt(),
                 int(RouteVerdict::Diverges));
        QCOMPARE(cell(model, 1, ReplayStepsModel::RouteColumn).toString(),
                 QStringLiteral("diverges: graph \u2192 generate, run \u2192 rewrite_query"));
        QVERIFY(
            !cell(model, 1, ReplayStepsModel::RouteColumn, Qt::ToolTipRole).toString().isEmpty());
        // Hashes still verify: the recorded outputs are what they were.
        QCOMPARE(cell(model, 1, ReplayStepsModel::HashColumn).toString(),
                 QStringLiteral("verified"));
    }
};

QTEST_GUILESS_MAIN(TestReplayStepsModel)
#include "tst_replay_steps_model.moc"
