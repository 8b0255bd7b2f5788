// Replay with hash verification (DESIGN.md §6: 10,000 node steps ≤ 100 ms).
// A recorded run of 10,000 node executions (a think/act loop,
// tests/unit/runtime/LoopGraph.h, ~1.5 KB of state) is read back from its DashStream messages and
// replayed against its graph file: every step's state is rebuilt, hashed
// (canonical JSON + SHA-256) and compared, and every route is checked.

#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/Recording.h"
#include "runtime/Replay.h"
#include "runtime/TelemetryEmitter.h"
#include "runtime/TelemetrySink.h"

#include "../unit/runtime/LoopGraph.h"
#include "BenchSupport.h"

#include <QTest>

#include <nlohmann/json.hpp>

using namespace nexus;
using namespace nexus::bench;
using json = nlohmann::json;

namespace {

using replaytest::loopGraph;

struct Recorded
{
    runtime::Graph graph;
    std::vector<ds::DashStreamMessage> messages;
};

const Recorded& recorded()
{
    static const Recorded r = [] {
        Recorded out;
        const int steps = int(scaled(10'000, 1'000));
        auto loaded = runtime::loadGraph(loopGraph(steps));
        if (!loaded)
            qFatal("bench graph does not load: %s", loaded.error().message.c_str());
        out.graph = loaded->graph;
        runtime::MemorySink sink;
        runtime::TelemetryEmitter emitter(sink);
        runtime::RunOptions options;
        options.seed = 7;
        runtime::Executor executor(out.graph, options, &emitter);
        const runtime::RunResult result = executor.start();
        if (result.status != runtime::RunStatus::Completed)
            qFatal("bench run did not complete: %s", runtime::runStatusName(result.status));
        out.messages = sink.messages();
        return out;
    }();
    return r;
}

} // namespace

class BenchReplay : public QObject
{
    Q_OBJECT

private slots:
    void replayWithHashVerification()
    {
        const Recorded& r = recorded();
        Figure read{"replay.read_recording.ms", "ms", {}, {}, "DashStream messages -> Recording"};
        Figure replay{"replay.10k_steps.ms",
                      "ms",
                      {},
                      {100, Better::Lower, "<= 100 ms for 10,000 node steps"},
                      ""};
        std::size_t steps = 0;
        for (int rep = 0; rep < repetitions(); ++rep) {
            double start = nowSeconds();
            runtime::Recording recording = runtime::readRecording(r.messages);
            read.samples.push_back((nowSeconds() - start) * 1000);
            start = nowSeconds();
            runtime::ReplaySession session(std::move(recording), r.graph);
            replay.samples.push_back((nowSeconds() - start) * 1000);

            // The replay really verified every step and agreed with the graph.
            const runtime::ReplayReport& report = session.report();
            QVERIFY2(report.ok(), "the recorded run must replay cleanly");
            QCOMPARE(report.hashes.mismatched, std::size_t(0));
            QCOMPARE(report.hashes.verified, report.steps);
            steps = report.steps;
        }
        QCOMPARE(steps, scaled(10'000, 1'000));
        replay.note = std::to_string(steps) + " steps, every state hash verified, routes checked";
        report(read);
        report(replay);
    }
};

QTEST_GUILESS_MAIN(BenchReplay)
#include "bench_replay.moc"
