#pragma once
// nexusctl rollout series | restore | wait (RolloutOpsCommands.cpp), and the
// printing the rollout commands share. RolloutCommands.cpp dispatches.

#include "ArgParser.h"
#include "NexusClient.h"
#include "nexus/v1/rollouts.grpc.pb.h"

#include <string>

namespace nexusctl {

// "progressing", "rolled_back", ...
std::string rolloutPhaseText(::nexus::v1::RolloutPhase phase);

// VERSION, GRAPH/NODE, STATE, CREATED (UTC), FROM ENTRY, DESCRIPTION.
void printVersionsTable(const ::nexus::v1::ListVersionsResponse& versions);

// "request id: ID" on stderr, so that a person can retry with --request-id
// while stdout stays a clean table or JSON.
void announceRequestId(const std::string& requestId);

// rollout series ROLLOUT_ID [--step SECONDS] [--json]
int rolloutSeries(const ArgParser& args, const Connection& c);
// rollout restore GRAPH NODE (VERSION_ID | --shipped) --reason TEXT
//   [--seen-live ID | --seen-shipped] [--request-id ID] [--json]
int rolloutRestore(const ArgParser& args, const Connection& c);
// rollout wait ROLLOUT_ID --until promoted|done|step:N [--timeout SECONDS] [--json]
// Exit: 0 reached, 1 error, 2 usage, 3 ended otherwise, 4 timed out.
int rolloutWait(const ArgParser& args, const Connection& c);

} // namespace nexusctl
