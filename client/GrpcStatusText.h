#pragma once
// gRPC status -> one sentence a person can act on (docs/console-connections.md
// has the table). The server's own message is kept verbatim after the colon:
// it names what is wrong ("needs role approver, you are viewer").

#include <QString>

#include <grpcpp/support/status.h>

namespace nexus::client {

// `operation` is what the console was doing ("Listing instances"); may be empty.
QString grpcStatusText(grpc::StatusCode code, const QString& serverMessage,
                       const QString& operation = {});
QString grpcStatusText(const grpc::Status& status, const QString& operation = {});

// "UNAVAILABLE", "PERMISSION_DENIED", ... for logs and tooltips.
QString grpcStatusCodeName(grpc::StatusCode code);

// True when retrying the same call later can succeed (UNAVAILABLE,
// DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED); false for auth and
// request errors, where retrying will not help.
bool isRetryable(grpc::StatusCode code);

} // namespace nexus::client
