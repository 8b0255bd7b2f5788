#include "protocol/StateOps.h"

#include "protocol/CanonicalJson.h"

#include <algorithm>
#include <zstd.h>

namespace nexus::protocol {
namespace {

using json = nlohmann::json;

const char* const kOpNames[] = {"add", "remove", "replace", "move", "copy", "test"};

StateError stateError(StateError::Kind kind, std::string message)
{
    return StateError{kind, std::move(message)};
}

std::string num(std::uint64_t value)
{
    return std::to_string(value);
}

std::string digestBytes(std::string_view bytes)
{
    const Sha256 digest = sha256(bytes);
    return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

} // namespace

bool jsonDepthWithin(std::string_view text, int maxDepth)
{
    int depth = 0;
    bool inString = false, escaped = false;
    for (const char c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > maxDepth)
                return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

StateResult<json> parseStateJson(std::string_view text, std::size_t maxBytes)
{
    if (text.size() > maxBytes)
        return stateError(StateError::Kind::InvalidJson, "is " + num(text.size()) +
                                                             " bytes, over the " + num(maxBytes) +
                                                             "-byte limit");
    if (!jsonDepthWithin(text))
        return stateError(StateError::Kind::InvalidJson,
                          "is nested deeper than " + num(kMaxStateDepth) + " levels");
    json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded())
        return stateError(StateError::Kind::InvalidJson, "is not valid JSON");
    return value;
}

std::string diffOperationLabel(const ds::DiffOperation& op, int index)
{
    const int type = int(op.op());
    const std::string name = type >= 0 && type <= 5 ? kOpNames[type] : "op " + num(type);
    return "operation " + num(std::uint64_t(index) + 1) + " (" + name + " \"" + op.path() + "\")";
}

StateResult<json> stateDiffPatch(const ds::StateDiff& diff, std::size_t maxValueBytes)
{
    auto bad = [&](const ds::DiffOperation& op, int i, const std::string& what) {
        return stateError(StateError::Kind::BadOperation, diffOperationLabel(op, i) + ": " + what);
    };
    json patch = json::array();
    for (int i = 0; i < diff.operations_size(); ++i) {
        const ds::DiffOperation& op = diff.operations(i);
        const int type = int(op.op());
        if (type < 0 || type > 5)
            return bad(op, i, "unknown operation type");
        if (std::count(op.path().begin(), op.path().end(), '/') > kMaxStateDepth)
            return bad(op, i, "the path is nested too deeply");
        json item = {{"op", kOpNames[type]}, {"path", op.path()}};
        const bool takesValue = type == ds::DiffOperation::OP_TYPE_ADD ||
                                type == ds::DiffOperation::OP_TYPE_REPLACE ||
                                type == ds::DiffOperation::OP_TYPE_TEST;
        if (takesValue) {
            switch (op.encoding()) {
            case ds::DiffOperation::VALUE_ENCODING_JSON:
                if (op.value().empty()) {
                    if (type != ds::DiffOperation::OP_TYPE_ADD)
                        return bad(op, i, "the value is missing");
                    item["value"] = nullptr; // DashFlow: an empty add value means null
                } else {
                    auto value = parseStateJson(op.value(), maxValueBytes);
                    if (!value)
                        return bad(op, i, "the value " + value.error().message);
                    item["value"] = std::move(*value);
                }
                break;
            case ds::DiffOperation::VALUE_ENCODING_RAW:
                item["value"] = op.value(); // a UTF-8 string; checked when the patch is printed
                break;
            default:
                return bad(op, i,
                           "value encoding " + num(std::uint64_t(op.encoding())) +
                               " (MessagePack / protobuf) is not supported");
            }
        }
        if (type == ds::DiffOperation::OP_TYPE_MOVE || type == ds::DiffOperation::OP_TYPE_COPY)
            item["from"] = op.from();
        patch.push_back(std::move(item));
    }
    return patch;
}

std::string describePatchFailure(const ds::StateDiff& diff, const json& base, const json& patch,
                                 const std::string& fallback)
{
    json state = base;
    for (std::size_t i = 0; i < patch.size(); ++i) {
        try {
            state.patch_inplace(json::array({patch[i]}));
        } catch (const json::exception& e) {
            if (int(i) < diff.operations_size())
                return diffOperationLabel(diff.operations(int(i)), int(i)) + ": " + e.what();
            return e.what();
        }
    }
    return fallback;
}

StateResult<std::string> decompressZstdFrame(std::string_view frame, std::size_t maxBytes)
{
    const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (size == ZSTD_CONTENTSIZE_ERROR)
        return stateError(StateError::Kind::Unreadable, "is not a zstd frame");
    if (size == ZSTD_CONTENTSIZE_UNKNOWN)
        return stateError(StateError::Kind::Unreadable,
                          "is a zstd frame that does not declare its content size");
    if (size > maxBytes) // checked before anything is allocated
        return stateError(StateError::Kind::Unreadable, "declares " + num(size) +
                                                            " bytes uncompressed, over the " +
                                                            num(maxBytes) + "-byte limit");
    std::string plain(std::size_t(size), '\0');
    const std::size_t got = ZSTD_decompress(plain.data(), plain.size(), frame.data(), frame.size());
    if (ZSTD_isError(got) || got != size)
        return stateError(StateError::Kind::Unreadable, "does not decompress");
    return plain;
}

StateResult<json> decodeCheckpointState(const ds::Checkpoint& checkpoint, std::size_t maxBytes)
{
    auto unreadable = [](const std::string& what) {
        return stateError(StateError::Kind::Unreadable, "its state " + what);
    };
    std::optional<std::string> decompressed;
    const auto compression = checkpoint.compression_info().type();
    if (compression == ds::COMPRESSION_ZSTD) {
        auto plain = decompressZstdFrame(checkpoint.state(), maxBytes);
        if (!plain)
            return unreadable(plain.error().message);
        decompressed = std::move(*plain);
    } else if (compression != ds::COMPRESSION_NONE) {
        return unreadable("uses compression " + num(std::uint64_t(compression)) +
                          ", which is not supported");
    }
    const std::string& plain = decompressed ? *decompressed : checkpoint.state();
    auto parsed = parseStateJson(plain, maxBytes);
    if (!parsed)
        return unreadable(parsed.error().message);
    if (!checkpoint.checksum().empty() && digestBytes(plain) != checkpoint.checksum())
        return stateError(StateError::Kind::ChecksumMismatch,
                          "its checksum does not match its state");
    return parsed;
}

const char* hashVerdictName(HashVerdict verdict)
{
    switch (verdict) {
    case HashVerdict::Verified:
        return "verified";
    case HashVerdict::Mismatch:
        return "mismatch";
    case HashVerdict::Unverified:
        return "unverified";
    }
    return "unverified";
}

HashVerdict verifyStateHash(const json& state, std::string_view recordedHash)
{
    if (recordedHash.empty())
        return HashVerdict::Unverified;
    return stateHashBytes(state) == recordedHash ? HashVerdict::Verified : HashVerdict::Mismatch;
}

} // namespace nexus::protocol
