#include "SandboxHost.h"

#include "server/api/NexusServer.h"

#include <QtConcurrent>

namespace nexus::app {

struct SandboxHost::Result
{
    std::shared_ptr<nexus::server::NexusServer> server;
    QString error;
};

SandboxHost::SandboxHost(QObject* parent) : QObject(parent) {}

SandboxHost::~SandboxHost()
{
    stop();
}

void SandboxHost::start(const SandboxSettings& settings)
{
    if (server_ || starting_)
        return;
    starting_ = true;
    nexus::server::ServerOptions options;
    options.sandbox = true;
    options.listen = "127.0.0.1:0";
    options.simulate = settings.instances;
    options.simRate = settings.runsPerSecondPerInstance;
    options.simDrift = settings.driftPerMinute;
    options.simRealTime = settings.realTime;
    options.dataDir = settings.dataDir.toStdString();

    auto* watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcher<Result>::finished, this, [this, watcher] {
        Result result = watcher->result();
        watcher->deleteLater();
        starting_ = false;
        if (!result.server) {
            emit failed(result.error);
            return;
        }
        server_ = std::move(result.server);
        nexusAddress_ = QString::fromStdString(server_->nexusAddress());
        kafkaAddress_ = QString::fromStdString(server_->kafkaAddress());
        emit started(nexusAddress_, kafkaAddress_);
    });
    watcher->setFuture(QtConcurrent::run([options] {
        auto started = nexus::server::NexusServer::start(options);
        if (!started)
            return Result{nullptr, QString::fromStdString(started.error().message)};
        return Result{std::shared_ptr<nexus::server::NexusServer>(std::move(*started)), {}};
    }));
}

void SandboxHost::stop()
{
    if (!server_)
        return;
    server_->stop();
    server_.reset();
    nexusAddress_.clear();
    kafkaAddress_.clear();
}

} // namespace nexus::app
