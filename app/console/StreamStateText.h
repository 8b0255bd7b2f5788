#pragma once
// The short line a page shows next to its data for the state of the
// stream that keeps it live (StreamWatcher::stateChanged).

#include "client/StreamWatcher.h"

#include <QCoreApplication>
#include <QString>

namespace nexus::app {

// `kept` says what stays on screen meanwhile: "the last list".
inline QString streamStateText(client::StreamWatcher::State state, int attempt, int retryInMs,
                               const QString& detail, const QString& kept)
{
    using S = client::StreamWatcher::State;
    auto tr = [](const char* text) { return QCoreApplication::translate("StreamState", text); };
    switch (state) {
    case S::Live:
        return tr("Live");
    case S::Connecting:
        return tr("Subscribing…");
    case S::Reconnecting:
        return tr("Disconnected: retry %1 in %2 s (showing %3)")
            .arg(attempt)
            .arg(retryInMs / 1000.0, 0, 'f', 1)
            .arg(kept);
    case S::Stopped:
        return detail.isEmpty() ? tr("Stopped") : tr("Stopped: %1").arg(detail);
    }
    return {};
}

} // namespace nexus::app
