// SPDX-License-Identifier: Apache-2.0
// A real Nexus for the console tests: on loopback, in a temp dir, with the
// tokens the test names. And where the tests leave their screenshots.
#pragma once

#include "server/api/NexusServer.h"

#include <QDir>
#include <QString>
#include <QTemporaryDir>
#include <QtGlobal>

#include <fstream>
#include <functional>
#include <memory>
#include <string>

namespace nexus::testing {

// `tokensJson` is the tokens file's whole text; `listen` "127.0.0.1:0" picks
// a free port (read it back from address()) and a fixed address restarts a
// stopped Nexus where it was, on the same data.
inline std::unique_ptr<server::NexusServer>
startConsoleNexus(const QTemporaryDir& dir, const std::string& listen, const char* tokensJson,
                  bool embeddedKafka = false,
                  const std::function<void(server::ServerOptions&)>& tweak = {})
{
    const std::string tokens = (dir.path() + "/tokens.json").toStdString();
    std::ofstream(tokens) << tokensJson;
    server::ServerOptions o;
    o.listen = listen;
    o.dataDir = (dir.path() + "/data").toStdString();
    o.tokensFile = tokens;
    o.embeddedKafka = embeddedKafka;
    if (tweak)
        tweak(o);
    auto started = server::NexusServer::start(o);
    if (!started)
        qFatal("Nexus did not start: %s", started.error().message.c_str());
    return std::move(*started);
}

inline QString screenshotDir()
{
    const QString dir = QStringLiteral(NEXUS_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

} // namespace nexus::testing
