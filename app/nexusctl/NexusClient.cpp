#include "NexusClient.h"

#include "protocol/Ids.h"

#include "Output.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>

namespace nexusctl {

std::set<std::string> connectionOptions()
{
    return {"nexus", "token", "token-file", "tls-ca", "tls-cert", "tls-key", "timeout"};
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

bool mentionsAny(const std::string& text, std::initializer_list<const char*> words)
{
    std::string lower = text;
    for (auto& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* w : words)
        if (lower.find(w) != std::string::npos)
            return true;
    return false;
}

// A failed TLS handshake (UNAVAILABLE, OpenSSL's words in the message): which
// side refused, as advice; "" when it is not one. The console's twin is
// client/GrpcStatusText.cpp.
// How this run connects: 0 plaintext, 1 TLS, 2 mutual TLS (set by connect()).
int channelTls = 0;

std::string tlsAdvice(const std::string& message)
{
    // With TLS 1.3 a Nexus that refuses the client's certificate only closes
    // the connection after the handshake.
    if (channelTls > 0 && mentionsAny(message, {"socket closed", "connection reset"}))
        return channelTls == 1
                   ? "Nexus closed the TLS connection: it probably requires a client certificate "
                     "(mutual TLS) and refused this client's TLS certificate because none was "
                     "sent; pass --tls-cert and --tls-key"
                   : "Nexus closed the TLS connection: it probably refused this client's TLS "
                     "certificate (signed by a CA it does not trust, or expired); check "
                     "--tls-cert and --tls-key";
    if (mentionsAny(message, {"certificate required", "alert unknown ca", "alert bad certificate",
                              "alert certificate unknown", "alert handshake failure"}))
        return "Nexus refused this client's TLS certificate (none was sent, or a CA Nexus does "
               "not trust signed it); pass --tls-cert and --tls-key for this Nexus";
    if (mentionsAny(message, {"certificate verify failed", "not in peer certificate", "peer name"}))
        return "Nexus's TLS certificate is not trusted (the --tls-ca given did not sign it, or it "
               "was issued for another host name); check --tls-ca and --nexus";
    return {};
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
            printError("", "cannot read the token file " + *file, 2);
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
            printError("", "--timeout takes seconds", 2);
            return std::nullopt;
        }
    }
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (auto ca = args.value("tls-ca")) {
        auto pem = readFile(*ca);
        if (!pem) {
            printError("", "cannot read the CA file " + *ca, 2);
            return std::nullopt;
        }
        grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = *pem;
        channelTls = 1;
        const auto cert = args.value("tls-cert");
        const auto key = args.value("tls-key");
        if (cert.has_value() != key.has_value()) {
            printError("", "--tls-cert and --tls-key go together", 2);
            return std::nullopt;
        }
        if (cert) {
            auto certPem = readFile(*cert);
            auto keyPem = readFile(*key);
            if (!certPem || !keyPem) {
                printError("",
                           std::string("cannot read the client ") +
                               (certPem ? "key " + *key : "certificate " + *cert),
                           2);
                return std::nullopt;
            }
            ssl.pem_cert_chain = *certPem;
            ssl.pem_private_key = *keyPem;
            channelTls = 2;
        }
        creds = grpc::SslCredentials(ssl);
    } else if (args.value("tls-cert") || args.value("tls-key")) {
        printError("", "a client certificate needs TLS: give --tls-ca too", 2);
        return std::nullopt;
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
        if (const std::string advice = tlsAdvice(status.error_message()); !advice.empty())
            why = advice + " (" + status.error_message() + ")";
        else
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
    return printError("", what + ": " + why, code);
}

int usage(const std::string& command, const std::string& problem)
{
    return printError(command, problem + " (see nexusctl " + command + " --help)", 2);
}

std::string newRequestId()
{
    return nexus::protocol::newUuidString();
}

} // namespace nexusctl
