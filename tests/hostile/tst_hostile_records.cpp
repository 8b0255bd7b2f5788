// Hostile records through the console's path: the real decoder
// (protocol::RecordDecoder with its default limits) and the console's
// RunStore. Every case asserts its defined outcome (docs/SECURITY.md) and
// that the good records after it are still processed.
#include "../unit/models/RunStoreTestSupport.h"
#include "HostileRecords.h"

#include <QElapsedTimer>
#include <QTest>

using namespace nexus;
using namespace nexus::hostile;
using namespace nexus::testing;
using models::IssueKind;
using models::RunStore;
using models::StateVerdict;

namespace {

// What the console does per Kafka record (client/KafkaConsumerWorker): decode
// with the default limits; a record that does not decode is counted and
// skipped; the rest go to the RunStore in order.
struct ConsolePipeline
{
    protocol::RecordDecoder decoder;
    RunStore store;
    std::vector<std::string> badMessages;
    std::vector<protocol::ErrorCode> badCodes;

    void feed(const std::vector<std::string>& records)
    {
        std::vector<ds::DashStreamMessage> good;
        for (const std::string& record : records) {
            ds::DashStreamMessage m;
            auto info = decoder.decode(record, m);
            if (!info) {
                badMessages.push_back(info.error().message);
                badCodes.push_back(info.error().code);
                continue;
            }
            good.push_back(std::move(m));
        }
        applyAll(store, good);
    }
};

// A short good run on its own thread: GRAPH_START, one node, a patch, GRAPH_END.
std::vector<std::string> goodRun(const std::string& thread)
{
    StreamBuilder b(thread, 1000);
    const json s0 = {{"n", 0}}, s1 = {{"n", 1}};
    return {plainRecord(b.graphStart(1, "", s0)),
            plainRecord(b.event(ds::EVENT_TYPE_NODE_START, "work", 2)),
            plainRecord(b.stateDiff(3, s0, s1)),
            plainRecord(b.event(ds::EVENT_TYPE_NODE_END, "work", 4)),
            plainRecord(b.event(ds::EVENT_TYPE_GRAPH_END, "", 5))};
}

void verifyGoodRun(const RunStore& store, const std::string& thread)
{
    const models::Run* run = store.runForThread(thread);
    QVERIFY2(run, ("the good run " + thread + " after the hostile records is missing").c_str());
    QCOMPARE(run->status, models::RunStatus::Completed);
    QCOMPARE(run->steps.size(), std::size_t(5));
    NEXUS_COMPARE_JSON(*run->current, json({{"n", 1}}));
    QVERIFY(run->issues.empty());
}

const models::IntegrityIssue* issueOf(const models::Run& run, IssueKind kind)
{
    for (const auto& issue : run.issues)
        if (issue.kind == kind)
            return &issue;
    return nullptr;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

ds::DashStreamMessage
stateDiffOps(StreamBuilder& b, std::uint64_t sequence,
             const std::vector<std::tuple<int, std::string, std::string>>& ops)
{
    ds::DashStreamMessage m;
    ds::StateDiff* d = m.mutable_state_diff();
    *d->mutable_header() = b.header(sequence, ds::MESSAGE_TYPE_STATE_DIFF);
    for (const auto& [op, path, value] : ops) {
        ds::DiffOperation* o = d->add_operations();
        o->set_op(ds::DiffOperation::OpType(op));
        o->set_path(path);
        o->set_value(value);
    }
    return m;
}

constexpr int kAdd = ds::DiffOperation::OP_TYPE_ADD;
constexpr int kReplace = ds::DiffOperation::OP_TYPE_REPLACE;
constexpr int kRemove = ds::DiffOperation::OP_TYPE_REMOVE;

} // namespace

class TestHostileRecords : public QObject
{
    Q_OBJECT

private slots:
    void zstdBombIsRefusedBeforeDecompressing()
    {
        const std::string bomb = zstdBombRecord();
        QVERIFY(bomb.size() < 8 * 1024); // 64 MiB of zeros in a few KiB
        ConsolePipeline p;
        QElapsedTimer timer;
        timer.start();
        std::vector<std::string> records = {bomb};
        for (const auto& r : goodRun("after-bomb"))
            records.push_back(r);
        p.feed(records);
        QVERIFY(timer.elapsed() < 2000);
        QCOMPARE(p.badCodes, std::vector{protocol::ErrorCode::ZstdTooLarge});
        QCOMPARE(p.badMessages[0], std::string("zstd frame declares 67108864 bytes, over the limit "
                                               "of 10485760 bytes; not decompressed"));
        verifyGoodRun(p.store, "after-bomb");
    }

    void zstdFrameWithoutContentSizeIsRefused()
    {
        StreamBuilder b("nosize");
        const std::string protobuf =
            b.event(ds::EVENT_TYPE_NODE_START, std::string(4000, 'x'), 1).SerializeAsString();
        ConsolePipeline p;
        p.feed({zstdRecord(protobuf, /*declareSize=*/false)});
        QCOMPARE(p.badCodes, std::vector{protocol::ErrorCode::ZstdNoContentSize});
        QCOMPARE(p.badMessages[0],
                 std::string("zstd frame does not declare its content size; refusing to "
                             "decompress an unbounded frame"));
    }

    void zstdFrameWhoseHeaderLiesIsRefused()
    {
        StreamBuilder b("liar");
        const std::string protobuf =
            b.event(ds::EVENT_TYPE_NODE_START, std::string(4000, 'x'), 1).SerializeAsString();
        QVERIFY(protobuf.size() > 4000);
        ConsolePipeline p;
        // Declares less than it holds, then more than it holds.
        std::vector<std::string> records = {lyingZstdRecord(protobuf, 1000),
                                            lyingZstdRecord(protobuf, 9000)};
        for (const auto& r : goodRun("after-liar"))
            records.push_back(r);
        p.feed(records);
        QCOMPARE(p.badCodes.size(), std::size_t(2));
        for (std::size_t i = 0; i < 2; ++i) {
            QVERIFY2(p.badCodes[i] == protocol::ErrorCode::ZstdSizeMismatch ||
                         p.badCodes[i] == protocol::ErrorCode::ZstdCorrupt,
                     p.badMessages[i].c_str());
            QVERIFY2(contains(p.badMessages[i], i == 0 ? "1000 bytes" : "9000 bytes"),
                     p.badMessages[i].c_str());
        }
        verifyGoodRun(p.store, "after-liar");
    }

    void oversizeRecordsAreRefused()
    {
        StreamBuilder b("oversize");
        auto big = b.event(ds::EVENT_TYPE_NODE_START, "n", 1,
                           {{"blob", std::string(10 * protocol::kMiB, 'x')}});
        // A zstd record within the record limit whose protobuf is over the message limit.
        auto compressedBig = zstdRecord(big.SerializeAsString());
        ConsolePipeline p;
        std::vector<std::string> records = {plainRecord(big), compressedBig,
                                            std::string(10 * protocol::kMiB + 2, '\0'),
                                            std::string()};
        for (const auto& r : goodRun("after-oversize"))
            records.push_back(r);
        p.feed(records);
        QCOMPARE(
            p.badCodes,
            (std::vector{protocol::ErrorCode::RecordTooLarge, protocol::ErrorCode::ZstdTooLarge,
                         protocol::ErrorCode::RecordTooLarge, protocol::ErrorCode::EmptyRecord}));
        QVERIFY2(contains(p.badMessages[0], "exceeds the limit of 10485761 bytes"),
                 p.badMessages[0].c_str());
        verifyGoodRun(p.store, "after-oversize");
    }

    void hugeAttributesAreRefusedOrBounded()
    {
        StreamBuilder b("attrs");
        // A 50 MB string attribute: over the record limit.
        auto fifty =
            b.event(ds::EVENT_TYPE_NODE_START, "n", 2, {{"note", std::string(50'000'000, 'a')}});
        // 1e6 attributes: about 12 MB of protobuf, over the record limit too.
        ds::DashStreamMessage million = b.event(ds::EVENT_TYPE_NODE_START, "n", 3);
        auto* attributes = million.mutable_event()->mutable_attributes();
        for (int i = 0; i < 1'000'000; ++i)
            (*attributes)["k" + std::to_string(i)].set_string_value("v");
        // Within the limits: a 5 MB attribute and 200,000 attributes.
        auto five =
            b.event(ds::EVENT_TYPE_NODE_START, "five", 4, {{"note", std::string(5'000'000, 'b')}});
        ds::DashStreamMessage many = b.event(ds::EVENT_TYPE_NODE_START, "many", 5);
        auto* manyAttributes = many.mutable_event()->mutable_attributes();
        for (int i = 0; i < 200'000; ++i)
            (*manyAttributes)["k" + std::to_string(i)].set_string_value("v");

        ConsolePipeline p;
        QElapsedTimer timer;
        timer.start();
        p.feed({plainRecord(b.graphStart(1, "", json::object())), plainRecord(fifty),
                plainRecord(million), plainRecord(five), plainRecord(many),
                plainRecord(b.event(ds::EVENT_TYPE_GRAPH_END, "", 6))});
        QVERIFY2(timer.elapsed() < 20'000, std::to_string(timer.elapsed()).c_str());
        QCOMPARE(p.badCodes, (std::vector{protocol::ErrorCode::RecordTooLarge,
                                          protocol::ErrorCode::RecordTooLarge}));
        const models::Run* run = p.store.runForThread("attrs");
        QVERIFY(run);
        QCOMPARE(run->status, models::RunStatus::Completed);
        QCOMPARE(run->spans.size(), std::size_t(2));
        // Kept attribute values are bounded by maxTextBytes, with a marker.
        const std::string& note = run->spans[0].attributes.at("note");
        QVERIFY2(note.size() <= p.store.limits().maxTextBytes + 64,
                 std::to_string(note.size()).c_str());
        QVERIFY(note.starts_with("bbbb"));
        QVERIFY2(note.ends_with("[truncated: 5000000 bytes]"),
                 note.substr(note.size() - 40).c_str());
        // A step's one-line detail stays short however many attributes there are.
        for (const auto& step : run->steps)
            QVERIFY(run->string(step.detail).size() <= 4096);
    }

    void deepJsonIsRefusedAndTheRunGoesOn()
    {
        StreamBuilder b("deep");
        const std::string deep = deepArray(10'000);
        const json s0 = {{"ok", true}};
        ConsolePipeline p;
        // Deep initial state: refused (no state), the later full state heals.
        auto start = b.event(ds::EVENT_TYPE_GRAPH_START, "", 1, {{"initial_state_json", deep}});
        auto full = b.fullState(2, s0);
        // A patch whose value nests 10,000 levels: not applied, the run is flagged.
        auto deepPatch = stateDiffOps(b, 3, {{kAdd, "/x", deepObject(10'000)}});
        auto deepFull = b.fullState(4, s0);
        deepFull.mutable_state_diff()->set_full_state(deep);
        deepFull.mutable_state_diff()->clear_state_hash();
        auto heal = b.fullState(5, json{{"ok", 2}});
        p.feed({plainRecord(start), plainRecord(full), plainRecord(deepPatch),
                plainRecord(deepFull), plainRecord(heal),
                plainRecord(b.event(ds::EVENT_TYPE_GRAPH_END, "", 6))});
        QVERIFY(p.badCodes.empty());
        const models::Run* run = p.store.runForThread("deep");
        QVERIFY(run);
        const auto* invalid = issueOf(*run, IssueKind::InvalidState);
        QVERIFY(invalid);
        QVERIFY2(contains(invalid->message, "is nested deeper than 256 levels"),
                 invalid->message.c_str());
        const auto* failed = issueOf(*run, IssueKind::PatchFailed);
        QVERIFY(failed);
        QVERIFY2(contains(failed->message, "nested deeper than 256 levels"),
                 failed->message.c_str());
        NEXUS_COMPARE_JSON(*run->current, json({{"ok", 2}}));
        QCOMPARE(run->status, models::RunStatus::Completed);
        QVERIFY(!run->corrupted);
    }

    void invalidUtf8InStringFieldsIsABadRecord()
    {
        using Set = std::function<void(ds::DashStreamMessage&)>;
        StreamBuilder b("utf8");
        const std::vector<std::pair<const char*, Set>> cases = {
            {"node name", [](auto& m) { m.mutable_event()->set_node_id(kBadUtf8); }},
            {"thread id",
             [](auto& m) { m.mutable_event()->mutable_header()->set_thread_id(kBadUtf8); }},
            {"tenant id",
             [](auto& m) { m.mutable_event()->mutable_header()->set_tenant_id(kBadUtf8); }},
            {"attribute key",
             [](auto& m) {
                 (*m.mutable_event()->mutable_attributes())[kBadUtf8].set_int_value(1);
             }},
            {"attribute value",
             [](auto& m) {
                 (*m.mutable_event()->mutable_attributes())["k"].set_string_value(kBadUtf8);
             }},
        };
        std::vector<std::string> records;
        for (const auto& [name, set] : cases) {
            auto m = b.event(ds::EVENT_TYPE_NODE_START, "n", 2);
            set(m);
            records.push_back(serializeQuietly(m));
        }
        // Error messages are strings too.
        records.push_back(serializeQuietly(b.error(3, "E", kBadUtf8, ds::Error::SEVERITY_ERROR)));
        ConsolePipeline p;
        std::vector<std::string> all = records;
        for (const auto& r : goodRun("after-utf8"))
            all.push_back(r);
        p.feed(all);
        QCOMPARE(p.badCodes.size(), records.size());
        for (std::size_t i = 0; i < p.badCodes.size(); ++i) {
            QCOMPARE(p.badCodes[i], protocol::ErrorCode::ProtobufInvalid);
            QVERIFY2(p.badMessages[i].starts_with("malformed DashStream protobuf"),
                     p.badMessages[i].c_str());
        }
        verifyGoodRun(p.store, "after-utf8");
    }

    void invalidUtf8InBytesFieldsIsShownReplaced()
    {
        // bytes fields (JSON values, tool arguments, checkpoint ids) are not
        // checked by protobuf: JSON that is not UTF-8 does not parse, text is
        // kept as it came (the views show U+FFFD), nothing throws.
        StreamBuilder b("utf8-bytes");
        const json s0 = {{"a", 1}};
        auto badValue = stateDiffOps(b, 2, {{kAdd, "/b", "\"" + kBadUtf8 + "\""}});
        auto badFull = b.fullState(3, s0);
        badFull.mutable_state_diff()->set_full_state("{\"a\":\"" + kBadUtf8 + "\"}");
        badFull.mutable_state_diff()->clear_state_hash();
        auto badBase = b.fullState(4, json{{"a", 2}});
        auto unknownBase = stateDiffOps(b, 5, {{kReplace, "/a", "3"}});
        unknownBase.mutable_state_diff()->set_base_checkpoint_id(kBadUtf8);
        ConsolePipeline p;
        p.feed({plainRecord(b.graphStart(1, "", s0)), plainRecord(badValue), plainRecord(badFull),
                plainRecord(badBase), plainRecord(unknownBase),
                plainRecord(b.event(ds::EVENT_TYPE_GRAPH_END, "", 6))});
        QVERIFY(p.badCodes.empty());
        const models::Run* run = p.store.runForThread("utf8-bytes");
        QVERIFY(run);
        const auto* failed = issueOf(*run, IssueKind::PatchFailed);
        QVERIFY(failed);
        QVERIFY2(contains(failed->message, "is not valid JSON"), failed->message.c_str());
        const auto* invalid = issueOf(*run, IssueKind::InvalidState);
        QVERIFY(invalid);
        QVERIFY2(contains(invalid->message, "is not valid JSON"), invalid->message.c_str());
        NEXUS_COMPARE_JSON(*run->current, json({{"a", 3}}));
        for (const auto& issue : run->issues)
            QVERIFY(json(issue.message).dump(-1, ' ', false, json::error_handler_t::strict).size());
        QCOMPARE(run->status, models::RunStatus::Completed);
    }

    void prototypePathsAndPointerEscapesAreOrdinaryKeys()
    {
        StreamBuilder b("proto");
        const json s0 = json::object();
        auto ops = stateDiffOps(b, 2,
                                {{kAdd, "/__proto__", R"({"polluted":true})"},
                                 {kAdd, "/constructor", R"({"prototype":{"x":1}})"},
                                 {kAdd, "/prototype", "2"},
                                 {kAdd, "/a~1b", "3"},
                                 {kAdd, "/m~0n", "4"},
                                 {kAdd, "/", "5"},
                                 {kAdd, "/~01", "6"},
                                 {kReplace, "/constructor/prototype/x", "7"},
                                 {kRemove, "/prototype", ""}});
        const json expected = {{"__proto__", {{"polluted", true}}},
                               {"constructor", {{"prototype", {{"x", 7}}}}},
                               {"a/b", 3},
                               {"m~n", 4},
                               {"", 5},
                               {"~1", 6}};
        ops.mutable_state_diff()->set_state_hash(protocol::stateHashBytes(expected));
        // A root replace is a whole new state; a bad escape fails the patch,
        // and the run stays flagged (later patches skipped) until a full state.
        auto root = stateDiffOps(b, 3, {{kReplace, "", R"({"__proto__":null})"}});
        root.mutable_state_diff()->set_state_hash(
            protocol::stateHashBytes(json{{"__proto__", nullptr}}));
        auto badEscape = stateDiffOps(b, 4, {{kAdd, "/x~2", "1"}});
        auto skipped = stateDiffOps(b, 5, {{kAdd, "/y", "1"}});
        auto heal = b.fullState(6, json{{"constructor", "ok"}});
        ConsolePipeline p;
        p.feed({plainRecord(b.graphStart(1, "", s0)), plainRecord(ops)});
        const models::Run* run = p.store.runForThread("proto");
        QVERIFY(run);
        NEXUS_COMPARE_JSON(*run->current, expected);
        QCOMPARE(run->stateSteps.back().verdict, StateVerdict::Verified);
        p.feed({plainRecord(root)});
        NEXUS_COMPARE_JSON(*run->current, json({{"__proto__", nullptr}}));
        QCOMPARE(run->stateSteps.back().verdict, StateVerdict::Verified);
        p.feed({plainRecord(badEscape), plainRecord(skipped)});
        const auto* failed = issueOf(*run, IssueKind::PatchFailed);
        QVERIFY(failed);
        QVERIFY2(contains(failed->message, "operation 1 (add \"/x~2\")"), failed->message.c_str());
        NEXUS_COMPARE_JSON(*run->current, json({{"__proto__", nullptr}})); // last good, flagged
        QVERIFY(run->corrupted);
        QCOMPARE(run->stateSteps.back().verdict, StateVerdict::Skipped);
        p.feed({plainRecord(heal)});
        NEXUS_COMPARE_JSON(*run->current, json({{"constructor", "ok"}}));
        QVERIFY(!run->corrupted);
    }

    void bigIntegersAndExponentsAreKeptExactly()
    {
        StreamBuilder b("numbers");
        const std::string initial = R"({"a":9007199254740993,"b":9223372036854775808,)"
                                    R"("c":18446744073709551615,"d":-9223372036854775809,)"
                                    R"("f":-1e-400,"g":123456789012345678901234567890})";
        // Beyond double's range: the whole state is refused, the run keeps its last one.
        auto overflow = b.fullState(3, json::object());
        overflow.mutable_state_diff()->set_full_state(R"({"e":1e400})");
        overflow.mutable_state_diff()->clear_state_hash();
        ConsolePipeline p;
        p.feed({plainRecord(
                    b.event(ds::EVENT_TYPE_GRAPH_START, "", 1, {{"initial_state_json", initial}})),
                plainRecord(stateDiffOps(b, 2, {{kReplace, "/a", "9007199254740995"}})),
                plainRecord(overflow)});
        const models::Run* run = p.store.runForThread("numbers");
        QVERIFY(run);
        QVERIFY(run->current);
        const json& s = *run->current;
        // Integers up to 2^64 - 1 exactly, 2^53 + 1 and 2^63 included.
        QCOMPARE(s.at("a").get<std::uint64_t>(), std::uint64_t(9007199254740995ULL));
        QVERIFY(s.at("b").is_number_unsigned());
        QCOMPARE(s.at("b").get<std::uint64_t>(), std::uint64_t(9223372036854775808ULL));
        QCOMPARE(s.at("c").get<std::uint64_t>(), std::uint64_t(18446744073709551615ULL));
        QCOMPARE(s.at("c").dump(), std::string("18446744073709551615"));
        // Beyond 64 bits (-2^63 - 1, 30 digits): the nearest double.
        QVERIFY(s.at("d").is_number_float());
        QCOMPARE(s.at("d").dump(), std::string("-9.223372036854776e+18"));
        QCOMPARE(s.at("g").dump(), std::string("1.2345678901234568e+29"));
        // An exponent below double's range: zero.
        QCOMPARE(s.at("f").dump(), std::string("-0.0"));
        const auto* invalid = issueOf(*run, IssueKind::InvalidState);
        QVERIFY(invalid);
        QVERIFY2(contains(invalid->message, "is not valid JSON"), invalid->message.c_str());
        QVERIFY(!s.contains("e"));
        QCOMPARE(run->stateSteps.back().verdict, StateVerdict::Invalid);
    }
};

QTEST_GUILESS_MAIN(TestHostileRecords)
#include "tst_hostile_records.moc"
