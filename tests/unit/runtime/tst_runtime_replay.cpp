// Replay of recorded runs: every sample graph's seeded run replays with
// every hash verified and no divergence; a modified graph diverges at the
// step whose routing differs; the debugger's navigation stops where it
// should; damaged files open with a clear error and keep what is readable.
#include "runtime/Recording.h"
#include "runtime/Replay.h"

#include "ReplaySupport.h"

#include <QTemporaryDir>

using namespace nexus::runtime;
using namespace replaytest;

namespace {

// The nodes of each super-step, sorted (branches end in any order).
std::vector<std::vector<std::string>> superSteps(const ReplaySession& session)
{
    std::vector<std::vector<std::string>> out;
    std::int64_t current = -1;
    for (const ReplayStep& step : session.steps()) {
        if (step.superStep != current)
            out.emplace_back();
        current = step.superStep;
        out.back().push_back(step.node);
    }
    for (auto& nodes : out)
        std::sort(nodes.begin(), nodes.end());
    return out;
}

std::vector<std::vector<std::string>> superSteps(const std::vector<Checkpoint>& checkpoints)
{
    std::vector<std::vector<std::string>> out;
    for (const Checkpoint& checkpoint : checkpoints) {
        out.push_back(checkpoint.nodes);
        std::sort(out.back().begin(), out.back().end());
    }
    return out;
}

std::string reportText(const ReplaySession& session)
{
    return replayReportJson(session).dump(1);
}

// The 1-based positions where `node` is the path's p-th node (a "before" stop).
std::vector<std::size_t> positionsBefore(const std::vector<std::string>& path,
                                         const std::string& node)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < path.size(); ++i)
        if (path[i] == node)
            out.push_back(i);
    return out;
}

// Events lose our "to" attribute, as DashFlow sends them.
std::vector<ds::DashStreamMessage> withoutTargets(std::vector<ds::DashStreamMessage> messages)
{
    for (auto& message : messages)
        if (message.has_event())
            message.mutable_event()->mutable_attributes()->erase("to");
    return messages;
}

json renamed(json document, const std::string& from, const std::string& to)
{
    for (json& node : document["nodes"])
        if (node["name"] == from)
            node["name"] = to;
    for (json& edge : document["edges"]) {
        if (edge.value("from", "") == from)
            edge["from"] = to;
        if (edge.value("to", "") == from)
            edge["to"] = to;
        if (edge.contains("routes"))
            for (json& route : edge["routes"])
                if (route["to"] == from)
                    route["to"] = to;
    }
    return document;
}

} // namespace

class TestRuntimeReplay : public QObject
{
    Q_OBJECT
private slots:
    void everySampleRunReplaysVerifiedWithoutDivergence()
    {
        QTemporaryDir dir;
        for (const std::string& name : sampleNames()) {
            const Graph graph = sample(name);
            for (std::uint64_t seed = 1; seed <= 6; ++seed) {
                const RecordedRun run = record(graph, seed);
                const std::string path =
                    dir.filePath(QString::fromStdString(name + ".dstrace")).toStdString();
                writeDstrace(run.messages, path);
                auto recording = readRecordingFile(path);
                QVERIFY2(recording, name.c_str());
                QCOMPARE(recording->threadId, run.threadId);
                QVERIFY(recording->problems.empty());
                QCOMPARE(recording->schemaId, schemaId(graph));

                ReplaySession session(*recording, graph);
                const ReplayReport& report = session.report();
                const std::string context =
                    name + " seed " + std::to_string(seed) + "\n" + reportText(session);
                QVERIFY2(report.ok(), context.c_str());
                QVERIFY2(report.divergences.empty(), context.c_str());
                const bool failed = run.result.status == RunStatus::Failed;
                if (!failed)
                    QCOMPARE(superSteps(session), superSteps(run.checkpoints));
                for (const ReplayStep& step : session.steps()) {
                    // A node that failed (or never ended) sent no StateDiff.
                    const bool sentDiff = recording->executions[step.step - 1].hasStateDiff;
                    QVERIFY2(step.hash ==
                                 (sentDiff ? StepVerdict::Verified : StepVerdict::Unverified),
                             context.c_str());
                    if (!failed)
                        QVERIFY2(step.route == RouteVerdict::Agrees, context.c_str());
                }
                QCOMPARE(report.hashes.mismatched, std::size_t(0));
                // The replayed state after every super-step is the executor's own checkpoint.
                std::size_t checkpoint = 0;
                for (std::size_t p = 1; p <= session.size() && checkpoint < run.checkpoints.size();
                     ++p)
                    if (session.isStepBoundary(p) && !recording->executions[p - 1].failed)
                        NEXUS_COMPARE_JSON(*session.stateAt(p),
                                           run.checkpoints[checkpoint++].state);
                QCOMPARE(checkpoint, run.checkpoints.size());
                if (run.result.status == RunStatus::Completed) {
                    QCOMPARE(recording->status, RecordingStatus::Completed);
                    NEXUS_COMPARE_JSON(*session.finalState(), run.result.state);
                    QCOMPARE(report.finalHash, StepVerdict::Verified);
                }
            }
        }
    }

    void theRecordingsOwnGraphChecksWhatItCan()
    {
        // GRAPH_START's graph has no conditions: conditional steps cannot be
        // checked, direct and parallel ones can, and nothing diverges.
        for (const std::string& name : sampleNames()) {
            const RecordedRun run = record(sample(name), 3);
            ReplaySession session(readRecording(run.messages));
            QVERIFY(session.graph());
            QVERIFY2(session.report().divergences.empty(), reportText(session).c_str());
            QVERIFY2(session.report().ok(), reportText(session).c_str());
            for (const ReplayStep& step : session.steps()) {
                const auto out = session.graph()->outgoing(step.node);
                const bool conditional = !out.empty() && out.front()->kind == EdgeKind::Conditional;
                if (step.route == RouteVerdict::NotApplicable)
                    continue;
                QCOMPARE(step.route,
                         conditional ? RouteVerdict::CannotCheck : RouteVerdict::Agrees);
            }
        }
    }

    void aChangedConditionDivergesAtTheStepThatRoutesDifferently()
    {
        const Graph graph = sample("support_triage");
        const RecordedRun run = firstRun(graph, [](const RecordedRun& r) {
            return r.result.path.size() > 1 && r.result.path[1] == "billing_specialist";
        });
        json modified = sampleJson("support_triage");
        modified["edges"][0]["routes"][0]["when"]["value"] = "refund"; // billing no longer matches
        for (const auto& messages : {run.messages, withoutTargets(run.messages)}) {
            ReplaySession session(readRecording(messages), graphFrom(modified));
            const ReplayReport& report = session.report();
            QVERIFY(!report.ok());
            QCOMPARE(report.hashes.verified,
                     session.size()); // the states are still the recorded ones
            QCOMPARE(report.divergences.size(), std::size_t(1));
            const Divergence& d = report.divergences.front();
            QCOMPARE(d.step, std::size_t(1));
            QCOMPARE(d.node, std::string("classify"));
            QCOMPARE(d.kind, DivergenceKind::Route);
            QCOMPARE(d.recordedNext, std::vector<std::string>{"billing_specialist"});
            QCOMPARE(d.expectedNext, std::vector<std::string>{"general_agent"}); // the default
            QCOMPARE(session.steps()[0].route, RouteVerdict::Diverges);
            const StopInfo stop = session.continueForward();
            QCOMPARE(stop.reason, StopReason::Divergence);
            QCOMPARE(stop.position, std::size_t(1));
        }
    }

    void aRenamedNodeDivergesWhereTheRunGoesToIt()
    {
        const Graph graph = sample("rag_pipeline");
        const RecordedRun run = firstRun(graph, [](const RecordedRun& r) {
            return r.result.status == RunStatus::Completed && r.result.path.size() > 3;
        });
        const auto generate = positionsBefore(run.result.path, "generate");
        QCOMPARE(generate.size(), std::size_t(1));
        ReplaySession session(readRecording(run.messages),
                              graphFrom(renamed(sampleJson("rag_pipeline"), "generate", "answer")));
        const auto& divergences = session.report().divergences;
        QCOMPARE(divergences.size(), std::size_t(2));
        // The grade before "generate" routes to "answer" in the new graph ...
        QCOMPARE(divergences[0].step, generate.front());
        QCOMPARE(divergences[0].node, std::string("grade"));
        QCOMPARE(divergences[0].kind, DivergenceKind::Route);
        QCOMPARE(divergences[0].expectedNext, std::vector<std::string>{"answer"});
        QCOMPARE(divergences[0].recordedNext, std::vector<std::string>{"generate"});
        // ... and the graph does not know the node the run went to.
        QCOMPARE(divergences[1].step, generate.front() + 1);
        QCOMPARE(divergences[1].kind, DivergenceKind::UnknownNode);
        QCOMPARE(session.report().firstDivergence()->step, generate.front());
    }

    void navigationAndBreakpointsStopWhereExpected()
    {
        const Graph graph = sample("rag_pipeline");
        const RecordedRun run = firstRun(graph, [](const RecordedRun& r) {
            return r.result.status == RunStatus::Completed &&
                   std::count(r.result.path.begin(), r.result.path.end(), "retrieve") >= 3;
        });
        const auto& path = run.result.path;
        ReplaySession session(readRecording(run.messages), graph);
        QCOMPARE(session.size(), path.size());
        NEXUS_COMPARE_JSON(*session.stateAt(0), graph.initialState);
        for (std::size_t p = 1; p <= path.size(); ++p)
            NEXUS_COMPARE_JSON(*session.stateAt(p), run.checkpoints[p - 1].state);

        QCOMPARE(session.stepBack().reason, StopReason::Start);
        QCOMPARE(session.step().position, std::size_t(1));
        QCOMPARE(session.lastStep()->node, path[0]);
        QCOMPARE(session.nextStep()->node, path[1]);

        // Before "grade": every position where grade is about to run.
        const int before = session.addBreakpointBefore("grade");
        session.seek(0);
        for (const std::size_t expected : positionsBefore(path, "grade")) {
            const StopInfo stop = session.continueForward();
            QCOMPARE(stop.reason, StopReason::Breakpoint);
            QCOMPARE(stop.position, expected);
            QCOMPARE(stop.breakpoints, std::vector<int>{before});
            QCOMPARE(session.nextStep()->node, std::string("grade"));
        }
        QCOMPARE(session.continueForward().reason, StopReason::End);
        QVERIFY(session.setBreakpointEnabled(before, false));
        session.seek(0);
        QCOMPARE(session.continueForward().reason, StopReason::End);
        QVERIFY(session.removeBreakpoint(before));
        QVERIFY(!session.removeBreakpoint(before));

        // After "rewrite_query": right after each rewrite.
        const int after = session.addBreakpointAfter("rewrite_query");
        session.seek(0);
        for (const std::size_t expected : positionsBefore(path, "rewrite_query")) {
            const StopInfo stop = session.continueForward();
            QCOMPARE(stop.position, expected + 1);
            QCOMPARE(session.lastStep()->node, std::string("rewrite_query"));
        }
        session.removeBreakpoint(after);

        // A state condition: the first position where attempts reached 2.
        QVERIFY(!session.addBreakpointWhen(json{{"path", "/attempts"}, {"op", "~"}}));
        auto when =
            session.addBreakpointWhen(json{{"path", "/attempts"}, {"op", ">="}, {"value", 2}});
        QVERIFY(when);
        std::size_t firstTwo = 0;
        for (std::size_t p = 1; p <= path.size() && !firstTwo; ++p)
            if (run.checkpoints[p - 1].state["attempts"].get<int>() >= 2)
                firstTwo = p;
        session.seek(0);
        StopInfo stop = session.continueForward();
        QCOMPARE(stop.reason, StopReason::Breakpoint);
        QCOMPARE(stop.position, firstTwo);
        QCOMPARE(session.state()->at("attempts").get<int>(), 2);
        // Step back: the state before it, as the executor had it.
        QCOMPARE(session.stepBack().position, firstTwo - 1);
        NEXUS_COMPARE_JSON(*session.state(), run.checkpoints[firstTwo - 2].state);
        session.removeBreakpoint(*when);

        // Run to cursor: straight there without breakpoints, early with one on the way.
        QCOMPARE(session.runTo(path.size() - 1).reason, StopReason::Reached);
        QCOMPARE(session.position(), path.size() - 1);
        QCOMPARE(session.runTo(2).position, std::size_t(2)); // backwards: a jump
        session.addBreakpointBefore("generate");
        stop = session.runTo(path.size());
        QCOMPARE(stop.reason, StopReason::Breakpoint);
        QCOMPARE(stop.position, positionsBefore(path, "generate").front());
        QCOMPARE(session.step().reason, StopReason::End);
        QCOMPARE(session.step().reason, StopReason::End);
        QCOMPARE(session.position(), path.size());
    }

    void parallelBranchesShareASuperStep()
    {
        const Graph graph = sample("research_team");
        const RecordedRun run = record(graph, 1);
        ReplaySession session(readRecording(run.messages), graph);
        const auto& steps = session.steps();
        QCOMPARE(steps[0].node, std::string("plan"));
        QCOMPARE(steps[1].superStep, steps[2].superStep);
        QCOMPARE(steps[2].superStep, steps[3].superStep);
        QVERIFY(session.isStepBoundary(0));
        QVERIFY(session.isStepBoundary(1));
        QVERIFY(!session.isStepBoundary(2));
        QVERIFY(!session.isStepBoundary(3));
        QVERIFY(session.isStepBoundary(4));
        // Every branch ran on the fan-out state.
        NEXUS_COMPARE_JSON(*steps[2].stateBefore, *steps[0].stateAfter);
        NEXUS_COMPARE_JSON(*steps[3].stateBefore, *steps[0].stateAfter);
        NEXUS_COMPARE_JSON(*session.stateAt(4), run.checkpoints[1].state);
    }

    void aTruncatedFileKeepsItsReadablePart()
    {
        QTemporaryDir dir;
        const Graph graph = sample("coding_agent");
        const RecordedRun run = record(graph, 2);
        const std::string path = dir.filePath("cut.dstrace").toStdString();
        writeDstrace(run.messages, path);
        const std::string bytes = readFile(path);
        const auto offsets = recordOffsets(bytes);
        const std::size_t cutRecord = offsets.size() * 3 / 5;
        writeFile(path, bytes.substr(0, offsets[cutRecord] + 9)); // inside record cutRecord

        auto recording = readRecordingFile(path);
        QVERIFY2(recording, recording ? "" : recording.error().message.c_str());
        QCOMPARE(recording->problems.size(), std::size_t(1));
        const RecordingProblem& problem = recording->problems.front();
        QCOMPARE(problem.code, std::string("truncated_file"));
        QCOMPARE(problem.record, std::uint64_t(cutRecord));
        QVERIFY(problem.hasOffset);
        QCOMPARE(problem.offset, std::uint64_t(offsets[cutRecord]));
        QVERIFY(problem.message.find(std::to_string(cutRecord)) != std::string::npos);
        QCOMPARE(recording->status, RecordingStatus::Incomplete);
        QCOMPARE(recording->records, std::uint64_t(cutRecord + 1));

        ReplaySession session(*recording, graph);
        QVERIFY(session.size() > 0);
        QVERIFY(session.size() < readRecording(run.messages).executions.size());
        for (const ReplayStep& step : session.steps())
            if (recording->executions[step.step - 1].hasStateDiff)
                QCOMPARE(step.hash, StepVerdict::Verified);
        QVERIFY(session.report().divergences.empty());
        QVERIFY(!session.report().ok()); // the damage is reported
    }

    void aFlippedFrameByteLosesOneRecordAndIsReported()
    {
        QTemporaryDir dir;
        const Graph graph = sample("rag_pipeline");
        const RecordedRun run = record(graph, 4);
        // The third StateDiff's record gets an impossible frame byte.
        std::size_t target = 0, diffs = 0;
        for (std::size_t i = 0; i < run.messages.size() && !target; ++i)
            if (run.messages[i].has_state_diff() && ++diffs == 3)
                target = i;
        const std::string path = dir.filePath("flip.dstrace").toStdString();
        writeDstrace(run.messages, path);
        std::string bytes = readFile(path);
        const auto offsets = recordOffsets(bytes);
        bytes[offsets[target] + 4] = char(std::uint8_t(bytes[offsets[target] + 4]) ^ 0x80);
        writeFile(path, bytes);

        auto recording = readRecordingFile(path);
        QVERIFY(recording);
        QCOMPARE(recording->badRecords, std::uint64_t(1));
        QVERIFY(!recording->problems.empty());
        const RecordingProblem& problem = recording->problems.front();
        QCOMPARE(problem.code, std::string("unknown_frame"));
        QCOMPARE(problem.record, std::uint64_t(target));
        QCOMPARE(problem.offset, std::uint64_t(offsets[target]));
        // Every node is still there; the one whose StateDiff was lost cannot be verified.
        const Recording full = readRecording(run.messages);
        QCOMPARE(recording->executions.size(), full.executions.size());
        ReplaySession session(*recording, graph);
        QCOMPARE(session.steps()[2].hash, StepVerdict::Unverified);
        QCOMPARE(session.steps()[0].hash, StepVerdict::Verified);
        QCOMPARE(session.steps()[1].hash, StepVerdict::Verified);
        QVERIFY(!session.report().ok());
    }

    void bitFlipsInStatesAreNoticedWhereTheyHappen()
    {
        // A flipped bit in a StateDiff's hash or in one of its values decodes
        // fine; replay notices it at that step.
        QTemporaryDir dir;
        const Graph graph = sample("support_triage");
        const RecordedRun run = record(graph, 5);
        const std::string path = dir.filePath("bits.dstrace").toStdString();
        writeDstrace(run.messages, path);
        const std::string clean = readFile(path);
        const auto offsets = recordOffsets(clean);
        int diffs = 0;
        for (std::size_t r = 0; r < run.messages.size(); ++r) {
            const auto& message = run.messages[r];
            if (!message.has_state_diff() || message.state_diff().operations_size() == 0)
                continue;
            ++diffs;
            const std::string record = clean.substr(
                offsets[r] + 4,
                r + 1 < offsets.size() ? offsets[r + 1] - offsets[r] - 4 : std::string::npos);
            for (const std::string& needle :
                 {message.state_diff().state_hash(), message.state_diff().operations(0).value()}) {
                const std::size_t found = record.find(needle);
                QVERIFY2(found != std::string::npos, "the record is not plain protobuf");
                std::string bytes = clean;
                const std::size_t at = offsets[r] + 4 + found + needle.size() / 2;
                bytes[at] = char(std::uint8_t(bytes[at]) ^ 0x01);
                writeFile(path, bytes);
                auto recording = readRecordingFile(path);
                QVERIFY(recording);
                QCOMPARE(recording->executions.size(), run.result.path.size());
                ReplaySession session(*recording, graph);
                QVERIFY(!session.report().ok());
                // The problem names the damaged record.
                bool named = false;
                for (const RecordingProblem& problem : recording->problems)
                    named = named || (problem.record == r && problem.offset == offsets[r]);
                QVERIFY2(named, replayReportJson(session).dump(1).c_str());
            }
        }
        QVERIFY(diffs >= 2);
    }

    void bitFlipsAnywhereNeverCrashAndKeepEveryNode()
    {
        QTemporaryDir dir;
        const Graph graph = sample("research_team");
        const RecordedRun run = record(graph, 5);
        const std::size_t nodes = readRecording(run.messages).executions.size();
        const std::string path = dir.filePath("bits.dstrace").toStdString();
        writeDstrace(run.messages, path);
        const std::string clean = readFile(path);
        const auto offsets = recordOffsets(clean);
        for (std::size_t r = 0; r < offsets.size(); ++r) {
            const std::size_t end = r + 1 < offsets.size() ? offsets[r + 1] : clean.size();
            std::string bytes = clean;
            const std::size_t at = offsets[r] + 4 + (end - offsets[r] - 4) / 2;
            bytes[at] = char(std::uint8_t(bytes[at]) ^ 0x10);
            writeFile(path, bytes);
            auto recording = readRecordingFile(path);
            QVERIFY(recording);
            // One damaged record loses at most the node it started.
            QVERIFY(recording->executions.size() + 1 >= nodes);
            ReplaySession session(*recording, graph);
            QVERIFY(!replayReportJson(session, true).empty());
        }
    }

    void anUnreadableFileIsAClearError()
    {
        QTemporaryDir dir;
        const std::string empty = dir.filePath("empty.dstrace").toStdString();
        writeFile(empty, "");
        auto none = readRecordingFile(empty);
        QVERIFY(!none);
        QVERIFY(none.error().message.find("no readable DashStream record") != std::string::npos);
        const std::string garbage = dir.filePath("garbage.dstrace").toStdString();
        writeFile(garbage, std::string("\x00\x00\x00\x05hello\x00\x00", 11));
        auto bad = readRecordingFile(garbage);
        QVERIFY(!bad);
        QVERIFY(bad.error().message.find("garbage.dstrace") != std::string::npos);
        QVERIFY(!readRecordingFile(dir.filePath("missing.dstrace").toStdString()));
    }

    void aFileWithSeveralThreadsPicksOneAndListsTheOthers()
    {
        QTemporaryDir dir;
        const Graph graph = sample("support_triage");
        const RecordedRun first = record(graph, 1, "first-run");
        const RecordedRun second = record(graph, 2, "second-run");
        auto messages = first.messages;
        messages.insert(messages.end(), second.messages.begin(), second.messages.end());
        messages.insert(messages.end(), first.messages.begin(),
                        first.messages.end()); // redelivered
        const std::string path = dir.filePath("two.dstrace").toStdString();
        writeDstrace(messages, path);

        auto byDefault = readRecordingFile(path);
        QVERIFY(byDefault);
        QCOMPARE(byDefault->threadId, std::string("first-run"));
        QCOMPARE(byDefault->otherThreads(), std::vector<std::string>{"second-run"});
        QCOMPARE(byDefault->duplicates, std::uint64_t(first.messages.size()));
        QCOMPARE(byDefault->executions.size(), first.result.path.size());

        RecordingOptions options;
        options.threadId = "second-run";
        auto chosen = readRecordingFile(path, options);
        QVERIFY(chosen);
        QCOMPARE(chosen->executions.size(), second.result.path.size());
        QVERIFY(ReplaySession(*chosen, graph).report().ok());

        options.threadId = "third-run";
        auto unknown = readRecordingFile(path, options);
        QVERIFY(!unknown);
        QVERIFY(unknown.error().message.find("third-run") != std::string::npos);
    }

    void theReportJsonCarriesStepsAndVerdicts()
    {
        const Graph graph = sample("support_triage");
        const RecordedRun run = record(graph, 1);
        ReplaySession session(readRecording(run.messages), graph, {"triage.json", true, true, {}});
        const json report = replayReportJson(session, true);
        QCOMPARE(report["ok"].get<bool>(), true);
        QCOMPARE(report["graph"]["source"].get<std::string>(), std::string("triage.json"));
        QCOMPARE(report["graph"]["schema_id_matches"].get<bool>(), true);
        QCOMPARE(report["summary"]["steps"].get<std::size_t>(), run.result.path.size());
        QCOMPARE(report["summary"]["verified"].get<std::size_t>(), run.result.path.size());
        QCOMPARE(report["steps"].size(), run.result.path.size());
        const json& step = report["steps"][0];
        QCOMPARE(step["node"].get<std::string>(), std::string("classify"));
        QCOMPARE(step["hash"].get<std::string>(), std::string("verified"));
        NEXUS_COMPARE_JSON(step["recorded_hash"], step["replayed_hash"]);
        QCOMPARE(step["recorded_hash"].get<std::string>().size(), std::size_t(64));
        QCOMPARE(step["route"].get<std::string>(), std::string("agrees"));
        QCOMPARE(step["recorded_next"][0].get<std::string>(), run.result.path[1]);
        NEXUS_COMPARE_JSON(report["final_state"], run.result.state);
    }
};

QTEST_GUILESS_MAIN(TestRuntimeReplay)
#include "tst_runtime_replay.moc"
