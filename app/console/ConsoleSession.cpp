#include "ConsoleSession.h"

#include "models/FleetFilterProxy.h"
#include "models/FleetModel.h"
#include "models/MetricSeriesStore.h"

#include "SandboxHost.h"

#include <QDateTime>

namespace nexus::app {

namespace pb = ::nexus::v1;

ConsoleSession::ConsoleSession(QObject* parent)
    : QObject(parent), fleet_(new models::FleetModel(this)),
      proxy_(new models::FleetFilterProxy(this)), series_(new models::MetricSeriesStore(this))
{
    client::NexusClient::registerMetaTypes();
    proxy_->setSourceModel(fleet_);
    seriesRefresh_.setInterval(15'000);
    connect(&seriesRefresh_, &QTimer::timeout, this, &ConsoleSession::fetchSeries);
    connect(fleet_, &models::FleetModel::deploymentsChanged, this,
            [this](const QStringList&) { fetchSeries(); });
}

ConsoleSession::~ConsoleSession()
{
    watcher_.reset(); // stop the stream before the sandbox it reads from
    client_.reset();
}

void ConsoleSession::open(const client::ConnectionProfile& profile)
{
    profile_ = profile;
    if (profile.kind == client::ConnectionProfile::Kind::LocalSandbox) {
        emit nexusStatus(tr("Starting the Local sandbox\u2026"), false);
        sandbox_ = new SandboxHost(this);
        connect(
            sandbox_, &SandboxHost::started, this,
            [this](const QString& nexus, const QString& kafka) {
                profile_.nexusEndpoint = nexus;
                profile_.kafkaBootstrapServers = kafka;
                emit notify(tr("Local sandbox running: Nexus %1, Kafka %2").arg(nexus, kafka));
                connectTo(client::NexusEndpoint{nexus, {}, {}, std::chrono::milliseconds(10'000)});
            });
        connect(sandbox_, &SandboxHost::failed, this, [this](const QString& message) {
            emit nexusStatus(tr("Sandbox failed"), true);
            emit notify(tr("The Local sandbox could not start: %1").arg(message));
        });
        sandbox_->start();
        return;
    }
    client::NexusEndpoint endpoint{
        profile.nexusEndpoint, profile.tlsCaPath, {}, std::chrono::milliseconds(10'000)};
    auto token = client::resolveSecret(profile.token);
    if (!token) {
        emit notify(
            tr("Cannot read the token for %1: %2").arg(profile.name, token.error().message));
        emit nexusStatus(tr("No token"), true);
        return;
    }
    endpoint.token = *token;
    connectTo(endpoint);
}

void ConsoleSession::connectTo(const client::NexusEndpoint& endpoint)
{
    client_ = std::make_unique<client::NexusClient>(endpoint);
    connect(client_.get(), &client::NexusClient::connectionStateChanged, this,
            [this](client::NexusClient::State state, const QString& detail) {
                using S = client::NexusClient::State;
                const bool problem = state == S::Unavailable || state == S::Unauthorized ||
                                     state == S::PermissionDenied;
                const QString where = client_ ? client_->endpoint().address : QString();
                QString text;
                switch (state) {
                case S::Idle:
                case S::Connecting:
                    text = tr("Nexus %1: connecting").arg(where);
                    break;
                case S::Ready:
                    text = tr("Nexus %1: connected").arg(where);
                    break;
                case S::Unavailable:
                    text = tr("Nexus %1: disconnected").arg(where);
                    break;
                case S::Unauthorized:
                    text = tr("Nexus %1: not signed in").arg(where);
                    break;
                case S::PermissionDenied:
                    text = tr("Nexus %1: permission denied").arg(where);
                    break;
                }
                emit nexusStatus(text, problem);
                if (problem && !detail.isEmpty())
                    emit notify(detail);
            });
    connect(client_.get(), &client::NexusClient::metricSeriesReceived, this,
            [this](quint64 id, const pb::GetMetricSeriesResponse& response) {
                if (id == seriesRequest_) // a stale answer (older range) is dropped
                    series_->setResponse(response);
            });
    connect(client_.get(), &client::NexusClient::callFailed, this,
            [this](quint64, const client::CallError& error) { emit notify(error.text); });
    client_->connectToNexus();

    watcher_ = std::make_unique<client::FleetWatcher>(client_->channel(), endpoint);
    connect(watcher_.get(), &client::FleetWatcher::fleetUpdated, fleet_,
            &models::FleetModel::applyUpdate);
    connect(watcher_.get(), &client::FleetWatcher::stateChanged, this,
            [this](client::FleetWatcher::State state, int attempt, int retryInMs,
                   const QString& detail) {
                using S = client::FleetWatcher::State;
                switch (state) {
                case S::Live:
                    emit fleetStatus(tr("Fleet: live"), false);
                    break;
                case S::Connecting:
                    emit fleetStatus(tr("Fleet: subscribing"), false);
                    break;
                case S::Reconnecting:
                    emit fleetStatus(
                        tr("Fleet: disconnected, retry %1 in %2 s (showing the last data)")
                            .arg(attempt)
                            .arg(retryInMs / 1000.0, 0, 'f', 1),
                        true);
                    break;
                case S::Stopped:
                    emit fleetStatus(tr("Fleet: stopped"), !detail.isEmpty());
                    if (!detail.isEmpty())
                        emit notify(detail);
                    break;
                }
            });
    watcher_->start(1000);
    seriesRefresh_.start();
    emit connected(endpoint.address);
}

void ConsoleSession::setSeriesRange(int seconds)
{
    rangeSeconds_ = seconds;
    fetchSeries();
}

void ConsoleSession::fetchSeries()
{
    if (!client_)
        return;
    const QStringList deployments = fleet_->deployments();
    if (deployments.isEmpty())
        return;
    pb::GetMetricSeriesRequest request;
    for (const QString& d : deployments)
        request.add_deployments(d.toStdString());
    for (auto m : {pb::METRIC_THROUGHPUT, pb::METRIC_ERROR_RATE, pb::METRIC_LATENCY_P95,
                   pb::METRIC_QUALITY, pb::METRIC_COST})
        request.add_metrics(m);
    const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    request.set_start_us(nowUs - qint64(rangeSeconds_) * 1'000'000);
    request.set_end_us(nowUs);
    request.set_step_seconds(std::max(10, rangeSeconds_ / 120));
    seriesRequest_ = client_->getMetricSeries(request);
}

} // namespace nexus::app
