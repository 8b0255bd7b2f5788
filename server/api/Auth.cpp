#include "server/api/Auth.h"

#include "protocol/CanonicalJson.h"
#include "protocol/Ids.h"
#include "server/api/TextFile.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nexus::server {

namespace pb = ::nexus::v1;

namespace {

std::string tokenHash(const std::string& token)
{
    const auto digest = protocol::sha256(token);
    return protocol::toHex(
        std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool isLoopbackPeer(const std::string& peer)
{
    // gRPC peers look like "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000", "unix:...".
    return peer.rfind("ipv4:127.", 0) == 0 || peer.rfind("ipv6:[::1]", 0) == 0 ||
           peer.rfind("ipv6:%5B::1%5D", 0) == 0 || peer.rfind("unix:", 0) == 0;
}

} // namespace

const char* roleName(pb::Role role)
{
    switch (role) {
    case pb::ROLE_VIEWER:
        return "viewer";
    case pb::ROLE_OPERATOR:
        return "operator";
    case pb::ROLE_APPROVER:
        return "approver";
    case pb::ROLE_ADMIN:
        return "admin";
    default:
        return "none";
    }
}

bool parseRole(const std::string& text, pb::Role& role)
{
    for (pb::Role r : {pb::ROLE_VIEWER, pb::ROLE_OPERATOR, pb::ROLE_APPROVER, pb::ROLE_ADMIN})
        if (text == roleName(r)) {
            role = r;
            return true;
        }
    return false;
}

TenantScope TenantScope::of(const Identity& caller)
{
    TenantScope scope;
    scope.all_ = caller.role == pb::ROLE_ADMIN || caller.tenants.empty();
    if (!scope.all_)
        scope.tenants_ = caller.tenants;
    return scope;
}

bool TenantScope::allows(const std::string& tenant) const
{
    return all_ || std::find(tenants_.begin(), tenants_.end(), tenant) != tenants_.end();
}

std::string TenantScope::describe() const
{
    std::string out;
    for (const auto& t : tenants_)
        out += (out.empty() ? "" : ", ") + (t.empty() ? std::string("\"\"") : t);
    return out;
}

protocol::Expected<std::vector<std::string>, grpc::Status>
TenantScope::narrow(const std::string& requested) const
{
    if (requested.empty())
        return all_ ? std::vector<std::string>{} : tenants_;
    if (!allows(requested))
        return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                            "tenant " + requested +
                                " is not one this token may see (token tenants: " + describe() +
                                ")");
    return std::vector<std::string>{requested};
}

grpc::Status TenantScope::deniedObject(const std::string& what) const
{
    return grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        what + " belongs to a tenant this token may not see (token tenants: " + describe() + ")");
}

grpc::Status TenantScope::deniedFleetWide(const std::string& what) const
{
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        what +
                            " affects every tenant: it needs a token that is not limited to "
                            "tenants (token tenants: " +
                            describe() + ")");
}

void TokenRegistry::add(const std::string& name, const std::string& token, pb::Role role,
                        std::vector<std::string> tenants)
{
    byHash_[tokenHash(token)] = Identity{name, role, std::move(tenants), {}};
}

std::vector<std::string> TokenRegistry::unscopedNonAdmin() const
{
    std::vector<std::string> names;
    for (const auto& [hash, caller] : byHash_)
        if (caller.role != pb::ROLE_ADMIN && caller.tenants.empty())
            names.push_back(caller.actor);
    std::sort(names.begin(), names.end());
    return names;
}

const Identity* TokenRegistry::find(const std::string& token) const
{
    auto it = byHash_.find(tokenHash(token));
    return it == byHash_.end() ? nullptr : &it->second;
}

protocol::Expected<TokenRegistry, TokenRegistry::Error>
TokenRegistry::fromJson(const std::string& text)
{
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("tokens") ||
        !doc["tokens"].is_array())
        return Error{"token file must be a JSON object with a \"tokens\" array"};
    TokenRegistry registry;
    int index = 0;
    for (const auto& t : doc["tokens"]) {
        const std::string where = "token #" + std::to_string(index++);
        if (!t.is_object() || !t.contains("name") || !t["name"].is_string())
            return Error{where + ": needs a \"name\""};
        pb::Role role;
        if (!t.contains("role") || !t["role"].is_string() ||
            !parseRole(t["role"].get<std::string>(), role))
            return Error{where + ": \"role\" must be viewer, operator, approver or admin"};
        std::vector<std::string> tenants;
        if (t.contains("tenants") && t["tenants"].is_array())
            for (const auto& x : t["tenants"])
                if (x.is_string())
                    tenants.push_back(x.get<std::string>());
        Identity caller{t["name"].get<std::string>(), role, tenants, {}};
        if (t.contains("token_sha256") && t["token_sha256"].is_string()) {
            std::string hex = t["token_sha256"].get<std::string>();
            if (hex.size() != 64 || !protocol::fromHex(hex))
                return Error{where + ": \"token_sha256\" must be 64 hex digits"};
            for (auto& c : hex)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            registry.byHash_[hex] = caller;
        } else if (t.contains("token") && t["token"].is_string() &&
                   !t["token"].get<std::string>().empty()) {
            registry.byHash_[tokenHash(t["token"].get<std::string>())] = caller;
        } else {
            return Error{where + ": needs \"token_sha256\" (preferred) or \"token\""};
        }
    }
    return registry;
}

protocol::Expected<TokenRegistry, TokenRegistry::Error>
TokenRegistry::fromFile(const std::string& path)
{
    const auto text = readTextFile(path);
    if (!text)
        return Error{"cannot read the token file " + path};
    auto registry = fromJson(*text);
    if (!registry)
        return Error{path + ": " + registry.error().message};
    return registry;
}

protocol::Expected<Identity, grpc::Status>
Authorizer::identify(const grpc::ServerContext& context) const
{
    const std::string peer = context.peer();
    std::string token;
    const auto& metadata = context.client_metadata();
    if (auto it = metadata.find("authorization"); it != metadata.end()) {
        const std::string value(it->second.data(), it->second.size());
        constexpr std::string_view bearer = "Bearer ";
        if (value.rfind(bearer, 0) != 0)
            return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                "the authorization header must be \"Bearer <token>\"");
        token = value.substr(bearer.size());
    }

    Identity caller;
    if (token.empty()) {
        if (!sandbox_ || !isLoopbackPeer(peer))
            return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                "a bearer token is required (pass --token or set NEXUS_TOKEN)");
        caller = Identity{"sandbox", pb::ROLE_ADMIN, {}, {}};
    } else {
        const Identity* known = tokens_.find(token);
        if (!known)
            return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown or revoked token");
        caller = *known;
    }
    caller.peer = peer;
    return caller;
}

grpc::Status Authorizer::denied(const Identity& caller, pb::Role required)
{
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        std::string("this needs the ") + roleName(required) + " role; " +
                            caller.actor + " is " + roleName(caller.role));
}

protocol::Expected<Identity, grpc::Status> Authorizer::authorize(const grpc::ServerContext& context,
                                                                 pb::Role required) const
{
    auto caller = identify(context);
    if (caller && caller->role < required)
        return denied(*caller, required);
    return caller;
}

} // namespace nexus::server
