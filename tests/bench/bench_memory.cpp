// Memory of the console's live-run store (DESIGN.md §6: "memory: bounded by
// configurable caps with eviction; <= 400 bytes/record retained").
//
// Millions of realistic records (runs of the sample graphs) go into a
// models::RunStore in batches, as the console applies Kafka deliveries. A
// pool of messages is reused in copies; every copy rewrites each header's
// thread_id and message_id, so every copy makes new runs and nothing is
// deduplicated. At intervals the heap (mallinfo2) and RSS are taken:
//   - bytes per retained record = (heap now - heap before the store) /
//     steps the store still holds (a record is one step; an EventBatch is
//     one step per inner event);
//   - caps bound it: the heap after all records vs after half of them, with
//     the default limits and with a smaller maxRuns.
// The other per-record holders of the console (the Kafka consumer's pending
// buffer, the message-id deduper) are measured at their caps.

#include "client/KafkaConsumer.h"
#include "models/RunStore.h"
#include "protocol/Dedupe.h"

#include "BenchSupport.h"

#include <QTest>

#include <cstdio>
#include <malloc.h>
#include <set>
#include <unordered_map>

using namespace nexus;
using namespace nexus::bench;

namespace {

constexpr std::size_t kApplyBatch = 2048; // as the Kafka worker hands over (kPollBatch)

std::size_t totalRecords()
{
    return scaled(5'000'000, 50'000);
}

std::size_t checkpointEvery()
{
    return scaled(500'000, 5'000);
}

double mb(double bytes)
{
    return bytes / (1024.0 * 1024.0);
}

std::string hex(std::uint64_t value, int digits)
{
    std::string out(std::size_t(digits), '0');
    for (int i = digits - 1; i >= 0 && value; --i, value >>= 4)
        out[std::size_t(i)] = "0123456789abcdef"[value & 15];
    return out;
}

// The pool and what the copies rewrite.
struct Pool
{
    std::vector<ds::DashStreamMessage> messages;
    std::unordered_map<std::string, std::uint32_t> threads; // distinct thread ids -> index
};

const Pool& pool()
{
    static const Pool p = [] {
        Pool out;
        out.messages = sampleMessages(scaled(150'000, 5'000));
        for (auto& m : out.messages)
            protocol::forEachHeader(m, [&out](const ds::Header& h) {
                out.threads.emplace(h.thread_id(), std::uint32_t(out.threads.size()));
            });
        return out;
    }();
    return p;
}

// A fresh thread id of the same length for copy `copy` of a pool thread:
// its tail is replaced by a counter unique per (copy, thread).
std::string rewriteThread(const std::string& original, std::size_t copy)
{
    const Pool& p = pool();
    const auto it = p.threads.find(original);
    const std::uint64_t unique = std::uint64_t(copy) * p.threads.size() + it->second;
    const std::size_t keep = original.size() > 12 ? original.size() - 12 : 0;
    return original.substr(0, keep) + hex(unique, 12);
}

// Copy `copy` of pool message `index`: new thread ids, new message ids.
void copyMessage(std::size_t index, std::size_t copy, ds::DashStreamMessage& out)
{
    out = pool().messages[index];
    if (copy == 0)
        return;
    protocol::forEachHeader(out, [copy](ds::Header& h) {
        if (!h.thread_id().empty())
            h.set_thread_id(rewriteThread(h.thread_id(), copy));
        std::string id = h.message_id();
        for (std::size_t i = 0; i < 8 && i < id.size(); ++i)
            id[i] = char(std::uint8_t(id[i]) ^ std::uint8_t(copy >> (8 * i)));
        h.set_message_id(id);
    });
    if (out.has_execution_trace() && !out.execution_trace().thread_id().empty())
        out.mutable_execution_trace()->set_thread_id(
            rewriteThread(out.execution_trace().thread_id(), copy));
}

std::size_t retainedSteps(const models::RunStore& store)
{
    std::size_t steps = 0;
    for (const models::Run* run : store.runs())
        steps += run->steps.size();
    return steps;
}

// Heap taken by a deep copy of `value` (mallinfo2; chunk overhead
// included), plus the unused capacity of the original for vectors.
template <class T> double copyCost(const T& value)
{
    const auto before = double(heapBytes());
    const T copy(value);
    asm volatile("" : : "g"(&copy) : "memory"); // the copy is not optimised away
    return double(heapBytes()) - before;
}
template <class T> double copyCost(const std::vector<T>& value)
{
    const auto before = double(heapBytes());
    const std::vector<T> copy(value);
    asm volatile("" : : "g"(&copy) : "memory");
    return double(heapBytes()) - before + double((value.capacity() - value.size()) * sizeof(T));
}

// A message-id deduper with `capacity` after `inserts` distinct ids: what
// the store's own deduper holds after as many messages.
double deduperBytes(std::size_t capacity, std::size_t inserts)
{
    const auto before = double(heapBytes());
    auto dedupe = std::make_unique<protocol::MessageIdDeduper>(capacity);
    std::string id(16, '\0');
    for (std::uint64_t i = 0; i < inserts; ++i) {
        for (std::size_t b = 0; b < 8; ++b)
            id[b] = char(std::uint8_t((i * 0x9e3779b97f4a7c15ULL) >> (8 * b)));
        for (std::size_t b = 8; b < 16; ++b)
            id[b] = char(std::uint8_t(i >> (8 * (b - 8))));
        if (!dedupe->insert(id))
            qFatal("deduper: id %llu seen twice", static_cast<unsigned long long>(i));
    }
    return double(heapBytes()) - before;
}

// Where the store's heap goes, by structure (mallinfo2 of deep copies; the
// deduper from a twin fed as many ids). Printed per retained step.
void printBreakdown(const models::RunStore& store, double heap, std::size_t idsSeen)
{
    std::map<std::string, double> parts;
    std::set<const void*> states, graphs;
    std::size_t steps = 0;
    for (const models::Run* run : store.runs()) {
        steps += run->steps.size();
        parts["Run::steps (Step " + std::to_string(sizeof(models::Step)) + " bytes)"] +=
            copyCost(run->steps);
        parts["Run::strings (interned node names, step details)"] += copyCost(run->strings);
        parts["Run::internIndex (copy of every interned string)"] += copyCost(run->internIndex);
        parts["Run::stateSteps (patch text)"] += copyCost(run->stateSteps);
        parts["Run::spans"] += copyCost(run->spans);
        parts["Run::edges + issues + attributes + checkpoints"] +=
            copyCost(run->edges) + copyCost(run->issues) + copyCost(run->startAttributes) +
            copyCost(run->checkpoints) + copyCost(run->corruptedStretches);
        for (const auto& [index, snapshot] : run->snapshots)
            if (snapshot && states.insert(snapshot.get()).second)
                parts["Run::snapshots + current (state JSON)"] += copyCost(*snapshot);
        if (run->current && states.insert(run->current.get()).second)
            parts["Run::snapshots + current (state JSON)"] += copyCost(*run->current);
        parts["Run::snapshots + current (state JSON)"] += copyCost(run->snapshots);
        if (run->graph && graphs.insert(run->graph.get()).second)
            parts["graphs (shared by runs of a schema)"] += copyCost(*run->graph);
    }
    parts["message-id deduper (" + std::to_string(store.limits().dedupeCapacity) + " ids)"] =
        deduperBytes(store.limits().dedupeCapacity, idsSeen);
    double known = 0;
    for (const auto& [name, bytes] : parts)
        known += bytes;
    parts["rest: Run objects, per-run tracking, indexes, slack"] = heap - known;
    std::printf("  where the heap goes (%zu runs, %zu steps, %.1f MB):\n", store.size(), steps,
                mb(heap));
    for (const auto& [name, bytes] : parts)
        std::printf("    %-58s %7.2f MB %7.1f bytes/step\n", name.c_str(), mb(bytes),
                    steps ? bytes / double(steps) : 0.0);
    std::fflush(stdout);
}

struct Checkpoint
{
    std::size_t records = 0; // ingested so far
    std::size_t runs = 0;    // held by the store
    std::size_t steps = 0;   // retained
    double heapBytes = 0;    // above the baseline
    double rssBytes = 0;     // above the baseline
    double deduperBytes = 0; // the store's deduper (estimated; last checkpoint only)
    double bytesPerStep() const { return steps ? heapBytes / double(steps) : 0; }
};

struct Ingest
{
    std::vector<Checkpoint> checkpoints;
    std::uint64_t duplicates = 0;
    std::size_t maxRunsSeen = 0;
    std::size_t storeSize = 0;
};

// Feeds totalRecords() records into a store with `limits` in console-sized
// batches; a checkpoint every checkpointEvery() records.
Ingest ingest(const models::RunStoreLimits& limits)
{
    const Pool& p = pool();
    Ingest out;
    malloc_trim(0); // freed memory back to the system: RSS growth is the store's
    const auto heap0 = double(heapBytes());
    const auto rss0 = double(residentBytes());
    std::size_t idsSeen = 0;
    auto store = std::make_unique<models::RunStore>(limits);
    const std::size_t total = totalRecords();
    std::size_t done = 0;
    std::size_t nextCheckpoint = checkpointEvery();
    while (done < total) {
        // A delivery as the consumer makes it: owned messages, freed after
        // the apply (the console's RecordBatch is a shared_ptr).
        std::vector<ds::DashStreamMessage> batch(std::min(kApplyBatch, total - done));
        std::vector<const ds::DashStreamMessage*> pointers;
        pointers.reserve(batch.size());
        for (auto& m : batch) {
            copyMessage(done % p.messages.size(), done / p.messages.size(), m);
            protocol::forEachHeader(
                m, [&idsSeen](const ds::Header& h) { idsSeen += h.message_id().empty() ? 0 : 1; });
            pointers.push_back(&m);
            ++done;
        }
        store->apply(pointers, 0);
        batch = {};
        out.maxRunsSeen = std::max(out.maxRunsSeen, store->size());
        if (done >= nextCheckpoint || done == total) {
            nextCheckpoint += checkpointEvery();
            Checkpoint c;
            c.records = done;
            c.runs = store->size();
            c.steps = retainedSteps(*store);
            c.heapBytes = double(heapBytes()) - heap0;
            c.rssBytes = double(residentBytes()) - rss0;
            if (done == total) {
                c.deduperBytes = deduperBytes(limits.dedupeCapacity, idsSeen);
                printBreakdown(*store, c.heapBytes, idsSeen);
            }
            out.checkpoints.push_back(c);
            std::printf("  %9zu records: %4zu runs, %8zu steps retained, heap +%7.1f MB "
                        "(%6.1f bytes/step), RSS +%7.1f MB\n",
                        c.records, c.runs, c.steps, mb(c.heapBytes), c.bytesPerStep(),
                        mb(c.rssBytes));
            std::fflush(stdout);
        }
    }
    out.duplicates = store->duplicates();
    out.storeSize = store->size();
    return out;
}

// The checkpoint nearest to `records` ingested.
const Checkpoint& at(const Ingest& run, std::size_t records)
{
    const Checkpoint* best = &run.checkpoints.front();
    for (const auto& c : run.checkpoints)
        if (std::llabs(std::int64_t(c.records) - std::int64_t(records)) <
            std::llabs(std::int64_t(best->records) - std::int64_t(records)))
            best = &c;
    return *best;
}

// Reports one cap configuration; returns the final checkpoint.
Checkpoint reportIngest(const std::string& label, const Ingest& run,
                        const models::RunStoreLimits& limits)
{
    const std::size_t total = totalRecords();
    const Checkpoint& half = at(run, total / 2);
    const Checkpoint& last = run.checkpoints.back();
    // Steady state: the checkpoints from half of the input on (the store is
    // full; eviction keeps it at its cap).
    Figure perRecord{"memory." + label + ".bytes_per_record",
                     "bytes/record",
                     {},
                     Budget{400, Better::Lower, "<= 400 bytes/record retained"},
                     "heap above the empty store / steps held, at every checkpoint from " +
                         std::to_string(half.records) + " records on; maxRuns " +
                         std::to_string(limits.maxRuns)};
    for (const auto& c : run.checkpoints)
        if (c.records >= half.records)
            perRecord.samples.push_back(c.bytesPerStep());
    report(perRecord);

    report(Figure{"memory." + label + ".bytes_per_record_without_deduper",
                  "bytes/record",
                  {(last.heapBytes - last.deduperBytes) / double(last.steps)},
                  {},
                  "as bytes_per_record at the end, less the store's message-id deduper (" +
                      std::to_string(int(mb(last.deduperBytes))) + " MB for " +
                      std::to_string(limits.dedupeCapacity) + " ids, a fixed cost)"});
    report(Figure{"memory." + label + ".heap_growth_second_half",
                  "x",
                  {last.heapBytes / half.heapBytes},
                  {},
                  "heap after " + std::to_string(last.records) + " records " +
                      std::to_string(int(mb(last.heapBytes))) + " MB / after " +
                      std::to_string(half.records) + " " + std::to_string(int(mb(half.heapBytes))) +
                      " MB; runs held " + std::to_string(half.runs) + " -> " +
                      std::to_string(last.runs) + " (maxRuns " + std::to_string(limits.maxRuns) +
                      ")"});
    report(Figure{"memory." + label + ".heap_mb",
                  "MB",
                  {mb(last.heapBytes)},
                  {},
                  std::to_string(last.steps) + " steps in " + std::to_string(last.runs) +
                      " runs after " + std::to_string(last.records) + " records"});
    report(Figure{"memory." + label + ".rss_mb",
                  "MB",
                  {mb(last.rssBytes)},
                  {},
                  "RSS growth of the process (freed heap is not always returned)"});
    return last;
}

} // namespace

class BenchMemory : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        const Pool& p = pool();
        QVERIFY(!p.messages.empty());
        std::printf("pool: %zu messages in %zu threads, reused in %zu copies (%zu records)\n",
                    p.messages.size(), p.threads.size(),
                    (totalRecords() + p.messages.size() - 1) / p.messages.size(), totalRecords());
    }

    // The console's default caps (maxRuns 500), and a small cap to show that
    // the cap is what bounds memory.
    void runStoreCaps()
    {
        const models::RunStoreLimits defaults;
        models::RunStoreLimits small;
        small.maxRuns = 100;
        Checkpoint lastDefault, lastSmall;
        for (const auto& [label, limits, last] :
             {std::tuple{"runstore_default", defaults, &lastDefault},
              std::tuple{"runstore_maxruns100", small, &lastSmall}}) {
            std::printf("%s (maxRuns %zu):\n", label, limits.maxRuns);
            const Ingest run = ingest(limits);
            // It really did the work: every copy made new runs (nothing
            // deduplicated), the store filled up to its cap and never beyond.
            QCOMPARE(run.duplicates, std::uint64_t(0));
            QVERIFY(run.maxRunsSeen <= limits.maxRuns);
            QCOMPARE(run.storeSize, limits.maxRuns);
            QVERIFY(run.checkpoints.back().steps > 0);
            *last = reportIngest(label, run, limits);
        }
        report(Figure{"memory.runstore.heap_default_vs_maxruns100",
                      "x",
                      {lastDefault.heapBytes / lastSmall.heapBytes},
                      {},
                      "heap with maxRuns 500 / with maxRuns 100 after the same " +
                          std::to_string(totalRecords()) + " records (runs held " +
                          std::to_string(lastDefault.runs) + " / " +
                          std::to_string(lastSmall.runs) + ")"});
    }

    // The deduper in front of the store (and the store's own): bounded by
    // its capacity; bytes per remembered id.
    void deduperAtCapacity()
    {
        const std::size_t capacity = scaled(262'144, 16'384);
        const auto heap0 = double(heapBytes());
        auto dedupe = std::make_unique<protocol::MessageIdDeduper>(capacity);
        std::string id(16, '\0');
        for (std::uint64_t i = 0; i < 2 * capacity; ++i) {
            for (std::size_t b = 0; b < 8; ++b)
                id[b] = char(std::uint8_t((i * 0x9e3779b97f4a7c15ULL) >> (8 * b)));
            for (std::size_t b = 8; b < 16; ++b)
                id[b] = char(std::uint8_t(i >> (8 * (b - 8))));
            QVERIFY(dedupe->insert(id));
        }
        QCOMPARE(dedupe->size(), capacity);
        const double bytes = double(heapBytes()) - heap0;
        report(Figure{"memory.deduper.bytes_per_id",
                      "bytes/id",
                      {bytes / double(capacity)},
                      {},
                      std::to_string(capacity) + " ids held after " + std::to_string(2 * capacity) +
                          " inserts: " + std::to_string(int(mb(bytes))) + " MB"});
    }

    // The Kafka consumer's pending buffer when the console falls behind:
    // at most maxPendingRecords decoded records.
    void kafkaPendingAtCap()
    {
        const Pool& p = pool();
        const client::KafkaConsumerConfig config;
        const std::size_t cap = scaled(config.maxPendingRecords, 5'000);
        const auto heap0 = double(heapBytes());
        auto pending = std::make_unique<std::vector<client::ConsumedRecord>>();
        pending->reserve(cap);
        const QString topic = config.topics.front();
        for (std::size_t i = 0; i < cap; ++i) {
            client::ConsumedRecord record;
            record.topic = topic;
            record.offset = std::int64_t(i);
            copyMessage(i % p.messages.size(), i / p.messages.size() + 1, record.message);
            pending->push_back(std::move(record));
        }
        QCOMPARE(pending->size(), cap);
        const double bytes = double(heapBytes()) - heap0;
        report(Figure{"memory.kafka_pending.mb_at_cap",
                      "MB",
                      {mb(bytes)},
                      {},
                      std::to_string(cap) + " decoded records (maxPendingRecords), " +
                          std::to_string(int(bytes / double(cap))) + " bytes each"});
    }
};

QTEST_GUILESS_MAIN(BenchMemory)
#include "bench_memory.moc"
