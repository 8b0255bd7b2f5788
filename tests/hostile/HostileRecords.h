#pragma once
// Hostile DashStream records, shared by the console-side (decoder + RunStore)
// and the nexusd-side (Ingestor over the embedded broker) hostile tests.

#include "protocol/CanonicalJson.h"
#include "protocol/Framing.h"

#include <cstdint>
#include <google/protobuf/stubs/logging.h>
#include <string>
#include <zstd.h>

namespace nexus::hostile {

namespace ds = protocol::ds;

// 0x00 + protobuf, whatever its size (the encoder would refuse over 1 MiB).
inline std::string plainRecord(const ds::DashStreamMessage& m)
{
    return std::string(1, '\0') + m.SerializeAsString();
}

// The same for a message with invalid UTF-8 in string fields, as a foreign
// producer would send it (protobuf logs an error for each; silenced here).
inline std::string serializeQuietly(const ds::DashStreamMessage& m)
{
    google::protobuf::LogSilencer quiet;
    return plainRecord(m);
}

// 0x01 + one zstd frame of `content` (declaring its size unless told not to).
inline std::string zstdRecord(const std::string& content, bool declareSize = true)
{
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, declareSize ? 1 : 0);
    std::string frame(ZSTD_compressBound(content.size()), '\0');
    std::size_t n = 0;
    if (declareSize) {
        n = ZSTD_compress2(cctx, frame.data(), frame.size(), content.data(), content.size());
    } else { // streaming without a pledged size: the header has no content size
        ZSTD_outBuffer out{frame.data(), frame.size(), 0};
        ZSTD_inBuffer in{content.data(), content.size(), 0};
        n = ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end);
        n = ZSTD_isError(n) ? n : out.pos;
    }
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(n))
        return {};
    frame.resize(n);
    return std::string(1, '\x01') + frame;
}

// A zstd bomb: 64 MiB of zeros in a frame of a few kilobytes that says so.
inline std::string zstdBombRecord()
{
    return zstdRecord(std::string(64 * protocol::kMiB, '\0'));
}

// A zstd record whose frame header lies about its content size: it declares
// `declared` bytes but holds `content`. (Rewrites the Frame_Content_Size
// field of the frame header, RFC 8878 §3.1.1.1.)
inline std::string lyingZstdRecord(const std::string& content, std::uint64_t declared)
{
    std::string record = zstdRecord(content);
    const auto fhd = static_cast<std::uint8_t>(record[1 + 4]);
    const int fcsFlag = fhd >> 6;
    const bool single = (fhd >> 5) & 1;
    static const int dictSizes[] = {0, 1, 2, 4};
    const std::size_t at = 1 + 4 + 1 + (single ? 0 : 1) + std::size_t(dictSizes[fhd & 3]);
    const int fcsBytes = fcsFlag == 0 ? (single ? 1 : 0) : fcsFlag == 1 ? 2 : fcsFlag == 2 ? 4 : 8;
    std::uint64_t value = fcsFlag == 1 ? declared - 256 : declared;
    for (int i = 0; i < fcsBytes; ++i) {
        record[at + std::size_t(i)] = char(value & 0xff);
        value >>= 8;
    }
    return record;
}

// "[[[[...]]]]" nested `depth` levels.
inline std::string deepArray(int depth)
{
    return std::string(std::size_t(depth), '[') + std::string(std::size_t(depth), ']');
}

// {"a":{"a":...{"a":1}...}} nested `depth` levels.
inline std::string deepObject(int depth)
{
    std::string out;
    for (int i = 0; i < depth; ++i)
        out += "{\"a\":";
    out += "1";
    out += std::string(std::size_t(depth), '}');
    return out;
}

// Invalid UTF-8: a lone continuation byte, an overlong '/', a surrogate.
inline const std::string kBadUtf8 = std::string("bad\x80name\xc0\xaf\xed\xa0\x80", 13);

} // namespace nexus::hostile
