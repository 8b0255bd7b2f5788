#pragma once
// Errors are values at the library boundary (STYLE.md habit 4): every decode,
// encode and file operation returns Expected<T>, never throws across it.

#include <string>
#include <utility>
#include <variant>

namespace nexus::protocol {

enum class ErrorCode
{
    EmptyRecord,       // a record value of zero bytes
    UnknownFrame,      // first byte is neither 0x00, 0x01 nor a legacy protobuf tag
    RecordTooLarge,    // the record value is larger than DecodeLimits::maxRecordBytes
    MessageTooLarge,   // the protobuf (after decompression) exceeds the limit
    ZstdNoContentSize, // a zstd frame that does not declare its content size
    ZstdTooLarge,      // the declared content size exceeds the limit (bomb guard)
    ZstdCorrupt,       // the zstd frame does not decompress
    ZstdSizeMismatch,  // the frame decompressed to another size than it declared
    ZstdTrailingData,  // bytes after the zstd frame
    ProtobufInvalid,   // the bytes are not a DashStreamMessage
    NoMessageKind,     // a valid protobuf with none of the nine payloads set
    UnexpectedFields,  // data beside the payload (garbage after a valid message)
    EncodeFailed,
    CompressFailed,
    TruncatedFile,
    IoError,
    InvalidJson,
};

// Stable snake_case name, used in JSON output and logs ("zstd_no_content_size").
const char* errorCodeName(ErrorCode code);

struct Error
{
    ErrorCode code;
    std::string message; // one sentence a person can act on
};

// A value or an error. E defaults to the protocol's Error; other plain-C++
// layers (runtime) use the same template with their own error type.
template <class T, class E = Error> class Expected
{
public:
    Expected(T value) : v_(std::move(value)) {}
    Expected(E error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const E& error() const { return std::get<1>(v_); }

private:
    std::variant<T, E> v_;
};

struct Ok
{
};
using Status = Expected<Ok>;

} // namespace nexus::protocol
