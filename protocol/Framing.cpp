#include "protocol/Framing.h"

#include <algorithm>
#include <array>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>
#include <string>
#include <zstd.h>
#include <zstd_errors.h>

namespace nexus::protocol {

namespace {

// The first byte of every valid DashStreamMessage: the tag of one of the
// nine payload fields (field n, wire type 2). A legacy unframed record starts
// with one of them; 0x00 and 0x01 never start a protobuf (field 0 is illegal).
bool isPayloadTag(std::uint8_t b)
{
    return (b & 0x07) == 2 && (b >> 3) >= 1 && (b >> 3) <= 9;
}

std::string hexByte(std::uint8_t b)
{
    static constexpr char digits[] = "0123456789abcdef";
    return {'0', 'x', digits[b >> 4], digits[b & 0xf]};
}

std::string bytesText(std::size_t n)
{
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

Error error(ErrorCode code, std::string message)
{
    return Error{code, std::move(message)};
}

} // namespace

std::string_view frameKindName(FrameKind kind)
{
    switch (kind) {
    case FrameKind::Plain:
        return "plain";
    case FrameKind::Zstd:
        return "zstd";
    case FrameKind::Legacy:
        return "legacy";
    }
    return "plain";
}

std::uint32_t effectiveSchemaVersion(const ds::Header& header)
{
    return header.schema_version() == 0 ? 1 : header.schema_version();
}

// ---------------------------------------------------------------- decoding

struct RecordDecoder::Zstd
{
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    // Bad wire data is reported as values (Error), counted and shown by the
    // caller. protobuf's own log line per bad record (e.g. invalid UTF-8 in a
    // string field) would flood stderr under hostile input, so a decoder
    // silences protobuf's non-fatal logs while it exists.
    google::protobuf::LogSilencer quiet;
    ~Zstd() { ZSTD_freeDCtx(ctx); }
};

RecordDecoder::RecordDecoder(DecodeLimits limits) : limits_(limits), zstd_(std::make_unique<Zstd>())
{}

RecordDecoder::~RecordDecoder() = default;

Expected<std::string_view> RecordDecoder::unframe(std::string_view record, DecodeInfo& info)
{
    info.recordBytes = record.size();
    if (record.empty())
        return error(ErrorCode::EmptyRecord,
                     "empty record: a DashStream record has at least a frame byte");
    if (record.size() > limits_.maxRecordBytes)
        return error(ErrorCode::RecordTooLarge, "record of " + bytesText(record.size()) +
                                                    " exceeds the limit of " +
                                                    bytesText(limits_.maxRecordBytes));

    const auto frame = static_cast<std::uint8_t>(record[0]);
    if (frame == kFramePlain) {
        info.frame = FrameKind::Plain;
        return record.substr(1);
    }
    if (frame == kFrameZstd) {
        info.frame = FrameKind::Zstd;
        const std::string_view src = record.substr(1);
        const unsigned long long declared = ZSTD_getFrameContentSize(src.data(), src.size());
        if (declared == ZSTD_CONTENTSIZE_ERROR)
            return error(ErrorCode::ZstdCorrupt,
                         "frame byte 0x01 announces zstd, but no valid zstd frame header follows");
        if (declared == ZSTD_CONTENTSIZE_UNKNOWN)
            return error(ErrorCode::ZstdNoContentSize,
                         "zstd frame does not declare its content size; refusing to decompress "
                         "an unbounded frame");
        if (declared > limits_.maxMessageBytes)
            return error(ErrorCode::ZstdTooLarge,
                         "zstd frame declares " + bytesText(declared) + ", over the limit of " +
                             bytesText(limits_.maxMessageBytes) + "; not decompressed");
        const std::size_t frameSize = ZSTD_findFrameCompressedSize(src.data(), src.size());
        if (ZSTD_isError(frameSize))
            return error(ErrorCode::ZstdCorrupt,
                         std::string("zstd frame is truncated or corrupt: ") +
                             ZSTD_getErrorName(frameSize));
        if (frameSize != src.size())
            return error(ErrorCode::ZstdTrailingData,
                         bytesText(src.size() - frameSize) +
                             " of unexpected data after the zstd frame");
        scratch_.resize(static_cast<std::size_t>(declared));
        const std::size_t n = ZSTD_decompressDCtx(zstd_->ctx, scratch_.data(), scratch_.size(),
                                                  src.data(), src.size());
        if (ZSTD_isError(n)) {
            if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall)
                return error(ErrorCode::ZstdSizeMismatch, "zstd frame holds more than the " +
                                                              bytesText(declared) + " it declares");
            return error(ErrorCode::ZstdCorrupt,
                         std::string("zstd frame does not decompress to its declared size of ") +
                             bytesText(declared) + ": " + ZSTD_getErrorName(n));
        }
        if (n != declared)
            return error(ErrorCode::ZstdSizeMismatch, "zstd frame declares " + bytesText(declared) +
                                                          " but holds " + bytesText(n));
        return std::string_view(scratch_.data(), n);
    }
    if (limits_.acceptLegacyUnframed && isPayloadTag(frame)) {
        info.frame = FrameKind::Legacy;
        return record;
    }
    return error(ErrorCode::UnknownFrame,
                 "unknown frame byte " + hexByte(frame) + "; expected 0x00 (plain) or 0x01 (zstd)");
}

Expected<DecodeInfo> RecordDecoder::decode(std::string_view record, ds::DashStreamMessage& out)
{
    out.Clear();
    DecodeInfo info;
    auto payload = unframe(record, info);
    if (!payload)
        return payload.error();
    info.protobufBytes = payload->size();
    if (payload->size() > limits_.maxMessageBytes)
        return error(ErrorCode::MessageTooLarge, "message of " + bytesText(payload->size()) +
                                                     " exceeds the limit of " +
                                                     bytesText(limits_.maxMessageBytes));
    if (!out.ParseFromArray(payload->data(), static_cast<int>(payload->size()))) {
        out.Clear();
        return error(ErrorCode::ProtobufInvalid, "malformed DashStream protobuf (" +
                                                     bytesText(payload->size()) +
                                                     "): truncated, or not a DashStreamMessage");
    }
    const auto& unknown = out.GetReflection()->GetUnknownFields(out);
    if (out.message_case() == ds::DashStreamMessage::MESSAGE_NOT_SET) {
        const std::string detail = unknown.empty() ? std::string("it is empty")
                                                   : "it carries unknown field " +
                                                         std::to_string(unknown.field(0).number());
        out.Clear();
        return error(ErrorCode::NoMessageKind,
                     "record holds none of the nine DashStream message kinds (" + detail + ")");
    }
    if (!unknown.empty()) {
        const int field = unknown.field(0).number();
        out.Clear();
        return error(ErrorCode::UnexpectedFields,
                     "unexpected data after the message (unknown field " + std::to_string(field) +
                         ")");
    }
    return info;
}

Expected<DecodeInfo> decodeRecord(std::string_view record, ds::DashStreamMessage& out,
                                  const DecodeLimits& limits)
{
    RecordDecoder decoder(limits);
    return decoder.decode(record, out);
}

// ---------------------------------------------------------------- encoding

struct RecordEncoder::Zstd
{
    ZSTD_CCtx* ctx = ZSTD_createCCtx();
    ~Zstd() { ZSTD_freeCCtx(ctx); }
};

RecordEncoder::RecordEncoder(EncodeOptions options)
    : options_(options), zstd_(std::make_unique<Zstd>())
{
    options_.zstdLevel = std::clamp(options_.zstdLevel, 1, 22);
}

RecordEncoder::~RecordEncoder() = default;

namespace {

bool serialize(const ds::DashStreamMessage& message, bool deterministic, std::string& out,
               std::size_t offset)
{
    const std::size_t size = message.ByteSizeLong();
    out.resize(offset + size);
    google::protobuf::io::ArrayOutputStream array(out.data() + offset, static_cast<int>(size));
    google::protobuf::io::CodedOutputStream coded(&array);
    coded.SetSerializationDeterministic(deterministic);
    message.SerializeWithCachedSizes(&coded);
    return !coded.HadError() && static_cast<std::size_t>(coded.ByteCount()) == size;
}

bool hasCompression(const ds::DashStreamMessage& message, ds::CompressionType type)
{
    bool all = true;
    forEachHeader(message, [&](const ds::Header& h) { all = all && h.compression() == type; });
    return all;
}

} // namespace

Expected<std::string> RecordEncoder::encode(const ds::DashStreamMessage& message)
{
    if (message.message_case() == ds::DashStreamMessage::MESSAGE_NOT_SET)
        return error(ErrorCode::EncodeFailed, "message has no payload to encode");

    // The plain form always says COMPRESSION_NONE in every header.
    const ds::DashStreamMessage* plain = &message;
    ds::DashStreamMessage cleared;
    if (!hasCompression(message, ds::COMPRESSION_NONE)) {
        cleared = message;
        forEachHeader(cleared, [](ds::Header& h) { h.set_compression(ds::COMPRESSION_NONE); });
        plain = &cleared;
    }
    const std::size_t plainSize = plain->ByteSizeLong();
    if (plainSize > options_.maxMessageBytes)
        return error(ErrorCode::MessageTooLarge, "message of " + bytesText(plainSize) +
                                                     " exceeds the producer limit of " +
                                                     bytesText(options_.maxMessageBytes));

    if (options_.compress && plainSize > options_.compressionThreshold) {
        ds::DashStreamMessage mirrored = message;
        forEachHeader(mirrored, [](ds::Header& h) { h.set_compression(ds::COMPRESSION_ZSTD); });
        std::string body;
        if (!serialize(mirrored, options_.deterministic, body, 0))
            return error(ErrorCode::EncodeFailed, "protobuf serialization failed");
        std::string framed(1 + ZSTD_compressBound(body.size()), '\0');
        framed[0] = static_cast<char>(kFrameZstd);
        const std::size_t n = ZSTD_compressCCtx(zstd_->ctx, framed.data() + 1, framed.size() - 1,
                                                body.data(), body.size(), options_.zstdLevel);
        if (ZSTD_isError(n))
            return error(ErrorCode::CompressFailed,
                         std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
        if (n < plainSize) {
            framed.resize(1 + n);
            return framed;
        }
    }
    std::string framed;
    framed.reserve(1 + plainSize);
    framed.push_back(static_cast<char>(kFramePlain));
    if (!serialize(*plain, options_.deterministic, framed, 1))
        return error(ErrorCode::EncodeFailed, "protobuf serialization failed");
    return framed;
}

Expected<std::string> encodeRecord(const ds::DashStreamMessage& message,
                                   const EncodeOptions& options)
{
    RecordEncoder encoder(options);
    return encoder.encode(message);
}

} // namespace nexus::protocol
