// State reconstruction budgets (DESIGN.md §6): decode + JSON Patch +
// state-hash verify per StateDiff with states of about 2 KB, on one core;
// and time travel: the state at any step of a 100,000-step run.
//
// The records are what DashFlow sends: a GRAPH_START with
// initial_state_json, then StateDiffs of 1-3 operations built by the
// runtime's fillStateDiff (json::diff of the agent state, values as compact
// JSON, state_hash = SHA-256 of the canonical new state), framed as plain
// records. The states change as an agent's do: an iteration counter, one
// message's text, now and then a float score.

#include "models/RunStore.h"
#include "protocol/CanonicalJson.h"
#include "protocol/Framing.h"
#include "runtime/StateMessages.h"

#include "BenchSupport.h"

#include <QTest>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>

using namespace nexus;
using namespace nexus::bench;
using json = nlohmann::json;

namespace {

constexpr std::size_t kApplyBatch = 2048; // as the Kafka worker hands over (kPollBatch)

const char* const kWords[] = {
    "the",   "agent", "searched",  "for",     "recent", "papers",  "on",     "retrieval", "and",
    "found", "three", "relevant",  "results", "which",  "support", "answer", "with",      "a",
    "brief", "quote", "\"cited\"", "source",  "café",   "naïve",   "then",   "asked",     "tool"};

struct Generator
{
    std::mt19937_64 rng;
    json state;
    std::uint64_t idCounter = 0;

    explicit Generator(std::uint64_t seed) : rng(seed) { state = initialState(); }

    std::string text(std::size_t approxBytes)
    {
        std::string out;
        while (out.size() < approxBytes) {
            if (!out.empty())
                out += rng() % 40 == 0 ? "\n" : " ";
            out += kWords[rng() % std::size(kWords)];
        }
        return out;
    }

    json initialState()
    {
        json s;
        s["query"] = text(60);
        s["iteration"] = 0;
        s["status"] = "running";
        s["messages"] = json::array();
        for (int i = 0; i < 8; ++i)
            s["messages"].push_back({{"role", i % 2 ? "assistant" : "user"},
                                     {"content", text(130)},
                                     {"tokens", 20 + i}});
        s["scores"] = {{"relevance", 0.5}, {"confidence", 0.25}, {"coverage", 1.0}};
        s["plan"] = json::array({text(30), text(30), text(30), text(30)});
        s["context"] = {{"cursor", "c-0"}, {"documents", json::array()}};
        for (int i = 0; i < 3; ++i)
            s["context"]["documents"].push_back({{"id", "doc-" + std::to_string(i)},
                                                 {"title", text(40)},
                                                 {"score", 0.9 - i * 0.1}});
        return s;
    }

    // One node's effect on the state: 1-3 changed values.
    void step()
    {
        state["iteration"] = state["iteration"].get<int>() + 1;
        if (rng() % 10 < 7)
            state["messages"][rng() % 8]["content"] = text(130);
        if (rng() % 10 < 4) {
            static const char* const keys[] = {"relevance", "confidence", "coverage"};
            state["scores"][keys[rng() % 3]] = double(rng() % 100'000) / 997.0;
        }
    }

    ds::Header header(const std::string& thread, std::uint64_t sequence, ds::MessageType type)
    {
        ds::Header h;
        std::string id(16, '\0');
        const std::uint64_t n = ++idCounter;
        const std::uint64_t r = rng();
        for (int i = 0; i < 8; ++i) {
            id[std::size_t(i)] = char((r >> (8 * i)) & 0xff);
            id[std::size_t(8 + i)] = char((n >> (8 * i)) & 0xff);
        }
        h.set_message_id(id);
        h.set_timestamp_us(1'800'000'000'000'000 + std::int64_t(n) * 1000);
        h.set_tenant_id("default");
        h.set_thread_id(thread);
        h.set_sequence(sequence);
        h.set_type(type);
        h.set_schema_version(1);
        return h;
    }
};

// One run: GRAPH_START (step 0) and `diffs` StateDiffs (steps 1..diffs).
// `keepAt`: steps whose state is kept in `states` for checking.
struct RunRecords
{
    std::vector<std::string> records;
    std::map<std::uint32_t, json> states;
    json finalState;
    std::size_t stateBytes = 0; // canonical JSON of the final state
};

RunRecords makeRun(const std::string& thread, std::size_t diffs, std::uint64_t seed,
                   const std::set<std::uint32_t>& keepAt = {})
{
    Generator g(seed);
    RunRecords out;
    std::vector<ds::DashStreamMessage> messages;
    messages.reserve(diffs + 1);
    ds::DashStreamMessage start;
    ds::Event* e = start.mutable_event();
    *e->mutable_header() = g.header(thread, 1, ds::MESSAGE_TYPE_EVENT);
    e->set_event_type(ds::EVENT_TYPE_GRAPH_START);
    (*e->mutable_attributes())["graph_name"].set_string_value("state_bench");
    (*e->mutable_attributes())["initial_state_json"].set_string_value(g.state.dump());
    messages.push_back(std::move(start));
    if (keepAt.count(0))
        out.states[0] = g.state;
    for (std::size_t i = 1; i <= diffs; ++i) {
        const json previous = g.state;
        g.step();
        ds::DashStreamMessage m;
        ds::StateDiff* d = m.mutable_state_diff();
        *d->mutable_header() = g.header(thread, i + 1, ds::MESSAGE_TYPE_STATE_DIFF);
        runtime::fillStateDiff(*d, previous, g.state, "");
        messages.push_back(std::move(m));
        if (keepAt.count(std::uint32_t(i)))
            out.states[std::uint32_t(i)] = g.state;
    }
    out.records = encodeAll(messages, false);
    out.finalState = g.state;
    out.stateBytes = protocol::canonicalJson(g.state).size();
    return out;
}

// Decodes every record and applies them in batches, as the console does
// (its decoder and batch live as long as the connection).
struct Pipeline
{
    protocol::RecordDecoder decoder;
    std::vector<ds::DashStreamMessage> batch = std::vector<ds::DashStreamMessage>(kApplyBatch);
    std::vector<const ds::DashStreamMessage*> pointers;
};

void decodeAndApply(const std::vector<std::string>& records, models::RunStore& store,
                    Pipeline& pipeline)
{
    auto& [decoder, batch, pointers] = pipeline;
    for (std::size_t i = 0; i < records.size();) {
        pointers.clear();
        for (std::size_t n = 0; n < kApplyBatch && i < records.size(); ++i) {
            if (!decoder.decode(records[i], batch[n]))
                qFatal("record %zu does not decode", i);
            pointers.push_back(&batch[n++]);
        }
        store.apply(pointers, 0);
    }
}

std::string compact(const json& value)
{
    return value.dump(); // keeps 1 and 1.0 apart, unlike json ==
}

std::string fixed(double value, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

} // namespace

class BenchState : public QObject
{
    Q_OBJECT

    struct Corpus
    {
        std::vector<RunRecords> runs;
        std::size_t diffs = 0;
    };
    Corpus corpus_;

private slots:
    void initTestCase()
    {
        const std::size_t runs = scaled(10, 2);
        const std::size_t diffsPerRun = scaled(10'000, 1'000);
        for (std::size_t r = 0; r < runs; ++r) {
            corpus_.runs.push_back(makeRun("state-bench-" + std::to_string(r), diffsPerRun, r + 1));
            corpus_.diffs += diffsPerRun;
        }
        std::printf("corpus: %zu runs, %zu StateDiffs, final states of %zu bytes (canonical "
                    "JSON), %.1f MB of records\n",
                    runs, corpus_.diffs, corpus_.runs.front().stateBytes,
                    double(totalBytes(corpus_.runs.front().records) * runs) / 1e6);
        QVERIFY(corpus_.runs.front().stateBytes > 1500 && corpus_.runs.front().stateBytes < 3000);
    }

    // Budget: decode + JSON Patch + hash verify, per StateDiff.
    void stateDiffThroughput()
    {
        Figure rate{"state.diff_apply.diffs_per_s",
                    "StateDiffs/s",
                    {},
                    {250'000, Better::Higher, "≥ 250,000 StateDiffs/s (~2 KB states)"},
                    ""};
        std::vector<double> decodeUs, shaUs, hashUs, totalUs;
        for (int rep = 0; rep < repetitions(); ++rep) {
            models::RunStore store;
            Pipeline pipeline;
            const double start = threadCpuSeconds();
            for (const RunRecords& run : corpus_.runs)
                decodeAndApply(run.records, store, pipeline);
            const double seconds = threadCpuSeconds() - start;
            rate.samples.push_back(double(corpus_.diffs) / seconds);
            totalUs.push_back(seconds * 1e6 / double(corpus_.diffs));

            // Every StateDiff verified, every run ends in the generator's state.
            QCOMPARE(store.size(), corpus_.runs.size());
            for (std::size_t r = 0; r < corpus_.runs.size(); ++r) {
                const models::Run* run = store.runs()[r];
                QVERIFY(run->issues.empty());
                QVERIFY(!run->corrupted);
                QCOMPARE(run->stateSteps.size(), corpus_.runs[r].records.size());
                for (std::size_t s = 1; s < run->stateSteps.size(); ++s)
                    QVERIFY(run->stateSteps[s].verdict == models::StateVerdict::Verified);
                QVERIFY(run->current);
                QCOMPARE(compact(*run->current), compact(corpus_.runs[r].finalState));
            }

            // The split: decode alone; SHA-256 alone of the canonical text
            // (read whole for every StateDiff); the whole hash from scratch
            // (the store writes only the parts a patch touched).
            protocol::RecordDecoder decoder;
            ds::DashStreamMessage message;
            const double decodeStart = threadCpuSeconds();
            for (const RunRecords& run : corpus_.runs)
                for (const std::string& record : run.records)
                    if (!decoder.decode(record, message))
                        qFatal("record does not decode");
            decodeUs.push_back((threadCpuSeconds() - decodeStart) * 1e6 / double(corpus_.diffs));
            const json& state = corpus_.runs.front().finalState;
            const std::string text = protocol::canonicalJson(state);
            const int hashes = int(scaled(20'000, 500));
            std::size_t sink = 0;
            const double shaStart = threadCpuSeconds();
            for (int i = 0; i < hashes; ++i)
                sink += protocol::sha256(text)[0];
            shaUs.push_back((threadCpuSeconds() - shaStart) * 1e6 / double(hashes));
            const double hashStart = threadCpuSeconds();
            for (int i = 0; i < hashes; ++i)
                sink += std::uint8_t(protocol::stateHashBytes(state)[0]);
            hashUs.push_back((threadCpuSeconds() - hashStart) * 1e6 / double(hashes));
            QVERIFY(sink <= std::size_t(hashes) * 2 * 255); // the hashes were really taken
        }
        const double total = median(totalUs), decode = median(decodeUs), sha = median(shaUs);
        rate.note = "thread CPU time, " + fixed(total, 2) + " us/StateDiff: decode " +
                    fixed(decode, 2) + " us, SHA-256 of the " +
                    std::to_string(corpus_.runs.front().stateBytes) + "-byte canonical state " +
                    fixed(sha, 2) + " us, patch + changed parts' canonical JSON + store " +
                    fixed(std::max(0.0, total - decode - sha), 2) +
                    " us (a whole state hash from scratch: " + fixed(median(hashUs), 2) + " us)";
        report(rate);
    }

    // Budget: the state at any step of a 100,000-step run.
    void timeTravel()
    {
        const std::size_t steps = scaled(100'000, 5'000);
        const std::size_t lookups = scaled(1'000, 100);
        std::mt19937 rng(11);
        std::uniform_int_distribution<std::uint32_t> pick(0, std::uint32_t(steps - 1));
        std::vector<std::uint32_t> targets(lookups);
        for (auto& t : targets)
            t = pick(rng);
        // Checked against the generator's own states (built by mutation,
        // not by patching) at some of them, the first and the last.
        std::set<std::uint32_t> checked = {0, 1, std::uint32_t(steps - 1)};
        for (std::size_t i = 0; i < targets.size(); i += targets.size() / 20)
            checked.insert(targets[i]);
        const RunRecords run = makeRun("time-travel", steps - 1, 99, checked);

        models::RunStore store;
        Pipeline pipeline;
        decodeAndApply(run.records, store, pipeline);
        QCOMPARE(store.size(), std::size_t(1));
        const models::Run& r = *store.runs().front();
        QCOMPARE(r.steps.size(), steps);
        QVERIFY(r.issues.empty());
        for (const auto& [step, expected] : run.states) {
            const models::StateAt at = store.stateAt(r, step);
            QVERIFY(at.state);
            QCOMPARE(at.stateStep, step);
            QVERIFY(!at.corrupted);
            QCOMPARE(compact(*at.state), compact(expected));
        }

        Figure p99{"state.time_travel.p99_ms", "ms", {}, {5, Better::Lower, "≤ 5 ms"}, ""};
        Figure mid{"state.time_travel.median_ms", "ms", {}, {}, ""};
        std::size_t found = 0;
        for (int rep = 0; rep < repetitions(); ++rep) {
            std::vector<double> ms;
            ms.reserve(targets.size());
            for (const std::uint32_t step : targets) {
                const double start = threadCpuSeconds();
                const models::StateAt at = store.stateAt(r, step);
                ms.push_back((threadCpuSeconds() - start) * 1e3);
                found += at.state && at.stateStep == step ? 1 : 0;
            }
            p99.samples.push_back(percentile(ms, 99));
            mid.samples.push_back(median(ms));
        }
        QCOMPARE(found, targets.size() * std::size_t(repetitions()));
        const std::string note = "thread CPU time per stateAt over " +
                                 std::to_string(targets.size()) + " random steps of a " +
                                 std::to_string(steps) + "-step run (" +
                                 std::to_string(run.stateBytes) + "-byte states, snapshot every " +
                                 std::to_string(store.limits().snapshotInterval) + " state steps)";
        p99.note = note;
        mid.note = note;
        report(p99);
        report(mid);
    }
};

QTEST_GUILESS_MAIN(BenchState)
#include "bench_state.moc"
