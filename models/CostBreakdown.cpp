#include "models/CostBreakdown.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace nexus::models {
namespace {

template <typename T> void addOnce(std::vector<T>& list, const T& value)
{
    if (std::find(list.begin(), list.end(), value) == list.end())
        list.push_back(value);
}

double ratio(double part, double whole)
{
    return whole > 0 ? part / whole : 0.0;
}

// Adds one span's numbers to a node frame.
void addSpan(FlameFrame& frame, const Run& run, const NodeSpan& span)
{
    ++frame.count;
    frame.errors += span.state == NodeState::Error ? 1 : 0;
    frame.timeUs += spanDurationUs(run, span);
    frame.tokens += spanTokens(span);
    frame.costUsd += span.costUsd;
    if (frame.step == kNoIndex)
        frame.step = span.startStep;
}

class TreeBuilder
{
public:
    TreeBuilder(const Run& run, CostBreakdown& out) : run_(run), frames_(out.frames) {}

    int add(FlameFrame frame, int parent)
    {
        frame.parent = parent;
        frame.depth = parent < 0 ? 0 : frames_[std::size_t(parent)].depth + 1;
        frames_.push_back(std::move(frame));
        const int index = int(frames_.size()) - 1;
        if (parent >= 0)
            frames_[std::size_t(parent)].children.push_back(index);
        return index;
    }

    // Tool and LLM children of a node frame for the spans it covers.
    void addChildren(int nodeFrame, const std::vector<const NodeSpan*>& spans)
    {
        std::map<std::string, int> tools; // by name, aggregated
        std::map<std::string, int> llms;  // by model
        for (const NodeSpan* span : spans) {
            for (const ToolCallInfo& tool : span->tools) {
                auto [it, added] = tools.try_emplace(tool.name, -1);
                if (added) {
                    FlameFrame frame;
                    frame.kind = FlameFrame::Kind::Tool;
                    frame.label = tool.name.empty() ? std::string("tool") : tool.name;
                    frame.node = span->node;
                    frame.nodeType = frames_[std::size_t(nodeFrame)].nodeType;
                    frame.step = tool.step;
                    it->second = add(std::move(frame), nodeFrame);
                }
                FlameFrame& frame = frames_[std::size_t(it->second)];
                ++frame.count;
                frame.errors += tool.stage == "failed" ? 1 : 0;
                frame.timeUs += std::max<std::int64_t>(0, tool.durationUs);
            }
            if (!spanCalledLlm(*span))
                continue;
            std::string model = spanModel(*span);
            if (model.empty())
                model = kUnknownModel;
            auto [it, added] = llms.try_emplace(model, -1);
            if (added) {
                FlameFrame frame;
                frame.kind = FlameFrame::Kind::Llm;
                frame.label = "LLM " + model;
                frame.node = span->node;
                frame.nodeType = frames_[std::size_t(nodeFrame)].nodeType;
                frame.model = model;
                // After the tools: the call ends with the node.
                frame.step = span->endStep != kNoIndex ? span->endStep : span->startStep;
                it->second = add(std::move(frame), nodeFrame);
            }
            FlameFrame& frame = frames_[std::size_t(it->second)];
            ++frame.count;
            frame.timeUs +=
                std::max<std::int64_t>(0, spanDurationUs(run_, *span) - spanToolTimeUs(*span));
            frame.tokens += spanTokens(*span);
            frame.costUsd += span->costUsd;
        }
    }

private:
    const Run& run_;
    std::vector<FlameFrame>& frames_;
};

void buildNodes(const Run& run, CostBreakdown& out)
{
    std::map<std::string, std::size_t> index;
    std::map<std::string, std::size_t> models;
    for (const NodeSpan& span : run.spans) {
        auto [it, added] = index.try_emplace(span.node, out.nodes.size());
        if (added) {
            NodeCost cost;
            cost.node = span.node;
            cost.type = nodeTypeName(run, span.node);
            cost.firstStep = span.startStep;
            out.nodes.push_back(std::move(cost));
        }
        NodeCost& node = out.nodes[it->second];
        ++node.visits;
        node.errors += span.state == NodeState::Error ? 1 : 0;
        node.toolCalls += int(span.tools.size());
        node.totalUs += spanDurationUs(run, span);
        node.toolUs += spanToolTimeUs(span);
        node.promptTokens += span.promptTokens;
        node.completionTokens += span.completionTokens;
        node.costUsd += span.costUsd;
        if (!spanCalledLlm(span))
            continue;
        std::string model = spanModel(span);
        if (model.empty())
            model = kUnknownModel;
        addOnce(node.models, model);
        auto [m, newModel] = models.try_emplace(model, out.models.size());
        if (newModel) {
            ModelCost cost;
            cost.model = model;
            out.models.push_back(std::move(cost));
        }
        ModelCost& mc = out.models[m->second];
        ++mc.calls;
        addOnce(mc.nodes, span.node);
        mc.promptTokens += span.promptTokens;
        mc.completionTokens += span.completionTokens;
        mc.costUsd += span.costUsd;
        mc.llmUs += std::max<std::int64_t>(0, spanDurationUs(run, span) - spanToolTimeUs(span));
    }
    for (NodeCost& node : out.nodes)
        node.selfUs = std::max<std::int64_t>(0, node.totalUs - node.toolUs);
}

void buildTree(const Run& run, CostBreakdown& out)
{
    TreeBuilder tree(run, out);
    FlameFrame root;
    root.kind = FlameFrame::Kind::Run;
    root.label = run.graphName.empty() ? std::string("run") : run.graphName;
    root.count = 1;
    root.step = run.steps.empty() ? kNoIndex : 0;
    tree.add(std::move(root), -1);
    std::map<std::string, int> byNode;
    std::map<std::string, std::vector<const NodeSpan*>> spansOf;
    for (const NodeSpan& span : run.spans) {
        int frame = -1;
        if (auto it = byNode.find(span.node); !out.perVisit && it != byNode.end()) {
            frame = it->second;
        } else {
            FlameFrame node;
            node.label = out.perVisit && span.visit > 1
                             ? span.node + " #" + std::to_string(span.visit)
                             : span.node;
            node.node = span.node;
            node.nodeType = nodeTypeName(run, span.node);
            frame = tree.add(std::move(node), 0);
            byNode[span.node] = frame;
        }
        addSpan(out.frames[std::size_t(frame)], run, span);
        if (out.perVisit)
            tree.addChildren(frame, {&span});
        else
            spansOf[span.node].push_back(&span);
    }
    if (!out.perVisit)
        for (const auto& [node, frame] : byNode)
            tree.addChildren(frame, spansOf[node]);
    // A node frame names its model when it used exactly one.
    for (FlameFrame& frame : out.frames) {
        if (frame.kind != FlameFrame::Kind::Node)
            continue;
        std::vector<std::string> models;
        for (int child : frame.children)
            if (out.frames[std::size_t(child)].kind == FlameFrame::Kind::Llm)
                addOnce(models, out.frames[std::size_t(child)].model);
        if (models.size() == 1)
            frame.model = models.front();
    }
    // Children in execution order: tools first (they run before the LLM call).
    for (FlameFrame& frame : out.frames)
        std::stable_sort(frame.children.begin(), frame.children.end(), [&](int a, int b) {
            return out.frames[std::size_t(a)].step < out.frames[std::size_t(b)].step;
        });
    FlameFrame& top = out.frames.front();
    std::int64_t nodeUs = 0, nodeTokens = 0;
    double nodeCost = 0;
    for (int child : top.children) {
        nodeUs += out.frames[std::size_t(child)].timeUs;
        nodeTokens += out.frames[std::size_t(child)].tokens;
        nodeCost += out.frames[std::size_t(child)].costUsd;
    }
    top.timeUs = std::max(out.runDurationUs, nodeUs);
    top.tokens = std::max(run.tokens, nodeTokens);
    top.costUsd = std::max(run.costUsd, nodeCost);
}

} // namespace

const char* flameMetricName(FlameMetric metric)
{
    switch (metric) {
    case FlameMetric::Time:
        return "time";
    case FlameMetric::Tokens:
        return "tokens";
    case FlameMetric::Cost:
        return "cost";
    }
    return "?";
}

std::int64_t spanDurationUs(const Run& run, const NodeSpan& span)
{
    if (span.state != NodeState::Active && span.durationUs > 0)
        return span.durationUs;
    const std::int64_t end =
        span.state == NodeState::Active || span.endUs == 0 ? run.lastUs : span.endUs;
    return std::max<std::int64_t>(0, end - span.startUs);
}

std::int64_t spanTokens(const NodeSpan& span)
{
    return span.promptTokens + span.completionTokens;
}

std::int64_t spanToolTimeUs(const NodeSpan& span)
{
    return std::accumulate(span.tools.begin(), span.tools.end(), std::int64_t(0),
                           [](std::int64_t sum, const ToolCallInfo& tool) {
                               return sum + std::max<std::int64_t>(0, tool.durationUs);
                           });
}

std::string spanModel(const NodeSpan& span)
{
    if (!span.model.empty())
        return span.model;
    if (auto it = span.attributes.find("model"); it != span.attributes.end())
        return it->second;
    return {};
}

bool spanCalledLlm(const NodeSpan& span)
{
    return !spanModel(span).empty() || spanTokens(span) > 0 || span.costUsd > 0;
}

std::string nodeTypeName(const Run& run, const std::string& node)
{
    if (!run.graph)
        return {};
    for (const auto& n : run.graph->nodes)
        if (n.name == node)
            return n.type.name;
    return {};
}

std::int64_t runDurationUs(const Run& run)
{
    if (run.durationUs > 0)
        return run.durationUs;
    const std::int64_t end = run.endUs > 0 ? run.endUs : run.lastUs;
    return std::max<std::int64_t>(0, end - run.startUs);
}

double FlameFrame::value(FlameMetric metric) const
{
    switch (metric) {
    case FlameMetric::Time:
        return double(timeUs);
    case FlameMetric::Tokens:
        return double(tokens);
    case FlameMetric::Cost:
        return costUsd;
    }
    return 0;
}

std::vector<int> CostBreakdown::pathTo(int frame) const
{
    std::vector<int> path;
    for (int f = frame; f >= 0 && f < int(frames.size()); f = frames[std::size_t(f)].parent)
        path.push_back(f);
    std::reverse(path.begin(), path.end());
    return path;
}

CostBreakdown buildCostBreakdown(const Run& run, bool perVisit)
{
    CostBreakdown out;
    out.runId = run.id;
    out.perVisit = perVisit;
    out.runDurationUs = runDurationUs(run);
    buildNodes(run, out);
    buildTree(run, out);
    const FlameFrame& root = out.root();
    out.tokens = root.tokens;
    out.costUsd = root.costUsd;
    for (NodeCost& node : out.nodes)
        node.timeShare = ratio(double(node.totalUs), double(root.timeUs));
    double modelCost = 0, modelTokens = 0;
    for (const ModelCost& m : out.models) {
        modelCost += m.costUsd;
        modelTokens += double(m.tokens());
    }
    for (ModelCost& m : out.models) {
        m.costShare = ratio(m.costUsd, modelCost);
        m.tokenShare = ratio(double(m.tokens()), modelTokens);
    }
    std::stable_sort(out.models.begin(), out.models.end(),
                     [](const ModelCost& a, const ModelCost& b) {
                         if (a.costUsd != b.costUsd)
                             return a.costUsd > b.costUsd;
                         return a.tokens() > b.tokens();
                     });
    return out;
}

} // namespace nexus::models
