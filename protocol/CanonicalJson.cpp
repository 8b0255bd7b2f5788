#include "protocol/CanonicalJson.h"

#include "protocol/Ids.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <map>
#include <memory>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <system_error>
#include <vector>

namespace nexus::protocol {

namespace {

// serde_json's text for an f64 into `w` (at least 32 bytes); returns the end.
char* writeSerdeF64(char* w, double value)
{
    if (!std::isfinite(value)) {
        std::memcpy(w, "null", 4);
        return w + 4;
    }
    if (value == 0.0) {
        const std::string_view zero = std::signbit(value) ? "-0.0" : "0.0";
        std::memcpy(w, zero.data(), zero.size());
        return w + zero.size();
    }
    if (value < 0) {
        *w++ = '-';
        value = -value;
    }
    // std::to_chars gives the shortest round-trip digits, as ryu does; only
    // the layout below is serde_json's (ryu's "pretty" format).
    char sci[32];
    const char* const sciEnd =
        std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific).ptr;
    // "d[.ddd]e[+-]xx": the digits without the point, and the exponent.
    char digits[24];
    int length = 0;
    const char* p = sci;
    for (; p != sciEnd && *p != 'e'; ++p)
        if (*p != '.')
            digits[length++] = *p;
    int exponent = 0;
    std::from_chars(p + (p[1] == '+' ? 2 : 1), sciEnd, exponent);
    const int kk = exponent + 1; // 10^(kk-1) <= |v| < 10^kk
    const int k = kk - length;   // |v| = digits * 10^k
    const auto put = [&w](const char* from, int n) {
        std::memcpy(w, from, std::size_t(n));
        w += n;
    };
    if (0 <= k && kk <= 16) {
        put(digits, length);
        std::memset(w, '0', std::size_t(k));
        w += k;
        put(".0", 2);
    } else if (0 < kk && kk <= 16) {
        put(digits, kk);
        *w++ = '.';
        put(digits + kk, length - kk);
    } else if (-5 < kk && kk <= 0) {
        put("0.", 2);
        std::memset(w, '0', std::size_t(-kk));
        w += -kk;
        put(digits, length);
    } else {
        *w++ = digits[0];
        if (length > 1) {
            *w++ = '.';
            put(digits + 1, length - 1);
        }
        *w++ = 'e';
        w = std::to_chars(w, w + 8, kk - 1).ptr;
    }
    return w;
}

} // namespace

void appendSerdeF64(std::string& out, double value)
{
    char buf[40];
    out.append(buf, writeSerdeF64(buf, value));
}

namespace {

// The bytes a JSON string escapes: control characters, '"' and '\\'.
constexpr auto kEscaped = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c)
        table[std::size_t(c)] = true;
    table['"'] = table['\\'] = true;
    return table;
}();

// serde_json's escape of one byte (at most 6 bytes written); returns the end.
char* writeEscape(char* w, unsigned char c)
{
    static constexpr char hex[] = "0123456789abcdef";
    static constexpr std::string_view from = "\"\\\b\f\n\r\t", to = "\"\\bfnrt";
    *w++ = '\\';
    if (const std::size_t k = from.find(char(c)); c != 0 && k != std::string_view::npos) {
        *w++ = to[k];
        return w;
    }
    const char u[] = {'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
    std::memcpy(w, u, sizeof u);
    return w + sizeof u;
}

// Canonical JSON into a plain growable buffer: one capacity check per
// value, bytes written through a pointer (std::string's per-call append
// bookkeeping was most of the cost).
class Writer
{
public:
    std::string_view text() const { return {buffer_.get(), std::size_t(cursor_ - buffer_.get())}; }
    void clear() { cursor_ = buffer_.get(); }
    std::size_t capacity() const { return std::size_t(limit_ - buffer_.get()); }

    void value(const nlohmann::json& v);
    void string(std::string_view s);
    void put(char c) { *room(1) = c, ++cursor_; }
    void put(std::string_view s)
    {
        std::memcpy(room(s.size()), s.data(), s.size());
        cursor_ += s.size();
    }

private:
    // Room for `n` more bytes.
    char* room(std::size_t n)
    {
        if (std::size_t(limit_ - cursor_) < n)
            grow(n);
        return cursor_;
    }
    void grow(std::size_t n)
    {
        const std::size_t used = std::size_t(cursor_ - buffer_.get());
        const std::size_t size = std::max({std::size_t(256), 2 * capacity(), used + n});
        std::unique_ptr<char[]> bigger(new char[size]);
        if (used)
            std::memcpy(bigger.get(), buffer_.get(), used);
        buffer_ = std::move(bigger);
        cursor_ = buffer_.get() + used;
        limit_ = buffer_.get() + size;
    }
    template <class Int> void integer(Int v)
    {
        char* w = room(24);
        cursor_ = std::to_chars(w, w + 24, v).ptr;
    }

    std::unique_ptr<char[]> buffer_;
    char* cursor_ = nullptr;
    char* limit_ = nullptr;
};

void Writer::string(std::string_view s)
{
    // Room for the bytes as they are and the quotes (and for a 16-byte
    // store past the last one); an escape asks for more.
    char* w = room(s.size() + 18);
    *w++ = '"';
    const char* p = s.data();
    const char* const end = p + s.size();
    auto escape = [&] { // *p needs escaping
        cursor_ = w;
        w = room(std::size_t(end - p) + 22); // the escape, the quote, a 16-byte store
        w = writeEscape(w, static_cast<unsigned char>(*p++));
    };
#if defined(__SSE2__)
    // 16 bytes at a time: stored whole, kept up to the first byte to escape.
    const auto specials = [](__m128i chunk) {
        const __m128i special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('"')),
                         _mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'))),
            // c < 0x20 (unsigned): max(c, 0x1f) == 0x1f
            _mm_cmpeq_epi8(_mm_max_epu8(chunk, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f)));
        return static_cast<unsigned>(_mm_movemask_epi8(special));
    };
    while (end - p >= 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w), chunk);
        const unsigned mask = specials(chunk);
        if (mask == 0) {
            w += 16;
            p += 16;
            continue;
        }
        const int clean = std::countr_zero(mask);
        w += clean;
        p += clean;
        escape();
    }
    if (p != end && s.size() >= 16) {
        // The rest lies in the string's last 16 bytes: test those at once.
        const auto n = std::size_t(end - p);
        const unsigned mask =
            specials(_mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16))) >> (16 - n);
        const std::size_t clean = mask == 0 ? n : std::size_t(std::countr_zero(mask));
        std::memcpy(w, p, clean);
        w += clean;
        p += clean;
    }
#endif
    while (p != end) {
        if (kEscaped[static_cast<unsigned char>(*p)])
            escape();
        else
            *w++ = *p++;
    }
    *w++ = '"';
    cursor_ = w;
}

void Writer::value(const nlohmann::json& v)
{
    using T = nlohmann::json::value_t;
    switch (v.type()) {
    case T::null:
    case T::discarded:
        put("null");
        return;
    case T::boolean:
        put(v.get_ref<const bool&>() ? std::string_view("true") : std::string_view("false"));
        return;
    case T::number_integer:
        integer(v.get_ref<const nlohmann::json::number_integer_t&>());
        return;
    case T::number_unsigned:
        integer(v.get_ref<const nlohmann::json::number_unsigned_t&>());
        return;
    case T::number_float:
        cursor_ = writeSerdeF64(room(40), v.get_ref<const double&>());
        return;
    case T::string:
        string(v.get_ref<const std::string&>());
        return;
    case T::binary: {
        // serde_json has no binary type; serialise as it would a Vec<u8>.
        put('[');
        bool first = true;
        for (auto b : v.get_binary()) {
            if (!first)
                put(',');
            first = false;
            integer(static_cast<unsigned>(b));
        }
        put(']');
        return;
    }
    case T::array: {
        put('[');
        bool first = true;
        for (const auto& item : v.get_ref<const nlohmann::json::array_t&>()) {
            if (!first)
                put(',');
            first = false;
            value(item);
        }
        put(']');
        return;
    }
    case T::object: {
        // nlohmann's object_t is a std::map<std::string, ...>: its iteration
        // order is std::string's, i.e. unsigned byte order = UTF-8 order.
        put('{');
        bool first = true;
        for (const auto& [key, item] : v.get_ref<const nlohmann::json::object_t&>()) {
            if (!first)
                put(',');
            first = false;
            string(key);
            put(':');
            value(item);
        }
        put('}');
        return;
    }
    }
}

// A writer per thread, kept between calls; one grown by an unusually large
// document is given back.
constexpr std::size_t kKeptBytes = 1 << 20;

Writer& threadWriter()
{
    thread_local Writer writer;
    if (writer.capacity() > kKeptBytes)
        writer = Writer();
    writer.clear();
    return writer;
}

} // namespace

void appendSerdeString(std::string& out, std::string_view s)
{
    Writer& writer = threadWriter();
    writer.string(s);
    out += writer.text();
}

void appendCanonicalJson(std::string& out, const nlohmann::json& v)
{
    Writer& writer = threadWriter();
    writer.value(v);
    out += writer.text();
}

std::string canonicalJson(const nlohmann::json& value)
{
    std::string out;
    appendCanonicalJson(out, value);
    return out;
}

Sha256 sha256(std::string_view bytes)
{
    // The digest is fetched once and a context kept per thread: OpenSSL 3's
    // one-shot SHA256() looks the algorithm up on every call.
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    struct Context
    {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~Context() { EVP_MD_CTX_free(ctx); }
    };
    thread_local const Context context;
    Sha256 digest{};
    unsigned int size = 0;
    if (md && context.ctx && EVP_DigestInit_ex2(context.ctx, md, nullptr) == 1 &&
        EVP_DigestUpdate(context.ctx, bytes.data(), bytes.size()) == 1 &&
        EVP_DigestFinal_ex(context.ctx, digest.data(), &size) == 1 && size == digest.size())
        return digest;
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
    return digest;
}

Sha256 stateHash(const nlohmann::json& state)
{
    Writer& writer = threadWriter(); // no std::string: the bytes go straight to SHA-256
    writer.value(state);
    return sha256(writer.text());
}

// ------------------------------------------------------------ StateHashCache

bool pointerToken(std::string_view raw, std::string& scratch, std::string_view& token)
{
    if (raw.find('~') == std::string_view::npos) {
        token = raw;
        return true;
    }
    scratch.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '~')
            scratch += raw[i];
        else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1'))
            scratch += raw[++i] == '0' ? '~' : '/';
        else
            return false;
    }
    token = scratch;
    return true;
}

namespace {

constexpr std::size_t kMaxCachedBytes = 1 << 20; // larger documents: hashed whole

// One member of the root object: its value's canonical text, whole, or per
// element / member when the value is an array / object.
struct Member
{
    bool dirty = true; // write it all again
    bool split = false;
    bool array = false;
    std::string whole;                 // `"key":value` when not split
    std::vector<std::string> children; // element texts / `"key":value` texts
    std::vector<std::string> keys;     // the object's keys, in order
    std::vector<std::uint8_t> dirtyChildren;
    bool anyDirtyChild = false;
    std::string text; // when split: the children joined, `"key":[...]` / `"key":{...}`
};

} // namespace

struct StateHashCache::Parts
{
    std::map<std::string, Member, std::less<>> members;
    Writer writer; // the document's text, assembled from the parts
    Writer scratch;

    // Writes `value` (the member `key`) again, split when it has children.
    void write(Member& m, const std::string& key, const nlohmann::json& value)
    {
        // Reset, keeping the buffers: most rewrites are of the same member.
        m.dirty = false;
        m.anyDirtyChild = false;
        m.keys.clear();
        m.text.clear();
        m.split = (value.is_array() || value.is_object()) && !value.empty();
        if (!m.split) {
            m.children.clear();
            m.dirtyChildren.clear();
            scratch.clear();
            scratch.string(key);
            scratch.put(':');
            scratch.value(value);
            m.whole.assign(scratch.text());
            return;
        }
        m.array = value.is_array();
        m.dirtyChildren.assign(value.size(), 0);
        m.children.resize(value.size());
        std::size_t i = 0;
        if (m.array) {
            for (const auto& item : value.get_ref<const nlohmann::json::array_t&>())
                writeChild(m.children[i++], nullptr, item);
        } else {
            for (const auto& [k, item] : value.get_ref<const nlohmann::json::object_t&>()) {
                m.keys.push_back(k);
                writeChild(m.children[i++], &k, item);
            }
        }
    }
    void writeChild(std::string& out, const std::string* key, const nlohmann::json& value)
    {
        scratch.clear();
        if (key) {
            scratch.string(*key);
            scratch.put(':');
        }
        scratch.value(value);
        out.assign(scratch.text());
    }
    // Brings `m` up to date with `value` and appends its text.
    void emit(Member& m, const std::string& key, const nlohmann::json& value)
    {
        const bool sameShape = m.split && value.is_array() == m.array &&
                               (value.is_array() || value.is_object()) &&
                               value.size() == m.children.size();
        if (m.dirty || !sameShape)
            write(m, key, value);
        if (!m.split) {
            writer.put(m.whole);
            return;
        }
        if (!m.text.empty() && !m.anyDirtyChild) {
            writer.put(m.text);
            return;
        }
        const std::size_t start = writer.text().size();
        writer.string(key);
        writer.put(m.array ? std::string_view(":[") : std::string_view(":{"));
        std::size_t i = 0;
        const auto child = [&](const std::string* k, const nlohmann::json& item) {
            if (m.anyDirtyChild && m.dirtyChildren[i]) {
                writeChild(m.children[i], k, item);
                m.dirtyChildren[i] = 0;
            }
            if (i)
                writer.put(',');
            writer.put(m.children[i++]);
        };
        if (m.array) {
            for (const auto& item : value.get_ref<const nlohmann::json::array_t&>())
                child(nullptr, item);
        } else {
            for (const auto& [k, item] : value.get_ref<const nlohmann::json::object_t&>()) {
                if (k != m.keys[i]) { // the keys moved without a structural touch
                    writer.clear();
                    m.dirty = true;
                    return;
                }
                child(&k, item);
            }
        }
        m.anyDirtyChild = false;
        writer.put(m.array ? ']' : '}');
        m.text.assign(writer.text().substr(start));
    }
};

StateHashCache::StateHashCache() = default;
StateHashCache::~StateHashCache() = default;
StateHashCache::StateHashCache(StateHashCache&&) noexcept = default;
StateHashCache& StateHashCache::operator=(StateHashCache&&) noexcept = default;

void StateHashCache::reset()
{
    parts_.reset();
}

void StateHashCache::touch(std::string_view pointer, bool structural)
{
    if (!parts_)
        return;
    const std::size_t second = pointer.find('/', 1);
    const std::size_t third =
        second == std::string_view::npos ? second : pointer.find('/', second + 1);
    std::string keyScratch, childScratch;
    std::string_view key, child;
    if (pointer.empty() || pointer.front() != '/' ||
        !pointerToken(pointer.substr(1, second - 1), keyScratch, key) ||
        (second != std::string_view::npos &&
         !pointerToken(pointer.substr(second + 1, third - second - 1), childScratch, child)))
        return reset(); // the root itself, or not a pointer: start over
    const auto it = parts_->members.find(key);
    if (it == parts_->members.end())
        return; // a new member: written when hashed
    Member& m = it->second;
    if (second == std::string_view::npos || !m.split ||
        (structural && third == std::string_view::npos)) {
        m.dirty = true; // the member itself, or its set of children, changed
        return;
    }
    std::size_t index = m.children.size();
    if (m.array) {
        if (!child.empty() && child.size() < 10 && (child[0] != '0' || child.size() == 1) &&
            std::all_of(child.begin(), child.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            index = 0;
            for (const char c : child)
                index = index * 10 + std::size_t(c - '0');
        }
    } else {
        const auto at = std::lower_bound(m.keys.begin(), m.keys.end(), child);
        if (at != m.keys.end() && *at == child)
            index = std::size_t(at - m.keys.begin());
    }
    if (index >= m.children.size()) {
        m.dirty = true;
        return;
    }
    m.dirtyChildren[index] = 1;
    m.anyDirtyChild = true;
}

Sha256 StateHashCache::hash(const nlohmann::json& state)
{
    if (!state.is_object())
        return reset(), stateHash(state);
    if (!parts_)
        parts_ = std::make_unique<Parts>();
    Parts& p = *parts_;
    auto& members = p.members;
    for (int attempt = 0; attempt < 2; ++attempt) {
        p.writer.clear();
        p.writer.put('{');
        auto kept = members.begin();
        for (const auto& [key, value] : state.get_ref<const nlohmann::json::object_t&>()) {
            while (kept != members.end() && kept->first < key)
                kept = members.erase(kept); // a member that is gone
            if (kept == members.end() || kept->first != key)
                kept = members.emplace_hint(kept, key, Member{});
            if (p.writer.text().size() > 1) // past the '{'
                p.writer.put(',');
            p.emit(kept->second, key, value);
            if (kept->second.dirty)
                break; // emit() found stale parts: write again
            ++kept;
        }
        if (p.writer.text().empty())
            continue;
        members.erase(kept, members.end());
        p.writer.put('}');
        const Sha256 digest = sha256(p.writer.text());
        if (p.writer.capacity() > kMaxCachedBytes)
            reset(); // too large to keep twice
        return digest;
    }
    reset();
    return stateHash(state);
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
