// Cost and time breakdown of real runs of the embedded runtime fed through a
// RunStore: totals equal what the runtime metered, models are grouped as the
// graph file assigns them, the flame tree adds up for every metric, and the
// table models pass QAbstractItemModelTester.
#include "models/CostBreakdown.h"
#include "models/CostBreakdownModels.h"

#include "TraceTestSupport.h"

#include <QAbstractItemModelTester>
#include <QTest>

#include <numeric>
#include <set>

using namespace nexus;
using namespace nexus::testing;
using models::FlameFrame;
using models::FlameMetric;

namespace {

const models::Run& runOf(const models::RunStore& store, const RecordedRun& recorded)
{
    return *store.run(recorded.runId);
}

// node -> model, as the graph file declares it.
std::map<std::string, std::string> declaredModels(const std::string& graph)
{
    std::map<std::string, std::string> out;
    const json file = graphFileJson(graph); // kept alive for the loop
    for (const json& node : file["nodes"])
        if (node.contains("llm"))
            out[node["name"].get<std::string>()] = node["llm"]["model"].get<std::string>();
    return out;
}

void checkTreeAddsUp(const models::CostBreakdown& b)
{
    for (const FlameFrame& frame : b.frames) {
        double time = 0, cost = 0;
        std::int64_t tokens = 0;
        for (int child : frame.children) {
            const FlameFrame& c = b.frames[std::size_t(child)];
            QCOMPARE(c.parent, int(&frame - b.frames.data()));
            QCOMPARE(c.depth, frame.depth + 1);
            time += double(c.timeUs);
            tokens += c.tokens;
            cost += c.costUsd;
        }
        if (frame.children.empty())
            continue;
        // Children never outgrow their parent; tokens and cost of a node
        // are all in its LLM call.
        QVERIFY2(time <= double(frame.timeUs), frame.label.c_str());
        if (frame.kind == FlameFrame::Kind::Node || frame.kind == FlameFrame::Kind::Run) {
            QCOMPARE(tokens, frame.tokens);
            QVERIFY(qAbs(cost - frame.costUsd) < 1e-9);
        }
    }
}

} // namespace

class TestCostBreakdown : public QObject
{
    Q_OBJECT
private slots:
    void totalsEqualTheRunsTotals()
    {
        models::RunStore store;
        const auto rec = recordRun(store, "coding_agent", 11, "cost-total");
        const models::Run& run = runOf(store, rec);
        const auto b = models::buildCostBreakdown(run);
        const std::int64_t tokens =
            rec.result.totals.promptTokens + rec.result.totals.completionTokens;
        QVERIFY(tokens > 0);
        QCOMPARE(b.tokens, tokens);
        QCOMPARE(b.root().tokens, tokens);
        QVERIFY(qAbs(b.costUsd - rec.result.totals.costUsd) < 1e-9);
        QCOMPARE(b.runDurationUs, graphEndDurationUs(rec.messages));
        QCOMPARE(b.root().timeUs, graphEndDurationUs(rec.messages)); // sequential graph

        // Per node: the runtime's latencies and Metrics, summed over visits.
        const auto metrics = metricsByNode(rec.messages);
        std::int64_t prompt = 0, completion = 0;
        for (const auto& node : b.nodes) {
            std::int64_t us = 0;
            int visits = 0;
            for (const auto& [key, latency] : rec.durations)
                if (key.first == node.node) {
                    us += latency;
                    ++visits;
                }
            QCOMPARE(node.visits, visits);
            QCOMPARE(node.totalUs, us);
            QVERIFY(node.selfUs + node.toolUs == node.totalUs);
            const auto& m = metrics.at(node.node);
            QCOMPARE(node.tokens(),
                     std::accumulate(m.tokens.begin(), m.tokens.end(), std::int64_t(0)));
            QVERIFY(qAbs(node.costUsd - m.costUsd) < 1e-9);
            QVERIFY(qAbs(node.timeShare - double(us) / double(b.root().timeUs)) < 1e-12);
            prompt += node.promptTokens;
            completion += node.completionTokens;
        }
        QCOMPARE(prompt, rec.result.totals.promptTokens);
        QCOMPARE(completion, rec.result.totals.completionTokens);
        // Tool calls: the runtime counted them too.
        std::int64_t toolCalls = 0;
        for (const auto& node : b.nodes)
            toolCalls += node.toolCalls;
        QCOMPARE(toolCalls, rec.result.totals.toolCalls);
    }

    void groupsByModel()
    {
        models::RunStore store;
        const auto rec = recordRun(store, "research_team", 3, "cost-models");
        const auto b = models::buildCostBreakdown(runOf(store, rec));
        const auto declared = declaredModels("research_team");
        const auto metrics = metricsByNode(rec.messages);
        // Expected per model from the graph file and the Metrics sent.
        std::map<std::string, std::pair<std::int64_t, double>> expected; // tokens, cost
        std::map<std::string, std::set<std::string>> nodesOf;
        std::map<std::string, int> calls;
        for (const auto& [node, model] : declared) {
            if (!metrics.count(node))
                continue;
            const auto& m = metrics.at(node);
            for (std::int64_t t : m.tokens)
                expected[model].first += t;
            expected[model].second += m.costUsd;
            nodesOf[model].insert(node);
            calls[model] += int(m.tokens.size());
        }
        QCOMPARE(b.models.size(), expected.size());
        double cost = 0;
        for (const auto& m : b.models) {
            QVERIFY2(expected.count(m.model), m.model.c_str());
            QCOMPARE(m.tokens(), expected[m.model].first);
            QVERIFY(qAbs(m.costUsd - expected[m.model].second) < 1e-9);
            QCOMPARE(std::set<std::string>(m.nodes.begin(), m.nodes.end()), nodesOf[m.model]);
            QCOMPARE(m.calls, calls[m.model]);
            cost += m.costShare;
        }
        QVERIFY(qAbs(cost - 1.0) < 1e-9);
        for (std::size_t i = 1; i < b.models.size(); ++i) // most expensive first
            QVERIFY(b.models[i - 1].costUsd >= b.models[i].costUsd);
        // The tool-only node used no model.
        const auto code = std::find_if(b.nodes.begin(), b.nodes.end(),
                                       [](const auto& n) { return n.node == "code_researcher"; });
        QVERIFY(code != b.nodes.end());
        QVERIFY(code->models.empty());
        QCOMPARE(code->type, std::string("tool"));
    }

    void unnamedModelIsUnknown()
    {
        // Hand-built: node Metrics with tokens and cost but no model tag.
        StreamBuilder s("cost-unknown");
        std::uint64_t seq = 0;
        std::vector<ds::DashStreamMessage> m;
        m.push_back(s.graphStart(
            ++seq, R"({"name":"g","nodes":[{"name":"n"}],"edges":[],"entry_point":"n"})",
            json::object()));
        m.push_back(s.event(ds::EVENT_TYPE_NODE_START, "n", ++seq));
        ds::DashStreamMessage metrics;
        *metrics.mutable_metrics()->mutable_header() = s.header(0, ds::MESSAGE_TYPE_METRICS);
        metrics.mutable_metrics()->set_scope("node");
        metrics.mutable_metrics()->set_scope_id("n");
        (*metrics.mutable_metrics()->mutable_metrics())["prompt_tokens"].set_int_value(70);
        (*metrics.mutable_metrics()->mutable_metrics())["completion_tokens"].set_int_value(30);
        (*metrics.mutable_metrics()->mutable_metrics())["cost_usd"].set_float_value(0.5f);
        m.push_back(metrics);
        m.push_back(s.event(ds::EVENT_TYPE_NODE_END, "n", ++seq, {}, 2000));
        m.push_back(s.event(ds::EVENT_TYPE_GRAPH_END, "", ++seq, {}, 2500));
        models::RunStore store;
        const auto id = applyAll(store, m).added.front();
        const auto b = models::buildCostBreakdown(*store.run(id));
        QCOMPARE(b.models.size(), std::size_t(1));
        QCOMPARE(b.models[0].model, std::string(models::kUnknownModel));
        QCOMPARE(b.models[0].tokens(), 100);
        QCOMPARE(b.models[0].costUsd, 0.5);
        QCOMPARE(b.models[0].llmUs, 2000);
        // Root: wall time 2.5 ms around a 2 ms node.
        QCOMPARE(b.root().timeUs, 2500);
        QCOMPARE(b.root().children.size(), std::size_t(1));
        const FlameFrame& node = b.frames[std::size_t(b.root().children[0])];
        QCOMPARE(node.timeUs, 2000);
        QCOMPARE(node.children.size(), std::size_t(1));
        QCOMPARE(b.frames[std::size_t(node.children[0])].label, std::string("LLM unknown"));

        // A producer that names the model in NODE_END's attributes.
        StreamBuilder t("cost-attribute");
        std::vector<ds::DashStreamMessage> n;
        n.push_back(
            t.graphStart(1, R"({"name":"g","nodes":[{"name":"n"}],"edges":[],"entry_point":"n"})",
                         json::object()));
        n.push_back(t.event(ds::EVENT_TYPE_NODE_START, "n", 2));
        n.push_back(t.event(ds::EVENT_TYPE_NODE_END, "n", 3, {{"model", "local-llm"}}, 1000));
        const auto named = models::buildCostBreakdown(*store.run(applyAll(store, n).added.front()));
        QCOMPARE(named.models.size(), std::size_t(1));
        QCOMPARE(named.models[0].model, std::string("local-llm"));
        QCOMPARE(named.models[0].calls, 1);
    }

    void flameTreeAddsUp()
    {
        models::RunStore store;
        const auto rec = recordRun(store, "coding_agent", 11, "cost-tree");
        const models::Run& run = runOf(store, rec);
        for (bool perVisit : {false, true}) {
            const auto b = models::buildCostBreakdown(run, perVisit);
            QCOMPARE(b.frames.front().kind, FlameFrame::Kind::Run);
            checkTreeAddsUp(b);
            const std::size_t nodeFrames = b.root().children.size();
            QCOMPARE(nodeFrames, perVisit ? run.spans.size() : b.nodes.size());
            // Children in execution order; each node's tools before its LLM call.
            for (const FlameFrame& frame : b.frames)
                for (std::size_t k = 1; k < frame.children.size(); ++k)
                    QVERIFY(b.frames[std::size_t(frame.children[k - 1])].step <=
                            b.frames[std::size_t(frame.children[k])].step);
            // Values per metric are what the frames carry.
            const FlameFrame& first = b.frames[std::size_t(b.root().children[0])];
            QCOMPARE(first.value(FlameMetric::Time), double(first.timeUs));
            QCOMPARE(first.value(FlameMetric::Tokens), double(first.tokens));
            QCOMPARE(first.value(FlameMetric::Cost), first.costUsd);
            QCOMPARE(b.pathTo(first.children.empty() ? 0 : first.children[0]).front(), 0);
        }
        // Per visit, a repeated node is labelled with its visit.
        const auto visits = models::buildCostBreakdown(run, true);
        bool labelled = false;
        for (const FlameFrame& f : visits.frames)
            labelled = labelled || f.label == "edit #2";
        QVERIFY(labelled == (rec.durations.count({"edit", 2}) == 1));
        // A tool frame: the runtime's tool (test runs run_tests) by name.
        const auto agg = models::buildCostBreakdown(run);
        const auto tool =
            std::find_if(agg.frames.begin(), agg.frames.end(), [](const FlameFrame& f) {
                return f.kind == FlameFrame::Kind::Tool && f.label == "run_tests";
            });
        QVERIFY(tool != agg.frames.end());
        QCOMPARE(tool->count, int(std::count(rec.started.begin(), rec.started.end(), "test")));
    }

    void parallelRunTimeCoversItsBranches()
    {
        models::RunStore store;
        const auto rec = recordRun(store, "research_team", 3, "cost-parallel");
        const auto b = models::buildCostBreakdown(runOf(store, rec));
        checkTreeAddsUp(b);
        std::int64_t sum = 0;
        for (int child : b.root().children)
            sum += b.frames[std::size_t(child)].timeUs;
        // Branches overlap: the node time is more than the wall time.
        QVERIFY(sum > b.runDurationUs);
        QCOMPARE(b.root().timeUs, sum);
    }

    void tableModels()
    {
        models::RunStore store;
        const auto rec = recordRun(store, "support_triage", 4, "cost-table");
        auto b = std::make_shared<const models::CostBreakdown>(
            models::buildCostBreakdown(runOf(store, rec)));
        models::NodeCostModel nodes;
        QAbstractItemModelTester t1(&nodes, QAbstractItemModelTester::FailureReportingMode::QtTest);
        models::ModelCostModel models;
        QAbstractItemModelTester t2(&models,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        nodes.setBreakdown(b);
        models.setBreakdown(b);
        QCOMPARE(nodes.rowCount(), int(rec.started.size()));
        QCOMPARE(models.rowCount(), int(b->models.size()));
        QCOMPARE(nodes.data(nodes.index(0, models::NodeCostModel::NodeColumn)).toString(),
                 QStringLiteral("classify"));
        QCOMPARE(nodes.data(nodes.index(0, models::NodeCostModel::TypeColumn)).toString(),
                 QStringLiteral("router"));
        QCOMPARE(nodes.data(nodes.index(0, models::NodeCostModel::ModelsColumn)).toString(),
                 QStringLiteral("gpt-4o-mini"));
        QCOMPARE(nodes
                     .data(nodes.index(0, models::NodeCostModel::TotalColumn),
                           models::NodeCostModel::SortRole)
                     .toLongLong(),
                 rec.durations.at({"classify", 1}));
        QCOMPARE(nodes.rowOf(QStringLiteral("send_reply")), int(rec.started.size()) - 1);
        const auto m0 = models.index(0, models::ModelCostModel::CostColumn);
        QVERIFY(models.data(m0).toString().startsWith(QLatin1Char('$')));
        QCOMPARE(models.data(m0, models::ModelCostModel::SortRole).toDouble(),
                 b->models[0].costUsd);
        nodes.setBreakdown(nullptr);
        QCOMPARE(nodes.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCostBreakdown)
#include "tst_cost_breakdown.moc"
