#pragma once
// Dedupe by message_id (DASHSTREAM.md §3.2: never by thread + sequence).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace nexus::protocol {

class MessageIdDeduper
{
public:
    // Remembers at most `capacity` ids (at most 2^31); the oldest are
    // forgotten first.
    explicit MessageIdDeduper(std::size_t capacity = 1'000'000);

    // True when `messageId` was not seen before (and remembers it). An empty
    // id cannot be deduped: it is always reported as new and counted.
    bool insert(std::string_view messageId);
    // Starts loading the table slot of `messageId` into the cache. A caller
    // with a batch issues it a few ids ahead, so that insert() does not wait
    // for memory (ids are random: every lookup lands somewhere new).
    void prefetch(std::string_view messageId) const;

    std::size_t size() const { return order_.size(); }
    std::size_t capacity() const { return capacity_; }
    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t unkeyed() const { return unkeyed_; }
    void clear();

private:
    // A 16-byte id as is; any other id folded into 128 bits.
    struct Key
    {
        std::uint64_t hi = 0, lo = 0;
        bool operator==(const Key&) const = default;
    };
    // One slot of the open-addressing table (linear probing, a power-of-two
    // size, at most half full): where the key is in order_ (+1; 0 = empty)
    // and the low 32 bits of its hash, which give its home slot and filter
    // out most non-matching keys without reading order_.
    struct Slot
    {
        std::uint32_t position = 0;
        std::uint32_t hash = 0;
    };
    static Key keyOf(std::string_view id);
    std::uint32_t hashOf(const Key& key) const;
    void forgetOldest();
    void grow();

    std::size_t capacity_;
    std::uint64_t seed_;
    std::vector<Slot> slots_;
    // The remembered keys in insertion order: grows to capacity_, then a
    // ring whose oldest key is at head_.
    std::vector<Key> order_;
    std::size_t head_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t unkeyed_ = 0;
};

} // namespace nexus::protocol
