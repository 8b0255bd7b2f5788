// Trace comparison over real runs of the embedded runtime fed through a
// RunStore: identical runs agree everywhere; runs that take different
// branches diverge where the router decided, with path rows, deltas and
// state differences checked against what the runtime itself reported
// (latencies, Metrics, the states it sent), never against the comparison.
#include "models/TraceComparison.h"
#include "models/TraceComparisonModels.h"

#include "TraceTestSupport.h"

#include <QAbstractItemModelTester>
#include <QTest>

#include <numeric>

using namespace nexus;
using namespace nexus::testing;
using models::AlignKind;

namespace {

const models::Run& runOf(const models::RunStore& store, const RecordedRun& recorded)
{
    const models::Run* run = store.run(recorded.runId);
    if (!run)
        qFatal("run missing");
    return *run;
}

std::int64_t runTokens(const runtime::RunResult& result)
{
    return result.totals.promptTokens + result.totals.completionTokens;
}

// Every aligned row, as "kind:nodeA:nodeB".
QStringList rowsText(const models::TraceComparison& c)
{
    QStringList out;
    for (const auto& r : c.rows)
        out << QStringLiteral("%1:%2:%3")
                   .arg(QString::fromLatin1(models::alignKindName(r.kind)),
                        r.spanA >= 0 ? QString::fromStdString(r.node) : QString(),
                        r.spanB >= 0 ? QString::fromStdString(r.node) : QString());
    return out;
}

// Applies PathChanges (before = A's, after = B's) to A's state.
json applyChanges(json state, const std::vector<models::PathChange>& changes)
{
    for (const auto& c : changes) {
        const json::json_pointer at(c.path);
        if (c.kind == models::ChangeKind::Removed)
            state[at.parent_pointer()].erase(at.back());
        else
            state[at] = c.after;
    }
    return state;
}

} // namespace

class TestTraceComparison : public QObject
{
    Q_OBJECT
private slots:
    void identicalRunsDoNotDiverge()
    {
        models::RunStore store;
        const auto a = recordRun(store, "coding_agent", 11, "same-a");
        const auto b = recordRun(store, "coding_agent", 11, "same-b");
        const auto c = models::compareTraces(store, runOf(store, a), runOf(store, b));
        QVERIFY(!c.divergence);
        QCOMPARE(c.rows.size(), a.started.size());
        QCOMPARE(c.count(AlignKind::Same), int(a.started.size()));
        QCOMPARE(c.durationDelta(), 0);
        QCOMPARE(c.tokenDelta(), 0);
        QCOMPARE(c.costDelta(), 0.0);
        QCOMPARE(c.nodeCountDelta(), 0);
        for (const auto& row : c.rows) {
            QVERIFY(row.stateCompared);
            QVERIFY(row.stateChanges.empty());
            QCOMPARE(row.durationDelta(), 0);
        }
        // A run compared with itself, too.
        const auto self = models::compareTraces(store, runOf(store, a), runOf(store, a));
        QVERIFY(!self.divergence);
        QCOMPARE(self.count(AlignKind::Same), int(self.rows.size()));
    }

    void differentBranchesDivergeAtTheRouter()
    {
        const auto category = [](const char* want) {
            return [want](const runtime::RunResult& r) {
                return r.state.value("category", "") == want;
            };
        };
        const std::uint64_t billing = findSeed("support_triage", 1, category("billing"));
        const std::uint64_t technical = findSeed("support_triage", 1, category("technical"));
        models::RunStore store;
        const auto a = recordRun(store, "support_triage", billing, "triage-a");
        const auto b = recordRun(store, "support_triage", technical, "triage-b");
        QCOMPARE(a.started,
                 (std::vector<std::string>{"classify", "billing_specialist", "send_reply"}));
        QCOMPARE(b.started,
                 (std::vector<std::string>{"classify", "tech_specialist", "send_reply"}));
        const models::Run& ra = runOf(store, a);
        const models::Run& rb = runOf(store, b);
        const auto c = models::compareTraces(store, ra, rb);

        QCOMPARE(rowsText(c),
                 (QStringList{"changed:classify:classify", "only in A:billing_specialist:",
                              "only in B::tech_specialist", "changed:send_reply:send_reply"}));
        // The router's decision is the first divergence, explained in one line.
        QVERIFY(c.divergence);
        QCOMPARE(c.divergence->row, 0);
        const QString why = QString::fromStdString(c.divergence->explanation);
        QVERIFY2(why.startsWith(QStringLiteral("State after classify differs at")),
                 qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("/category is \"billing\" in A, \"technical\" in B")),
                 qPrintable(why));
        QVERIFY2(
            why.contains(QStringLiteral("then A ran billing_specialist and B ran tech_specialist")),
            qPrintable(why));
        QVERIFY(!why.contains(QLatin1Char('\n')));
        // It points at classify's NODE_END in each run.
        QCOMPARE(ra.steps[c.divergence->stepA].kind, models::StepKind::NodeEnd);
        QCOMPARE(ra.string(ra.steps[c.divergence->stepA].node), std::string("classify"));
        QCOMPARE(rb.string(rb.steps[c.divergence->stepB].node), std::string("classify"));

        // Durations and tokens per row: what the runtime measured and metered.
        const auto ma = metricsByNode(a.messages), mb = metricsByNode(b.messages);
        for (const auto& row : c.rows) {
            if (row.spanA >= 0) {
                QCOMPARE(row.durationA, (a.durations.at({row.node, row.visitA})));
                QCOMPARE(row.tokensA,
                         ma.at(row.node).tokens.empty() ? 0 : ma.at(row.node).tokens[0]);
            }
            if (row.spanB >= 0) {
                QCOMPARE(row.durationB, (b.durations.at({row.node, row.visitB})));
                QCOMPARE(row.tokensB,
                         mb.at(row.node).tokens.empty() ? 0 : mb.at(row.node).tokens[0]);
            }
        }
        // Totals: GRAPH_END's duration and the runtime's token and cost totals.
        QCOMPARE(c.a.durationUs, graphEndDurationUs(a.messages));
        QCOMPARE(c.durationDelta(),
                 graphEndDurationUs(b.messages) - graphEndDurationUs(a.messages));
        QCOMPARE(c.tokenDelta(), runTokens(b.result) - runTokens(a.result));
        QVERIFY(qAbs(c.costDelta() - (b.result.totals.costUsd - a.result.totals.costUsd)) < 1e-9);
        QCOMPARE(c.nodeCountDelta(), 0);

        // Per node: sums over visits of the runtime's own latencies.
        for (const auto& d : c.nodes) {
            std::int64_t durA = 0, durB = 0;
            for (const auto& [key, us] : a.durations)
                durA += key.first == d.node ? us : 0;
            for (const auto& [key, us] : b.durations)
                durB += key.first == d.node ? us : 0;
            QCOMPARE(d.durationA, durA);
            QCOMPARE(d.durationB, durB);
            QCOMPARE(d.durationDelta(), durB - durA);
        }
        QCOMPARE(c.nodes.size(), std::size_t(4));
        QCOMPARE(c.nodes[1].node, std::string("billing_specialist"));
        QCOMPARE(c.nodes[1].visitsB, 0);
        QCOMPARE(c.nodes[3].node, std::string("tech_specialist"));
        QCOMPARE(c.nodes[3].visitsA, 0);
        QVERIFY(!models::percentChange(double(c.nodes[3].durationA), double(c.nodes[3].durationB)));

        // State differences at a matched step: A's state after classify plus
        // the changes is B's, as the runtime sent them.
        const auto& classify = c.rows[0];
        QVERIFY(classify.stateDiffers);
        QCOMPARE(classify.stateChangeCount, classify.stateChanges.size());
        NEXUS_COMPARE_JSON(applyChanges(a.diffStates[0], classify.stateChanges), b.diffStates[0]);
        for (const auto& change : classify.stateChanges) {
            const json::json_pointer at(change.path);
            if (change.kind != models::ChangeKind::Added)
                NEXUS_COMPARE_JSON(a.diffStates[0].at(at), change.before);
            if (change.kind != models::ChangeKind::Removed)
                NEXUS_COMPARE_JSON(b.diffStates[0].at(at), change.after);
        }
    }

    void loopsAlignByLongestCommonPath()
    {
        const auto attempts = [](int want) {
            return [want](const runtime::RunResult& r) {
                return std::count(r.path.begin(), r.path.end(), "retrieve") == want;
            };
        };
        const std::uint64_t once = findSeed("rag_pipeline", 1, attempts(1));
        const std::uint64_t twice = findSeed("rag_pipeline", 1, attempts(2));
        models::RunStore store;
        const auto a = recordRun(store, "rag_pipeline", once, "rag-a");
        const auto b = recordRun(store, "rag_pipeline", twice, "rag-b");
        QCOMPARE(b.started, (std::vector<std::string>{"retrieve", "grade", "rewrite_query",
                                                      "retrieve", "grade", "generate"}));
        const auto c = models::compareTraces(store, runOf(store, a), runOf(store, b));
        QVERIFY(!c.approximate);
        QStringList kinds;
        for (const auto& r : c.rows)
            kinds << QStringLiteral("%1 %2/%3")
                         .arg(QString::fromStdString(r.node))
                         .arg(r.visitA)
                         .arg(r.visitB);
        // The first visits match; B's retry shows as a block only B ran.
        QCOMPARE(kinds, (QStringList{"retrieve 1/1", "grade 1/1", "rewrite_query 0/1",
                                     "retrieve 0/2", "grade 0/2", "generate 1/1"}));
        QCOMPARE(c.count(AlignKind::OnlyB), 3);
        QCOMPARE(c.count(AlignKind::OnlyA), 0);
        // The retrieved documents already differ: that is the first divergence.
        QVERIFY(c.divergence);
        QCOMPARE(c.divergence->row, 0);
        const QString why = QString::fromStdString(c.divergence->explanation);
        QVERIFY2(why.startsWith(QStringLiteral("State after retrieve differs at")),
                 qPrintable(why));
        QCOMPARE(c.rows[0].stateDiffers, a.diffStates[0] != b.diffStates[0]);
        // Node deltas: B visited retrieve twice.
        const auto retrieve = std::find_if(c.nodes.begin(), c.nodes.end(),
                                           [](const auto& d) { return d.node == "retrieve"; });
        QCOMPARE(retrieve->visitsA, 1);
        QCOMPARE(retrieve->visitsB, 2);
        QCOMPARE(retrieve->durationB,
                 (b.durations.at({"retrieve", 1}) + b.durations.at({"retrieve", 2})));
    }

    void parallelBranchesMatchWhateverTheirOrder()
    {
        // Hand-built: A starts x then y, B starts y then x; both overlap.
        models::RunStore store;
        const std::string schema =
            R"({"name":"fan","nodes":[{"name":"p"},{"name":"x"},{"name":"y"},{"name":"j"}],)"
            R"("edges":[{"from":"p","to":"x"},{"from":"p","to":"y"},{"from":"x","to":"j"},)"
            R"({"from":"y","to":"j"},{"from":"j","to":"__end__"}],"entry_point":"p"})";
        auto build = [&](const std::string& thread, const std::string& first,
                         const std::string& second) {
            StreamBuilder s(thread);
            std::uint64_t seq = 0;
            std::vector<ds::DashStreamMessage> m;
            m.push_back(s.graphStart(++seq, schema, json::object()));
            m.push_back(s.event(ds::EVENT_TYPE_NODE_START, "p", ++seq));
            m.push_back(s.event(ds::EVENT_TYPE_NODE_END, "p", ++seq, {}, 1000));
            m.push_back(s.event(ds::EVENT_TYPE_NODE_START, first, ++seq));
            m.push_back(s.event(ds::EVENT_TYPE_NODE_START, second, ++seq));
            m.push_back(s.event(ds::EVENT_TYPE_NODE_END, first, ++seq, {}, 3000));
            m.push_back(s.event(ds::EVENT_TYPE_NODE_END, second, ++seq, {}, 3000));
            m.push_back(s.event(ds::EVENT_TYPE_NODE_START, "j", ++seq));
            m.push_back(s.event(ds::EVENT_TYPE_NODE_END, "j", ++seq, {}, 1000));
            m.push_back(s.event(ds::EVENT_TYPE_GRAPH_END, "", ++seq, {}, 9000));
            return applyAll(store, m).added.front();
        };
        const auto a = build("fan-a", "x", "y");
        const auto b = build("fan-b", "y", "x");
        const auto c = models::compareTraces(store, *store.run(a), *store.run(b));
        QCOMPARE(rowsText(c), (QStringList{"same:p:p", "same:x:x", "same:y:y", "same:j:j"}));
        QVERIFY(!c.divergence);
        QVERIFY(c.rows[1].parallelA && c.rows[1].parallelB && c.rows[2].parallelA);
        QVERIFY(!c.rows[0].parallelA && !c.rows[3].parallelB);
    }

    void pathDivergenceIsExplained()
    {
        // Hand-built, no state: A runs p, j; B runs p, x, j; C stops after p.
        models::RunStore store;
        const std::string schema =
            R"({"name":"g","nodes":[{"name":"p"},{"name":"x"},{"name":"j"}],)"
            R"("edges":[{"from":"p","to":"x"},{"from":"p","to":"j"},{"from":"x","to":"j"},)"
            R"({"from":"j","to":"__end__"}],"entry_point":"p"})";
        auto build = [&](const std::string& thread, const std::vector<std::string>& nodes) {
            StreamBuilder s(thread);
            std::uint64_t seq = 0;
            std::vector<ds::DashStreamMessage> m;
            m.push_back(s.graphStart(++seq, schema, json::object()));
            for (const auto& node : nodes) {
                m.push_back(s.event(ds::EVENT_TYPE_NODE_START, node, ++seq));
                m.push_back(s.event(ds::EVENT_TYPE_NODE_END, node, ++seq, {}, 1000));
            }
            m.push_back(s.event(ds::EVENT_TYPE_GRAPH_END, "", ++seq, {}, 5000));
            return applyAll(store, m).added.front();
        };
        const auto a = build("path-a", {"p", "j"});
        const auto b = build("path-b", {"p", "x", "j"});
        const auto c = build("path-c", {"p"});
        const auto ab = models::compareTraces(store, *store.run(a), *store.run(b));
        QCOMPARE(rowsText(ab), (QStringList{"same:p:p", "only in B::x", "same:j:j"}));
        QVERIFY(ab.divergence);
        QCOMPARE(ab.divergence->row, 1);
        QCOMPARE(ab.divergence->explanation,
                 std::string("After p, A went straight to j and B ran x"));
        // B's step is x's NODE_END; A's is where it was before (p's NODE_END).
        const models::Run& ra = *store.run(a);
        const models::Run& rb = *store.run(b);
        QCOMPARE(rb.steps[ab.divergence->stepB].kind, models::StepKind::NodeEnd);
        QCOMPARE(rb.string(rb.steps[ab.divergence->stepB].node), std::string("x"));
        QCOMPARE(ra.string(ra.steps[ab.divergence->stepA].node), std::string("p"));
        const auto ca = models::compareTraces(store, *store.run(c), *store.run(a));
        QVERIFY(ca.divergence);
        QCOMPARE(ca.divergence->explanation, std::string("After p, A ended and B ran j"));
    }

    void tableModelsShowTheComparison()
    {
        const std::uint64_t billing = findSeed("support_triage", 1, [](const auto& r) {
            return r.state.value("category", "") == "billing";
        });
        const std::uint64_t other = findSeed("support_triage", 1, [](const auto& r) {
            return r.state.value("category", "") == "other";
        });
        models::RunStore store;
        const auto a = recordRun(store, "support_triage", billing, "table-a");
        const auto b = recordRun(store, "support_triage", other, "table-b");
        auto c = std::make_shared<const models::TraceComparison>(
            models::compareTraces(store, runOf(store, a), runOf(store, b)));

        models::AlignedPathModel path;
        QAbstractItemModelTester pathTester(&path,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        models::NodeDeltaModel nodes;
        QAbstractItemModelTester nodesTester(
            &nodes, QAbstractItemModelTester::FailureReportingMode::QtTest);
        path.setComparison(c);
        nodes.setComparison(c);
        QCOMPARE(path.rowCount(), int(c->rows.size()));
        QCOMPARE(nodes.rowCount(), 4);
        // Row 1: billing_specialist only in A; its delta is minus its own duration.
        const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
            return path.data(path.index(row, column), role);
        };
        QCOMPARE(cell(1, models::AlignedPathModel::KindColumn).toString(), QStringLiteral("A"));
        QCOMPARE(cell(1, models::AlignedPathModel::NodeAColumn).toString(),
                 QStringLiteral("billing_specialist"));
        QCOMPARE(cell(1, models::AlignedPathModel::NodeBColumn).toString(), QString());
        const std::int64_t us = a.durations.at({"billing_specialist", 1});
        QCOMPARE(cell(1, models::AlignedPathModel::DurationDeltaColumn,
                      models::AlignedPathModel::SortRole)
                     .toLongLong(),
                 -us);
        QVERIFY(cell(1, models::AlignedPathModel::DurationDeltaColumn)
                    .toString()
                    .startsWith(QChar(0x2212)));
        QCOMPARE(path.data(path.index(1, 0), models::AlignedPathModel::StepBRole).toLongLong(), -1);
        QCOMPARE(cell(0, models::AlignedPathModel::StateColumn)
                     .toString()
                     .contains(QStringLiteral("differ")),
                 true);
        QVERIFY(cell(2, 0, Qt::BackgroundRole).isValid());
        // Node table: general_agent ran only in B.
        const int general = 3; // A's nodes first, then B's
        QCOMPARE(nodes.data(nodes.index(general, models::NodeDeltaModel::NodeColumn)).toString(),
                 QStringLiteral("general_agent"));
        QCOMPARE(nodes.data(nodes.index(general, models::NodeDeltaModel::VisitsAColumn)).toInt(),
                 0);
        QCOMPARE(nodes.data(nodes.index(general, models::NodeDeltaModel::DurationChangeColumn))
                     .toString(),
                 QStringLiteral("new"));
        path.setComparison(nullptr);
        QCOMPARE(path.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestTraceComparison)
#include "tst_trace_comparison.moc"
