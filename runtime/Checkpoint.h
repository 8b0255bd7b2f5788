#pragma once
// Checkpoints taken after every executor step, kept by a pluggable saver.
// A checkpoint records the nodes the step ran and the state after them; the
// routing out of those nodes is recomputed when a run restarts from it, so a
// fork may edit the state first (DESIGN.md §5).

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nexus::runtime {

struct Checkpoint
{
    std::string id;       // UUID string
    std::string parentId; // empty for the first checkpoint of a thread
    std::string threadId;
    std::int64_t step = 0;          // 1 for the first step
    std::vector<std::string> nodes; // the nodes this step ran (several when parallel)
    nlohmann::json state;
    std::int64_t timestampUs = 0;
};

class CheckpointSaver
{
public:
    virtual ~CheckpointSaver() = default;
    virtual void save(const Checkpoint& checkpoint) = 0;
    virtual std::optional<Checkpoint> load(const std::string& id) const = 0;
    virtual std::optional<Checkpoint> latest(const std::string& threadId) const = 0;
    // Oldest first.
    virtual std::vector<Checkpoint> list(const std::string& threadId) const = 0;
};

// Thread-safe (one saver may serve many executors on many workers).
class InMemoryCheckpointSaver final : public CheckpointSaver
{
public:
    void save(const Checkpoint& checkpoint) override;
    std::optional<Checkpoint> load(const std::string& id) const override;
    std::optional<Checkpoint> latest(const std::string& threadId) const override;
    std::vector<Checkpoint> list(const std::string& threadId) const override;
    std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::vector<Checkpoint> checkpoints_;
};

} // namespace nexus::runtime
