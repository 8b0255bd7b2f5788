#pragma once
// A DashStream message as JSON for people and scripts (`nexusctl decode`):
// ids and hashes as hex, JSON-carrying bytes fields as JSON, attributes as
// plain values, enums by name, 64-bit integers exact.

#include "protocol/Framing.h"

#include <nlohmann/json.hpp>

namespace nexus::protocol {

nlohmann::json messageToJson(const ds::DashStreamMessage& message);
// {"kind", "frame", "record_bytes", "header", "<kind>": {...}}
nlohmann::json decodedRecordToJson(const ds::DashStreamMessage& message, const DecodeInfo& info);
nlohmann::json errorToJson(const Error& error);

} // namespace nexus::protocol
