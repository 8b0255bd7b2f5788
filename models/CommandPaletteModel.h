#pragma once
// The command palette's list (issue 12): every action and view of the
// console as one flat list of entries, filtered and ranked by what the user
// types. An entry runs either a QAction (menus, page actions) or a function
// (views, page buttons). Disabled entries stay in the list, greyed, with the
// reason as their tooltip, and sort after the enabled ones: a user looking
// for "Roll back" learns why it is not available instead of thinking the
// console cannot do it. With no query the recently used entries come first.

#include <QAbstractListModel>
#include <QKeySequence>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>

class QAction;

namespace nexus::models {

struct PaletteEntry
{
    QString text;     // "Rollouts", "Connect to Local sandbox", "Refresh"
    QString path;     // where it lives: "View › Rollouts", "Knowledge › Refresh"
    QString category; // the group: "File", "View", "Go to", "Rollouts page"
    QKeySequence shortcut;
    QPointer<QAction> action;  // triggered unless `run` is set; its enabled state counts
    std::function<void()> run; // run instead when set
    bool enabled = true;
    QString disabledReason; // shown when !enabled ("Select a run first")
    // Stable identity for "recently used": the path.
    QString id() const { return path; }
};

class CommandPaletteModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        PathRole = Qt::UserRole + 1,
        ShortcutRole, // QString, native text
        CategoryRole,
        EnabledRole,
        IdRole,
    };
    static constexpr int kMaxRecent = 8;

    explicit CommandPaletteModel(QObject* parent = nullptr);

    void setEntries(QList<PaletteEntry> entries);
    const QList<PaletteEntry>& entries() const { return entries_; }
    void setQuery(const QString& query);
    QString query() const { return query_; }
    // Most recent first; ids as PaletteEntry::id().
    void setRecent(const QStringList& ids);
    QStringList recent() const { return recent_; }

    // The shown entry at `row`.
    const PaletteEntry& entryAt(int row) const;
    // First enabled row, or -1.
    int firstEnabledRow() const;
    // Runs the entry at `row` if it is enabled; records it as recently used.
    bool trigger(int row);

    // How well `query` matches an entry; < 0: no match. Every word of the
    // query must match the text or the path, as a substring or (weaker) as
    // a subsequence of letters ("rlb" finds "Roll back"). Higher is better:
    // a prefix of the text beats a word start, beats a substring, beats the
    // path, beats a subsequence.
    static int matchScore(const QString& query, const QString& text, const QString& path);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    void recentChanged(const QStringList& ids);
    void triggered(const QString& id);

private:
    void refilter();

    QList<PaletteEntry> entries_;
    QList<int> shown_; // indexes into entries_
    QString query_;
    QStringList recent_;
};

} // namespace nexus::models
