#pragma once
// Message ids (16 raw bytes, UUIDv4) and hex helpers.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nexus::protocol {

// Lowercase hex of arbitrary bytes ("0102..." for a message id).
std::string toHex(std::string_view bytes);
// Bytes from hex (either case); nullopt on odd length or a non-hex digit.
std::optional<std::string> fromHex(std::string_view hex);

// 16 random bytes shaped as a UUIDv4 (version and variant bits set).
std::string newMessageId();
// The canonical textual form "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string newUuidString();
std::string uuidToString(std::string_view sixteenBytes);

} // namespace nexus::protocol
