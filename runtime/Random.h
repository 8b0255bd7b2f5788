#pragma once
// A small deterministic random source. std::*_distribution results differ
// between standard libraries, so a seeded run would not reproduce across
// platforms; these draws are defined here, bit for bit.

#include <cstdint>
#include <optional>
#include <string>

namespace nexus::runtime {

class Rng
{
public:
    // Seeded: the same seed gives the same sequence everywhere.
    // Unseeded: seeded from std::random_device.
    explicit Rng(std::optional<std::uint64_t> seed = std::nullopt);

    std::uint64_t next();
    double uniform01();                                        // [0, 1)
    double uniform(double lo, double hi);                      // [lo, hi)
    std::int64_t uniformInt(std::int64_t lo, std::int64_t hi); // [lo, hi]
    double normal(double mean, double stddev);
    bool chance(double probability);
    // 16 bytes shaped as a UUIDv4 (version and variant bits set).
    std::string uuidBytes();
    // n lowercase hex digits.
    std::string hex(int digits);

private:
    std::uint64_t s_[4];
};

} // namespace nexus::runtime
