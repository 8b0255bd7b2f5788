// The command palette's list: what a typed query finds and in which order
// (name prefix before word start before substring before menu path before
// letters in order), disabled entries last and not runnable, recently used
// first with no query, running an entry (a function or a QAction) and
// remembering it. Under QAbstractItemModelTester (Fatal) throughout.
#include "models/CommandPaletteModel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QSignalSpy>
#include <QTest>

using nexus::models::CommandPaletteModel;
using nexus::models::PaletteEntry;

namespace {

constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

PaletteEntry entry(
    const QString& text, const QString& path, bool enabled = true,
    std::function<void()> run = [] {})
{
    PaletteEntry e;
    e.text = text;
    e.path = path;
    e.category = path.section(QStringLiteral(" \u203a "), 0, 0);
    e.enabled = enabled;
    e.disabledReason = enabled ? QString() : QStringLiteral("Select a version first");
    e.run = std::move(run);
    return e;
}

QStringList shown(const CommandPaletteModel& model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, 0).data().toString();
    return out;
}

QList<PaletteEntry> sample()
{
    return {
        entry(QStringLiteral("Open Trace\u2026"), QStringLiteral("File \u203a Open Trace\u2026")),
        entry(QStringLiteral("Go to Rollouts"), QStringLiteral("Go to \u203a Rollouts")),
        entry(QStringLiteral("Rollouts"), QStringLiteral("View \u203a Rollouts")),
        entry(QStringLiteral("Roll back to this version\u2026"),
              QStringLiteral("Rollouts \u203a Versions \u203a Roll back to this version\u2026"),
              false),
        entry(QStringLiteral("Enroll canary"), QStringLiteral("Rollouts \u203a Enroll canary")),
        entry(QStringLiteral("Refresh"), QStringLiteral("Knowledge \u203a Refresh")),
        entry(QStringLiteral("Refresh"), QStringLiteral("Rollouts \u203a Refresh")),
        entry(QStringLiteral("Reset Layout"), QStringLiteral("View \u203a Reset Layout"))};
}

} // namespace

class TestCommandPaletteModel : public QObject
{
    Q_OBJECT
private slots:
    void emptyQueryListsEverythingInOrder()
    {
        CommandPaletteModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        model.setEntries(sample());
        QCOMPARE(model.rowCount(), 8);
        // The disabled entry goes last; the rest keep their order.
        QCOMPARE(shown(model).last(), QStringLiteral("Roll back to this version\u2026"));
        QCOMPARE(shown(model).first(), QStringLiteral("Open Trace\u2026"));
    }

    void rankingPrefersNamePrefixThenWordStartThenSubstring()
    {
        CommandPaletteModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        model.setEntries(sample());
        model.setQuery(QStringLiteral("roll"));
        const QStringList rows = shown(model);
        // "Rollouts" (prefix, short) > "Go to Rollouts" (word start) >
        // "Enroll canary" (inside a word) > paths only ("Refresh" on the
        // Rollouts page); the disabled "Roll back" stays last.
        QCOMPARE(rows.first(), QStringLiteral("Rollouts"));
        QVERIFY(rows.indexOf(QStringLiteral("Go to Rollouts")) <
                rows.indexOf(QStringLiteral("Enroll canary")));
        QVERIFY(rows.indexOf(QStringLiteral("Enroll canary")) <
                rows.indexOf(QStringLiteral("Refresh")));
        QCOMPARE(rows.last(), QStringLiteral("Roll back to this version\u2026"));
        QVERIFY(!rows.contains(QStringLiteral("Open Trace\u2026")));
        QCOMPARE(model.firstEnabledRow(), 0);
        QVERIFY(!(model.flags(model.index(model.rowCount() - 1, 0)) & Qt::ItemIsEnabled));
        QVERIFY(model.index(model.rowCount() - 1, 0)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("Select a version first")));
    }

    void everyWordMustMatchNameOrPath()
    {
        CommandPaletteModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        model.setEntries(sample());
        model.setQuery(QStringLiteral("knowledge refresh"));
        QCOMPARE(shown(model), QStringList{QStringLiteral("Refresh")});
        QCOMPARE(model.entryAt(0).path, QStringLiteral("Knowledge \u203a Refresh"));
        model.setQuery(QStringLiteral("  REFRESH  rollouts "));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.entryAt(0).path, QStringLiteral("Rollouts \u203a Refresh"));
        model.setQuery(QStringLiteral("nothing like this"));
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.firstEnabledRow(), -1);
    }

    void lettersInOrderMatchWeakly()
    {
        CommandPaletteModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        model.setEntries(sample());
        model.setQuery(QStringLiteral("rtlyt")); // R.se.t L.a.y.ou.t
        QCOMPARE(shown(model), QStringList{QStringLiteral("Reset Layout")});
        QVERIFY(CommandPaletteModel::matchScore(QStringLiteral("opt"), QStringLiteral("Open Trace"),
                                                {}) >= 0);
        QVERIFY(CommandPaletteModel::matchScore(QStringLiteral("open"),
                                                QStringLiteral("Open Trace"), {}) >
                CommandPaletteModel::matchScore(QStringLiteral("opt"), QStringLiteral("Open Trace"),
                                                {}));
        QVERIFY(CommandPaletteModel::matchScore(QStringLiteral("tro"), QStringLiteral("Open Trace"),
                                                {}) < 0);
    }

    void triggeringRunsAndRemembersRecentFirst()
    {
        CommandPaletteModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        QStringList ran;
        QList<PaletteEntry> entries = sample();
        for (PaletteEntry& e : entries) {
            const QString id = e.id();
            if (e.enabled)
                e.run = [&ran, id] { ran << id; };
        }
        model.setEntries(entries);
        QSignalSpy recent(&model, &CommandPaletteModel::recentChanged);

        model.setQuery(QStringLiteral("reset"));
        QVERIFY(model.trigger(0));
        model.setQuery(QStringLiteral("open trace"));
        QVERIFY(model.trigger(0));
        QCOMPARE(ran, (QStringList{QStringLiteral("View \u203a Reset Layout"),
                                   QStringLiteral("File \u203a Open Trace\u2026")}));
        QCOMPARE(recent.count(), 2);

        // The disabled entry does not run.
        model.setQuery(QStringLiteral("roll back"));
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(!model.trigger(0));
        QCOMPARE(ran.size(), 2);

        // No query: the most recent first.
        model.setQuery(QString());
        QCOMPARE(shown(model).mid(0, 2),
                 (QStringList{QStringLiteral("Open Trace\u2026"), QStringLiteral("Reset Layout")}));
        QCOMPARE(model.recent().first(), QStringLiteral("File \u203a Open Trace\u2026"));

        // Recent lists survive a new model (the app keeps them in QSettings).
        CommandPaletteModel next;
        QAbstractItemModelTester nextTester(&next, kFatal);
        next.setRecent(model.recent());
        next.setEntries(sample());
        QCOMPARE(shown(next).first(), QStringLiteral("Open Trace\u2026"));
    }

    void recentListIsBounded()
    {
        CommandPaletteModel model;
        QStringList ids;
        for (int i = 0; i < 20; ++i)
            ids << QString::number(i);
        model.setRecent(ids);
        QCOMPARE(model.recent().size(), CommandPaletteModel::kMaxRecent);
    }

    void actionEntriesTriggerTheActionAndFollowItsState()
    {
        CommandPaletteModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        auto* action = new QAction(QStringLiteral("Fork from here\u2026"), &model);
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F9));
        QSignalSpy fired(action, &QAction::triggered);
        PaletteEntry e;
        e.text = action->text();
        e.path = QStringLiteral("Traces \u203a Replay \u203a Fork from here\u2026");
        e.category = QStringLiteral("Traces");
        e.shortcut = action->shortcut();
        e.action = action;
        model.setEntries({e});
        QCOMPARE(model.index(0, 0).data(CommandPaletteModel::ShortcutRole).toString(),
                 QKeySequence(Qt::CTRL | Qt::Key_F9).toString(QKeySequence::NativeText));
        QCOMPARE(model.index(0, 0).data(CommandPaletteModel::CategoryRole).toString(),
                 QStringLiteral("Traces"));
        QVERIFY(model.trigger(0));
        QCOMPARE(fired.count(), 1);
        action->setEnabled(false);
        QVERIFY(!model.trigger(0));
        QCOMPARE(fired.count(), 1);
        delete action; // a stale entry is harmless
        QVERIFY(!model.trigger(0));
    }
};

// QAction needs a QGuiApplication (offscreen under CTest).
QTEST_MAIN(TestCommandPaletteModel)
#include "tst_command_palette_model.moc"
