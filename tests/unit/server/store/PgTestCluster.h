#pragma once
// A throwaway PostgreSQL cluster for tests: initdb into a temporary directory,
// started by pg_ctl on a free loopback port (trust auth, fsync off), stopped
// (immediate mode) and deleted when the object goes. Needs Debian's
// `postgresql` package; when it is missing, start() says so and the caller
// QSKIPs with that message. As root, initdb and pg_ctl run as the `postgres`
// system user (initdb refuses root), which then owns the directory.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <algorithm>
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <memory>
#include <netinet/in.h>
#include <pwd.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace nexus::test {

class PgTestCluster
{
public:
    // nullptr and `why` set when PostgreSQL is not installed or does not start.
    static std::unique_ptr<PgTestCluster> start(QString* why)
    {
        std::unique_ptr<PgTestCluster> c(new PgTestCluster());
        c->bin_ = findBinDir();
        if (c->bin_.isEmpty()) {
            *why = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install "
                   "the Debian package `postgresql` (scripts/dev does)";
            return nullptr;
        }
        if (!c->dir_.isValid()) {
            *why = "cannot create a temporary directory";
            return nullptr;
        }
        if (geteuid() == 0) {
            const passwd* pw = getpwnam("postgres");
            if (!pw) {
                *why = "running as root and there is no `postgres` user to run initdb as";
                return nullptr;
            }
            c->asUser_ = true;
            if (chown(c->dir_.path().toLocal8Bit().constData(), pw->pw_uid, pw->pw_gid) != 0) {
                *why = "cannot give the temporary directory to the postgres user";
                return nullptr;
            }
        }
        QString out;
        if (!c->tool("initdb",
                     {"-D", c->data(), "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                      "--locale=C"},
                     &out)) {
            *why = "initdb failed: " + out;
            return nullptr;
        }
        for (int attempt = 0; attempt < 3; ++attempt) {
            c->port_ = freePort();
            if (c->startServer(&out))
                return c;
        }
        *why = "pg_ctl start failed: " + out;
        return nullptr;
    }

    ~PgTestCluster()
    {
        QString ignored;
        tool("pg_ctl", {"-D", data(), "-m", "immediate", "-w", "stop"}, &ignored);
    }

    int port() const { return port_; }
    std::string uri(const std::string& database) const
    {
        return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
    }

    // A new empty database, for one test; returns its URI ("" on failure).
    std::string createDatabase()
    {
        const std::string name = "nexus_test_" + std::to_string(++databases_);
        PGconn* admin = PQconnectdb(uri("postgres").c_str());
        const bool ok = PQstatus(admin) == CONNECTION_OK;
        PGresult* r = ok ? PQexec(admin, ("CREATE DATABASE " + name).c_str()) : nullptr;
        const bool created = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        PQfinish(admin);
        return created ? uri(name) : std::string();
    }

    // Restarts the server: every open connection is cut (fast shutdown).
    bool restart(QString* out)
    {
        return tool("pg_ctl", {"-D", data(), "-m", "fast", "-w", "stop"}, out) && startServer(out);
    }

private:
    PgTestCluster() = default;

    QString data() const { return dir_.filePath("data"); }

    static QString findBinDir()
    {
        QDir root("/usr/lib/postgresql");
        QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        std::sort(versions.begin(), versions.end(),
                  [](const QString& a, const QString& b) { return a.toDouble() > b.toDouble(); });
        for (const QString& v : versions) {
            const QString bin = root.filePath(v + "/bin");
            if (QFile::exists(bin + "/initdb") && QFile::exists(bin + "/pg_ctl"))
                return bin;
        }
        return {};
    }

    static int freePort()
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        int port = 0;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
            port = ntohs(a.sin_port);
        ::close(fd);
        return port;
    }

    bool startServer(QString* out)
    {
        const QString options = QString("-c listen_addresses=127.0.0.1 -c port=%1"
                                        " -c unix_socket_directories=%2 -c fsync=off")
                                    .arg(port_)
                                    .arg(dir_.path());
        return tool("pg_ctl",
                    {"-D", data(), "-l", dir_.filePath("server.log"), "-o", options, "-w", "start"},
                    out);
    }

    bool tool(const QString& name, const QStringList& args, QString* out)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        const QString program = bin_ + "/" + name;
        if (asUser_)
            p.start("runuser", QStringList{"-u", "postgres", "--", program} + args);
        else
            p.start(program, args);
        const bool ok = p.waitForFinished(120'000) && p.exitStatus() == QProcess::NormalExit &&
                        p.exitCode() == 0;
        *out = QString::fromLocal8Bit(p.readAll());
        return ok;
    }

    QTemporaryDir dir_;
    QString bin_;
    bool asUser_ = false;
    int port_ = 0;
    int databases_ = 0;
};

} // namespace nexus::test
