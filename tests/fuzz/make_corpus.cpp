// Writes the fuzzers' seed corpora (tests/fuzz/README.md) from real sample
// runs: each sample graph in resources/graphs runs seeded in the embedded
// runtime, recorded as `nexusctl run` records it, and its messages become
//   corpus/graph_loader  the sample graphs, the DashFlow fixtures, and each
//                        sample's export in both DashFlow shapes
//   corpus/dstrace       each run as a .dstrace file (cut to 64 KB)
//   corpus/state_patch   "<state before>\0<StateDiff bytes>" for its diffs
//   corpus/decode        one record of every message kind, as framed
// Usage: make_corpus <tests/fuzz/corpus>. Seeded, so the output is the same
// every time; files are named by content, so rerunning adds nothing twice.
#include "protocol/CanonicalJson.h"
#include "protocol/Dstrace.h"
#include "protocol/Framing.h"
#include "protocol/StateOps.h"
#include "runtime/Executor.h"
#include "runtime/GraphExport.h"
#include "runtime/GraphLoader.h"
#include "runtime/TelemetryEmitter.h"
#include "runtime/TelemetrySink.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace nexus;
namespace ds = protocol::ds;

namespace {

constexpr std::size_t kMaxFileBytes = 64 * 1024;
constexpr int kDiffsPerRun = 6;

int written = 0;

void put(const fs::path& dir, const std::string& prefix, const std::string& bytes)
{
    if (bytes.size() > kMaxFileBytes)
        return;
    std::ostringstream name;
    name << prefix << '-' << std::hex << std::setw(16) << std::setfill('0')
         << std::hash<std::string>{}(bytes);
    fs::create_directories(dir);
    std::ofstream(dir / name.str(), std::ios::binary) << bytes;
    ++written;
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<ds::DashStreamMessage> sampleRun(const runtime::Graph& graph, std::uint64_t seed)
{
    runtime::MemorySink sink;
    runtime::TelemetryEmitter emitter(sink);
    runtime::RunOptions options;
    options.seed = seed;
    runtime::Executor executor(graph, options, &emitter);
    auto result = executor.start();
    while (result.status == runtime::RunStatus::Interrupted)
        result = executor.resume(result.interrupt->autoResume);
    return sink.messages();
}

void writeRun(const fs::path& out, const std::string& name,
              const std::vector<ds::DashStreamMessage>& messages)
{
    // .dstrace: the whole run, or as many records as fit in 64 KB.
    std::ostringstream dstrace;
    protocol::DstraceWriter writer(dstrace);
    std::set<std::string> kinds;
    for (const auto& message : messages) {
        auto record = protocol::encodeRecord(message);
        if (!record)
            continue;
        if (dstrace.str().size() + 4 + record->size() > kMaxFileBytes)
            break;
        (void)writer.append(*record);
        const std::string kind(protocol::kindName(protocol::kindOf(message)));
        if (kinds.insert(kind).second) {
            put(out / "decode", name + "-" + kind, *record);
            protocol::EncodeOptions plain;
            plain.compress = false;
            if (auto uncompressed = protocol::encodeRecord(message, plain))
                put(out / "decode", name + "-" + kind, *uncompressed);
        }
    }
    put(out / "dstrace", name, dstrace.str());

    // State diffs with the state they apply to.
    json state;
    int diffs = 0;
    for (const auto& message : messages) {
        if (message.has_event()) {
            const auto& attributes = message.event().attributes();
            if (auto it = attributes.find("initial_state_json");
                it != attributes.end() && it->second.has_string_value())
                state = json::parse(it->second.string_value(), nullptr, false);
        }
        if (!message.has_state_diff() || state.is_discarded() || state.is_null())
            continue;
        const ds::StateDiff& diff = message.state_diff();
        if (diffs++ < kDiffsPerRun)
            put(out / "state_patch", name,
                protocol::canonicalJson(state) + std::string(1, '\0') + diff.SerializeAsString());
        if (!diff.full_state().empty()) {
            state = json::parse(diff.full_state(), nullptr, false);
            continue;
        }
        auto patch = protocol::stateDiffPatch(diff);
        try {
            if (patch)
                state.patch_inplace(*patch);
        } catch (const json::exception&) {
            state = nullptr;
        }
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_corpus <corpus dir, e.g. tests/fuzz/corpus>\n");
        return 2;
    }
    const fs::path out = argv[1];
    const fs::path source = NEXUS_SOURCE_DIR;
    std::vector<fs::path> graphs;
    for (const auto& dir : {source / "resources/graphs", source / "tests/data/runtime"})
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().extension() == ".json")
                graphs.push_back(entry.path());
    std::sort(graphs.begin(), graphs.end());

    for (const fs::path& path : graphs) {
        const std::string name = path.stem().string();
        const std::string text = readFile(path);
        put(out / "graph_loader", name, text);
        auto loaded = runtime::loadGraphText(text);
        if (!loaded) {
            std::fprintf(stderr, "make_corpus: %s: %s\n", path.c_str(),
                         loaded.error().message.c_str());
            return 1;
        }
        const runtime::Graph& graph = loaded->graph;
        put(out / "graph_loader", name + "-schema",
            runtime::toGraphSchemaJson(graph, "2025-01-01T00:00:00.000000Z").dump(2));
        put(out / "graph_loader", name + "-manifest", runtime::toGraphManifest(graph).dump(2));
        if (loaded->format == runtime::GraphFormat::Nexus)
            for (std::uint64_t seed : {1, 2})
                writeRun(out, name + "-seed" + std::to_string(seed), sampleRun(graph, seed));
    }
    std::printf("make_corpus: wrote %d files under %s\n", written, out.c_str());
    return 0;
}
