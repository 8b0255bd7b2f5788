// libFuzzer target: any bytes as JSON text. Whatever parses must canonicalise,
// and the canonical text must parse back to the same canonical text (floats
// round-trip through serde's format, integers stay integers).
#include "protocol/CanonicalJson.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using nlohmann::json;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded())
        return 0;
    const std::string canonical = nexus::protocol::canonicalJson(value);
    json reparsed = json::parse(canonical, nullptr, false);
    if (reparsed.is_discarded())
        std::abort();
    if (nexus::protocol::canonicalJson(reparsed) != canonical)
        std::abort();
    return 0;
}
