#pragma once
// Dead-letter records in DashFlow's DlqMessage JSON shape
// (dashflow-streaming/src/dlq.rs; DASHSTREAM.md §2.2), so DashFlow's own
// tools read ours. The payload copy is capped at 512 KiB; a truncated copy
// carries the full size, the included size and the SHA-256 of the whole.

#include "protocol/Expected.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace nexus::server {

inline constexpr std::size_t kDlqMaxPayloadBytes = 512 * 1024;

struct DeadLetter
{
    std::string_view payload; // the record value as it arrived
    std::string error;        // what went wrong, for a person
    std::string errorType;    // "decode_error", "decompression_error", "payload_too_large", ...
    std::string sourceTopic;
    std::int32_t sourcePartition = -1;
    std::int64_t sourceOffset = -1;
    std::string consumerId;
    std::string threadId; // best effort (the record key); empty = left out
    std::string tenantId; // best effort; empty = left out
    std::int64_t timestampUs = 0;
    std::string traceId; // a UUID string; it is also the DLQ record's key
};

nlohmann::json deadLetterJson(const DeadLetter& letter);
// error_type for a protocol decode error ("decompression_error" for zstd
// failures, "payload_too_large" for size limits, "decode_error" otherwise).
std::string deadLetterErrorType(protocol::ErrorCode code);
// RFC 3339 with microseconds and an explicit offset: "2024-05-01T12:00:00.123456+00:00".
std::string rfc3339Utc(std::int64_t timestampUs);

} // namespace nexus::server
