#pragma once
// What the simulated swarm "learns": knowledge entries of the four kinds of
// the architecture plan, written from the runs it just produced (their
// instances and thread ids are the evidence), in plausible words.

#include "server/store/Store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::server {

// A finished simulated run, as the knowledge writer sees it.
struct SimRunRecord
{
    std::string threadId;
    std::string instanceId;
    std::string graphName;
    bool failed = false;
    std::string error;
    double quality = -1; // < 0: none
    std::int64_t durationUs = 0;
};

// A prompt of a graph node that an optimizer may improve.
struct PromptTarget
{
    std::string graphName;
    std::string nodeId;
    std::string original;
    std::string optimized;
    std::string optimizer;
};
const std::vector<PromptTarget>& promptTargets();

// One entry of each kind from `recent` (newest last); `round` varies the
// wording and the prompt target. Entries without enough evidence are left out.
std::vector<pb::KnowledgeEntry> writeKnowledge(const std::vector<SimRunRecord>& recent,
                                               std::uint64_t round, const std::string& tenantId);

} // namespace nexus::server
