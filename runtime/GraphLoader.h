#pragma once
// Loads a graph from any of the three shapes it can come in, detected from
// the document itself:
//   - this project's graph files ("format": "nexus-graph/1"; docs/graph-format.md)
//   - DashFlow's graph_schema_json (GRAPH_START attribute; arrays form)
//   - DashFlow's graph_manifest (GRAPH_START attribute; maps form)
// DashFlow's lists come out in HashMap order, so their nodes and edges are
// sorted here for a stable model. Our own files keep declaration order,
// because conditional routes are tried in that order.

#include "runtime/Graph.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace nexus::runtime {

inline constexpr const char* kGraphFormatTag = "nexus-graph/1";

enum class GraphFormat
{
    Nexus,
    DashFlowSchema,
    DashFlowManifest
};
const char* graphFormatName(GraphFormat format); // "nexus", "graph_schema_json", "graph_manifest"

struct LoadedGraph
{
    Graph graph;
    GraphFormat format = GraphFormat::Nexus;
    std::vector<std::string> warnings; // from validate()
};

// Fails with InvalidGraph (all validation errors in one message) when the
// graph does not validate.
Result<LoadedGraph> loadGraph(const nlohmann::json& document);
Result<LoadedGraph> loadGraphText(std::string_view text);
Result<LoadedGraph> loadGraphFile(const std::string& path);

// The individual parsers (no validation).
Result<Graph> parseNexusGraph(const nlohmann::json& document);
Result<Graph> parseDashFlowSchema(const nlohmann::json& document);
Result<Graph> parseDashFlowManifest(const nlohmann::json& document);

} // namespace nexus::runtime
