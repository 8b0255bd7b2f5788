#include "runtime/Clock.h"

#include <chrono>

namespace nexus::runtime {

std::int64_t wallClockUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace nexus::runtime
