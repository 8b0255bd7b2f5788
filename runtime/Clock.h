#pragma once
// Time in the runtime is simulated: a node's "latency" moves a clock forward,
// nothing sleeps. The executor calls advanceTo() before every timed event, so
// a clock that paces a live simulation (the fleet simulator) can sleep there;
// SimulatedClock just jumps, which makes runs instant and reproducible.

#include <algorithm>
#include <cstdint>

namespace nexus::runtime {

class Clock
{
public:
    virtual ~Clock() = default;
    virtual std::int64_t nowUs() const = 0; // microseconds since the Unix epoch
    virtual void advanceTo(std::int64_t timeUs) = 0;
};

class SimulatedClock final : public Clock
{
public:
    explicit SimulatedClock(std::int64_t startUs) : nowUs_(startUs) {}
    std::int64_t nowUs() const override { return nowUs_; }
    void advanceTo(std::int64_t timeUs) override { nowUs_ = std::max(nowUs_, timeUs); }

private:
    std::int64_t nowUs_;
};

// The start time of seeded runs unless one is given: 2023-11-14T22:13:20Z.
inline constexpr std::int64_t kSeededEpochUs = 1'700'000'000'000'000;

std::int64_t wallClockUs();

} // namespace nexus::runtime
