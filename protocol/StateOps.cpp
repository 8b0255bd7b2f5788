#include "protocol/StateOps.h"

#include "protocol/CanonicalJson.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>
#include <zstd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace {

// RFC 3629 UTF-8 (what nlohmann's lexer accepts in a string): the length of
// the sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8Length(std::string_view s, std::size_t i)
{
    const auto b = [&](std::size_t k) {
        return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
    };
    const unsigned c = b(0);
    const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
        return b(k) >= lo && b(k) <= hi;
    };
    if (c >= 0xC2 && c <= 0xDF)
        return cont(1) ? 2 : 0;
    if (c == 0xE0)
        return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xED)
        return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    if (c == 0xF0)
        return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
        return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xF4)
        return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

// The values DashFlow sends most - a string without \u escapes, an
// integer, true / false / null - parsed exactly as nlohmann's parser would
// (a non-negative integer is number_unsigned). False: not one of those (or
// not valid JSON); nlohmann's parser decides.
bool parseSimpleValue(std::string_view text, json& out)
{
    if (text.empty())
        return false;
    if (text == "true" || text == "false") {
        out = text == "true";
        return true;
    }
    if (text == "null") {
        out = nullptr;
        return true;
    }
    if (text.front() == '"') {
        if (text.size() < 2 || text.back() != '"')
            return false;
        std::string value;
        value.reserve(text.size() - 2);
        for (std::size_t i = 1; i + 1 < text.size();) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c == '"' || c < 0x20)
                return false; // the string ends early, or a raw control character
            if (c == '\\') {
                if (i + 2 >= text.size())
                    return false;
                static constexpr std::string_view from = "\"\\/bfnrt", to = "\"\\/\b\f\n\r\t";
                const std::size_t k = from.find(text[i + 1]);
                if (k == std::string_view::npos)
                    return false; // \u... and invalid escapes
                value += to[k];
                i += 2;
            } else if (c < 0x80) {
                // The run of plain ASCII from here, in one append.
                std::size_t j = i + 1;
#if defined(__SSE2__)
                while (j + 17 <= text.size()) { // 16 bytes at a time, the closing quote kept out
                    const __m128i chunk =
                        _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + j));
                    const __m128i special =
                        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('"')),
                                                  _mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'))),
                                     _mm_cmpeq_epi8(_mm_max_epu8(chunk, _mm_set1_epi8(0x1f)),
                                                    _mm_set1_epi8(0x1f))); // below 0x20
                    // ... or from 0x80 (the sign bit): not plain ASCII either
                    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(special) |
                                                            _mm_movemask_epi8(chunk));
                    if (mask != 0) {
                        j += std::size_t(std::countr_zero(mask));
                        break;
                    }
                    j += 16;
                }
#endif
                while (j + 1 < text.size()) {
                    const auto d = static_cast<unsigned char>(text[j]);
                    if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\')
                        break;
                    ++j;
                }
                value.append(text.substr(i, j - i));
                i = j;
            } else {
                const std::size_t n = utf8Length(text.substr(0, text.size() - 1), i);
                if (n == 0)
                    return false;
                value.append(text.substr(i, n));
                i += n;
            }
        }
        out = std::move(value);
        return true;
    }
    const bool negative = text.front() == '-';
    const std::string_view digits = text.substr(negative ? 1 : 0);
    const auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
    if (!digits.empty() && !std::all_of(digits.begin(), digits.end(), isDigit)) {
        // A float: JSON's number grammar checked here, the value from
        // from_chars, correctly rounded as nlohmann's strtod is.
        std::size_t i = 0;
        const auto run = [&] {
            const std::size_t from = i;
            while (i < digits.size() && isDigit(digits[i]))
                ++i;
            return i > from;
        };
        if (digits[0] == '0')
            ++i;
        else if (!run())
            return false;
        if (i < digits.size() && digits[i] == '.' && (++i, !run()))
            return false;
        if (i < digits.size() && (digits[i] == 'e' || digits[i] == 'E')) {
            ++i;
            if (i < digits.size() && (digits[i] == '+' || digits[i] == '-'))
                ++i;
            if (!run())
                return false;
        }
        double number = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (i != digits.size() || error != std::errc() || end != text.data() + text.size() ||
            !std::isfinite(number))
            return false;
        out = number;
        return true;
    }
    if (digits.empty() || digits.size() > (negative ? 18 : 19) ||
        (digits.front() == '0' && digits.size() > 1))
        return false;
    std::uint64_t value = 0;
    for (const char c : digits)
        value = value * 10 + std::uint64_t(c - '0');
    if (negative)
        out = -static_cast<std::int64_t>(value);
    else
        out = value;
    return true;
}

// A plain array index ("0", "17"), as json_pointer::array_index accepts it.
std::optional<std::size_t> plainIndex(std::string_view token)
{
    if (token.empty() || token.size() > 9 || (token[0] == '0' && token.size() > 1) ||
        !std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::size_t index = 0;
    for (const char c : token)
        index = index * 10 + std::size_t(c - '0');
    return index;
}

// Resolves an RFC 6901 pointer as json::at(json_pointer) does, for the plain
// cases only: null when any token is unusual (an escape other than ~0 / ~1,
// an array index that is not a plain number, "-"), when a step does not
// exist, or when a primitive is in the way. With `last`, resolves all but
// the last token and returns that one (unescaped, in `lastToken`).
json* resolvePlain(json& root, std::string_view path, std::string* lastToken = nullptr)
{
    if (!path.empty() && path.front() != '/')
        return nullptr;
    json* at = &root;
    std::string scratch;
    std::string_view token;
    for (std::size_t start = 0; start < path.size();) {
        const std::size_t end = std::min(path.find('/', start + 1), path.size());
        if (!pointerToken(path.substr(start + 1, end - start - 1), scratch, token))
            return nullptr;
        start = end;
        if (lastToken && start == path.size()) {
            lastToken->assign(token);
            return at;
        }
        if (at->is_object()) {
            auto& object = at->get_ref<json::object_t&>();
            const auto it = object.find(token); // std::less<>: no std::string made
            if (it == object.end())
                return nullptr;
            at = &it->second;
        } else if (at->is_array()) {
            auto& array = at->get_ref<json::array_t&>();
            const auto index = plainIndex(token);
            if (!index || *index >= array.size())
                return nullptr;
            at = &array[*index];
        } else {
            return nullptr;
        }
    }
    return lastToken ? nullptr : at; // with `lastToken`: the root has no parent
}

// One add / remove / replace done directly; false when it is not a plain
// case (then json::patch_inplace does it, or fails).
bool applyPlain(json& state, int type, std::string_view path, json& value)
{
    if (type == ds::DiffOperation::OP_TYPE_REPLACE) {
        json* target = resolvePlain(state, path);
        if (!target)
            return false;
        *target = std::move(value);
        return true;
    }
    std::string last;
    json* parent = path.empty() ? nullptr : resolvePlain(state, path, &last);
    if (!parent)
        return false; // also the root: left to patch_inplace
    if (type == ds::DiffOperation::OP_TYPE_ADD) {
        if (parent->is_object()) {
            (*parent)[last] = std::move(value);
            return true;
        }
        if (!parent->is_array())
            return false;
        auto& array = parent->get_ref<json::array_t&>();
        if (last == "-") {
            array.push_back(std::move(value));
            return true;
        }
        const auto index = plainIndex(last);
        if (!index || *index > array.size())
            return false;
        array.insert(array.begin() + std::ptrdiff_t(*index), std::move(value));
        return true;
    }
    // remove
    if (parent->is_object()) {
        auto& object = parent->get_ref<json::object_t&>();
        const auto it = object.find(last);
        if (it == object.end())
            return false;
        object.erase(it);
        return true;
    }
    if (!parent->is_array())
        return false;
    auto& array = parent->get_ref<json::array_t&>();
    const auto index = plainIndex(last);
    if (!index || *index >= array.size())
        return false;
    array.erase(array.begin() + std::ptrdiff_t(*index));
    return true;
}

bool isAscii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

} // namespace

DiffApply applyStateDiffInPlace(const ds::StateDiff& diff, json& state, std::string& patchText,
                                std::size_t maxValueBytes)
{
    // First everything that can refuse without touching the state: the
    // kinds of operation and the values (as stateDiffPatch checks them).
    const int count = diff.operations_size();
    std::array<json, 4> few; // DashFlow's diffs have a few operations
    std::vector<json> many(count > 4 ? std::size_t(count) : 0);
    const auto values = count > 4 ? many.data() : few.data();
    for (int i = 0; i < count; ++i) {
        const ds::DiffOperation& op = diff.operations(i);
        const int type = int(op.op());
        if ((type != ds::DiffOperation::OP_TYPE_ADD && type != ds::DiffOperation::OP_TYPE_REMOVE &&
             type != ds::DiffOperation::OP_TYPE_REPLACE) ||
            !isAscii(op.path()) || // other paths: as stateDiffPatch + dump() treat them
            std::count(op.path().begin(), op.path().end(), '/') > kMaxStateDepth)
            return DiffApply::NotHandled;
        if (type == ds::DiffOperation::OP_TYPE_REMOVE)
            continue;
        if (op.encoding() != ds::DiffOperation::VALUE_ENCODING_JSON)
            return DiffApply::NotHandled;
        json& value = values[std::size_t(i)];
        if (op.value().empty()) {
            if (type != ds::DiffOperation::OP_TYPE_ADD)
                return DiffApply::NotHandled; // "the value is missing"
            value = nullptr;                  // DashFlow: an empty add value means null
        } else if (op.value().size() > maxValueBytes) {
            return DiffApply::NotHandled;
        } else if (!parseSimpleValue(op.value(), value)) {
            auto parsed = parseStateJson(op.value(), maxValueBytes);
            if (!parsed)
                return DiffApply::NotHandled;
            value = std::move(*parsed);
        }
    }
    // The patch text: the RFC 6902 array stateDiffPatch builds, with each
    // value as it came (compact JSON that was just parsed, so json::parse
    // reads back the same value; an empty add value is null).
    std::size_t size = 2;
    for (const ds::DiffOperation& op : diff.operations())
        size += 40 + op.path().size() + op.value().size();
    patchText.clear();
    patchText.reserve(size);
    patchText += '[';
    for (int i = 0; i < count; ++i) {
        const ds::DiffOperation& op = diff.operations(i);
        patchText += i ? ",{\"op\":\"" : "{\"op\":\"";
        patchText += kOpNames[int(op.op())];
        patchText += "\",\"path\":";
        appendSerdeString(patchText, op.path());
        if (op.op() != ds::DiffOperation::OP_TYPE_REMOVE) {
            patchText += ",\"value\":";
            patchText +=
                op.value().empty() ? std::string_view("null") : std::string_view(op.value());
        }
        patchText += '}';
    }
    patchText += ']';
    // Then the operations, in order.
    for (int i = 0; i < count; ++i) {
        const ds::DiffOperation& op = diff.operations(i);
        const int type = int(op.op());
        json& value = values[std::size_t(i)];
        if (applyPlain(state, type, op.path(), value))
            continue;
        json item = json::object();
        item["op"] = kOpNames[type];
        item["path"] = op.path();
        if (type != ds::DiffOperation::OP_TYPE_REMOVE)
            item["value"] = std::move(value);
        try {
            patchJsonInPlace(state, json::array({std::move(item)}));
        } catch (const json::exception&) {
            return DiffApply::Failed;
        }
    }
    return DiffApply::Applied;
}

std::string describePatchFailure(const ds::StateDiff& diff, const json& base, const json& patch,
                                 const std::string& fallback)
{
    json state = base;
    for (std::size_t i = 0; i < patch.size(); ++i) {
        try {
            patchJsonInPlace(state, json::array({patch[i]}));
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
