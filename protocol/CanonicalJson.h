#pragma once
// Canonical JSON and the DashStream state hash (DASHSTREAM.md §4.2): keys in
// UTF-8 byte order, no whitespace, scalars exactly as Rust's serde_json writes
// them (floats in ryu's shortest form with serde's layout rules). Integers and
// floats stay distinct: 1 and 1.0 hash differently, as they do upstream.

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace nexus::protocol {

// serde_json's text for an f64 ("1.0", "1e16", "0.000015", "-0.0");
// non-finite values are written as null, as serde_json does.
void appendSerdeF64(std::string& out, double value);
// serde_json's escaping of a string, quotes included.
void appendSerdeString(std::string& out, std::string_view utf8);

void appendCanonicalJson(std::string& out, const nlohmann::json& value);
std::string canonicalJson(const nlohmann::json& value);

using Sha256 = std::array<std::uint8_t, 32>;
Sha256 sha256(std::string_view bytes);

// SHA-256 over canonicalJson(state): the StateDiff.state_hash of that state.
Sha256 stateHash(const nlohmann::json& state);
std::string stateHashHex(const nlohmann::json& state);
// The hash as the 32 raw bytes a StateDiff carries.
std::string stateHashBytes(const nlohmann::json& state);

} // namespace nexus::protocol
