#include "server/sim/KnowledgeWriter.h"

#include <algorithm>
#include <map>
#include <set>

namespace nexus::server {
namespace {

struct GraphStats
{
    int runs = 0;
    int failed = 0;
    double qualitySum = 0;
    int withQuality = 0;
    std::vector<const SimRunRecord*> best; // completed, by quality
};

std::vector<std::string> firstN(const std::vector<std::string>& items, std::size_t n)
{
    return {items.begin(), items.begin() + std::ptrdiff_t(std::min(n, items.size()))};
}

void evidence(pb::KnowledgeEntry& entry, const std::vector<const SimRunRecord*>& runs)
{
    std::set<std::string> instances;
    for (const SimRunRecord* run : runs) {
        if (entry.example_trace_ids_size() < 5)
            entry.add_example_trace_ids(run->threadId);
        instances.insert(run->instanceId);
    }
    for (const auto& instance : firstN({instances.begin(), instances.end()}, 6))
        entry.add_source_instances(instance);
    if (!runs.empty())
        entry.set_found_by(runs.front()->instanceId);
}

const char* kSuccessPatterns[] = {
    "Grading retrieved documents before generation keeps answers grounded: runs that passed "
    "the grade step on the first attempt scored higher and needed fewer tokens.",
    "Runs that resolved in a single pass through the graph scored highest; re-entering a "
    "node rarely improved the final answer.",
    "Short, specific plans early in the run led to higher-quality results at lower cost.",
};

const char* kCodePatterns[][3] = {
    {"python",
     "for attempt in range(3):\n    try:\n        return call_tool(args, timeout=10)\n"
     "    except ToolTimeout:\n        time.sleep(0.2 * 2 ** attempt)\nraise ToolUnavailable()",
     "Retry flaky tools with bounded exponential backoff instead of failing the node"},
    {"rust",
     "let docs = retriever.search(&query).await?;\nlet docs: Vec<_> = docs.into_iter()\n"
     "    .filter(|d| d.score >= 0.35)\n    .take(8)\n    .collect();",
     "Cap and threshold retrieved context before it reaches the generator"},
    {"python",
     "state[\"attempts\"] = state.get(\"attempts\", 0) + 1\nif state[\"attempts\"] > 3:\n"
     "    return route(\"give_up\")",
     "Bound rewrite loops with an explicit attempt counter in the state"},
};

} // namespace

const std::vector<PromptTarget>& promptTargets()
{
    static const std::vector<PromptTarget> targets = {
        {"rag_pipeline", "generate", "Answer the question using the documents.",
         "Answer the question using only the documents below. Cite the document id after each "
         "claim, and say \"I don't know\" when the documents do not contain the answer.",
         "MIPROv2"},
        {"support_triage", "classify",
         "Classify the ticket as billing, technical, account or general.",
         "You route support tickets. Read the whole ticket, then answer with exactly one of: "
         "billing, technical, account, general. Prefer technical when an error message is "
         "quoted.",
         "BootstrapFewShot"},
        {"research_team", "write_report", "Write a report from the findings.",
         "Write a structured report from the findings: a two-sentence summary, then one "
         "section per source with its key evidence, then open questions. Do not add facts "
         "that are not in the findings.",
         "GRPO"},
        {"coding_agent", "plan", "Plan the change.",
         "List the files to change and, for each, the smallest edit that makes the failing "
         "test pass. Name the test you will run after each edit.",
         "MIPROv2"},
    };
    return targets;
}

std::vector<pb::KnowledgeEntry> writeKnowledge(const std::vector<SimRunRecord>& recent,
                                               std::uint64_t round, const std::string& tenantId)
{
    std::vector<pb::KnowledgeEntry> out;
    if (recent.empty())
        return out;
    std::map<std::string, GraphStats> byGraph;
    std::map<std::string, std::vector<const SimRunRecord*>> failuresByInstance;
    for (const SimRunRecord& run : recent) {
        GraphStats& g = byGraph[run.graphName];
        ++g.runs;
        if (run.failed) {
            ++g.failed;
            failuresByInstance[run.instanceId].push_back(&run);
        } else if (run.quality >= 0) {
            g.qualitySum += run.quality;
            ++g.withQuality;
            g.best.push_back(&run);
        }
    }
    auto base = [&](pb::KnowledgeKind kind, const std::string& graph) {
        pb::KnowledgeEntry e;
        e.set_kind(kind);
        e.set_tenant_id(tenantId);
        e.set_graph_name(graph);
        return e;
    };

    // Success pattern: the graph with the best mean quality, its best runs.
    const GraphStats* bestGraph = nullptr;
    std::string bestName;
    for (auto& [name, g] : byGraph)
        if (g.withQuality >= 3 &&
            (!bestGraph ||
             g.qualitySum / g.withQuality > bestGraph->qualitySum / bestGraph->withQuality)) {
            bestGraph = &g;
            bestName = name;
        }
    if (bestGraph) {
        auto best = bestGraph->best;
        std::sort(best.begin(), best.end(), [](const SimRunRecord* a, const SimRunRecord* b) {
            return a->quality > b->quality;
        });
        pb::KnowledgeEntry e = base(pb::KNOWLEDGE_KIND_SUCCESS_PATTERN, bestName);
        const double mean = bestGraph->qualitySum / bestGraph->withQuality;
        e.set_title(bestName + ": what its best runs have in common");
        e.set_summary(kSuccessPatterns[round % std::size(kSuccessPatterns)]);
        e.set_confidence(std::min(0.95, 0.55 + mean / 3));
        e.mutable_success_pattern()->set_description(e.summary());
        e.mutable_success_pattern()->set_occurrences(bestGraph->withQuality);
        evidence(e, best);
        out.push_back(std::move(e));
    }

    // Pitfall: the instance with the most failures.
    const std::vector<const SimRunRecord*>* worst = nullptr;
    for (const auto& [instance, failures] : failuresByInstance)
        if (!worst || failures.size() > worst->size())
            worst = &failures;
    if (worst && worst->size() >= 2) {
        const SimRunRecord& first = *worst->front();
        pb::KnowledgeEntry e = base(pb::KNOWLEDGE_KIND_PITFALL, first.graphName);
        const std::string error = first.error.empty() ? "node failure" : first.error;
        e.set_title("Repeated failures on " + first.instanceId + ": " + error);
        e.set_summary(std::to_string(worst->size()) + " recent runs on " + first.instanceId +
                      " failed with \"" + error + "\" while its peers completed the same graphs.");
        e.set_confidence(std::min(0.9, 0.4 + 0.05 * double(worst->size())));
        pb::Pitfall* p = e.mutable_pitfall();
        p->set_severity(worst->size() >= 10 ? "high" : "medium");
        p->set_description(e.summary());
        p->set_mitigation("Check the instance's upstream dependencies and error budget; retry "
                          "transient tool errors with backoff and fail over to a healthy "
                          "region when the error rate stays above 10 %.");
        evidence(e, *worst);
        out.push_back(std::move(e));
    }

    // Prompt optimization: one target per round, with runs of its graph as evidence.
    const auto& targets = promptTargets();
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const PromptTarget& target = targets[(round + i) % targets.size()];
        auto it = byGraph.find(target.graphName);
        if (it == byGraph.end() || it->second.best.empty())
            continue;
        pb::KnowledgeEntry e = base(pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION, target.graphName);
        e.set_node_id(target.nodeId);
        const double improvement = 0.03 + 0.01 * double(round % 5);
        e.set_title(target.graphName + "/" + target.nodeId + ": a clearer system prompt");
        e.set_summary(target.optimizer + " found a prompt for " + target.nodeId +
                      " that scored better on held-out runs.");
        e.set_confidence(0.6 + 0.05 * double(round % 4));
        pb::PromptOptimization* p = e.mutable_prompt_optimization();
        p->set_original_prompt(target.original);
        p->set_optimized_prompt(target.optimized);
        p->set_measured_improvement(improvement);
        p->set_metric("quality_score");
        p->set_samples(it->second.withQuality);
        p->set_optimizer(target.optimizer);
        evidence(e, it->second.best);
        out.push_back(std::move(e));
        break;
    }

    // Code pattern, with the most recent completed runs as examples.
    std::vector<const SimRunRecord*> completed;
    for (auto it = recent.rbegin(); it != recent.rend() && completed.size() < 3; ++it)
        if (!it->failed)
            completed.push_back(&*it);
    if (!completed.empty()) {
        const auto& pattern = kCodePatterns[round % std::size(kCodePatterns)];
        pb::KnowledgeEntry e = base(pb::KNOWLEDGE_KIND_CODE_PATTERN, completed.front()->graphName);
        e.set_title(pattern[2]);
        e.set_summary(std::string("A ") + pattern[0] +
                      " pattern seen in successful runs: " + pattern[2] + ".");
        e.set_confidence(0.7);
        pb::CodePattern* c = e.mutable_code_pattern();
        c->set_language(pattern[0]);
        c->set_code(pattern[1]);
        c->set_use_case(pattern[2]);
        evidence(e, completed);
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace nexus::server
