// The Rollouts tab against a real in-process Nexus whose simulated fleet
// runs the canaries: launch from an approved entry through the wizard,
// watch the evidence and the analysis fill, promote; a worse candidate is
// rolled back by the controller and the tab says why; an abort sends every
// run back to the baseline; an action Nexus did not answer is sent again
// with the same request id; an operator sees why the actions are disabled.
#include "client/ConnectionProfile.h"
#include "models/RolloutBoardModel.h"
#include "models/RolloutEventsModel.h"
#include "models/VersionHistoryModel.h"
#include "server/sim/FleetSimulator.h"
#include "server/store/Store.h"
#include "widgets/AnalysisView.h"
#include "widgets/CanaryCharts.h"
#include "widgets/LaunchRolloutWizard.h"

#include "ConsoleTestNexus.h"
#include "MainWindow.h"
#include "RolloutsPage.h"

#include <QAbstractButton>
#include <QDateTime>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using nexus::app::RolloutsPage;
using nexus::testing::screenshotDir;
namespace pb = ::nexus::v1;

namespace {

std::int64_t nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

constexpr const char* kTokens = R"({"tokens": [
    {"name": "alice", "role": "approver", "token": "alice-secret"},
    {"name": "olga", "role": "operator", "token": "olga-secret"}]})";

pb::RolloutStep weight(int percent)
{
    pb::RolloutStep s;
    s.mutable_set_weight()->set_percent(percent);
    return s;
}

pb::RolloutStep analysis(int seconds, int minSamples)
{
    pb::RolloutStep s;
    s.mutable_analysis()->set_window_seconds(seconds);
    s.mutable_analysis()->set_min_samples(minSamples);
    return s;
}

pb::RolloutStep pauseUntilPromoted()
{
    pb::RolloutStep s;
    s.mutable_pause()->set_duration_seconds(0);
    return s;
}

} // namespace

class TestConsoleRollouts : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<nexus::server::NexusServer> nexus_;
    std::string address_;
    std::unique_ptr<nexus::app::MainWindow> window_;
    RolloutsPage* page_ = nullptr;

    void startNexus(const std::string& listen)
    {
        nexus_ = nexus::testing::startConsoleNexus(dir_, listen, kTokens, true,
                                                   [](nexus::server::ServerOptions& o) {
                                                       o.simulate = 8;
                                                       o.simRate = 4;
                                                       o.seed = 42;
                                                   });
        address_ = nexus_->nexusAddress();
    }

    bool shot(QWidget* widget, const char* name)
    {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        return widget->grab().save(screenshotDir() + QLatin1Char('/') + QLatin1String(name));
    }

    void signIn(const char* tokenEnv)
    {
        nexus::client::ConnectionProfile p;
        p.name = QStringLiteral("rollouts test");
        p.kind = nexus::client::ConnectionProfile::Kind::Remote;
        p.nexusEndpoint = QString::fromStdString(address_);
        p.token = {nexus::client::SecretSource::Kind::EnvVar, QString::fromLatin1(tokenEnv)};
        window_->openProfile(p);
        QVERIFY(window_->showView(QStringLiteral("rollouts")));
        page_ = window_->rolloutsPage();
        QVERIFY(page_ && page_->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(page_->streamText(), QStringLiteral("Live"), 15000);
    }

    // A candidate of rag_pipeline/generate with what it really does to runs.
    std::string candidate(const std::string& description,
                          const nexus::server::VersionEffect& effect,
                          const std::string& entryId = {})
    {
        pb::OptimizationVersion v;
        v.set_graph_name("rag_pipeline");
        v.set_node_id("generate");
        v.set_target_param("system_prompt");
        v.set_content("Answer from the passages only and cite them: " + description);
        v.set_description(description);
        v.set_source_entry_id(entryId);
        v.set_state(pb::VERSION_STATE_CANDIDATE);
        auto created = nexus_->store().createVersion(v, nowUs());
        if (!created)
            qFatal("createVersion: %s", created.error().message.c_str());
        nexus_->simulator()->setVersionEffect(created->version_id(), effect);
        return created->version_id();
    }

    // Opens the wizard (for `entryId`'s version, else picks `versionId`),
    // sets the plan and guardrails a test can wait for, launches, and
    // returns the new rollout's id once the board shows it.
    QString launch(const QString& versionId, const std::vector<pb::RolloutStep>& steps,
                   const QString& entryId = {}, const char* screenshot = nullptr)
    {
        const int before = page_->board()->rowCount();
        page_->openLaunchWizard(entryId);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(page_->wizard() && page_->wizard()->isVisible(), 15000); }();
        auto* wizard = page_->wizard();
        if (!wizard)
            return {};
        if (entryId.isEmpty())
            wizard->selectVersion(versionId);
        if (wizard->selectedVersionId() != versionId) {
            qWarning("the wizard offers %s, not %s", qPrintable(wizard->selectedVersionId()),
                     qPrintable(versionId));
            return {};
        }
        wizard->setSteps(steps);
        pb::Guardrails g;
        g.set_max_quality_drop(0.10);
        g.set_max_p95_latency_increase(1.0);
        g.set_max_error_rate(0.6); // the fleet has an error-prone instance
        g.set_min_samples(8);
        wizard->setGuardrails(g);
        if (!wizard->validationError().isEmpty()) {
            qWarning("plan refused: %s", qPrintable(wizard->validationError()));
            return {};
        }
        if (screenshot) {
            while (wizard->currentId() != wizard->pageIds().last())
                wizard->next();
            shot(wizard, screenshot);
        }
        wizard->accept();
        [&] { QTRY_COMPARE_WITH_TIMEOUT(page_->board()->rowCount(), before + 1, 15000); }();
        return page_->currentRolloutId();
    }

    const pb::Rollout* shown() { return page_->board()->find(page_->currentRolloutId()); }

    pb::RolloutPhase phaseOf(const QString& id)
    {
        const pb::Rollout* r = page_->board()->find(id);
        return r ? r->phase() : pb::ROLLOUT_PHASE_UNSPECIFIED;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("TEST_ROLLOUT_ALICE", "alice-secret");
        qputenv("TEST_ROLLOUT_OLGA", "olga-secret");
        startNexus("127.0.0.1:0");
        window_ = std::make_unique<nexus::app::MainWindow>();
        window_->resize(1500, 950);
        window_->show();
        signIn("TEST_ROLLOUT_ALICE");
        QTRY_VERIFY_WITH_TIMEOUT(page_->canAct(), 10000);
        page_->setConfirmation([](const QString&) { return true; });
        page_->setReasonPrompt(
            [](const QString&) { return std::optional<QString>(QStringLiteral("test run")); });
    }

    void cleanupTestCase()
    {
        window_.reset();
        nexus_.reset();
    }

    void aBetterCandidateIsLaunchedFromItsEntryWatchedAndPromoted()
    {
        // An approved prompt optimization with its version.
        pb::KnowledgeEntry e;
        e.set_kind(pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
        e.set_title("rag_pipeline/generate: cite the passages");
        e.set_graph_name("rag_pipeline");
        e.set_node_id("generate");
        e.mutable_prompt_optimization()->set_original_prompt("Answer the question.");
        e.mutable_prompt_optimization()->set_optimized_prompt("Answer and cite the passages.");
        e.mutable_prompt_optimization()->set_optimizer("mipro");
        auto entry = nexus_->store().createEntry(e, nowUs());
        QVERIFY(entry.ok());
        pb::ReviewEntryRequest approve;
        approve.set_entry_id(entry->entry_id());
        approve.set_seen_revision(entry->revision());
        approve.set_decision(pb::REVIEW_DECISION_APPROVE);
        approve.set_request_id("approve-1");
        QVERIFY(nexus_->store().reviewEntry(approve, "alice", nowUs()).ok());
        const std::string better = candidate("cite passages", {0.10, 0.9, 0.0}, entry->entry_id());

        const QString id =
            launch(QString::fromStdString(better),
                   {weight(50), analysis(3, 8), pauseUntilPromoted(), weight(100)},
                   QString::fromStdString(entry->entry_id()), "rollouts-wizard-summary.png");
        QVERIFY(!id.isEmpty());
        QCOMPARE(page_->currentRolloutId(), id);
        QCOMPARE(shown()->weight_percent(), 50);
        QVERIFY(page_->statusText().contains(QStringLiteral("Launched canary")));

        // Evidence on both sides, then the analysis, then the pause step.
        QTRY_VERIFY_WITH_TIMEOUT(page_->charts()->pointCount(QStringLiteral("quality"), true) > 0 &&
                                     page_->charts()->pointCount(QStringLiteral("quality"), false) >
                                         0,
                                 60000);
        QTRY_VERIFY_WITH_TIMEOUT(phaseOf(id) != pb::ROLLOUT_PHASE_PROGRESSING, 90000);
        QVERIFY2(phaseOf(id) == pb::ROLLOUT_PHASE_PAUSED, shown()->reason().c_str());
        QVERIFY(page_->analysisView()->windowCount() >= 1);
        const QString banner = page_->analysisView()->bannerText();
        QVERIFY2(banner.contains(QStringLiteral("Pass")) ||
                     banner.contains(QStringLiteral("Marginal")),
                 qPrintable(banner));
        // Waiting at the plan's pause: promote goes on, resume does not.
        QVERIFY(page_->actionButton(RolloutsPage::Action::PromoteStep)->isEnabled());
        QVERIFY(!page_->actionButton(RolloutsPage::Action::Resume)->isEnabled());
        QVERIFY(page_->actionButton(RolloutsPage::Action::Resume)
                    ->toolTip()
                    .contains(QStringLiteral("promote")));
        page_->detailTabs()->setCurrentWidget(page_->charts());
        QVERIFY(shot(window_.get(), "rollouts-evidence.png"));
        page_->detailTabs()->setCurrentWidget(page_->analysisView());
        QVERIFY(shot(window_.get(), "rollouts-analysis.png"));

        QTest::mouseClick(page_->actionButton(RolloutsPage::Action::PromoteStep), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(phaseOf(id), pb::ROLLOUT_PHASE_PROMOTED, 15000);
        QCOMPARE(shown()->weight_percent(), 100);
        QVERIFY2(page_->statusText().contains(QStringLiteral("done")),
                 qPrintable(page_->statusText()));
        QVERIFY(!page_->actionButton(RolloutsPage::Action::Abort)->isEnabled());
        // The version is live now, and the Versions tab says so.
        QTRY_COMPARE_WITH_TIMEOUT(page_->versions()->liveVersionId(),
                                  QString::fromStdString(better), 10000);
        auto version = nexus_->store().version(better);
        QVERIFY(version.ok() && version->has_value());
        QCOMPARE((*version)->state(), pb::VERSION_STATE_LIVE);
        // The timeline tells the story, promotion last.
        auto* events = page_->events();
        QVERIFY(events->rowCount() >= 3);
        QCOMPARE(events->index(events->rowCount() - 1, 0)
                     .data(nexus::models::RolloutEventsModel::KindRole)
                     .toString(),
                 QStringLiteral("promoted"));
    }

    void aWorseCandidateIsRolledBackAndTheTabSaysWhy()
    {
        const std::string worse = candidate("terse answers", {-0.35, 1.0, 0.0});
        const QString id =
            launch(QString::fromStdString(worse), {weight(50), analysis(3, 8), weight(100)});
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(phaseOf(id), pb::ROLLOUT_PHASE_ROLLED_BACK, 90000);
        QCOMPARE(shown()->weight_percent(), 0);
        const QString reason = QString::fromStdString(shown()->reason());
        QVERIFY2(reason.contains(QStringLiteral("quality")), qPrintable(reason));
        // The reason is on screen, with its numbers, and nothing can be done.
        bool onScreen = false;
        for (QLabel* label : page_->findChildren<QLabel*>())
            onScreen = onScreen || (label->isVisible() && label->text().contains(reason));
        QVERIFY(onScreen);
        QVERIFY(page_->actionBlockedReason(RolloutsPage::Action::PromoteStep)
                    .contains(QStringLiteral("rolled back")));
        QVERIFY(!page_->actionButton(RolloutsPage::Action::PromoteFull)->isEnabled());
        QVERIFY(shot(window_.get(), "rollouts-rolled-back.png"));
        // The controller's rollback is in the timeline.
        bool listed = false;
        for (int row = 0; row < page_->events()->rowCount(); ++row)
            listed = listed || page_->events()
                                       ->index(row, 0)
                                       .data(nexus::models::RolloutEventsModel::KindRole)
                                       .toString() == QLatin1String("rolled_back");
        QVERIFY(listed);
    }

    void anAbortMidStepSendsEveryRunBackToTheBaseline()
    {
        const std::string neutral = candidate("same prompt, new words", {0.0, 1.0, 0.0});
        const QString id =
            launch(QString::fromStdString(neutral), {weight(25), analysis(600, 8), weight(100)});
        QVERIFY(!id.isEmpty());
        auto* sim = nexus_->simulator();
        const auto canaryAtLaunch = sim->stats().canaryRuns;
        QTRY_VERIFY_WITH_TIMEOUT(sim->stats().canaryRuns > canaryAtLaunch + 3, 30000);

        page_->act(RolloutsPage::Action::Abort);
        QTRY_COMPARE_WITH_TIMEOUT(phaseOf(id), pb::ROLLOUT_PHASE_ABORTED, 15000);
        QCOMPARE(shown()->weight_percent(), 0);
        QCOMPARE(shown()->reason(), std::string("test run"));
        // Runs that chose their side before the abort may still finish;
        // after that, none goes to the canary.
        const auto runsAtAbort = sim->stats().runs;
        QTRY_VERIFY_WITH_TIMEOUT(sim->stats().runs > runsAtAbort + 10, 30000);
        const auto canaryAfter = sim->stats().canaryRuns;
        const auto runsAfter = sim->stats().runs;
        QTRY_VERIFY_WITH_TIMEOUT(sim->stats().runs > runsAfter + 40, 30000);
        QCOMPARE(sim->stats().canaryRuns, canaryAfter);
        // The abort and its reason are audited under alice.
        pb::ListAuditRequest query;
        query.set_target(id.toStdString());
        query.set_action_prefix("rollout.abort");
        auto audit = nexus_->store().listAudit(query);
        QVERIFY(audit.ok());
        QCOMPARE(int(audit->records.size()), 1);
        QCOMPARE(audit->records.front().actor(), std::string("alice"));
    }

    void anUnansweredActionIsSentAgainAndAppliedOnce()
    {
        const std::string neutral = candidate("another wording", {0.0, 1.0, 0.0});
        const QString id =
            launch(QString::fromStdString(neutral), {weight(10), analysis(600, 8), weight(100)});
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY(page_->actionButton(RolloutsPage::Action::Pause)->isEnabled());

        nexus_.reset(); // Nexus goes away
        page_->act(RolloutsPage::Action::Pause);
        QTRY_VERIFY_WITH_TIMEOUT(page_->statusText().contains(QStringLiteral("did not answer")),
                                 30000);
        // The rollout did not change on screen: the console fakes nothing.
        QCOMPARE(phaseOf(id), pb::ROLLOUT_PHASE_PROGRESSING);

        startNexus(address_); // back, same address and data
        QTRY_COMPARE_WITH_TIMEOUT(page_->streamText(), QStringLiteral("Live"), 30000);
        page_->retryLastAction();
        QTRY_COMPARE_WITH_TIMEOUT(phaseOf(id), pb::ROLLOUT_PHASE_PAUSED, 30000);
        auto stored = nexus_->store().rollout(id.toStdString());
        QVERIFY(stored.ok() && stored->has_value());
        int pauses = 0;
        for (const auto& event : (*stored)->history())
            pauses += event.kind() == "paused" ? 1 : 0;
        QCOMPARE(pauses, 1);
        // Once more with the same request: still one pause.
        page_->retryLastAction(); // nothing unanswered: a no-op
        QCOMPARE(page_->statusText().contains(QStringLiteral("done")), true);
    }

    void anOperatorMayOnlyStopACanaryAndSeesWhy()
    {
        signIn("TEST_ROLLOUT_OLGA");
        QTRY_VERIFY_WITH_TIMEOUT(page_->board()->rowCount() >= 4, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!page_->canAct() &&
                                     page_->actionBlockedReason(RolloutsPage::Action::PromoteStep)
                                         .contains(QStringLiteral("approver role")),
                                 10000);
        // The paused rollout of the last test: resume would be possible for an approver.
        const int row = [&] {
            for (int r = 0; r < page_->board()->rowCount(); ++r)
                if (page_->board()->rolloutAt(r).phase() == pb::ROLLOUT_PHASE_PAUSED)
                    return r;
            return -1;
        }();
        QVERIFY(row >= 0);
        page_->selectRollout(QString::fromStdString(page_->board()->rolloutAt(row).rollout_id()));
        auto* resume = page_->actionButton(RolloutsPage::Action::Resume);
        QVERIFY(!resume->isEnabled());
        QVERIFY(resume->toolTip().contains(QStringLiteral("olga")));
        QVERIFY(!page_->actionButton(RolloutsPage::Action::PromoteFull)->isEnabled());
        // An operator may stop a bad canary: abort is there, and Nexus takes it.
        QVERIFY(page_->actionButton(RolloutsPage::Action::Abort)->isEnabled());
        page_->act(RolloutsPage::Action::Abort);
        QTRY_COMPARE_WITH_TIMEOUT(page_->board()->find(page_->currentRolloutId())->phase(),
                                  pb::ROLLOUT_PHASE_ABORTED, 15000);
        QVERIFY(shot(window_.get(), "rollouts-operator.png"));
    }
};

QTEST_MAIN(TestConsoleRollouts)
#include "tst_console_rollouts.moc"
