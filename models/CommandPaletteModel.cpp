#include "CommandPaletteModel.h"

#include <QAction>

#include <algorithm>

namespace nexus::models {

namespace {

// Scores one lower-case word against one lower-case haystack; < 0: no match.
int wordScore(const QString& word, const QString& hay, int base)
{
    const qsizetype at = hay.indexOf(word);
    if (at == 0)
        return base + 30;
    if (at > 0) {
        const QChar before = hay.at(at - 1);
        return base + (before.isLetterOrNumber() ? 10 : 20);
    }
    return -1;
}

bool isSubsequence(const QString& word, const QString& hay)
{
    qsizetype i = 0;
    for (const QChar c : hay)
        if (i < word.size() && c == word.at(i))
            ++i;
    return i == word.size();
}

QString plain(const QString& s)
{
    QString out = s.toLower();
    out.remove(u'&');
    return out;
}

} // namespace

CommandPaletteModel::CommandPaletteModel(QObject* parent) : QAbstractListModel(parent) {}

int CommandPaletteModel::matchScore(const QString& query, const QString& text, const QString& path)
{
    const QStringList words = plain(query).split(u' ', Qt::SkipEmptyParts);
    if (words.isEmpty())
        return 0;
    const QString t = plain(text);
    const QString p = plain(path);
    int total = 0;
    for (const QString& w : words) {
        int best = wordScore(w, t, 100);
        if (best < 0)
            best = wordScore(w, p, 50);
        if (best < 0 && isSubsequence(w, t))
            best = 20;
        if (best < 0 && isSubsequence(w, p))
            best = 10;
        if (best < 0)
            return -1;
        total += best;
    }
    // A whole-text match is the best there is; shorter texts win ties.
    if (words.size() == 1 && t == words.front())
        total += 50;
    return total * 4 - std::min<int>(int(t.size()), 40) / 10;
}

void CommandPaletteModel::setEntries(QList<PaletteEntry> entries)
{
    beginResetModel();
    entries_ = std::move(entries);
    shown_.clear();
    endResetModel();
    refilter();
}

void CommandPaletteModel::setQuery(const QString& query)
{
    if (query == query_)
        return;
    query_ = query;
    refilter();
}

void CommandPaletteModel::setRecent(const QStringList& ids)
{
    recent_ = ids.mid(0, kMaxRecent);
    refilter();
}

void CommandPaletteModel::refilter()
{
    struct Ranked
    {
        int index;
        int score;
    };
    std::vector<Ranked> ranked;
    ranked.reserve(size_t(entries_.size()));
    for (int i = 0; i < entries_.size(); ++i) {
        const PaletteEntry& e = entries_.at(i);
        int score = matchScore(query_, e.text, e.path);
        if (score < 0)
            continue;
        // Recently used entries rise: with no query they come first, in the
        // order used; with a query they win ties.
        const qsizetype recent = recent_.indexOf(e.id());
        if (recent >= 0)
            score += query_.trimmed().isEmpty() ? 1000 - int(recent) : 3;
        if (!e.enabled)
            score -= 100000;
        ranked.push_back({i, score});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
    QList<int> shown;
    shown.reserve(qsizetype(ranked.size()));
    for (const Ranked& r : ranked)
        shown << r.index;
    if (shown == shown_)
        return;
    beginResetModel();
    shown_ = std::move(shown);
    endResetModel();
}

const PaletteEntry& CommandPaletteModel::entryAt(int row) const
{
    return entries_.at(shown_.at(row));
}

int CommandPaletteModel::firstEnabledRow() const
{
    for (int row = 0; row < shown_.size(); ++row)
        if (entryAt(row).enabled)
            return row;
    return -1;
}

bool CommandPaletteModel::trigger(int row)
{
    if (row < 0 || row >= shown_.size())
        return false;
    const PaletteEntry entry = entryAt(row); // a copy: running it may reset the model
    if (!entry.enabled)
        return false;
    if (entry.action && !entry.action->isEnabled())
        return false;
    if (!entry.action && !entry.run)
        return false;
    QStringList recent = recent_;
    recent.removeAll(entry.id());
    recent.prepend(entry.id());
    recent_ = recent.mid(0, kMaxRecent);
    emit recentChanged(recent_);
    if (entry.run)
        entry.run();
    else
        entry.action->trigger();
    emit triggered(entry.id());
    return true;
}

int CommandPaletteModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(shown_.size());
}

QVariant CommandPaletteModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PaletteEntry& e = entryAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return e.text;
    case Qt::ToolTipRole:
        return e.enabled ? e.path : tr("%1 \u2014 not available: %2").arg(e.path, e.disabledReason);
    case PathRole:
        return e.path;
    case ShortcutRole:
        return e.shortcut.toString(QKeySequence::NativeText);
    case CategoryRole:
        return e.category;
    case EnabledRole:
        return e.enabled;
    case IdRole:
        return e.id();
    default:
        return {};
    }
}

Qt::ItemFlags CommandPaletteModel::flags(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    const Qt::ItemFlags f = Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    return entryAt(index.row()).enabled ? f | Qt::ItemIsEnabled : f;
}

QHash<int, QByteArray> CommandPaletteModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(PathRole, "path");
    names.insert(ShortcutRole, "shortcut");
    names.insert(CategoryRole, "category");
    names.insert(EnabledRole, "enabled");
    names.insert(IdRole, "id");
    return names;
}

} // namespace nexus::models
