#include "runtime/GraphExport.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

json nullIfEmpty(const std::string& text)
{
    return text.empty() ? json(nullptr) : json(text);
}

// Schema type -> manifest type (the inverse of GraphManifest::to_schema).
json manifestNodeType(const NodeType& type)
{
    if (type.custom)
        return json{{"custom", type.name}};
    if (type.name == "llm")
        return "agent";
    if (type.name == "tool")
        return "tool_executor";
    if (type.name == "human_in_loop")
        return "approval";
    return "function";
}

// Rust's {:?} of the manifest NodeType, lowercased ("toolexecutor",
// "custom(\"router\")"), as the manifest's metadata.node_type carries it.
std::string debugLowercase(const json& manifestType)
{
    std::string out;
    if (manifestType.is_object())
        out = "custom(\"" + manifestType.at("custom").get<std::string>() + "\")";
    else
        for (char c : manifestType.get<std::string>())
            if (c != '_')
                out.push_back(c);
    for (char& c : out)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool hasCycles(const Graph& graph)
{
    // Depth-first search with colours; a back edge means a cycle.
    std::map<std::string, int> colour;
    std::function<bool(const std::string&)> visit = [&](const std::string& name) {
        colour[name] = 1;
        for (const Edge* edge : graph.outgoing(name)) {
            if (colour[edge->to] == 1)
                return true;
            if (colour[edge->to] == 0 && visit(edge->to))
                return true;
        }
        colour[name] = 2;
        return false;
    };
    for (const Node& node : graph.nodes)
        if (colour[node.name] == 0 && visit(node.name))
            return true;
    return false;
}

} // namespace

json toGraphSchemaJson(const Graph& graph, const std::string& exportedAt)
{
    json nodes = json::array();
    for (const Node& node : graph.nodes)
        nodes.push_back({{"name", node.name},
                         {"description", nullIfEmpty(node.description)},
                         {"node_type", node.type.toSchemaJson()},
                         {"input_fields", node.inputFields},
                         {"output_fields", node.outputFields},
                         {"position", nullptr},
                         {"attributes", json::object()}});
    json edges = json::array();
    for (const Edge& edge : graph.edges)
        edges.push_back({{"from", edge.from},
                         {"to", edge.to},
                         {"edge_type", edgeKindName(edge.kind)},
                         {"label", edge.kind == EdgeKind::Conditional ? nullIfEmpty(edge.label)
                                                                      : json(nullptr)},
                         {"conditional_targets", nullptr}});
    return {{"name", graph.name.empty() ? "unnamed" : graph.name},
            {"version", graph.version},
            {"description", nullIfEmpty(graph.description)},
            {"nodes", nodes},
            {"edges", edges},
            {"entry_point", graph.entryPoint},
            {"state_type", nullptr},
            {"exported_at", exportedAt},
            {"metadata", json::object()}};
}

json toGraphManifest(const Graph& graph)
{
    json nodes = json::object();
    for (const Node& node : graph.nodes) {
        const json type = manifestNodeType(node.type);
        json metadata = {{"node_type", debugLowercase(type)}};
        if (!node.inputFields.empty())
            metadata["input_fields"] = node.inputFields;
        if (!node.outputFields.empty())
            metadata["output_fields"] = node.outputFields;
        nodes[node.name] = {{"name", node.name},
                            {"description", nullIfEmpty(node.description)},
                            {"node_type", type},
                            {"tools_available", json::array()},
                            {"metadata", metadata}};
    }
    json edges = json::object();
    bool parallel = false;
    for (const Edge& edge : graph.edges) {
        parallel = parallel || edge.kind == EdgeKind::Parallel;
        edges[edge.from].push_back(
            {{"from", edge.from},
             {"to", edge.to},
             {"is_conditional", edge.kind == EdgeKind::Conditional},
             {"is_parallel", edge.kind == EdgeKind::Parallel},
             {"condition_label",
              edge.kind == EdgeKind::Conditional ? nullIfEmpty(edge.label) : json(nullptr)},
             {"description", nullptr}});
    }
    return {{"graph_id", nullIfEmpty(graph.name)},
            {"graph_name", nullIfEmpty(graph.name)},
            {"entry_point", graph.entryPoint},
            {"nodes", nodes},
            {"edges", edges},
            {"state_schema", nullptr},
            {"metadata",
             {{"version", graph.version},
              {"author", nullptr},
              {"created_at", nullptr},
              {"has_cycles", hasCycles(graph)},
              {"has_parallel_edges", parallel},
              {"custom", json::object()}}}};
}

std::string rfc3339FromUs(std::int64_t timestampUs)
{
    const std::time_t seconds = std::time_t(timestampUs / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  int(timestampUs % 1'000'000));
    return buffer;
}

} // namespace nexus::runtime
