#include "protocol/Dedupe.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <functional>
#include <random>

namespace nexus::protocol {
namespace {

constexpr std::size_t kMinSlots = 1024;
// The table grows 4x at a time (fewer rehashes, and fresh pages touched,
// on the way up than doubling), up to the size doubling reaches at capacity.
constexpr std::size_t kGrowth = 4;
constexpr std::size_t kMaxCapacity = std::size_t(1) << 31; // positions are 32-bit

// Seeds the slot hash per deduper, so that crafted ids cannot be lined up
// into one long probe sequence ahead of time.
std::uint64_t newSeed()
{
    static const std::uint64_t base = [] {
        std::random_device device;
        return (std::uint64_t(device()) << 32) ^ device();
    }();
    static std::atomic<std::uint64_t> counter{0};
    return base ^ (counter.fetch_add(1, std::memory_order_relaxed) * 0x9e3779b97f4a7c15ULL);
}

} // namespace

MessageIdDeduper::MessageIdDeduper(std::size_t capacity)
    : capacity_(std::clamp<std::size_t>(capacity, 1, kMaxCapacity)), seed_(newSeed())
{}

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

std::uint32_t MessageIdDeduper::hashOf(const Key& key) const
{
    std::uint64_t h = (key.hi ^ seed_) + key.lo * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return static_cast<std::uint32_t>(h);
}

void MessageIdDeduper::grow()
{
    std::vector<Slot> old = std::move(slots_);
    const std::size_t full = std::bit_ceil(2 * capacity_); // at most half full at capacity
    slots_.assign(std::max({kMinSlots, std::min(old.size() * kGrowth, full), 2 * old.size()}),
                  Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
        if (slot.position == 0)
            continue;
        std::size_t i = slot.hash & mask;
        while (slots_[i].position != 0)
            i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

// Removes the key at order_[head_] from the table, shifting the keys of its
// probe run back (no tombstones).
void MessageIdDeduper::forgetOldest()
{
    const std::size_t mask = slots_.size() - 1;
    const auto position = std::uint32_t(head_ + 1);
    std::size_t hole = hashOf(order_[head_]) & mask;
    while (slots_[hole].position != position)
        hole = (hole + 1) & mask;
    for (std::size_t j = (hole + 1) & mask; slots_[j].position != 0; j = (j + 1) & mask) {
        const std::size_t want = slots_[j].hash & mask;
        // The key at j may fill the hole when its home is not in (hole, j].
        const bool stays = hole < j ? (want > hole && want <= j) : (want > hole || want <= j);
        if (!stays) {
            slots_[hole] = slots_[j];
            hole = j;
        }
    }
    slots_[hole] = Slot{};
}

void MessageIdDeduper::prefetch(std::string_view messageId) const
{
    if (!messageId.empty() && !slots_.empty())
        __builtin_prefetch(&slots_[hashOf(keyOf(messageId)) & (slots_.size() - 1)]);
}

bool MessageIdDeduper::insert(std::string_view messageId)
{
    if (messageId.empty()) {
        ++unkeyed_;
        return true;
    }
    const Key key = keyOf(messageId);
    const std::uint32_t hash = hashOf(key);
    if (slots_.empty())
        grow();
    std::size_t mask = slots_.size() - 1;
    std::size_t i = hash & mask;
    for (; slots_[i].position != 0; i = (i + 1) & mask) {
        if (slots_[i].hash == hash && order_[slots_[i].position - 1] == key) {
            ++duplicates_;
            return false;
        }
    }
    std::size_t position = 0;
    if (order_.size() < capacity_) {
        if ((order_.size() + 1) * 2 > slots_.size())
            grow();
        if (order_.size() == order_.capacity())
            order_.reserve(std::min(capacity_, std::max<std::size_t>(64, order_.size() * 2)));
        position = order_.size();
        order_.push_back(key);
    } else {
        // Full: the oldest id makes room.
        forgetOldest();
        position = head_;
        order_[head_] = key;
        head_ = (head_ + 1) % capacity_;
    }
    // The table may have changed (grown, or keys shifted back): probe again.
    mask = slots_.size() - 1;
    i = hash & mask;
    while (slots_[i].position != 0)
        i = (i + 1) & mask;
    slots_[i] = Slot{std::uint32_t(position + 1), hash};
    return true;
}

void MessageIdDeduper::clear()
{
    slots_ = {};
    order_ = {};
    head_ = 0;
    duplicates_ = 0;
    unkeyed_ = 0;
}

} // namespace nexus::protocol
