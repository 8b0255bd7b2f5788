#pragma once
// A word-level diff of two texts, for showing a prompt optimization's
// original and optimized prompt side by side.
//
// Tokens are words, runs of whitespace and single punctuation marks, cut at
// Unicode word boundaries (QTextBoundaryFinder), so a grapheme — an accented
// letter, a letter with combining marks, an emoji with a skin tone or a ZWJ
// family — is never split. Tokens are compared in NFC, so a decomposed "é"
// equals a composed one; the segments carry the original text. The edit
// script is a shortest one over tokens (dtl's O(NP) algorithm, Debian's
// libdtl-dev), then presented for reading: within a change all deletions
// come before all insertions, a lone run of whitespace between two changes
// joins them (so "a b c" → "x y z" reads as one replacement, not three),
// adjacent segments of the same op are merged, and DiffCleanup::Readable
// also folds short equal stretches into the changes around them.

#include <QString>
#include <QStringList>

#include <vector>

namespace nexus::models {

struct DiffSegment
{
    enum Op
    {
        Equal,
        Deleted,
        Inserted
    } op;
    QString text; // Equal: the before side's text
    // Equal only: the after side's text when it differs from `text` in
    // Unicode form (NFC-equal, e.g. decomposed vs composed); empty otherwise.
    QString afterText = {};

    bool operator==(const DiffSegment&) const = default;
};

enum class DiffCleanup
{
    // A shortest edit script over tokens (only whitespace between two
    // changes is folded into them): word counts are exact.
    Minimal,
    // For reading: an equal stretch with no more words than the changes on
    // both its sides joins them, so "Keep the answer" → "Cite the claim"
    // reads as one replacement instead of being cut at "the". What the
    // prompt panes show.
    Readable
};

std::vector<DiffSegment> wordDiff(const QString& before, const QString& after,
                                  DiffCleanup cleanup = DiffCleanup::Minimal);

// The tokens wordDiff compares (words, whitespace runs, punctuation).
QStringList diffTokens(const QString& text);

// The before text (Equal + Deleted) and the after text (Equal + Inserted):
// wordDiff's inputs, exactly.
QString diffBefore(const std::vector<DiffSegment>& segments);
QString diffAfter(const std::vector<DiffSegment>& segments);

struct WordDiffCounts
{
    qsizetype inserted = 0; // words (not whitespace or punctuation) inserted
    qsizetype deleted = 0;  // ... and deleted
};
WordDiffCounts wordDiffCounts(const std::vector<DiffSegment>& segments);

// The words of a text: tokens with a letter, digit or symbol (emoji count).
qsizetype wordCount(const QString& text);

} // namespace nexus::models
