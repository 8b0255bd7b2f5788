// The Knowledge tab as an approver meets it, against a real Nexus on
// loopback: the queue lists pending entries first with counts, a new entry
// appears by itself, two entries are reviewed with the keyboard alone
// (A, then R with a comment and Ctrl+Enter) and both decisions are in the
// audit log; a conflict shows the review that won and applies nothing; a
// review made while Nexus is down waits visibly and is applied exactly once
// when Nexus is back; a discarded one is never sent; a selection is
// reviewed with one comment; an example trace opens in the trace
// inspector; an operator sees why they cannot review. Screenshots are
// saved to look at.
#include "client/ConnectionProfile.h"
#include "models/AuditLogModel.h"
#include "models/KnowledgeQueueModel.h"
#include "models/ReviewOutbox.h"
#include "server/events/EventHub.h"
#include "widgets/KnowledgeEntryView.h"
#include "widgets/ReviewPanel.h"

#include "../client/TraceSeed.h"
#include "ConsoleTestNexus.h"
#include "KnowledgeAuditPanel.h"
#include "KnowledgePage.h"
#include "KnowledgeReviews.h"
#include "MainWindow.h"
#include "TracesPage.h"

#include <QAbstractButton>
#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using nexus::app::KnowledgePage;
using nexus::models::KnowledgeQueueModel;
namespace pb = ::nexus::v1;

using nexus::testing::screenshotDir;

namespace {

std::unique_ptr<nexus::server::NexusServer> startNexus(const QTemporaryDir& dir,
                                                       const std::string& listen)
{
    return nexus::testing::startConsoleNexus(dir, listen, R"({"tokens": [
        {"name": "alice", "role": "approver", "token": "alice-secret"},
        {"name": "olga", "role": "operator", "token": "olga-secret"}]})");
}

pb::KnowledgeEntry promptEntry(const std::string& title)
{
    pb::KnowledgeEntry e;
    e.set_kind(pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
    e.set_title(title);
    e.set_summary("A shorter system prompt that names the output format.");
    e.set_graph_name("rag_pipeline");
    e.set_node_id("generate");
    e.set_found_by("optimizer@sim-004");
    e.set_confidence(0.8);
    e.set_tenant_id("default");
    auto* p = e.mutable_prompt_optimization();
    p->set_original_prompt("Answer the question using the retrieved documents. Be helpful.");
    p->set_optimized_prompt(
        "Answer the question using only the retrieved documents. Cite each document you use "
        "as [n]. Say so when they do not contain the answer.");
    p->set_measured_improvement(0.072);
    p->set_metric("quality");
    p->set_samples(240);
    p->set_optimizer("MIPROv2");
    return e;
}

pb::KnowledgeEntry pitfallEntry(const std::string& title)
{
    pb::KnowledgeEntry e;
    e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
    e.set_title(title);
    e.set_summary("Retries without backoff trip the provider's rate limit.");
    e.set_graph_name("support_triage");
    e.set_node_id("classify");
    e.set_found_by("sim-002");
    e.add_source_instances("sim-002");
    e.set_tenant_id("default");
    auto* p = e.mutable_pitfall();
    p->set_severity("high");
    p->set_description("Three retries within a second after a 429 answer.");
    p->set_mitigation("Back off exponentially with jitter; stop after 5 attempts.");
    return e;
}

} // namespace

class TestConsoleKnowledge : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<nexus::server::NexusServer> nexus_;
    std::string address_;
    std::string exampleThread_;
    std::unique_ptr<nexus::app::MainWindow> window_;
    KnowledgePage* page_ = nullptr;

    bool shot(const char* name)
    {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        return window_->grab().save(screenshotDir() + QLatin1Char('/') + QLatin1String(name));
    }

    std::string create(pb::KnowledgeEntry entry, bool announce)
    {
        auto stored = nexus_->store().createEntry(std::move(entry), nexus::testing::nowUs());
        if (!stored)
            qFatal("createEntry: %s", stored.error().message.c_str());
        if (announce) {
            pb::KnowledgeEvent event;
            event.set_type(pb::KnowledgeEvent::TYPE_CREATED);
            *event.mutable_entry() = stored.value();
            nexus_->events().knowledge.publish(event);
        }
        return stored.value().entry_id();
    }

    pb::GetEntryResponse serverEntry(const std::string& id)
    {
        auto entry = nexus_->store().getEntry(id);
        if (!entry)
            qFatal("getEntry: %s", entry.error().message.c_str());
        return entry.value();
    }

    // The audit records of one entry, as Nexus keeps them.
    std::vector<pb::AuditRecord> audit(const std::string& target)
    {
        pb::ListAuditRequest request;
        request.set_target(target);
        request.set_action_prefix("knowledge.review");
        auto page = nexus_->store().listAudit(request);
        if (!page)
            qFatal("listAudit: %s", page.error().message.c_str());
        return page.value().records;
    }

    int rowOf(const std::string& id) { return page_->queue()->rowOf(QString::fromStdString(id)); }

    QString statusOf(const std::string& id)
    {
        const int row = rowOf(id);
        return row < 0 ? QString()
                       : page_->queue()->index(row, KnowledgeQueueModel::Status).data().toString();
    }

    void select(const std::string& id)
    {
        const int row = rowOf(id);
        QVERIFY(row >= 0);
        page_->queueTable()->selectionModel()->setCurrentIndex(page_->queue()->index(row, 0),
                                                               QItemSelectionModel::ClearAndSelect |
                                                                   QItemSelectionModel::Rows);
        page_->queueTable()->setFocus();
        QTRY_COMPARE(page_->currentEntryId(), QString::fromStdString(id));
    }

    void key(Qt::Key k, Qt::KeyboardModifiers mods = {})
    {
        QWidget* target = QApplication::focusWidget();
        QVERIFY(target);
        QTest::keyClick(target, k, mods);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // A clean outbox: nothing left over from an earlier run.
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
             QStringLiteral("/review-outbox"))
            .removeRecursively();
        qputenv("TEST_KNOWLEDGE_TOKEN", "alice-secret");
        nexus_ = startNexus(dir_, "127.0.0.1:0");
        address_ = nexus_->nexusAddress();

        // A success pattern whose example trace Nexus really has.
        auto trace = nexus::testing::recordRun({"rag_pipeline", "rag-best-01", "sim-001", 7});
        nexus::testing::storeTrace(nexus_->store(), trace);
        exampleThread_ = trace.threadId;
        pb::KnowledgeEntry pattern;
        pattern.set_kind(pb::KNOWLEDGE_KIND_SUCCESS_PATTERN);
        pattern.set_title("rag_pipeline: what its best runs have in common");
        pattern.set_summary("The best runs re-rank before they generate.");
        pattern.set_graph_name("rag_pipeline");
        pattern.set_confidence(0.82);
        pattern.add_source_instances("sim-001");
        pattern.add_example_trace_ids(exampleThread_);
        pattern.mutable_success_pattern()->set_description(pattern.summary());
        pattern.mutable_success_pattern()->set_occurrences(41);
        create(pattern, false);
        pb::KnowledgeEntry code;
        code.set_kind(pb::KNOWLEDGE_KIND_CODE_PATTERN);
        code.set_title("Parse tool output defensively");
        code.set_graph_name("coding_agent");
        code.set_found_by("sim-003");
        code.mutable_code_pattern()->set_language("rust");
        code.mutable_code_pattern()->set_code(
            "match serde_json::from_str::<Output>(&raw) {\n    Ok(out) => out,\n    Err(e) => "
            "return Err(ToolError::Malformed(e)),\n}");
        code.mutable_code_pattern()->set_use_case("Tool calls whose output is JSON.");
        create(code, false);
        create(pitfallEntry("support_triage: retries without backoff"), false);
        create(promptEntry("rag_pipeline/generate: cite the documents"), false);

        window_ = std::make_unique<nexus::app::MainWindow>();
        window_->resize(1500, 950);
        window_->show();
        nexus::client::ConnectionProfile p;
        p.name = QStringLiteral("knowledge test");
        p.kind = nexus::client::ConnectionProfile::Kind::Remote;
        p.nexusEndpoint = QString::fromStdString(address_);
        p.token = {nexus::client::SecretSource::Kind::EnvVar,
                   QStringLiteral("TEST_KNOWLEDGE_TOKEN")};
        window_->openProfile(p);
        QVERIFY(window_->showView(QStringLiteral("knowledge")));
        page_ = window_->knowledgePage();
        QVERIFY(page_ && page_->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(page_->queue()->rowCount(), 4, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(page_->canReview(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(page_->streamText(), QStringLiteral("Live"), 10000);
    }

    void cleanupTestCase()
    {
        window_.reset();
        nexus_.reset();
    }

    void theQueueListsPendingEntriesWithCounts()
    {
        QCOMPARE(page_->queue()->counts().value(QStringLiteral("pending")), 4);
        // The newest first among the pending: the prompt optimization.
        QCOMPARE(page_->queue()->index(0, KnowledgeQueueModel::Title).data().toString(),
                 QStringLiteral("rag_pipeline/generate: cite the documents"));
        QVERIFY(shot("knowledge-queue.png"));
    }

    void aNewEntryAppearsWithoutRefresh()
    {
        const std::string id = create(pitfallEntry("rag_pipeline: empty retrieval"), true);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(id) >= 0, 10000);
        QCOMPARE(page_->queue()->rowCount(), 5);
        QCOMPARE(page_->queue()->counts().value(QStringLiteral("pending")), 5);
    }

    void twoEntriesAreReviewedByKeyboard()
    {
        const std::string first = page_->queue()->entry(0)->entry_id();
        select(first);
        // A approves; the cursor moves on to the next pending entry.
        key(Qt::Key_A);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(first), QStringLiteral("Approved"), 10000);
        const std::string second = page_->currentEntryId().toStdString();
        QVERIFY(!second.empty() && second != first);
        QVERIFY(page_->queueTable()->hasFocus());

        // R without a comment asks for one and puts the cursor there.
        key(Qt::Key_R);
        auto* comment = qobject_cast<QPlainTextEdit*>(QApplication::focusWidget());
        QVERIFY2(comment, "R did not put the cursor in the comment field");
        QCOMPARE(statusOf(second), QStringLiteral("Pending"));
        QTest::keyClicks(comment, QStringLiteral("Too vague to act on"));
        key(Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(second), QStringLiteral("Rejected"), 10000);
        QVERIFY(shot("knowledge-reviewed.png"));

        // Nexus has both decisions, once each, and the audit log says who.
        const auto a = serverEntry(first);
        QCOMPARE(a.entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);
        QCOMPARE(a.reviews_size(), 1);
        QCOMPARE(a.reviews(0).reviewer(), std::string("alice"));
        const auto b = serverEntry(second);
        QCOMPARE(b.entry().status(), pb::KNOWLEDGE_STATUS_REJECTED);
        QCOMPARE(b.reviews(0).comment(), std::string("Too vague to act on"));
        for (const std::string& id : {first, second}) {
            const auto records = audit(id);
            QCOMPARE(records.size(), std::size_t(1));
            QCOMPARE(records[0].actor(), std::string("alice"));
            QVERIFY(QString::fromStdString(records[0].outcome()).startsWith(QStringLiteral("ok")));
        }

        // The console's audit view shows them too.
        page_->tabs()->setCurrentWidget(page_->auditPanel());
        QTRY_VERIFY_WITH_TIMEOUT(page_->auditPanel()->model()->rowCount() >= 2, 10000);
        QVERIFY(shot("knowledge-audit.png"));
        page_->tabs()->setCurrentIndex(0);
    }

    void aConflictShowsTheReviewThatWon()
    {
        const std::string id = create(promptEntry("support_triage/answer: be brief"), true);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(id) >= 0, 10000);
        // Bob reviews it behind the console's back (no event reaches it).
        pb::ReviewEntryRequest bob;
        bob.set_entry_id(id);
        bob.set_seen_revision(1);
        bob.set_decision(pb::REVIEW_DECISION_REJECT);
        bob.set_comment("Worse on long tickets");
        bob.set_request_id("bob-1");
        QVERIFY(nexus_->store().reviewEntry(bob, "bob", nexus::testing::nowUs()).ok());

        select(id);
        QCOMPARE(statusOf(id), QStringLiteral("Pending")); // the console did not hear of it
        key(Qt::Key_A);
        QTRY_VERIFY_WITH_TIMEOUT(page_->statusText().contains(QStringLiteral("Not applied")),
                                 10000);
        QVERIFY2(page_->statusText().contains(QStringLiteral("bob")),
                 qPrintable(page_->statusText()));
        // The row now shows what Nexus has: bob's rejection, and only it.
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("Rejected"), 10000);
        QCOMPARE(serverEntry(id).reviews_size(), 1);
        QCOMPARE(serverEntry(id).reviews(0).reviewer(), std::string("bob"));
        select(id);
        QVERIFY(shot("knowledge-conflict.png"));
    }

    void aReviewWhileNexusIsDownIsAppliedOnceWhenItIsBack()
    {
        const std::string id = create(pitfallEntry("coding_agent: tests not run"), true);
        const std::string dropped = create(pitfallEntry("coding_agent: huge diffs"), true);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(id) >= 0 && rowOf(dropped) >= 0, 10000);
        nexus_.reset(); // Nexus goes away

        select(id);
        key(Qt::Key_A);
        QTRY_COMPARE_WITH_TIMEOUT(page_->outbox()->size(), 1, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(page_->outbox()->all().front().attempts > 0, 15000);
        QVERIFY2(page_->statusText().contains(QStringLiteral("not delivered")),
                 qPrintable(page_->statusText()));
        QCOMPARE(statusOf(id), QStringLiteral("Pending")); // nothing faked

        // A second one, given up by the user: never sent.
        select(dropped);
        key(Qt::Key_A);
        QTRY_COMPARE_WITH_TIMEOUT(page_->outbox()->size(), 2, 15000);
        QVERIFY(shot("knowledge-pending-retry.png"));
        QString droppedRequest;
        for (const auto& review : page_->outbox()->all())
            if (review.entryId == QString::fromStdString(dropped))
                droppedRequest = review.requestId;
        QTRY_VERIFY_WITH_TIMEOUT(page_->reviews()->inFlight() == 0, 15000);
        page_->reviews()->discard(droppedRequest);
        QCOMPARE(page_->outbox()->size(), 1);

        // The kept review survives a console restart: it is on disk.
        {
            nexus::models::ReviewOutbox reread(page_->outbox()->filePath());
            QCOMPARE(reread.size(), 1);
            QCOMPARE(reread.all().front().entryId, QString::fromStdString(id));
        }

        nexus_ = startNexus(dir_, address_); // back, same address and data
        page_->reviews()->retryNow();
        QTRY_COMPARE_WITH_TIMEOUT(page_->outbox()->size(), 0, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("Approved"), 10000);
        // A second retry of the same request id changes nothing.
        page_->reviews()->retryNow();
        QCOMPARE(serverEntry(id).reviews_size(), 1);
        QCOMPARE(audit(id).size(), std::size_t(1));
        QCOMPARE(serverEntry(dropped).entry().status(), pb::KNOWLEDGE_STATUS_PENDING);
        QCOMPARE(serverEntry(dropped).reviews_size(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(page_->streamText(), QStringLiteral("Live"), 20000);
    }

    void aSelectionIsReviewedWithOneComment()
    {
        const std::string a = create(pitfallEntry("bulk: one"), true);
        const std::string b = create(pitfallEntry("bulk: two"), true);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(a) >= 0 && rowOf(b) >= 0, 10000);
        QString asked;
        page_->setBulkConfirmation([&asked](const QString& question) {
            asked = question;
            return true;
        });
        auto* table = page_->queueTable();
        table->clearSelection();
        table->selectionModel()->select(page_->queue()->index(rowOf(a), 0),
                                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
        table->selectionModel()->select(page_->queue()->index(rowOf(b), 0),
                                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
        table->setFocus();
        key(Qt::Key_R);
        auto* comment = qobject_cast<QPlainTextEdit*>(QApplication::focusWidget());
        QVERIFY(comment);
        QTest::keyClicks(comment, QStringLiteral("Duplicates of an earlier entry"));
        key(Qt::Key_Return, Qt::ControlModifier);
        QVERIFY2(asked.contains(QStringLiteral("2 entries")), qPrintable(asked));
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(a), QStringLiteral("Rejected"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(b), QStringLiteral("Rejected"), 10000);
        QCOMPARE(serverEntry(a).reviews(0).comment(),
                 std::string("Duplicates of an earlier entry"));
        QCOMPARE(serverEntry(b).reviews(0).comment(),
                 std::string("Duplicates of an earlier entry"));
    }

    void anExampleTraceOpensInTheTraceInspector()
    {
        int row = -1;
        for (int r = 0; r < page_->queue()->rowCount(); ++r)
            if (page_->queue()->entry(r)->kind() == pb::KNOWLEDGE_KIND_SUCCESS_PATTERN)
                row = r;
        QVERIFY(row >= 0);
        select(page_->queue()->entry(row)->entry_id());
        QVERIFY(shot("knowledge-success-pattern.png"));
        QAbstractButton* link = nullptr;
        for (auto* button : page_->entryView()->findChildren<QAbstractButton*>())
            if (button->text().contains(QString::fromStdString(exampleThread_)))
                link = button;
        QVERIFY2(link, "no button for the example trace");
        QSignalSpy loaded(window_->tracesPage(), &nexus::app::TracesPage::loadFinished);
        QTest::mouseClick(link, Qt::LeftButton);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(loaded.at(0).at(4).toString(), QString()); // no error
        QVERIFY(window_->tracesPage()->isVisible());
        QVERIFY(window_->tracesPage()->currentRunId() != 0);
        QVERIFY(window_->showView(QStringLiteral("knowledge")));
    }

    void anOperatorSeesWhyTheyCannotReview()
    {
        qputenv("TEST_KNOWLEDGE_TOKEN", "olga-secret");
        nexus::client::ConnectionProfile p;
        p.name = QStringLiteral("knowledge test (operator)");
        p.kind = nexus::client::ConnectionProfile::Kind::Remote;
        p.nexusEndpoint = QString::fromStdString(address_);
        p.token = {nexus::client::SecretSource::Kind::EnvVar,
                   QStringLiteral("TEST_KNOWLEDGE_TOKEN")};
        window_->openProfile(p);
        QTRY_VERIFY_WITH_TIMEOUT(page_->queue()->rowCount() > 0, 20000);
        QAbstractButton* approve = page_->reviewPanel()->approveButton();
        QTRY_VERIFY_WITH_TIMEOUT(!page_->canReview() && page_->reviewPanel()->reasonText().contains(
                                                            QStringLiteral("approver")),
                                 10000);
        QVERIFY(!approve->isEnabled());
        const int row = page_->queue()->nextPending(-1, +1);
        QVERIFY(row >= 0);
        const std::string id = page_->queue()->entry(row)->entry_id();
        select(id);
        key(Qt::Key_A); // refused in the console, nothing sent
        QVERIFY(page_->statusText().contains(QStringLiteral("approver")));
        QCOMPARE(page_->outbox()->size(), 0);
        QCOMPARE(serverEntry(id).reviews_size(), 0);
        QVERIFY(shot("knowledge-operator.png"));
    }
};

QTEST_MAIN(TestConsoleKnowledge)
#include "tst_console_knowledge.moc"
