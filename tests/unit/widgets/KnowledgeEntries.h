#pragma once
// Knowledge entries like the sandbox simulator writes them
// (server/sim/KnowledgeWriter.cpp): one of each kind, for widget tests.
#include "nexus/v1/knowledge.pb.h"

#include <cstdint>

namespace nexus::testing {

namespace kbpb = nexus::v1;

// "Now" for the tests: 2026-11-24 18:49:27 UTC, in microseconds.
inline constexpr std::int64_t kKnowledgeNowUs = 1'795'546'167'000'000;

inline kbpb::KnowledgeEntry knowledgeBase(kbpb::KnowledgeKind kind, const char* id,
                                          const char* graph, std::int64_t revision)
{
    kbpb::KnowledgeEntry e;
    e.set_entry_id(id);
    e.set_kind(kind);
    e.set_status(kbpb::KNOWLEDGE_STATUS_PENDING);
    e.set_revision(revision);
    e.set_tenant_id("acme-prod");
    e.set_graph_name(graph);
    e.set_created_us(kKnowledgeNowUs - 3LL * 3600 * 1'000'000);
    e.set_updated_us(kKnowledgeNowUs - 4LL * 60 * 1'000'000);
    return e;
}

inline kbpb::KnowledgeEntry promptEntry()
{
    auto e = knowledgeBase(kbpb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION, "kb-0007", "rag_pipeline", 3);
    e.set_node_id("generate");
    e.set_title("rag_pipeline/generate: a clearer system prompt");
    e.set_summary("MIPROv2 found a prompt for generate that scored better on held-out runs.");
    e.set_confidence(0.7);
    e.set_found_by("dasher-use1-03");
    for (const char* i : {"dasher-use1-03", "dasher-euw1-02", "dasher-apse1-01"})
        e.add_source_instances(i);
    for (const char* t : {"thread-rag-5f2c1a", "thread-rag-77b09e"})
        e.add_example_trace_ids(t);
    auto* p = e.mutable_prompt_optimization();
    p->set_original_prompt("Answer the question using the documents. Keep the answer short and "
                           "mention every source you used.");
    p->set_optimized_prompt(
        "Answer the question using only the documents below. Cite the document id after each "
        "claim, and say \"I don't know\" when the documents do not contain the answer. Keep the "
        "answer short.");
    p->set_measured_improvement(0.05);
    p->set_metric("quality_score");
    p->set_samples(412);
    p->set_optimizer("MIPROv2");
    return e;
}

inline kbpb::KnowledgeEntry pitfallEntry()
{
    auto e = knowledgeBase(kbpb::KNOWLEDGE_KIND_PITFALL, "kb-0008", "support_triage", 1);
    e.set_title("Repeated failures on dasher-euw1-02: tool timeout after 30 s");
    e.set_summary("12 recent runs on dasher-euw1-02 failed with \"tool timeout after 30 s\" while "
                  "its peers completed the same graphs.");
    e.set_confidence(0.9);
    e.set_found_by("dasher-euw1-02");
    e.add_source_instances("dasher-euw1-02");
    for (const char* t : {"thread-tri-0a91", "thread-tri-0a97", "thread-tri-0aa4"})
        e.add_example_trace_ids(t);
    auto* p = e.mutable_pitfall();
    p->set_severity("high");
    p->set_description(e.summary());
    p->set_mitigation("Check the instance's upstream dependencies and error budget; retry "
                      "transient tool errors with backoff and fail over to a healthy region when "
                      "the error rate stays above 10 %.");
    return e;
}

inline kbpb::KnowledgeEntry successEntry()
{
    auto e = knowledgeBase(kbpb::KNOWLEDGE_KIND_SUCCESS_PATTERN, "kb-0009", "rag_pipeline", 2);
    e.set_status(kbpb::KNOWLEDGE_STATUS_APPROVED);
    e.set_title("rag_pipeline: what its best runs have in common");
    e.set_summary("Grading retrieved documents before generation keeps answers grounded: runs "
                  "that passed the grade step on the first attempt scored higher and needed "
                  "fewer tokens.");
    e.set_confidence(0.82);
    e.set_found_by("dasher-use1-01");
    for (const char* i : {"dasher-use1-01", "dasher-use1-04", "dasher-euw1-08"})
        e.add_source_instances(i);
    for (const char* t : {"thread-rag-1c0d3e", "thread-rag-1c0e55", "thread-rag-1c1a02"})
        e.add_example_trace_ids(t);
    e.mutable_success_pattern()->set_description(e.summary());
    e.mutable_success_pattern()->set_occurrences(14);
    return e;
}

inline kbpb::KnowledgeEntry codeEntry()
{
    auto e = knowledgeBase(kbpb::KNOWLEDGE_KIND_CODE_PATTERN, "kb-0010", "coding_agent", 1);
    e.set_status(kbpb::KNOWLEDGE_STATUS_REJECTED);
    e.set_title("Retry flaky tools with bounded exponential backoff instead of failing the node");
    e.set_summary("A python pattern seen in successful runs: retry flaky tools with bounded "
                  "exponential backoff instead of failing the node.");
    e.set_confidence(0.7);
    e.set_found_by("dasher-use1-02");
    e.add_source_instances("dasher-use1-02");
    e.add_example_trace_ids("thread-code-9e8d");
    auto* c = e.mutable_code_pattern();
    c->set_language("python");
    c->set_code("for attempt in range(3):\n    try:\n        return call_tool(args, timeout=10)\n"
                "    except ToolTimeout:\n\ttime.sleep(0.2 * 2 ** attempt)\nraise "
                "ToolUnavailable()");
    c->set_use_case("Retry flaky tools with bounded exponential backoff instead of failing the "
                    "node");
    return e;
}

} // namespace nexus::testing
