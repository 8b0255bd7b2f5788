// The knowledge models as the review page uses them, each under
// QAbstractItemModelTester (Fatal): the queue lists pending entries first,
// takes watch events in place (inserted at the server's place, reviewed
// rows changed but kept, never back to an older revision), keeps the
// per-status counts right and finds the next pending row both ways; the
// history names what changed between revisions; the audit log pages.
#include "models/AuditLogModel.h"
#include "models/KnowledgeHistoryModel.h"
#include "models/KnowledgeQueueModel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

using nexus::models::AuditLogModel;
using nexus::models::KnowledgeFilter;
using nexus::models::KnowledgeHistoryModel;
using nexus::models::KnowledgeQueueModel;
namespace pb = ::nexus::v1;

namespace {

constexpr qint64 kT0 = 1'764'000'000'000'000; // 2025-11-24, µs
constexpr qint64 kMin = 60'000'000;
constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

// Entries as the fleet simulator's KnowledgeWriter writes them.
pb::KnowledgeEntry promptOptimization(const std::string& id, qint64 createdUs)
{
    pb::KnowledgeEntry e;
    e.set_entry_id(id);
    e.set_kind(pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
    e.set_status(pb::KNOWLEDGE_STATUS_PENDING);
    e.set_revision(1);
    e.set_tenant_id("acme");
    e.set_graph_name("rag_pipeline");
    e.set_node_id("generate");
    e.set_title("rag_pipeline/generate: a clearer system prompt");
    e.set_summary("MIPROv2 found a prompt for generate that scored better on held-out runs.");
    e.set_confidence(0.7);
    e.set_found_by("sim-002");
    e.add_source_instances("sim-002");
    e.add_source_instances("sim-005");
    e.add_example_trace_ids("th-7f3a");
    e.set_created_us(createdUs);
    e.set_updated_us(createdUs);
    auto* p = e.mutable_prompt_optimization();
    p->set_original_prompt("Answer the question using the documents.");
    p->set_optimized_prompt("Answer the question using only the documents below.");
    p->set_measured_improvement(0.05);
    p->set_metric("quality_score");
    p->set_samples(42);
    p->set_optimizer("MIPROv2");
    return e;
}

pb::KnowledgeEntry pitfall(const std::string& id, qint64 createdUs)
{
    pb::KnowledgeEntry e;
    e.set_entry_id(id);
    e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
    e.set_status(pb::KNOWLEDGE_STATUS_PENDING);
    e.set_revision(1);
    e.set_graph_name("support_triage");
    e.set_title("Repeated failures on sim-004: tool timeout");
    e.set_summary("12 recent runs on sim-004 failed with \"tool timeout\".");
    e.set_confidence(0.9);
    e.set_found_by("sim-004");
    e.add_source_instances("sim-004");
    e.set_created_us(createdUs);
    e.set_updated_us(createdUs);
    e.mutable_pitfall()->set_severity("high");
    e.mutable_pitfall()->set_description(e.summary());
    e.mutable_pitfall()->set_mitigation("Retry transient tool errors with backoff.");
    return e;
}

pb::KnowledgeEntry successPattern(const std::string& id, qint64 createdUs)
{
    pb::KnowledgeEntry e;
    e.set_entry_id(id);
    e.set_kind(pb::KNOWLEDGE_KIND_SUCCESS_PATTERN);
    e.set_status(pb::KNOWLEDGE_STATUS_PENDING);
    e.set_revision(1);
    e.set_graph_name("research_team");
    e.set_title("research_team: what its best runs have in common");
    e.set_summary("Short, specific plans early in the run led to higher-quality results.");
    e.set_confidence(0.82);
    e.add_source_instances("sim-001");
    e.add_source_instances("sim-003");
    e.set_created_us(createdUs);
    e.set_updated_us(createdUs);
    e.mutable_success_pattern()->set_description(e.summary());
    e.mutable_success_pattern()->set_occurrences(17);
    return e;
}

// What a review makes of an entry: the next revision, decided.
pb::KnowledgeEntry reviewed(pb::KnowledgeEntry e, pb::KnowledgeStatus status, qint64 atUs)
{
    e.set_status(status);
    e.set_revision(e.revision() + 1);
    e.set_updated_us(atUs);
    return e;
}

pb::KnowledgeEvent watchEvent(pb::KnowledgeEvent::Type type, const pb::KnowledgeEntry& e)
{
    pb::KnowledgeEvent ev;
    ev.set_type(type);
    *ev.mutable_entry() = e;
    return ev;
}

// The server's first page: pending first, then newest first.
pb::ListEntriesResponse firstPage()
{
    pb::ListEntriesResponse r;
    *r.add_entries() = promptOptimization("k-po", kT0 + 50 * kMin);
    *r.add_entries() = pitfall("k-pf", kT0 + 30 * kMin);
    *r.add_entries() = successPattern("k-sp", kT0 + 10 * kMin);
    *r.add_entries() =
        reviewed(pitfall("k-old", kT0 + 40 * kMin), pb::KNOWLEDGE_STATUS_APPROVED, kT0 + 45 * kMin);
    (*r.mutable_counts_by_status())["pending"] = 3;
    (*r.mutable_counts_by_status())["approved"] = 1;
    (*r.mutable_counts_by_status())["rejected"] = 0;
    (*r.mutable_counts_by_status())["superseded"] = 0;
    return r;
}

QStringList column(const QAbstractItemModel& model, int col, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, col).data(role).toString();
    return out;
}

QStringList ids(const KnowledgeQueueModel& model)
{
    return column(model, 0, KnowledgeQueueModel::EntryIdRole);
}

} // namespace

class TestKnowledgeModels : public QObject
{
    Q_OBJECT
private slots:
    void queueListsPendingFirstWithCounts()
    {
        KnowledgeQueueModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        QSignalSpy counts(&model, &KnowledgeQueueModel::countsChanged);
        model.setNowUs(kT0 + 60 * kMin);
        auto page = firstPage();
        page.set_next_page_token("k:4");
        model.reset(page);

        QCOMPARE(ids(model), QStringList({"k-po", "k-pf", "k-sp", "k-old"}));
        QCOMPARE(column(model, KnowledgeQueueModel::Status),
                 QStringList({"Pending", "Pending", "Pending", "Approved"}));
        QCOMPARE(column(model, KnowledgeQueueModel::Kind),
                 QStringList({"Prompt optimization", "Pitfall", "Success pattern", "Pitfall"}));
        QCOMPARE(column(model, KnowledgeQueueModel::GraphNode),
                 QStringList({"rag_pipeline / generate", "support_triage", "research_team",
                              "support_triage"}));
        QCOMPARE(column(model, KnowledgeQueueModel::Source),
                 QStringList({"sim-002", "sim-004", "sim-001", "sim-004"}));
        QCOMPARE(column(model, KnowledgeQueueModel::Score),
                 QStringList({"+5.0 %", "high", "82 %", "high"}));
        QCOMPARE(column(model, KnowledgeQueueModel::Created),
                 QStringList({"10 min ago", "30 min ago", "50 min ago", "20 min ago"}));
        QCOMPARE(column(model, KnowledgeQueueModel::Revision), QStringList({"1", "1", "1", "2"}));
        QCOMPARE(model.index(0, KnowledgeQueueModel::Created).data(Qt::ToolTipRole).toString(),
                 QDateTime::fromMSecsSinceEpoch((kT0 + 50 * kMin) / 1000)
                     .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        QVERIFY(model.index(1, KnowledgeQueueModel::Title)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("failed with \"tool timeout\"")));
        QCOMPARE(model.index(0, 0).data(KnowledgeQueueModel::CreatedUsRole).toLongLong(),
                 kT0 + 50 * kMin);
        QCOMPARE(model.index(3, 0).data(KnowledgeQueueModel::RevisionRole).toLongLong(), 2);
        // Pending rows in the normal colour; the decided one dimmed, its status coloured.
        QVERIFY(!model.index(0, KnowledgeQueueModel::Title).data(Qt::ForegroundRole).isValid());
        QVERIFY(model.index(3, KnowledgeQueueModel::Title).data(Qt::ForegroundRole).isValid());
        QVERIFY(model.index(3, KnowledgeQueueModel::Status).data(Qt::ForegroundRole) !=
                model.index(3, KnowledgeQueueModel::Title).data(Qt::ForegroundRole));

        QCOMPARE(model.counts().value("pending"), 3);
        QCOMPARE(model.counts().value("approved"), 1);
        QCOMPARE(counts.count(), 1);
        QVERIFY(model.hasMore());
        QCOMPARE(model.nextPageToken(), std::string("k:4"));
        QCOMPARE(model.pendingShown(), 3);
        QCOMPARE(model.rowOf("k-sp"), 2);
        QCOMPARE(model.rowOf("k-missing"), -1);
        QVERIFY(model.entry(4) == nullptr && model.entry(-1) == nullptr);

        // The clock only touches the Created column.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setNowUs(kT0 + 120 * kMin);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex().column(), int(KnowledgeQueueModel::Created));
        QCOMPARE(changed[0][1].toModelIndex().column(), int(KnowledgeQueueModel::Created));
        QCOMPARE(model.index(0, KnowledgeQueueModel::Created).data().toString(),
                 QStringLiteral("1 h ago"));
    }

    void createdEntriesAreInsertedWhereTheServerListsThem()
    {
        KnowledgeQueueModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        model.reset(firstPage());
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy counts(&model, &KnowledgeQueueModel::countsChanged);

        // The newest pending entry goes first ...
        model.apply(
            watchEvent(pb::KnowledgeEvent::TYPE_CREATED, pitfall("k-new", kT0 + 55 * kMin)));
        // ... one created between two pending ones between them.
        model.apply(
            watchEvent(pb::KnowledgeEvent::TYPE_CREATED, successPattern("k-mid", kT0 + 20 * kMin)));
        QCOMPARE(ids(model), QStringList({"k-new", "k-po", "k-pf", "k-mid", "k-sp", "k-old"}));
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted[0][1].toInt(), 0);
        QCOMPARE(inserted[1][1].toInt(), 3);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.counts().value("pending"), 5);
        QCOMPARE(counts.count(), 2);

        // The same event again (the stream repeats after a re-watch): nothing changes.
        model.apply(
            watchEvent(pb::KnowledgeEvent::TYPE_CREATED, pitfall("k-new", kT0 + 55 * kMin)));
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.counts().value("pending"), 5);
        QCOMPARE(counts.count(), 2);
    }

    void createdEntriesOutsideTheFilter()
    {
        KnowledgeQueueModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        KnowledgeFilter filter;
        filter.kinds = {pb::KNOWLEDGE_KIND_PITFALL};
        filter.statuses = {pb::KNOWLEDGE_STATUS_APPROVED};
        model.setFilter(filter);
        pb::ListEntriesResponse page;
        *page.add_entries() = reviewed(pitfall("k-old", kT0), pb::KNOWLEDGE_STATUS_APPROVED, kT0);
        (*page.mutable_counts_by_status())["pending"] = 2;
        (*page.mutable_counts_by_status())["approved"] = 1;
        model.reset(page);

        // Another kind: not shown, not counted (the counts cover pitfalls).
        model.apply(
            watchEvent(pb::KnowledgeEvent::TYPE_CREATED, successPattern("k-sp", kT0 + 5 * kMin)));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.counts().value("pending"), 2);
        // A pending pitfall: not shown (approved ones are), but its status tab counts it.
        model.apply(watchEvent(pb::KnowledgeEvent::TYPE_CREATED, pitfall("k-pf", kT0 + 6 * kMin)));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.counts().value("pending"), 3);
        // Approved, it now matches: it appears, and moves from pending to approved.
        model.apply(watchEvent(pb::KnowledgeEvent::TYPE_REVIEWED,
                               reviewed(pitfall("k-pf", kT0 + 6 * kMin),
                                        pb::KNOWLEDGE_STATUS_APPROVED, kT0 + 7 * kMin)));
        QCOMPARE(ids(model), QStringList({"k-pf", "k-old"}));
        QCOMPARE(model.counts().value("pending"), 2);
        QCOMPARE(model.counts().value("approved"), 2);
        // One the model never saw, reviewed elsewhere: counted as decided from pending.
        model.apply(watchEvent(
            pb::KnowledgeEvent::TYPE_REVIEWED,
            reviewed(pitfall("k-far", kT0 - 9 * kMin), pb::KNOWLEDGE_STATUS_REJECTED, kT0)));
        QCOMPARE(model.counts().value("pending"), 1);
        QCOMPARE(model.counts().value("rejected"), 1);
        QCOMPARE(model.rowCount(), 2);
    }

    void reviewsChangeRowsInPlaceAndNeverGoBack()
    {
        KnowledgeQueueModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        KnowledgeFilter pendingOnly;
        pendingOnly.statuses = {pb::KNOWLEDGE_STATUS_PENDING};
        model.setFilter(pendingOnly);
        auto page = firstPage();
        page.mutable_entries()->RemoveLast(); // the approved one is not listed
        model.reset(page);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        const auto approved = reviewed(pitfall("k-pf", kT0 + 30 * kMin),
                                       pb::KNOWLEDGE_STATUS_APPROVED, kT0 + 61 * kMin);
        model.apply(watchEvent(pb::KnowledgeEvent::TYPE_REVIEWED, approved));
        // Still row 1, though approved entries are filtered out: the selection stays.
        QCOMPARE(ids(model), QStringList({"k-po", "k-pf", "k-sp"}));
        QCOMPARE(model.index(1, KnowledgeQueueModel::Status).data().toString(),
                 QStringLiteral("Approved"));
        QCOMPARE(model.index(1, KnowledgeQueueModel::Revision).data().toLongLong(), 2);
        QVERIFY(model.index(1, KnowledgeQueueModel::Title).data(Qt::ForegroundRole).isValid());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex().row(), 1);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.counts().value("pending"), 2);
        QCOMPARE(model.counts().value("approved"), 2);
        QCOMPARE(model.pendingShown(), 2);

        // A late answer at revision 1 (an older GetEntry) does not undo the review.
        model.upsert(pitfall("k-pf", kT0 + 30 * kMin));
        QCOMPARE(model.index(1, KnowledgeQueueModel::Status).data().toString(),
                 QStringLiteral("Approved"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.counts().value("pending"), 2);
        // The review outcome arriving after the event: same revision, counted once.
        model.upsert(approved);
        QCOMPARE(model.counts().value("approved"), 2);
        QCOMPARE(model.entry(1)->status(), pb::KNOWLEDGE_STATUS_APPROVED);
    }

    void nextPendingSkipsDecidedRowsBothWays()
    {
        KnowledgeQueueModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        pb::ListEntriesResponse page;
        for (int i = 0; i < 5; ++i)
            *page.add_entries() = pitfall("k-" + std::to_string(i), kT0 - i * kMin);
        model.reset(page);
        model.upsert(reviewed(*model.entry(1), pb::KNOWLEDGE_STATUS_APPROVED, kT0));
        model.upsert(reviewed(*model.entry(3), pb::KNOWLEDGE_STATUS_REJECTED, kT0));
        QCOMPARE(column(model, KnowledgeQueueModel::Status),
                 QStringList({"Pending", "Approved", "Pending", "Rejected", "Pending"}));

        QCOMPARE(model.nextPending(-1, +1), 0);
        QCOMPARE(model.nextPending(0, +1), 2);
        QCOMPARE(model.nextPending(2, +1), 4);
        QCOMPARE(model.nextPending(4, +1), -1);
        QCOMPARE(model.nextPending(model.rowCount(), -1), 4);
        QCOMPARE(model.nextPending(4, -1), 2);
        QCOMPARE(model.nextPending(2, -1), 0);
        QCOMPARE(model.nextPending(0, -1), -1);
        QCOMPARE(model.pendingShown(), 3);
    }

    void pagesAppendWithoutRepeats()
    {
        KnowledgeQueueModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        pb::ListEntriesResponse first;
        *first.add_entries() = pitfall("k-a", kT0 + 3 * kMin);
        *first.add_entries() = pitfall("k-b", kT0 + 2 * kMin);
        first.set_next_page_token("k:2");
        (*first.mutable_counts_by_status())["pending"] = 4;
        model.reset(first);

        // Older than every loaded row while more pages are to come: a later page has it.
        model.apply(watchEvent(pb::KnowledgeEvent::TYPE_CREATED, pitfall("k-z", kT0 - 60 * kMin)));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.counts().value("pending"), 5);

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        pb::ListEntriesResponse second;
        *second.add_entries() = pitfall("k-b", kT0 + 2 * kMin); // the listing shifted by one
        *second.add_entries() = pitfall("k-c", kT0 + 1 * kMin);
        *second.add_entries() = pitfall("k-d", kT0);
        *second.add_entries() = pitfall("k-z", kT0 - 60 * kMin);
        (*second.mutable_counts_by_status())["pending"] = 5;
        model.appendPage(second);
        QCOMPARE(ids(model), QStringList({"k-a", "k-b", "k-c", "k-d", "k-z"}));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted[0][1].toInt(), 2);
        QCOMPARE(inserted[0][2].toInt(), 4);
        QCOMPARE(reset.count(), 0);
        QVERIFY(!model.hasMore());
        QCOMPARE(model.counts().value("pending"), 5);

        // Every page loaded: an old entry now goes at the end.
        model.apply(watchEvent(pb::KnowledgeEvent::TYPE_CREATED, pitfall("k-zz", kT0 - 90 * kMin)));
        QCOMPARE(model.rowOf("k-zz"), 5);
    }

    void filterMatchesAndAsks()
    {
        KnowledgeFilter filter;
        const auto po = promptOptimization("k-po", kT0);
        const auto sp = successPattern("k-sp", kT0);
        QVERIFY(filter.matches(po) && filter.matches(sp)); // empty = all

        filter.sourceInstance = "sim-005"; // a source instance, not the finder
        QVERIFY(filter.matches(po));
        QVERIFY(!filter.matches(sp));
        filter.sourceInstance = "sim-002"; // found_by
        QVERIFY(filter.matches(po));
        filter.sourceInstance = "sim-00"; // whole names only
        QVERIFY(!filter.matches(po));

        filter.sourceInstance.clear();
        filter.kinds = {pb::KNOWLEDGE_KIND_SUCCESS_PATTERN, pb::KNOWLEDGE_KIND_CODE_PATTERN};
        QVERIFY(!filter.matches(po) && filter.matches(sp));
        filter.statuses = {pb::KNOWLEDGE_STATUS_REJECTED};
        QVERIFY(!filter.matches(sp));
        QVERIFY(filter.matchesIgnoringStatus(sp));
        filter.statuses.clear();
        filter.createdAfterUs = kT0; // strictly after, as the server asks
        QVERIFY(!filter.matches(sp));
        QVERIFY(filter.matches(successPattern("k-sp2", kT0 + 1)));

        filter.statuses = {pb::KNOWLEDGE_STATUS_REJECTED, pb::KNOWLEDGE_STATUS_PENDING};
        filter.sourceInstance = "sim-003";
        const pb::ListEntriesRequest request = filter.toRequest(50);
        QCOMPARE(request.statuses_size(), 2);
        QCOMPARE(request.statuses(0), pb::KNOWLEDGE_STATUS_PENDING);
        QCOMPARE(request.statuses(1), pb::KNOWLEDGE_STATUS_REJECTED);
        QCOMPARE(request.kinds_size(), 2);
        QCOMPARE(request.kinds(0), pb::KNOWLEDGE_KIND_SUCCESS_PATTERN);
        QCOMPARE(request.source_instance(), std::string("sim-003"));
        QCOMPARE(request.created_after_us(), kT0);
        QCOMPARE(request.page_size(), 50);
        QVERIFY(request.page_token().empty());
        QVERIFY(request.tenant_id().empty());

        // The menu bar's tenant: asked of the server, and watch events of
        // other tenants are not shown.
        KnowledgeFilter tenant;
        tenant.tenant = QStringLiteral("acme");
        auto mine = successPattern("k-acme", kT0);
        mine.set_tenant_id("acme");
        auto theirs = successPattern("k-globex", kT0);
        theirs.set_tenant_id("globex");
        QVERIFY(tenant.matches(mine) && !tenant.matches(theirs));
        QCOMPARE(tenant.toRequest(10).tenant_id(), std::string("acme"));
    }

    void historyNamesWhatChanged()
    {
        // Created; carol rejected it; the optimizer sent a new prompt (pending
        // again); alice approved that.
        const auto rev1 = promptOptimization("k-po", kT0);
        auto rev2 = reviewed(rev1, pb::KNOWLEDGE_STATUS_REJECTED, kT0 + 10 * kMin);
        auto rev3 = rev2;
        rev3.set_revision(3);
        rev3.set_status(pb::KNOWLEDGE_STATUS_PENDING);
        rev3.set_updated_us(kT0 + 20 * kMin);
        rev3.set_summary("MIPROv2 found a prompt that cites its sources.");
        rev3.mutable_prompt_optimization()->set_optimized_prompt(
            "Answer using only the documents below and cite the document id.");
        rev3.mutable_prompt_optimization()->set_measured_improvement(0.07);
        const auto rev4 = reviewed(rev3, pb::KNOWLEDGE_STATUS_APPROVED, kT0 + 30 * kMin);

        pb::GetEntryResponse response;
        *response.mutable_entry() = rev4;
        *response.add_revisions() = rev1;
        *response.add_revisions() = rev2;
        *response.add_revisions() = rev3;
        auto review = [&](const char* who, int revision, pb::ReviewDecision d, const char* comment,
                          qint64 atUs) {
            pb::Review* r = response.add_reviews();
            r->set_review_id(std::string("rv-") + who);
            r->set_entry_id("k-po");
            r->set_revision(revision);
            r->set_decision(d);
            r->set_comment(comment);
            r->set_reviewer(who);
            r->set_reviewed_us(atUs);
        };
        review("carol", 1, pb::REVIEW_DECISION_REJECT, "The prompt drops the citation rule.",
               kT0 + 10 * kMin);
        review("alice", 3, pb::REVIEW_DECISION_APPROVE, "Cites its sources now.", kT0 + 30 * kMin);

        KnowledgeHistoryModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        model.setHistory(response);
        QCOMPARE(model.entryId(), QStringLiteral("k-po"));
        QCOMPARE(column(model, KnowledgeHistoryModel::What),
                 QStringList({
                     "Revision 1 \u2014 created",
                     "carol rejected revision 1",
                     "Revision 2 \u2014 status (Pending \u2192 Rejected)",
                     "Revision 3 \u2014 status (Rejected \u2192 Pending), summary, optimized "
                     "prompt, measured improvement",
                     "alice approved revision 3",
                     "Revision 4 (current) \u2014 status (Pending \u2192 Approved)",
                 }));
        QCOMPARE(column(model, KnowledgeHistoryModel::Who),
                 QStringList({"sim-002", "carol", "carol", "", "alice", "alice"}));
        QCOMPARE(column(model, KnowledgeHistoryModel::Comment),
                 QStringList({"", "The prompt drops the citation rule.", "", "",
                              "Cites its sources now.", ""}));
        QCOMPARE(column(model, KnowledgeHistoryModel::When)[2],
                 QDateTime::fromMSecsSinceEpoch((kT0 + 10 * kMin) / 1000)
                     .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        QCOMPARE(column(model, 0, KnowledgeHistoryModel::RevisionRole),
                 QStringList({"1", "1", "2", "3", "3", "4"}));
        QCOMPARE(column(model, 0, KnowledgeHistoryModel::IsReviewRole),
                 QStringList({"false", "true", "false", "false", "true", "false"}));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void changedFieldsOfAKindChange()
    {
        const auto before = pitfall("k-x", kT0);
        auto after = before;
        after.set_title("Repeated failures on sim-004 and sim-006: tool timeout");
        after.add_source_instances("sim-006");
        after.add_source_instances("sim-007");
        QCOMPARE(KnowledgeHistoryModel::changedFields(before, after),
                 QStringList({"title", "source instances"}));
        after = before;
        after.set_kind(pb::KNOWLEDGE_KIND_CODE_PATTERN);
        after.mutable_code_pattern()->set_language("python");
        QCOMPARE(KnowledgeHistoryModel::changedFields(before, after),
                 QStringList({"kind", "pitfall", "code pattern"}));
        QVERIFY(KnowledgeHistoryModel::changedFields(before, before).isEmpty());
    }

    void auditPagesAppendOlderRecords()
    {
        auto record = [](qint64 seq, const char* actor, const char* outcome) {
            pb::AuditRecord r;
            r.set_seq(seq);
            r.set_at_us(kT0 + seq * kMin);
            r.set_actor(actor);
            r.set_role("approver");
            r.set_action("knowledge.review");
            r.set_target("k-" + std::to_string(seq));
            r.set_outcome(outcome);
            r.set_request_id("req-" + std::to_string(seq));
            r.set_peer("ipv4:127.0.0.1:50122");
            r.set_detail("approve");
            return r;
        };
        AuditLogModel model;
        QAbstractItemModelTester tester(&model, kFatal);
        pb::ListAuditResponse first;
        *first.add_records() = record(9, "alice", "ok: approve");
        *first.add_records() = record(8, "viewer-bot", "denied");
        first.set_next_page_token("a:8");
        model.reset(first);
        QVERIFY(model.hasMore());
        QCOMPARE(model.nextPageToken(), std::string("a:8"));

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        pb::ListAuditResponse second;
        *second.add_records() = record(8, "viewer-bot", "denied"); // already shown
        *second.add_records() = record(7, "bob",
                                       "refused: entry k-7 is at revision 2, not 1: alice "
                                       "approved revision 1 first");
        *second.add_records() = record(6, "carol", "failed: database is locked");
        model.appendPage(second);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted[0][1].toInt(), 2);
        QCOMPARE(inserted[0][2].toInt(), 3);
        QCOMPARE(reset.count(), 0);
        QVERIFY(!model.hasMore());

        QCOMPARE(column(model, AuditLogModel::Actor),
                 QStringList({"alice", "viewer-bot", "bob", "carol"}));
        QCOMPARE(column(model, AuditLogModel::RequestId),
                 QStringList({"req-9", "req-8", "req-7", "req-6"}));
        QCOMPARE(model.index(0, AuditLogModel::Outcome).data().toString(),
                 QStringLiteral("ok: approve"));
        QCOMPARE(model.index(0, AuditLogModel::Actor).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("alice from ipv4:127.0.0.1:50122"));
        QCOMPARE(model.index(0, AuditLogModel::When).data().toString(),
                 QDateTime::fromMSecsSinceEpoch((kT0 + 9 * kMin) / 1000)
                     .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        // Refusals stand out, the rest is drawn normally.
        QVERIFY(!model.index(0, AuditLogModel::Outcome).data(Qt::ForegroundRole).isValid());
        for (int row : {1, 2, 3})
            QVERIFY(model.index(row, AuditLogModel::Outcome).data(Qt::ForegroundRole).isValid());
        QCOMPARE(model.record(2)->target(), std::string("k-7"));
        QVERIFY(model.record(4) == nullptr);
    }
};

QTEST_GUILESS_MAIN(TestKnowledgeModels)
#include "tst_knowledge_models.moc"
