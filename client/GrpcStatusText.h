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

// A failed TLS handshake (gRPC reports it as UNAVAILABLE): Nexus refused
// this client's certificate (mutual TLS), or this client does not trust
// Nexus's certificate. grpcStatusText() says which in its sentence.
bool tlsClientCertificateRefused(const QString& serverMessage);
bool tlsServerNotTrusted(const QString& serverMessage);

// How the channel uses TLS. With TLS 1.3 a Nexus that refuses the client's
// certificate (or gets none) only closes the connection after the handshake:
// on a TLS channel, grpcStatusText() says so instead of "unreachable".
enum class ChannelTls
{
    None,       // plaintext
    ServerOnly, // the client checks Nexus's certificate, sends none
    Mutual,     // ... and sends its own
};
QString grpcStatusText(const grpc::Status& status, const QString& operation, ChannelTls tls);

// "UNAVAILABLE", "PERMISSION_DENIED", ... for logs and tooltips.
QString grpcStatusCodeName(grpc::StatusCode code);

// True when retrying the same call later can succeed (UNAVAILABLE,
// DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED); false for auth and
// request errors, where retrying will not help.
bool isRetryable(grpc::StatusCode code);

} // namespace nexus::client
