// nexusctl: command-line twin of the console (DESIGN.md §1).
#include "Commands.h"
#include "NexusVersion.h"
#include "Output.h"

#include <cstdio>
#include <cstring>
#include <functional>
#include <map>

namespace {

struct Command
{
    std::function<int(const nexusctl::Args&)> run;
    const char* summary;
};

const std::map<std::string, Command>& commands()
{
    static const std::map<std::string, Command> table = {
        {"decode",
         {nexusctl::decodeCommand, "print DashStream records of a .dstrace file as JSON Lines"}},
        {"fleet", {nexusctl::fleetCommand, "list the fleet's instances and their live metrics"}},
        {"trace",
         {nexusctl::traceCommand,
          "search recorded runs; download one as .dstrace; replay or fork one"}},
        {"kb", {nexusctl::kbCommand, "list, show, approve and reject knowledge-base entries"}},
        {"rollout", {nexusctl::rolloutCommand, "optimization versions and canary rollouts"}},
        {"audit", {nexusctl::auditCommand, "read the audit log"}},
        {"whoami", {nexusctl::whoamiCommand, "who Nexus takes you for, and your role"}},
        {"health", {nexusctl::healthCommand, "is Nexus serving? (exit 0 when it is)"}},
        {"run",
         {nexusctl::runCommand, "run a graph on the embedded runtime and record its telemetry"}},
    };
    return table;
}

void printHelp()
{
    std::printf("Usage: nexusctl COMMAND [OPTIONS]\n\n"
                "The scriptable twin of Nexus Console.\n\nCommands:\n");
    for (const auto& [name, command] : commands())
        std::printf("  %-10s %s\n", name.c_str(), command.summary);
    std::printf("\nCommands that talk to Nexus take --nexus HOST:PORT (or NEXUS_ADDRESS; default\n"
                "127.0.0.1:7420), --token T (or NEXUS_TOKEN, or --token-file F), --tls-ca PEM\n"
                "(with --tls-cert PEM --tls-key PEM for mutual TLS) and --timeout SECONDS.\n"
                "Exit status: 0 ok, 1 failed, 2 usage, 3 Nexus unreachable, 4 not signed in or\n"
                "not allowed.\n"
                "Every command takes --json: results as JSON on stdout (JSON Lines for decode\n"
                "and rollout wait), errors as {\"error\": \"...\", \"code\": N} on stderr.\n");
    std::printf("\nOptions:\n"
                "  -h, --help     show this help (COMMAND --help: that command's help)\n"
                "  -V, --version  show the version\n");
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        printHelp();
        return 2;
    }
    const std::string first = argv[1];
    if (first == "-h" || first == "--help" || first == "help") {
        printHelp();
        return 0;
    }
    if (first == "-V" || first == "--version") {
        std::printf("nexusctl %s\n", NEXUS_VERSION);
        return 0;
    }
    // --json anywhere: errors go to stderr as JSON objects too (Output.h).
    for (int i = 2; i < argc; ++i)
        if (std::strcmp(argv[i], "--json") == 0)
            nexusctl::setJsonErrors(true);
    const auto it = commands().find(first);
    if (it == commands().end()) {
        return nexusctl::printError("", "unknown command '" + first + "' (see nexusctl --help)", 2);
    }
    return it->second.run(nexusctl::Args(argv + 2, argv + argc));
}
