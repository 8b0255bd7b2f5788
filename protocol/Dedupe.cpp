#include "protocol/Dedupe.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace nexus::protocol {

MessageIdDeduper::MessageIdDeduper(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1))
{}

std::size_t MessageIdDeduper::KeyHash::operator()(const Key& k) const noexcept
{
    // Message ids are random (UUIDv4), so mixing the halves is enough.
    return static_cast<std::size_t>(k.hi ^ (k.lo * 0x9e3779b97f4a7c15ULL));
}

MessageIdDeduper::Key MessageIdDeduper::keyOf(std::string_view id)
{
    Key key;
    if (id.size() == 16) {
        std::memcpy(&key.hi, id.data(), 8);
        std::memcpy(&key.lo, id.data() + 8, 8);
    } else {
        // Not a 16-byte id (a foreign producer): fold it into a 128-bit key.
        const std::size_t h = std::hash<std::string_view>{}(id);
        key.hi = h;
        key.lo = static_cast<std::uint64_t>(id.size()) ^ 0xa5a5a5a5a5a5a5a5ULL;
        if (!id.empty())
            key.lo ^= static_cast<std::uint64_t>(static_cast<std::uint8_t>(id.front())) << 56;
    }
    return key;
}

bool MessageIdDeduper::insert(std::string_view messageId)
{
    if (messageId.empty()) {
        ++unkeyed_;
        return true;
    }
    const Key key = keyOf(messageId);
    if (!set_.insert(key).second) {
        ++duplicates_;
        return false;
    }
    order_.push_back(key);
    if (order_.size() > capacity_) {
        set_.erase(order_.front());
        order_.pop_front();
    }
    return true;
}

void MessageIdDeduper::clear()
{
    set_.clear();
    order_.clear();
    duplicates_ = 0;
    unkeyed_ = 0;
}

} // namespace nexus::protocol
