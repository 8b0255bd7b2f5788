#pragma once
// Bearer tokens and roles (viewer < operator < approver < admin), enforced
// per call. Tokens come from a JSON file (docs/nexus-api.md, "Access"):
//   {"tokens": [{"name": "alice", "role": "approver",
//                "token_sha256": "<hex>" | "token": "<plain>",
//                "tenants": ["default"]}]}
// In sandbox mode on loopback a call without a token acts as the admin
// "sandbox"; a call with a token is always checked.

#include "protocol/Expected.h"

#include "nexus/v1/common.pb.h"

#include <grpcpp/grpcpp.h>
#include <map>
#include <string>
#include <vector>

namespace nexus::server {

struct Identity
{
    std::string actor;
    ::nexus::v1::Role role = ::nexus::v1::ROLE_UNSPECIFIED;
    std::vector<std::string> tenants; // empty = all
    std::string peer;
};

// The tenants a caller may see (docs/SECURITY.md, "Tenants"): admin tokens,
// tokens without a tenants list and the sandbox are unscoped (every tenant);
// any other token sees its own tenants only.
class TenantScope
{
public:
    static TenantScope of(const Identity& caller);
    static TenantScope unscoped() { return TenantScope{}; }

    bool all() const { return all_; }
    const std::vector<std::string>& tenants() const { return tenants_; }
    bool allows(const std::string& tenant) const;
    // The tenants a query returns: the caller's, or just `requested` when
    // given; PERMISSION_DENIED for a requested tenant outside the scope.
    // Empty = every tenant (unscoped and nothing requested).
    protocol::Expected<std::vector<std::string>, grpc::Status>
    narrow(const std::string& requested) const;
    // PERMISSION_DENIED for an object of another tenant ("trace t1 belongs
    // to a tenant this token may not see (token tenants: a, b)"); the other
    // tenant is not named.
    grpc::Status deniedObject(const std::string& what) const;
    // PERMISSION_DENIED for a fleet-wide action by a scoped caller.
    grpc::Status deniedFleetWide(const std::string& what) const;
    // "a, b" (the token's tenants, for messages).
    std::string describe() const;

private:
    bool all_ = true;
    std::vector<std::string> tenants_;
};

const char* roleName(::nexus::v1::Role role); // "viewer", ...
bool parseRole(const std::string& text, ::nexus::v1::Role& role);

class TokenRegistry
{
public:
    struct Error
    {
        std::string message;
    };
    static protocol::Expected<TokenRegistry, Error> fromJson(const std::string& text);
    static protocol::Expected<TokenRegistry, Error> fromFile(const std::string& path);

    // Adds a token at run time (tests, sandbox).
    void add(const std::string& name, const std::string& token, ::nexus::v1::Role role,
             std::vector<std::string> tenants = {});
    const Identity* find(const std::string& token) const;
    std::size_t size() const { return byHash_.size(); }
    // Names of the non-admin tokens without a tenants list (they see every tenant).
    std::vector<std::string> unscopedNonAdmin() const;

private:
    std::map<std::string, Identity> byHash_; // sha256 hex of the token -> caller
};

class Authorizer
{
public:
    Authorizer(TokenRegistry tokens, bool sandbox) : tokens_(std::move(tokens)), sandbox_(sandbox)
    {}

    // Who is calling (authentication only), or UNAUTHENTICATED.
    protocol::Expected<Identity, grpc::Status> identify(const grpc::ServerContext& context) const;
    // identify() plus the role check: PERMISSION_DENIED names the role
    // needed and the caller's, so a person knows what to ask for.
    protocol::Expected<Identity, grpc::Status> authorize(const grpc::ServerContext& context,
                                                         ::nexus::v1::Role required) const;
    static grpc::Status denied(const Identity& caller, ::nexus::v1::Role required);
    bool sandbox() const { return sandbox_; }

private:
    TokenRegistry tokens_;
    bool sandbox_;
};

} // namespace nexus::server
