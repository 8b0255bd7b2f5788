// Per-thread sequences report gaps, duplicates and reorders (never drop),
// and dedupe goes by message_id.
#include "protocol/Dedupe.h"
#include "protocol/Ids.h"
#include "protocol/SequenceTracker.h"

#include <QTest>

#include <set>

using namespace nexus::protocol;

class TestSequences : public QObject
{
    Q_OBJECT
private slots:
    void firstSequenceIsTheBaseline()
    {
        SequenceTracker t;
        // A consumer joining mid-stream sees 41 first: no gap is reported.
        QCOMPARE(t.observe("a", 41).verdict, SequenceVerdict::First);
        QCOMPARE(t.observe("a", 42).verdict, SequenceVerdict::InOrder);
        QCOMPARE(t.gaps(), 0u);
    }

    void gapsDuplicatesAndReorders()
    {
        SequenceTracker t;
        t.observe("a", 1);
        t.observe("a", 2);
        auto gap = t.observe("a", 6);
        QCOMPARE(gap.verdict, SequenceVerdict::Gap);
        QCOMPARE(gap.expected, 3u);
        QCOMPARE(gap.gapSize, 3u);
        QCOMPARE(t.observe("a", 6).verdict, SequenceVerdict::Duplicate);
        QCOMPARE(t.observe("a", 4).verdict, SequenceVerdict::Reordered);
        QCOMPARE(t.observe("a", 7).verdict,
                 SequenceVerdict::InOrder); // the cursor never moved back
        QCOMPARE(t.gaps(), 1u);
        QCOMPARE(t.missing(), 3u);
        QCOMPARE(t.duplicates(), 1u);
        QCOMPARE(t.reorders(), 1u);
    }

    void threadsAreIndependent()
    {
        // The P0 upstream bug: one global cursor for per-thread sequences.
        SequenceTracker t;
        t.observe("a", 100);
        QCOMPARE(t.observe("b", 1).verdict, SequenceVerdict::First);
        QCOMPARE(t.observe("b", 2).verdict, SequenceVerdict::InOrder);
        QCOMPARE(t.observe("a", 101).verdict, SequenceVerdict::InOrder);
    }

    void unsequencedHeadersAreNotTracked()
    {
        SequenceTracker t;
        QCOMPARE(t.observe("a", 0).verdict, SequenceVerdict::Unsequenced); // EventBatch header
        QCOMPARE(t.observe("", 5).verdict, SequenceVerdict::Unsequenced);
        QCOMPARE(t.trackedThreads(), 0u);
    }

    void sequencesBeyond2To53StayExact()
    {
        SequenceTracker t;
        const quint64 big = (quint64(1) << 63) + 1;
        t.observe("a", big);
        QCOMPARE(t.observe("a", big + 1).verdict, SequenceVerdict::InOrder);
        QCOMPARE(t.observe("a", big + 1).verdict, SequenceVerdict::Duplicate);
    }

    void trackerIsBounded()
    {
        SequenceTracker t(3);
        t.observe("a", 1);
        t.observe("b", 1);
        t.observe("c", 1);
        t.observe("a", 2); // a is now the most recent
        t.observe("d", 1); // evicts b, the least recently seen
        QCOMPARE(t.trackedThreads(), 3u);
        QCOMPARE(t.observe("b", 2).verdict, SequenceVerdict::First);
        QCOMPARE(t.observe("a", 3).verdict, SequenceVerdict::InOrder);
    }

    void dedupeByMessageId()
    {
        MessageIdDeduper d(100);
        const std::string id1 = newMessageId();
        const std::string id2 = newMessageId();
        QVERIFY(d.insert(id1));
        QVERIFY(d.insert(id2));
        QVERIFY(!d.insert(id1)); // a producer retry: same id, same record
        QCOMPARE(d.duplicates(), 1u);
        QVERIFY(d.insert("")); // no id: cannot be deduped, kept
        QVERIFY(d.insert(""));
        QCOMPARE(d.unkeyed(), 2u);
        QVERIFY(d.insert("short-foreign-id"));
        QVERIFY(!d.insert("short-foreign-id"));
    }

    void dedupeForgetsTheOldestBeyondCapacity()
    {
        MessageIdDeduper d(2);
        const std::string a = newMessageId(), b = newMessageId(), c = newMessageId();
        d.insert(a);
        d.insert(b);
        d.insert(c);
        QCOMPARE(d.size(), 2u);
        QVERIFY(!d.insert(c));
        QVERIFY(d.insert(a)); // forgotten
    }

    void messageIdsAreUuidV4()
    {
        std::set<std::string> seen;
        for (int i = 0; i < 1000; ++i) {
            const std::string id = newMessageId();
            QCOMPARE(id.size(), 16u);
            QCOMPARE(static_cast<unsigned char>(id[6]) >> 4, 4);
            QCOMPARE(static_cast<unsigned char>(id[8]) >> 6, 2);
            seen.insert(id);
        }
        QCOMPARE(seen.size(), 1000u);
        const std::string text = newUuidString();
        QCOMPARE(text.size(), 36u);
        QCOMPARE(text[14], '4');
    }

    void hexRoundTrip()
    {
        const std::string bytes("\x00\x01\xab\xff", 4);
        QCOMPARE(toHex(bytes), std::string("0001abff"));
        QCOMPARE(fromHex("0001ABff").value(), bytes);
        QVERIFY(!fromHex("abc").has_value());
        QVERIFY(!fromHex("zz").has_value());
    }
};

QTEST_GUILESS_MAIN(TestSequences)
#include "tst_sequences.moc"
