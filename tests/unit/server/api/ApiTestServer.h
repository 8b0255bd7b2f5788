#pragma once
// A real NexusServer on a free loopback port with a SQLite file in a temp
// dir and one token per role, for the API integration tests.

#include "server/api/NexusServer.h"
#include "server/store/Store.h"

#include "nexus/v1/common.grpc.pb.h"

#include <QTemporaryDir>

#include <fstream>
#include <grpcpp/grpcpp.h>
#include <memory>

struct ApiTestServer
{
    QTemporaryDir dir;
    nexus::server::ServerOptions options;
    std::unique_ptr<nexus::server::NexusServer> server;

    static constexpr const char* viewerToken = "viewer-secret";
    static constexpr const char* operatorToken = "operator-secret";
    static constexpr const char* approverToken = "approver-secret";
    static constexpr const char* otherApproverToken = "approver2-secret";
    static constexpr const char* adminToken = "admin-secret";

    ApiTestServer()
    {
        const std::string tokens = (dir.path() + "/tokens.json").toStdString();
        std::ofstream(tokens) << R"({"tokens": [
            {"name": "vic", "role": "viewer", "token": "viewer-secret"},
            {"name": "olga", "role": "operator", "token": "operator-secret"},
            {"name": "alice", "role": "approver", "token": "approver-secret"},
            {"name": "bob", "role": "approver", "token": "approver2-secret"},
            {"name": "root", "role": "admin",
             "token_sha256": "16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01"}]})";
        options.listen = "127.0.0.1:0";
        options.dataDir = (dir.path() + "/data").toStdString();
        options.tokensFile = tokens;
    }

    bool start()
    {
        auto started = nexus::server::NexusServer::start(options);
        if (!started) {
            qWarning("NexusServer did not start: %s", started.error().message.c_str());
            return false;
        }
        server = std::move(*started);
        return true;
    }

    void stop() { server.reset(); }

    std::shared_ptr<grpc::Channel> channel() const
    {
        return grpc::CreateChannel(server->nexusAddress(), grpc::InsecureChannelCredentials());
    }

    static std::unique_ptr<grpc::ClientContext> as(const char* token)
    {
        auto ctx = std::make_unique<grpc::ClientContext>();
        if (token)
            ctx->AddMetadata("authorization", std::string("Bearer ") + token);
        ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        return ctx;
    }
};
