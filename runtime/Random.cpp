#include "runtime/Random.h"

#include <cmath>
#include <numbers>
#include <random>

namespace nexus::runtime {
namespace {

std::uint64_t splitmix64(std::uint64_t& x)
{
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

std::uint64_t entropySeed()
{
    std::random_device device;
    return (std::uint64_t(device()) << 32) ^ device();
}

} // namespace

Rng::Rng(std::optional<std::uint64_t> seed)
{
    std::uint64_t x = seed ? *seed : entropySeed();
    for (auto& word : s_)
        word = splitmix64(x);
}

// xoshiro256** (Blackman & Vigna): fast, small state, good statistical quality.
std::uint64_t Rng::next()
{
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform01()
{
    return double(next() >> 11) * 0x1.0p-53;
}

double Rng::uniform(double lo, double hi)
{
    return lo + (hi - lo) * uniform01();
}

std::int64_t Rng::uniformInt(std::int64_t lo, std::int64_t hi)
{
    if (hi <= lo)
        return lo;
    const std::uint64_t span = std::uint64_t(hi - lo) + 1;
    return lo + std::int64_t(span == 0 ? next() : next() % span);
}

double Rng::normal(double mean, double stddev)
{
    // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    const double u1 = 1.0 - uniform01();
    const double u2 = uniform01();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    return mean + stddev * z;
}

bool Rng::chance(double probability)
{
    return probability > 0 && uniform01() < probability;
}

std::string Rng::uuidBytes()
{
    std::string bytes(16, '\0');
    for (int half = 0; half < 2; ++half) {
        const std::uint64_t word = next();
        for (int i = 0; i < 8; ++i)
            bytes[half * 8 + i] = char((word >> (8 * i)) & 0xff);
    }
    bytes[6] = char((bytes[6] & 0x0f) | 0x40);
    bytes[8] = char((bytes[8] & 0x3f) | 0x80);
    return bytes;
}

std::string Rng::hex(int digits)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(std::size_t(digits));
    std::uint64_t word = 0;
    for (int i = 0; i < digits; ++i) {
        if (i % 16 == 0)
            word = next();
        out.push_back(kDigits[word & 0xf]);
        word >>= 4;
    }
    return out;
}

} // namespace nexus::runtime
