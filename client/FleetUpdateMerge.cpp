#include "client/FleetUpdateMerge.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace nexus::client {

void mergeFleetUpdate(nexus::v1::FleetUpdate& into, nexus::v1::FleetUpdate next)
{
    if (next.full()) {
        into = std::move(next);
        return;
    }
    std::unordered_set<std::string> removedNow(next.removed().begin(), next.removed().end());
    std::unordered_map<std::string, int> index;
    auto* upserted = into.mutable_upserted();
    // Drop earlier upserts of instances that have left since.
    for (int i = upserted->size() - 1; i >= 0; --i)
        if (removedNow.count(upserted->Get(i).instance_id()))
            upserted->DeleteSubrange(i, 1);
    for (int i = 0; i < upserted->size(); ++i)
        index[upserted->Get(i).instance_id()] = i;
    std::unordered_set<std::string> upsertedNow;
    for (auto& instance : *next.mutable_upserted()) {
        upsertedNow.insert(instance.instance_id());
        auto it = index.find(instance.instance_id());
        if (it != index.end()) {
            upserted->Mutable(it->second)->Swap(&instance);
        } else {
            index[instance.instance_id()] = upserted->size();
            upserted->Add(std::move(instance));
        }
    }
    // Removals: earlier ones still hold unless re-added now; add the new ones
    // (a full snapshot has no removals to carry: the instance is simply absent).
    std::vector<std::string> removed;
    for (const auto& id : into.removed())
        if (!upsertedNow.count(id) && !removedNow.count(id))
            removed.push_back(id);
    if (!into.full())
        for (const auto& id : next.removed())
            removed.push_back(id);
    into.clear_removed();
    for (auto& id : removed)
        into.add_removed(std::move(id));
    *into.mutable_totals() = std::move(*next.mutable_totals());
    into.set_as_of_us(next.as_of_us());
    into.set_revision(next.revision());
}

} // namespace nexus::client
