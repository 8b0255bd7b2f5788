// The rollout models as the Rollouts page uses them, each under
// QAbstractItemModelTester (Fatal): the board lists active rollouts first,
// takes watch updates in place (a newer revision changes the row and says
// so, an older one is ignored, a phase change moves the row and the
// selection follows it); the timeline appends new history without a reset;
// the version history knows the live version, why a version cannot be
// restored, and what each version's rollouts did.
#include "models/RolloutBoardModel.h"
#include "models/RolloutEventsModel.h"
#include "models/RolloutFormat.h"
#include "models/VersionHistoryModel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QTest>

using nexus::models::RolloutBoardModel;
using nexus::models::RolloutEventsModel;
using nexus::models::VersionHistoryModel;
namespace pb = ::nexus::v1;
namespace fmt = ::nexus::models::rolloutfmt;

namespace {

constexpr qint64 kMin = 60'000'000;
constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

// Local wall-clock times, so the texts below read as the user sees them.
qint64 at(int day, int hour, int minute, int second = 0)
{
    return QDateTime(QDate(2025, 11, day), QTime(hour, minute, second)).toMSecsSinceEpoch() * 1000;
}

pb::RolloutStep weight(int percent)
{
    pb::RolloutStep s;
    s.mutable_set_weight()->set_percent(percent);
    return s;
}

pb::RolloutStep analysis(qint64 windowSeconds, int minSamples)
{
    pb::RolloutStep s;
    s.mutable_analysis()->set_window_seconds(windowSeconds);
    s.mutable_analysis()->set_min_samples(minSamples);
    return s;
}

// The default plan: 5 → analysis → 25 → analysis → 50 → analysis → 100.
pb::Rollout rollout(const std::string& id, pb::RolloutPhase phase, qint64 createdUs)
{
    pb::Rollout r;
    r.set_rollout_id(id);
    r.set_version_id("v-" + id + "-0123456789");
    r.set_graph_name("rag_pipeline");
    r.set_node_id("generate");
    for (const auto& s : {weight(5), analysis(300, 20), weight(25), analysis(300, 20), weight(50),
                          analysis(300, 20), weight(100)})
        *r.add_steps() = s;
    r.set_phase(phase);
    r.set_current_step(1);
    r.set_weight_percent(5);
    r.set_created_us(createdUs);
    r.set_updated_us(createdUs);
    r.set_step_started_us(createdUs);
    r.set_created_by("alice");
    r.set_revision(1);
    auto* e = r.add_history();
    e->set_at_us(createdUs);
    e->set_kind("launched");
    e->set_detail("version v-" + id + " at 5 %");
    e->set_actor("alice");
    return r;
}

pb::AnalysisResult result(int stepIndex, pb::Verdict verdict, double score, qint64 endUs)
{
    pb::AnalysisResult a;
    a.set_step_index(stepIndex);
    a.set_window_start_us(endUs - 5 * kMin);
    a.set_window_end_us(endUs);
    a.set_at_us(endUs);
    a.set_score(score);
    a.set_verdict(verdict);
    return a;
}

// The next revision of a rollout, as a tick or an action writes it.
pb::Rollout next(pb::Rollout r, qint64 atUs)
{
    r.set_revision(r.revision() + 1);
    r.set_updated_us(atUs);
    return r;
}

pb::RolloutEvent historyEvent(qint64 atUs, const std::string& kind, const std::string& detail,
                              const std::string& actor = "controller")
{
    pb::RolloutEvent e;
    e.set_at_us(atUs);
    e.set_kind(kind);
    e.set_detail(detail);
    e.set_actor(actor);
    return e;
}

QStringList column(const QAbstractItemModel& model, int col, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, col).data(role).toString();
    return out;
}

QStringList boardIds(const RolloutBoardModel& board)
{
    return column(board, 0, RolloutBoardModel::RolloutIdRole);
}

// A board as ListRollouts fills it: three active, three finished.
std::vector<pb::Rollout> fleetOfRollouts()
{
    const qint64 t = at(24, 18, 0);
    auto promoted = rollout("r-promoted", pb::ROLLOUT_PHASE_PROMOTED, t);
    promoted.set_current_step(7);
    promoted.set_weight_percent(100);
    auto rolledBack = rollout("r-rolledback", pb::ROLLOUT_PHASE_ROLLED_BACK, t + 50 * kMin);
    rolledBack.set_graph_name("support_triage");
    rolledBack.set_weight_percent(0);
    rolledBack.set_reason("quality guardrail: canary 0.70 vs baseline 0.86 (-18.6 %, limit -10 %) "
                          "over 30/30 runs");
    auto aborted = rollout("r-aborted", pb::ROLLOUT_PHASE_ABORTED, t + 10 * kMin);
    aborted.set_graph_name("research_team");
    aborted.set_reason("aborted by bob");
    auto paused = rollout("r-paused", pb::ROLLOUT_PHASE_PAUSED, t + 20 * kMin);
    paused.set_graph_name("code_review");
    auto young = rollout("r-young", pb::ROLLOUT_PHASE_PROGRESSING, t + 40 * kMin);
    young.set_graph_name("summarizer");
    auto progressing = rollout("r-progressing", pb::ROLLOUT_PHASE_PROGRESSING, t + 30 * kMin);
    progressing.set_current_step(3);
    progressing.set_weight_percent(25);
    *progressing.add_analyses() = result(1, pb::VERDICT_PASS, 100, t + 36 * kMin);
    return {promoted, rolledBack, aborted, paused, young, progressing};
}

} // namespace

class TestRolloutModels : public QObject
{
    Q_OBJECT

private slots:
    void boardListsActiveRolloutsFirst()
    {
        RolloutBoardModel board;
        QAbstractItemModelTester tester(&board, kFatal);
        QSignalSpy counts(&board, &RolloutBoardModel::countsChanged);
        board.setRollouts(fleetOfRollouts());
        QCOMPARE(boardIds(board), QStringList({"r-young", "r-progressing", "r-paused",
                                               "r-rolledback", "r-aborted", "r-promoted"}));
        QCOMPARE(board.activeCount(), 3);
        QCOMPARE(counts.count(), 1);
        QCOMPARE(board.rowOf("r-paused"), 2);
        QCOMPARE(board.rowOf("r-unknown"), -1);
        QVERIFY(board.find("r-unknown") == nullptr);
        QCOMPARE(board.find("r-aborted")->reason(), std::string("aborted by bob"));
        QCOMPARE(board.rolloutAt(3).rollout_id(), std::string("r-rolledback"));
        QCOMPARE(column(board, 0, RolloutBoardModel::ActiveRole),
                 QStringList({"true", "true", "true", "false", "false", "false"}));
        QCOMPARE(board.index(2, 0).data(RolloutBoardModel::PhaseRole).toInt(),
                 int(pb::ROLLOUT_PHASE_PAUSED));
    }

    void boardShowsWhatARolloutIsDoing()
    {
        RolloutBoardModel board;
        QAbstractItemModelTester tester(&board, kFatal);
        board.setRollouts(fleetOfRollouts());
        board.setNowUs(at(24, 18, 40));
        const int row = board.rowOf("r-progressing");
        auto cell = [&](int col, int role = Qt::DisplayRole) {
            return board.index(row, col).data(role);
        };
        QCOMPARE(cell(RolloutBoardModel::Id).toString(), "r-progre");
        QCOMPARE(cell(RolloutBoardModel::Id, Qt::ToolTipRole).toString(), "r-progressing");
        QCOMPARE(cell(RolloutBoardModel::Target).toString(), "rag_pipeline / generate");
        QCOMPARE(cell(RolloutBoardModel::Version).toString(), "v-r-prog");
        QCOMPARE(cell(RolloutBoardModel::Version, Qt::ToolTipRole).toString(),
                 "v-r-progressing-0123456789");
        QCOMPARE(cell(RolloutBoardModel::Phase).toString(), "Progressing");
        QCOMPARE(cell(RolloutBoardModel::Phase, Qt::BackgroundRole).value<QColor>(),
                 fmt::phaseColor(pb::ROLLOUT_PHASE_PROGRESSING));
        QCOMPARE(cell(RolloutBoardModel::Step).toString(),
                 "4/7 · Analysis 5 min (≥ 20 runs per side)");
        QCOMPARE(cell(RolloutBoardModel::Weight).toString(), "25 %");
        QCOMPARE(cell(RolloutBoardModel::Weight, Qt::TextAlignmentRole).value<Qt::Alignment>(),
                 Qt::AlignRight | Qt::AlignVCenter);
        QCOMPARE(cell(RolloutBoardModel::Verdict).toString(), "Pass · 100");
        QCOMPARE(cell(RolloutBoardModel::Verdict, Qt::BackgroundRole).value<QColor>(),
                 fmt::verdictColor(pb::VERDICT_PASS));
        QCOMPARE(cell(RolloutBoardModel::Updated).toString(), "10 min ago");
        QCOMPARE(cell(RolloutBoardModel::Updated, Qt::ToolTipRole).toString(),
                 "2025-11-24 18:30:00");
        QCOMPARE(cell(RolloutBoardModel::CreatedBy).toString(), "alice");

        // Without analyses the verdict is empty; past the end the step is "done".
        const int young = board.rowOf("r-young");
        QCOMPARE(board.index(young, RolloutBoardModel::Verdict).data().toString(), QString());
        QVERIFY(!board.index(young, RolloutBoardModel::Verdict).data(Qt::BackgroundRole).isValid());
        QCOMPARE(board.index(board.rowOf("r-promoted"), RolloutBoardModel::Step).data().toString(),
                 "done");
        // A stopped rollout says why on its phase.
        const int rolledBack = board.rowOf("r-rolledback");
        QCOMPARE(board.index(rolledBack, RolloutBoardModel::Phase).data().toString(),
                 "Rolled back");
        QVERIFY(board.index(rolledBack, RolloutBoardModel::Phase)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .startsWith("quality guardrail: canary 0.70 vs baseline 0.86"));
        QCOMPARE(board.index(rolledBack, RolloutBoardModel::Target).data().toString(),
                 "support_triage / generate");

        // The clock moves the ages, and only them.
        QSignalSpy changed(&board, &QAbstractItemModel::dataChanged);
        board.setNowUs(at(24, 21, 30));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex().column(), int(RolloutBoardModel::Updated));
        QCOMPARE(changed[0][1].toModelIndex().column(), int(RolloutBoardModel::Updated));
        QCOMPARE(cell(RolloutBoardModel::Updated).toString(), "3 h ago");
    }

    void boardTakesANewerRevisionInPlace()
    {
        RolloutBoardModel board;
        QAbstractItemModelTester tester(&board, kFatal);
        const auto all = fleetOfRollouts();
        board.setRollouts(all);
        QSignalSpy updated(&board, &RolloutBoardModel::rolloutUpdated);
        QSignalSpy changed(&board, &QAbstractItemModel::dataChanged);
        QSignalSpy moved(&board, &QAbstractItemModel::rowsMoved);
        QSignalSpy reset(&board, &QAbstractItemModel::modelReset);
        QSignalSpy counts(&board, &RolloutBoardModel::countsChanged);

        pb::Rollout progressing = all[5];
        pb::Rollout stepped = next(progressing, at(24, 18, 41));
        stepped.set_current_step(5);
        stepped.set_weight_percent(50);
        board.upsert(stepped);
        QCOMPARE(updated.count(), 1);
        QCOMPARE(updated[0][0].toString(), "r-progressing");
        QCOMPARE(changed.count(), 1);
        QCOMPARE(moved.count(), 0);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(counts.count(), 0); // still three active
        QCOMPARE(board.rowOf("r-progressing"), 1);
        QCOMPARE(board.index(1, RolloutBoardModel::Weight).data().toString(), "50 %");
        QCOMPARE(board.index(1, RolloutBoardModel::Step).data().toString(),
                 "6/7 · Analysis 5 min (≥ 20 runs per side)");

        // An older revision (a late answer) and the same revision change nothing.
        pb::Rollout stale = progressing;
        stale.set_weight_percent(0);
        board.upsert(stale);
        board.upsert(stepped);
        QCOMPARE(updated.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(board.index(1, RolloutBoardModel::Weight).data().toString(), "50 %");
        QCOMPARE(board.index(1, 0).data(RolloutBoardModel::RevisionRole).toLongLong(), 2);
    }

    void boardMovesAPromotedRowBelowTheActiveOnes()
    {
        RolloutBoardModel board;
        QAbstractItemModelTester tester(&board, kFatal);
        const auto all = fleetOfRollouts();
        board.setRollouts(all);
        // The user has selected r-young (row 0) and r-paused (row 2).
        const QPersistentModelIndex selected(board.index(0, RolloutBoardModel::Phase));
        const QPersistentModelIndex other(board.index(2, RolloutBoardModel::Step));
        QSignalSpy moved(&board, &QAbstractItemModel::rowsMoved);
        QSignalSpy reset(&board, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&board, &QAbstractItemModel::rowsRemoved);
        QSignalSpy counts(&board, &RolloutBoardModel::countsChanged);
        QSignalSpy updated(&board, &RolloutBoardModel::rolloutUpdated);

        pb::Rollout promoted = next(all[4], at(24, 19, 10));
        promoted.set_phase(pb::ROLLOUT_PHASE_PROMOTED);
        promoted.set_current_step(7);
        promoted.set_weight_percent(100);
        board.upsert(promoted);

        QCOMPARE(boardIds(board), QStringList({"r-progressing", "r-paused", "r-rolledback",
                                               "r-young", "r-aborted", "r-promoted"}));
        QCOMPARE(moved.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(board.activeCount(), 2);
        QCOMPARE(counts.count(), 1);
        QCOMPARE(updated.count(), 1);
        QVERIFY(selected.isValid());
        QCOMPARE(selected.row(), 3);
        QCOMPARE(selected.data().toString(), "Promoted");
        QCOMPARE(selected.data(RolloutBoardModel::RolloutIdRole).toString(), "r-young");
        QVERIFY(other.isValid());
        QCOMPARE(other.row(), 1);
        QCOMPARE(other.data(RolloutBoardModel::RolloutIdRole).toString(), "r-paused");

        // Launching again: the new rollout comes first, one more active.
        auto launched = rollout("r-new", pb::ROLLOUT_PHASE_PROGRESSING, at(24, 19, 20));
        QSignalSpy inserted(&board, &QAbstractItemModel::rowsInserted);
        board.upsert(launched);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted[0][1].toInt(), 0);
        QCOMPARE(board.activeCount(), 3);
        QCOMPARE(counts.count(), 2);
        QCOMPARE(selected.row(), 4);
        QCOMPARE(updated.count(), 1); // a new row is not an update
    }

    void eventsAppendNewHistory()
    {
        RolloutEventsModel events;
        QAbstractItemModelTester tester(&events, kFatal);
        QSignalSpy reset(&events, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&events, &QAbstractItemModel::rowsInserted);
        pb::Rollout r = rollout("r-1", pb::ROLLOUT_PHASE_PROGRESSING, at(24, 20, 1));
        *r.add_history() = historyEvent(at(24, 20, 1), "weight", "weight 5 %");
        events.setRollout(r);
        QCOMPARE(events.rolloutId(), "r-1");
        QCOMPARE(events.rowCount(), 2);
        QCOMPARE(reset.count(), 1);

        *r.add_history() = historyEvent(at(24, 20, 6), "analysis", "step 2/7: Fail, score 50.0");
        *r.add_history() =
            historyEvent(at(24, 20, 6, 30), "rolled_back",
                         "analysis at step 2/7 failed with score 50.0: latency_ms FAIL");
        r.set_phase(pb::ROLLOUT_PHASE_ROLLED_BACK);
        events.setRollout(r);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted[0][1].toInt(), 2);
        QCOMPARE(inserted[0][2].toInt(), 3);
        QCOMPARE(column(events, RolloutEventsModel::Event),
                 QStringList({"Launched", "Weight", "Analysis", "Rolled back"}));
        QCOMPARE(column(events, RolloutEventsModel::Time),
                 QStringList({"2025-11-24 20:01:00", "2025-11-24 20:01:00", "2025-11-24 20:06:00",
                              "2025-11-24 20:06:30"}));
        QCOMPARE(column(events, RolloutEventsModel::Actor),
                 QStringList({"alice", "controller", "controller", "controller"}));
        QCOMPARE(events.index(3, RolloutEventsModel::Detail).data(Qt::ToolTipRole).toString(),
                 "analysis at step 2/7 failed with score 50.0: latency_ms FAIL");
        QCOMPARE(events.index(3, 0).data(RolloutEventsModel::KindRole).toString(), "rolled_back");
        QCOMPARE(events.index(3, 0).data(RolloutEventsModel::AtUsRole).toLongLong(),
                 at(24, 20, 6, 30));
        QCOMPARE(
            events.index(3, RolloutEventsModel::Event).data(Qt::BackgroundRole).value<QColor>(),
            fmt::phaseColor(pb::ROLLOUT_PHASE_ROLLED_BACK));
        QVERIFY(!events.index(2, RolloutEventsModel::Event).data(Qt::BackgroundRole).isValid());

        // The same history again changes nothing.
        events.setRollout(r);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(inserted.count(), 1);

        // A shorter history (another store) and another rollout start over.
        pb::Rollout shorter = r;
        shorter.mutable_history()->RemoveLast();
        events.setRollout(shorter);
        QCOMPARE(reset.count(), 2);
        QCOMPARE(events.rowCount(), 3);
        pb::Rollout other = rollout("r-2", pb::ROLLOUT_PHASE_PROMOTED, at(24, 21, 0));
        *other.add_history() =
            historyEvent(at(24, 21, 30), "promoted", "promoted by alice", "alice");
        *other.add_history() = historyEvent(at(24, 21, 31), "aborted", "never mind", "bob");
        events.setRollout(other);
        QCOMPARE(reset.count(), 3);
        QCOMPARE(events.rolloutId(), "r-2");
        QCOMPARE(
            events.index(1, RolloutEventsModel::Event).data(Qt::BackgroundRole).value<QColor>(),
            fmt::phaseColor(pb::ROLLOUT_PHASE_PROMOTED));
        QCOMPARE(
            events.index(2, RolloutEventsModel::Event).data(Qt::BackgroundRole).value<QColor>(),
            fmt::phaseColor(pb::ROLLOUT_PHASE_ABORTED));
        events.clear();
        QCOMPARE(events.rowCount(), 0);
        QCOMPARE(events.rolloutId(), QString());
    }

    void versionsKnowTheLiveOneAndWhatCanBeRestored()
    {
        VersionHistoryModel versions;
        QAbstractItemModelTester tester(&versions, kFatal);
        versions.setNowUs(at(24, 23, 0));
        versions.setVersions(graphVersions());
        QCOMPARE(column(versions, 0, VersionHistoryModel::VersionIdRole),
                 QStringList({"ver-5-canary", "ver-4-rolledback", "ver-3-live", "ver-2-retired",
                              "ver-1-retired"}));
        QCOMPARE(column(versions, VersionHistoryModel::Version),
                 QStringList({"ver-5-ca", "ver-4-ro", "ver-3-li", "ver-2-re", "ver-1-re"}));
        QCOMPARE(column(versions, VersionHistoryModel::State),
                 QStringList({"Canary", "Rolled back", "Live", "Retired", "Retired"}));
        QCOMPARE(versions.liveVersionId(), "ver-3-live");
        QCOMPARE(versions.rowOf("ver-2-retired"), 3);
        QCOMPARE(versions.versionAt(3).description(), std::string("shorter answers"));
        QVERIFY(
            versions.index(2, VersionHistoryModel::State).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!versions.index(3, VersionHistoryModel::State).data(Qt::FontRole).isValid());
        QCOMPARE(
            versions.index(2, VersionHistoryModel::State).data(Qt::BackgroundRole).value<QColor>(),
            fmt::phaseColor(pb::ROLLOUT_PHASE_PROMOTED));
        QCOMPARE(
            versions.index(0, VersionHistoryModel::State).data(Qt::BackgroundRole).value<QColor>(),
            fmt::phaseColor(pb::ROLLOUT_PHASE_PROGRESSING));
        QCOMPARE(versions.index(2, VersionHistoryModel::Version).data(Qt::ToolTipRole).toString(),
                 "ver-3-live\n\nAnswer using only the documents below. Cite them.");
        QCOMPARE(versions.index(2, VersionHistoryModel::FromEntry).data().toString(), "k-3a4b5c");
        QCOMPARE(versions.index(2, VersionHistoryModel::Created).data().toString(),
                 "2025-11-24 19:00:00");

        // Without rollouts a retired version can be restored; the live one cannot.
        QVERIFY(!versions.hasActiveRollout());
        QCOMPARE(versions.restoreBlockedReason(3), QString());
        QCOMPARE(versions.restoreBlockedReason(2), "Version ver-3-li is already live.");
        QVERIFY(versions.restoreBlockedReason(0).contains("canaried"));
        QVERIFY(versions.restoreBlockedReason(1).contains("rolled back"));
        QVERIFY(!versions.restoreBlockedReason(7).isEmpty());

        // An active rollout of the graph blocks every restore, and says which.
        QSignalSpy reset(&versions, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&versions, &QAbstractItemModel::dataChanged);
        versions.setRollouts(graphRollouts());
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QVERIFY(versions.hasActiveRollout());
        QCOMPARE(versions.restoreBlockedReason(3),
                 "rag_pipeline has an active rollout (r-canary, progressing at 25 %): restore "
                 "when it has ended.");
        QCOMPARE(versions.restoreBlockedReason(2), "Version ver-3-li is already live.");

        // What each version's newest rollout did.
        QCOMPARE(column(versions, VersionHistoryModel::Rollouts),
                 QStringList({"canary at 25 % now", "rolled back 20:40: quality guardrail…",
                              "promoted 20:31", "promoted 2025-11-20 09:15", ""}));
        const QString liveTip =
            versions.index(2, VersionHistoryModel::Rollouts).data(Qt::ToolTipRole).toString();
        QCOMPARE(liveTip.split('\n'),
                 QStringList({"r-promot  Promoted, launched 2025-11-24 20:01:00, ended "
                              "2025-11-24 20:31:00",
                              "r-aborte  Aborted, launched 2025-11-24 19:10:00, ended 2025-11-24 "
                              "19:20:00: aborted by bob"}));

        // The rollout ends: restoring is possible again.
        auto rollouts = graphRollouts();
        rollouts[1].set_phase(pb::ROLLOUT_PHASE_ABORTED); // r-canary
        versions.setRollouts(rollouts);
        QVERIFY(!versions.hasActiveRollout());
        QCOMPARE(versions.restoreBlockedReason(3), QString());
        // An active rollout of another graph does not matter here.
        auto elsewhere = rollout("r-other", pb::ROLLOUT_PHASE_PAUSED, at(24, 22, 0));
        elsewhere.set_graph_name("support_triage");
        rollouts.push_back(elsewhere);
        versions.setRollouts(rollouts);
        QVERIFY(!versions.hasActiveRollout());

        // The graph as shipped: nothing live.
        auto noneLive = graphVersions();
        noneLive[1].set_state(pb::VERSION_STATE_RETIRED); // ver-3-live
        versions.setVersions(noneLive);
        QCOMPARE(versions.liveVersionId(), QString());
    }

private:
    static pb::OptimizationVersion version(const std::string& id, pb::VersionState state,
                                           qint64 createdUs, const std::string& description)
    {
        pb::OptimizationVersion v;
        v.set_version_id(id);
        v.set_graph_name("rag_pipeline");
        v.set_node_id("generate");
        v.set_target_param("system_prompt");
        v.set_content("Answer using the documents.");
        v.set_description(description);
        v.set_source_entry_id("k-" + id);
        v.set_state(state);
        v.set_created_us(createdUs);
        return v;
    }

    // ListVersions answers in no particular order.
    static std::vector<pb::OptimizationVersion> graphVersions()
    {
        auto live = version("ver-3-live", pb::VERSION_STATE_LIVE, at(24, 19, 0), "cite sources");
        live.set_content("Answer using only the documents below. Cite them.");
        live.set_source_entry_id("k-3a4b5c6d7e8f");
        return {
            version("ver-1-retired", pb::VERSION_STATE_RETIRED, at(18, 9, 0), "first try"), live,
            version("ver-5-canary", pb::VERSION_STATE_CANARY, at(24, 22, 0), "be brief"),
            version("ver-2-retired", pb::VERSION_STATE_RETIRED, at(19, 9, 0), "shorter answers"),
            version("ver-4-rolledback", pb::VERSION_STATE_ROLLED_BACK, at(24, 20, 0),
                    "more context")};
    }

    static pb::Rollout rolloutOf(const std::string& id, const std::string& versionId,
                                 pb::RolloutPhase phase, qint64 createdUs)
    {
        pb::Rollout r = rollout(id, phase, createdUs);
        r.set_version_id(versionId);
        return r;
    }

    static std::vector<pb::Rollout> graphRollouts()
    {
        auto canary =
            rolloutOf("r-canary", "ver-5-canary", pb::ROLLOUT_PHASE_PROGRESSING, at(24, 22, 5));
        canary.set_weight_percent(25);
        auto rolledBack = rolloutOf("r-rolledback", "ver-4-rolledback",
                                    pb::ROLLOUT_PHASE_ROLLED_BACK, at(24, 20, 10));
        rolledBack.set_reason("quality guardrail: canary 0.70 vs baseline 0.86 (-18.6 %, limit "
                              "-10 %) over 30/30 runs");
        *rolledBack.add_history() =
            historyEvent(at(24, 20, 40), "rolled_back", rolledBack.reason());
        rolledBack.set_updated_us(at(24, 20, 41)); // a later tick; the event says when
        auto promoted =
            rolloutOf("r-promoted", "ver-3-live", pb::ROLLOUT_PHASE_PROMOTED, at(24, 20, 1));
        *promoted.add_history() = historyEvent(at(24, 20, 31), "promoted", "plan complete");
        auto aborted =
            rolloutOf("r-aborted", "ver-3-live", pb::ROLLOUT_PHASE_ABORTED, at(24, 19, 10));
        aborted.set_reason("aborted by bob");
        *aborted.add_history() = historyEvent(at(24, 19, 20), "aborted", "aborted by bob", "bob");
        auto old = rolloutOf("r-old", "ver-2-retired", pb::ROLLOUT_PHASE_PROMOTED, at(20, 9, 0));
        old.set_updated_us(at(20, 9, 15)); // no closing event: its last change
        return {aborted, canary, old, rolledBack, promoted};
    }
};

QTEST_GUILESS_MAIN(TestRolloutModels)
#include "tst_rollout_models.moc"
