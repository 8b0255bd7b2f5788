#pragma once
// Real recorded runs for the trace tests (client and console): a sample
// graph executed by the embedded runtime, its telemetry framed as Kafka
// record values exactly as a DashFlow producer frames them, and the
// TraceSummary that Nexus's own RunTracker derives from those messages —
// stored in a NexusServer's store as its ingestion stores them.

#include "protocol/Framing.h"
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/TelemetryEmitter.h"
#include "runtime/TelemetrySink.h"
#include "server/ingest/RunTracker.h"
#include "server/store/Store.h"

#include <QtGlobal>

#include <chrono>
#include <string>
#include <vector>

namespace nexus::testing {

struct SeededTrace
{
    std::string threadId;
    nexus::v1::TraceSummary summary;  // as RunTracker derived it
    std::vector<std::string> records; // framed record values, in emission order
    std::vector<std::string> nodes;   // the path the run took
};

struct RunSpec
{
    std::string graph = "rag_pipeline"; // a file of resources/graphs
    std::string threadId;
    std::string instance = "sim-001";
    std::uint64_t seed = 1;
    std::int64_t startUs = 0; // 0: now
    bool fail = false;        // every node fails (with failMessage): a FAILED run
    std::string failMessage = "upstream rate limit exceeded";
};

inline std::int64_t nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline SeededTrace recordRun(const RunSpec& spec)
{
    auto loaded = runtime::loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" +
                                         spec.graph + ".json");
    if (!loaded)
        qFatal("%s", loaded.error().message.c_str());
    runtime::MemorySink sink;
    runtime::TelemetryOptions telemetry;
    telemetry.instanceLabels = {{"instance_id", spec.instance}, {"deployment", "seeded"}};
    runtime::TelemetryEmitter emitter(sink, telemetry);
    runtime::RunOptions options;
    options.seed = spec.seed;
    options.threadId = spec.threadId;
    options.startTimeUs = spec.startUs ? spec.startUs : nowUs();
    if (spec.fail) {
        options.effects.extraErrorProbability = 1.0;
        options.effects.extraErrorMessage = spec.failMessage;
    }
    runtime::Executor executor(loaded->graph, options, &emitter);
    runtime::RunResult result = executor.start();
    while (result.status == runtime::RunStatus::Interrupted)
        result = executor.resume(result.interrupt->autoResume);

    SeededTrace out;
    out.threadId = executor.threadId();
    out.nodes = result.path;
    server::RunTracker tracker;
    protocol::RecordEncoder encoder;
    for (const auto& message : sink.messages()) {
        auto record = encoder.encode(message);
        if (!record)
            qFatal("encode: %s", record.error().message.c_str());
        out.records.push_back(std::move(*record));
        tracker.apply(message, nowUs());
    }
    for (auto& summary : tracker.takeChanges().summaries)
        if (summary.thread_id() == out.threadId)
            out.summary = std::move(summary);
    if (out.summary.thread_id().empty())
        qFatal("RunTracker saw no run %s", out.threadId.c_str());
    return out;
}

inline void storeTrace(server::Store& store, const SeededTrace& trace)
{
    if (!store.upsertTraceSummary(trace.summary).ok() ||
        !store.appendTraceRecords(trace.threadId, trace.records).ok())
        qFatal("storing trace %s failed", trace.threadId.c_str());
}

} // namespace nexus::testing
