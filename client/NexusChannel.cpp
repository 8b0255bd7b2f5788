#include "client/NexusChannel.h"

#include <QFile>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

namespace nexus::client {

protocol::Expected<NexusEndpoint, ChannelError> nexusEndpointFor(const ConnectionProfile& profile,
                                                                 const QString& addressOverride)
{
    NexusEndpoint endpoint;
    endpoint.address = addressOverride.isEmpty() ? profile.nexusEndpoint : addressOverride;
    if (endpoint.address.trimmed().isEmpty())
        return ChannelError{
            QStringLiteral("the profile \"%1\" names no Nexus endpoint").arg(profile.name)};
    endpoint.tlsCaPath = profile.tlsCaPath;
    endpoint.tlsCertPath = profile.tlsCertPath;
    endpoint.tlsKeyPath = profile.tlsKeyPath;
    auto token = resolveSecret(profile.token);
    if (!token)
        return ChannelError{QStringLiteral("cannot read the Nexus token of \"%1\": %2")
                                .arg(profile.name, token.error().message)};
    endpoint.token = *token;
    return endpoint;
}

protocol::Expected<std::shared_ptr<grpc::Channel>, ChannelError>
createNexusChannel(const NexusEndpoint& endpoint)
{
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (endpoint.tlsCaPath.isEmpty()) {
        credentials = grpc::InsecureChannelCredentials();
    } else {
        QFile ca(endpoint.tlsCaPath);
        if (!ca.open(QIODevice::ReadOnly))
            return ChannelError{QStringLiteral("cannot read the TLS CA file %1: %2")
                                    .arg(endpoint.tlsCaPath, ca.errorString())};
        grpc::SslCredentialsOptions options;
        options.pem_root_certs = ca.readAll().toStdString();
        if (endpoint.tlsCertPath.isEmpty() != endpoint.tlsKeyPath.isEmpty())
            return ChannelError{QStringLiteral(
                "a client certificate and its key go together: give both or neither")};
        if (!endpoint.tlsCertPath.isEmpty()) {
            QFile cert(endpoint.tlsCertPath);
            if (!cert.open(QIODevice::ReadOnly))
                return ChannelError{QStringLiteral("cannot read the client certificate %1: %2")
                                        .arg(endpoint.tlsCertPath, cert.errorString())};
            QFile key(endpoint.tlsKeyPath);
            if (!key.open(QIODevice::ReadOnly))
                return ChannelError{QStringLiteral("cannot read the client key %1: %2")
                                        .arg(endpoint.tlsKeyPath, key.errorString())};
            options.pem_cert_chain = cert.readAll().toStdString();
            options.pem_private_key = key.readAll().toStdString();
        }
        credentials = grpc::SslCredentials(options);
    }
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 8000);
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    return grpc::CreateCustomChannel(endpoint.address.toStdString(), credentials, args);
}

ChannelTls channelTls(const NexusEndpoint& endpoint)
{
    if (endpoint.tlsCaPath.isEmpty())
        return ChannelTls::None;
    return endpoint.tlsCertPath.isEmpty() ? ChannelTls::ServerOnly : ChannelTls::Mutual;
}

void prepareCall(grpc::ClientContext& context, const NexusEndpoint& endpoint, bool withDeadline)
{
    if (!endpoint.token.isEmpty())
        context.AddMetadata("authorization", "Bearer " + endpoint.token.toStdString());
    if (withDeadline)
        context.set_deadline(std::chrono::system_clock::now() + endpoint.callTimeout);
}

} // namespace nexus::client
