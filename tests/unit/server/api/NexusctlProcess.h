#pragma once
// Runs the real nexusctl binary (NEXUSCTL_BIN, set by the test's CMake entry)
// and collects its exit code and output.

#include <QByteArray>
#include <QProcess>
#include <QStringList>

#include <cstdlib>

namespace nexusctl_test {

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

inline Run nexusctl(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(NEXUSCTL_BIN), args);
    if (!p.waitForFinished(30000))
        qFatal("nexusctl did not finish");
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

} // namespace nexusctl_test
