#include "server/api/ServerOptions.h"

#include "server/api/TextFile.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nexus::server {

namespace fs = std::filesystem;

const char* serverOptionsHelp()
{
    return R"(Usage: nexusd [OPTIONS]

The reference Nexus service for DashFlow fleets: ingests DashStream telemetry
from Kafka, keeps every run's record log in SQLite or PostgreSQL, aggregates the fleet,
holds the knowledge base and optimization versions, drives canary rollouts,
and serves it all over gRPC (nexus.v1, see docs/nexus-api.md).

Quick start:
  nexusd --sandbox                   embedded broker + simulated fleet + temp store, loopback only
  nexusd --kafka broker:9092 --tokens tokens.json --data-dir /var/lib/nexus
                                     ingest a real fleet's topic

Options:
  --listen HOST:PORT     gRPC address (default 127.0.0.1:7420; port 0 picks a free one)
  --data-dir DIR         where the SQLite store lives (default ./nexus-data)
  --store SPEC           the store: postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...]
                         (PostgreSQL, a libpq URI; put a password in a --config file or
                         ~/.pgpass, not on the command line), sqlite:PATH or a PATH
                         (SQLite); default: SQLite in --data-dir (nexus.db)
  --kafka SERVERS        Kafka bootstrap servers to ingest from (comma separated)
  --topic NAME           topic to ingest; repeat for several (default dashstream-events)
  --group-id ID          Kafka consumer group (default nexusd)
  --kafka-property K=V   a librdkafka property for nexusd's Kafka clients, e.g.
                         security.protocol=SASL_SSL; repeat for several. Put secrets
                         (sasl.password, ssl.key.password) in a --config file that only
                         nexusd's user can read, not on the command line
  --consumer-property K=V  a librdkafka property for the ingest consumer only, e.g.
                         session.timeout.ms=6000 (how fast a dead replica's partitions move)
  --replica-name NAME    this replica's name in the rollout-driver lease and the audit
                         log (default HOST:PID); replicas are nexusd processes sharing a
                         postgres:// --store and a --group-id (docs/DEPLOYMENT.md)
  --lease-ttl SECONDS    how long the rollout-driver lease outlives its holder (default 10)
  --embedded-kafka       start an in-process Kafka-protocol broker (librdkafka's mock
                         cluster) on loopback and ingest from it; its address is printed
  --simulate N           run a simulated fleet of N instances publishing to the topic
  --sim-rate R           runs per second per simulated instance (default 0.5)
  --sim-drift Q          quality points per minute the drifting instance loses (default 0.02)
  --sim-realtime         publish each simulated message when its timestamp comes due, so
                         runs are seen running (default: a run's messages go out at once,
                         stamped ahead along its simulated latencies); flags take =false
  --seed N               seed of the simulated fleet (default: random)
  --resources DIR        sample graphs for the simulator (default: found next to nexusd)
  --tokens FILE          bearer tokens and roles (JSON, see docs/nexus-api.md "Access")
  --tls-cert PEM         serve gRPC over TLS with this certificate ...
  --tls-key PEM          ... and this private key
  --tls-client-ca PEM    require a client certificate signed by this CA (mutual TLS;
                         tokens are still checked); needs --tls-cert
  --retention-days N     keep traces and run samples this long (default 7)
  --metrics-listen HOST:PORT  serve Prometheus metrics on http://HOST:PORT/metrics
                         (port 0 picks a free one; default off, with --sandbox
                         127.0.0.1:0; "off" turns it off); see docs/metrics.md
  --sandbox              = --embedded-kafka --simulate 24 with a new temporary data dir,
                         loopback only; calls without a token act as the admin "sandbox"
  --config FILE          JSON object with any of these options (names without dashes,
                         e.g. {"kafka": "b:9092", "topic": ["a", "b"]}); the command line wins
  -h, --help             show this help
  -V, --version          show the version

On start nexusd prints one ready line per endpoint on standard output:
  nexus: HOST:PORT
  kafka: HOST:PORT        (when it hosts or uses a broker)
  metrics: HOST:PORT      (when it serves /metrics)
It stops cleanly on SIGINT or SIGTERM.
)";
}

namespace {

const std::map<std::string, bool>& knownOptions() // name -> takes a value
{
    static const std::map<std::string, bool> known = {
        {"listen", true},         {"data-dir", true},
        {"kafka", true},          {"topic", true},
        {"group-id", true},       {"embedded-kafka", false},
        {"simulate", true},       {"sim-rate", true},
        {"sim-drift", true},      {"sim-realtime", false},
        {"seed", true},           {"resources", true},
        {"tokens", true},         {"tls-cert", true},
        {"tls-key", true},        {"tls-client-ca", true},
        {"retention-days", true}, {"sandbox", false},
        {"config", true},         {"kafka-property", true},
        {"store", true},          {"consumer-property", true},
        {"replica-name", true},   {"lease-ttl", true},
        {"metrics-listen", true},
    };
    return known;
}

bool apply(ServerOptions& o, const std::string& name, const std::string& value,
           bool& topicsFromUser, std::string& error)
{
    try {
        if (name == "listen")
            o.listen = value;
        else if (name == "data-dir")
            o.dataDir = value;
        else if (name == "store")
            o.store = value;
        else if (name == "kafka")
            o.kafka = value;
        else if (name == "topic") {
            if (!topicsFromUser)
                o.topics.clear();
            topicsFromUser = true;
            o.topics.push_back(value);
        } else if (name == "group-id")
            o.groupId = value;
        else if (name == "kafka-property") {
            const auto eq = value.find('=');
            if (eq == std::string::npos || eq == 0) {
                error = "--kafka-property needs KEY=VALUE, not '" + value + "'";
                return false;
            }
            o.kafkaProperties[value.substr(0, eq)] = value.substr(eq + 1);
        } else if (name == "consumer-property") {
            const auto eq = value.find('=');
            if (eq == std::string::npos || eq == 0) {
                error = "--consumer-property needs KEY=VALUE, not '" + value + "'";
                return false;
            }
            o.consumerProperties[value.substr(0, eq)] = value.substr(eq + 1);
        } else if (name == "replica-name")
            o.replicaName = value;
        else if (name == "lease-ttl")
            o.leaseTtlSeconds = std::stod(value);
        else if (name == "embedded-kafka")
            o.embeddedKafka = value != "false";
        else if (name == "simulate")
            o.simulate = std::stoi(value);
        else if (name == "sim-rate")
            o.simRate = std::stod(value);
        else if (name == "sim-drift")
            o.simDrift = std::stod(value);
        else if (name == "sim-realtime")
            o.simRealTime = value != "false";
        else if (name == "seed")
            o.seed = std::stoll(value);
        else if (name == "resources")
            o.resources = value;
        else if (name == "tokens")
            o.tokensFile = value;
        else if (name == "tls-cert")
            o.tlsCert = value;
        else if (name == "tls-key")
            o.tlsKey = value;
        else if (name == "tls-client-ca")
            o.tlsClientCa = value;
        else if (name == "retention-days")
            o.retentionDays = std::stoi(value);
        else if (name == "metrics-listen")
            o.metricsListen = value;
        else if (name == "sandbox")
            o.sandbox = value != "false";
        return true;
    } catch (...) {
        error = "--" + name + " needs a number, not '" + value + "'";
        return false;
    }
}

protocol::Expected<std::vector<std::pair<std::string, std::string>>, OptionsError>
readConfig(const std::string& path)
{
    const auto text = readTextFile(path);
    if (!text)
        return OptionsError{"cannot read the config file " + path};
    const auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return OptionsError{path + ": not a JSON object"};
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& [key, value] : doc.items()) {
        std::string name = key;
        for (auto& c : name)
            if (c == '_')
                c = '-';
        if (!knownOptions().count(name) || name == "config")
            return OptionsError{path + ": unknown option \"" + key + "\""};
        auto scalar = [](const nlohmann::json& v) {
            return v.is_string() ? v.get<std::string>() : v.dump();
        };
        if (value.is_array())
            for (const auto& item : value)
                pairs.emplace_back(name, scalar(item));
        else
            pairs.emplace_back(name, scalar(value));
    }
    return pairs;
}

} // namespace

protocol::Expected<ParsedOptions, OptionsError>
parseServerOptions(const std::vector<std::string>& args)
{
    ParsedOptions parsed;
    std::vector<std::pair<std::string, std::string>> given;
    std::string configPath;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            parsed.help = true;
            continue;
        }
        if (a == "-V" || a == "--version") {
            parsed.version = true;
            continue;
        }
        if (a.rfind("--", 0) != 0)
            return OptionsError{"unexpected argument '" + a + "'"};
        std::string name = a.substr(2), value;
        bool inlineValue = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inlineValue = true;
        }
        auto known = knownOptions().find(name);
        if (known == knownOptions().end())
            return OptionsError{"unknown option --" + name};
        if (known->second && !inlineValue) {
            if (i + 1 >= args.size())
                return OptionsError{"--" + name + " needs a value"};
            value = args[++i];
        } else if (!known->second && !inlineValue) {
            value = "true"; // a flag; --flag=false turns it off (e.g. over a --config)
        }
        if (name == "config")
            configPath = value;
        else
            given.emplace_back(name, value);
    }

    std::vector<std::pair<std::string, std::string>> all;
    if (!configPath.empty()) {
        auto config = readConfig(configPath);
        if (!config)
            return config.error();
        all = *config;
    }
    // The command line wins: a topic list given there replaces the config's.
    bool cliTopics = false;
    for (const auto& [n, v] : given)
        cliTopics = cliTopics || n == "topic";
    if (cliTopics)
        std::erase_if(all, [](const auto& p) { return p.first == "topic"; });
    all.insert(all.end(), given.begin(), given.end());

    bool topicsFromUser = false;
    std::string error;
    for (const auto& [name, value] : all)
        if (!apply(parsed.options, name, value, topicsFromUser, error))
            return OptionsError{error};
    return parsed;
}

void applySandboxMetricsDefault(ServerOptions& options)
{
    if (options.sandbox && options.metricsListen.empty())
        options.metricsListen = "127.0.0.1:0";
}

protocol::Expected<ServerOptions, OptionsError> resolveServerOptions(ServerOptions o)
{
    if (o.sandbox) {
        o.embeddedKafka = o.kafka.empty();
        if (o.simulate == 0)
            o.simulate = 24;
        const auto host = o.listen.substr(0, o.listen.rfind(':'));
        if (host != "127.0.0.1" && host != "localhost" && host != "[::1]")
            return OptionsError{
                "--sandbox accepts calls without a token, so it listens on loopback only; "
                "drop --listen " +
                o.listen + " or give it a 127.0.0.1 address"};
        if (o.dataDir.empty()) {
            std::string pattern = (fs::temp_directory_path() / "nexus-sandbox-XXXXXX").string();
            if (!mkdtemp(pattern.data()))
                return OptionsError{"cannot create a temporary data directory"};
            o.dataDir = pattern;
        }
    }
    if (o.metricsListen == "off")
        o.metricsListen.clear();
    if (o.dataDir.empty())
        o.dataDir = "nexus-data";
    if (o.simulate < 0 || o.simRate <= 0 || o.retentionDays <= 0)
        return OptionsError{"--simulate, --sim-rate and --retention-days must be positive"};
    if (o.simDrift < 0)
        return OptionsError{"--sim-drift cannot be negative"};
    if (!(o.leaseTtlSeconds > 0))
        return OptionsError{"--lease-ttl must be positive"};
    if (o.simulate > 0 && o.kafka.empty() && !o.embeddedKafka)
        return OptionsError{"--simulate needs a Kafka to publish to: --kafka or --embedded-kafka"};
    if (o.tlsCert.empty() != o.tlsKey.empty())
        return OptionsError{"--tls-cert and --tls-key go together"};
    if (!o.tlsClientCa.empty() && o.tlsCert.empty())
        return OptionsError{"--tls-client-ca needs TLS: give --tls-cert and --tls-key too"};
    if (o.topics.empty())
        return OptionsError{"at least one --topic is needed"};
    if (!o.sandbox && o.tokensFile.empty())
        return OptionsError{
            "without --sandbox, nexusd needs --tokens FILE (who may call it, and as what)"};
    return o;
}

} // namespace nexus::server
