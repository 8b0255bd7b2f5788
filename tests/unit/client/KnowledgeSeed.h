#pragma once
// Knowledge entries of the four kinds and the API tests' Nexus (a token per
// role) for the client's knowledge tests: entries are stored the way the
// simulator stores them, and published on the watch stream when asked.
#include "client/NexusClient.h"
#include "server/api/NexusServer.h"
#include "server/events/EventHub.h"
#include "server/store/Store.h"

#include "../server/api/ApiTestServer.h"
#include "nexus/v1/knowledge.pb.h"

#include <QDateTime>

#include <cstdint>
#include <string>

namespace nexus::testing {

// The API tests' server; a client signs in with one role's token.
struct TestNexus : ApiTestServer
{
    QString address() const { return QString::fromStdString(server->nexusAddress()); }

    nexus::client::NexusEndpoint endpoint(const char* token) const
    {
        nexus::client::NexusEndpoint e;
        e.address = address();
        e.token = QString::fromLatin1(token);
        e.callTimeout = std::chrono::seconds(10);
        return e;
    }

    // Starts Nexus again on the port it had (`address`), with the same store.
    bool startAgainOn(const QString& address)
    {
        stop();
        options.listen = address.toStdString();
        return start() && this->address() == address;
    }

    v1::KnowledgeEntry seed(v1::KnowledgeEntry entry, std::int64_t createdUs)
    {
        auto stored = server->store().createEntry(std::move(entry), createdUs);
        if (!stored)
            qFatal("createEntry failed: %s", stored.error().message.c_str());
        return *stored;
    }

    // What the simulator does with a new entry: store it and tell the watchers.
    v1::KnowledgeEntry seedLive(v1::KnowledgeEntry entry)
    {
        v1::KnowledgeEvent event;
        event.set_type(v1::KnowledgeEvent::TYPE_CREATED);
        *event.mutable_entry() = seed(std::move(entry), QDateTime::currentMSecsSinceEpoch() * 1000);
        server->events().knowledge.publish(event);
        return event.entry();
    }
};

inline constexpr std::int64_t kSecondUs = 1'000'000;
inline constexpr std::int64_t kT0 = 1'750'000'000LL * kSecondUs;

inline v1::KnowledgeEntry pitfall(const std::string& title, const std::string& instance)
{
    v1::KnowledgeEntry e;
    e.set_kind(v1::KNOWLEDGE_KIND_PITFALL);
    e.set_title(title);
    e.set_found_by(instance);
    e.add_source_instances(instance);
    e.mutable_pitfall()->set_severity("high");
    e.mutable_pitfall()->set_description("Retries without jitter synchronise the fleet.");
    e.mutable_pitfall()->set_mitigation("Add full jitter to the backoff.");
    return e;
}

inline v1::KnowledgeEntry promptOptimization(const std::string& title, const std::string& instance)
{
    v1::KnowledgeEntry e;
    e.set_kind(v1::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
    e.set_title(title);
    e.set_graph_name("rag_pipeline");
    e.set_node_id("generate");
    e.add_source_instances(instance);
    auto* p = e.mutable_prompt_optimization();
    p->set_original_prompt("Answer the question.");
    p->set_optimized_prompt("Answer the question and cite the passage ids you used.");
    p->set_measured_improvement(0.06);
    p->set_optimizer("mipro");
    return e;
}

inline v1::KnowledgeEntry successPattern(const std::string& title, const std::string& instance)
{
    v1::KnowledgeEntry e;
    e.set_kind(v1::KNOWLEDGE_KIND_SUCCESS_PATTERN);
    e.set_title(title);
    e.set_confidence(0.92);
    e.add_source_instances(instance);
    e.add_source_instances("sim-009");
    e.add_example_trace_ids("thread-42");
    e.mutable_success_pattern()->set_description("Rerank before generating.");
    e.mutable_success_pattern()->set_occurrences(17);
    return e;
}

inline v1::KnowledgeEntry codePattern(const std::string& title, const std::string& instance)
{
    v1::KnowledgeEntry e;
    e.set_kind(v1::KNOWLEDGE_KIND_CODE_PATTERN);
    e.set_title(title);
    e.add_source_instances(instance);
    e.mutable_code_pattern()->set_language("python");
    e.mutable_code_pattern()->set_code("for attempt in backoff():\n    call()\n");
    e.mutable_code_pattern()->set_use_case("Retrying a flaky tool");
    return e;
}

} // namespace nexus::testing
