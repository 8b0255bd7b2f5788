#pragma once
// A graph in DashFlow's two shapes (DASHSTREAM.md §5.1), as GRAPH_START
// carries them in graph_schema_json and graph_manifest.

#include "runtime/Graph.h"

#include <nlohmann/json.hpp>
#include <string>

namespace nexus::runtime {

// The "UI-friendly" arrays form; every field present, null for none.
// exportedAt is RFC 3339 (from the run's clock, so seeded runs reproduce).
nlohmann::json toGraphSchemaJson(const Graph& graph, const std::string& exportedAt);

// The maps form: nodes by name, edges by source.
nlohmann::json toGraphManifest(const Graph& graph);

// "2023-11-14T22:13:20.000000Z" for microseconds since the epoch.
std::string rfc3339FromUs(std::int64_t timestampUs);

} // namespace nexus::runtime
