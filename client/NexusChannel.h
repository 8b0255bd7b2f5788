#pragma once
// The gRPC channel to one Nexus: plaintext or TLS (with the profile's CA and,
// for mutual TLS, its client certificate and key),
// reconnect backoff tuned for a desktop (250 ms .. 8 s instead of gRPC's
// 1 s .. 120 s), and the bearer token added to every call's metadata.

#include "client/ConnectionProfile.h"
#include "client/GrpcStatusText.h"

#include <QString>

#include <chrono>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <memory>

namespace nexus::client {

// A profile with its secrets read: everything needed to open a channel.
// The token lives in memory only.
struct NexusEndpoint
{
    QString address;   // host:port
    QString tlsCaPath; // empty = plaintext
    QString token;     // empty = no authorization header (sandbox on loopback)
    std::chrono::milliseconds callTimeout{10'000};
    QString tlsCertPath; // mutual TLS: this client's certificate (PEM) ...
    QString tlsKeyPath;  // ... and its private key, read when the channel is made
};

struct ChannelError
{
    QString message;
};

// Reads the profile's token now. `addressOverride` (e.g. the sandbox's
// actual port, or --nexus) wins over the profile's endpoint.
protocol::Expected<NexusEndpoint, ChannelError>
nexusEndpointFor(const ConnectionProfile& profile, const QString& addressOverride = {});

protocol::Expected<std::shared_ptr<grpc::Channel>, ChannelError>
createNexusChannel(const NexusEndpoint& endpoint);

// Plaintext, TLS, or mutual TLS (a client certificate is sent).
ChannelTls channelTls(const NexusEndpoint& endpoint);

// Adds "authorization: Bearer <token>" and, when `withDeadline`, the
// endpoint's call timeout. Streams are long-lived and go without deadline.
void prepareCall(grpc::ClientContext& context, const NexusEndpoint& endpoint,
                 bool withDeadline = true);

} // namespace nexus::client
