// Progress and cancellation of the long parts of a replay: reading a
// recording and building the session report how far they are, steadily, up
// to the whole; a callback that says stop ends the work at once, and the
// result says it was cancelled.
#include "runtime/Recording.h"
#include "runtime/Replay.h"

#include "LoopGraph.h"
#include "ReplaySupport.h"

#include <utility>
#include <vector>

using namespace nexus::runtime;
using namespace replaytest;

namespace {

constexpr int kSteps = 3000;

const RecordedRun& longRun()
{
    static const RecordedRun run = record(graphFrom(loopGraph(kSteps)), 7);
    return run;
}

using Calls = std::vector<std::pair<std::size_t, std::size_t>>;

// Every call's total is the same, done never goes back and never passes it.
bool steady(const Calls& calls)
{
    for (std::size_t i = 0; i < calls.size(); ++i) {
        if (calls[i].second != calls.front().second || calls[i].first > calls[i].second)
            return false;
        if (i && calls[i].first < calls[i - 1].first)
            return false;
    }
    return true;
}

} // namespace

class TestRuntimeReplayProgress : public QObject
{
    Q_OBJECT
private slots:
    void readingReportsProgressUpToTheWhole()
    {
        Calls calls;
        RecordingOptions options;
        options.progress = [&](std::size_t done, std::size_t total) {
            calls.emplace_back(done, total);
            return true;
        };
        const Recording recording = readRecording(longRun().messages, options);
        QVERIFY(!recording.cancelled);
        QCOMPARE(recording.executions.size(), std::size_t(kSteps));
        QVERIFY2(calls.size() > 5, "a long recording reports more than once");
        QVERIFY(steady(calls));
        QCOMPARE(calls.back().first, calls.back().second);
        QVERIFY(calls.back().second >= std::size_t(kSteps));
    }

    void stoppingTheReadingLeavesACancelledPartialRecording()
    {
        Calls calls;
        RecordingOptions options;
        options.progress = [&](std::size_t done, std::size_t total) {
            calls.emplace_back(done, total);
            return done < total / 4;
        };
        const Recording recording = readRecording(longRun().messages, options);
        QVERIFY(recording.cancelled);
        QVERIFY(recording.executions.size() < std::size_t(kSteps) / 2);
        QVERIFY2(calls.back().first < calls.back().second / 2, "stopped at the first refusal");
    }

    void buildingASessionReportsProgressAndVerifiesEverything()
    {
        Calls calls;
        ReplayOptions options;
        options.progress = [&](std::size_t done, std::size_t total) {
            calls.emplace_back(done, total);
            return true;
        };
        ReplaySession session(readRecording(longRun().messages), graphFrom(loopGraph(kSteps)),
                              options);
        QVERIFY(!session.cancelled());
        QCOMPARE(session.report().hashes.verified, std::size_t(kSteps));
        QVERIFY(session.report().ok());
        QVERIFY(steady(calls));
        QCOMPARE(calls.back(), std::make_pair(std::size_t(2 * kSteps), std::size_t(2 * kSteps)));
        QVERIFY2(calls.size() >= 2 * kSteps / kProgressEvery, "progress comes steadily");
    }

    void stoppingTheBuildCancelsTheSessionAtOnce()
    {
        Calls calls;
        ReplayOptions options;
        options.progress = [&](std::size_t done, std::size_t total) {
            calls.emplace_back(done, total);
            return done < total / 8;
        };
        ReplaySession session(readRecording(longRun().messages), graphFrom(loopGraph(kSteps)),
                              options);
        QVERIFY(session.cancelled());
        QVERIFY(calls.back().first >= calls.back().second / 8);
        QVERIFY2(calls.back().first < calls.back().second / 8 + kProgressEvery,
                 "no work after the refusal");
        QVERIFY2(!session.report().ok(), "a cancelled replay never reads as clean");
        QCOMPARE(session.report().problems.back().code, std::string("cancelled"));
    }

    void noCallbackMeansNoCancellation()
    {
        const ReplaySession session(readRecording(longRun().messages));
        QVERIFY(!session.cancelled());
        QCOMPARE(session.size(), std::size_t(kSteps));
    }
};

QTEST_GUILESS_MAIN(TestRuntimeReplayProgress)
#include "tst_runtime_replay_progress.moc"
