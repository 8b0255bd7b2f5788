#pragma once
// Exponential backoff with jitter for re-subscribing streams: 250 ms, 500 ms,
// 1 s, ... capped at 8 s, each delay spread by ±20 % so a fleet of consoles
// does not reconnect in lockstep after a Nexus restart.

#include <chrono>
#include <cstdint>
#include <random>

namespace nexus::client {

struct BackoffPolicy
{
    std::chrono::milliseconds initial{250};
    std::chrono::milliseconds maximum{8000};
    double multiplier = 2.0;
    double jitter = 0.2; // ±fraction

    // Delay before retry `attempt` (1 = first retry).
    std::chrono::milliseconds delay(int attempt, std::mt19937_64& random) const;
};

} // namespace nexus::client
