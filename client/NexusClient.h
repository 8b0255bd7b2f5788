#pragma once
// The console's Nexus client: one channel for a profile, asynchronous calls
// (gRPC's callback API: nothing here ever waits on the network), results
// delivered in this object's thread by queued signals, each tagged with the
// request id the call returned so a caller can drop stale answers.
//
// The connection state follows the call outcomes and the channel's
// connectivity (polled, never blocking).
//
// Traces: searchTraces is one call; getTrace streams the trace's chunks,
// reports progress after each, and delivers the whole trace (summary and
// record values exactly as Nexus stored them) in one traceReceived. Any
// call in flight can be cancelled; a cancelled call delivers nothing more.
//
// Knowledge review: listEntries / getEntry read the knowledge base (viewer);
// reviewEntry approves or rejects one entry (approver); listAudit reads the
// audit log (operator and up). How failures touch the connection state:
//  - UNAVAILABLE / DEADLINE_EXCEEDED (transport) set Unavailable, from any
//    call; UNAUTHENTICATED sets Unauthorized, from any call;
//  - PERMISSION_DENIED from a read the console needs (whoAmI, listInstances,
//    listEntries, ...) sets PermissionDenied; from an action or an optional
//    view (reviewEntry, listAudit) it is an answer about that one request and
//    leaves the state alone (a viewer's refused review keeps the console
//    Ready);
//  - every other code (FAILED_PRECONDITION, INVALID_ARGUMENT, NOT_FOUND, ...)
//    is about the request and leaves the state alone.
// The failure itself always arrives through callFailed(requestId, error).
//
// A review must carry a request_id (newRequestId()) and the revision the
// person saw. Refusals: FAILED_PRECONDITION when someone else reviewed or
// changed the entry first (the message names the review that won);
// INVALID_ARGUMENT for a rejection without comment; PERMISSION_DENIED below
// the approver role. An UNAVAILABLE or DEADLINE_EXCEEDED outcome of a review
// is ambiguous: it may have been applied before the answer was lost. Keep it
// as pending and retry with the SAME request (same request_id): Nexus then
// returns the first outcome with replayed = true and changes nothing, so a
// retry never applies a review twice.
//
// Rollouts: listVersions / listRollouts / getRollout / getRolloutSeries are
// reads (FailureScope::Connection). createVersion, launchRollout,
// rolloutAction and restoreVersion are actions (FailureScope::Action, the
// deadline at least kReviewTimeout): PERMISSION_DENIED (an operator
// promoting) and FAILED_PRECONDITION (a stale seen_revision, the wrong
// phase) are answers about that one request and leave state() alone. Each
// action must carry a request_id (newRequestId()); an ambiguous outcome
// (UNAVAILABLE, DEADLINE_EXCEEDED) is retried with the same request, which
// Nexus applies once (docs/rollouts.md, "Idempotency").

#include "client/CallError.h"
#include "client/NexusChannel.h"

#include "nexus/v1/audit.pb.h"
#include "nexus/v1/common.pb.h"
#include "nexus/v1/fleet.pb.h"
#include "nexus/v1/knowledge.pb.h"
#include "nexus/v1/rollouts.pb.h"
#include "nexus/v1/traces.pb.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

Q_DECLARE_METATYPE(nexus::v1::WhoAmIResponse)
Q_DECLARE_METATYPE(nexus::v1::ListInstancesResponse)
Q_DECLARE_METATYPE(nexus::v1::GetMetricSeriesResponse)
Q_DECLARE_METATYPE(nexus::v1::SearchTracesResponse)
Q_DECLARE_METATYPE(nexus::v1::ListEntriesResponse)
Q_DECLARE_METATYPE(nexus::v1::GetEntryResponse)
Q_DECLARE_METATYPE(nexus::v1::ReviewEntryResponse)
Q_DECLARE_METATYPE(nexus::v1::ListAuditResponse)
Q_DECLARE_METATYPE(nexus::v1::ListVersionsResponse)
Q_DECLARE_METATYPE(nexus::v1::OptimizationVersion)
Q_DECLARE_METATYPE(nexus::v1::ListRolloutsResponse)
Q_DECLARE_METATYPE(nexus::v1::Rollout) // also RolloutWatcher's
Q_DECLARE_METATYPE(nexus::v1::GetRolloutSeriesResponse)

namespace nexus::client {

// One trace downloaded from Nexus. `records` are the Kafka record values in
// arrival order, byte for byte as stored (frame byte included); shared, so
// the result crosses queued signals without copying.
struct TraceDownload
{
    nexus::v1::TraceSummary summary;
    std::shared_ptr<const std::vector<std::string>> records;
    qint64 bytes = 0; // sum of the record sizes
};

// What getTrace accepts by default before it gives up on a trace.
inline constexpr qint64 kDefaultMaxTraceBytes = 512LL * 1024 * 1024;

// The deadline of one reviewEntry (or the endpoint's call timeout when that
// is longer): a review waits for the store's write.
inline constexpr std::chrono::milliseconds kReviewTimeout{15'000};

class NexusClient : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Idle,             // nothing asked yet
        Connecting,       // channel connecting, no answer yet
        Ready,            // the last call succeeded
        Unavailable,      // Nexus unreachable or shutting down; gRPC reconnects by itself
        Unauthorized,     // UNAUTHENTICATED: no or unknown token
        PermissionDenied, // PERMISSION_DENIED on a read the console needs
    };
    Q_ENUM(State)

    // The actions on one rollout (rolloutAction); each is its own RPC.
    enum class RolloutAction
    {
        SetWeight, // request.weight_percent
        Pause,
        Resume,
        Promote, // the next step, or (request.full) 100 % and done
        Abort,   // request.reason
    };
    Q_ENUM(RolloutAction)

    // A channel that cannot be created (unreadable CA file) shows as
    // Unavailable with the reason; calls then fail with that reason.
    explicit NexusClient(NexusEndpoint endpoint, QObject* parent = nullptr);
    ~NexusClient() override; // cancels calls in flight; their results are dropped

    const NexusEndpoint& endpoint() const { return endpoint_; }
    // Null when the channel could not be created.
    std::shared_ptr<grpc::Channel> channel() const { return channel_; }
    State state() const { return state_; }
    QString stateDetail() const { return stateDetail_; }

    // Starts connecting and asks WhoAmI (the answer decides Ready/Unauthorized).
    quint64 connectToNexus();

    // Each returns the request id its result or failure will carry.
    quint64 whoAmI();
    quint64 listInstances(const nexus::v1::ListInstancesRequest& request = {});
    quint64 getMetricSeries(const nexus::v1::GetMetricSeriesRequest& request);
    quint64 searchTraces(const nexus::v1::SearchTracesRequest& request);
    // Streams one trace (no deadline: a long trace takes as long as it
    // takes; cancel() stops it). A trace whose records pass `maxBytes` is
    // cancelled and fails with RESOURCE_EXHAUSTED.
    quint64 getTrace(const QString& threadId, qint64 maxBytes = kDefaultMaxTraceBytes);

    // Knowledge review (see the header comment for failures and retries).
    quint64 listEntries(const nexus::v1::ListEntriesRequest& request);
    quint64 getEntry(const QString& entryId);
    quint64 reviewEntry(const nexus::v1::ReviewEntryRequest& request);
    quint64 listAudit(const nexus::v1::ListAuditRequest& request);
    // A fresh request id for a review (a UUID without braces); keep it with
    // the review until it is delivered so that a retry sends the same one.
    static QString newRequestId();

    // Rollouts (see the header comment for failures and retries). The
    // actions answer with the rollout as Nexus stored it (rolloutChanged).
    quint64 listVersions(const nexus::v1::ListVersionsRequest& request);
    quint64 createVersion(const nexus::v1::CreateVersionRequest& request);
    quint64 listRollouts(const nexus::v1::ListRolloutsRequest& request);
    quint64 getRollout(const QString& rolloutId);
    quint64 getRolloutSeries(const nexus::v1::GetRolloutSeriesRequest& request);
    quint64 launchRollout(const nexus::v1::LaunchRolloutRequest& request);
    quint64 rolloutAction(RolloutAction action, const nexus::v1::RolloutActionRequest& request);
    quint64 restoreVersion(const nexus::v1::RestoreVersionRequest& request);
    // "set weight", "pause", "resume", "promote", "abort".
    static QString rolloutActionName(RolloutAction action);

    // Cancels a call in flight: nothing more is delivered for it (no result,
    // no progress, no failure). False when the call is already delivered or
    // unknown.
    bool cancel(quint64 requestId);
    bool isPending(quint64 requestId) const { return pending_.contains(requestId); }

    static void registerMetaTypes();

Q_SIGNALS:
    void whoAmIReceived(quint64 requestId, const nexus::v1::WhoAmIResponse& response);
    void instancesReceived(quint64 requestId, const nexus::v1::ListInstancesResponse& response);
    void metricSeriesReceived(quint64 requestId,
                              const nexus::v1::GetMetricSeriesResponse& response);
    void tracesFound(quint64 requestId, const nexus::v1::SearchTracesResponse& response);
    // After each chunk of a getTrace: records so far, the records the
    // summary announced (0 until the first chunk), bytes so far.
    void traceProgress(quint64 requestId, qint64 records, qint64 expectedRecords, qint64 bytes);
    void traceReceived(quint64 requestId, const nexus::client::TraceDownload& trace);
    void entriesListed(quint64 requestId, const nexus::v1::ListEntriesResponse& response);
    void entryReceived(quint64 requestId, const nexus::v1::GetEntryResponse& response);
    void entryReviewed(quint64 requestId, const nexus::v1::ReviewEntryResponse& response);
    void auditListed(quint64 requestId, const nexus::v1::ListAuditResponse& response);
    void versionsListed(quint64 requestId, const nexus::v1::ListVersionsResponse& response);
    void versionCreated(quint64 requestId, const nexus::v1::OptimizationVersion& version);
    void rolloutsListed(quint64 requestId, const nexus::v1::ListRolloutsResponse& response);
    void rolloutReceived(quint64 requestId, const nexus::v1::Rollout& rollout); // getRollout
    void rolloutSeriesReceived(quint64 requestId,
                               const nexus::v1::GetRolloutSeriesResponse& response);
    // launchRollout and rolloutAction: the rollout after the change.
    void rolloutChanged(quint64 requestId, const nexus::v1::Rollout& rollout);
    // restoreVersion: the graph/node's versions after the change.
    void versionRestored(quint64 requestId, const nexus::v1::ListVersionsResponse& versions);
    void callFailed(quint64 requestId, const nexus::client::CallError& error);
    void connectionStateChanged(nexus::client::NexusClient::State state, const QString& detail);

private:
    struct Lifeline;
    class TraceReader;
    // What a failed call says about the connection (see the header comment).
    enum class FailureScope
    {
        Connection, // a read the console needs
        Action,     // one action or optional view: PERMISSION_DENIED is about it alone
    };
    template <class Response, class Request, class Start, class Emit>
    quint64 startCall(const QString& operation, Request request, Start start, Emit emitResult,
                      FailureScope scope = FailureScope::Connection);
    void finishCall(const grpc::Status& status, const QString& operation, quint64 requestId,
                    FailureScope scope = FailureScope::Connection);
    quint64 failWithoutChannel(const QString& operation);
    void pollChannel();
    void setState(State state, const QString& detail);

    NexusEndpoint endpoint_;
    QString channelError_;
    std::shared_ptr<grpc::Channel> channel_;
    std::shared_ptr<Lifeline> lifeline_;
    QTimer channelPoll_;
    quint64 nextRequestId_ = 1;
    QSet<quint64> pending_; // started, final result not delivered yet, not cancelled
    State state_ = State::Idle;
    QString stateDetail_;
};

} // namespace nexus::client

Q_DECLARE_METATYPE(nexus::client::TraceDownload)
