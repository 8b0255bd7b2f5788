#pragma once
// A failed Nexus call as a value that travels through queued signals.

#include <QMetaType>
#include <QString>

#include <grpcpp/support/status.h>

namespace nexus::client {

struct CallError
{
    grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
    QString serverMessage; // verbatim from Nexus (plain text: show with Qt::PlainText)
    QString text;          // grpcStatusText(): the sentence for the status bar / dialog
};

} // namespace nexus::client

Q_DECLARE_METATYPE(nexus::client::CallError)
