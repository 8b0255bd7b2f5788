#include "protocol/CanonicalJson.h"

#include "protocol/Ids.h"

#include <charconv>
#include <cmath>
#include <openssl/sha.h>
#include <system_error>

namespace nexus::protocol {

void appendSerdeF64(std::string& out, double value)
{
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    if (value == 0.0) {
        out += std::signbit(value) ? "-0.0" : "0.0";
        return;
    }
    // std::to_chars gives the shortest round-trip digits, as ryu does; only
    // the layout below is serde_json's (ryu's "pretty" format).
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    if (sci.front() == '-') {
        out += '-';
        sci.remove_prefix(1);
    }
    const std::size_t e = sci.find('e');
    std::string_view exponentText = sci.substr(e + 1);
    if (exponentText.front() == '+')
        exponentText.remove_prefix(1);
    int exponent = 0;
    std::from_chars(exponentText.data(), exponentText.data() + exponentText.size(), exponent);

    char digits[32];
    int length = 0;
    for (char c : sci.substr(0, e))
        if (c != '.')
            digits[length++] = c;
    const std::string_view d(digits, static_cast<std::size_t>(length));
    const int kk = exponent + 1; // 10^(kk-1) <= |v| < 10^kk
    const int k = kk - length;   // |v| = digits * 10^k

    if (0 <= k && kk <= 16) {
        out += d;
        out.append(static_cast<std::size_t>(k), '0');
        out += ".0";
    } else if (0 < kk && kk <= 16) {
        out += d.substr(0, static_cast<std::size_t>(kk));
        out += '.';
        out += d.substr(static_cast<std::size_t>(kk));
    } else if (-5 < kk && kk <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-kk), '0');
        out += d;
    } else {
        out += d.front();
        if (length > 1) {
            out += '.';
            out += d.substr(1);
        }
        out += 'e';
        out += std::to_string(kk - 1);
    }
}

void appendSerdeString(std::string& out, std::string_view s)
{
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(s.data() + start, i - start);
        start = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    out.append(s.data() + start, s.size() - start);
    out += '"';
}

namespace {

template <class Int> void appendInteger(std::string& out, Int v)
{
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

} // namespace

void appendCanonicalJson(std::string& out, const nlohmann::json& v)
{
    using T = nlohmann::json::value_t;
    switch (v.type()) {
    case T::null:
    case T::discarded:
        out += "null";
        return;
    case T::boolean:
        out += v.get_ref<const bool&>() ? "true" : "false";
        return;
    case T::number_integer:
        appendInteger(out, v.get_ref<const nlohmann::json::number_integer_t&>());
        return;
    case T::number_unsigned:
        appendInteger(out, v.get_ref<const nlohmann::json::number_unsigned_t&>());
        return;
    case T::number_float:
        appendSerdeF64(out, v.get_ref<const double&>());
        return;
    case T::string:
        appendSerdeString(out, v.get_ref<const std::string&>());
        return;
    case T::binary: {
        // serde_json has no binary type; serialise as it would a Vec<u8>.
        out += '[';
        bool first = true;
        for (auto b : v.get_binary()) {
            if (!first)
                out += ',';
            first = false;
            appendInteger(out, static_cast<unsigned>(b));
        }
        out += ']';
        return;
    }
    case T::array: {
        out += '[';
        bool first = true;
        for (const auto& item : v) {
            if (!first)
                out += ',';
            first = false;
            appendCanonicalJson(out, item);
        }
        out += ']';
        return;
    }
    case T::object: {
        // nlohmann's object_t is a std::map<std::string, ...>: its iteration
        // order is std::string's, i.e. unsigned byte order = UTF-8 order.
        out += '{';
        bool first = true;
        for (const auto& [key, item] : v.items()) {
            if (!first)
                out += ',';
            first = false;
            appendSerdeString(out, key);
            out += ':';
            appendCanonicalJson(out, item);
        }
        out += '}';
        return;
    }
    }
}

std::string canonicalJson(const nlohmann::json& value)
{
    std::string out;
    appendCanonicalJson(out, value);
    return out;
}

Sha256 sha256(std::string_view bytes)
{
    Sha256 digest{};
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
    return digest;
}

Sha256 stateHash(const nlohmann::json& state)
{
    return sha256(canonicalJson(state));
}

std::string stateHashBytes(const nlohmann::json& state)
{
    const Sha256 h = stateHash(state);
    return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string stateHashHex(const nlohmann::json& state)
{
    return toHex(stateHashBytes(state));
}

} // namespace nexus::protocol
