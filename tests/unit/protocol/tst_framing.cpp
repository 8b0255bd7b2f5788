// Framing: round trips of every kind, DashFlow's compression rule, and every
// kind of bad record giving a clear, typed error without allocating past the
// limits.
#include "protocol/Framing.h"

#include "TestMessages.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <google/protobuf/util/message_differencer.h>
#include <new>
#include <random>
#include <zstd.h>

// --- allocation probe: the largest single allocation while tracking is on.
namespace {
std::atomic<bool> g_tracking{false};
std::atomic<std::size_t> g_largest{0};
} // namespace

void* operator new(std::size_t n)
{
    if (g_tracking.load(std::memory_order_relaxed)) {
        std::size_t prev = g_largest.load();
        while (n > prev && !g_largest.compare_exchange_weak(prev, n)) {
        }
    }
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}

using namespace nexus::protocol;
using google::protobuf::util::MessageDifferencer;

namespace {

struct AllocationProbe
{
    AllocationProbe()
    {
        g_largest = 0;
        g_tracking = true;
    }
    ~AllocationProbe() { g_tracking = false; }
    std::size_t largest() const { return g_largest.load(); }
};

std::string plainBody(const ds::DashStreamMessage& m)
{
    return m.SerializeAsString();
}

// A zstd frame made by hand: one raw block holding `content`, and a frame
// header that declares `declared` bytes (4-byte field) or no size at all.
std::string rawZstdFrame(std::string_view content, std::optional<std::uint32_t> declared)
{
    std::string f("\x28\xb5\x2f\xfd", 4);
    if (declared) {
        f += static_cast<char>(0xA0); // FCS field of 4 bytes, single segment
        for (int i = 0; i < 4; ++i)
            f += static_cast<char>((*declared >> (8 * i)) & 0xff);
    } else {
        f += static_cast<char>(0x00); // no content size
        f += static_cast<char>(0x00); // window descriptor: 1 KiB
    }
    const std::uint32_t block = static_cast<std::uint32_t>(content.size()) << 3 | 1; // raw, last
    for (int i = 0; i < 3; ++i)
        f += static_cast<char>((block >> (8 * i)) & 0xff);
    f += content;
    return f;
}

ds::DashStreamMessage withoutCompressionMarks(ds::DashStreamMessage m)
{
    forEachHeader(m, [](ds::Header& h) { h.set_compression(ds::COMPRESSION_NONE); });
    return m;
}

Expected<DecodeInfo> decode(std::string_view record, const DecodeLimits& limits = {})
{
    ds::DashStreamMessage m;
    return decodeRecord(record, m, limits);
}

} // namespace

class TestFraming : public QObject
{
    Q_OBJECT
private slots:
    void roundTripEveryKindPlain()
    {
        EncodeOptions noCompression;
        noCompression.compress = false;
        for (const auto& original : testmsg::everyKind(2000)) {
            auto record = encodeRecord(original, noCompression);
            QVERIFY(record.ok());
            QCOMPARE(static_cast<std::uint8_t>((*record)[0]), kFramePlain);
            ds::DashStreamMessage decoded;
            auto info = decodeRecord(*record, decoded);
            QVERIFY2(info.ok(), info.ok() ? "" : info.error().message.c_str());
            QCOMPARE(info->frame, FrameKind::Plain);
            QVERIFY2(MessageDifferencer::Equals(decoded, original),
                     std::string(kindName(kindOf(original))).c_str());
        }
    }

    void roundTripEveryKindCompressed()
    {
        for (const auto& original : testmsg::everyKind(2000)) {
            QVERIFY(original.ByteSizeLong() > 512);
            auto record = encodeRecord(original);
            QVERIFY(record.ok());
            const std::string kind(kindName(kindOf(original)));
            QVERIFY2(static_cast<std::uint8_t>((*record)[0]) == kFrameZstd, kind.c_str());
            QVERIFY2(record->substr(1, 4) == "\x28\xb5\x2f\xfd", kind.c_str());
            QVERIFY(record->size() < original.ByteSizeLong());

            ds::DashStreamMessage decoded;
            auto info = decodeRecord(*record, decoded);
            QVERIFY(info.ok());
            QCOMPARE(info->frame, FrameKind::Zstd);
            // Every header, inner batch events included, says ZSTD after
            // decompression (and must not be decompressed twice because of it).
            int headers = 0;
            forEachHeader(decoded, [&](const ds::Header& h) {
                ++headers;
                QCOMPARE(h.compression(), ds::COMPRESSION_ZSTD);
            });
            QVERIFY(headers >= 1);
            QVERIFY2(MessageDifferencer::Equals(withoutCompressionMarks(decoded), original),
                     kind.c_str());
        }
    }

    void smallMessagesStayPlain()
    {
        for (const auto& original : testmsg::everyKind(0)) {
            if (original.ByteSizeLong() > 512)
                continue;
            auto record = encodeRecord(original);
            QVERIFY(record.ok());
            QCOMPARE(static_cast<std::uint8_t>((*record)[0]), kFramePlain);
            QCOMPARE(record->size(), original.ByteSizeLong() + 1);
        }
    }

    void incompressibleMessagesStayPlain()
    {
        ds::DashStreamMessage m = testmsg::everyKind(0)[3]; // tool execution
        std::mt19937 rng(7);
        std::string noise(4000, '\0');
        for (auto& c : noise)
            c = static_cast<char>(rng());
        m.mutable_tool_execution()->set_result(noise);
        auto record = encodeRecord(m);
        QVERIFY(record.ok());
        QCOMPARE(static_cast<std::uint8_t>((*record)[0]), kFramePlain);
        ds::DashStreamMessage decoded;
        QVERIFY(decodeRecord(*record, decoded).ok());
        QCOMPARE(decoded.tool_execution().header().compression(), ds::COMPRESSION_NONE);
    }

    void plainFrameClearsAStaleCompressionMark()
    {
        ds::DashStreamMessage m = testmsg::nodeStart("t", 1, "agent");
        m.mutable_event()->mutable_header()->set_compression(ds::COMPRESSION_ZSTD);
        auto record = encodeRecord(m);
        QVERIFY(record.ok());
        QCOMPARE(static_cast<std::uint8_t>((*record)[0]), kFramePlain);
        ds::DashStreamMessage decoded;
        QVERIFY(decodeRecord(*record, decoded).ok());
        QCOMPARE(decoded.event().header().compression(), ds::COMPRESSION_NONE);
    }

    void producerRefusesOversizeMessages()
    {
        ds::DashStreamMessage m = testmsg::everyKind(0)[3];
        m.mutable_tool_execution()->set_result(std::string(kMiB + 10, 'a'));
        auto record = encodeRecord(m);
        QVERIFY(!record.ok());
        QCOMPARE(record.error().code, ErrorCode::MessageTooLarge);
    }

    void legacyUnframedRecordsAreAccepted()
    {
        for (const auto& original : testmsg::everyKind(0)) {
            const std::string raw = plainBody(original);
            ds::DashStreamMessage decoded;
            auto info = decodeRecord(raw, decoded);
            QVERIFY(info.ok());
            QCOMPARE(info->frame, FrameKind::Legacy);
            QVERIFY(MessageDifferencer::Equals(decoded, original));
        }
        DecodeLimits strict;
        strict.acceptLegacyUnframed = false;
        auto refused = decode(plainBody(testmsg::nodeStart("t", 1, "a")), strict);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::UnknownFrame);
    }

    // ------------------------------------------------------------ bad input

    void emptyRecord()
    {
        auto r = decode("");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::EmptyRecord);
    }

    void unknownFrameByte_data()
    {
        QTest::addColumn<int>("first");
        QTest::addColumn<QString>("shown");
        QTest::newRow("0x02") << 0x02 << "0x02";
        QTest::newRow("0xff") << 0xff << "0xff";
        QTest::newRow("bare zstd magic") << 0x28 << "0x28";
        QTest::newRow("0x0b (tag of a varint field 1)") << 0x0b << "0x0b";
    }
    void unknownFrameByte()
    {
        QFETCH(int, first);
        QFETCH(QString, shown);
        std::string record = plainBody(testmsg::nodeStart("t", 1, "a"));
        record.insert(record.begin(), static_cast<char>(first));
        auto r = decode(record);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::UnknownFrame);
        QVERIFY2(QString::fromStdString(r.error().message).contains(shown),
                 r.error().message.c_str());
    }

    void truncatedProtobuf()
    {
        auto record = encodeRecord(testmsg::nodeStart("thread", 1, "agent"));
        QVERIFY(record.ok());
        auto r = decode(std::string_view(*record).substr(0, record->size() - 4));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ProtobufInvalid);
    }

    void garbageAfterAValidMessage()
    {
        auto record = encodeRecord(testmsg::nodeStart("thread", 1, "agent"));
        QVERIFY(record.ok());
        auto invalid = decode(*record + std::string("\xde\xad\xbe\xef", 4));
        QVERIFY(!invalid.ok());
        QCOMPARE(invalid.error().code, ErrorCode::ProtobufInvalid);
        // Garbage that happens to parse as a field is still refused.
        auto extra = decode(*record + std::string("\x78\x01", 2)); // field 15 = 1
        QVERIFY(!extra.ok());
        QCOMPARE(extra.error().code, ErrorCode::UnexpectedFields);
    }

    void noMessageKind()
    {
        auto empty = decode(std::string(1, '\0'));
        QVERIFY(!empty.ok());
        QCOMPARE(empty.error().code, ErrorCode::NoMessageKind);
        auto future = decode(std::string("\x00\x52\x00", 3)); // field 10, empty
        QVERIFY(!future.ok());
        QCOMPARE(future.error().code, ErrorCode::NoMessageKind);
        QVERIFY(future.error().message.find("field 10") != std::string::npos);
    }

    void zstdFrameWithoutDeclaredSize()
    {
        const std::string body = plainBody(testmsg::everyKind(600)[0]);
        ZSTD_CCtx* cctx = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
        std::string frame(ZSTD_compressBound(body.size()), '\0');
        const std::size_t n =
            ZSTD_compress2(cctx, frame.data(), frame.size(), body.data(), body.size());
        ZSTD_freeCCtx(cctx);
        QVERIFY(!ZSTD_isError(n));
        frame.resize(n);
        QCOMPARE(ZSTD_getFrameContentSize(frame.data(), frame.size()), ZSTD_CONTENTSIZE_UNKNOWN);

        auto r = decode(std::string(1, '\x01') + frame);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ZstdNoContentSize);
    }

    void handMadeFrameDecodes()
    {
        // Positive control for the hand-made frames below.
        const ds::DashStreamMessage original = testmsg::nodeStart("thread", 5, "agent");
        const std::string body = plainBody(original);
        ds::DashStreamMessage decoded;
        auto r = decodeRecord(std::string(1, '\x01') +
                                  rawZstdFrame(body, static_cast<std::uint32_t>(body.size())),
                              decoded);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QVERIFY(MessageDifferencer::Equals(decoded, original));
    }

    void zstdBombIsRefusedBeforeAllocating()
    {
        const std::string body = plainBody(testmsg::nodeStart("thread", 5, "agent"));
        const std::string record = std::string(1, '\x01') + rawZstdFrame(body, 1u << 30); // 1 GiB
        RecordDecoder decoder;
        ds::DashStreamMessage m;
        AllocationProbe probe;
        auto r = decoder.decode(record, m);
        const std::size_t largest = probe.largest();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ZstdTooLarge);
        QVERIFY2(largest < 64 * 1024, std::to_string(largest).c_str());
        QVERIFY(r.error().message.find("1073741824") != std::string::npos);
    }

    void declaredSizeThatLies_data()
    {
        QTest::addColumn<int>("delta");
        QTest::newRow("declares less than it holds") << -10;
        QTest::newRow("declares more than it holds") << 10;
    }
    void declaredSizeThatLies()
    {
        QFETCH(int, delta);
        const std::string body = plainBody(testmsg::nodeStart("thread", 5, "agent"));
        const auto declared = static_cast<std::uint32_t>(static_cast<int>(body.size()) + delta);
        auto r = decode(std::string(1, '\x01') + rawZstdFrame(body, declared));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().code == ErrorCode::ZstdSizeMismatch ||
                     r.error().code == ErrorCode::ZstdCorrupt,
                 errorCodeName(r.error().code));
        QVERIFY2(r.error().message.find("declare") != std::string::npos, r.error().message.c_str());
    }

    void bytesAfterTheZstdFrame()
    {
        auto record = encodeRecord(testmsg::everyKind(2000)[1]);
        QVERIFY(record.ok());
        QCOMPARE(static_cast<std::uint8_t>((*record)[0]), kFrameZstd);
        auto r = decode(*record + "junk");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ZstdTrailingData);
    }

    void corruptZstdFrame()
    {
        auto record = encodeRecord(testmsg::everyKind(2000)[1]);
        QVERIFY(record.ok());
        std::string broken = *record;
        for (std::size_t i = 12; i < broken.size(); i += 7)
            broken[i] = static_cast<char>(broken[i] ^ 0x5a);
        auto r = decode(broken);
        QVERIFY(!r.ok()); // corrupt zstd or, if it inflates, an invalid protobuf
        QVERIFY(!r.error().message.empty());
    }

    void oversizeRecordIsRefusedBeforeAllocating()
    {
        DecodeLimits limits;
        limits.maxRecordBytes = 1000;
        limits.maxMessageBytes = 999;
        const std::string record(5000, '\0');
        RecordDecoder decoder(limits);
        ds::DashStreamMessage m;
        AllocationProbe probe;
        auto r = decoder.decode(record, m);
        const std::size_t largest = probe.largest();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::RecordTooLarge);
        QVERIFY(largest < 1000);
    }

    void declaredSizeOverACustomLimit()
    {
        DecodeLimits limits;
        limits.maxMessageBytes = 1024;
        auto record = encodeRecord(testmsg::everyKind(5000)[2]);
        QVERIFY(record.ok());
        QCOMPARE(static_cast<std::uint8_t>((*record)[0]), kFrameZstd);
        auto r = decode(*record, limits);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ZstdTooLarge);
    }

    void aDecoderRecoversAfterABadRecord()
    {
        RecordDecoder decoder;
        ds::DashStreamMessage m;
        QVERIFY(!decoder.decode(std::string(1, '\x01') + "\x28\xb5\x2f\xfd garbage", m).ok());
        auto good = encodeRecord(testmsg::everyKind(2000)[0]);
        QVERIFY(good.ok());
        auto r = decoder.decode(*good, m);
        QVERIFY(r.ok());
        QCOMPARE(kindOf(m), MessageKind::Event);
    }
};

QTEST_GUILESS_MAIN(TestFraming)
#include "tst_framing.moc"
