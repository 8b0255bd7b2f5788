#pragma once
// The graph model: nodes, edges and what a simulation needs on top of them.
// Loaded from DashFlow's graph_schema_json / graph_manifest or from this
// project's own graph files (GraphLoader.h); exported back to DashFlow's
// shapes for GRAPH_START (GraphExport.h).

#include "runtime/Condition.h"
#include "runtime/NodeScript.h"
#include "runtime/RuntimeError.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nexus::runtime {

inline constexpr const char* kEndNode = "__end__";
inline constexpr int kDefaultRecursionLimit = 25; // DashFlow's default
// The most steps any run may take: a graph file (or a run option) asking for
// more would let a cycle run for hours. Files above it are refused; run
// options above it are clamped.
inline constexpr int kMaxRecursionLimit = 100'000;

// DashFlow's schema node types: "transform" | "llm" | "tool" | "human_in_loop",
// or {"custom": "<name>"} (router, aggregator, validator, subgraph, ...).
struct NodeType
{
    std::string name = "transform";
    bool custom = false;

    nlohmann::json toSchemaJson() const;
    bool operator==(const NodeType&) const = default;
};

struct Node
{
    std::string name;
    std::string description; // empty = none (null in DashFlow's shapes)
    NodeType type;
    std::vector<std::string> inputFields;
    std::vector<std::string> outputFields;
    // Scripted behaviour; nodes loaded from DashFlow's shapes have none and
    // then run as a no-op taking no time.
    std::optional<NodeScript> script;
};

enum class EdgeKind
{
    Direct,
    Conditional,
    Parallel
};
const char* edgeKindName(EdgeKind kind); // "direct", "conditional", "parallel"

// One edge per target: a conditional edge is one Edge per route (with its
// label), a parallel edge one Edge per target, as DashFlow lists them.
struct Edge
{
    std::string from;
    std::string to;
    EdgeKind kind = EdgeKind::Direct;
    std::string label;             // route label of a conditional edge
    std::optional<Condition> when; // declarative route condition (our format)
    bool isDefault = false;        // the route taken when no condition matches
};

enum class InterruptWhen
{
    Before,
    After
};

struct InterruptPoint
{
    std::string node;
    InterruptWhen when = InterruptWhen::Before;
    // Merge patch (RFC 7386) a non-interactive runner applies on resume.
    nlohmann::json autoResume = nlohmann::json::object();
};

struct Graph
{
    std::string name; // empty = unnamed
    std::string version = "1.0.0";
    std::string description;
    std::string entryPoint;
    std::vector<Node> nodes;
    std::vector<Edge> edges; // declaration order: routes are tried in this order
    std::vector<InterruptPoint> interrupts;
    int recursionLimit = kDefaultRecursionLimit;
    nlohmann::json initialState = nlohmann::json::object();

    const Node* findNode(const std::string& name) const;
    std::vector<const Edge*> outgoing(const std::string& from) const;
    const InterruptPoint* interruptAt(const std::string& node, InterruptWhen when) const;
};

struct ValidationReport
{
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
    bool ok() const { return errors.empty(); }
};

// Structural checks: entry point, unknown nodes in edges, mixed edge kinds
// from one node, several direct edges from one node, conditional routes
// without a default, unreachable nodes (warning), nodes without a way out
// (warning).
ValidationReport validate(const Graph& graph);

// DASHSTREAM.md §5.1: "entry:<e>;nodes:<sorted names>;edges:<sorted
// from->to:is_conditional>", SHA-256, first 8 bytes as lowercase hex.
std::string schemaIdCanonical(const Graph& graph);
std::string schemaId(const Graph& graph);

} // namespace nexus::runtime
