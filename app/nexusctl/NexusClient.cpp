#include "NexusClient.h"

#include "protocol/Ids.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace nexusctl {

std::set<std::string> connectionOptions()
{
    return {"nexus", "token", "token-file", "tls-ca", "timeout"};
}

std::unique_ptr<grpc::ClientContext> Connection::context(bool streaming) const
{
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!token.empty())
        ctx->AddMetadata("authorization", "Bearer " + token);
    if (!streaming)
        ctx->set_deadline(std::chrono::system_clock::now() + timeout);
    return ctx;
}

namespace {

std::optional<std::string> readFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string trim(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

} // namespace

std::optional<Connection> connect(const ArgParser& args)
{
    Connection c;
    const char* envAddress = std::getenv("NEXUS_ADDRESS");
    c.address = args.value("nexus", envAddress ? envAddress : "127.0.0.1:7420");
    if (auto file = args.value("token-file")) {
        auto text = readFile(*file);
        if (!text) {
            std::fprintf(stderr, "nexusctl: cannot read the token file %s\n", file->c_str());
            return std::nullopt;
        }
        c.token = trim(*text);
    } else if (auto token = args.value("token")) {
        c.token = *token;
    } else if (const char* env = std::getenv("NEXUS_TOKEN")) {
        c.token = env;
    }
    if (auto t = args.value("timeout")) {
        try {
            c.timeout = std::chrono::milliseconds(static_cast<long>(std::stod(*t) * 1000));
        } catch (...) {
            std::fprintf(stderr, "nexusctl: --timeout takes seconds\n");
            return std::nullopt;
        }
    }
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (auto ca = args.value("tls-ca")) {
        auto pem = readFile(*ca);
        if (!pem) {
            std::fprintf(stderr, "nexusctl: cannot read the CA file %s\n", ca->c_str());
            return std::nullopt;
        }
        grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = *pem;
        creds = grpc::SslCredentials(ssl);
    }
    c.channel = grpc::CreateChannel(c.address, creds);
    return c;
}

int reportError(const std::string& what, const grpc::Status& status)
{
    std::string why;
    int code = 1;
    switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
        why = "Nexus is unreachable (" + status.error_message() + ")";
        code = 3;
        break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
        why = "Nexus did not answer in time";
        code = 3;
        break;
    case grpc::StatusCode::UNAUTHENTICATED:
        why = "not signed in: " + status.error_message();
        code = 4;
        break;
    case grpc::StatusCode::PERMISSION_DENIED:
        why = "permission denied: " + status.error_message();
        code = 4;
        break;
    case grpc::StatusCode::FAILED_PRECONDITION:
        why = "refused: " + status.error_message();
        break;
    case grpc::StatusCode::NOT_FOUND:
        why = "not found: " + status.error_message();
        break;
    case grpc::StatusCode::INVALID_ARGUMENT:
        why = "invalid: " + status.error_message();
        break;
    default:
        why = status.error_message();
    }
    std::fprintf(stderr, "nexusctl: %s: %s\n", what.c_str(), why.c_str());
    return code;
}

int usage(const std::string& command, const std::string& problem)
{
    std::fprintf(stderr, "nexusctl %s: %s (see nexusctl %s --help)\n", command.c_str(),
                 problem.c_str(), command.c_str());
    return 2;
}

std::string newRequestId()
{
    return nexus::protocol::newUuidString();
}

} // namespace nexusctl
