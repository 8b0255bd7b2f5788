// nexusd: the reference Nexus service (docs/nexus-api.md).
#include "server/api/NexusServer.h"
#include "server/store/OpenStore.h"

#include "NexusVersion.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <pthread.h>

int main(int argc, char** argv)
{
    auto parsed =
        nexus::server::parseServerOptions(std::vector<std::string>(argv + 1, argv + argc));
    if (!parsed) {
        std::fprintf(stderr, "nexusd: %s (see nexusd --help)\n", parsed.error().message.c_str());
        return 2;
    }
    if (parsed->help) {
        std::fputs(nexus::server::serverOptionsHelp(), stdout);
        return 0;
    }
    nexus::server::applySandboxMetricsDefault(parsed->options);
    if (parsed->version) {
        std::printf("nexusd %s\n", NEXUS_VERSION);
        return 0;
    }

    // Every thread started from here on inherits the blocked signals; the
    // main thread waits for them and stops the server in order.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto server = nexus::server::NexusServer::start(parsed->options);
    if (!server) {
        std::fprintf(stderr, "nexusd: %s\n", server.error().message.c_str());
        return 1;
    }
    std::printf("nexus: %s\n", (*server)->nexusAddress().c_str());
    if (!(*server)->kafkaAddress().empty())
        std::printf("kafka: %s\n", (*server)->kafkaAddress().c_str());
    if (!(*server)->metricsAddress().empty())
        std::printf("metrics: %s\n", (*server)->metricsAddress().c_str());
    std::fflush(stdout);
    const auto& options = (*server)->options();
    const std::string store = nexus::server::describeStoreSpec(
        options.store, (std::filesystem::path(options.dataDir) / "nexus.db").string());
    std::fprintf(stderr, "nexusd %s: store %s%s\n", NEXUS_VERSION, store.c_str(),
                 options.sandbox ? " (sandbox: calls without a token act as admin)" : "");

    int received = 0;
    sigwait(&signals, &received);
    std::fprintf(stderr, "nexusd: %s, stopping\n", received == SIGINT ? "SIGINT" : "SIGTERM");
    (*server)->stop();
    return 0;
}
