#pragma once
// Shared by the benchmarks (docs/PERFORMANCE.md, DESIGN.md §6): smoke mode,
// repetitions, figures with their budget, and a corpus of realistic
// DashStream messages made by running the sample graphs.
//
// Each benchmark is a Qt Test executable. Full runs (CTest label "bench",
// `scripts/bench`) repeat every measurement and report the median; smoke
// runs (label "bench-smoke", NEXUS_BENCH_SMOKE=1, in CI) run each once on a
// small input to prove the benchmark still works. Nothing here asserts a
// timing: figures are printed ("BENCH name: median ...") and, when
// NEXUS_BENCH_OUT names a file, appended to it as JSON lines for the table.

#include "protocol/Messages.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nexus::bench {

namespace ds = protocol::ds;

// NEXUS_BENCH_SMOKE=1: one short repetition on a small input.
bool smoke();
// Repetitions of each measurement: 1 in smoke mode, else NEXUS_BENCH_REPS
// (default 5).
int repetitions();
// `full` in a full run, `small` in smoke mode.
std::size_t scaled(std::size_t full, std::size_t small);

enum class Better
{
    Higher, // a rate: the budget is a floor
    Lower,  // a time or a size: the budget is a ceiling
};

struct Budget
{
    double limit = 0; // 0: no budget (a reference figure)
    Better better = Better::Lower;
    std::string text; // as DESIGN.md §6 states it
};

struct Figure
{
    std::string name; // "decode.plain.records_per_s"
    std::string unit; // "records/s", "ms", "bytes/record"
    std::vector<double> samples;
    Budget budget;
    std::string note; // e.g. "0.82x raw librdkafka (same run)"
};

double median(std::vector<double> values);
double percentile(std::vector<double> values, double p); // p in [0, 100]

// Prints the figure and appends it to NEXUS_BENCH_OUT. Returns the median.
double report(const Figure& figure);

// Wall clock in seconds (steady), and the process's CPU time (user+system).
double nowSeconds();
double threadCpuSeconds();
// Resident set size now, from /proc/self/statm; and live heap bytes
// (mallinfo2's uordblks + hblkhd).
std::size_t residentBytes();
std::size_t heapBytes();
// Another process's resident set size (/proc/<pid>/status VmRSS) and CPU
// seconds (user + system, /proc/<pid>/stat); -1 when it is gone.
double processResidentBytes(std::int64_t pid);
double processCpuSeconds(std::int64_t pid);

// Runs of the sample graphs (resources/graphs), seeded from `firstSeed` on,
// in their emission order, until at least `minMessages` messages; every run
// has its own thread id and message ids. Instances are labelled
// "bench-<n>" across `instances` instances.
std::vector<ds::DashStreamMessage> sampleMessages(std::size_t minMessages,
                                                  std::uint64_t firstSeed = 1, int instances = 16);
// The same messages framed as DashFlow's producer frames them: `compress`
// false = plain 0x00 records; true = zstd above the 512-byte threshold.
std::vector<std::string> encodeAll(const std::vector<ds::DashStreamMessage>& messages,
                                   bool compress);
// The total of record sizes.
std::size_t totalBytes(const std::vector<std::string>& records);

} // namespace nexus::bench
