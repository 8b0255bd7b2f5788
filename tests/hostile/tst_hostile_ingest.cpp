// Hostile records through nexusd's ingestion over real Kafka sockets: the
// embedded broker, a plain librdkafka producer, the Ingestor with its real
// decoder and a real SQLite store. Records that do not decode are counted,
// dead-lettered and skipped; records that decode but carry hostile content
// (deep JSON, __proto__ paths, huge numbers, HTML, invalid UTF-8 inside JSON
// bytes) are stored as they came; the good run after them completes.
#include "protocol/Ids.h"
#include "server/ingest/FleetAggregator.h"
#include "server/ingest/Ingestor.h"
#include "server/kafka/EmbeddedBroker.h"
#include "server/store/SqliteStore.h"

#include "../unit/models/RunStoreTestSupport.h"
#include "HostileKafka.h"
#include "HostileRecords.h"

#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace nexus;
using namespace nexus::server;
using namespace nexus::hostile;
using nexus::testing::StreamBuilder;

namespace {

constexpr int kTimeoutMs = 60'000;

using Records = std::vector<std::pair<std::string, std::string>>;

void add(Records& out, const std::string& key, const ds::DashStreamMessage& m)
{
    out.emplace_back(key, plainRecord(m));
}

ds::DashStreamMessage diffOps(StreamBuilder& b, std::uint64_t sequence,
                              const std::vector<std::pair<std::string, std::string>>& ops)
{
    ds::DashStreamMessage m;
    ds::StateDiff* d = m.mutable_state_diff();
    *d->mutable_header() = b.header(sequence, ds::MESSAGE_TYPE_STATE_DIFF);
    for (const auto& [path, value] : ops) {
        ds::DiffOperation* o = d->add_operations();
        o->set_op(ds::DiffOperation::OP_TYPE_ADD);
        o->set_path(path);
        o->set_value(value);
    }
    return m;
}

// A complete run whose content is hostile but decodes.
Records hostileButValidRun(const std::string& thread)
{
    StreamBuilder b(thread, 5000);
    Records out;
    const std::string bigNumbers =
        R"({"a":9007199254740993,"b":9223372036854775808,)"
        R"("c":18446744073709551615,"d":-9223372036854775809,"e":1e400})";
    add(out, thread,
        b.event(ds::EVENT_TYPE_GRAPH_START, "", 1,
                {{"initial_state_json", deepArray(10'000)},
                 {"graph_name", "<b>graph</b>"},
                 {"instance_id", "<img src=x>"},
                 {"graph_schema_json", deepObject(10'000)}}));
    auto numbers = b.fullState(2, nlohmann::json::object());
    numbers.mutable_state_diff()->set_full_state(bigNumbers); // as sent, 1e400 included
    numbers.mutable_state_diff()->clear_state_hash();
    add(out, thread, numbers);
    add(out, thread,
        diffOps(b, 3,
                {{"/__proto__", R"({"polluted":true})"},
                 {"/constructor", R"({"prototype":1})"},
                 {"/a~1b", "1"},
                 {"/", "2"},
                 {"/x", "\"" + kBadUtf8 + "\""},
                 {"/deep", deepObject(10'000)}}));
    add(out, thread,
        b.event(ds::EVENT_TYPE_NODE_START, "<a href=\"file:///etc/passwd\">n</a>", 4,
                {{"note", std::string(200'000, 'x')}}));
    add(out, thread, b.error(5, "<table>", "\u202Eerror\nwith lines", ds::Error::SEVERITY_ERROR));
    add(out, thread, b.event(ds::EVENT_TYPE_GRAPH_END, "", 6));
    return out;
}

Records goodRun(const std::string& thread)
{
    StreamBuilder b(thread, 9000);
    Records out;
    const nlohmann::json s0 = {{"n", 0}}, s1 = {{"n", 1}};
    add(out, thread, b.graphStart(1, "", s0));
    add(out, thread, b.event(ds::EVENT_TYPE_NODE_START, "work", 2));
    add(out, thread, b.stateDiff(3, s0, s1));
    add(out, thread, b.event(ds::EVENT_TYPE_NODE_END, "work", 4));
    add(out, thread, b.event(ds::EVENT_TYPE_GRAPH_END, "", 5));
    return out;
}

} // namespace

class TestHostileIngest : public QObject
{
    Q_OBJECT

private slots:
    void hostileRecordsAreDeadLetteredOrStoredAndIngestionGoesOn()
    {
        const std::string topic = "hostile";
        EmbeddedBrokerOptions brokerOptions;
        brokerOptions.topics = {{topic, 1}, {topic + "-dlq", 1}};
        auto started = EmbeddedBroker::start(brokerOptions);
        QVERIFY2(started, started ? "" : started.error().message.c_str());
        auto broker = std::move(started.value());

        // Records that must not decode, each with the DLQ error type it gets.
        StreamBuilder bad("bad-thread");
        auto badUtf8 = bad.event(ds::EVENT_TYPE_NODE_START, kBadUtf8, 1);
        const std::string protobuf =
            bad.event(ds::EVENT_TYPE_NODE_START, std::string(4000, 'x'), 2).SerializeAsString();
        const Records undecodable = {
            {"bad-thread", zstdBombRecord()},
            {"bad-thread", lyingZstdRecord(protobuf, 1000)},
            {"bad-thread", zstdRecord(protobuf, /*declareSize=*/false)},
            {"bad-thread", serializeQuietly(badUtf8)},
            {"bad-thread", std::string("\x7f<b>not a frame</b>")},
        };
        Records all = undecodable;
        for (const auto& r : hostileButValidRun("<b>thread</b>\u202E"))
            all.push_back(r);
        for (const auto& r : goodRun("good-after-hostile"))
            all.push_back(r);
        QVERIFY(produceRecords(broker->bootstrapServers(), topic, all));

        QTemporaryDir dir;
        auto opened = SqliteStore::open(dir.filePath("nexus.db").toStdString());
        QVERIFY2(opened, opened ? "" : opened.error().message.c_str());
        FleetAggregator fleet;
        IngestorOptions options;
        options.bootstrapServers = broker->bootstrapServers();
        options.topics = {topic};
        options.groupId = "hostile-" + protocol::toHex(protocol::newMessageId()).substr(0, 6);
        options.assignPartitions = 1;
        options.maxBatchWaitMs = 20;
        options.persistIntervalMs = 100;
        options.sweepIntervalMs = 100;
        Ingestor ingestor(options, *opened.value(), fleet);
        QVERIFY(ingestor.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(ingestor.stats().records == all.size(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(ingestor.stats().runsFinished == 2, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(ingestor.stats().deadLettered == undecodable.size(), kTimeoutMs);
        ingestor.stop();
        const IngestStats stats = ingestor.stats();
        QCOMPARE(stats.badRecords, std::uint64_t(undecodable.size()));
        QCOMPARE(stats.stored, std::uint64_t(all.size() - undecodable.size()));

        // The good run and the hostile-but-valid run are stored whole.
        SqliteStore& store = *opened.value();
        auto good = store.traceSummary("good-after-hostile");
        QVERIFY(good && good.value());
        QCOMPARE(good.value()->status(), pb::RUN_STATUS_COMPLETED);
        QCOMPARE(store.traceRecords("good-after-hostile").value().size(), std::size_t(5));
        const std::string hostileThread = "<b>thread</b>\u202E";
        auto hostile = store.traceSummary(hostileThread);
        QVERIFY(hostile && hostile.value());
        QCOMPARE(hostile.value()->graph_name(), std::string("<b>graph</b>"));
        const auto records = store.traceRecords(hostileThread).value();
        QCOMPARE(records.size(), hostileButValidRun(hostileThread).size());
        QCOMPARE(records[2], hostileButValidRun(hostileThread)[2].second); // byte for byte

        // Every undecodable record is in the DLQ with its reason.
        const auto letters =
            consumeValues(broker->bootstrapServers(), topic + "-dlq", undecodable.size());
        QCOMPARE(letters.size(), undecodable.size());
        std::multiset<std::string> types;
        for (const auto& letter : letters) {
            const auto j = nlohmann::json::parse(letter);
            types.insert(j.at("error_type").get<std::string>());
            QVERIFY(!j.at("error").get<std::string>().empty());
        }
        QCOMPARE(types.count("payload_too_large"), std::size_t(1)); // the bomb
        QCOMPARE(types.count("decompression_error"), std::size_t(2));
        QCOMPARE(types.count("decode_error"), std::size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestHostileIngest)
#include "tst_hostile_ingest.moc"
