#include "client/GrpcStatusText.h"

namespace nexus::client {

namespace {

QString withReason(const QString& sentence, const QString& serverMessage)
{
    const QString reason = serverMessage.trimmed();
    return reason.isEmpty() ? sentence + QLatin1Char('.')
                            : sentence + QStringLiteral(": ") + reason;
}

// A failed TLS handshake arrives as UNAVAILABLE with OpenSSL's words in the
// message; these name which side refused.
bool mentionsAny(const QString& msg, std::initializer_list<const char*> words)
{
    for (const char* w : words)
        if (msg.contains(QLatin1String(w), Qt::CaseInsensitive))
            return true;
    return false;
}

QString describe(grpc::StatusCode code, const QString& msg)
{
    using C = grpc::StatusCode;
    if (code == C::UNAVAILABLE && tlsClientCertificateRefused(msg))
        return withReason(QStringLiteral("Nexus refused this client's TLS certificate (none was "
                                         "sent, or a CA Nexus does not trust signed it); give "
                                         "the profile the client certificate and key for this "
                                         "Nexus"),
                          msg);
    if (code == C::UNAVAILABLE && tlsServerNotTrusted(msg))
        return withReason(QStringLiteral("Nexus's TLS certificate is not trusted (the profile's "
                                         "TLS CA did not sign it, or it was issued for another "
                                         "host name); check the TLS CA certificate and the "
                                         "endpoint"),
                          msg);
    switch (code) {
    case C::OK:
        return QStringLiteral("Done.");
    case C::UNAVAILABLE:
        return withReason(QStringLiteral("Nexus is unreachable"), msg);
    case C::DEADLINE_EXCEEDED:
        return withReason(QStringLiteral("Nexus did not answer in time; try again"), msg);
    case C::UNAUTHENTICATED:
        return withReason(QStringLiteral("Not signed in"),
                          msg.isEmpty() ? QStringLiteral("no valid token") : msg) +
               QStringLiteral(". Check the token of the connection profile.");
    case C::PERMISSION_DENIED:
        return withReason(QStringLiteral("Permission denied"), msg);
    case C::FAILED_PRECONDITION:
        return withReason(
            QStringLiteral("Refused because the object changed or is in the wrong state; "
                           "refresh and decide again"),
            msg);
    case C::INVALID_ARGUMENT:
        return withReason(QStringLiteral("Nexus refused the request as malformed"), msg);
    case C::NOT_FOUND:
        return withReason(QStringLiteral("Not found"), msg);
    case C::ALREADY_EXISTS:
        return withReason(QStringLiteral("Already exists"), msg);
    case C::ABORTED:
        return withReason(QStringLiteral("Interrupted (the console fell behind); it re-reads "
                                         "and continues"),
                          msg);
    case C::RESOURCE_EXHAUSTED:
        return withReason(QStringLiteral("Nexus is overloaded or the answer is too large"), msg);
    case C::CANCELLED:
        return withReason(QStringLiteral("Cancelled"), msg);
    case C::UNIMPLEMENTED:
        return withReason(
            QStringLiteral("This Nexus does not support the call (a version mismatch?)"), msg);
    case C::OUT_OF_RANGE:
        return withReason(QStringLiteral("Out of range"), msg);
    case C::DATA_LOSS:
        return withReason(QStringLiteral("Nexus reported data loss"), msg);
    case C::INTERNAL:
    case C::UNKNOWN:
    default:
        return withReason(QStringLiteral("Nexus failed with an internal error (%1)")
                              .arg(grpcStatusCodeName(code)),
                          msg);
    }
}

} // namespace

bool tlsClientCertificateRefused(const QString& msg)
{
    return mentionsAny(msg, {"certificate required", "alert unknown ca", "alert bad certificate",
                             "alert certificate unknown", "alert handshake failure"});
}

bool tlsServerNotTrusted(const QString& msg)
{
    return mentionsAny(msg, {"certificate verify failed", "CERTIFICATE_VERIFY_FAILED",
                             "not in peer certificate", "Peer name"});
}

QString grpcStatusCodeName(grpc::StatusCode code)
{
    using C = grpc::StatusCode;
    switch (code) {
    case C::OK:
        return QStringLiteral("OK");
    case C::CANCELLED:
        return QStringLiteral("CANCELLED");
    case C::UNKNOWN:
        return QStringLiteral("UNKNOWN");
    case C::INVALID_ARGUMENT:
        return QStringLiteral("INVALID_ARGUMENT");
    case C::DEADLINE_EXCEEDED:
        return QStringLiteral("DEADLINE_EXCEEDED");
    case C::NOT_FOUND:
        return QStringLiteral("NOT_FOUND");
    case C::ALREADY_EXISTS:
        return QStringLiteral("ALREADY_EXISTS");
    case C::PERMISSION_DENIED:
        return QStringLiteral("PERMISSION_DENIED");
    case C::RESOURCE_EXHAUSTED:
        return QStringLiteral("RESOURCE_EXHAUSTED");
    case C::FAILED_PRECONDITION:
        return QStringLiteral("FAILED_PRECONDITION");
    case C::ABORTED:
        return QStringLiteral("ABORTED");
    case C::OUT_OF_RANGE:
        return QStringLiteral("OUT_OF_RANGE");
    case C::UNIMPLEMENTED:
        return QStringLiteral("UNIMPLEMENTED");
    case C::INTERNAL:
        return QStringLiteral("INTERNAL");
    case C::UNAVAILABLE:
        return QStringLiteral("UNAVAILABLE");
    case C::DATA_LOSS:
        return QStringLiteral("DATA_LOSS");
    case C::UNAUTHENTICATED:
        return QStringLiteral("UNAUTHENTICATED");
    default:
        return QStringLiteral("CODE_%1").arg(static_cast<int>(code));
    }
}

QString grpcStatusText(grpc::StatusCode code, const QString& serverMessage,
                       const QString& operation)
{
    const QString text = describe(code, serverMessage);
    return operation.isEmpty() ? text : operation + QStringLiteral(" failed. ") + text;
}

QString grpcStatusText(const grpc::Status& status, const QString& operation)
{
    return grpcStatusText(status.error_code(), QString::fromStdString(status.error_message()),
                          operation);
}

QString grpcStatusText(const grpc::Status& status, const QString& operation, ChannelTls tls)
{
    const QString msg = QString::fromStdString(status.error_message());
    if (tls == ChannelTls::None || status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        !mentionsAny(msg, {"socket closed", "connection reset"}))
        return grpcStatusText(status, operation);
    const QString sentence =
        tls == ChannelTls::ServerOnly
            ? QStringLiteral("Nexus closed the TLS connection: it probably requires a client "
                             "certificate (mutual TLS) and refused this client's TLS certificate "
                             "because none was sent; give the profile a client certificate and key")
            : QStringLiteral("Nexus closed the TLS connection: it probably refused this client's "
                             "TLS certificate (signed by a CA it does not trust, or expired); "
                             "check the profile's client certificate and key");
    const QString text = withReason(sentence, msg);
    return operation.isEmpty() ? text : operation + QStringLiteral(" failed. ") + text;
}

bool isRetryable(grpc::StatusCode code)
{
    using C = grpc::StatusCode;
    return code == C::UNAVAILABLE || code == C::DEADLINE_EXCEEDED || code == C::ABORTED ||
           code == C::RESOURCE_EXHAUSTED;
}

} // namespace nexus::client
