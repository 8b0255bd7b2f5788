#include "runtime/Checkpoint.h"

namespace nexus::runtime {

void InMemoryCheckpointSaver::save(const Checkpoint& checkpoint)
{
    std::lock_guard lock(mutex_);
    checkpoints_.push_back(checkpoint);
}

std::optional<Checkpoint> InMemoryCheckpointSaver::load(const std::string& id) const
{
    std::lock_guard lock(mutex_);
    for (const Checkpoint& checkpoint : checkpoints_)
        if (checkpoint.id == id)
            return checkpoint;
    return std::nullopt;
}

std::optional<Checkpoint> InMemoryCheckpointSaver::latest(const std::string& threadId) const
{
    std::lock_guard lock(mutex_);
    for (auto it = checkpoints_.rbegin(); it != checkpoints_.rend(); ++it)
        if (it->threadId == threadId)
            return *it;
    return std::nullopt;
}

std::vector<Checkpoint> InMemoryCheckpointSaver::list(const std::string& threadId) const
{
    std::lock_guard lock(mutex_);
    std::vector<Checkpoint> out;
    for (const Checkpoint& checkpoint : checkpoints_)
        if (checkpoint.threadId == threadId)
            out.push_back(checkpoint);
    return out;
}

std::size_t InMemoryCheckpointSaver::size() const
{
    std::lock_guard lock(mutex_);
    return checkpoints_.size();
}

} // namespace nexus::runtime
