#pragma once
// Progress and cancellation of long runtime work (reading a recording,
// building a replay). The callback is called from the thread doing the work,
// every kProgressEvery items and once at the end, with how many items are
// done of how many; returning false cancels: the work stops at that check and
// says so (Recording::cancelled, ReplaySession::cancelled()).

#include <cstddef>
#include <functional>

namespace nexus::runtime {

using ProgressFn = std::function<bool(std::size_t done, std::size_t total)>;

inline constexpr std::size_t kProgressEvery = 256;

// Calls `progress` every kProgressEvery items (and at done == total); true
// means go on. No callback: always true.
inline bool reportProgress(const ProgressFn& progress, std::size_t done, std::size_t total)
{
    if (!progress || (done % kProgressEvery != 0 && done != total))
        return true;
    return progress(done, total);
}

} // namespace nexus::runtime
