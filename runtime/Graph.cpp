#include "runtime/Graph.h"

#include "protocol/CanonicalJson.h"
#include "protocol/Ids.h"

#include <algorithm>
#include <map>
#include <set>

namespace nexus::runtime {

using json = nlohmann::json;

json NodeType::toSchemaJson() const
{
    if (custom)
        return json{{"custom", name}};
    return name;
}

const char* edgeKindName(EdgeKind kind)
{
    switch (kind) {
    case EdgeKind::Direct:
        return "direct";
    case EdgeKind::Conditional:
        return "conditional";
    case EdgeKind::Parallel:
        return "parallel";
    }
    return "direct";
}

const Node* Graph::findNode(const std::string& nodeName) const
{
    for (const Node& node : nodes)
        if (node.name == nodeName)
            return &node;
    return nullptr;
}

std::vector<const Edge*> Graph::outgoing(const std::string& from) const
{
    std::vector<const Edge*> out;
    for (const Edge& edge : edges)
        if (edge.from == from)
            out.push_back(&edge);
    return out;
}

const InterruptPoint* Graph::interruptAt(const std::string& node, InterruptWhen when) const
{
    for (const InterruptPoint& point : interrupts)
        if (point.node == node && point.when == when)
            return &point;
    return nullptr;
}

namespace {

// Edges by source, built once: Graph::outgoing scans every edge, which per
// node is quadratic (10,000 nodes and 50,000 edges took minutes).
using OutgoingIndex = std::map<std::string, std::vector<const Edge*>, std::less<>>;

OutgoingIndex indexOutgoing(const Graph& graph)
{
    OutgoingIndex index;
    for (const Edge& edge : graph.edges)
        index[edge.from].push_back(&edge);
    return index;
}

const std::vector<const Edge*>& outgoingOf(const OutgoingIndex& index, const std::string& from)
{
    static const std::vector<const Edge*> none;
    const auto it = index.find(from);
    return it == index.end() ? none : it->second;
}

void checkOutgoing(const OutgoingIndex& index, const Node& node, ValidationReport& report)
{
    const auto& out = outgoingOf(index, node.name);
    if (out.empty()) {
        report.warnings.push_back("node \"" + node.name +
                                  "\" has no outgoing edge; the run ends after it");
        return;
    }
    std::set<EdgeKind> kinds;
    int direct = 0;
    bool hasDefault = false, allDeclarative = true;
    for (const Edge* edge : out) {
        kinds.insert(edge->kind);
        direct += edge->kind == EdgeKind::Direct;
        hasDefault = hasDefault || edge->isDefault;
        allDeclarative = allDeclarative && (edge->when || edge->isDefault);
    }
    if (kinds.size() > 1)
        report.errors.push_back("node \"" + node.name +
                                "\" mixes direct, conditional and parallel edges; use one kind");
    if (direct > 1)
        report.errors.push_back("node \"" + node.name +
                                "\" has several direct edges; use a parallel edge to fan out");
    if (kinds.count(EdgeKind::Conditional) && allDeclarative && !hasDefault)
        report.warnings.push_back(
            "conditional edge from \"" + node.name +
            "\" has no default route; a state no route matches fails the run");
}

void checkReachable(const Graph& graph, const OutgoingIndex& index, ValidationReport& report)
{
    std::set<std::string> seen;
    std::vector<std::string> todo = {graph.entryPoint};
    while (!todo.empty()) {
        const std::string name = todo.back();
        todo.pop_back();
        if (!seen.insert(name).second)
            continue;
        for (const Edge* edge : outgoingOf(index, name))
            todo.push_back(edge->to);
    }
    for (const Node& node : graph.nodes)
        if (!seen.count(node.name))
            report.warnings.push_back("node \"" + node.name +
                                      "\" is unreachable from the entry point \"" +
                                      graph.entryPoint + "\"");
}

} // namespace

ValidationReport validate(const Graph& graph)
{
    ValidationReport report;
    if (graph.nodes.empty())
        report.errors.push_back("the graph has no nodes");
    std::set<std::string> names;
    for (const Node& node : graph.nodes) {
        if (node.name.empty() || node.name == kEndNode)
            report.errors.push_back("invalid node name \"" + node.name + "\"");
        else if (!names.insert(node.name).second)
            report.errors.push_back("node \"" + node.name + "\" is defined twice");
    }
    if (graph.entryPoint.empty())
        report.errors.push_back("no entry point: set \"entry_point\" to a node name");
    else if (!names.count(graph.entryPoint))
        report.errors.push_back("entry point \"" + graph.entryPoint + "\" is not a node");
    for (const Edge& edge : graph.edges) {
        if (!names.count(edge.from))
            report.errors.push_back("edge from unknown node \"" + edge.from + "\" (to \"" +
                                    edge.to + "\")");
        if (edge.to != kEndNode && !names.count(edge.to))
            report.errors.push_back("edge from \"" + edge.from + "\" to unknown node \"" + edge.to +
                                    "\"");
    }
    for (const InterruptPoint& point : graph.interrupts)
        if (!names.count(point.node))
            report.errors.push_back("interrupt at unknown node \"" + point.node + "\"");
    if (graph.recursionLimit < 1)
        report.errors.push_back("recursion_limit must be at least 1");
    else if (graph.recursionLimit > kMaxRecursionLimit)
        report.errors.push_back("recursion_limit must be at most " +
                                std::to_string(kMaxRecursionLimit));
    if (!report.ok())
        return report;
    const OutgoingIndex index = indexOutgoing(graph);
    for (const Node& node : graph.nodes)
        checkOutgoing(index, node, report);
    checkReachable(graph, index, report);
    return report;
}

std::string schemaIdCanonical(const Graph& graph)
{
    std::vector<std::string> nodeNames, edgeKeys;
    for (const Node& node : graph.nodes)
        nodeNames.push_back(node.name);
    for (const Edge& edge : graph.edges)
        edgeKeys.push_back(edge.from + "->" + edge.to + ":" +
                           (edge.kind == EdgeKind::Conditional ? "true" : "false"));
    std::sort(nodeNames.begin(), nodeNames.end());
    std::sort(edgeKeys.begin(), edgeKeys.end());
    auto join = [](const std::vector<std::string>& parts) {
        std::string out;
        for (const auto& part : parts)
            out += (out.empty() ? "" : ",") + part;
        return out;
    };
    return "entry:" + graph.entryPoint + ";nodes:" + join(nodeNames) + ";edges:" + join(edgeKeys);
}

std::string schemaId(const Graph& graph)
{
    const auto digest = protocol::sha256(schemaIdCanonical(graph));
    return protocol::toHex(std::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

} // namespace nexus::runtime
