#pragma once
// Everything nexusd can be told, from the command line or a JSON config file
// (same names, without the dashes; the command line wins).

#include "protocol/Expected.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nexus::server {

struct ServerOptions
{
    std::string listen = "127.0.0.1:7420"; // port 0 = any free port
    std::string dataDir;                   // "" = ./nexus-data (sandbox: a new temp dir)
    // The store (server/store/OpenStore.h): "" = SQLite in dataDir/nexus.db,
    // "sqlite:PATH" or a path = SQLite there, "postgres://..." = PostgreSQL.
    std::string store;
    std::string kafka; // bootstrap servers to ingest from
    std::vector<std::string> topics{"dashstream-events"};
    std::string groupId = "nexusd";
    // librdkafka properties for every Kafka client of nexusd (security.protocol,
    // sasl.*, ssl.*, ...), from --kafka-property KEY=VALUE.
    std::map<std::string, std::string> kafkaProperties;
    // librdkafka properties for the ingest consumer only (session.timeout.ms, ...),
    // from --consumer-property KEY=VALUE.
    std::map<std::string, std::string> consumerProperties;
    // Replicas (a PostgreSQL store): this process's name for the rollout-driver
    // lease ("" = HOST:PID) and how long the lease lasts without a renewal.
    std::string replicaName;
    double leaseTtlSeconds = 10;
    bool embeddedKafka = false;
    int simulate = 0;         // simulated instances (0 = none)
    double simRate = 0.5;     // runs per second per simulated instance
    double simDrift = 0.02;   // quality lost per minute by the drifting simulated instance
    bool simRealTime = false; // publish each simulated message when its timestamp comes due
    std::string resources;    // sample graphs for the simulator ("" = found automatically)
    std::string tokensFile;
    std::string tlsCert, tlsKey;
    std::string tlsClientCa; // PEM: require client certificates signed by it (mutual TLS)
    // Prometheus /metrics (docs/metrics.md): HOST:PORT, port 0 = a free port;
    // "" or "off" = off. nexusd --sandbox (the program, not the console's
    // in-process sandbox) makes "" mean 127.0.0.1:0: applySandboxMetricsDefault.
    std::string metricsListen;
    bool sandbox = false;
    int retentionDays = 7;
    std::int64_t seed = 0; // simulator seed (0 = random)
};

struct OptionsError
{
    std::string message;
};

// Parses nexusd's arguments (after argv[0]). `help`/`version` are set when
// asked for; a --config file is read and merged under the command line.
struct ParsedOptions
{
    ServerOptions options;
    bool help = false;
    bool version = false;
};
protocol::Expected<ParsedOptions, OptionsError>
parseServerOptions(const std::vector<std::string>& args);

// Applies --sandbox's meaning and fills defaults; checks what cannot work
// together (e.g. --simulate without any Kafka).
protocol::Expected<ServerOptions, OptionsError> resolveServerOptions(ServerOptions options);

// nexusd --sandbox serves /metrics on a free loopback port unless told
// otherwise (--metrics-listen, "off" included).
void applySandboxMetricsDefault(ServerOptions& options);

const char* serverOptionsHelp();

} // namespace nexus::server
