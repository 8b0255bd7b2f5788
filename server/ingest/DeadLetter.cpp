#include "server/ingest/DeadLetter.h"

#include "protocol/CanonicalJson.h"
#include "protocol/Ids.h"

#include <cstdio>
#include <ctime>
#include <openssl/evp.h>

namespace nexus::server {
namespace {

std::string base64(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()));
    out.resize(std::size_t(written));
    return out;
}

} // namespace

std::string rfc3339Utc(std::int64_t timestampUs)
{
    std::int64_t seconds = timestampUs / 1'000'000;
    std::int64_t micros = timestampUs % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        --seconds;
    }
    const std::time_t t = std::time_t(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(micros));
    return buffer;
}

std::string deadLetterErrorType(protocol::ErrorCode code)
{
    using protocol::ErrorCode;
    switch (code) {
    case ErrorCode::ZstdCorrupt:
    case ErrorCode::ZstdNoContentSize:
    case ErrorCode::ZstdSizeMismatch:
    case ErrorCode::ZstdTrailingData:
        return "decompression_error";
    case ErrorCode::RecordTooLarge:
    case ErrorCode::MessageTooLarge:
    case ErrorCode::ZstdTooLarge:
        return "payload_too_large";
    default:
        return "decode_error";
    }
}

nlohmann::json deadLetterJson(const DeadLetter& letter)
{
    nlohmann::json out;
    const bool truncated = letter.payload.size() > kDlqMaxPayloadBytes;
    const std::string_view included =
        truncated ? letter.payload.substr(0, kDlqMaxPayloadBytes) : letter.payload;
    out["original_payload_base64"] = base64(included);
    if (truncated) {
        const auto digest = protocol::sha256(letter.payload);
        out["original_payload_size_bytes"] = std::uint64_t(letter.payload.size());
        out["original_payload_included_bytes"] = std::uint64_t(included.size());
        out["original_payload_truncated"] = true;
        out["original_payload_sha256"] = protocol::toHex(
            std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
    }
    out["error"] = letter.error;
    out["source_topic"] = letter.sourceTopic;
    out["source_partition"] = letter.sourcePartition;
    out["source_offset"] = letter.sourceOffset;
    out["timestamp"] = rfc3339Utc(letter.timestampUs);
    out["consumer_id"] = letter.consumerId;
    if (!letter.threadId.empty())
        out["thread_id"] = letter.threadId;
    if (!letter.tenantId.empty())
        out["tenant_id"] = letter.tenantId;
    out["error_type"] = letter.errorType;
    out["trace_id"] = letter.traceId.empty() ? protocol::newUuidString() : letter.traceId;
    return out;
}

} // namespace nexus::server
