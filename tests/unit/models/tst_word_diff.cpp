// The word diff a reviewer reads under a prompt optimization: identical
// texts, insertions, deletions, replacements, whitespace changes, empty
// sides; Unicode (composed vs decomposed accents compare equal, CJK, emoji
// with skin tones and ZWJ families never split, right-to-left scripts);
// the segments always give both inputs back and count edited words right
// over many random edits; a 10,000-word prompt pair (time printed, not
// asserted).
#include "models/WordDiff.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

using nexus::models::DiffSegment;
using nexus::models::diffTokens;
using nexus::models::wordDiff;
using Segments = std::vector<DiffSegment>;

namespace QTest {
template <> char* toString(const Segments& segments)
{
    QString out;
    for (const DiffSegment& s : segments) {
        const char* op = s.op == DiffSegment::Equal     ? "="
                         : s.op == DiffSegment::Deleted ? "-"
                                                        : "+";
        out += QStringLiteral("%1[%2]").arg(QLatin1String(op), s.text);
        if (!s.afterText.isEmpty())
            out += QStringLiteral("{%1}").arg(s.afterText);
        out += QLatin1Char(' ');
    }
    return qstrdup(out.toUtf8().constData());
}
} // namespace QTest

namespace {

DiffSegment eq(const QString& t)
{
    return {DiffSegment::Equal, t};
}
DiffSegment del(const QString& t)
{
    return {DiffSegment::Deleted, t};
}
DiffSegment ins(const QString& t)
{
    return {DiffSegment::Inserted, t};
}

// Both inputs come back, nothing is empty, no two neighbours share an op,
// and a change shows its deletion before its insertion.
void checkShape(const QString& before, const QString& after, const Segments& segments)
{
    QCOMPARE(nexus::models::diffBefore(segments), before);
    QCOMPARE(nexus::models::diffAfter(segments), after);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        QVERIFY(!segments[i].text.isEmpty());
        if (i > 0) {
            QVERIFY(segments[i].op != segments[i - 1].op);
            QVERIFY(!(segments[i - 1].op == DiffSegment::Inserted &&
                      segments[i].op == DiffSegment::Deleted));
        }
    }
}

// Readable leaves no equal stretch between two changes that has no more
// words than the bigger side of each of them.
void checkNoShortEqualityBetweenChanges(const Segments& segments)
{
    using nexus::models::wordCount;
    struct Change
    {
        bool present = false;
        qsizetype most = 0; // words on its bigger side
    };
    std::vector<Change> changes{{}}; // changes[i] is just before equalities[i]
    std::vector<qsizetype> equalities;
    for (const DiffSegment& s : segments) {
        if (s.op == DiffSegment::Equal) {
            equalities.push_back(wordCount(s.text));
            changes.push_back({});
            continue;
        }
        changes.back().present = true;
        changes.back().most = std::max(changes.back().most, wordCount(s.text));
    }
    for (std::size_t i = 0; i < equalities.size(); ++i) {
        const Change& left = changes[i];
        const Change& right = changes[i + 1];
        if (left.present && right.present)
            QVERIFY(equalities[i] > left.most || equalities[i] > right.most);
    }
}

// Code points that must never start a segment (they belong to the grapheme
// before them) or end one (they join the next).
bool startsInsideGrapheme(const QString& text)
{
    const char32_t c = text.toUcs4().value(0);
    return c == 0x200D || (c >= 0x1F3FB && c <= 0x1F3FF) || c == 0xFE0F ||
           QChar::category(c) == QChar::Mark_NonSpacing;
}
bool endsInsideGrapheme(const QString& text)
{
    return text.endsWith(QChar(0x200D));
}

} // namespace

class TestWordDiff : public QObject
{
    Q_OBJECT

private slots:
    void identicalTextsAreOneEqualSegment()
    {
        const QString text = QStringLiteral("Answer the question using the documents.");
        QCOMPARE(wordDiff(text, text), Segments{eq(text)});
        QCOMPARE(nexus::models::wordDiffCounts(wordDiff(text, text)).inserted, 0);
    }

    void pureInsertion()
    {
        const QString before = QStringLiteral("Answer the question.");
        const QString after = QStringLiteral("Answer the question using only the documents.");
        const Segments d = wordDiff(before, after);
        QCOMPARE(d, (Segments{eq(QStringLiteral("Answer the question")),
                              ins(QStringLiteral(" using only the documents")),
                              eq(QStringLiteral("."))}));
        const auto counts = nexus::models::wordDiffCounts(d);
        QCOMPARE(counts.inserted, 4);
        QCOMPARE(counts.deleted, 0);
    }

    void pureDeletion()
    {
        const QString before = QStringLiteral("Read the whole ticket carefully, then answer.");
        const QString after = QStringLiteral("Read the ticket, then answer.");
        const Segments d = wordDiff(before, after);
        QCOMPARE(d, (Segments{eq(QStringLiteral("Read the ")), del(QStringLiteral("whole ")),
                              eq(QStringLiteral("ticket")), del(QStringLiteral(" carefully")),
                              eq(QStringLiteral(", then answer."))}));
        const auto counts = nexus::models::wordDiffCounts(d);
        QCOMPARE(counts.deleted, 2);
        QCOMPARE(counts.inserted, 0);
    }

    void replacementInTheMiddle()
    {
        QCOMPARE(wordDiff(QStringLiteral("Write a report from the findings."),
                          QStringLiteral("Write a structured summary from the findings.")),
                 (Segments{eq(QStringLiteral("Write a ")), del(QStringLiteral("report")),
                           ins(QStringLiteral("structured summary")),
                           eq(QStringLiteral(" from the findings."))}));
        // A lone space between two changed words does not cut the change in two.
        QCOMPARE(wordDiff(QStringLiteral("say red fox now"), QStringLiteral("say blue dog now")),
                 (Segments{eq(QStringLiteral("say ")), del(QStringLiteral("red fox")),
                           ins(QStringLiteral("blue dog")), eq(QStringLiteral(" now"))}));
    }

    void punctuationIsItsOwnToken()
    {
        QCOMPARE(diffTokens(QStringLiteral("Say \"I don't know\".")),
                 (QStringList{QStringLiteral("Say"), QStringLiteral(" "), QStringLiteral("\""),
                              QStringLiteral("I"), QStringLiteral(" "), QStringLiteral("don't"),
                              QStringLiteral(" "), QStringLiteral("know"), QStringLiteral("\""),
                              QStringLiteral(".")}));
        QCOMPARE(
            wordDiff(QStringLiteral("billing, technical"), QStringLiteral("billing; technical")),
            (Segments{eq(QStringLiteral("billing")), del(QStringLiteral(",")),
                      ins(QStringLiteral(";")), eq(QStringLiteral(" technical"))}));
    }

    void whitespaceOnlyChange()
    {
        QCOMPARE(wordDiff(QStringLiteral("one two"), QStringLiteral("one  two")),
                 (Segments{eq(QStringLiteral("one")), del(QStringLiteral(" ")),
                           ins(QStringLiteral("  ")), eq(QStringLiteral("two"))}));
        // A run of newlines and spaces is one token.
        QCOMPARE(diffTokens(QStringLiteral("a\n\n  b")),
                 (QStringList{QStringLiteral("a"), QStringLiteral("\n\n  "), QStringLiteral("b")}));
        const Segments d = wordDiff(QStringLiteral("a\nb"), QStringLiteral("a b"));
        QCOMPARE(d, (Segments{eq(QStringLiteral("a")), del(QStringLiteral("\n")),
                              ins(QStringLiteral(" ")), eq(QStringLiteral("b"))}));
        const auto counts = nexus::models::wordDiffCounts(d);
        QCOMPARE(counts.inserted + counts.deleted, 0);
    }

    void emptyEitherSide()
    {
        QCOMPARE(wordDiff(QString(), QString()), Segments{});
        QCOMPARE(wordDiff(QString(), QStringLiteral("Plan the change.")),
                 Segments{ins(QStringLiteral("Plan the change."))});
        QCOMPARE(wordDiff(QStringLiteral("Plan the change."), QString()),
                 Segments{del(QStringLiteral("Plan the change."))});
        QCOMPARE(
            nexus::models::wordDiffCounts(wordDiff(QStringLiteral("Plan the change."), {})).deleted,
            3);
    }

    void composedAndDecomposedAccentsAreEqual()
    {
        const QString composed = QStringLiteral("Le caf\u00E9 cr\u00E8me est pr\u00EAt.");
        const QString decomposed = QStringLiteral("Le cafe\u0301 cre\u0300me est pre\u0302t.");
        QVERIFY(composed != decomposed);
        const Segments d = wordDiff(composed, decomposed);
        QCOMPARE(d.size(), 1u);
        QCOMPARE(d[0].op, DiffSegment::Equal);
        checkShape(composed, decomposed, d); // each side keeps its own form

        // A combining mark stays on its letter: a changed accent changes the word.
        QCOMPARE(
            diffTokens(QStringLiteral("cafe\u0301 ok")),
            (QStringList{QStringLiteral("cafe\u0301"), QStringLiteral(" "), QStringLiteral("ok")}));
        QCOMPARE(wordDiff(QStringLiteral("un cafe\u0301 noir"), QStringLiteral("un cafe noir")),
                 (Segments{eq(QStringLiteral("un ")), del(QStringLiteral("cafe\u0301")),
                           ins(QStringLiteral("cafe")), eq(QStringLiteral(" noir"))}));
    }

    void cjkChangesOneCharacter()
    {
        const Segments d = wordDiff(QStringLiteral("我喜欢猫。"), QStringLiteral("我喜欢狗。"));
        QCOMPARE(d, (Segments{eq(QStringLiteral("我喜欢")), del(QStringLiteral("猫")),
                              ins(QStringLiteral("狗")), eq(QStringLiteral("。"))}));
        QCOMPARE(nexus::models::wordDiffCounts(d).inserted, 1);
    }

    void emojiAreNeverSplit()
    {
        const QString thumbsMedium = QStringLiteral("\U0001F44D\U0001F3FD");
        const QString thumbsDark = QStringLiteral("\U0001F44D\U0001F3FF");
        const QString familyGirl = QStringLiteral("\U0001F468\u200D\U0001F469\u200D\U0001F467");
        const QString familyBoy = QStringLiteral("\U0001F468\u200D\U0001F469\u200D\U0001F466");
        QCOMPARE(
            diffTokens(QStringLiteral("ok ") + familyGirl + thumbsMedium),
            (QStringList{QStringLiteral("ok"), QStringLiteral(" "), familyGirl, thumbsMedium}));
        QCOMPARE(wordDiff(QStringLiteral("Great ") + thumbsMedium + QStringLiteral(" job"),
                          QStringLiteral("Great ") + thumbsDark + QStringLiteral(" job")),
                 (Segments{eq(QStringLiteral("Great ")), del(thumbsMedium), ins(thumbsDark),
                           eq(QStringLiteral(" job"))}));
        // Families that share their first two people still change as a whole.
        const Segments d =
            wordDiff(QStringLiteral("hi ") + familyGirl, QStringLiteral("hi ") + familyBoy);
        QCOMPARE(d, (Segments{eq(QStringLiteral("hi ")), del(familyGirl), ins(familyBoy)}));
        for (const DiffSegment& s : d) {
            QVERIFY2(!startsInsideGrapheme(s.text), qPrintable(s.text));
            QVERIFY2(!endsInsideGrapheme(s.text), qPrintable(s.text));
        }
    }

    void rightToLeftScripts()
    {
        QCOMPARE(wordDiff(QStringLiteral("שלום עולם"), QStringLiteral("שלום עולם יפה")),
                 (Segments{eq(QStringLiteral("שלום עולם")), ins(QStringLiteral(" יפה"))}));
        // Arabic with harakat (combining marks) keeps them on their letters.
        const QString before = QStringLiteral("\u0643\u064E\u062A\u064E\u0628\u064E "
                                              "\u0627\u0644\u062F\u0651\u064E\u0631\u0652\u0633");
        const QString after = QStringLiteral("\u0642\u064E\u0631\u064E\u0623\u064E "
                                             "\u0627\u0644\u062F\u0651\u064E\u0631\u0652\u0633");
        const Segments d = wordDiff(before, after);
        QCOMPARE(d.size(), 3u);
        QCOMPARE(d[0], del(before.left(6)));
        QCOMPARE(d[1], ins(after.left(6)));
        QCOMPARE(d[2].op, DiffSegment::Equal);
        for (const DiffSegment& s : d)
            QVERIFY(!startsInsideGrapheme(s.text));
    }

    // Readable: a short equal stretch between two changes joins them; a
    // longer one stays.
    void readableFoldsShortEqualities()
    {
        using nexus::models::DiffCleanup;
        const QString before = QStringLiteral("Keep the answer short.");
        const QString after = QStringLiteral("Cite the source first.");
        QCOMPARE(wordDiff(before, after),
                 (Segments{del(QStringLiteral("Keep")), ins(QStringLiteral("Cite")),
                           eq(QStringLiteral(" the ")), del(QStringLiteral("answer short")),
                           ins(QStringLiteral("source first")), eq(QStringLiteral("."))}));
        QCOMPARE(wordDiff(before, after, DiffCleanup::Readable),
                 (Segments{del(QStringLiteral("Keep the answer short")),
                           ins(QStringLiteral("Cite the source first")), eq(QStringLiteral("."))}));

        const QString fox = QStringLiteral("The quick brown fox jumps over the lazy dog");
        const QString dog = QStringLiteral("The slow brown fox jumps over the sleepy dog");
        const Segments expected{
            eq(QStringLiteral("The ")),  del(QStringLiteral("quick")),
            ins(QStringLiteral("slow")), eq(QStringLiteral(" brown fox jumps over the ")),
            del(QStringLiteral("lazy")), ins(QStringLiteral("sleepy")),
            eq(QStringLiteral(" dog"))};
        QCOMPARE(wordDiff(fox, dog), expected);
        QCOMPARE(wordDiff(fox, dog, DiffCleanup::Readable), expected);
    }

    // Random insertions, deletions and replacements over a vocabulary with
    // accents, CJK, emoji and punctuation: both inputs come back every time.
    void segmentsGiveBothInputsBack()
    {
        const QStringList vocabulary = {QStringLiteral("the"),
                                        QStringLiteral("documents"),
                                        QStringLiteral("cite"),
                                        QStringLiteral("caf\u00E9"),
                                        QStringLiteral("cafe\u0301"),
                                        QStringLiteral("猫"),
                                        QStringLiteral("\U0001F44D\U0001F3FD"),
                                        QStringLiteral(","),
                                        QStringLiteral("."),
                                        QStringLiteral("\"I don't know\""),
                                        QStringLiteral("\n"),
                                        QStringLiteral("  "),
                                        QStringLiteral("שלום"),
                                        QStringLiteral("a"),
                                        QStringLiteral("b")};
        QRandomGenerator rng(20261124);
        auto pick = [&] { return vocabulary[rng.bounded(int(vocabulary.size()))]; };
        for (int round = 0; round < 400; ++round) {
            QStringList words;
            const int n = rng.bounded(0, 40);
            for (int i = 0; i < n; ++i)
                words << pick();
            QStringList edited = words;
            const int edits = rng.bounded(0, 8);
            for (int e = 0; e < edits; ++e) {
                const int at = edited.isEmpty() ? 0 : rng.bounded(int(edited.size()));
                switch (rng.bounded(3)) {
                case 0:
                    edited.insert(at, pick());
                    break;
                case 1:
                    if (!edited.isEmpty())
                        edited.removeAt(at);
                    break;
                default:
                    if (!edited.isEmpty())
                        edited[at] = pick();
                }
            }
            const QString before = words.join(QLatin1Char(' '));
            const QString after = edited.join(QLatin1Char(' '));
            checkShape(before, after, wordDiff(before, after));
            const Segments readable = wordDiff(before, after, nexus::models::DiffCleanup::Readable);
            checkShape(before, after, readable);
            checkNoShortEqualityBetweenChanges(readable);
            if (QTest::currentTestFailed())
                qInfo("round %d: '%s' -> '%s'", round, qPrintable(before), qPrintable(after));
            QVERIFY(!QTest::currentTestFailed());
        }
    }

    // k words replaced by words found nowhere else: a shortest script
    // deletes exactly those k words and inserts exactly the k new ones.
    void replacedWordsAreCountedExactly()
    {
        const QStringList vocabulary =
            QStringLiteral("answer the question using only documents below cite "
                           "id after each claim and say I don't know when")
                .split(QLatin1Char(' '));
        QRandomGenerator rng(7);
        for (int round = 0; round < 200; ++round) {
            QStringList words;
            const int n = rng.bounded(1, 60);
            for (int i = 0; i < n; ++i)
                words << vocabulary[rng.bounded(int(vocabulary.size()))];
            QStringList edited = words;
            QList<int> positions;
            const int k = rng.bounded(0, std::min(n, 6) + 1);
            while (positions.size() < k) {
                const int at = rng.bounded(n);
                if (!positions.contains(at))
                    positions << at;
            }
            for (int i = 0; i < k; ++i)
                edited[positions[i]] = QStringLiteral("fresh%1").arg(i);
            const QString before = words.join(QLatin1Char(' '));
            const QString after = edited.join(QLatin1Char(' '));
            const Segments d = wordDiff(before, after);
            checkShape(before, after, d);
            const auto counts = nexus::models::wordDiffCounts(d);
            QCOMPARE(counts.deleted, k);
            QCOMPARE(counts.inserted, k);
        }
    }

    // A 10,000-word prompt pair with a few hundred edits; the time is
    // printed for a person (budgets are measured by benchmarks, not here).
    void largePromptPair()
    {
        QRandomGenerator rng(42);
        const QStringList vocabulary =
            QStringLiteral("answer the question using only documents below cite "
                           "id after each claim and say I don't know when")
                .split(QLatin1Char(' '));
        QStringList words;
        for (int i = 0; i < 10000; ++i)
            words << vocabulary[rng.bounded(int(vocabulary.size()))];
        QStringList edited = words;
        for (int e = 0; e < 300; ++e)
            edited[rng.bounded(int(edited.size()))] = QStringLiteral("changed%1").arg(e);
        for (int e = 0; e < 100; ++e)
            edited.insert(rng.bounded(int(edited.size())), QStringLiteral("added"));
        const QString before = words.join(QLatin1Char(' '));
        const QString after = edited.join(QLatin1Char(' '));
        QElapsedTimer timer;
        timer.start();
        const Segments d = wordDiff(before, after);
        qInfo("10,000 words, 400 edits: %lld ms, %zu segments", timer.elapsed(), d.size());
        checkShape(before, after, d);
        const auto changed = edited.filter(QStringLiteral("changed")).size();
        const auto counts = nexus::models::wordDiffCounts(d);
        QCOMPARE(counts.deleted, changed);
        QCOMPARE(counts.inserted, changed + 100);

        timer.restart();
        const Segments readable = wordDiff(before, after, nexus::models::DiffCleanup::Readable);
        qInfo("10,000 words, 400 edits, readable: %lld ms, %zu segments", timer.elapsed(),
              readable.size());
        checkShape(before, after, readable);

        // Two unrelated texts of the same size still finish.
        QStringList other;
        for (int i = 0; i < 10000; ++i)
            other << QStringLiteral("w%1").arg(rng.bounded(5000));
        const QString unrelated = other.join(QLatin1Char(' '));
        timer.restart();
        const Segments u = wordDiff(before, unrelated);
        qInfo("10,000 words, unrelated: %lld ms, %zu segments", timer.elapsed(), u.size());
        checkShape(before, unrelated, u);
    }
};

QTEST_GUILESS_MAIN(TestWordDiff)
#include "tst_word_diff.moc"
