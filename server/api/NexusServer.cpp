#include "server/api/NexusServer.h"

#include "server/api/ChangeFeed.h"
#include "server/api/Services.h"
#include "server/api/TextFile.h"
#include "server/ingest/FleetAggregator.h"
#include "server/ingest/Ingestor.h"
#include "server/kafka/EmbeddedBroker.h"
#include "server/metrics/FleetMetrics.h"
#include "server/rollout/RolloutController.h"
#include "server/sim/FleetSimulator.h"
#include "server/store/OpenStore.h"

#include "NexusVersion.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <grpcpp/health_check_service_interface.h>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace nexus::server {

namespace fs = std::filesystem;

struct NexusServer::Parts
{
    ServerOptions options;
    std::string nexusAddress;
    std::string kafkaAddress;
    std::unique_ptr<Store> store;
    EventHub events;
    std::unique_ptr<Authorizer> auth;
    std::unique_ptr<EmbeddedBroker> broker;
    std::unique_ptr<FleetAggregator> fleet;
    std::unique_ptr<FleetMetrics> metrics; // Prometheus /metrics (null when off)
    std::unique_ptr<Ingestor> ingestor;
    std::unique_ptr<RolloutController> controller;
    std::unique_ptr<FleetSimulator> simulator;
    // Replicas (a PostgreSQL store): other replicas' changes reach the streams.
    std::unique_ptr<ChangeFeed> feed;
    std::atomic<bool> stopping{false};
    std::unique_ptr<ServiceContext> context;
    std::vector<std::unique_ptr<grpc::Service>> services;
    std::unique_ptr<grpc::Server> grpc;
    // Ingestion's Kafka status, for the health service's "nexus.ingest":
    // NOT_SERVING while Kafka is unreachable (the Ingestor says when).
    std::mutex healthMutex;
    grpc::HealthCheckServiceInterface* health = nullptr;
    bool ingestServing = true;

    // The housekeeping thread: rollout ticks and retention.
    std::thread ticker;
    std::mutex tickMutex;
    std::condition_variable tickWake;
};

namespace {

constexpr int kEmbeddedPartitions = 4; // per topic on the embedded broker
constexpr const char* kIngestHealthService = "nexus.ingest";

std::int64_t systemNowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

NexusServer::NexusServer() : parts_(std::make_unique<Parts>()) {}

NexusServer::~NexusServer()
{
    stop();
}

const std::string& NexusServer::nexusAddress() const
{
    return parts_->nexusAddress;
}
const std::string& NexusServer::kafkaAddress() const
{
    return parts_->kafkaAddress;
}
const std::string& NexusServer::metricsAddress() const
{
    static const std::string none;
    return parts_->metrics ? parts_->metrics->address() : none;
}
const ServerOptions& NexusServer::options() const
{
    return parts_->options;
}
Store& NexusServer::store()
{
    return *parts_->store;
}
EventHub& NexusServer::events()
{
    return parts_->events;
}
FleetSimulator* NexusServer::simulator()
{
    return parts_->simulator.get();
}

protocol::Expected<std::unique_ptr<NexusServer>, StartError>
NexusServer::start(const ServerOptions& requested)
{
    auto resolved = resolveServerOptions(requested);
    if (!resolved)
        return StartError{resolved.error().message};
    std::unique_ptr<NexusServer> server(new NexusServer());
    Parts& p = *server->parts_;
    p.options = *resolved;

    // Access (first: a bad token file is refused before the store is touched).
    TokenRegistry tokens;
    if (!p.options.tokensFile.empty()) {
        auto loaded = TokenRegistry::fromFile(p.options.tokensFile);
        if (!loaded)
            return StartError{loaded.error().message};
        tokens = std::move(*loaded);
        // Unscoped non-admin tokens still see every tenant (compatibility): say so once.
        if (const auto unscoped = tokens.unscopedNonAdmin(); !unscoped.empty()) {
            std::string names;
            for (const auto& n : unscoped)
                names += (names.empty() ? "" : ", ") + n;
            std::fprintf(stderr,
                         "nexusd: warning: tokens without \"tenants\" see every tenant: %s\n",
                         names.c_str());
        }
    }
    p.auth = std::make_unique<Authorizer>(std::move(tokens), p.options.sandbox);

    // Store.
    std::error_code ec;
    fs::create_directories(p.options.dataDir, ec);
    if (ec)
        return StartError{"cannot create the data directory " + p.options.dataDir + ": " +
                          ec.message()};
    auto store = openStore(p.options.store, (fs::path(p.options.dataDir) / "nexus.db").string());
    if (!store)
        return StartError{"cannot open the store: " + store.error().message};
    p.store = std::move(*store);

    // Kafka.
    if (p.options.embeddedKafka) {
        EmbeddedBrokerOptions brokerOptions;
        brokerOptions.topics.clear();
        for (const auto& topic : p.options.topics) {
            brokerOptions.topics.push_back({topic, kEmbeddedPartitions});
            brokerOptions.topics.push_back({topic + "-dlq", 1});
        }
        auto broker = EmbeddedBroker::start(brokerOptions);
        if (!broker)
            return StartError{"cannot start the embedded Kafka broker: " + broker.error().message};
        p.broker = std::move(*broker);
        p.kafkaAddress = p.broker->bootstrapServers();
    } else {
        p.kafkaAddress = p.options.kafka;
    }

    // Rollouts: the controller keeps its routes; the ticker below drives it.
    // On PostgreSQL several replicas may share the store: the one holding
    // the lease drives rollouts, and the change feed brings the others' changes.
    const bool replicas = storeKindOf(p.options.store) == StoreKind::Postgres;
    RolloutControllerOptions rollouts;
    if (replicas) {
        std::string name = p.options.replicaName;
        if (name.empty()) {
            char host[256] = {};
            gethostname(host, sizeof host - 1);
            name = std::string(host) + ":" + std::to_string(getpid());
        }
        rollouts.leaseHolder = name;
        rollouts.leaseTtlUs = static_cast<std::int64_t>(p.options.leaseTtlSeconds * 1e6);
        rollouts.onDriverChange = [name](bool driving) {
            std::fprintf(stderr, "nexusd: rollouts: %s %s\n", name.c_str(),
                         driving ? "drives rollouts now (holds the rollout-driver lease)"
                                 : "no longer drives rollouts (gave up or lost the lease)");
            std::fflush(stderr);
        };
    }
    p.controller = std::make_unique<RolloutController>(*p.store, p.events, rollouts);

    // Prometheus exposition, fed by ingestion.
    if (!p.options.metricsListen.empty()) {
        p.metrics = std::make_unique<FleetMetrics>();
        if (auto listening = p.metrics->listen(p.options.metricsListen); !listening)
            return StartError{listening.error().message};
    }

    // Ingestion (when there is a Kafka to read).
    p.fleet = std::make_unique<FleetAggregator>();
    if (!p.kafkaAddress.empty()) {
        IngestorOptions ingest;
        ingest.bootstrapServers = p.kafkaAddress;
        ingest.topics = p.options.topics;
        ingest.groupId = p.options.groupId;
        ingest.kafkaConfig = p.options.kafkaProperties;
        ingest.consumerConfig = p.options.consumerProperties;
        if (replicas) {
            // Every replica's fleet view comes from the shared store.
            ingest.fleetFromStore = true;
            ingest.persistIntervalMs = 1000;
        }
        if (p.options.embeddedKafka) {
            // One nexusd reads every partition: no group join, which the
            // mock broker holds for 3 s (and a rejoin until the old member's
            // session expired).
            ingest.assignPartitions = kEmbeddedPartitions;
        }
        ingest.onStatus = [&p](const std::string& sentence, bool problem) {
            std::fprintf(stderr, "nexusd: ingest: %s\n", sentence.c_str());
            std::fflush(stderr);
            std::lock_guard lock(p.healthMutex);
            p.ingestServing = !problem;
            if (p.health)
                p.health->SetServingStatus(kIngestHealthService, !problem);
        };
        if (p.metrics)
            ingest.onRunsFinished = [metrics = p.metrics.get()](const auto& samples,
                                                                const auto& labels) {
                metrics->addRuns(samples, labels);
            };
        p.ingestor = std::make_unique<Ingestor>(ingest, *p.store, *p.fleet);
        if (p.metrics)
            p.metrics->setIngestStats([ingestor = p.ingestor.get()] { return ingestor->stats(); });
        if (auto started = p.ingestor->start(); !started)
            return StartError{"cannot start Kafka ingestion: " + started.error().message};
    }

    if (replicas) {
        p.feed = std::make_unique<ChangeFeed>(
            *p.store, p.events, p.ingestor ? p.fleet.get() : nullptr, p.controller.get());
        if (auto started = p.feed->start(); !started)
            return StartError{"cannot read the store's change feed: " + started.error().message};
    }
    // The simulated fleet publishes to the first topic, like DashFlow's producers.
    if (p.options.simulate > 0) {
        FleetSimulatorOptions sim;
        sim.bootstrapServers = p.kafkaAddress;
        sim.topic = p.options.topics.front();
        sim.kafkaConfig = p.options.kafkaProperties;
        sim.graphsDir = graphsDirectory(p.options.resources);
        sim.instances = p.options.simulate;
        sim.runsPerSecondPerInstance = p.options.simRate;
        sim.faults.driftPerMinute = p.options.simDrift;
        sim.realTime = p.options.simRealTime;
        if (p.options.seed != 0)
            sim.seed = static_cast<std::uint64_t>(p.options.seed);
        p.simulator =
            std::make_unique<FleetSimulator>(sim, p.store.get(), &p.events, p.controller.get());
        if (auto started = p.simulator->start(); !started)
            return StartError{"cannot start the simulated fleet: " + started.error().message};
    }

    // gRPC.
    p.context = std::make_unique<ServiceContext>(
        ServiceContext{*p.store, p.events, *p.auth, systemNowUs, NEXUS_VERSION, p.controller.get(),
                       p.ingestor ? p.fleet.get() : nullptr, &p.stopping});
    p.services.push_back(std::make_unique<SessionService>(*p.context));
    p.services.push_back(std::make_unique<TracesService>(*p.context));
    p.services.push_back(std::make_unique<KnowledgeService>(*p.context));
    p.services.push_back(std::make_unique<AuditService>(*p.context));
    p.services.push_back(std::make_unique<EvalsService>(*p.context));
    p.services.push_back(std::make_unique<RolloutsService>(*p.context));
    p.services.push_back(std::make_unique<FleetService>(*p.context));

    std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
    if (!p.options.tlsCert.empty()) {
        auto cert = readTextFile(p.options.tlsCert);
        auto key = readTextFile(p.options.tlsKey);
        if (!cert || !key)
            return StartError{"cannot read the TLS certificate or key"};
        grpc::SslServerCredentialsOptions ssl;
        ssl.pem_key_cert_pairs.push_back({*key, *cert});
        if (!p.options.tlsClientCa.empty()) {
            // Mutual TLS: a client without a certificate signed by this CA
            // fails the handshake; its token is checked on top.
            auto clientCa = readTextFile(p.options.tlsClientCa);
            if (!clientCa || clientCa->find("-----BEGIN CERTIFICATE-----") == std::string::npos)
                return StartError{"cannot read the client CA certificate " + p.options.tlsClientCa +
                                  " (a PEM file is needed)"};
            ssl.pem_root_certs = *clientCa;
            ssl.client_certificate_request =
                GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
        }
        creds = grpc::SslServerCredentials(ssl);
    }
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(p.options.listen, creds, &port);
    builder.SetMaxReceiveMessageSize(16 * 1024 * 1024);
    for (auto& service : p.services)
        builder.RegisterService(service.get());
    p.grpc = builder.BuildAndStart();
    if (!p.grpc || port == 0)
        return StartError{"cannot listen on " + p.options.listen +
                          " (address in use or not local?)"};
    p.nexusAddress =
        p.options.listen.substr(0, p.options.listen.rfind(':')) + ":" + std::to_string(port);
    if (p.ingestor) {
        std::lock_guard lock(p.healthMutex);
        p.health = p.grpc->GetHealthCheckService();
        if (p.health)
            p.health->SetServingStatus(kIngestHealthService, p.ingestServing);
    }

    // Housekeeping: rollout ticks every half second, retention every hour.
    p.ticker = std::thread([&p] {
        RetentionPolicy retention;
        retention.traceMaxAgeUs =
            static_cast<std::int64_t>(p.options.retentionDays) * 24 * 3600 * 1'000'000;
        retention.sampleMaxAgeUs = retention.traceMaxAgeUs;
        auto nextPrune = std::chrono::steady_clock::now();
        std::unique_lock lock(p.tickMutex);
        while (!p.stopping) {
            lock.unlock();
            (void)p.controller->tick(systemNowUs());
            lock.lock();
            if (std::chrono::steady_clock::now() >= nextPrune) {
                (void)p.store->prune(retention, systemNowUs());
                nextPrune = std::chrono::steady_clock::now() + std::chrono::hours(1);
            }
            p.tickWake.wait_for(lock, std::chrono::milliseconds(500),
                                [&p] { return p.stopping.load(); });
        }
    });
    return server;
}

void NexusServer::stop()
{
    Parts& p = *parts_;
    if (p.stopping.exchange(true))
        return;
    p.tickWake.notify_all();
    if (p.ticker.joinable())
        p.ticker.join();
    if (p.metrics)
        p.metrics->stopListening(); // no scrape reads the ingestor while it stops
    if (p.controller)
        p.controller->releaseLease(); // another replica takes over at once
    if (p.feed)
        p.feed->stop();
    p.events.closeAll();
    {
        std::lock_guard lock(p.healthMutex);
        p.health = nullptr; // ingestion stops after the server
    }
    if (p.grpc)
        p.grpc->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    if (p.simulator)
        p.simulator->stop();
    if (p.ingestor)
        p.ingestor->stop();
    if (p.broker)
        p.broker->stop();
}

// The sample graphs: given, or next to an installed nexusd
// (<prefix>/share/nexus-console/resources/graphs), or in the source tree of
// a development build.
std::string graphsDirectory(const std::string& given)
{
    if (!given.empty())
        return given;
    if (const char* env = std::getenv("NEXUS_RESOURCES"))
        return (fs::path(env) / "graphs").string();
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed =
            exe.parent_path().parent_path() / "share" / "nexus-console" / "resources" / "graphs";
        if (fs::is_directory(installed, ec))
            return installed.string();
    }
    return (fs::path(NEXUS_SOURCE_RESOURCES) / "graphs").string();
}

} // namespace nexus::server
