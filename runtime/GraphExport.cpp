#include "runtime/GraphExport.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <tuple>

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
    // Depth-first search with colours; a back edge means a cycle. Iterative,
    // over an index of edges by source: a chain of 100,000 nodes must not
    // exhaust the stack, nor scan every edge per node.
    std::map<std::string, std::vector<const std::string*>, std::less<>> next;
    for (const Edge& edge : graph.edges)
        next[edge.from].push_back(&edge.to);
    std::map<std::string, int, std::less<>> colour;
    struct Frame
    {
        const std::string* name;
        std::size_t edge;
    };
    std::vector<Frame> stack;
    for (const Node& node : graph.nodes) {
        if (colour[node.name] != 0)
            continue;
        stack.push_back({&node.name, 0});
        colour[node.name] = 1;
        while (!stack.empty()) {
            Frame& top = stack.back();
            const auto it = next.find(*top.name);
            if (it == next.end() || top.edge >= it->second.size()) {
                colour[*top.name] = 2;
                stack.pop_back();
                continue;
            }
            const std::string* to = it->second[top.edge++];
            int& c = colour[*to];
            if (c == 1)
                return true;
            if (c == 0) {
                c = 1;
                stack.push_back({to, 0});
            }
        }
    }
    return false;
}

// --- DOT and Mermaid -------------------------------------------------------

// The graph as the text exports show it: every node by name (declared ones,
// targets of edges that were never declared, "__end__" when edges lead
// there), edges sorted.
struct TextNode
{
    std::string name;
    const Node* node = nullptr; // null: the end node or an undeclared one
    bool isEnd = false;
};

struct TextGraph
{
    std::vector<TextNode> nodes; // sorted by name
    std::vector<const Edge*> edges;
    std::string startId; // a name no node has, for the start marker
};

TextGraph textGraph(const Graph& graph)
{
    std::map<std::string, TextNode> byName;
    for (const Node& node : graph.nodes)
        byName.emplace(node.name, TextNode{node.name, &node, false});
    auto addImplicit = [&](const std::string& name) {
        if (!byName.count(name))
            byName.emplace(name, TextNode{name, nullptr, name == kEndNode});
    };
    if (!graph.entryPoint.empty())
        addImplicit(graph.entryPoint);
    TextGraph out;
    for (const Edge& edge : graph.edges) {
        addImplicit(edge.from);
        addImplicit(edge.to);
        out.edges.push_back(&edge);
    }
    for (auto& [name, node] : byName)
        out.nodes.push_back(std::move(node));
    std::sort(out.edges.begin(), out.edges.end(), [](const Edge* a, const Edge* b) {
        return std::tie(a->from, a->to, a->kind, a->label, a->isDefault) <
               std::tie(b->from, b->to, b->kind, b->label, b->isDefault);
    });
    out.startId = "__start__";
    while (byName.count(out.startId))
        out.startId += "_";
    return out;
}

// Only "#rgb", "#rrggbb" and "#rrggbbaa" reach the text: the colours are
// spliced into DOT and Mermaid unquoted.
bool isHexColor(const std::string& color)
{
    if (color.size() != 4 && color.size() != 7 && color.size() != 9)
        return false;
    if (color[0] != '#')
        return false;
    return std::all_of(color.begin() + 1, color.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string fillOf(const std::map<std::string, std::string>& colors, const std::string& name)
{
    auto it = colors.find(name);
    return it != colors.end() && isHexColor(it->second) ? it->second : std::string();
}

// A DOT quoted string. The lexer keeps "\\" as two characters, so doubling
// backslashes keeps ids distinct, and labels (escString) show one backslash.
std::string dotQuote(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (u < 0x20 || u == 0x7f) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out + "\"";
}

const char* kDotFont = "\"Helvetica,Arial,sans-serif\"";
const char* kEdgeColor = "#505050";

std::string dotNodeAttributes(const TextNode& node, const std::string& fill)
{
    std::string shape = "box";
    std::vector<std::string> styles;
    std::string extra;
    if (node.isEnd) {
        shape = "doublecircle";
        extra = ", width=0.4, fixedsize=true, fontsize=9";
    } else if (!node.node) {
        styles.push_back("dashed");
    } else if (node.node->type.custom) {
        shape = "diamond";
    } else if (node.node->type.name == "llm") {
        styles.push_back("rounded");
    } else if (node.node->type.name == "tool") {
        shape = "hexagon";
    } else if (node.node->type.name == "human_in_loop") {
        shape = "ellipse";
    }
    if (!fill.empty())
        styles.push_back("filled");
    std::string out =
        "label=" + dotQuote(node.isEnd ? std::string("end") : node.name) + ", shape=" + shape;
    if (!styles.empty()) {
        std::string style;
        for (const std::string& s : styles)
            style += (style.empty() ? "" : ",") + s;
        out += ", style=\"" + style + "\"";
    }
    if (!fill.empty())
        out += ", fillcolor=\"" + fill + "\"";
    if (node.node) {
        const std::string type =
            node.node->type.custom ? "custom: " + node.node->type.name : node.node->type.name;
        out += ", tooltip=" + dotQuote(type);
    }
    return out + extra;
}

std::string dotEdgeAttributes(const Edge& edge)
{
    switch (edge.kind) {
    case EdgeKind::Conditional:
        return edge.label.empty() ? "style=dashed" : "style=dashed, label=" + dotQuote(edge.label);
    case EdgeKind::Parallel:
        return std::string("style=bold, color=\"") + kEdgeColor + ":invis:" + kEdgeColor + "\"";
    case EdgeKind::Direct:
        break;
    }
    return {};
}

// 32-bit FNV-1a: a short, stable suffix that keeps sanitized ids unique.
std::uint32_t fnv1a(const std::string& text)
{
    std::uint32_t hash = 2166136261u;
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 16777619u;
    }
    return hash;
}

std::string mermaidId(const std::string& name)
{
    std::string out = "n_";
    for (char c : name.substr(0, 40))
        out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "_%08x", fnv1a(name));
    return out + suffix;
}

// A Mermaid quoted label: entity codes for what the quotes, HTML labels or
// markdown strings would otherwise interpret.
std::string mermaidQuote(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "#quot;";
            break;
        case '<':
            out += "#lt;";
            break;
        case '>':
            out += "#gt;";
            break;
        case '&':
            out += "#amp;";
            break;
        case '#':
            out += "#35;";
            break;
        case '`':
            out += "#96;";
            break;
        case '|':
            out += "#124;";
            break;
        default:
            out += u < 0x20 || u == 0x7f ? ' ' : c;
        }
    }
    return out + "\"";
}

std::string mermaidShape(const TextNode& node)
{
    const std::string label = mermaidQuote(node.isEnd ? std::string("end") : node.name);
    if (node.isEnd)
        return "((" + label + "))";
    if (!node.node)
        return "[" + label + "]";
    if (node.node->type.custom)
        return "{" + label + "}";
    if (node.node->type.name == "llm")
        return "(" + label + ")";
    if (node.node->type.name == "tool")
        return "[[" + label + "]]";
    if (node.node->type.name == "human_in_loop")
        return "([" + label + "])";
    return "[" + label + "]";
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

std::string toDot(const Graph& graph)
{
    return toDot(graph, {});
}

std::string toDot(const Graph& graph, const std::map<std::string, std::string>& nodeFillColors)
{
    const TextGraph text = textGraph(graph);
    std::string out = "digraph " + dotQuote(graph.name.empty() ? "unnamed" : graph.name) + " {\n";
    out += std::string("  graph [rankdir=TB, fontname=") + kDotFont + "];\n";
    out += std::string("  node [fontname=") + kDotFont + ", fontsize=11, shape=box];\n";
    out += std::string("  edge [fontname=") + kDotFont + ", fontsize=9, color=\"" + kEdgeColor +
           "\"];\n";
    if (!graph.entryPoint.empty())
        out += "  " + dotQuote(text.startId) +
               " [label=\"\", shape=circle, width=0.16, fixedsize=true, style=filled, "
               "fillcolor=\"#404040\", color=\"#404040\"];\n";
    for (const TextNode& node : text.nodes)
        out += "  " + dotQuote(node.name) + " [" +
               dotNodeAttributes(node, fillOf(nodeFillColors, node.name)) + "];\n";
    if (!graph.entryPoint.empty())
        out += "  " + dotQuote(text.startId) + " -> " + dotQuote(graph.entryPoint) + ";\n";
    for (const Edge* edge : text.edges) {
        const std::string attributes = dotEdgeAttributes(*edge);
        out += "  " + dotQuote(edge->from) + " -> " + dotQuote(edge->to);
        out += attributes.empty() ? ";\n" : " [" + attributes + "];\n";
    }
    return out + "}\n";
}

std::string toMermaid(const Graph& graph)
{
    return toMermaid(graph, {});
}

std::string toMermaid(const Graph& graph, const std::map<std::string, std::string>& nodeFillColors)
{
    const TextGraph text = textGraph(graph);
    std::map<std::string, std::string> ids;
    std::set<std::string> used{"n__start"};
    for (const TextNode& node : text.nodes) {
        std::string id = mermaidId(node.name);
        for (int n = 2; used.count(id); ++n)
            id = mermaidId(node.name) + "_" + std::to_string(n);
        used.insert(id);
        ids[node.name] = id;
    }
    std::string title = graph.name.empty() ? "unnamed" : graph.name;
    for (char& c : title)
        if (static_cast<unsigned char>(c) < 0x20)
            c = ' ';
    std::string out = "flowchart TD\n    %% " + title + "\n";
    if (!graph.entryPoint.empty())
        out += "    n__start((\"start\"))\n";
    for (const TextNode& node : text.nodes)
        out += "    " + ids[node.name] + mermaidShape(node) + "\n";
    if (!graph.entryPoint.empty())
        out += "    n__start --> " + ids[graph.entryPoint] + "\n";
    for (const Edge* edge : text.edges) {
        std::string arrow = " --> ";
        if (edge->kind == EdgeKind::Parallel)
            arrow = " ==> ";
        else if (edge->kind == EdgeKind::Conditional)
            arrow = edge->label.empty() ? " -.-> " : " -.->|" + mermaidQuote(edge->label) + "| ";
        out += "    " + ids[edge->from] + arrow + ids[edge->to] + "\n";
    }
    for (const TextNode& node : text.nodes) {
        const std::string fill = fillOf(nodeFillColors, node.name);
        if (!fill.empty())
            out += "    style " + ids[node.name] + " fill:" + fill + "\n";
    }
    return out;
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
