#include "models/WordDiff.h"

#include <QHash>
#include <QTextBoundaryFinder>

#include <algorithm>
#include <dtl/dtl.hpp>

namespace nexus::models {
namespace {

bool isBlank(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (QChar c : text)
        if (!c.isSpace())
            return false;
    return true;
}

bool isWordToken(QStringView token)
{
    for (char32_t c : token.toUcs4()) {
        if (QChar::isLetterOrNumber(c))
            return true;
        switch (QChar::category(c)) {
        case QChar::Symbol_Math:
        case QChar::Symbol_Currency:
        case QChar::Symbol_Modifier:
        case QChar::Symbol_Other:
            return true;
        default:
            break;
        }
    }
    return false;
}

// Token ids: equal ids mean NFC-equal tokens, so the diff compares ints.
std::vector<int> keys(const QStringList& tokens, QHash<QString, int>& ids)
{
    std::vector<int> out;
    out.reserve(std::size_t(tokens.size()));
    for (const QString& token : tokens) {
        const QString key = token.normalized(QString::NormalizationForm_C);
        auto it = ids.constFind(key);
        if (it == ids.cend())
            it = ids.insert(key, int(ids.size()));
        out.push_back(it.value());
    }
    return out;
}

// A stretch of equal tokens, or a change: what was deleted and inserted there.
struct Chunk
{
    bool equal = false;
    QString before; // Equal text (before side) or deleted text
    QString after;  // Equal text (after side) or inserted text
};

struct Words
{
    qsizetype before = 0;
    qsizetype after = 0;
    qsizetype most() const { return std::max(before, after); }
};

// Readable: fold every equality with no more words than the changes on
// both its sides into one change, again as changes grow (diff-match-patch's
// semantic cleanup, measured in words).
void foldSmallEqualities(std::vector<Chunk>& chunks)
{
    std::vector<Chunk> out;
    std::vector<Words> words;
    out.reserve(chunks.size());
    for (Chunk& chunk : chunks) {
        words.push_back({wordCount(chunk.before), wordCount(chunk.after)});
        out.push_back(std::move(chunk));
        for (std::size_t n = out.size(); n >= 3 && !out[n - 1].equal && out[n - 2].equal &&
                                         words[n - 2].before <= words[n - 3].most() &&
                                         words[n - 2].before <= words[n - 1].most();
             n = out.size()) {
            out[n - 3].before += out[n - 2].before + out[n - 1].before;
            out[n - 3].after += out[n - 2].after + out[n - 1].after;
            words[n - 3].before += words[n - 2].before + words[n - 1].before;
            words[n - 3].after += words[n - 2].after + words[n - 1].after;
            out.resize(n - 2);
            words.resize(n - 2);
        }
    }
    chunks = std::move(out);
}

class Presenter
{
public:
    void equal(const QString& before, const QString& after)
    {
        if (chunks_.empty() || !chunks_.back().equal)
            chunks_.push_back({true, {}, {}});
        chunks_.back().before += before;
        chunks_.back().after += after;
    }
    void deleted(const QString& text) { change().before += text; }
    void inserted(const QString& text) { change().after += text; }

    std::vector<DiffSegment> finish(DiffCleanup cleanup)
    {
        if (cleanup == DiffCleanup::Readable)
            foldSmallEqualities(chunks_);
        std::vector<DiffSegment> out;
        for (Chunk& chunk : chunks_) {
            if (chunk.equal) {
                QString afterText = chunk.after == chunk.before ? QString() : chunk.after;
                out.push_back({DiffSegment::Equal, chunk.before, afterText});
                continue;
            }
            if (!chunk.before.isEmpty())
                out.push_back({DiffSegment::Deleted, chunk.before});
            if (!chunk.after.isEmpty())
                out.push_back({DiffSegment::Inserted, chunk.after});
        }
        return out;
    }

private:
    // The change at the end; a lone whitespace run between it and the
    // previous change is folded into both sides of one change.
    Chunk& change()
    {
        const std::size_t n = chunks_.size();
        if (n > 0 && !chunks_.back().equal)
            return chunks_.back();
        if (n >= 2 && isBlank(chunks_[n - 1].before) && isBlank(chunks_[n - 1].after)) {
            Chunk blank = std::move(chunks_.back());
            chunks_.pop_back();
            chunks_.back().before += blank.before;
            chunks_.back().after += blank.after;
            return chunks_.back();
        }
        chunks_.push_back({false, {}, {}});
        return chunks_.back();
    }

    std::vector<Chunk> chunks_;
};

} // namespace

QStringList diffTokens(const QString& text)
{
    QStringList tokens;
    QTextBoundaryFinder finder(QTextBoundaryFinder::Word, text);
    qsizetype start = 0;
    for (qsizetype end = finder.toNextBoundary(); end != -1; end = finder.toNextBoundary()) {
        if (end <= start)
            continue;
        const QStringView token = QStringView(text).sliced(start, end - start);
        // Unicode keeps spaces together but breaks between two newlines;
        // one run of whitespace reads as one token.
        if (!tokens.isEmpty() && isBlank(token) && isBlank(tokens.back()))
            tokens.back() += token;
        else
            tokens.append(token.toString());
        start = end;
    }
    return tokens;
}

std::vector<DiffSegment> wordDiff(const QString& before, const QString& after, DiffCleanup cleanup)
{
    const QStringList a = diffTokens(before);
    const QStringList b = diffTokens(after);
    QHash<QString, int> ids;
    const std::vector<int> ka = keys(a, ids);
    const std::vector<int> kb = keys(b, ids);

    // The common ends need no search; most prompt edits are local.
    std::size_t prefix = 0;
    while (prefix < ka.size() && prefix < kb.size() && ka[prefix] == kb[prefix])
        ++prefix;
    std::size_t suffix = 0;
    while (suffix < ka.size() - prefix && suffix < kb.size() - prefix &&
           ka[ka.size() - 1 - suffix] == kb[kb.size() - 1 - suffix])
        ++suffix;

    Presenter out;
    for (std::size_t i = 0; i < prefix; ++i)
        out.equal(a[qsizetype(i)], b[qsizetype(i)]);

    const std::vector<int> ma(ka.begin() + std::ptrdiff_t(prefix),
                              ka.end() - std::ptrdiff_t(suffix));
    const std::vector<int> mb(kb.begin() + std::ptrdiff_t(prefix),
                              kb.end() - std::ptrdiff_t(suffix));
    auto i = qsizetype(prefix);
    auto j = qsizetype(prefix);
    if (!ma.empty() && !mb.empty()) {
        dtl::Diff<int> diff(ma, mb);
        diff.compose();
        for (const auto& [id, info] : diff.getSes().getSequence()) {
            switch (info.type) {
            case dtl::SES_COMMON:
                out.equal(a[i++], b[j++]);
                break;
            case dtl::SES_DELETE:
                out.deleted(a[i++]);
                break;
            case dtl::SES_ADD:
                out.inserted(b[j++]);
                break;
            }
        }
    }
    // Whatever the script did not cover (all of it when one side is empty).
    for (; i < a.size() - qsizetype(suffix); ++i)
        out.deleted(a[i]);
    for (; j < b.size() - qsizetype(suffix); ++j)
        out.inserted(b[j]);
    for (std::size_t k = 0; k < suffix; ++k)
        out.equal(a[i + qsizetype(k)], b[j + qsizetype(k)]);
    return out.finish(cleanup);
}

QString diffBefore(const std::vector<DiffSegment>& segments)
{
    QString text;
    for (const DiffSegment& s : segments)
        if (s.op != DiffSegment::Inserted)
            text += s.text;
    return text;
}

QString diffAfter(const std::vector<DiffSegment>& segments)
{
    QString text;
    for (const DiffSegment& s : segments) {
        if (s.op == DiffSegment::Inserted)
            text += s.text;
        else if (s.op == DiffSegment::Equal)
            text += s.afterText.isEmpty() ? s.text : s.afterText;
    }
    return text;
}

qsizetype wordCount(const QString& text)
{
    qsizetype n = 0;
    for (const QString& token : diffTokens(text))
        if (isWordToken(token))
            ++n;
    return n;
}

WordDiffCounts wordDiffCounts(const std::vector<DiffSegment>& segments)
{
    WordDiffCounts counts;
    for (const DiffSegment& s : segments) {
        if (s.op == DiffSegment::Deleted)
            counts.deleted += wordCount(s.text);
        else if (s.op == DiffSegment::Inserted)
            counts.inserted += wordCount(s.text);
    }
    return counts;
}

} // namespace nexus::models
