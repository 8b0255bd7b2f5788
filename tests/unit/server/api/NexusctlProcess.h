#pragma once
// Runs the real nexusctl binary (NEXUSCTL_BIN, set by the test's CMake entry)
// and collects its exit code and output; the knowledge entry the nexusctl
// tests seed.

#include "nexus/v1/knowledge.pb.h"

#include <QByteArray>
#include <QProcess>
#include <QStringList>

#include <cstdlib>

namespace nexusctl_test {

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

inline Run nexusctl(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(NEXUSCTL_BIN), args);
    if (!p.waitForFinished(30000))
        qFatal("nexusctl did not finish");
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

// A prompt optimization of rag_pipeline's generate node.
inline ::nexus::v1::KnowledgeEntry promptOptimization()
{
    ::nexus::v1::KnowledgeEntry e;
    e.set_kind(::nexus::v1::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
    e.set_title("Cite the retrieved passage ids");
    e.set_graph_name("rag_pipeline");
    e.set_node_id("generate");
    auto* p = e.mutable_prompt_optimization();
    p->set_original_prompt("Answer the question.");
    p->set_optimized_prompt("Answer the question and cite the passage ids you used.");
    p->set_measured_improvement(0.06);
    p->set_optimizer("mipro");
    return e;
}

} // namespace nexusctl_test
