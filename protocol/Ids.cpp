#include "protocol/Ids.h"

#include <openssl/rand.h>
#include <random>

namespace nexus::protocol {

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
} // namespace

std::string toHex(std::string_view bytes)
{
    std::string out(bytes.size() * 2, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<std::uint8_t>(bytes[i]);
        out[2 * i] = kHexDigits[b >> 4];
        out[2 * i + 1] = kHexDigits[b & 0xf];
    }
    return out;
}

std::optional<std::string> fromHex(std::string_view hex)
{
    if (hex.size() % 2 != 0)
        return std::nullopt;
    std::string out(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hexValue(hex[2 * i]);
        const int lo = hexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<char>(hi << 4 | lo);
    }
    return out;
}

std::string newMessageId()
{
    std::string id(16, '\0');
    auto* p = reinterpret_cast<unsigned char*>(id.data());
    if (RAND_bytes(p, 16) != 1) {
        // The OpenSSL generator failing is not expected; fall back to the OS.
        std::random_device rd;
        for (auto& c : id)
            c = static_cast<char>(rd());
    }
    p[6] = static_cast<unsigned char>((p[6] & 0x0f) | 0x40); // version 4
    p[8] = static_cast<unsigned char>((p[8] & 0x3f) | 0x80); // RFC 4122 variant
    return id;
}

std::string uuidToString(std::string_view b)
{
    const std::string hex = toHex(b);
    if (hex.size() != 32)
        return hex;
    return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
           hex.substr(16, 4) + '-' + hex.substr(20);
}

std::string newUuidString()
{
    return uuidToString(newMessageId());
}

} // namespace nexus::protocol
