#pragma once
// Helpers of the replay and fork tests: sample graphs, seeded recorded runs
// (as messages and as .dstrace files) and the executor's own checkpoints,
// which are an oracle independent of the replay code.

#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/TelemetryEmitter.h"
#include "runtime/TelemetrySink.h"

#include "TestSupport.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace replaytest {

using nexus::runtime::Graph;
using json = nlohmann::json;

inline const std::vector<std::string>& sampleNames()
{
    static const std::vector<std::string> names = {"coding_agent", "rag_pipeline", "research_team",
                                                   "support_triage"};
    return names;
}

inline std::string samplePath(const std::string& name)
{
    return std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" + name + ".json";
}

inline json sampleJson(const std::string& name)
{
    std::ifstream in(samplePath(name));
    return json::parse(in);
}

inline Graph graphFrom(const json& document)
{
    auto loaded = nexus::runtime::loadGraph(document);
    if (!loaded)
        qFatal("test graph does not load: %s", loaded.error().message.c_str());
    return loaded->graph;
}

inline Graph sample(const std::string& name)
{
    return graphFrom(sampleJson(name));
}

// A seeded run recorded as `nexusctl run` records it (interrupts resumed
// with their auto_resume update).
struct RecordedRun
{
    std::vector<nexus::protocol::ds::DashStreamMessage> messages;
    nexus::runtime::RunResult result;
    std::vector<nexus::runtime::Checkpoint> checkpoints; // the executor's, one per super-step
    std::string threadId;
};

inline RecordedRun record(const Graph& graph, std::uint64_t seed, const std::string& threadId = {})
{
    nexus::runtime::MemorySink sink;
    nexus::runtime::TelemetryEmitter emitter(sink);
    nexus::runtime::RunOptions options;
    options.seed = seed;
    options.threadId = threadId;
    nexus::runtime::Executor executor(graph, options, &emitter);
    auto result = executor.start();
    while (result.status == nexus::runtime::RunStatus::Interrupted)
        result = executor.resume(result.interrupt->autoResume);
    RecordedRun run{sink.messages(), result, executor.checkpoints().list(executor.threadId()),
                    executor.threadId()};
    return run;
}

// The messages as a .dstrace file.
inline void writeDstrace(const std::vector<nexus::protocol::ds::DashStreamMessage>& messages,
                         const std::string& path)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    nexus::runtime::DstraceSink sink(out);
    for (const auto& message : messages)
        if (!sink.publish(message))
            qFatal("cannot write %s", path.c_str());
    if (!sink.flush())
        qFatal("cannot flush %s", path.c_str());
}

inline std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void writeFile(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

// Byte offsets of the records of a .dstrace file (4-byte big-endian length + value).
inline std::vector<std::size_t> recordOffsets(const std::string& bytes)
{
    std::vector<std::size_t> offsets;
    for (std::size_t at = 0; at + 4 <= bytes.size();) {
        offsets.push_back(at);
        const auto b = [&](std::size_t i) { return std::size_t(std::uint8_t(bytes[at + i])); };
        at += 4 + (b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3));
    }
    return offsets;
}

// The first seed whose run of `graph` satisfies `wanted`.
template <class Predicate>
RecordedRun firstRun(const Graph& graph, Predicate wanted, std::uint64_t from = 1)
{
    for (std::uint64_t seed = from; seed < from + 200; ++seed) {
        RecordedRun run = record(graph, seed);
        if (wanted(run))
            return run;
    }
    qFatal("no seed gives the wanted run");
}

// The messages with one bit of the `step`-th node's state hash flipped.
inline std::vector<nexus::protocol::ds::DashStreamMessage>
withBadHash(std::vector<nexus::protocol::ds::DashStreamMessage> messages, int step)
{
    int started = 0;
    for (auto& message : messages) {
        if (message.has_event() &&
            message.event().event_type() == nexus::protocol::ds::EVENT_TYPE_NODE_START)
            ++started;
        if (started == step && message.has_state_diff() &&
            !message.state_diff().state_hash().empty()) {
            std::string hash = message.state_diff().state_hash();
            hash[0] = char(std::uint8_t(hash[0]) ^ 0x01);
            message.mutable_state_diff()->set_state_hash(hash);
            return messages;
        }
    }
    throw std::logic_error("no state hash for step " + std::to_string(step));
}

} // namespace replaytest
