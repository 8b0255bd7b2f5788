// Parser for this project's graph files (docs/graph-format.md).
#include "runtime/GraphLoader.h"

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

RuntimeError formatError(const std::string& message)
{
    return makeError(ErrorCode::InvalidGraph, message);
}

NodeType parseNodeType(const json& value)
{
    if (value.is_object() && value.contains("custom"))
        return NodeType{value.at("custom").get<std::string>(), true};
    return NodeType{value.is_string() ? value.get<std::string>() : "transform", false};
}

Result<Node> parseNode(const json& n, std::size_t index)
{
    if (!n.is_object() || !n.contains("name") || !n.at("name").is_string())
        return formatError("nodes[" + std::to_string(index) + "] needs a \"name\"");
    Node node;
    node.name = n.at("name").get<std::string>();
    node.description = n.value("description", std::string());
    node.type = parseNodeType(n.value("type", json("transform")));
    node.inputFields = n.value("input_fields", std::vector<std::string>{});
    node.outputFields = n.value("output_fields", std::vector<std::string>{});
    auto script = NodeScript::parse(n, node.name);
    if (!script)
        return script.error();
    node.script = std::move(script.value());
    return node;
}

Status parseRoutes(const std::string& from, const json& routes, std::vector<Edge>& out)
{
    if (!routes.is_array() || routes.empty())
        return formatError("edge from \"" + from + "\": \"routes\" must be a non-empty array");
    for (const json& r : routes) {
        if (!r.contains("to"))
            return formatError("edge from \"" + from + "\": every route needs a \"to\"");
        Edge edge;
        edge.from = from;
        edge.kind = EdgeKind::Conditional;
        edge.to = r.at("to").get<std::string>();
        edge.label = r.value("label", edge.to);
        edge.isDefault = r.value("default", false);
        if (r.contains("when")) {
            auto condition = Condition::parse(r.at("when"));
            if (!condition)
                return formatError("route \"" + edge.label + "\" from \"" + from +
                                   "\": " + condition.error().message);
            edge.when = std::move(condition.value());
        } else if (!edge.isDefault) {
            return formatError("route \"" + edge.label + "\" from \"" + from +
                               "\" needs a \"when\" condition or \"default\": true");
        }
        out.push_back(std::move(edge));
    }
    return protocol::Ok{};
}

Status parseEdge(const json& e, std::vector<Edge>& out)
{
    if (!e.is_object() || !e.contains("from"))
        return formatError("every edge needs a \"from\": " + e.dump());
    const std::string from = e.at("from").get<std::string>();
    if (e.contains("routes"))
        return parseRoutes(from, e.at("routes"), out);
    if (e.contains("parallel")) {
        const auto targets = e.at("parallel").get<std::vector<std::string>>();
        if (targets.size() < 2)
            return formatError("parallel edge from \"" + from + "\" needs two or more targets");
        for (const auto& to : targets)
            out.push_back(Edge{from, to, EdgeKind::Parallel, {}, std::nullopt, false});
        return protocol::Ok{};
    }
    if (!e.contains("to"))
        return formatError("edge from \"" + from + "\" needs \"to\", \"parallel\" or \"routes\"");
    out.push_back(
        Edge{from, e.at("to").get<std::string>(), EdgeKind::Direct, {}, std::nullopt, false});
    return protocol::Ok{};
}

Status parseInterrupts(const json& list, std::vector<InterruptPoint>& out)
{
    for (const json& i : list) {
        InterruptPoint point;
        point.node = i.at("node").get<std::string>();
        const std::string when = i.value("when", std::string("before"));
        if (when != "before" && when != "after")
            return formatError("interrupt at \"" + point.node + "\": when is before or after");
        point.when = when == "before" ? InterruptWhen::Before : InterruptWhen::After;
        point.autoResume = i.value("auto_resume", json::object());
        out.push_back(std::move(point));
    }
    return protocol::Ok{};
}

Result<Graph> parse(const json& doc)
{
    Graph graph;
    graph.name = doc.value("name", std::string());
    graph.version = doc.value("version", graph.version);
    graph.description = doc.value("description", std::string());
    graph.entryPoint = doc.value("entry_point", std::string());
    graph.recursionLimit = doc.value("recursion_limit", kDefaultRecursionLimit);
    graph.initialState = doc.value("initial_state", json::object());
    if (!graph.initialState.is_object())
        return formatError("\"initial_state\" must be an object");
    if (!doc.contains("nodes") || !doc.at("nodes").is_array())
        return formatError("\"nodes\" must be an array of node objects");
    for (std::size_t i = 0; i < doc.at("nodes").size(); ++i) {
        auto node = parseNode(doc.at("nodes")[i], i);
        if (!node)
            return node.error();
        graph.nodes.push_back(std::move(node.value()));
    }
    for (const json& e : doc.value("edges", json::array()))
        if (auto status = parseEdge(e, graph.edges); !status)
            return status.error();
    if (auto status = parseInterrupts(doc.value("interrupts", json::array()), graph.interrupts);
        !status)
        return status.error();
    return graph;
}

} // namespace

Result<Graph> parseNexusGraph(const json& document)
{
    try {
        return parse(document);
    } catch (const json::exception& e) {
        return formatError(std::string("graph file: ") + e.what());
    }
}

} // namespace nexus::runtime
