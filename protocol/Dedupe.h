#pragma once
// Dedupe by message_id (DASHSTREAM.md §3.2: never by thread + sequence).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_set>

namespace nexus::protocol {

class MessageIdDeduper
{
public:
    // Remembers at most `capacity` ids; the oldest are forgotten first.
    explicit MessageIdDeduper(std::size_t capacity = 1'000'000);

    // True when `messageId` was not seen before (and remembers it). An empty
    // id cannot be deduped: it is always reported as new and counted.
    bool insert(std::string_view messageId);

    std::size_t size() const { return set_.size(); }
    std::size_t capacity() const { return capacity_; }
    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t unkeyed() const { return unkeyed_; }
    void clear();

private:
    struct Key
    {
        std::uint64_t hi = 0, lo = 0;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash
    {
        std::size_t operator()(const Key& k) const noexcept;
    };
    static Key keyOf(std::string_view id);

    std::size_t capacity_;
    std::unordered_set<Key, KeyHash> set_;
    std::deque<Key> order_;
    std::uint64_t duplicates_ = 0;
    std::uint64_t unkeyed_ = 0;
};

} // namespace nexus::protocol
