// RunStore: real sample runs of the embedded runtime replayed into the store
// (state at every step, spans, edges, verdicts, checkpoints), a dropped
// StateDiff and its healing, DashFlow-shaped upstream records (no edge
// targets, NodeContext counters), integrity rules, caps, and time travel
// over a 100,000-step run.
#include "models/RunStore.h"

#include "RunStoreTestSupport.h"

#include <QElapsedTimer>
#include <QTest>

#include <random>
#include <set>

using namespace nexus::models;
using namespace nexus::testing;
namespace runtime = nexus::runtime;
namespace protocol = nexus::protocol;

namespace {

const Run& onlyRun(const RunStore& store)
{
    if (store.size() != 1)
        qFatal("expected one run, the store has %zu", store.size());
    return *store.runs().front();
}

int countIssues(const Run& run, IssueKind kind)
{
    return int(std::count_if(run.issues.begin(), run.issues.end(),
                             [kind](const IntegrityIssue& i) { return i.kind == kind; }));
}

const IntegrityIssue* firstIssue(const Run& run, IssueKind kind)
{
    for (const auto& issue : run.issues)
        if (issue.kind == kind)
            return &issue;
    return nullptr;
}

std::string issuesText(const Run& run)
{
    std::string out;
    for (const auto& issue : run.issues)
        out += std::string(issueKindName(issue.kind)) + " @" + std::to_string(issue.step) + ": " +
               issue.message + "\n";
    return out;
}

// A DashFlow graph_schema_json as the upstream callback sends it (§5.1).
const char* kUpstreamSchema = R"({"name":"qa_agent","version":"1.0.0","description":null,
 "nodes":[
  {"name":"router","description":null,"node_type":{"custom":"router"},"input_fields":[],"output_fields":[],"position":null,"attributes":{}},
  {"name":"search","description":"web search","node_type":"tool","input_fields":["q"],"output_fields":["hits"],"position":null,"attributes":{}},
  {"name":"answer","description":null,"node_type":"llm","input_fields":[],"output_fields":[],"position":null,"attributes":{}}],
 "edges":[
  {"from":"router","to":"search","edge_type":"conditional","label":"needs_search","conditional_targets":null},
  {"from":"router","to":"answer","edge_type":"conditional","label":"direct","conditional_targets":null},
  {"from":"search","to":"answer","edge_type":"direct","label":null,"conditional_targets":null},
  {"from":"answer","to":"__end__","edge_type":"direct","label":null,"conditional_targets":null}],
 "entry_point":"router","state_type":null,"exported_at":"2025-01-01T00:00:00Z","metadata":{}})";

// Upstream shape: callback sequence on graph events / StateDiffs, NodeContext
// messages with their own counters restarting at 1, no edge targets.
std::vector<ds::DashStreamMessage> upstreamRun(bool withEdgeEvents, json& finalState)
{
    StreamBuilder b("demo-session-42");
    std::vector<ds::DashStreamMessage> m;
    std::uint64_t cb = 0; // the callback's counter
    const json s0 = {{"q", "hi"}, {"__proto__", {{"polluted", false}}}};
    json s1 = s0, s2, s3;
    s1["route"] = "needs_search";
    s2 = s1;
    s2["hits"] = json::array({"a", "b"});
    s2["__proto__"]["polluted"] = true; // an ordinary key in C++
    s3 = s2;
    s3["answer"] = "Hello world";
    m.push_back(b.graphStart(++cb, kUpstreamSchema, s0, {{"schema_id", "0123456789abcdef"}}));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_START, "router", ++cb));
    m.push_back(b.patch(++cb, s0, s1));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_END, "router", ++cb, {}, 1500));
    if (withEdgeEvents)
        m.push_back(b.event(ds::EVENT_TYPE_CONDITIONAL_BRANCH, "router", ++cb));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_START, "search", ++cb));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_PROGRESS, "search", 1,
                        {{"message", "searching"}}));         // NodeContext counter
    m.push_back(b.tokenChunk(3, "req-1", 1, " world", true)); // out of order
    m.push_back(b.tokenChunk(2, "req-1", 0, "Hello"));
    m.push_back(b.error(4, "RATE_LIMITED", "slow down", ds::Error::SEVERITY_WARNING, "search"));
    m.push_back(b.patch(++cb, s1, s2));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_END, "search", ++cb, {}, 250'000));
    if (withEdgeEvents)
        m.push_back(b.event(ds::EVENT_TYPE_EDGE_TRAVERSAL, "search", ++cb));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_START, "answer", ++cb));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_THINKING, "answer", 1, {{"thought", "hmm"}}));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_PROGRESS, "answer", 2, {{"message", "writing"}}));
    m.push_back(b.patch(++cb, s2, s3));
    m.push_back(b.event(ds::EVENT_TYPE_NODE_END, "answer", ++cb, {}, 900'000));
    if (withEdgeEvents)
        m.push_back(b.event(ds::EVENT_TYPE_EDGE_TRAVERSAL, "answer", ++cb));
    m.push_back(b.stateDiff(++cb, s3, s3)); // GRAPH_END's diff: no operations, hash only
    m.push_back(b.event(ds::EVENT_TYPE_GRAPH_END, "", ++cb, {}, 1'200'000));
    finalState = s3;
    return m;
}

// The 16-byte zstd frame header of a frame that claims 1 TiB of content.
std::string zstdBombFrame()
{
    std::string frame = {'\x28', '\xb5', '\x2f', '\xfd',
                         '\xe0'}; // magic, FCS 8 bytes, single segment
    const std::uint64_t size = 1ULL << 40;
    for (int i = 0; i < 8; ++i)
        frame += char((size >> (8 * i)) & 0xff);
    frame += std::string("\x01\x00\x00", 3); // last block, raw, 0 bytes
    return frame;
}

} // namespace

class TestRunStore : public QObject
{
    Q_OBJECT

private slots:
    void sampleRun_data()
    {
        QTest::addColumn<QString>("graph");
        QTest::addColumn<int>("checkpointInterval");
        for (const char* name :
             {"rag_pipeline", "research_team", "coding_agent", "support_triage"}) {
            QTest::newRow(name) << name << 0;
            QTest::newRow((std::string(name) + "+checkpoints").c_str()) << name << 1;
        }
    }

    void sampleRun()
    {
        QFETCH(QString, graph);
        QFETCH(int, checkpointInterval);
        const SampleRun sample = runSample(graph.toStdString(), checkpointInterval);
        QCOMPARE(sample.result.status, runtime::RunStatus::Completed);
        for (std::uint32_t interval : {64u, 1u, 3u}) {
            RunStoreLimits limits;
            limits.snapshotInterval = interval;
            RunStore store(limits);
            const ApplyResult applied = applyAll(store, sample.messages);
            QCOMPARE(applied.added.size(), std::size_t(1));
            QVERIFY(applied.updated.empty() && applied.removed.empty());
            checkSampleRun(store, sample, checkpointInterval > 0);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void removeForgetsOneRun()
    {
        const SampleRun first = runSample("support_triage", 0);
        const SampleRun second = runSample("rag_pipeline", 0, 6);
        RunStore store;
        const std::uint64_t a = applyAll(store, first.messages).added.at(0);
        const std::uint64_t b = applyAll(store, second.messages).added.at(0);
        const std::string threadA = store.run(a)->threadId;
        const ApplyResult removed = store.remove(a);
        QCOMPARE(removed.removed, std::vector<std::uint64_t>{a});
        QVERIFY(!store.run(a));
        QVERIFY(!store.runForThread(threadA));
        QCOMPARE(store.size(), std::size_t(1));
        QVERIFY(store.run(b));
        QVERIFY(store.remove(a).removed.empty()); // twice: nothing more
    }

    void droppedStateDiffIsCaughtAndHealedByFullState()
    {
        const SampleRun sample = runSample("rag_pipeline", 0);
        // Drop the first StateDiff that has operations.
        std::vector<std::size_t> diffs; // message indices of StateDiffs
        for (std::size_t i = 0; i < sample.messages.size(); ++i)
            if (sample.messages[i].has_state_diff())
                diffs.push_back(i);
        std::size_t dropped = 0, droppedDiff = 0;
        for (std::size_t k = 0, withOps = 0; k < diffs.size(); ++k)
            if (sample.messages[diffs[k]].state_diff().operations_size() > 0 && ++withOps == 1) {
                dropped = diffs[k];
                droppedDiff = k;
                break;
            }
        QVERIFY2(dropped > 0 && droppedDiff + 2 < diffs.size(),
                 ("dropped " + std::to_string(dropped) + " diff " + std::to_string(droppedDiff) +
                  " of " + std::to_string(diffs.size()))
                     .c_str());
        const std::size_t failing = diffs[droppedDiff + 1];

        // Without healing: a gap, then the next StateDiff fails.
        std::vector<ds::DashStreamMessage> lossy;
        for (std::size_t i = 0; i < sample.messages.size(); ++i)
            if (i != dropped)
                lossy.push_back(sample.messages[i]);
        RunStore broken;
        applyAll(broken, lossy);
        const Run& b = onlyRun(broken);
        QVERIFY2(countIssues(b, IssueKind::SequenceGap) == 1, issuesText(b).c_str());
        QVERIFY2(countIssues(b, IssueKind::HashMismatch) + countIssues(b, IssueKind::PatchFailed) ==
                     1,
                 issuesText(b).c_str());
        QVERIFY(b.corrupted);
        QCOMPARE(b.corruptedSince, firstIssue(b, IssueKind::SequenceGap)->step);
        QVERIFY(broken.stateAt(b, std::uint32_t(b.steps.size() - 1)).corrupted);
        QVERIFY(!broken.stateAt(b, 0).corrupted);
        int skipped = 0;
        for (const StateStep& s : b.stateSteps)
            skipped += s.verdict == StateVerdict::Skipped;
        QVERIFY(skipped > 0); // later patches are not applied to a broken state

        // Healed by a full state sent right after the failing StateDiff.
        StreamBuilder extra(sample.threadId, 1'000'000);
        std::vector<ds::DashStreamMessage> healed;
        for (std::size_t i = 0; i < sample.messages.size(); ++i) {
            if (i == dropped)
                continue;
            healed.push_back(sample.messages[i]);
            if (i == failing)
                healed.push_back(extra.fullState(0, sample.diffStates[droppedDiff + 1]));
        }
        RunStore store;
        applyAll(store, healed);
        const Run& run = onlyRun(store);
        QVERIFY2(!run.corrupted, issuesText(run).c_str());
        QCOMPARE(countIssues(run, IssueKind::Healed), 1);
        const IntegrityIssue* gap = firstIssue(run, IssueKind::SequenceGap);
        const IntegrityIssue* heal = firstIssue(run, IssueKind::Healed);
        QVERIFY(gap && heal && gap->step < heal->step);
        QVERIFY(store.stateAt(run, gap->step).corrupted);
        QVERIFY(store.stateAt(run, heal->step - 1).corrupted);
        QVERIFY(!store.stateAt(run, heal->step).corrupted);
        QVERIFY(!store.stateAt(run, gap->step - 1).corrupted);
        NEXUS_COMPARE_JSON(*store.stateAt(run, heal->step).state,
                           sample.diffStates[droppedDiff + 1]);
        NEXUS_COMPARE_JSON(*store.stateAt(run, std::uint32_t(run.steps.size() - 1)).state,
                           sample.result.state);
        // Patches after the heal apply and verify again.
        const StateStep& last = run.stateSteps.back();
        QCOMPARE(last.verdict, StateVerdict::Verified);
    }

    void droppedStateDiffHealedByCheckpoint()
    {
        const SampleRun sample = runSample("research_team", 1);
        // Drop the 2nd StateDiff with operations and the Checkpoint right after it.
        std::size_t dropped = 0;
        for (std::size_t i = 0, withOps = 0; i < sample.messages.size(); ++i)
            if (sample.messages[i].has_state_diff() &&
                sample.messages[i].state_diff().operations_size() > 0 && ++withOps == 2) {
                dropped = i;
                break;
            }
        QVERIFY(dropped > 0 && sample.messages[dropped + 1].has_checkpoint());
        std::vector<ds::DashStreamMessage> lossy;
        for (std::size_t i = 0; i < sample.messages.size(); ++i)
            if (i != dropped && i != dropped + 1)
                lossy.push_back(sample.messages[i]);
        RunStore store;
        applyAll(store, lossy);
        const Run& run = onlyRun(store);
        QVERIFY2(countIssues(run, IssueKind::HashMismatch) +
                         countIssues(run, IssueKind::PatchFailed) +
                         countIssues(run, IssueKind::UnknownBaseCheckpoint) >=
                     1,
                 issuesText(run).c_str());
        QVERIFY2(countIssues(run, IssueKind::Healed) >= 1, issuesText(run).c_str());
        QVERIFY(!run.corrupted);
        NEXUS_COMPARE_JSON(*run.current, sample.result.state);
        const IntegrityIssue* heal = firstIssue(run, IssueKind::Healed);
        QCOMPARE(run.steps[heal->step].kind, StepKind::Checkpoint);
    }

    void upstreamShapedRecords()
    {
        for (const bool withEdgeEvents : {true, false}) {
            json finalState;
            RunStore store;
            applyAll(store, upstreamRun(withEdgeEvents, finalState));
            const Run& run = onlyRun(store);
            QVERIFY2(run.issues.empty(), issuesText(run).c_str());
            QCOMPARE(run.status, RunStatus::Completed);
            QCOMPARE(run.graphName, std::string("qa_agent"));
            QCOMPARE(run.schemaId, std::string("0123456789abcdef"));
            QCOMPARE(run.graphSource, std::string("graph_schema_json"));
            QVERIFY(run.graph);
            QVERIFY(run.graph->findNode("router")->type.custom);
            QCOMPARE(run.graph->findNode("router")->type.name, std::string("router"));
            QCOMPARE(run.durationUs, std::int64_t(1'200'000));
            NEXUS_COMPARE_JSON(*run.current, finalState);
            for (const StateStep& s : run.stateSteps)
                if (s.source != StateSource::Initial)
                    QCOMPARE(s.verdict, StateVerdict::Verified);

            QCOMPARE(run.spans.size(), std::size_t(3));
            QCOMPARE(run.spans[0].node, std::string("router"));
            QCOMPARE(run.spans[1].node, std::string("search"));
            QCOMPARE(run.spans[1].durationUs, std::int64_t(250'000)); // the field, not timestamps
            QCOMPARE(run.spans[1].tokenText, std::string("Hello world"));
            QCOMPARE(run.spans[1].attributes.at("last_error"),
                     std::string("RATE_LIMITED: slow down"));
            for (const NodeSpan& span : run.spans) {
                QCOMPARE(span.lane, 0);
                QCOMPARE(span.state, NodeState::Done);
            }

            QCOMPARE(run.edges.size(), std::size_t(3));
            const std::vector<std::pair<std::string, std::string>> expected = {
                {"router", "search"}, {"search", "answer"}, {"answer", "__end__"}};
            for (std::size_t i = 0; i < expected.size(); ++i) {
                QCOMPARE(run.edges[i].from, expected[i].first);
                QCOMPARE(run.edges[i].to, expected[i].second);
                QVERIFY(run.edges[i].inferred);
            }
            QVERIFY(run.edges[0].conditional);
            QCOMPARE(run.edges[0].conditionResult,
                     std::string("needs_search")); // the graph's label
            QCOMPARE(run.steps[run.edges[0].step].kind, StepKind::NodeStart);
            // The canvas at the step where "search" started.
            const auto states = run.nodeStatesAt(run.spans[1].startStep);
            QCOMPARE(states.at("router"), NodeState::Done);
            QCOMPARE(states.at("search"), NodeState::Active);
            QCOMPARE(states.at("answer"), NodeState::Pending);
            QCOMPARE(run.edgesAt(run.spans[1].startStep).size(), std::size_t(1));
        }
    }

    void sequenceGapCountsOnlyNumbersNoMessageHad()
    {
        StreamBuilder b("gap-thread");
        std::vector<ds::DashStreamMessage> m;
        m.push_back(b.event(ds::EVENT_TYPE_GRAPH_START, "", 1));
        m.push_back(b.event(ds::EVENT_TYPE_NODE_START, "a", 2));
        m.push_back(b.tokenChunk(3, "r", 0, "x"));             // our producer: one counter for all
        m.push_back(b.event(ds::EVENT_TYPE_NODE_END, "a", 7)); // 4, 5, 6 lost
        RunStore store;
        applyAll(store, m);
        const Run& run = onlyRun(store);
        QCOMPARE(countIssues(run, IssueKind::SequenceGap), 1);
        const IntegrityIssue* gap = firstIssue(run, IssueKind::SequenceGap);
        QCOMPARE(gap->step, 3u);
        QVERIFY2(gap->message.find("3 message(s) missing before step 3 (sequences 4..6)") !=
                     std::string::npos,
                 gap->message.c_str());
        QVERIFY(run.corrupted);

        // A repeated and an older sequence on the ordered stream.
        RunStore second;
        StreamBuilder c("dup-thread");
        applyAll(second, {c.event(ds::EVENT_TYPE_GRAPH_START, "", 10),
                          c.event(ds::EVENT_TYPE_NODE_START, "a", 11),
                          c.event(ds::EVENT_TYPE_NODE_START, "b", 13),
                          c.event(ds::EVENT_TYPE_NODE_END, "a", 11),
                          c.event(ds::EVENT_TYPE_NODE_END, "b", 12)});
        const Run& r2 = onlyRun(second);
        QCOMPARE(countIssues(r2, IssueKind::SequenceGap), 1);
        QCOMPARE(countIssues(r2, IssueKind::SequenceDuplicate), 1);
        QCOMPARE(countIssues(r2, IssueKind::SequenceReordered), 1);
    }

    void duplicateMessageIdIsDroppedWithoutIssue()
    {
        StreamBuilder b("dedupe");
        const auto start = b.event(ds::EVENT_TYPE_GRAPH_START, "", 1);
        const auto node = b.event(ds::EVENT_TYPE_NODE_START, "a", 2);
        RunStore store;
        applyAll(store, {start, node, node});
        const ApplyResult again = applyAll(store, {start});
        const Run& run = onlyRun(store);
        QCOMPARE(store.duplicates(), std::uint64_t(2));
        QCOMPARE(run.steps.size(), std::size_t(2));
        QVERIFY(run.issues.empty());
        QVERIFY(again.added.empty() && again.updated.empty());
    }

    void eventBatchIsExpanded()
    {
        StreamBuilder b("batch");
        ds::DashStreamMessage batch;
        *batch.mutable_event_batch()->mutable_header() = b.header(0, ds::MESSAGE_TYPE_EVENT_BATCH);
        for (auto e : {b.event(ds::EVENT_TYPE_GRAPH_START, "", 1),
                       b.event(ds::EVENT_TYPE_NODE_START, "a", 2),
                       b.event(ds::EVENT_TYPE_NODE_END, "a", 3, {}, 42)})
            *batch.mutable_event_batch()->add_events() = e.event();
        RunStore store;
        store.apply(batch, kWallUs);
        const Run& run = onlyRun(store);
        QCOMPARE(run.steps.size(), std::size_t(3));
        QCOMPARE(run.steps[2].sequence, std::uint64_t(3));
        QCOMPARE(run.spans.at(0).durationUs, std::int64_t(42));
        QVERIFY(run.issues.empty());
    }

    void unthreadedMessagesAreCountedNotKept()
    {
        StreamBuilder b("");
        RunStore store;
        applyAll(store, {b.event(ds::EVENT_TYPE_GRAPH_START, "", 1)});
        QCOMPARE(store.size(), std::size_t(0));
        QCOMPARE(store.unthreaded(), std::uint64_t(1));
    }

    void zstdCheckpointOverTheLimitIsRefusedBeforeAllocating()
    {
        StreamBuilder b("bomb");
        auto checkpoint = b.checkpoint(2, json::object(), "0123456789abcdef");
        ds::Checkpoint* c = checkpoint.mutable_checkpoint();
        c->set_state(zstdBombFrame());
        c->mutable_compression_info()->set_type(ds::COMPRESSION_ZSTD);
        RunStore store;
        applyAll(store, {b.graphStart(1, kUpstreamSchema, json{{"a", 1}}), checkpoint});
        const Run& run = onlyRun(store);
        const IntegrityIssue* issue = firstIssue(run, IssueKind::InvalidState);
        QVERIFY2(issue, issuesText(run).c_str());
        QVERIFY2(issue->message.find("declares 1099511627776 bytes") != std::string::npos,
                 issue->message.c_str());
        QCOMPARE(run.stateSteps.back().verdict, StateVerdict::Invalid);
        NEXUS_COMPARE_JSON(*run.current, json({{"a", 1}})); // unchanged
        QVERIFY(!run.corrupted);

        // A real compressed checkpoint within the limit applies; a bad checksum does not.
        json big = {{"text", std::string(2000, 'x')}};
        auto good = b.checkpoint(3, big, "good-checkpoint!");
        QCOMPARE(good.checkpoint().compression_info().type(), ds::COMPRESSION_ZSTD);
        auto bad = b.checkpoint(4, json{{"b", 2}}, "bad-checkpoint!!");
        bad.mutable_checkpoint()->set_checksum(std::string(32, '\0'));
        applyAll(store, {good, bad});
        QCOMPARE(run.stateSteps[2].verdict, StateVerdict::Verified);
        QCOMPARE(run.stateSteps[3].verdict, StateVerdict::Invalid);
        QCOMPARE(countIssues(run, IssueKind::ChecksumMismatch), 1);
        NEXUS_COMPARE_JSON(*run.current, big);
    }

    void badPatchPathFailsAndLaterPatchesAreSkipped()
    {
        StreamBuilder b("badpatch");
        const json s0 = {{"a", 1}}, s1 = {{"a", 2}};
        // Its first operation applies, the second cannot: nothing of it may stick.
        auto diff = b.patch(3, s1, json{{"a", 3}});
        ds::DiffOperation* op = diff.mutable_state_diff()->add_operations();
        op->set_op(ds::DiffOperation::OP_TYPE_REMOVE);
        op->set_path("/missing/x");
        RunStore store;
        applyAll(store, {b.graphStart(1, kUpstreamSchema, s0), b.patch(2, s0, s1), diff,
                         b.patch(4, json{{"a", 3}}, json{{"a", 4}})});
        const Run& run = onlyRun(store);
        const IntegrityIssue* failed = firstIssue(run, IssueKind::PatchFailed);
        QVERIFY2(failed, issuesText(run).c_str());
        QVERIFY2(failed->message.find("operation 2 (remove \"/missing/x\")") != std::string::npos,
                 failed->message.c_str());
        QCOMPARE(run.stateSteps[1].verdict, StateVerdict::Verified);
        QCOMPARE(run.stateSteps[2].verdict, StateVerdict::PatchFailed);
        QCOMPARE(run.stateSteps[3].verdict, StateVerdict::Skipped);
        QVERIFY(run.corrupted);
        NEXUS_COMPARE_JSON(*run.current, s1); // the last good state, flagged
        NEXUS_COMPARE_JSON(*store.stateAt(run, 3).state, s1);
        QVERIFY(store.stateAt(run, 3).corrupted);
        QVERIFY(!store.stateAt(run, 1).corrupted);
        QVERIFY(store.changesAt(run, 2).empty()); // a failed patch changed nothing
    }

    void unknownBaseCheckpointFlagsUntilAHashVerifies()
    {
        StreamBuilder b("base");
        const json s0 = {{"a", 1}}, s1 = {{"a", 2}}, s2 = {{"a", 3}};
        auto d1 = b.patch(2, s0, s1, "never-received!!");
        d1.mutable_state_diff()->clear_state_hash();
        RunStore store;
        applyAll(store, {b.graphStart(1, kUpstreamSchema, s0), d1,
                         b.patch(3, s1, s2, "never-received!!")});
        const Run& run = onlyRun(store);
        QCOMPARE(countIssues(run, IssueKind::UnknownBaseCheckpoint), 1); // once per id
        QCOMPARE(run.stateSteps[1].verdict, StateVerdict::Unverified);   // still applied
        QCOMPARE(run.stateSteps[2].verdict, StateVerdict::Verified);
        QCOMPARE(countIssues(run, IssueKind::Healed), 1);
        QVERIFY(!run.corrupted);
        QVERIFY(store.stateAt(run, 1).corrupted);
        NEXUS_COMPARE_JSON(*run.current, s2);
    }

    void noBaseStateAndJoinedMidRun()
    {
        StreamBuilder b("mid-run");
        RunStore store;
        applyAll(store, {b.event(ds::EVENT_TYPE_NODE_START, "a", 40),
                         b.patch(41, json{{"a", 1}}, json{{"a", 2}}),
                         b.event(ds::EVENT_TYPE_NODE_END, "a", 42, {}, 10)});
        const Run& run = onlyRun(store);
        QVERIFY(!run.sawGraphStart);
        QCOMPARE(run.graphProblem, std::string("joined mid-run: no GRAPH_START seen"));
        QCOMPARE(countIssues(run, IssueKind::NoBaseState), 1);
        QCOMPARE(run.stateSteps[0].verdict, StateVerdict::Skipped);
        QVERIFY(!store.stateAt(run, 2).state);
        QCOMPARE(run.spans.size(), std::size_t(1));
        QCOMPARE(run.nodesDone, 1);
    }

    void statusStaleErrorAndNewRuns()
    {
        StreamBuilder b("status");
        RunStore store;
        applyAll(store,
                 {b.event(ds::EVENT_TYPE_GRAPH_START, "", 1),
                  b.event(ds::EVENT_TYPE_NODE_START, "a", 2),
                  b.event(ds::EVENT_TYPE_NODE_ERROR, "a", 3, {{"error", "model overloaded"}})},
                 kWallUs);
        const Run& run = onlyRun(store);
        QCOMPARE(run.failedNode, std::string("a"));
        QCOMPARE(run.spans[0].state, NodeState::Error);
        QCOMPARE(run.spans[0].error, std::string("model overloaded"));
        QCOMPARE(run.status, RunStatus::Running);
        QVERIFY(store.expire(kWallUs + 29'000'000).updated.empty());
        const ApplyResult expired = store.expire(kWallUs + 31'000'000);
        QCOMPARE(expired.updated, std::vector<std::uint64_t>{run.id});
        QCOMPARE(run.status, RunStatus::Stale);
        // A message revives it; a FATAL Error ends it.
        applyAll(store, {b.event(ds::EVENT_TYPE_NODE_PROGRESS, "a", 1)}, kWallUs + 40'000'000);
        QCOMPARE(run.status, RunStatus::Running);
        applyAll(store, {b.error(4, "node_failed", "boom", ds::Error::SEVERITY_FATAL, "a")});
        QCOMPARE(run.status, RunStatus::Error);
        QCOMPARE(run.errorText, std::string("node_failed: boom"));

        // A quiet run without errors goes stale only after the long timeout.
        StreamBuilder q("quiet");
        applyAll(store, {q.event(ds::EVENT_TYPE_GRAPH_START, "", 1)}, kWallUs);
        const Run* quiet = store.runForThread("quiet");
        QVERIFY(store.expire(kWallUs + 100'000'000).updated.empty());
        QCOMPARE(store.expire(kWallUs + 301'000'000).updated.size(), std::size_t(1));
        QCOMPARE(quiet->status, RunStatus::Stale);

        // A second GRAPH_START on a thread starts run #2 of that thread.
        const ApplyResult second = applyAll(store, {b.event(ds::EVENT_TYPE_GRAPH_START, "", 5),
                                                    b.event(ds::EVENT_TYPE_GRAPH_END, "", 6)});
        QCOMPARE(second.added.size(), std::size_t(1));
        const Run* newest = store.runForThread("status");
        QCOMPARE(newest->ordinal, 2);
        QCOMPARE(newest->status, RunStatus::Completed);
        QCOMPARE(run.status, RunStatus::Error); // the first run is kept as it was
        QCOMPARE(store.size(), std::size_t(3));
    }

    void evictionPrefersFinishedRuns()
    {
        RunStoreLimits limits;
        limits.maxRuns = 2;
        RunStore store(limits);
        StreamBuilder a("a"), b("b"), c("c");
        applyAll(store, {a.event(ds::EVENT_TYPE_GRAPH_START, "", 1),
                         b.event(ds::EVENT_TYPE_GRAPH_START, "", 1),
                         b.event(ds::EVENT_TYPE_GRAPH_END, "", 2)});
        const std::uint64_t finished = store.runForThread("b")->id;
        const ApplyResult result = applyAll(store, {c.event(ds::EVENT_TYPE_GRAPH_START, "", 1)});
        QCOMPARE(result.removed, std::vector<std::uint64_t>{finished});
        QCOMPARE(store.size(), std::size_t(2));
        QVERIFY(!store.run(finished));
        QVERIFY(store.runForThread("a") && store.runForThread("c"));
        // All running: the oldest goes.
        StreamBuilder d("d");
        const std::uint64_t oldest = store.runForThread("a")->id;
        QCOMPARE(applyAll(store, {d.event(ds::EVENT_TYPE_GRAPH_START, "", 1)}).removed,
                 std::vector<std::uint64_t>{oldest});
    }

    void stepCapKeepsSummaryAndState()
    {
        RunStoreLimits limits;
        limits.maxStepsPerRun = 4;
        RunStore store(limits);
        StreamBuilder b("cap");
        const json s0 = {{"n", 0}}, s1 = {{"n", 1}};
        applyAll(store, {b.graphStart(1, kUpstreamSchema, s0),
                         b.event(ds::EVENT_TYPE_NODE_START, "router", 2), b.stateDiff(3, s0, s1),
                         b.event(ds::EVENT_TYPE_NODE_END, "router", 4, {}, 5),
                         b.stateDiff(5, s1, s1), b.event(ds::EVENT_TYPE_GRAPH_END, "", 6, {}, 9)});
        const Run& run = onlyRun(store);
        QCOMPARE(run.steps.size(), std::size_t(4));
        QCOMPARE(run.droppedSteps, std::uint64_t(2));
        QCOMPARE(run.evictedSteps, std::uint64_t(0));
        QCOMPARE(countIssues(run, IssueKind::StepCapReached), 1);
        QCOMPARE(run.status, RunStatus::Completed);
        QCOMPARE(run.nodesDone, 1);
        NEXUS_COMPARE_JSON(*run.current, s1);
        NEXUS_COMPARE_JSON(*store.stateAt(run, 3).state, s1);
    }

    void changesAtReportsLeafPaths()
    {
        StreamBuilder b("changes");
        const json s0 = {{"a", 1}, {"gone", true}, {"list", {1, 2}}, {"o", {{"k/x", "v"}}}};
        const json s1 = {{"a", 2}, {"list", {1, 2, 3, 4}}, {"o", {{"k/x", "w"}}}, {"new", nullptr}};
        RunStore store;
        applyAll(store, {b.graphStart(1, kUpstreamSchema, s0), b.stateDiff(2, s0, s1),
                         b.event(ds::EVENT_TYPE_NODE_END, "router", 3)});
        const Run& run = onlyRun(store);
        std::map<std::string, PathChange> byPath;
        for (const PathChange& c : store.changesAt(run, 2)) // at the NODE_END: its StateDiff
            byPath[c.path] = c;
        QCOMPARE(byPath.size(), std::size_t(6));
        QCOMPARE(byPath.at("/a").kind, ChangeKind::Changed);
        NEXUS_COMPARE_JSON(byPath.at("/a").before, 1);
        NEXUS_COMPARE_JSON(byPath.at("/a").after, 2);
        QCOMPARE(byPath.at("/gone").kind, ChangeKind::Removed);
        NEXUS_COMPARE_JSON(byPath.at("/gone").before, true);
        QCOMPARE(byPath.at("/list/2").kind, ChangeKind::Added);
        NEXUS_COMPARE_JSON(byPath.at("/list/3").after, 4);
        QCOMPARE(byPath.at("/o/k~1x").kind, ChangeKind::Changed);
        QCOMPARE(byPath.at("/new").kind, ChangeKind::Added);
        // The initial state: everything was added.
        QCOMPARE(store.changesAt(run, 0).size(), std::size_t(4));
    }

    void schemaHistoryAndChanges()
    {
        RunStore store;
        StreamBuilder a("s1"), b("s2"), c("s3");
        applyAll(store, {a.graphStart(1, kUpstreamSchema, json::object())});
        json changed = json::parse(kUpstreamSchema);
        changed["nodes"].push_back({{"name", "extra"}, {"node_type", "transform"}});
        changed["edges"].push_back({{"from", "router"},
                                    {"to", "extra"},
                                    {"edge_type", "conditional"},
                                    {"label", "other"}});
        const ApplyResult same =
            applyAll(store, {b.graphStart(1, kUpstreamSchema, json::object())});
        QVERIFY(same.schemaChanges.empty());
        const ApplyResult result =
            applyAll(store, {c.graphStart(1, changed.dump(), json::object())});
        QCOMPARE(result.schemaChanges, std::vector<std::string>{"qa_agent"});
        const auto& history = store.schemaHistory().at("qa_agent");
        QCOMPARE(history.size(), std::size_t(2));
        QCOMPARE(history[0].runs, std::uint64_t(2));
        QCOMPARE(history[1].runs, std::uint64_t(1));
        QVERIFY(history[1].graph && history[1].graph->findNode("extra"));
        QCOMPARE(history[0].schemaId, runtime::schemaId(*history[0].graph));
    }

    void oversizeSchemaAndBadInitialState()
    {
        RunStoreLimits limits;
        limits.maxSchemaBytes = 100;
        RunStore store(limits);
        StreamBuilder b("limits");
        auto start = b.event(ds::EVENT_TYPE_GRAPH_START, "", 1,
                             {{"graph_schema_json", kUpstreamSchema},
                              {"initial_state_json", "{\"a\": "},
                              {"graph_name", "named"}});
        applyAll(store, {start});
        const Run& run = onlyRun(store);
        QVERIFY(!run.graph);
        QVERIFY2(run.graphProblem.find("over the 100-byte limit") != std::string::npos,
                 run.graphProblem.c_str());
        QCOMPARE(run.graphName, std::string("named"));
        QCOMPARE(countIssues(run, IssueKind::InvalidState), 1);
        QVERIFY(!run.current);
    }

    // 100,000 steps: StateDiffs changing a counter and one list item each.
    void timeTravelOnALongRun()
    {
        constexpr int kSteps = 100'000;
        const json initial = {{"counter", 0},
                              {"items", json::array({0, 0, 0, 0, 0, 0, 0, 0, 0, 0})}};
        StreamBuilder b("long-run");
        std::vector<ds::DashStreamMessage> messages;
        messages.reserve(kSteps);
        messages.push_back(b.graphStart(1, kUpstreamSchema, initial));
        json state = initial;
        for (int i = 1; i < kSteps; ++i) {
            ds::DashStreamMessage m;
            ds::StateDiff* d = m.mutable_state_diff();
            *d->mutable_header() = b.header(std::uint64_t(i) + 1, ds::MESSAGE_TYPE_STATE_DIFF);
            for (const auto& [path, value] : {std::pair<std::string, int>{"/counter", i},
                                              {"/items/" + std::to_string(i % 10), i}}) {
                ds::DiffOperation* op = d->add_operations();
                op->set_op(ds::DiffOperation::OP_TYPE_REPLACE);
                op->set_path(path);
                op->set_value(std::to_string(value));
            }
            state["counter"] = i;
            state["items"][std::size_t(i % 10)] = i;
            d->set_state_hash(protocol::stateHashBytes(state));
            messages.push_back(std::move(m));
        }
        RunStore store;
        QElapsedTimer applyClock;
        applyClock.start();
        applyAll(store, messages);
        const double applyMs = double(applyClock.nsecsElapsed()) / 1e6;
        const Run& run = onlyRun(store);
        QCOMPARE(run.steps.size(), std::size_t(kSteps));
        QVERIFY2(run.issues.empty(), issuesText(run).c_str());
        QVERIFY(run.snapshots.size() <= std::size_t(kSteps / 64 + 2));
        auto expected = [&](int step) {
            json s = initial;
            s["counter"] = step;
            for (int j = 0; j < 10; ++j) {
                const int k =
                    step - ((step - j) % 10 + 10) % 10; // newest k <= step with k % 10 == j
                s["items"][std::size_t(j)] = k >= 1 ? k : 0;
            }
            return s;
        };
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> pick(0, kSteps - 1);
        std::vector<int> steps = {0, 1, 63, 64, 65, kSteps - 2, kSteps - 1};
        for (int i = 0; i < 300; ++i)
            steps.push_back(pick(rng));
        for (const int step : steps) {
            const StateAt at = store.stateAt(run, std::uint32_t(step));
            QVERIFY(at.state);
            QCOMPARE(at.stateStep, std::uint32_t(step));
            QCOMPARE(at.verdict, step == 0 ? StateVerdict::Unverified : StateVerdict::Verified);
            QVERIFY(!at.corrupted);
            NEXUS_COMPARE_JSON(*at.state, expected(step));
        }
        // Figures for docs/PERFORMANCE.md (printed, never asserted).
        double worstMs = 0, totalMs = 0;
        for (const int step : steps) {
            QElapsedTimer clock;
            clock.start();
            const StateAt at = store.stateAt(run, std::uint32_t(step));
            const double ms = double(clock.nsecsElapsed()) / 1e6;
            QVERIFY(at.state);
            worstMs = std::max(worstMs, ms);
            totalMs += ms;
        }
        qInfo("100,000-step run: apply %.0f ms (%.0f StateDiffs/s with hash checks); stateAt "
              "mean %.3f ms, worst %.3f ms over %zu steps",
              applyMs, kSteps / (applyMs / 1000.0), totalMs / double(steps.size()), worstMs,
              steps.size());
        const auto changes = store.changesAt(run, 12345);
        QCOMPARE(changes.size(), std::size_t(2));
    }

private:
    void checkSampleRun(const RunStore& store, const SampleRun& sample, bool checkpoints)
    {
        const Run& run = onlyRun(store);
        QVERIFY2(run.issues.empty(), issuesText(run).c_str());
        QVERIFY(!run.corrupted);
        QCOMPARE(run.status, RunStatus::Completed);
        QCOMPARE(run.threadId, sample.threadId);
        QCOMPARE(run.instanceId, std::string("sim-007"));
        QCOMPARE(run.graphName, sample.graph.name);
        QVERIFY(run.graph);
        QCOMPARE(run.schemaId, runtime::schemaId(sample.graph));
        QCOMPARE(run.schemaId, runtime::schemaId(*run.graph));
        QCOMPARE(run.steps.size(), sample.messages.size());
        QCOMPARE(run.durationUs, sample.result.durationUs);

        // State at every state step equals the runtime's own.
        std::size_t diff = 0;
        int checkpointSteps = 0;
        for (const StateStep& s : run.stateSteps) {
            const StateAt at = store.stateAt(run, s.step);
            QVERIFY(at.state);
            switch (s.source) {
            case StateSource::Initial:
                QCOMPARE(s.verdict, StateVerdict::Unverified);
                NEXUS_COMPARE_JSON(*at.state, sample.initial);
                break;
            case StateSource::Checkpoint:
                ++checkpointSteps;
                QCOMPARE(s.verdict, StateVerdict::Verified);
                NEXUS_COMPARE_JSON(*at.state, sample.diffStates.at(diff - 1));
                break;
            default:
                QCOMPARE(s.verdict, StateVerdict::Verified);
                QVERIFY(diff < sample.diffStates.size());
                NEXUS_COMPARE_JSON(*at.state, sample.diffStates[diff]);
                ++diff;
            }
        }
        QCOMPARE(diff, sample.diffStates.size());
        QCOMPARE(checkpointSteps > 0, checkpoints);
        NEXUS_COMPARE_JSON(*run.current, sample.result.state);

        // Spans: the nodes the runtime ran, in order, with NODE_END's durations.
        QCOMPARE(run.spans.size(), sample.started.size());
        QCOMPARE(run.nodesDone, sample.finished);
        bool parallel = false;
        for (std::size_t i = 0; i < run.spans.size(); ++i) {
            const NodeSpan& span = run.spans[i];
            QCOMPARE(span.node, sample.started[i]);
            QCOMPARE(span.state, NodeState::Done);
            QCOMPARE(span.durationUs, sample.durations.at({span.node, span.visit}));
            parallel = parallel || span.lane > 0;
        }
        QCOMPARE(parallel, sample.graph.name == "research_team");
        const auto finalStates = run.nodeStatesAt(std::uint32_t(run.steps.size() - 1));
        for (const NodeSpan& span : run.spans)
            QCOMPARE(finalStates.at(span.node), NodeState::Done);

        // Taken edges as the runtime took them, sent (not inferred).
        QCOMPARE(run.edges.size(), sample.edges.size());
        for (std::size_t i = 0; i < run.edges.size(); ++i) {
            QCOMPARE(run.edges[i].from, sample.edges[i].first);
            QCOMPARE(run.edges[i].to, sample.edges[i].second);
            QVERIFY(!run.edges[i].inferred);
            QCOMPARE(run.edges[i].conditional, !run.edges[i].conditionResult.empty());
        }

        // Totals: node Metrics, chunk stats not counted twice.
        const auto& totals = sample.result.totals;
        QCOMPARE(run.tokens, totals.promptTokens + totals.completionTokens);
        QVERIFY(std::abs(run.costUsd - totals.costUsd) < 1e-9);
        std::int64_t spanTokens = 0;
        for (const NodeSpan& span : run.spans)
            spanTokens += span.promptTokens + span.completionTokens;
        QCOMPARE(spanTokens, run.tokens);
        QCOMPARE(store.schemaHistory().at(run.graphName).size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "tst_run_store.moc"
