#include "protocol/Expected.h"

namespace nexus::protocol {

const char* errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::EmptyRecord:
        return "empty_record";
    case ErrorCode::UnknownFrame:
        return "unknown_frame";
    case ErrorCode::RecordTooLarge:
        return "record_too_large";
    case ErrorCode::MessageTooLarge:
        return "message_too_large";
    case ErrorCode::ZstdNoContentSize:
        return "zstd_no_content_size";
    case ErrorCode::ZstdTooLarge:
        return "zstd_too_large";
    case ErrorCode::ZstdCorrupt:
        return "zstd_corrupt";
    case ErrorCode::ZstdSizeMismatch:
        return "zstd_size_mismatch";
    case ErrorCode::ZstdTrailingData:
        return "zstd_trailing_data";
    case ErrorCode::ProtobufInvalid:
        return "protobuf_invalid";
    case ErrorCode::NoMessageKind:
        return "no_message_kind";
    case ErrorCode::UnexpectedFields:
        return "unexpected_fields";
    case ErrorCode::EncodeFailed:
        return "encode_failed";
    case ErrorCode::CompressFailed:
        return "compress_failed";
    case ErrorCode::TruncatedFile:
        return "truncated_file";
    case ErrorCode::IoError:
        return "io_error";
    case ErrorCode::InvalidJson:
        return "invalid_json";
    }
    return "unknown";
}

} // namespace nexus::protocol
