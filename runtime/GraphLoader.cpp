#include "runtime/GraphLoader.h"

#include <fstream>
#include <sstream>

namespace nexus::runtime {

using json = nlohmann::json;

const char* graphFormatName(GraphFormat format)
{
    switch (format) {
    case GraphFormat::Nexus:
        return "nexus";
    case GraphFormat::DashFlowSchema:
        return "graph_schema_json";
    case GraphFormat::DashFlowManifest:
        return "graph_manifest";
    }
    return "nexus";
}

namespace {

Result<GraphFormat> detect(const json& doc)
{
    if (!doc.is_object())
        return makeError(ErrorCode::UnknownFormat, "a graph is a JSON object");
    if (doc.contains("format")) {
        if (doc.at("format") == kGraphFormatTag)
            return GraphFormat::Nexus;
        return makeError(ErrorCode::UnknownFormat, "unsupported graph format " +
                                                       doc.at("format").dump() + " (expected \"" +
                                                       kGraphFormatTag + "\")");
    }
    const bool nodesArray = doc.contains("nodes") && doc.at("nodes").is_array();
    const bool nodesMap = doc.contains("nodes") && doc.at("nodes").is_object();
    if (nodesArray && doc.contains("edges") && doc.at("edges").is_array())
        return GraphFormat::DashFlowSchema;
    if (nodesMap && doc.contains("edges") && doc.at("edges").is_object())
        return GraphFormat::DashFlowManifest;
    return makeError(ErrorCode::UnknownFormat, "not a graph: expected \"format\": \"" +
                                                   std::string(kGraphFormatTag) +
                                                   "\", a graph_schema_json or a graph_manifest");
}

std::string joinErrors(const std::vector<std::string>& errors)
{
    std::string out;
    for (const auto& error : errors)
        out += (out.empty() ? "" : "; ") + error;
    return out;
}

} // namespace

Result<LoadedGraph> loadGraph(const json& document)
{
    auto format = detect(document);
    if (!format)
        return format.error();
    Result<Graph> graph = format.value() == GraphFormat::Nexus ? parseNexusGraph(document)
                          : format.value() == GraphFormat::DashFlowSchema
                              ? parseDashFlowSchema(document)
                              : parseDashFlowManifest(document);
    if (!graph)
        return graph.error();
    ValidationReport report = validate(graph.value());
    if (!report.ok())
        return makeError(ErrorCode::InvalidGraph, "invalid graph: " + joinErrors(report.errors));
    return LoadedGraph{std::move(graph.value()), format.value(), std::move(report.warnings)};
}

Result<LoadedGraph> loadGraphText(std::string_view text)
{
    json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded())
        return makeError(ErrorCode::InvalidJson, "the graph is not valid JSON");
    return loadGraph(document);
}

Result<LoadedGraph> loadGraphFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::IoError, "cannot open graph file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    auto loaded = loadGraphText(text.str());
    if (!loaded)
        return makeError(loaded.error().code, path + ": " + loaded.error().message);
    return loaded;
}

} // namespace nexus::runtime
