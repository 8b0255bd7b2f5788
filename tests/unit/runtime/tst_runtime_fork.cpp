// Fork of recorded runs: an edited state takes the other branch of a
// conditional edge; unscripted nodes reuse recorded outputs (same visit,
// else the latest); a node with neither stops the fork until the user types
// its output; the fork is a new, linked, deterministic trace.
#include "protocol/Framing.h"
#include "runtime/Fork.h"
#include "runtime/Replay.h"

#include "ReplaySupport.h"

#include <QTemporaryDir>

using namespace nexus::runtime;
using namespace replaytest;

namespace {

// The sample graph with its scripts taken away: nodes then do only what the
// recording says they did.
Graph withoutScripts(Graph graph)
{
    for (Node& node : graph.nodes)
        node.script.reset();
    return graph;
}

std::vector<std::string> nodesOf(const ForkResult& result)
{
    std::vector<std::string> nodes;
    for (const ForkedNode& node : result.nodes)
        nodes.push_back(node.node);
    return nodes;
}

std::string graphStartAttribute(const std::vector<ds::DashStreamMessage>& messages,
                                const std::string& key)
{
    for (const auto& message : messages)
        if (message.has_event() && message.event().event_type() == ds::EVENT_TYPE_GRAPH_START) {
            const auto& attributes = message.event().attributes();
            const auto it = attributes.find(key);
            return it == attributes.end() ? std::string() : it->second.string_value();
        }
    return {};
}

RecordedRun billingRun(const Graph& graph)
{
    return firstRun(graph, [](const RecordedRun& r) {
        return r.result.status == RunStatus::Completed &&
               r.result.path ==
                   std::vector<std::string>{"classify", "billing_specialist", "send_reply"};
    });
}

std::unique_ptr<Fork> makeFork(const Recording& origin, Graph graph, std::size_t position,
                               const json& edit, ForkOptions options = {})
{
    ReplaySession replay(origin);
    json state = *replay.stateAt(position);
    state.merge_patch(edit);
    auto fork = Fork::create(origin, std::move(graph), position, state, options);
    if (!fork)
        qFatal("fork refused: %s", fork.error().message.c_str());
    return std::move(*fork);
}

} // namespace

class TestRuntimeFork : public QObject
{
    Q_OBJECT
private slots:
    void anEditedStateTakesTheOtherBranch()
    {
        const Graph graph = sample("support_triage");
        const RecordedRun run = billingRun(graph);
        const Recording origin = readRecording(run.messages);
        auto fork = makeFork(origin, graph, 1, {{"category", "technical"}});
        auto result = fork->start();
        QVERIFY(result);
        QCOMPARE(result->status, ForkStatus::Completed);
        QCOMPARE(nodesOf(*result), (std::vector<std::string>{"tech_specialist", "send_reply"}));
        QCOMPARE(result->nodes[0].source, OutputSource::Script);
        QCOMPARE(result->run.state["category"].get<std::string>(), std::string("technical"));
        QVERIFY(!result->run.state.contains("refund")); // billing never ran in the fork

        // A new trace, linked to its origin, that replays cleanly.
        QCOMPARE(fork->threadId(), run.threadId + "~fork1");
        QCOMPARE(graphStartAttribute(fork->messages(), "forked_from_thread"), run.threadId);
        QCOMPARE(graphStartAttribute(fork->messages(), "forked_from_step"), std::string("1"));
        const Recording forked = fork->recording();
        QCOMPARE(forked.threadId, fork->threadId());
        QCOMPARE(forked.attributes.at("forked_from_thread"), run.threadId);
        ReplaySession replay(forked, graph);
        QVERIFY2(replay.report().ok(), replayReportJson(replay).dump(1).c_str());
        QCOMPARE(replay.steps().front().node, std::string("tech_specialist"));
        QCOMPARE(forked.initialState->at("category").get<std::string>(), std::string("technical"));
    }

    void aForkIsDeterministicAndExportable()
    {
        QTemporaryDir dir;
        const Graph graph = sample("support_triage");
        const Recording origin = readRecording(billingRun(graph).messages);
        auto encode = [](const std::vector<ds::DashStreamMessage>& messages) {
            std::string bytes;
            for (const auto& message : messages)
                bytes += *nexus::protocol::encodeRecord(message);
            return bytes;
        };
        auto a = makeFork(origin, graph, 1, {{"category", "account"}});
        auto b = makeFork(origin, graph, 1, {{"category", "account"}});
        QVERIFY(a->start());
        QVERIFY(b->start());
        QCOMPARE(encode(a->messages()), encode(b->messages()));
        ForkOptions other;
        other.seed = 99;
        other.forkNumber = 2;
        auto c = makeFork(origin, graph, 1, {{"category", "account"}}, other);
        QVERIFY(c->start());
        QCOMPARE(c->threadId(), origin.threadId + "~fork2");
        QVERIFY(encode(a->messages()) != encode(c->messages()));

        const std::string path = dir.filePath("fork.dstrace").toStdString();
        QVERIFY(a->writeDstraceFile(path));
        auto back = readRecordingFile(path);
        QVERIFY(back);
        QCOMPARE(back->threadId, a->threadId());
        QCOMPARE(back->executions.size(), a->result().nodes.size());
        QVERIFY(ReplaySession(*back, graph).report().ok());
    }

    void unscriptedNodesReuseTheirRecordedOutput()
    {
        const Graph graph = sample("support_triage");
        const RecordedRun run = billingRun(graph);
        const Recording origin = readRecording(run.messages);
        auto fork = makeFork(origin, withoutScripts(graph), 1, {{"urgency", "critical"}});
        auto result = fork->start();
        QVERIFY(result);
        QCOMPARE(result->status, ForkStatus::Completed);
        QCOMPARE(nodesOf(*result), (std::vector<std::string>{"billing_specialist", "send_reply"}));
        QCOMPARE(result->nodes[0].source, OutputSource::RecordedSameVisit);
        QCOMPARE(result->nodes[0].recordedStep, std::size_t(2));
        QCOMPARE(result->nodes[1].recordedStep, std::size_t(3));
        // The recorded outputs reapplied: the origin's final state, with the edit.
        json expected = run.result.state;
        expected["urgency"] = "critical";
        NEXUS_COMPARE_JSON(result->run.state, expected);
        // Recorded durations are reused: the fork takes as long as the origin did.
        const Recording forked = fork->recording();
        QCOMPARE(forked.executions[0].durationUs, origin.executions[1].durationUs);
    }

    void aNodeWithoutScriptOrRecordingWaitsForATypedOutput()
    {
        const Graph graph = sample("support_triage");
        const Recording origin = readRecording(billingRun(graph).messages);
        auto fork = makeFork(origin, withoutScripts(graph), 1, {{"category", "technical"}});
        auto result = fork->start();
        QVERIFY(result);
        QCOMPARE(result->status, ForkStatus::NeedsOutput);
        QVERIFY(result->needsOutput);
        QCOMPARE(result->needsOutput->node, std::string("tech_specialist"));
        QCOMPARE(result->needsOutput->visit, std::int64_t(1));
        QVERIFY(result->needsOutput->reason.find("no script") != std::string::npos);
        QCOMPARE(result->needsOutput->state["category"].get<std::string>(),
                 std::string("technical"));
        for (const auto& message : fork->messages()) // nothing of the node was emitted
            QVERIFY(!message.has_event() || message.event().node_id() != "tech_specialist");

        QVERIFY(!fork->provideOutput(json::array({1, 2})));
        QVERIFY(!fork->resume());
        result = fork->provideOutput({{"resolution", "restarted the ingestion worker"}});
        QVERIFY(result);
        QCOMPARE(result->status, ForkStatus::Completed);
        QCOMPARE(nodesOf(*result), (std::vector<std::string>{"tech_specialist", "send_reply"}));
        QCOMPARE(result->nodes[0].source, OutputSource::Typed);
        QCOMPARE(result->nodes[1].source, OutputSource::RecordedSameVisit);
        QCOMPARE(result->run.state["resolution"].get<std::string>(),
                 std::string("restarted the ingestion worker"));
        QCOMPARE(result->run.state["status"].get<std::string>(), std::string("replied"));
        QVERIFY(ReplaySession(fork->recording(), graph).report().ok());
    }

    void laterVisitsReuseTheLatestRecordedExecution()
    {
        const Graph graph = sample("rag_pipeline");
        const RecordedRun run = firstRun(graph, [](const RecordedRun& r) {
            return r.result.path == std::vector<std::string>{"retrieve", "grade", "generate"};
        });
        const Recording origin = readRecording(run.messages);
        // After grade, say the documents were not relevant: the fork retries.
        auto fork = makeFork(origin, withoutScripts(graph), 2, {{"relevant", false}});
        auto result = fork->start();
        QVERIFY(result);
        QCOMPARE(result->status, ForkStatus::NeedsOutput); // the origin never rewrote
        QCOMPARE(result->needsOutput->node, std::string("rewrite_query"));
        result = fork->provideOutput({{"question", "key rotation, second try"}});
        QVERIFY(result);
        QCOMPARE(result->status, ForkStatus::Completed);
        QCOMPARE(nodesOf(*result),
                 (std::vector<std::string>{"rewrite_query", "retrieve", "grade", "generate"}));
        QCOMPARE(result->nodes[1].visit, std::int64_t(2)); // visits continue the origin's
        QCOMPARE(result->nodes[1].source, OutputSource::RecordedLatest);
        QCOMPARE(result->nodes[1].recordedStep, std::size_t(1));
        QCOMPARE(result->nodes[2].source, OutputSource::RecordedLatest);
        QCOMPARE(result->nodes[3].source, OutputSource::RecordedSameVisit);
        // An output is the recorded change, not a computation: the recorded
        // retrieve set attempts from 0 to 1, so the reuse sets 1 again, and
        // its appends to /documents append again.
        QCOMPARE(result->run.state["attempts"].get<int>(), 1);
        const auto found = origin.executions[0].stateAfter->at("documents").size();
        QCOMPARE(result->run.state["documents"].size(), 2 * found);
    }

    void forkPositionsAndStatesAreChecked()
    {
        const Graph graph = sample("research_team");
        const Recording origin = readRecording(record(graph, 1).messages);
        auto inside = Fork::create(origin, graph, 2, json::object());
        QVERIFY(!inside);
        QVERIFY(inside.error().message.find("between the branches") != std::string::npos);
        QVERIFY(inside.error().message.find("position 1") != std::string::npos);
        QVERIFY(!Fork::create(origin, graph, origin.executions.size() + 1, json::object()));
        QVERIFY(!Fork::create(origin, graph, 1, json::array()));
        auto fork = Fork::create(origin, graph, 4, *origin.stateAt(4));
        QVERIFY(fork);
        QVERIFY((*fork)->start());
        QVERIFY(!(*fork)->start()); // once
    }

    void forksStopAtInterruptsWhenAsked()
    {
        const Graph graph = sample("coding_agent");
        const Recording origin = readRecording(record(graph, 1).messages);
        auto automatic = makeFork(origin, graph, 0, {{"task", "fix the flaky test"}});
        auto done = automatic->start();
        QVERIFY(done);
        QVERIFY(done->status == ForkStatus::Completed || done->status == ForkStatus::Failed);
        QCOMPARE(done->nodes.front().node, std::string("plan")); // position 0: the entry point

        ForkOptions stop;
        stop.autoResume = false;
        const RecordedRun approved = firstRun(graph, [](const RecordedRun& r) {
            return std::find(r.result.path.begin(), r.result.path.end(), "human_review") !=
                   r.result.path.end();
        });
        const Recording reviewed = readRecording(approved.messages);
        auto fork = makeFork(reviewed, graph, 0, json::object(), stop);
        auto result = fork->start();
        QVERIFY(result);
        QCOMPARE(result->status, ForkStatus::Interrupted);
        QCOMPARE(result->run.interrupt->node, std::string("human_review"));
        QVERIFY(!fork->provideOutput(json::object())); // not waiting for an output
        result = fork->resume({{"approval", {{"approved", false}, {"reviewer", "qa"}}}});
        QVERIFY(result);
        // Changes requested: the route goes back to "edit".
        const auto nodes = nodesOf(*result);
        const auto review = std::find(nodes.begin(), nodes.end(), "human_review");
        QVERIFY(review != nodes.end() && review + 1 != nodes.end());
        QCOMPARE(*(review + 1), std::string("edit"));
    }
};

QTEST_GUILESS_MAIN(TestRuntimeFork)
#include "tst_runtime_fork.moc"
