#pragma once
// One connection of the console: the profile it came from, the Local sandbox
// when it hosts one, the Nexus client and the fleet stream, and the models
// they feed. Wiring only: the clients work off the GUI thread and deliver
// through queued signals; the models live on the GUI thread.

#include "client/ConnectionProfile.h"
#include "client/FleetWatcher.h"
#include "client/KafkaConsumer.h"
#include "client/NexusClient.h"

#include "SandboxHost.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace nexus::models {
struct ApplyResult;
class ComparisonModel;
class RunListModel;
class RunStore;
class FleetModel;
class FleetFilterProxy;
class MetricSeriesStore;
} // namespace nexus::models

namespace nexus::app {

class ConsoleSession : public QObject
{
    Q_OBJECT
public:
    explicit ConsoleSession(QObject* parent = nullptr);
    ~ConsoleSession() override;

    // Starts the Local sandbox (in-process nexusd) or connects to a remote
    // Nexus; a connection already open is closed first.
    void open(const client::ConnectionProfile& profile);
    // Stops the streams and the sandbox; the models are emptied.
    void close();
    const client::ConnectionProfile& profile() const { return profile_; }
    // How a Local sandbox opened later is started (tests speed the simulator up).
    void setSandboxSettings(const SandboxSettings& settings) { sandboxSettings_ = settings; }

    // The Nexus client of the open connection; null while none is open (and
    // while the Local sandbox starts). Replaced on every open: see
    // nexusClientChanged.
    client::NexusClient* nexus() const { return client_.get(); }
    models::FleetModel* fleet() const { return fleet_; }
    client::KafkaConsumer* kafka() const { return kafka_.get(); } // null without Kafka
    models::FleetFilterProxy* fleetProxy() const { return proxy_; }
    models::MetricSeriesStore* series() const { return series_; }

    // The deployment charts' window; re-fetches the series.
    void setSeriesRange(int seconds);
    int seriesRange() const { return rangeSeconds_; }

    // Instance comparison (2-8 instances, the first is the baseline): its
    // own series store with per-run samples, refreshed while it is shown.
    models::ComparisonModel* comparison() const { return comparison_; }

    // Live runs from the profile's Kafka (the Runs tab): the store, one row
    // per run, and what each batch changed.
    models::RunStore* runStore() const { return runStore_.get(); }
    models::RunListModel* runList() const { return runList_; }
    // Applies records as if they came from Kafka (also used for batches).
    void applyRecords(const nexus::client::RecordBatch& batch);
    void compare(const QStringList& instanceIds);
    void setComparisonRange(int seconds);

    // The tenant every view shows (fleet, traces, knowledge, rollouts); ""
    // = all the token may see (docs/USER_GUIDE.md, "Tenants").
    QString tenant() const { return tenant_; }
    void setTenant(const QString& tenant);
    // The tenants to choose from: the fleet's and the token's own (WhoAmI),
    // sorted; plus the chosen one.
    QStringList tenants() const;

signals:
    // One line for the status bar, and whether it is a problem.
    void nexusStatus(const QString& text, bool problem);
    void fleetStatus(const QString& text, bool problem);
    void kafkaStatus(const QString& text, bool problem);
    // Live DashStream records from the profile's Kafka, in coalesced batches.
    void recordsReceived(std::shared_ptr<const nexus::client::RecordBatch> batch);
    // Something the user should read (errors, reconnects): the notification area.
    void notify(const QString& message);
    void connected(const QString& nexusAddress);
    // A new client (connected), or null (the connection closed): requests
    // made with the previous one will not be answered.
    void nexusClientChanged(nexus::client::NexusClient* client);
    // After every batch applied to the run store and every stale sweep.
    void runsApplied(const nexus::models::ApplyResult& result);
    void tenantChanged(const QString& tenant);
    void tenantsChanged(const QStringList& tenants);

private:
    void connectTo(const client::NexusEndpoint& endpoint);
    void fetchSeries();
    void startKafka();
    void fetchComparison();

    client::ConnectionProfile profile_;
    SandboxHost* sandbox_ = nullptr;
    SandboxSettings sandboxSettings_;
    std::unique_ptr<client::NexusClient> client_;
    std::unique_ptr<client::FleetWatcher> watcher_;
    std::unique_ptr<client::KafkaConsumer> kafka_;
    models::FleetModel* fleet_;
    models::FleetFilterProxy* proxy_;
    models::MetricSeriesStore* series_;
    models::MetricSeriesStore* comparisonSeries_;
    models::ComparisonModel* comparison_;
    std::unique_ptr<models::RunStore> runStore_;
    models::RunListModel* runList_;
    QTimer runExpiry_;
    QTimer seriesRefresh_;
    QTimer comparisonRefresh_;
    quint64 seriesRequest_ = 0;
    quint64 comparisonRequest_ = 0;
    int rangeSeconds_ = 900;
    QString tenant_;
    QStringList tokenTenants_; // WhoAmI's: those a scoped token may see
    QStringList seenTenants_;  // the fleet's, since the connection opened
    bool switchingTenant_ = false;
};

} // namespace nexus::app
