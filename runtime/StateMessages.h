#pragma once
// The state-carrying DashStream payloads exactly as DashFlow's callback
// builds them (DASHSTREAM.md §4.1, §4.3).

#include "protocol/Messages.h"

#include <nlohmann/json.hpp>
#include <string>

namespace nexus::runtime {

namespace ds = protocol::ds;

// Fills ops = json::diff(previous, next) (values as compact JSON), or
// full_state when the patch's JSON is more than 1.1x the new state's JSON,
// and state_hash = SHA-256 of the canonical new state. Header not touched.
void fillStateDiff(ds::StateDiff& diff, const nlohmann::json& previous, const nlohmann::json& next,
                   const std::string& baseCheckpointId);

// state = JSON, or a bare zstd frame (level 3) with compression_info when the
// JSON is >= 512 bytes; checksum = SHA-256 of the uncompressed JSON.
void fillCheckpoint(ds::Checkpoint& checkpoint, const nlohmann::json& state,
                    const std::string& checkpointId);

inline constexpr std::size_t kCheckpointCompressionThreshold = 512;

} // namespace nexus::runtime
