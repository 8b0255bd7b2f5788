#pragma once
// Kafka record value framing of DashStream (DASHSTREAM.md §1):
//   0x00 + protobuf              plain
//   0x01 + one zstd frame        compressed (frame declares its content size)
//   0x0A..0x4A + ...             legacy unframed protobuf (accepted on decode)
// Every limit is checked before anything is allocated.

#include "protocol/Expected.h"
#include "protocol/Messages.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace nexus::protocol {

inline constexpr std::uint8_t kFramePlain = 0x00;
inline constexpr std::uint8_t kFrameZstd = 0x01;
inline constexpr std::size_t kMiB = 1024 * 1024;

struct DecodeLimits
{
    // Largest record value accepted at all (DashFlow's codec: 10 MiB + frame byte).
    std::size_t maxRecordBytes = 10 * kMiB + 1;
    // Largest protobuf accepted, plain or after decompression (declared size).
    std::size_t maxMessageBytes = 10 * kMiB;
    // Accept records without a frame byte that start with a valid payload tag.
    bool acceptLegacyUnframed = true;
};

enum class FrameKind
{
    Plain,
    Zstd,
    Legacy
};
std::string_view frameKindName(FrameKind kind); // "plain", "zstd", "legacy"

struct DecodeInfo
{
    FrameKind frame = FrameKind::Plain;
    std::size_t recordBytes = 0;   // the Kafka record value
    std::size_t protobufBytes = 0; // the DashStreamMessage after unframing
};

// Reusable decoder: keeps a zstd context and a scratch buffer between calls,
// so decoding a stream does not allocate per record. Not thread-safe; use one
// per worker.
class RecordDecoder
{
public:
    explicit RecordDecoder(DecodeLimits limits = {});
    ~RecordDecoder();
    RecordDecoder(const RecordDecoder&) = delete;
    RecordDecoder& operator=(const RecordDecoder&) = delete;

    // Decodes one record value into `out` (cleared first).
    Expected<DecodeInfo> decode(std::string_view record, ds::DashStreamMessage& out);

    const DecodeLimits& limits() const { return limits_; }

private:
    Expected<std::string_view> unframe(std::string_view record, DecodeInfo& info);

    DecodeLimits limits_;
    struct Zstd;
    std::unique_ptr<Zstd> zstd_;
    std::string scratch_;
};

// One-shot convenience around RecordDecoder.
Expected<DecodeInfo> decodeRecord(std::string_view record, ds::DashStreamMessage& out,
                                  const DecodeLimits& limits = {});

struct EncodeOptions
{
    bool compress = true;                   // DashFlow's enable_compression
    std::size_t compressionThreshold = 512; // compress only when protobuf is larger
    int zstdLevel = 3;                      // clamped to 1..22
    std::size_t maxMessageBytes = 1 * kMiB; // DashFlow producer's max_message_size
    bool deterministic = true;              // sort map entries (reproducible bytes)
};

class RecordEncoder
{
public:
    explicit RecordEncoder(EncodeOptions options = {});
    ~RecordEncoder();
    RecordEncoder(const RecordEncoder&) = delete;
    RecordEncoder& operator=(const RecordEncoder&) = delete;

    // Frames `message` the way DashFlow's producer does: 0x01 + zstd when the
    // protobuf is above the threshold and compression makes it strictly
    // smaller (every header then says COMPRESSION_ZSTD), 0x00 + protobuf
    // otherwise (every header then says COMPRESSION_NONE).
    Expected<std::string> encode(const ds::DashStreamMessage& message);

    const EncodeOptions& options() const { return options_; }

private:
    EncodeOptions options_;
    struct Zstd;
    std::unique_ptr<Zstd> zstd_;
};

Expected<std::string> encodeRecord(const ds::DashStreamMessage& message,
                                   const EncodeOptions& options = {});

// Schema version as consumers must read it: 0 means 1.
std::uint32_t effectiveSchemaVersion(const ds::Header& header);
inline constexpr std::uint32_t kCurrentSchemaVersion = 1;

} // namespace nexus::protocol
