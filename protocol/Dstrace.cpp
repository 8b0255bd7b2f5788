#include "protocol/Dstrace.h"

#include <limits>

namespace nexus::protocol {

Status DstraceWriter::append(std::string_view value)
{
    if (value.size() > std::numeric_limits<std::uint32_t>::max())
        return Error{ErrorCode::RecordTooLarge, "record too large for a .dstrace length prefix"};
    const auto n = static_cast<std::uint32_t>(value.size());
    const char prefix[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                            static_cast<char>(n >> 8), static_cast<char>(n)};
    out_.write(prefix, 4);
    out_.write(value.data(), static_cast<std::streamsize>(value.size()));
    if (!out_)
        return Error{ErrorCode::IoError, "writing the .dstrace file failed"};
    ++records_;
    return Ok{};
}

std::optional<Expected<DstraceRecord>> DstraceReader::next()
{
    if (done_)
        return std::nullopt;
    unsigned char prefix[4];
    in_.read(reinterpret_cast<char*>(prefix), 4);
    const auto got = in_.gcount();
    if (got == 0) {
        done_ = true;
        return std::nullopt;
    }
    DstraceRecord record;
    record.index = index_++;
    record.offset = offset_;
    if (got < 4) {
        done_ = true;
        return Expected<DstraceRecord>(
            Error{ErrorCode::TruncatedFile, "file ends inside the length prefix of record " +
                                                std::to_string(record.index) + " at byte " +
                                                std::to_string(record.offset)});
    }
    const std::uint32_t n = std::uint32_t(prefix[0]) << 24 | std::uint32_t(prefix[1]) << 16 |
                            std::uint32_t(prefix[2]) << 8 | std::uint32_t(prefix[3]);
    offset_ += 4;
    if (n > maxRecordBytes_) {
        in_.ignore(n);
        const auto skipped = static_cast<std::uint64_t>(in_.gcount());
        offset_ += skipped;
        if (skipped < n)
            done_ = true;
        return Expected<DstraceRecord>(Error{
            ErrorCode::RecordTooLarge, "record " + std::to_string(record.index) + " declares " +
                                           std::to_string(n) + " bytes, over the limit of " +
                                           std::to_string(maxRecordBytes_) + "; skipped"});
    }
    record.value.resize(n);
    in_.read(record.value.data(), n);
    const auto read = static_cast<std::uint64_t>(in_.gcount());
    offset_ += read;
    if (read < n) {
        done_ = true;
        return Expected<DstraceRecord>(
            Error{ErrorCode::TruncatedFile,
                  "file ends inside record " + std::to_string(record.index) + ": " +
                      std::to_string(read) + " of " + std::to_string(n) + " bytes present"});
    }
    return Expected<DstraceRecord>(std::move(record));
}

} // namespace nexus::protocol
