#include "protocol/Framing.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
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

// DashStreamMessage's unknown fields. The reflection is looked up once:
// GetReflection() goes through descriptor assignment on every call.
const google::protobuf::UnknownFieldSet& unknownFields(const ds::DashStreamMessage& m)
{
    static const google::protobuf::Reflection* const reflection =
        ds::DashStreamMessage::GetReflection();
    return reflection->GetUnknownFields(m);
}

// Clears a payload but keeps its Header object (cleared) and the payload's
// own string buffers, so that parsing into it allocates less. True when a
// Header was kept.
template <class Payload> bool clearKeepingHeader(Payload* payload)
{
    ds::Header* header = payload->has_header() ? payload->release_header() : nullptr;
    payload->Clear();
    if (!header)
        return false;
    header->Clear();
    payload->set_allocated_header(header);
    return true;
}

// Readies `out` for a record whose payload starts with tag byte `first`:
// when `out` already holds that payload kind, the payload is cleared in
// place (see clearKeepingHeader) and true is returned; merging the record
// into it then gives what Clear() + parse gives, except when the record's
// payload has no header (checked by the caller). Else false: clear fully.
bool clearForReuse(ds::DashStreamMessage& out, std::uint8_t first, bool& keptHeader)
{
    using M = ds::DashStreamMessage;
    if ((first & 0x07) != 2 || int(out.message_case()) != (first >> 3) ||
        out.GetArena() != nullptr || !unknownFields(out).empty())
        return false;
    switch (out.message_case()) {
    case M::kEvent:
        keptHeader = clearKeepingHeader(out.mutable_event());
        return true;
    case M::kStateDiff:
        keptHeader = clearKeepingHeader(out.mutable_state_diff());
        return true;
    case M::kTokenChunk:
        keptHeader = clearKeepingHeader(out.mutable_token_chunk());
        return true;
    case M::kToolExecution:
        keptHeader = clearKeepingHeader(out.mutable_tool_execution());
        return true;
    case M::kCheckpoint:
        keptHeader = clearKeepingHeader(out.mutable_checkpoint());
        return true;
    case M::kMetrics:
        keptHeader = clearKeepingHeader(out.mutable_metrics());
        return true;
    case M::kError:
        keptHeader = clearKeepingHeader(out.mutable_error());
        return true;
    case M::kEventBatch:
        keptHeader = clearKeepingHeader(out.mutable_event_batch());
        return true;
    case M::kExecutionTrace:
        keptHeader = clearKeepingHeader(out.mutable_execution_trace());
        return true;
    default:
        return false;
    }
}

// ------------------------------------------- the common Event, read directly

// Protobuf's wire format for the Events DashFlow sends most, read without
// protobuf's generic parser. Strict: fields of known numbers and wire types,
// each singular one at most once, ASCII strings (always valid UTF-8),
// attribute values that are strings / ints / floats / bools. Anything else
// returns false and the caller parses with protobuf, which then decides.
class WireReader
{
public:
    explicit WireReader(std::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}
    bool done() const { return p_ == end_; }

    bool varint(std::uint64_t& value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
            const auto byte = static_cast<std::uint8_t>(*p_++);
            if (shift == 63 && byte > 1)
                return false; // more than 64 bits
            value |= std::uint64_t(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return true;
        }
        return false;
    }
    // A field's number and wire type.
    bool tag(int& field, int& wire)
    {
        std::uint64_t t = 0;
        if (!varint(t) || t > 0xffffffffu)
            return false;
        field = int(t >> 3);
        wire = int(t & 7);
        return field > 0;
    }
    bool bytes(std::string_view& out)
    {
        std::uint64_t n = 0;
        if (!varint(n) || n > std::uint64_t(end_ - p_))
            return false;
        out = std::string_view(p_, std::size_t(n));
        p_ += n;
        return true;
    }
    bool ascii(std::string_view& out)
    {
        if (!bytes(out))
            return false;
        std::size_t i = 0;
        std::uint64_t high = 0; // the top bits of every byte, 8 at a time
        for (std::uint64_t chunk = 0; i + 8 <= out.size(); i += 8) {
            std::memcpy(&chunk, out.data() + i, 8);
            high |= chunk;
        }
        for (; i < out.size(); ++i)
            high |= static_cast<unsigned char>(out[i]);
        return (high & 0x8080808080808080ULL) == 0;
    }
    bool fixed64(std::uint64_t& out)
    {
        if (std::endian::native != std::endian::little || end_ - p_ < 8)
            return false;
        std::memcpy(&out, p_, 8); // little-endian, as x86 / ARM are
        p_ += 8;
        return true;
    }

private:
    const char* p_;
    const char* end_;
};

constexpr int kVarint = 0, kFixed64 = 1, kLength = 2;

// Each field number at most once (`seen` is a bit set of them).
bool firstTime(std::uint32_t& seen, int field)
{
    const std::uint32_t bit = std::uint32_t(1) << field;
    if (seen & bit)
        return false;
    seen |= bit;
    return true;
}

bool readHeader(std::string_view bytes, ds::Header& h)
{
    WireReader r(bytes);
    std::uint32_t seen = 0;
    while (!r.done()) {
        int field = 0, wire = 0;
        std::uint64_t v = 0;
        std::string_view text;
        if (!r.tag(field, wire) || field > 9 || !firstTime(seen, field))
            return false;
        const bool length = field == 1 || field == 3 || field == 4 || field == 7;
        if (wire != (length ? kLength : kVarint))
            return false;
        if (field == 1 || field == 7) {
            if (!r.bytes(text))
                return false;
            // mutable_*()->assign: set_*(data, size) would copy into a temporary first.
            (field == 1 ? h.mutable_message_id() : h.mutable_parent_id())
                ->assign(text.data(), text.size());
        } else if (field == 3 || field == 4) {
            if (!r.ascii(text))
                return false;
            (field == 3 ? h.mutable_tenant_id() : h.mutable_thread_id())
                ->assign(text.data(), text.size());
        } else if (!r.varint(v)) {
            return false;
        } else if (field == 2) {
            h.set_timestamp_us(std::int64_t(v));
        } else if (field == 5) {
            h.set_sequence(v);
        } else if (v > 0x7fffffff) {
            return false; // enums and uint32: only plain non-negative values here
        } else if (field == 6) {
            h.set_type(ds::MessageType(int(v)));
        } else if (field == 8) {
            h.set_compression(ds::CompressionType(int(v)));
        } else {
            h.set_schema_version(std::uint32_t(v));
        }
    }
    return true;
}

bool readAttribute(std::string_view bytes, ds::AttributeValue& value)
{
    WireReader r(bytes);
    value.Clear(); // a later entry with the same key replaces the value
    if (r.done())
        return true;
    int field = 0, wire = 0;
    std::uint64_t v = 0;
    std::string_view text;
    if (!r.tag(field, wire))
        return false;
    if (field == 1 && wire == kLength && r.ascii(text))
        value.mutable_string_value()->assign(text.data(), text.size());
    else if (field == 2 && wire == kVarint && r.varint(v))
        value.set_int_value(std::int64_t(v));
    else if (field == 3 && wire == kFixed64 && r.fixed64(v))
        value.set_float_value(std::bit_cast<double>(v));
    else if (field == 4 && wire == kVarint && r.varint(v))
        value.set_bool_value(v != 0);
    else
        return false;
    return r.done(); // one value field only
}

// `event` is cleared and holds a (cleared) Header; fills it from `bytes`.
bool readEvent(std::string_view bytes, ds::Event& event)
{
    WireReader r(bytes);
    std::uint32_t seen = 0;
    while (!r.done()) {
        int field = 0, wire = 0;
        std::uint64_t v = 0;
        std::string_view part;
        if (!r.tag(field, wire) || field > 6 || (field != 4 && !firstTime(seen, field)))
            return false;
        if (field == 2 || field == 5) {
            if (wire != kVarint || !r.varint(v) || (field == 2 && v > 0x7fffffff))
                return false;
            field == 2 ? event.set_event_type(ds::EventType(int(v)))
                       : event.set_duration_us(std::int64_t(v));
            continue;
        }
        if (wire != kLength || (field == 1   ? !r.bytes(part)
                                : field == 4 ? !r.bytes(part)
                                             : !r.ascii(part)))
            return false;
        if (field == 1) {
            if (!readHeader(part, *event.mutable_header()))
                return false;
        } else if (field == 3) {
            event.mutable_node_id()->assign(part.data(), part.size());
        } else if (field == 6) {
            event.mutable_llm_request_id()->assign(part.data(), part.size());
        } else { // a map entry: key = 1, value = 2, in that order
            WireReader entry(part);
            std::string_view key, value;
            if (!entry.tag(field, wire) || field != 1 || wire != kLength || !entry.ascii(key) ||
                !entry.tag(field, wire) || field != 2 || wire != kLength || !entry.bytes(value) ||
                !entry.done() || !readAttribute(value, (*event.mutable_attributes())[key]))
                return false;
        }
    }
    return (seen & 2) != 0; // the header was there (it is kept, so it must be)
}

// The payload is exactly one Event field: read it directly into `out`,
// which holds a cleared Event with a kept Header (clearForReuse).
bool readEventPayload(std::string_view payload, ds::DashStreamMessage& out)
{
    WireReader r(payload);
    int field = 0, wire = 0;
    std::string_view event;
    return r.tag(field, wire) && field == 1 && wire == kLength && r.bytes(event) && r.done() &&
           readEvent(event, *out.mutable_event());
}

bool isEmptyHeader(const ds::Header& h)
{
    return h.message_id().empty() && h.timestamp_us() == 0 && h.thread_id().empty() &&
           h.ByteSizeLong() == 0;
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
    DecodeInfo info;
    auto payload = unframe(record, info);
    if (!payload) {
        out.Clear();
        return payload.error();
    }
    info.protobufBytes = payload->size();
    if (payload->size() > limits_.maxMessageBytes) {
        out.Clear();
        return error(ErrorCode::MessageTooLarge, "message of " + bytesText(payload->size()) +
                                                     " exceeds the limit of " +
                                                     bytesText(limits_.maxMessageBytes));
    }
    // The same payload kind as the last record (the common case): its objects
    // are reused instead of freed and allocated again.
    bool keptHeader = false;
    bool parsed = false;
    bool plain =
        payload->empty() || !clearForReuse(out, std::uint8_t(payload->front()), keptHeader);
    if (!plain && keptHeader && out.message_case() == ds::DashStreamMessage::kEvent &&
        readEventPayload(*payload, out)) {
        parsed = true; // the commonest record, read without protobuf's parser
    } else if (!plain) {
        if (keptHeader && out.message_case() == ds::DashStreamMessage::kEvent)
            clearForReuse(out, std::uint8_t(payload->front()), keptHeader); // half-read: again
        parsed = out.ParseFrom<google::protobuf::MessageLite::kMerge>(
            google::protobuf::StringPiece(payload->data(), payload->size()));
        // The kept Header, still empty, would claim a header the record lacks.
        if (parsed && keptHeader) {
            const ds::Header* header = headerOf(out);
            plain = !header || isEmptyHeader(*header);
        }
    }
    if (plain) {
        out.Clear();
        parsed = out.ParseFromArray(payload->data(), static_cast<int>(payload->size()));
    }
    if (!parsed) {
        out.Clear();
        return error(ErrorCode::ProtobufInvalid,
                     "malformed DashStream protobuf (" + bytesText(payload->size()) +
                         "): truncated, not a DashStreamMessage, or text "
                         "that is not valid UTF-8");
    }
    const auto& unknown = unknownFields(out);
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
