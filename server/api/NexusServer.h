#pragma once
// A whole Nexus in one object: store, event hub, embedded broker, ingestion,
// rollout controller, simulated fleet and the gRPC server. nexusd runs one;
// the console's Local sandbox hosts one in-process and talks to it over
// loopback sockets like any remote.

#include "server/api/ServerOptions.h"

#include <memory>
#include <string>

namespace nexus::server {

class Store;
struct EventHub;
class FleetSimulator;

// The sample graph files: `given`, else $NEXUS_RESOURCES/graphs, else next
// to an installed binary (<prefix>/share/nexus-console/resources/graphs),
// else the source tree of a development build.
std::string graphsDirectory(const std::string& given = {});

struct StartError
{
    std::string message;
};

class NexusServer
{
public:
    static protocol::Expected<std::unique_ptr<NexusServer>, StartError>
    start(const ServerOptions& options);
    ~NexusServer(); // stop()
    NexusServer(const NexusServer&) = delete;
    NexusServer& operator=(const NexusServer&) = delete;

    // "127.0.0.1:port" of the gRPC server.
    const std::string& nexusAddress() const;
    // Kafka bootstrap servers in use ("" without Kafka).
    const std::string& kafkaAddress() const;
    // "HOST:PORT" of the Prometheus /metrics endpoint ("" when not served).
    const std::string& metricsAddress() const;
    const ServerOptions& options() const;

    Store& store();
    EventHub& events();
    // The simulated fleet (null without --simulate): the sandbox's truth,
    // e.g. the true effect of an optimization version.
    FleetSimulator* simulator();

    // Stops streams, the simulator, ingestion and the broker, in that order.
    void stop();

    struct Parts;

private:
    NexusServer();
    std::unique_ptr<Parts> parts_;
};

} // namespace nexus::server
