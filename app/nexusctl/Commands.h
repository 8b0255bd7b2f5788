#pragma once
// nexusctl subcommands. Each takes the arguments after its own name and
// returns the process exit code (0 ok, 1 failure, 2 usage error).

#include <string>
#include <vector>

namespace nexusctl {

using Args = std::vector<std::string>;

int decodeCommand(const Args& args);
int runCommand(const Args& args);
int fleetCommand(const Args& args);
int traceCommand(const Args& args);
// trace replay / trace fork (ReplayCommand.cpp): local files, no Nexus connection.
int traceReplayCommand(const Args& args);
int traceForkCommand(const Args& args);
int kbCommand(const Args& args);
int rolloutCommand(const Args& args);
int auditCommand(const Args& args);
int whoamiCommand(const Args& args);
int healthCommand(const Args& args);

} // namespace nexusctl
