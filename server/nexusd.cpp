// nexusd: the reference Nexus service. Today it answers --help and
// --version; the gRPC services, store, ingestion and simulator follow.
#include "NexusVersion.h"

#include <cstdio>
#include <cstring>

int main(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--version") || !std::strcmp(argv[i], "-V")) {
            std::printf("nexusd %s\n", NEXUS_VERSION);
            return 0;
        }
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::printf("Usage: nexusd [OPTIONS]\n\n"
                        "The reference Nexus service for DashFlow fleets.\n\n"
                        "Options:\n"
                        "  -h, --help     show this help\n"
                        "  -V, --version  show the version\n\n"
                        "Not yet available in this build: the gRPC API, the store, Kafka\n"
                        "ingestion and --sandbox (see README.md, Status).\n");
            return 0;
        }
        std::fprintf(stderr, "nexusd: unknown option '%s' (see nexusd --help)\n", argv[i]);
        return 2;
    }
    std::fprintf(stderr, "nexusd: nothing to serve yet in this build (see nexusd --help)\n");
    return 1;
}
