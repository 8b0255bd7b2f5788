#include "client/GrpcStatusText.h"

namespace nexus::client {

namespace {

QString withReason(const QString& sentence, const QString& serverMessage)
{
    const QString reason = serverMessage.trimmed();
    return reason.isEmpty() ? sentence + QLatin1Char('.')
                            : sentence + QStringLiteral(": ") + reason;
}

QString describe(grpc::StatusCode code, const QString& msg)
{
    using C = grpc::StatusCode;
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

bool isRetryable(grpc::StatusCode code)
{
    using C = grpc::StatusCode;
    return code == C::UNAVAILABLE || code == C::DEADLINE_EXCEEDED || code == C::ABORTED ||
           code == C::RESOURCE_EXHAUSTED;
}

} // namespace nexus::client
