#pragma once
// .dstrace files (docs/formats.md): a sequence of records, each a 4-byte
// big-endian length followed by that many bytes of a Kafka record value.

#include "protocol/Expected.h"

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace nexus::protocol {

class DstraceWriter
{
public:
    explicit DstraceWriter(std::ostream& out) : out_(out) {}
    Status append(std::string_view recordValue);
    std::uint64_t records() const { return records_; }

private:
    std::ostream& out_;
    std::uint64_t records_ = 0;
};

struct DstraceRecord
{
    std::uint64_t index = 0;  // position of the record in the file
    std::uint64_t offset = 0; // byte offset of its length prefix
    std::string value;        // the record value
};

class DstraceReader
{
public:
    explicit DstraceReader(std::istream& in, std::uint32_t maxRecordBytes = 10 * 1024 * 1024 + 1)
        : in_(in), maxRecordBytes_(maxRecordBytes)
    {}

    // The next record, an error for a bad one, or nullopt at the end.
    // An oversize record is reported and skipped; a truncated file is
    // reported once and ends the reading.
    std::optional<Expected<DstraceRecord>> next();

private:
    std::istream& in_;
    std::uint32_t maxRecordBytes_;
    std::uint64_t index_ = 0;
    std::uint64_t offset_ = 0;
    bool done_ = false;
};

} // namespace nexus::protocol
