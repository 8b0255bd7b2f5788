// NexusClient's knowledge-review calls and the KnowledgeWatcher against a
// real NexusServer on loopback with one token per role (ApiTestServer):
// the queue's order, counts and filters; approve, reject, a conflict that
// names the winning review, a refused review that leaves the connection
// Ready; a review retried with the same request id after a Nexus restart
// applies once; the watcher's live events across a restart and a flood.
#include "client/KnowledgeWatcher.h"
#include "client/NexusClient.h"

#include "KnowledgeSeed.h"
#include "nexus/v1/knowledge.grpc.pb.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <functional>
#include <vector>

using namespace nexus::client;
using namespace nexus::testing;
namespace pb = ::nexus::v1;

namespace {

pb::ReviewEntryRequest review(const pb::KnowledgeEntry& e, pb::ReviewDecision decision,
                              const std::string& comment = {})
{
    pb::ReviewEntryRequest r;
    r.set_entry_id(e.entry_id());
    r.set_seen_revision(e.revision());
    r.set_decision(decision);
    r.set_comment(comment);
    r.set_request_id(NexusClient::newRequestId().toStdString());
    return r;
}

// The outcome of one call, gathered on the caller's thread.
template <class Response> struct Answer
{
    bool arrived = false;
    bool ok = false;
    Response response;
    CallError error;
};

template <class Response, class Signal>
Answer<Response> ask(NexusClient& client, Signal signal, const std::function<quint64()>& call)
{
    QSignalSpy done(&client, signal);
    QSignalSpy failed(&client, &NexusClient::callFailed);
    const quint64 id = call();
    Answer<Response> answer;
    if (!QTest::qWaitFor([&] { return !done.isEmpty() || !failed.isEmpty(); }, 30000))
        return answer; // arrived stays false: the test says so
    if (!done.isEmpty() && done.first().at(0).toULongLong() == id) {
        answer.arrived = answer.ok = true;
        answer.response = done.first().at(1).template value<Response>();
    } else if (!failed.isEmpty() && failed.first().at(0).toULongLong() == id) {
        answer.arrived = true;
        answer.error = failed.first().at(1).value<CallError>();
    }
    return answer;
}

Answer<pb::ListEntriesResponse> list(NexusClient& c, const pb::ListEntriesRequest& r = {})
{
    return ask<pb::ListEntriesResponse>(c, &NexusClient::entriesListed,
                                        [&] { return c.listEntries(r); });
}

Answer<pb::GetEntryResponse> get(NexusClient& c, const pb::KnowledgeEntry& e)
{
    return ask<pb::GetEntryResponse>(c, &NexusClient::entryReceived, [&] {
        return c.getEntry(QString::fromStdString(e.entry_id()));
    });
}

Answer<pb::ReviewEntryResponse> send(NexusClient& c, const pb::ReviewEntryRequest& r)
{
    return ask<pb::ReviewEntryResponse>(c, &NexusClient::entryReviewed,
                                        [&] { return c.reviewEntry(r); });
}

// The review records of the audit log (newest first), read as `token`.
QList<pb::AuditRecord> reviewAudit(TestNexus& nexus, const char* token)
{
    NexusClient client(nexus.endpoint(token));
    pb::ListAuditRequest query;
    query.set_action_prefix("knowledge.review");
    auto answer = ask<pb::ListAuditResponse>(client, &NexusClient::auditListed,
                                             [&] { return client.listAudit(query); });
    if (!answer.ok)
        qWarning("listAudit failed: %s", qPrintable(answer.error.text));
    return {answer.response.records().begin(), answer.response.records().end()};
}

QStringList titles(const pb::ListEntriesResponse& response)
{
    QStringList out;
    for (const auto& e : response.entries())
        out << QString::fromStdString(e.title());
    return out;
}

// A client that connected (WhoAmI answered): its state is Ready.
std::unique_ptr<NexusClient> signedIn(const TestNexus& nexus, const char* token)
{
    auto client = std::make_unique<NexusClient>(nexus.endpoint(token));
    QSignalSpy who(client.get(), &NexusClient::whoAmIReceived);
    client->connectToNexus();
    if (!who.wait(10000) || client->state() != NexusClient::State::Ready)
        qFatal("could not sign in");
    return client;
}

// What a watcher delivered: event numbers (the entry's revision field) in
// arrival order, kRelist where it asked for a re-list (resyncNeeded or
// subscribed).
struct EventLog
{
    static constexpr std::int64_t kRelist = -1;
    std::vector<std::int64_t> seen;
    int subscriptions = 0;
    int resyncs = 0;

    explicit EventLog(KnowledgeWatcher& watcher)
    {
        QObject::connect(
            &watcher, &KnowledgeWatcher::eventReceived, &watcher,
            [this](const pb::KnowledgeEvent& e) { seen.push_back(e.entry().revision()); });
        QObject::connect(&watcher, &KnowledgeWatcher::resyncNeeded, &watcher, [this] {
            ++resyncs;
            seen.push_back(kRelist);
        });
        QObject::connect(&watcher, &KnowledgeWatcher::subscribed, &watcher, [this] {
            ++subscriptions;
            seen.push_back(kRelist);
        });
    }

    qsizetype delivered() const
    {
        return std::count_if(seen.begin(), seen.end(), [](std::int64_t n) { return n != kRelist; });
    }

    // Empty when every event came in order, none twice, and every gap
    // follows a re-list.
    QString orderError() const
    {
        std::int64_t last = 0;
        bool relisted = false;
        for (std::int64_t number : seen) {
            if (number == kRelist) {
                relisted = true;
                continue;
            }
            if (number <= last)
                return QStringLiteral("event %1 after %2").arg(number).arg(last);
            if (number != last + 1 && !relisted)
                return QStringLiteral("event %1 after %2 without a re-list").arg(number).arg(last);
            relisted = false;
            last = number;
        }
        return {};
    }
};

// Publishes events numbered first..last (in the entry's revision field) on
// the watch stream, as fast as Nexus's event hub takes them.
void publishNumbered(TestNexus& nexus, std::int64_t first, std::int64_t last)
{
    pb::KnowledgeEvent event;
    event.set_type(pb::KnowledgeEvent::TYPE_UPDATED);
    event.mutable_entry()->set_entry_id("numbered");
    for (std::int64_t i = first; i <= last; ++i) {
        event.mutable_entry()->set_revision(i);
        nexus.server->events().knowledge.publish(event);
    }
}

} // namespace

class TestClientKnowledge : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestNexus> nexus_;

private Q_SLOTS:
    void init()
    {
        nexus_ = std::make_unique<TestNexus>();
        QVERIFY(nexus_->start());
    }
    void cleanup() { nexus_.reset(); }

    void listShowsPendingFirstWithCountsFiltersAndPages()
    {
        TestNexus& n = *nexus_;
        n.seed(pitfall("Retry storms", "sim-001"), kT0);
        n.seed(promptOptimization("Cite passage ids", "sim-002"), kT0 + 1 * kSecondUs);
        const auto approved =
            n.seed(successPattern("Rerank first", "sim-001"), kT0 + 2 * kSecondUs);
        n.seed(codePattern("Jittered retries", "sim-003"), kT0 + 3 * kSecondUs);
        auto alice = signedIn(n, ApiTestServer::approverToken);
        QVERIFY(send(*alice, review(approved, pb::REVIEW_DECISION_APPROVE)).ok);

        // A viewer sees the queue: pending first (newest first), then the rest.
        NexusClient vic(n.endpoint(ApiTestServer::viewerToken));
        auto all = list(vic);
        QVERIFY2(all.ok, qPrintable(all.error.text));
        QCOMPARE(titles(all.response), (QStringList{"Jittered retries", "Cite passage ids",
                                                    "Retry storms", "Rerank first"}));
        const auto& counts = all.response.counts_by_status();
        QCOMPARE(counts.at("pending"), std::int64_t{3});
        QCOMPARE(counts.at("approved"), std::int64_t{1});
        QCOMPARE(counts.at("rejected"), std::int64_t{0});
        QVERIFY(all.response.next_page_token().empty());

        pb::ListEntriesRequest byKind;
        byKind.add_kinds(pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
        byKind.add_kinds(pb::KNOWLEDGE_KIND_CODE_PATTERN);
        QCOMPARE(titles(list(vic, byKind).response),
                 (QStringList{"Jittered retries", "Cite passage ids"}));

        // The status filter narrows the rows; the counts still label every tab.
        pb::ListEntriesRequest approvedOnly;
        approvedOnly.add_statuses(pb::KNOWLEDGE_STATUS_APPROVED);
        auto onlyApproved = list(vic, approvedOnly);
        QCOMPARE(titles(onlyApproved.response), QStringList{"Rerank first"});
        QCOMPARE(onlyApproved.response.counts_by_status().at("pending"), std::int64_t{3});

        pb::ListEntriesRequest fromInstance;
        fromInstance.set_source_instance("sim-001");
        QCOMPARE(titles(list(vic, fromInstance).response),
                 (QStringList{"Retry storms", "Rerank first"}));

        // Pages of two: every entry once, in the same order.
        pb::ListEntriesRequest paged;
        paged.set_page_size(2);
        auto first = list(vic, paged);
        QCOMPARE(titles(first.response), (QStringList{"Jittered retries", "Cite passage ids"}));
        QVERIFY(!first.response.next_page_token().empty());
        paged.set_page_token(first.response.next_page_token());
        auto second = list(vic, paged);
        QCOMPARE(titles(second.response), (QStringList{"Retry storms", "Rerank first"}));
        QVERIFY(second.response.next_page_token().empty());
    }

    void approveShowsInEntryHistoryAndAudit()
    {
        TestNexus& n = *nexus_;
        const auto entry = n.seed(promptOptimization("Cite passage ids", "sim-002"), kT0);
        auto alice = signedIn(n, ApiTestServer::approverToken);
        const auto request = review(entry, pb::REVIEW_DECISION_APPROVE, "Measured on 400 runs");
        auto approved = send(*alice, request);
        QVERIFY2(approved.ok, qPrintable(approved.error.text));
        QCOMPARE(approved.response.entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);
        QCOMPARE(approved.response.entry().revision(), entry.revision() + 1);
        QCOMPARE(approved.response.review().reviewer(), std::string("alice"));
        QCOMPARE(approved.response.review().revision(), entry.revision());
        QVERIFY(!approved.response.replayed());
        QCOMPARE(alice->state(), NexusClient::State::Ready);

        // The entry's history: the review and the revision it replaced.
        NexusClient vic(n.endpoint(ApiTestServer::viewerToken));
        auto detail = get(vic, entry);
        QVERIFY2(detail.ok, qPrintable(detail.error.text));
        QCOMPARE(detail.response.entry().revision(), std::int64_t{2});
        QCOMPARE(detail.response.reviews_size(), 1);
        QCOMPARE(detail.response.reviews(0).reviewer(), std::string("alice"));
        QCOMPARE(detail.response.reviews(0).comment(), std::string("Measured on 400 runs"));
        QCOMPARE(detail.response.revisions_size(), 1);
        QCOMPARE(detail.response.revisions(0).revision(), std::int64_t{1});
        QCOMPARE(detail.response.revisions(0).status(), pb::KNOWLEDGE_STATUS_PENDING);
        QCOMPARE(detail.response.entry().prompt_optimization().optimizer(), std::string("mipro"));

        // An approver may read the audit log: one record of the approval.
        const auto audit = reviewAudit(n, ApiTestServer::approverToken);
        QCOMPARE(audit.size(), 1);
        QCOMPARE(audit.at(0).actor(), std::string("alice"));
        QCOMPARE(audit.at(0).outcome(), std::string("ok: approve"));
        QCOMPARE(audit.at(0).target(), entry.entry_id());
        QCOMPARE(audit.at(0).request_id(), request.request_id());

        // An unknown entry is NOT_FOUND, and the connection stays Ready.
        pb::KnowledgeEntry unknown;
        unknown.set_entry_id("no-such-entry");
        auto missing = get(vic, unknown);
        QVERIFY(missing.arrived && !missing.ok);
        QCOMPARE(missing.error.code, grpc::StatusCode::NOT_FOUND);
        QCOMPARE(vic.state(), NexusClient::State::Ready);
    }

    void rejectNeedsAComment()
    {
        TestNexus& n = *nexus_;
        const auto entry = n.seed(pitfall("Retry storms", "sim-001"), kT0);
        auto alice = signedIn(n, ApiTestServer::approverToken);

        auto refused = send(*alice, review(entry, pb::REVIEW_DECISION_REJECT));
        QVERIFY(refused.arrived && !refused.ok);
        QCOMPARE(refused.error.code, grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(refused.error.text.contains(QLatin1String("a rejection needs a comment")),
                 qPrintable(refused.error.text));
        QVERIFY2(refused.error.text.startsWith(QLatin1String("Rejecting knowledge entry")),
                 qPrintable(refused.error.text));
        QCOMPARE(alice->state(), NexusClient::State::Ready);
        auto unchanged = get(*alice, entry);
        QCOMPARE(unchanged.response.entry().status(), pb::KNOWLEDGE_STATUS_PENDING);
        QCOMPARE(unchanged.response.entry().revision(), std::int64_t{1});
        QCOMPARE(unchanged.response.reviews_size(), 0);

        auto rejected =
            send(*alice, review(entry, pb::REVIEW_DECISION_REJECT, "Jitter is already on"));
        QVERIFY2(rejected.ok, qPrintable(rejected.error.text));
        QCOMPARE(rejected.response.entry().status(), pb::KNOWLEDGE_STATUS_REJECTED);
        QCOMPARE(rejected.response.review().comment(), std::string("Jitter is already on"));
        QCOMPARE(rejected.response.review().decision(), pb::REVIEW_DECISION_REJECT);
    }

    void conflictNamesTheReviewThatWon()
    {
        TestNexus& n = *nexus_;
        const auto entry = n.seed(codePattern("Jittered retries", "sim-003"), kT0);
        auto alice = signedIn(n, ApiTestServer::approverToken);
        auto bob = signedIn(n, ApiTestServer::otherApproverToken);

        QVERIFY(send(*bob, review(entry, pb::REVIEW_DECISION_APPROVE)).ok);
        // Alice still sees revision 1 and rejects it.
        auto late = send(*alice, review(entry, pb::REVIEW_DECISION_REJECT, "Not idiomatic"));
        QVERIFY(late.arrived && !late.ok);
        QCOMPARE(late.error.code, grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY2(late.error.serverMessage.contains(QLatin1String("bob approved revision 1 first")),
                 qPrintable(late.error.serverMessage));
        QCOMPARE(alice->state(), NexusClient::State::Ready);

        auto detail = get(*alice, entry);
        QCOMPARE(detail.response.reviews_size(), 1);
        QCOMPARE(detail.response.reviews(0).reviewer(), std::string("bob"));
        QCOMPARE(detail.response.entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);
    }

    void refusedRoleKeepsTheConnectionReady()
    {
        TestNexus& n = *nexus_;
        const auto entry = n.seed(pitfall("Retry storms", "sim-001"), kT0);
        auto olga = signedIn(n, ApiTestServer::operatorToken);
        QSignalSpy states(olga.get(), &NexusClient::connectionStateChanged);

        auto denied = send(*olga, review(entry, pb::REVIEW_DECISION_APPROVE));
        QVERIFY(denied.arrived && !denied.ok);
        QCOMPARE(denied.error.code, grpc::StatusCode::PERMISSION_DENIED);
        QVERIFY2(denied.error.text.contains(QLatin1String("approver")),
                 qPrintable(denied.error.text));
        // An answer about that one review: the console stays connected.
        QCOMPARE(olga->state(), NexusClient::State::Ready);
        QVERIFY(states.isEmpty());
        auto detail = get(*olga, entry);
        QCOMPARE(detail.response.entry().status(), pb::KNOWLEDGE_STATUS_PENDING);
        QCOMPARE(detail.response.reviews_size(), 0);

        const auto audit = reviewAudit(n, ApiTestServer::adminToken);
        QCOMPARE(audit.size(), 1);
        QCOMPARE(audit.at(0).actor(), std::string("olga"));
        QVERIFY2(audit.at(0).outcome().rfind("denied", 0) == 0, audit.at(0).outcome().c_str());

        // A viewer may not read the audit log; that too leaves it Ready.
        auto vic = signedIn(n, ApiTestServer::viewerToken);
        auto noAudit = ask<pb::ListAuditResponse>(*vic, &NexusClient::auditListed,
                                                  [&] { return vic->listAudit({}); });
        QVERIFY(noAudit.arrived && !noAudit.ok);
        QCOMPARE(noAudit.error.code, grpc::StatusCode::PERMISSION_DENIED);
        QCOMPARE(vic->state(), NexusClient::State::Ready);
    }

    void retryAfterRestartAppliesOnce()
    {
        TestNexus& n = *nexus_;
        const auto first = n.seed(pitfall("Retry storms", "sim-001"), kT0);
        const auto second = n.seed(successPattern("Rerank first", "sim-002"), kT0 + kSecondUs);
        auto alice = signedIn(n, ApiTestServer::approverToken);
        const auto applied = review(first, pb::REVIEW_DECISION_APPROVE);
        auto original = send(*alice, applied);
        QVERIFY2(original.ok, qPrintable(original.error.text));

        // Nexus goes away: a review sent now fails as unreachable.
        const QString address = n.address();
        n.stop();
        const auto whileDown = review(second, pb::REVIEW_DECISION_REJECT, "Too few samples");
        auto down = send(*alice, whileDown);
        QVERIFY(down.arrived && !down.ok);
        QCOMPARE(down.error.code, grpc::StatusCode::UNAVAILABLE);
        QCOMPARE(alice->state(), NexusClient::State::Unavailable);

        // Back on the same port and store: both are sent again, unchanged.
        QVERIFY(n.startAgainOn(address));
        QTRY_COMPARE_WITH_TIMEOUT(alice->state(), NexusClient::State::Ready, 30000);
        auto replay = send(*alice, applied);
        QVERIFY2(replay.ok, qPrintable(replay.error.text));
        QVERIFY(replay.response.replayed());
        QCOMPARE(replay.response.review().review_id(), original.response.review().review_id());
        QCOMPARE(replay.response.entry().revision(), std::int64_t{2});
        auto late = send(*alice, whileDown);
        QVERIFY2(late.ok, qPrintable(late.error.text));
        QVERIFY(!late.response.replayed());
        QCOMPARE(late.response.entry().status(), pb::KNOWLEDGE_STATUS_REJECTED);
        QVERIFY(send(*alice, whileDown).response.replayed());

        for (const auto& entry : {first, second}) {
            auto detail = get(*alice, entry);
            QCOMPARE(detail.response.reviews_size(), 1);
            QCOMPARE(detail.response.entry().revision(), std::int64_t{2});
        }
        const auto audit = reviewAudit(n, ApiTestServer::adminToken);
        QCOMPARE(audit.size(), 2); // one "ok" per review, none for the replays
        for (const auto& record : audit)
            QVERIFY2(record.outcome().rfind("ok: ", 0) == 0, record.outcome().c_str());
        QCOMPARE(audit.at(0).request_id(), whileDown.request_id());
        QCOMPARE(audit.at(1).request_id(), applied.request_id());
    }

    void watcherDeliversLiveEventsAcrossARestart()
    {
        using S = KnowledgeWatcher::State;
        TestNexus& n = *nexus_;
        auto vic = signedIn(n, ApiTestServer::viewerToken);
        // Declared before the watcher: its destructor still reports Stopped.
        QList<S> states;
        int lastAttempt = 0;
        QList<pb::KnowledgeEvent> events;
        KnowledgeWatcher watcher(vic->channel(), vic->endpoint());
        watcher.setBackoffPolicy({std::chrono::milliseconds(50), std::chrono::milliseconds(400)});
        connect(&watcher, &KnowledgeWatcher::stateChanged, this,
                [&](S state, int attempt, int, const QString&) {
                    states << state;
                    lastAttempt = attempt;
                });
        QSignalSpy subscribed(&watcher, &KnowledgeWatcher::subscribed);
        connect(&watcher, &KnowledgeWatcher::eventReceived, this,
                [&](const pb::KnowledgeEvent& e) { events << e; });
        watcher.start();
        QVERIFY(subscribed.wait(10000));
        QCOMPARE(watcher.state(), S::Live);
        QCOMPARE(states, (QList<S>{S::Connecting, S::Live}));

        // A new entry appears without asking, then bob's review of it.
        const auto created = n.seedLive(pitfall("Retry storms", "sim-001"));
        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 10000);
        QCOMPARE(events.at(0).type(), pb::KnowledgeEvent::TYPE_CREATED);
        QCOMPARE(events.at(0).entry().entry_id(), created.entry_id());
        QCOMPARE(events.at(0).entry().title(), std::string("Retry storms"));
        auto bob = signedIn(n, ApiTestServer::otherApproverToken);
        QVERIFY(send(*bob, review(created, pb::REVIEW_DECISION_APPROVE)).ok);
        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 2, 10000);
        QCOMPARE(events.at(1).type(), pb::KnowledgeEvent::TYPE_REVIEWED);
        QCOMPARE(events.at(1).review().reviewer(), std::string("bob"));
        QCOMPARE(events.at(1).entry().status(), pb::KNOWLEDGE_STATUS_APPROVED);
        QCOMPARE(events.at(1).entry().revision(), std::int64_t{2});

        // Nexus goes away: the watcher retries by itself, and a failed
        // attempt never claims to be subscribed.
        states.clear();
        const QString address = n.address();
        n.stop();
        QTRY_COMPARE_WITH_TIMEOUT(watcher.state(), S::Reconnecting, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(lastAttempt >= 3, 10000);
        QVERIFY(!states.contains(S::Live));
        QCOMPARE(subscribed.size(), 1);

        // Back on the same port: live again, subscribed() again (re-list
        // now), and what happens next arrives.
        QVERIFY(n.startAgainOn(address));
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 2, 30000);
        QCOMPARE(watcher.state(), S::Live);
        QCOMPARE(states.first(), S::Reconnecting);
        QCOMPARE(states.last(), S::Live);
        const auto after = n.seedLive(codePattern("Jittered retries", "sim-003"));
        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 3, 10000);
        QCOMPARE(events.at(2).type(), pb::KnowledgeEvent::TYPE_CREATED);
        QCOMPARE(events.at(2).entry().entry_id(), after.entry_id());

        watcher.stop();
        QCOMPARE(watcher.state(), S::Stopped);
        QCOMPARE(states.last(), S::Stopped);
    }

    void watcherAsksForARelistWhenTheConsoleFallsBehind()
    {
        // 900 events at once: Nexus keeps them all for the watcher (its
        // queue per watcher holds 1024), but the watcher's own queue (10
        // here) overflows while this thread is busy: the events still
        // waiting are dropped and resyncNeeded() comes before the newer ones.
        TestNexus& n = *nexus_;
        auto vic = signedIn(n, ApiTestServer::viewerToken);
        KnowledgeWatcher watcher(vic->channel(), vic->endpoint());
        watcher.setQueueLimit(10);
        EventLog log(watcher);
        watcher.start();
        QTRY_COMPARE_WITH_TIMEOUT(log.subscriptions, 1, 10000);

        // A second subscriber read by this thread itself: while it blocks
        // here, the watcher's stream fills the watcher's queue.
        auto service = pb::Knowledge::NewStub(n.channel());
        auto context = ApiTestServer::as(ApiTestServer::viewerToken);
        auto reader = service->WatchKnowledge(context.get(), pb::WatchKnowledgeRequest());
        reader->WaitForInitialMetadata();
        constexpr std::int64_t kBurst = 900;
        publishNumbered(n, 1, kBurst);
        pb::KnowledgeEvent got;
        for (std::int64_t i = 1; i <= kBurst; ++i)
            QVERIFY(reader->Read(&got) && got.entry().revision() == i);
        context->TryCancel();
        (void)reader->Finish();

        QTRY_VERIFY_WITH_TIMEOUT(!log.seen.empty() && log.seen.back() == kBurst, 10000);
        QVERIFY2(log.orderError().isEmpty(), qPrintable(log.orderError()));
        QCOMPARE(log.subscriptions, 1); // Nexus did not drop the stream
        QVERIFY(log.delivered() == kBurst || log.resyncs > 0);
        qInfo("burst: %lld of %lld events delivered, %d resyncs", qlonglong(log.delivered()),
              qlonglong(kBurst), log.resyncs);
    }

    void watcherResubscribesWhenNexusDropsIt()
    {
        // A flood Nexus cannot keep for the watcher (its queue per watcher
        // holds 1024): it ends the stream with ABORTED, the watcher
        // subscribes again at once, which asks for a re-list. Every event
        // that arrives comes in order; wherever events are missing a
        // re-list was asked for first.
        TestNexus& n = *nexus_;
        auto vic = signedIn(n, ApiTestServer::viewerToken);
        KnowledgeWatcher watcher(vic->channel(), vic->endpoint());
        watcher.setBackoffPolicy({std::chrono::milliseconds(50), std::chrono::milliseconds(400)});
        EventLog log(watcher);
        watcher.start();
        QTRY_COMPARE_WITH_TIMEOUT(log.subscriptions, 1, 10000);

        constexpr std::int64_t kFlood = 50'000;
        publishNumbered(n, 1, kFlood);
        // One more event once the flood is over; sent again while a
        // re-subscription (that asks for a re-list) swallows it.
        std::int64_t marker = kFlood;
        bool markerSeen = false;
        for (int round = 0; round < 10 && !markerSeen; ++round) {
            const int before = log.subscriptions;
            QTRY_COMPARE_WITH_TIMEOUT(watcher.state(), KnowledgeWatcher::State::Live, 30000);
            ++marker;
            publishNumbered(n, marker, marker);
            QTRY_VERIFY_WITH_TIMEOUT(log.subscriptions > before ||
                                         (!log.seen.empty() && log.seen.back() == marker),
                                     30000);
            markerSeen = !log.seen.empty() && log.seen.back() == marker;
        }
        QVERIFY(markerSeen);
        QVERIFY2(log.orderError().isEmpty(), qPrintable(log.orderError()));
        QVERIFY(log.delivered() == marker || log.subscriptions > 1 || log.resyncs > 0);
        qInfo("flood: %lld of %lld events delivered, %d subscriptions, %d resyncs",
              qlonglong(log.delivered()), qlonglong(marker), log.subscriptions, log.resyncs);
    }

    void watcherGivesUpOnABadToken()
    {
        NexusEndpoint e = nexus_->endpoint("not-a-token");
        NexusClient client(e);
        KnowledgeWatcher watcher(client.channel(), e);
        QSignalSpy subscribed(&watcher, &KnowledgeWatcher::subscribed);
        QSignalSpy states(&watcher, &KnowledgeWatcher::stateChanged);
        watcher.start();
        QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty() &&
                                     states.last().at(0).value<KnowledgeWatcher::State>() ==
                                         KnowledgeWatcher::State::Stopped,
                                 10000);
        QVERIFY2(states.last().at(3).toString().contains(QLatin1String("Not signed in")),
                 qPrintable(states.last().at(3).toString()));
        // The refusal is not a subscription: nothing to re-list.
        QVERIFY(subscribed.isEmpty());
        QCOMPARE(watcher.state(), KnowledgeWatcher::State::Stopped);
    }
};

QTEST_GUILESS_MAIN(TestClientKnowledge)
#include "tst_client_knowledge.moc"
