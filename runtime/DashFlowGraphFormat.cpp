// Parsers for DashFlow's two graph descriptions (DASHSTREAM.md §5.1).
#include "runtime/GraphLoader.h"

#include <algorithm>
#include <tuple>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

RuntimeError formatError(const std::string& message)
{
    return makeError(ErrorCode::InvalidGraph, message);
}

std::string optionalString(const json& object, const char* key)
{
    if (!object.contains(key) || !object.at(key).is_string())
        return {};
    return object.at(key).get<std::string>();
}

std::vector<std::string> stringList(const json& object, const char* key)
{
    std::vector<std::string> out;
    if (object.contains(key) && object.at(key).is_array())
        for (const json& item : object.at(key))
            if (item.is_string())
                out.push_back(item.get<std::string>());
    return out;
}

// Schema node types are the schema's own names; manifest types are mapped to
// them the way GraphManifest::to_schema does (function -> transform, ...).
NodeType nodeTypeFrom(const json& value, bool manifest)
{
    if (value.is_object() && value.contains("custom") && value.at("custom").is_string())
        return NodeType{value.at("custom").get<std::string>(), true};
    const std::string name = value.is_string() ? value.get<std::string>() : "transform";
    if (!manifest)
        return NodeType{name, false};
    if (name == "agent")
        return NodeType{"llm", false};
    if (name == "tool_executor")
        return NodeType{"tool", false};
    if (name == "approval")
        return NodeType{"human_in_loop", false};
    if (name == "subgraph")
        return NodeType{"subgraph", true};
    return NodeType{"transform", false};
}

void sortForStability(Graph& graph)
{
    std::sort(graph.nodes.begin(), graph.nodes.end(),
              [](const Node& a, const Node& b) { return a.name < b.name; });
    std::stable_sort(graph.edges.begin(), graph.edges.end(), [](const Edge& a, const Edge& b) {
        return std::tie(a.from, a.kind, a.label, a.to) < std::tie(b.from, b.kind, b.label, b.to);
    });
}

Result<Graph> parseSchema(const json& doc)
{
    Graph graph;
    graph.name = optionalString(doc, "name");
    graph.version = doc.contains("version") ? optionalString(doc, "version") : graph.version;
    graph.description = optionalString(doc, "description");
    graph.entryPoint = optionalString(doc, "entry_point");
    for (const json& n : doc.at("nodes")) {
        Node node;
        node.name = n.at("name").get<std::string>();
        node.description = optionalString(n, "description");
        node.type = nodeTypeFrom(n.value("node_type", json("transform")), false);
        node.inputFields = stringList(n, "input_fields");
        node.outputFields = stringList(n, "output_fields");
        graph.nodes.push_back(std::move(node));
    }
    for (const json& e : doc.at("edges")) {
        Edge edge;
        edge.from = e.at("from").get<std::string>();
        edge.to = e.at("to").get<std::string>();
        const std::string type = e.value("edge_type", std::string("direct"));
        if (type == "conditional")
            edge.kind = EdgeKind::Conditional;
        else if (type == "parallel")
            edge.kind = EdgeKind::Parallel;
        else if (type != "direct")
            return formatError("graph_schema_json: unknown edge_type \"" + type + "\"");
        edge.label = optionalString(e, "label");
        graph.edges.push_back(std::move(edge));
    }
    sortForStability(graph);
    return graph;
}

Result<Graph> parseManifest(const json& doc)
{
    Graph graph;
    graph.name = optionalString(doc, "graph_name");
    graph.entryPoint = optionalString(doc, "entry_point");
    if (doc.contains("metadata") && doc.at("metadata").is_object())
        if (auto v = optionalString(doc.at("metadata"), "version"); !v.empty())
            graph.version = v;
    for (const auto& [key, n] : doc.at("nodes").items()) {
        Node node;
        node.name = n.is_object() && n.contains("name") ? n.at("name").get<std::string>() : key;
        node.description = optionalString(n, "description");
        node.type = nodeTypeFrom(n.value("node_type", json("function")), true);
        if (n.contains("metadata") && n.at("metadata").is_object()) {
            node.inputFields = stringList(n.at("metadata"), "input_fields");
            node.outputFields = stringList(n.at("metadata"), "output_fields");
        }
        graph.nodes.push_back(std::move(node));
    }
    for (const auto& [from, list] : doc.at("edges").items()) {
        for (const json& e : list) {
            Edge edge;
            edge.from = e.contains("from") ? e.at("from").get<std::string>() : from;
            edge.to = e.at("to").get<std::string>();
            if (e.value("is_conditional", false))
                edge.kind = EdgeKind::Conditional;
            else if (e.value("is_parallel", false))
                edge.kind = EdgeKind::Parallel;
            edge.label = optionalString(e, "condition_label");
            graph.edges.push_back(std::move(edge));
        }
    }
    sortForStability(graph);
    return graph;
}

} // namespace

Result<Graph> parseDashFlowSchema(const json& document)
{
    try {
        return parseSchema(document);
    } catch (const json::exception& e) {
        return formatError(std::string("graph_schema_json: ") + e.what());
    }
}

Result<Graph> parseDashFlowManifest(const json& document)
{
    try {
        return parseManifest(document);
    } catch (const json::exception& e) {
        return formatError(std::string("graph_manifest: ") + e.what());
    }
}

} // namespace nexus::runtime
