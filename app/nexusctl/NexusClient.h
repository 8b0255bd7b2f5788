#pragma once
// nexusctl's connection to Nexus: the channel (TLS when --tls-ca is given),
// the bearer token on every call, deadlines, and errors a person can act on.

#include "ArgParser.h"

#include <chrono>
#include <grpcpp/grpcpp.h>
#include <memory>
#include <string>

namespace nexusctl {

// The options every Nexus command accepts.
std::set<std::string> connectionOptions();

struct Connection
{
    std::string address;
    std::string token;
    std::chrono::milliseconds timeout{10000};
    std::shared_ptr<grpc::Channel> channel;

    // A context with the token and the deadline set.
    std::unique_ptr<grpc::ClientContext> context(bool streaming = false) const;
};

// From --nexus / NEXUS_ADDRESS (default 127.0.0.1:7420), --token /
// NEXUS_TOKEN / --token-file, --tls-ca (+ --tls-cert/--tls-key), --timeout. Prints the problem and
// returns nullopt when the options are unusable.
std::optional<Connection> connect(const ArgParser& args);

// Prints "nexusctl: <what>: <status explained>" and returns the exit code:
// 3 unreachable, 4 not allowed, 1 anything else.
int reportError(const std::string& what, const grpc::Status& status);

// Exit code for a usage error (prints it).
int usage(const std::string& command, const std::string& problem);

// A fresh request id for idempotent calls.
std::string newRequestId();

} // namespace nexusctl
