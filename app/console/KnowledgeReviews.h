#pragma once
// Sends the Knowledge tab's reviews and keeps the ones that could not be
// delivered (docs/knowledge.md, "When Nexus is down").
//
// Every review carries a fresh request id and the revision the reviewer
// saw. The outcome decides what happens to it:
//  - delivered (also a replay of an earlier delivery): reviewed();
//  - refused for good — someone else reviewed first (FAILED_PRECONDITION),
//    no permission, invalid, entry gone: conflicted() / refused(); it is
//    dropped from the outbox, never re-sent;
//  - not known to have arrived (Nexus unreachable, deadline passed, a
//    transport or server failure): kept in the ReviewOutbox as
//    pending-retry, with the SAME request id and revision, so a retry can
//    never apply it twice (Nexus replays the first outcome of a request
//    id). Retries happen when the connection comes back, every
//    kRetryIntervalMs while it is up, and on retryNow(); discard() drops
//    one at the user's word.
// A review is written to the outbox before it is sent (a console that dies
// mid-call still has it) and leaves it when settled, so the outbox holds
// exactly the reviews not known to be settled; the page lists those that
// failed at least once as pending-retry. One review per entry at a time:
// an entry with a review in flight or queued is not reviewed again until
// that one is settled.

#include "client/CallError.h"

#include "nexus/v1/knowledge.pb.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace nexus::client {
class NexusClient;
}
namespace nexus::models {
class ReviewOutbox;
struct PendingReview;
} // namespace nexus::models

namespace nexus::app {

class KnowledgeReviews : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRetryIntervalMs = 15'000;

    explicit KnowledgeReviews(models::ReviewOutbox* outbox, QObject* parent = nullptr);

    void setClient(client::NexusClient* client); // null: no connection (reviews queue)
    models::ReviewOutbox* outbox() const { return outbox_; }

    // False (with the reason in `why`) when the entry already has a review
    // in flight or waiting in the outbox.
    bool send(const nexus::v1::KnowledgeEntry& entry, nexus::v1::ReviewDecision decision,
              const QString& comment, QString* why = nullptr);
    bool isSettling(const QString& entryId) const; // in flight or queued
    int inFlight() const { return int(flights_.size()); }

    void retryNow();                        // every queued review not in flight
    void discard(const QString& requestId); // the user gives a queued review up

Q_SIGNALS:
    void reviewed(const nexus::v1::ReviewEntryResponse& response);
    // Someone else changed or reviewed the entry first; the message names
    // the review that won.
    void conflicted(const QString& entryId, const QString& title, const QString& serverMessage);
    void refused(const QString& entryId, const QString& title, const QString& text);
    void queuedForRetry(const QString& entryId, const QString& title, const QString& text);
    void inFlightChanged(int count);

private:
    void start(const models::PendingReview& review);
    void onReviewed(quint64 callId, const nexus::v1::ReviewEntryResponse& response);
    void onFailed(quint64 callId, const client::CallError& error);

    models::ReviewOutbox* outbox_;
    QPointer<client::NexusClient> client_;
    QHash<quint64, QString> flights_; // call id → request id (its review is in the outbox)
    QTimer retryTimer_;
};

} // namespace nexus::app
