#include "client/Backoff.h"

#include <algorithm>
#include <cmath>

namespace nexus::client {

std::chrono::milliseconds BackoffPolicy::delay(int attempt, std::mt19937_64& random) const
{
    const int steps = std::clamp(attempt - 1, 0, 62);
    const double base = std::min(static_cast<double>(initial.count()) * std::pow(multiplier, steps),
                                 static_cast<double>(maximum.count()));
    std::uniform_real_distribution<double> spread(1.0 - jitter, 1.0 + jitter);
    return std::chrono::milliseconds(std::llround(base * spread(random)));
}

} // namespace nexus::client
