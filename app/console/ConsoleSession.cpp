#include "ConsoleSession.h"

#include "models/ComparisonModel.h"
#include "models/FleetFilterProxy.h"
#include "models/FleetModel.h"
#include "models/MetricSeriesStore.h"
#include "models/RunListModel.h"
#include "models/RunStore.h"

#include "SandboxHost.h"

#include <QDateTime>

namespace nexus::app {

namespace pb = ::nexus::v1;

ConsoleSession::ConsoleSession(QObject* parent)
    : QObject(parent), fleet_(new models::FleetModel(this)),
      proxy_(new models::FleetFilterProxy(this)), series_(new models::MetricSeriesStore(this)),
      comparisonSeries_(new models::MetricSeriesStore(this)),
      comparison_(new models::ComparisonModel(this)),
      runStore_(std::make_unique<models::RunStore>()),
      runList_(new models::RunListModel(runStore_.get(), this))
{
    // Runs that stop talking go stale (a failed node and no GRAPH_END):
    // swept once a second.
    runExpiry_.setInterval(1000);
    connect(&runExpiry_, &QTimer::timeout, this, [this] {
        const models::ApplyResult result =
            runStore_->expire(QDateTime::currentMSecsSinceEpoch() * 1000);
        if (result.added.empty() && result.updated.empty() && result.removed.empty())
            return;
        runList_->applied(result);
        emit runsApplied(result);
    });
    comparison_->setFleet(fleet_);
    comparison_->setSeries(comparisonSeries_);
    comparison_->setRangeSeconds(900); // like the deployment charts: the last 15 minutes
    client::NexusClient::registerMetaTypes();
    proxy_->setSourceModel(fleet_);
    seriesRefresh_.setInterval(15'000);
    connect(&seriesRefresh_, &QTimer::timeout, this, &ConsoleSession::fetchSeries);
    // A comparison is a handful of instances: refreshed more often, so that
    // the runs it tests arrive while the user looks at it.
    comparisonRefresh_.setInterval(5'000);
    connect(&comparisonRefresh_, &QTimer::timeout, this, &ConsoleSession::fetchComparison);
    connect(fleet_, &models::FleetModel::deploymentsChanged, this,
            [this](const QStringList&) { fetchSeries(); });
    connect(fleet_, &models::FleetModel::tenantsChanged, this, [this](const QStringList& seen) {
        // Kept while one tenant is watched: the others stay to choose from.
        const QStringList before = tenants();
        seenTenants_ += seen;
        seenTenants_.removeDuplicates();
        if (tenants() != before)
            emit tenantsChanged(tenants());
    });
}

void ConsoleSession::setTenant(const QString& tenant)
{
    if (tenant == tenant_)
        return;
    tenant_ = tenant;
    proxy_->setTenantFilter(tenant); // at once, before the tenant's own snapshot comes
    if (watcher_) {
        switchingTenant_ = true;     // the old stream's stop is not news
        watcher_->setTenant(tenant); // the tiles' totals: the tenant's, from Nexus
        switchingTenant_ = false;
    }
    fetchSeries(); // the deployment charts: the tenant's runs
    emit tenantChanged(tenant_);
}

QStringList ConsoleSession::tenants() const
{
    QStringList all = seenTenants_ + tokenTenants_;
    if (!tenant_.isEmpty())
        all << tenant_;
    all.removeDuplicates();
    all.sort();
    return all;
}

ConsoleSession::~ConsoleSession()
{
    kafka_.reset();
    watcher_.reset(); // stop the stream before the sandbox it reads from
    client_.reset();
}

void ConsoleSession::close()
{
    seriesRefresh_.stop();
    comparisonRefresh_.stop();
    runExpiry_.stop();
    kafka_.reset();
    watcher_.reset(); // stop the stream before the sandbox it reads from
    if (client_) {
        client_.reset();
        emit nexusClientChanged(nullptr);
    }
    tokenTenants_.clear(); // another connection, another token
    seenTenants_.clear();
    setTenant(QString());
    if (sandbox_) {
        sandbox_->disconnect(this);
        sandbox_->stop();
        sandbox_->deleteLater();
        sandbox_ = nullptr;
    }
    pb::FleetUpdate empty;
    empty.set_full(true);
    fleet_->applyUpdate(empty);
    series_->clear();
    seriesRequest_ = 0;
    comparisonSeries_->clear();
    comparisonRequest_ = 0;
    runList_->clear(); // empties the store with the model (begin/endResetModel)
    emit runsApplied(models::ApplyResult{});
}

void ConsoleSession::applyRecords(const client::RecordBatch& batch)
{
    if (batch.droppedBefore > 0)
        emit notify(tr("%n live record(s) were dropped before this batch because the console "
                       "fell behind; runs may show gaps.",
                       nullptr, int(std::min<std::uint64_t>(batch.droppedBefore, INT32_MAX))));
    std::vector<const protocol::ds::DashStreamMessage*> messages;
    messages.reserve(batch.records.size());
    for (const client::ConsumedRecord& record : batch.records)
        messages.push_back(&record.message);
    const models::ApplyResult result =
        runStore_->apply(messages, QDateTime::currentMSecsSinceEpoch() * 1000);
    runList_->applied(result);
    emit runsApplied(result);
}

void ConsoleSession::open(const client::ConnectionProfile& profile)
{
    close();
    profile_ = profile;
    if (profile.kind == client::ConnectionProfile::Kind::LocalSandbox) {
        emit nexusStatus(tr("Starting the Local sandbox\u2026"), false);
        sandbox_ = new SandboxHost(this);
        connect(sandbox_, &SandboxHost::started, this,
                [this](const QString& nexus, const QString& kafka) {
                    profile_.nexusEndpoint = nexus;
                    profile_.kafkaBootstrapServers = kafka;
                    emit notify(tr("Local sandbox running: Nexus %1, Kafka %2").arg(nexus, kafka));
                    connectTo(client::NexusEndpoint{
                        nexus, {}, {}, std::chrono::milliseconds(10'000), {}, {}});
                });
        connect(sandbox_, &SandboxHost::failed, this, [this](const QString& message) {
            emit nexusStatus(tr("Sandbox failed"), true);
            emit notify(tr("The Local sandbox could not start: %1").arg(message));
        });
        sandbox_->start(sandboxSettings_);
        return;
    }
    client::NexusEndpoint endpoint{
        profile.nexusEndpoint, profile.tlsCaPath, {}, std::chrono::milliseconds(10'000),
        profile.tlsCertPath,   profile.tlsKeyPath};
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
                else if (id == comparisonRequest_)
                    comparisonSeries_->setResponse(response);
            });
    connect(client_.get(), &client::NexusClient::callFailed, this,
            [this](quint64, const client::CallError& error) { emit notify(error.text); });
    connect(client_.get(), &client::NexusClient::whoAmIReceived, this,
            [this](quint64, const pb::WhoAmIResponse& who) {
                QStringList mine;
                for (const std::string& t : who.tenants())
                    mine << QString::fromStdString(t);
                if (mine == tokenTenants_)
                    return;
                tokenTenants_ = mine;
                emit tenantsChanged(tenants());
            });
    client_->connectToNexus();
    client_->whoAmI();
    emit nexusClientChanged(client_.get());

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
                    if (switchingTenant_)
                        break;
                    emit fleetStatus(tr("Fleet: stopped"), !detail.isEmpty());
                    if (!detail.isEmpty())
                        emit notify(detail);
                    break;
                }
            });
    watcher_->setTenant(tenant_);
    watcher_->start(1000);
    seriesRefresh_.start();
    comparisonRefresh_.start();
    fetchComparison();
    startKafka();
    emit connected(endpoint.address);
}

void ConsoleSession::startKafka()
{
    if (profile_.kafkaBootstrapServers.isEmpty()) {
        emit kafkaStatus(tr("Kafka: not configured"), false);
        return;
    }
    client::KafkaConsumerConfig config;
    config.bootstrapServers = profile_.kafkaBootstrapServers;
    if (!profile_.topics.isEmpty())
        config.topics = profile_.topics;
    config.properties = profile_.kafkaProperties;
    for (auto it = profile_.kafkaSecrets.cbegin(); it != profile_.kafkaSecrets.cend(); ++it) {
        auto secret = client::resolveSecret(it.value());
        if (!secret) {
            emit kafkaStatus(tr("Kafka: no %1").arg(it.key()), true);
            emit notify(tr("Cannot read %1 for Kafka: %2").arg(it.key(), secret.error().message));
            return;
        }
        config.properties.insert(it.key(), *secret);
    }
    // The Local sandbox's broker holds only this session's runs: read them
    // all. A real cluster is read from now on (history comes from Nexus).
    config.fromBeginning = profile_.kind == client::ConnectionProfile::Kind::LocalSandbox;
    kafka_ = std::make_unique<client::KafkaConsumer>(config);
    connect(kafka_.get(), &client::KafkaConsumer::recordsReceived, this,
            [this](const std::shared_ptr<const client::RecordBatch>& batch) {
                applyRecords(*batch);
                emit recordsReceived(batch);
            });
    runExpiry_.start();
    connect(kafka_.get(), &client::KafkaConsumer::problem, this, &ConsoleSession::notify);
    const QString where = config.bootstrapServers;
    connect(kafka_.get(), &client::KafkaConsumer::statsChanged, this,
            [this, where](const client::KafkaStats& stats) {
                using S = client::KafkaState;
                QString text = tr("Kafka %1: %2").arg(where, client::kafkaStateName(stats.state));
                if (stats.state == S::Connected || stats.state == S::Disconnected) {
                    text += tr(", lag %1")
                                .arg(stats.lag < 0 ? QStringLiteral("\u2013")
                                                   : QString::number(stats.lag));
                    text += tr(", %1 records/s").arg(stats.recordsPerSecond, 0, 'f', 1);
                    // The view is behind the consumer (a slow or blocked GUI):
                    // say how far, before the overflow drops anything.
                    if (stats.waiting > 0)
                        text += tr(", %1 waiting for the view").arg(stats.waiting);
                }
                const bool problem = stats.state == S::Disconnected || stats.state == S::Failed;
                emit kafkaStatus(text, problem);
            });
    if (!kafka_->start()) {
        const QString detail = kafka_->stats().stateDetail;
        emit kafkaStatus(tr("Kafka %1: failed").arg(where), true);
        emit notify(tr("Kafka consumer refused its configuration: %1").arg(detail));
    }
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
    request.set_tenant_id(tenant_.toStdString()); // the menu bar's tenant
    seriesRequest_ = client_->getMetricSeries(request);
}

void ConsoleSession::compare(const QStringList& instanceIds)
{
    comparison_->setInstances(instanceIds);
    comparisonSeries_->clear();
    fetchComparison();
}

void ConsoleSession::setComparisonRange(int seconds)
{
    comparison_->setRangeSeconds(seconds);
    fetchComparison();
}

void ConsoleSession::fetchComparison()
{
    if (!client_ || !comparison_->isComparable())
        return;
    comparisonRequest_ = client_->getMetricSeries(comparison_->request());
}

} // namespace nexus::app
