#pragma once
// One connection of the console: the profile it came from, the Local sandbox
// when it hosts one, the Nexus client and the fleet stream, and the models
// they feed. Wiring only: the clients work off the GUI thread and deliver
// through queued signals; the models live on the GUI thread.

#include "client/ConnectionProfile.h"
#include "client/FleetWatcher.h"
#include "client/NexusClient.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace nexus::models {
class FleetModel;
class FleetFilterProxy;
class MetricSeriesStore;
} // namespace nexus::models

namespace nexus::app {

class SandboxHost;

class ConsoleSession : public QObject
{
    Q_OBJECT
public:
    explicit ConsoleSession(QObject* parent = nullptr);
    ~ConsoleSession() override;

    // Starts the Local sandbox (in-process nexusd) or connects to a remote Nexus.
    void open(const client::ConnectionProfile& profile);
    const client::ConnectionProfile& profile() const { return profile_; }

    models::FleetModel* fleet() const { return fleet_; }
    models::FleetFilterProxy* fleetProxy() const { return proxy_; }
    models::MetricSeriesStore* series() const { return series_; }

    // The deployment charts' window; re-fetches the series.
    void setSeriesRange(int seconds);
    int seriesRange() const { return rangeSeconds_; }

signals:
    // One line for the status bar, and whether it is a problem.
    void nexusStatus(const QString& text, bool problem);
    void fleetStatus(const QString& text, bool problem);
    // Something the user should read (errors, reconnects): the notification area.
    void notify(const QString& message);
    void connected(const QString& nexusAddress);

private:
    void connectTo(const client::NexusEndpoint& endpoint);
    void fetchSeries();

    client::ConnectionProfile profile_;
    SandboxHost* sandbox_ = nullptr;
    std::unique_ptr<client::NexusClient> client_;
    std::unique_ptr<client::FleetWatcher> watcher_;
    models::FleetModel* fleet_;
    models::FleetFilterProxy* proxy_;
    models::MetricSeriesStore* series_;
    QTimer seriesRefresh_;
    quint64 seriesRequest_ = 0;
    int rangeSeconds_ = 900;
};

} // namespace nexus::app
