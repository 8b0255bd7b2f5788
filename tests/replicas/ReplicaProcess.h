#pragma once
// One nexusd replica as an operator runs it (docs/DEPLOYMENT.md "Several
// replicas"): a real process on a postgres:// store, in a consumer group,
// with a short session timeout and lease so a kill moves things quickly.
// Its stderr is kept: the "reading ..." partition lines and the
// rollout-driver lines are what the tests watch.

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <fstream>
#include <grpcpp/grpcpp.h>
#include <memory>
#include <set>
#include <string>

namespace nexus::test {

inline const char* const kAdminToken = "replica-test-admin";

// tokens.json with one admin token.
inline QString writeTokens(const QTemporaryDir& dir)
{
    const QString path = dir.filePath(QStringLiteral("tokens.json"));
    std::ofstream(path.toStdString())
        << R"({"tokens": [{"name": "ops", "role": "admin", "token": ")" << kAdminToken << R"("}]})";
    return path;
}

class Replica
{
public:
    Replica(QString name, const QTemporaryDir& dir) : name_(std::move(name)), dir_(dir) {}
    ~Replica()
    {
        if (process_.state() != QProcess::NotRunning) {
            process_.kill();
            process_.waitForFinished(10'000);
        }
    }

    // Starts nexusd; false when it printed no gRPC address in 30 s.
    bool start(const std::string& storeUri, const std::string& kafka, double leaseTtlSeconds = 2)
    {
        QStringList args = {QStringLiteral("--store"),
                            QString::fromStdString(storeUri),
                            QStringLiteral("--tokens"),
                            writeTokens(dir_),
                            QStringLiteral("--data-dir"),
                            dir_.filePath(name_),
                            QStringLiteral("--listen"),
                            QStringLiteral("127.0.0.1:0"),
                            QStringLiteral("--group-id"),
                            QStringLiteral("nexusd-replicas"),
                            QStringLiteral("--replica-name"),
                            name_,
                            QStringLiteral("--lease-ttl"),
                            QString::number(leaseTtlSeconds),
                            QStringLiteral("--consumer-property"),
                            QStringLiteral("session.timeout.ms=6000"),
                            QStringLiteral("--consumer-property"),
                            QStringLiteral("heartbeat.interval.ms=500")};
        if (!kafka.empty())
            args << QStringLiteral("--kafka") << QString::fromStdString(kafka);
        process_.setProcessChannelMode(QProcess::SeparateChannels);
        process_.start(QStringLiteral(NEXUSD_BIN), args);
        if (!process_.waitForStarted(10'000))
            return false;
        QByteArray out;
        QElapsedTimer waited;
        waited.start();
        while (!out.contains("nexus: ") && waited.elapsed() < 30'000 &&
               process_.state() == QProcess::Running) {
            process_.waitForReadyRead(200);
            out += process_.readAllStandardOutput();
        }
        const auto match = QRegularExpression(QStringLiteral("nexus: (127\\.0\\.0\\.1:\\d+)"))
                               .match(QString::fromUtf8(out));
        address_ = match.hasMatch() ? match.captured(1).toStdString() : std::string();
        return !address_.empty();
    }

    const QString& name() const { return name_; }
    const std::string& address() const { return address_; }
    QProcess& process() { return process_; }

    // Everything it wrote to stderr so far.
    const QByteArray& log()
    {
        log_ += process_.readAllStandardError();
        return log_;
    }

    // The partitions of its latest "reading ..." line; nullopt before any.
    std::optional<std::set<int>> partitions()
    {
        const QString text = QString::fromUtf8(log());
        const auto at = text.lastIndexOf(QStringLiteral("nexusd: ingest: reading "));
        if (at < 0)
            return std::nullopt;
        const QString line = text.mid(at).section(QLatin1Char('\n'), 0, 0);
        std::set<int> out;
        const auto list = QRegularExpression(QStringLiteral("\\[([0-9,]*)\\]")).match(line);
        if (list.hasMatch())
            for (const QString& n : list.captured(1).split(QLatin1Char(','), Qt::SkipEmptyParts))
                out.insert(n.toInt());
        return out;
    }

    // Whether its latest driver line says it drives rollouts.
    bool driving()
    {
        const QByteArray& text = log();
        const auto on = text.lastIndexOf("drives rollouts now");
        const auto off = text.lastIndexOf("no longer drives rollouts");
        return on >= 0 && on > off;
    }

    std::shared_ptr<grpc::Channel> channel() const
    {
        return grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    }

private:
    QString name_;
    const QTemporaryDir& dir_;
    QProcess process_;
    std::string address_;
    QByteArray log_;
};

inline void authorize(grpc::ClientContext& context, int timeoutSeconds = 20)
{
    context.AddMetadata("authorization", std::string("Bearer ") + kAdminToken);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeoutSeconds));
}

} // namespace nexus::test
