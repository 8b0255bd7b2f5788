// libFuzzer target: any bytes as a graph file (runtime/GraphLoader.h; all
// three formats: nexus-graph/1, graph_schema_json, graph_manifest). Loading
// must never crash or hang, a refusal must say why, and a graph that loads
// must survive the project's own export to both DashFlow shapes (what
// GRAPH_START carries) and a reload with the same schema id, the manifest
// must then be a fixed point, and the graph must render as DOT and Mermaid.
#include "runtime/GraphExport.h"
#include "runtime/GraphLoader.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

void fail(const char* what, const std::string& detail)
{
    std::fprintf(stderr, "fuzz_graph_loader: %s: %s\n", what, detail.c_str());
    std::abort();
}

void checkReload(const nexus::runtime::Graph& graph, const nlohmann::json& exported,
                 const char* shape)
{
    using namespace nexus::runtime;
    auto again = loadGraph(exported);
    if (!again)
        fail(shape, "an accepted graph does not reload: " + again.error().message);
    if (schemaId(again->graph) != schemaId(graph))
        fail(shape, "the reloaded graph has another schema id: " + schemaIdCanonical(graph) +
                        " vs " + schemaIdCanonical(again->graph));
    // From there on the manifest is a fixed point: exporting the reload and
    // loading that gives the same manifest again. (Not from the first
    // export: our own files keep edges in declaration order, DashFlow's
    // shapes are sorted when loaded.)
    if (std::string_view(shape) == "graph_manifest") {
        const nlohmann::json second = toGraphManifest(again->graph);
        auto third = loadGraph(second);
        if (!third || toGraphManifest(third->graph) != second)
            fail(shape, "export -> reload -> export -> reload changed the manifest");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace nexus::runtime;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto loaded = loadGraphText(text);
    if (!loaded) {
        if (loaded.error().message.empty())
            fail("refusal", "a graph was refused without a message");
        return 0;
    }
    const Graph& graph = loaded->graph;
    (void)graphFormatName(loaded->format);
    checkReload(graph, toGraphSchemaJson(graph, "2025-01-01T00:00:00.000000Z"),
                "graph_schema_json");
    checkReload(graph, toGraphManifest(graph), "graph_manifest");
    (void)toDot(graph);
    (void)toMermaid(graph);
    return 0;
}
