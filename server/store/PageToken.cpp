#include "server/store/PageToken.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace nexus::server::sqlite {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in)
{
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : in) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(buffer >> bits) & 0x3f];
        }
    }
    if (bits > 0)
        out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
    return out;
}

std::optional<std::string> unbase64url(std::string_view in)
{
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : in) {
        const auto index = kAlphabet.find(c);
        if (index == std::string_view::npos)
            return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(index);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

} // namespace

std::string encodePageToken(char kind, std::int64_t position)
{
    return base64url(std::string(1, kind) + ":" + std::to_string(position));
}

StoreResult<std::int64_t> decodePageToken(const std::string& token, char kind)
{
    if (token.empty())
        return std::int64_t{0};
    const StoreError invalid{StoreError::Code::Invalid,
                             "page_token was not issued by this server for this query"};
    if (token.size() > 64)
        return invalid;
    const auto text = unbase64url(token);
    if (!text || text->size() < 3 || (*text)[0] != kind || (*text)[1] != ':')
        return invalid;
    std::int64_t position = 0;
    const char* begin = text->data() + 2;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(begin, end, position);
    if (ec != std::errc() || ptr != end || position < 0)
        return invalid;
    return position;
}

std::int64_t pageSize(std::int32_t requested, std::int64_t defaultSize, std::int64_t maxSize)
{
    if (requested <= 0)
        return defaultSize;
    return std::min<std::int64_t>(requested, maxSize);
}

} // namespace nexus::server::sqlite
