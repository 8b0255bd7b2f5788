#pragma once
// The Local sandbox: a whole Nexus (store, embedded broker, simulated fleet,
// gRPC) hosted in this process on loopback. The console then connects to it
// over real sockets, exactly as to a remote Nexus. Starting takes a moment
// (SQLite, broker, first runs), so it happens off the GUI thread.

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <memory>

namespace nexus::server {
class NexusServer;
}

namespace nexus::app {

struct SandboxSettings
{
    int instances = 24;
    double runsPerSecondPerInstance = 0.5;
    double driftPerMinute = 0.02; // the drifting instance's quality loss (tests speed it up)
    // Publish each simulated message when its timestamp comes due, so runs
    // are seen running; false sends a run's telemetry at once (tests that
    // need many finished runs quickly).
    bool realTime = true;
    QString dataDir; // empty = a new temporary directory
};

class SandboxHost : public QObject
{
    Q_OBJECT
public:
    explicit SandboxHost(QObject* parent = nullptr);
    ~SandboxHost() override; // stops the sandbox

    void start(const SandboxSettings& settings = {});
    void stop();
    bool running() const { return server_ != nullptr; }
    QString nexusAddress() const { return nexusAddress_; }
    QString kafkaAddress() const { return kafkaAddress_; }
    nexus::server::NexusServer* server() const { return server_.get(); }

signals:
    void started(const QString& nexusAddress, const QString& kafkaAddress);
    void failed(const QString& message);

private:
    struct Result;
    std::shared_ptr<nexus::server::NexusServer> server_;
    QString nexusAddress_, kafkaAddress_;
    bool starting_ = false;
};

} // namespace nexus::app
