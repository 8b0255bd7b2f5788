#include "KnowledgeReviews.h"

#include "client/NexusClient.h"
#include "models/KnowledgeFormat.h"
#include "models/ReviewOutbox.h"

#include <QDateTime>

namespace nexus::app {

namespace pb = ::nexus::v1;

namespace {

qint64 nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

// Refusals that a retry cannot change.
bool isFinal(grpc::StatusCode code)
{
    switch (code) {
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::UNIMPLEMENTED:
        return true;
    default:
        return false;
    }
}

} // namespace

KnowledgeReviews::KnowledgeReviews(models::ReviewOutbox* outbox, QObject* parent)
    : QObject(parent), outbox_(outbox)
{
    retryTimer_.setInterval(kRetryIntervalMs);
    connect(&retryTimer_, &QTimer::timeout, this, [this] {
        if (client_ && client_->state() == client::NexusClient::State::Ready)
            retryNow();
    });
    retryTimer_.start();
}

void KnowledgeReviews::setClient(client::NexusClient* client)
{
    if (client_ == client)
        return;
    if (client_)
        disconnect(client_, nullptr, this, nullptr);
    // Calls of the old client are cancelled with it; their reviews stay
    // queued and go out on the new connection.
    flights_.clear();
    emit inFlightChanged(0);
    client_ = client;
    if (!client)
        return;
    connect(client, &client::NexusClient::entryReviewed, this, &KnowledgeReviews::onReviewed);
    connect(client, &client::NexusClient::callFailed, this, &KnowledgeReviews::onFailed);
    connect(client, &client::NexusClient::connectionStateChanged, this,
            [this](client::NexusClient::State state, const QString&) {
                if (state == client::NexusClient::State::Ready)
                    retryNow();
            });
    if (client->state() == client::NexusClient::State::Ready)
        retryNow();
}

bool KnowledgeReviews::isSettling(const QString& entryId) const
{
    return outbox_->findByEntry(entryId).has_value();
}

bool KnowledgeReviews::send(const pb::KnowledgeEntry& entry, pb::ReviewDecision decision,
                            const QString& comment, QString* why)
{
    const QString entryId = QString::fromStdString(entry.entry_id());
    if (isSettling(entryId)) {
        if (why)
            *why = tr("A review of \"%1\" is still being sent; it is settled first.")
                       .arg(QString::fromStdString(entry.title()));
        return false;
    }
    models::PendingReview review;
    review.requestId = client::NexusClient::newRequestId();
    review.entryId = entryId;
    review.title = QString::fromStdString(entry.title());
    review.seenRevision = entry.revision();
    review.decision = decision;
    review.comment = comment;
    review.queuedAtUs = nowUs();
    if (!outbox_->add(review)) {
        if (why)
            *why = tr("The review of \"%1\" could not be queued.").arg(review.title);
        return false;
    }
    start(review);
    return true;
}

void KnowledgeReviews::start(const models::PendingReview& review)
{
    for (const QString& flying : std::as_const(flights_))
        if (flying == review.requestId)
            return; // already on its way
    if (!client_) {
        outbox_->markAttempt(review.requestId, tr("not connected to Nexus"), nowUs());
        emit queuedForRetry(
            review.entryId, review.title,
            tr("Not connected to Nexus: the review of \"%1\" waits to be sent.").arg(review.title));
        return;
    }
    pb::ReviewEntryRequest request;
    request.set_entry_id(review.entryId.toStdString());
    request.set_seen_revision(review.seenRevision);
    request.set_decision(pb::ReviewDecision(review.decision));
    request.set_comment(review.comment.toStdString());
    request.set_request_id(review.requestId.toStdString());
    flights_.insert(client_->reviewEntry(request), review.requestId);
    emit inFlightChanged(inFlight());
}

void KnowledgeReviews::retryNow()
{
    for (const models::PendingReview& review : outbox_->all())
        start(review);
}

void KnowledgeReviews::discard(const QString& requestId)
{
    for (auto it = flights_.begin(); it != flights_.end(); ++it)
        if (it.value() == requestId) {
            // Its answer may still come; without the outbox entry it is
            // only shown, never re-sent.
            if (client_)
                client_->cancel(it.key());
            flights_.erase(it);
            emit inFlightChanged(inFlight());
            break;
        }
    outbox_->remove(requestId);
}

void KnowledgeReviews::onReviewed(quint64 callId, const pb::ReviewEntryResponse& response)
{
    const auto it = flights_.find(callId);
    if (it == flights_.end())
        return; // another caller's review
    outbox_->remove(it.value());
    flights_.erase(it);
    emit inFlightChanged(inFlight());
    emit reviewed(response);
}

void KnowledgeReviews::onFailed(quint64 callId, const client::CallError& error)
{
    const auto it = flights_.find(callId);
    if (it == flights_.end())
        return;
    const QString requestId = it.value();
    flights_.erase(it);
    emit inFlightChanged(inFlight());
    const auto review = outbox_->find(requestId);
    if (!review)
        return; // discarded while in flight
    if (isFinal(error.code)) {
        outbox_->remove(requestId);
        if (error.code == grpc::StatusCode::FAILED_PRECONDITION)
            emit conflicted(review->entryId, review->title, error.serverMessage);
        else
            emit refused(
                review->entryId, review->title,
                tr("Nexus refused to %1 \"%2\": %3")
                    .arg(models::knowledgefmt::decisionVerb(pb::ReviewDecision(review->decision)),
                         review->title, error.text));
        return;
    }
    outbox_->markAttempt(requestId, error.text, nowUs());
    emit queuedForRetry(review->entryId, review->title,
                        tr("The review of \"%1\" was not delivered (%2). It is kept and sent "
                           "again when Nexus answers.")
                            .arg(review->title, error.text));
}

} // namespace nexus::app
