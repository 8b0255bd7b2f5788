#pragma once
// Versions of the libraries this build runs with, for the About dialog,
// --version and bug reports.

#include <QList>
#include <QPair>
#include <QString>

namespace nexus::client {

// (library, version) pairs, the application itself first.
QList<QPair<QString, QString>> libraryVersions();

} // namespace nexus::client
