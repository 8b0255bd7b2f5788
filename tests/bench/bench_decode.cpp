// Decode alone (plain and zstd-framed records) and the console's in-memory
// pipeline: decode + dedupe by message_id + apply into the RunStore, on one
// core (DESIGN.md §6, first row). Records come from runs of the sample
// graphs: the realistic mix, and its node events alone (the budget's
// "typical node events").

#include "models/RunStore.h"
#include "protocol/Dedupe.h"
#include "protocol/Framing.h"

#include "BenchSupport.h"

#include <QTest>

#include <memory>

using namespace nexus;
using namespace nexus::bench;

namespace {

constexpr std::size_t kApplyBatch = 2048; // as the Kafka worker hands over (kPollBatch)

struct Corpus
{
    std::vector<ds::DashStreamMessage> messages;
    std::vector<std::string> plain;  // every message, 0x00 framing
    std::vector<std::string> zstd;   // every message, zstd framing where smaller
    std::vector<std::string> events; // Event messages of 100-400 bytes, plain
};

const Corpus& corpus()
{
    static const Corpus c = [] {
        Corpus out;
        out.messages = sampleMessages(scaled(200'000, 3'000));
        out.plain = encodeAll(out.messages, false);
        out.zstd = encodeAll(out.messages, true);
        for (std::size_t i = 0; i < out.messages.size(); ++i)
            if (protocol::kindOf(out.messages[i]) == protocol::MessageKind::Event &&
                out.plain[i].size() >= 100 && out.plain[i].size() <= 400)
                out.events.push_back(out.plain[i]);
        return out;
    }();
    return c;
}

// Decodes every record once; returns seconds.
double decodeAll(const std::vector<std::string>& records)
{
    protocol::RecordDecoder decoder;
    ds::DashStreamMessage message;
    std::size_t bad = 0;
    const double start = nowSeconds();
    for (const auto& record : records)
        if (!decoder.decode(record, message))
            ++bad;
    const double seconds = nowSeconds() - start;
    if (bad)
        qFatal("%zu records did not decode", bad);
    return seconds;
}

// The console's path for one record batch stream: decode into owned
// messages, drop duplicates by message_id, apply batches to a RunStore.
double pipelineAll(const std::vector<std::string>& records, std::size_t& runs)
{
    protocol::RecordDecoder decoder;
    protocol::MessageIdDeduper dedupe(262'144);
    models::RunStore store;
    std::vector<ds::DashStreamMessage> batch(kApplyBatch);
    std::vector<const ds::DashStreamMessage*> pointers;
    pointers.reserve(kApplyBatch);
    const double start = nowSeconds();
    for (std::size_t i = 0; i < records.size();) {
        pointers.clear();
        for (std::size_t n = 0; n < kApplyBatch && i < records.size(); ++i) {
            ds::DashStreamMessage& m = batch[n];
            if (!decoder.decode(records[i], m))
                continue;
            const ds::Header* header = protocol::headerOf(m);
            if (header && !dedupe.insert(header->message_id()))
                continue;
            pointers.push_back(&m);
            ++n;
        }
        store.apply(pointers, 0);
    }
    const double seconds = nowSeconds() - start;
    runs = store.size();
    return seconds;
}

} // namespace

class BenchDecode : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        const Corpus& c = corpus();
        QVERIFY(!c.plain.empty());
        QVERIFY(!c.events.empty());
        std::printf("corpus: %zu messages (%zu node events of 100-400 bytes), plain %.1f MB, "
                    "zstd-framed %.1f MB\n",
                    c.plain.size(), c.events.size(), double(totalBytes(c.plain)) / 1e6,
                    double(totalBytes(c.zstd)) / 1e6);
    }

    void decodeAlone()
    {
        const Corpus& c = corpus();
        for (const auto& [label, records] :
             {std::pair{"plain", &c.plain}, std::pair{"zstd", &c.zstd}}) {
            Figure rate{std::string("decode.") + label + ".records_per_s", "records/s", {}, {}, ""};
            Figure bytes{std::string("decode.") + label + ".mb_per_s", "MB/s", {}, {}, ""};
            for (int r = 0; r < repetitions(); ++r) {
                const double s = decodeAll(*records);
                rate.samples.push_back(double(records->size()) / s);
                bytes.samples.push_back(double(totalBytes(*records)) / 1e6 / s);
            }
            QVERIFY(report(rate) > 0);
            report(bytes);
        }
    }

    void pipelineFromMemory()
    {
        const Corpus& c = corpus();
        const Budget budget{1'000'000, Better::Higher, ">= 1,000,000 records/s (node events)"};
        for (const auto& [label, records, b] : {std::tuple{"node_events", &c.events, budget},
                                                std::tuple{"mix", &c.plain, Budget{}}}) {
            Figure rate{std::string("pipeline.") + label + ".records_per_s",
                        "records/s",
                        {},
                        b,
                        "decode + dedupe + RunStore::apply, one core"};
            std::size_t runs = 0;
            for (int r = 0; r < repetitions(); ++r)
                rate.samples.push_back(double(records->size()) / pipelineAll(*records, runs));
            QVERIFY(runs > 0); // the records made runs: the store really applied them
            report(rate);
        }
    }
};

QTEST_GUILESS_MAIN(BenchDecode)
#include "bench_decode.moc"
