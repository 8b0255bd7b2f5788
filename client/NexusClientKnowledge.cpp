// NexusClient: the knowledge-review calls (Knowledge and Audit services).
#include "client/NexusClient.h"
#include "client/NexusClientCall.h"

#include "nexus/v1/audit.grpc.pb.h"
#include "nexus/v1/knowledge.grpc.pb.h"

#include <QUuid>

#include <algorithm>

namespace nexus::client {

namespace pb = ::nexus::v1;

QString NexusClient::newRequestId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

quint64 NexusClient::listEntries(const pb::ListEntriesRequest& request)
{
    return startCall<pb::ListEntriesResponse>(
        tr("Listing knowledge entries"), request,
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::ListEntriesRequest* request, pb::ListEntriesResponse* response, auto done) {
            pb::Knowledge::NewStub(channel)->async()->ListEntries(context, request, response,
                                                                  std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::ListEntriesResponse&& response) {
            Q_EMIT self->entriesListed(id, response);
        });
}

quint64 NexusClient::getEntry(const QString& entryId)
{
    pb::GetEntryRequest request;
    request.set_entry_id(entryId.toStdString());
    return startCall<pb::GetEntryResponse>(
        tr("Loading knowledge entry %1").arg(entryId), std::move(request),
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::GetEntryRequest* request, pb::GetEntryResponse* response, auto done) {
            pb::Knowledge::NewStub(channel)->async()->GetEntry(context, request, response,
                                                               std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::GetEntryResponse&& response) {
            Q_EMIT self->entryReceived(id, response);
        });
}

quint64 NexusClient::reviewEntry(const pb::ReviewEntryRequest& request)
{
    const QString verb =
        request.decision() == pb::REVIEW_DECISION_REJECT ? tr("Rejecting") : tr("Approving");
    const auto timeout = std::max(endpoint_.callTimeout, kReviewTimeout);
    return startCall<pb::ReviewEntryResponse>(
        tr("%1 knowledge entry %2").arg(verb, QString::fromStdString(request.entry_id())), request,
        [timeout](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
                  const pb::ReviewEntryRequest* request, pb::ReviewEntryResponse* response,
                  auto done) {
            context->set_deadline(std::chrono::system_clock::now() + timeout);
            pb::Knowledge::NewStub(channel)->async()->ReviewEntry(context, request, response,
                                                                  std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::ReviewEntryResponse&& response) {
            Q_EMIT self->entryReviewed(id, response);
        },
        FailureScope::Action);
}

quint64 NexusClient::listAudit(const pb::ListAuditRequest& request)
{
    return startCall<pb::ListAuditResponse>(
        tr("Loading the audit log"), request,
        [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
           const pb::ListAuditRequest* request, pb::ListAuditResponse* response, auto done) {
            pb::Audit::NewStub(channel)->async()->ListAudit(context, request, response,
                                                            std::move(done));
        },
        [](NexusClient* self, quint64 id, pb::ListAuditResponse&& response) {
            Q_EMIT self->auditListed(id, response);
        },
        FailureScope::Action);
}

} // namespace nexus::client
