#pragma once
// A graph in DashFlow's two shapes (DASHSTREAM.md §5.1), as GRAPH_START
// carries them in graph_schema_json and graph_manifest.

#include "runtime/Graph.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace nexus::runtime {

// The "UI-friendly" arrays form; every field present, null for none.
// exportedAt is RFC 3339 (from the run's clock, so seeded runs reproduce).
nlohmann::json toGraphSchemaJson(const Graph& graph, const std::string& exportedAt);

// The maps form: nodes by name, edges by source.
nlohmann::json toGraphManifest(const Graph& graph);

// Text forms for people and other tools (Graphviz, Mermaid). Nodes and edges
// are sorted by name, so the text does not depend on declaration or HashMap
// order. The entry point gets a start marker; edges to "__end__" add an end
// node; an edge to an undeclared node adds it (dashed), so nothing is lost.
// Direct edges are solid, conditional ones dashed with their route label,
// parallel ones bold and doubled. Names are escaped: quoted DOT ids, Mermaid
// ids reduced to [A-Za-z0-9_] plus a stable hash suffix, names as labels.
//
// nodeFillColors (node name -> "#rrggbb") fills nodes, e.g. with a run's
// node states; other colour strings are ignored.
std::string toDot(const Graph& graph);
std::string toDot(const Graph& graph, const std::map<std::string, std::string>& nodeFillColors);
// "flowchart TD"; shapes by node type: llm rounded, tool subroutine,
// router / custom rhombus, human_in_loop stadium, transform rectangle, end
// a circle. Colours become "style <id> fill:..." lines.
std::string toMermaid(const Graph& graph);
std::string toMermaid(const Graph& graph, const std::map<std::string, std::string>& nodeFillColors);

// "2023-11-14T22:13:20.000000Z" for microseconds since the epoch.
std::string rfc3339FromUs(std::int64_t timestampUs);

} // namespace nexus::runtime
