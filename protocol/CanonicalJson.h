#pragma once
// Canonical JSON and the DashStream state hash (DASHSTREAM.md §4.2): keys in
// UTF-8 byte order, no whitespace, scalars exactly as Rust's serde_json writes
// them (floats in ryu's shortest form with serde's layout rules). Integers and
// floats stay distinct: 1 and 1.0 hash differently, as they do upstream.

#include <array>
#include <cstdint>
#include <memory>
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

// One RFC 6901 reference token unescaped (~1 = '/', ~0 = '~'): `token` is
// `raw` itself when it has no escapes, else `scratch`. False for any other
// '~' (json_pointer refuses those).
bool pointerToken(std::string_view raw, std::string& scratch, std::string_view& token);

// The state hash of a document that changes a little at a time, as a run's
// state does: the canonical text of each member of the root object, and of
// each element / member of those members that are arrays / objects, is
// kept, and only the parts a change touched are written again (the SHA-256
// still reads every byte). The hash is the same as stateHash(). The caller
// reports every change: touch() for each add / remove / replace applied
// since the last hash, reset() when the document was replaced or changed
// in any other way.
class StateHashCache
{
public:
    StateHashCache();
    ~StateHashCache();
    StateHashCache(StateHashCache&&) noexcept;
    StateHashCache& operator=(StateHashCache&&) noexcept;

    // Forgets every kept part (and its memory).
    void reset();
    // An operation changed the document at `pointer` (RFC 6901). `structural`:
    // it added or removed there (keys or array positions may have moved).
    void touch(std::string_view pointer, bool structural);
    Sha256 hash(const nlohmann::json& state);

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

} // namespace nexus::protocol
