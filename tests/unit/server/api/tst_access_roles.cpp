// Roles, proven call by call: every mutating RPC of the Nexus API against
// every kind of caller (no token, an unknown token, viewer, operator,
// approver, admin) over real gRPC on loopback and a real SQLite file. The
// answer is the one the docs promise, a refused call changes nothing (read
// back from the store), and every refusal and every success is in the audit
// log with who tried. Read RPCs refuse callers without a valid token. A new
// RPC in the protos that this file does not list fails the test.
#include "RolloutTestSupport.h"
#include "nexus/v1/evals.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"
#include "nexus/v1/traces.grpc.pb.h"

#include <QTest>

#include <cstdint>
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <set>

namespace pb = ::nexus::v1;
using namespace rollout_test;
using nexus::server::Store;

namespace {

// The API's mutating RPCs with the role each needs (docs/nexus-api.md).
const std::map<std::string, pb::Role>& mutatingRpcs()
{
    static const std::map<std::string, pb::Role> rpcs = {
        {"nexus.v1.Knowledge/ReviewEntry", pb::ROLE_APPROVER},
        {"nexus.v1.Rollouts/CreateVersion", pb::ROLE_APPROVER},
        {"nexus.v1.Rollouts/LaunchRollout", pb::ROLE_APPROVER},
        {"nexus.v1.Rollouts/SetWeight", pb::ROLE_APPROVER},
        {"nexus.v1.Rollouts/Pause", pb::ROLE_OPERATOR},
        {"nexus.v1.Rollouts/Resume", pb::ROLE_APPROVER},
        {"nexus.v1.Rollouts/Promote", pb::ROLE_APPROVER},
        {"nexus.v1.Rollouts/Abort", pb::ROLE_OPERATOR},
        {"nexus.v1.Rollouts/RestoreVersion", pb::ROLE_APPROVER},
    };
    return rpcs;
}

// Every RPC that only reads.
const std::set<std::string>& readRpcs()
{
    static const std::set<std::string> rpcs = {
        "nexus.v1.Session/WhoAmI",           "nexus.v1.Audit/ListAudit",
        "nexus.v1.Evals/GetQualitySummary",  "nexus.v1.Fleet/ListInstances",
        "nexus.v1.Fleet/WatchFleet",         "nexus.v1.Fleet/GetMetricSeries",
        "nexus.v1.Knowledge/ListEntries",    "nexus.v1.Knowledge/GetEntry",
        "nexus.v1.Knowledge/WatchKnowledge", "nexus.v1.Rollouts/ListVersions",
        "nexus.v1.Rollouts/ListRollouts",    "nexus.v1.Rollouts/GetRollout",
        "nexus.v1.Rollouts/WatchRollouts",   "nexus.v1.Rollouts/GetRolloutSeries",
        "nexus.v1.Traces/SearchTraces",      "nexus.v1.Traces/GetTrace",
        "nexus.v1.Traces/GetGraphSchema",
    };
    return rpcs;
}

// Every RPC the generated code knows, from the service descriptors.
std::set<std::string> protoRpcs()
{
    const google::protobuf::FileDescriptor* files[] = {
        pb::WhoAmIRequest::descriptor()->file(),
        pb::ListAuditRequest::descriptor()->file(),
        pb::QualitySummaryRequest::descriptor()->file(),
        pb::ListInstancesRequest::descriptor()->file(),
        pb::ListEntriesRequest::descriptor()->file(),
        pb::ListRolloutsRequest::descriptor()->file(),
        pb::SearchTracesRequest::descriptor()->file(),
    };
    std::set<std::string> all;
    for (const auto* file : files)
        for (int s = 0; s < file->service_count(); ++s)
            for (int m = 0; m < file->service(s)->method_count(); ++m)
                all.insert(file->service(s)->full_name() + "/" +
                           file->service(s)->method(m)->name());
    return all;
}

const char* kUnknownToken = "not-a-token-4f1c9d";

const char* tokenOf(const QString& caller)
{
    if (caller == QLatin1String("none"))
        return nullptr;
    if (caller == QLatin1String("unknown"))
        return kUnknownToken;
    if (caller == QLatin1String("viewer"))
        return ApiTestServer::viewerToken;
    if (caller == QLatin1String("operator"))
        return ApiTestServer::operatorToken;
    if (caller == QLatin1String("approver"))
        return ApiTestServer::approverToken;
    return ApiTestServer::adminToken;
}

// Any RPC by name with an empty request, through gRPC's generic stub: what
// the server answers before it looks at the request.
grpc::Status callByName(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                        const char* token)
{
    grpc::GenericStub stub(channel);
    grpc::CompletionQueue cq;
    auto context = ApiTestServer::as(token);
    auto call = stub.PrepareCall(context.get(), "/" + method, &cq);
    grpc::Status status;
    grpc::Slice empty(std::string{});
    grpc::ByteBuffer request(&empty, 1);
    // One operation at a time, each awaited: start, the request, the status.
    const auto await = [&cq](std::intptr_t wanted) {
        void* tag = nullptr;
        bool ok = false;
        while (cq.Next(&tag, &ok))
            if (reinterpret_cast<std::intptr_t>(tag) == wanted)
                return ok;
        return false;
    };
    call->StartCall(reinterpret_cast<void*>(1));
    if (await(1)) {
        call->WriteLast(request, grpc::WriteOptions(), reinterpret_cast<void*>(2));
        await(2);
    }
    // Finish completes once every answer was read: read the one (or none).
    grpc::ByteBuffer answer;
    call->Read(&answer, reinterpret_cast<void*>(4));
    await(4);
    call->Finish(&status, reinterpret_cast<void*>(3));
    await(3);
    cq.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
    }
    return status;
}

// A running Nexus with what one mutating RPC acts on.
struct Scene
{
    ApiTestServer t;
    std::string entryId, versionId, rolloutId, liveId;
    std::unique_ptr<pb::Rollouts::Stub> rollouts;

    bool prepare(const std::string& rpc)
    {
        if (!t.start())
            return false;
        rollouts = pb::Rollouts::NewStub(t.channel());
        if (rpc == "nexus.v1.Knowledge/ReviewEntry") {
            pb::KnowledgeEntry e;
            e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
            e.set_title("Retries without jitter");
            e.mutable_pitfall()->set_severity("high");
            auto created = t.server->store().createEntry(e, minuteAnHourAgoUs());
            entryId = created ? created->entry_id() : std::string();
            return created.ok();
        }
        if (rpc == "nexus.v1.Rollouts/CreateVersion")
            return true;
        if (rpc == "nexus.v1.Rollouts/RestoreVersion") {
            liveId = makeVersion(t, "rag_pipeline", "generate", pb::VERSION_STATE_LIVE);
            return true;
        }
        versionId = makeVersion(t, "rag_pipeline", "generate", pb::VERSION_STATE_CANDIDATE);
        if (rpc == "nexus.v1.Rollouts/LaunchRollout")
            return true;
        pb::Rollout launched;
        auto status = rollouts->LaunchRollout(ApiTestServer::as(ApiTestServer::adminToken).get(),
                                              holdingLaunch(versionId, "setup-launch"), &launched);
        rolloutId = launched.rollout_id();
        if (!status.ok() || rpc != "nexus.v1.Rollouts/Resume")
            return status.ok();
        pb::RolloutActionRequest pause;
        pause.set_rollout_id(rolloutId);
        pause.set_request_id("setup-pause");
        return rollouts->Pause(ApiTestServer::as(ApiTestServer::adminToken).get(), pause, &launched)
            .ok();
    }

    grpc::Status call(const std::string& rpc, const char* token, const std::string& requestId)
    {
        auto ctx = ApiTestServer::as(token);
        if (rpc == "nexus.v1.Knowledge/ReviewEntry") {
            pb::ReviewEntryRequest r;
            r.set_entry_id(entryId);
            r.set_seen_revision(1);
            r.set_decision(pb::REVIEW_DECISION_APPROVE);
            r.set_request_id(requestId);
            pb::ReviewEntryResponse out;
            return pb::Knowledge::NewStub(t.channel())->ReviewEntry(ctx.get(), r, &out);
        }
        if (rpc == "nexus.v1.Rollouts/CreateVersion") {
            pb::CreateVersionRequest r;
            r.mutable_version()->set_graph_name("rag_pipeline");
            r.mutable_version()->set_node_id("generate");
            r.mutable_version()->set_content("Answer and cite.");
            r.set_request_id(requestId);
            pb::OptimizationVersion out;
            return rollouts->CreateVersion(ctx.get(), r, &out);
        }
        if (rpc == "nexus.v1.Rollouts/LaunchRollout") {
            pb::Rollout out;
            return rollouts->LaunchRollout(ctx.get(), holdingLaunch(versionId, requestId), &out);
        }
        if (rpc == "nexus.v1.Rollouts/RestoreVersion") {
            pb::RestoreVersionRequest r;
            r.set_graph_name("rag_pipeline");
            r.set_node_id("generate");
            r.set_seen_live_version_id(liveId);
            r.set_request_id(requestId);
            pb::ListVersionsResponse out;
            return rollouts->RestoreVersion(ctx.get(), r, &out);
        }
        pb::RolloutActionRequest a;
        a.set_rollout_id(rolloutId);
        a.set_request_id(requestId);
        a.set_weight_percent(20);
        pb::Rollout out;
        using Method = grpc::Status (pb::Rollouts::Stub::*)(
            grpc::ClientContext*, const pb::RolloutActionRequest&, pb::Rollout*);
        const std::map<std::string, Method> actions = {
            {"nexus.v1.Rollouts/SetWeight", &pb::Rollouts::Stub::SetWeight},
            {"nexus.v1.Rollouts/Pause", &pb::Rollouts::Stub::Pause},
            {"nexus.v1.Rollouts/Resume", &pb::Rollouts::Stub::Resume},
            {"nexus.v1.Rollouts/Promote", &pb::Rollouts::Stub::Promote},
            {"nexus.v1.Rollouts/Abort", &pb::Rollouts::Stub::Abort},
        };
        return (rollouts.get()->*actions.at(rpc))(ctx.get(), a, &out);
    }

    // What the mutating RPCs can change, as the store holds it.
    QString state()
    {
        Store& store = t.server->store();
        QString s;
        if (!entryId.empty())
            if (auto e = store.getEntry(entryId))
                s += QStringLiteral("entry %1 r%2 reviews %3\n")
                         .arg(static_cast<int>(e->entry().status()))
                         .arg(e->entry().revision())
                         .arg(e->reviews_size());
        if (auto versions = store.listVersions("rag_pipeline", "generate"))
            for (const auto& v : *versions)
                s += QStringLiteral("version %1 %2\n")
                         .arg(QString::fromStdString(v.version_id()))
                         .arg(static_cast<int>(v.state()));
        if (auto all = store.listRollouts(false, {}))
            for (const auto& r : *all)
                s += QStringLiteral("rollout %1 phase %2 step %3 weight %4 r%5\n")
                         .arg(QString::fromStdString(r.rollout_id()))
                         .arg(static_cast<int>(r.phase()))
                         .arg(r.current_step())
                         .arg(r.weight_percent())
                         .arg(r.revision());
        return s;
    }

    std::vector<pb::AuditRecord> auditFor(const std::string& requestId)
    {
        std::vector<pb::AuditRecord> found;
        pb::ListAuditRequest query;
        query.set_page_size(1000);
        if (auto page = t.server->store().listAudit(query))
            for (const auto& r : page->records)
                if (r.request_id() == requestId)
                    found.push_back(r);
        return found;
    }
};

} // namespace

class TestAccessRoles : public QObject
{
    Q_OBJECT
private slots:
    void everyRpcIsClassified()
    {
        std::set<std::string> listed = readRpcs();
        for (const auto& [rpc, role] : mutatingRpcs())
            QVERIFY2(listed.insert(rpc).second, rpc.c_str());
        const std::set<std::string> inProtos = protoRpcs();
        for (const auto& rpc : inProtos)
            QVERIFY2(listed.count(rpc),
                     qPrintable(QStringLiteral("%1 is new: list it in tst_access_roles.cpp as "
                                               "mutating (with its role) or read-only")
                                    .arg(QString::fromStdString(rpc))));
        for (const auto& rpc : listed)
            QVERIFY2(inProtos.count(rpc), qPrintable(QString::fromStdString(rpc) +
                                                     QStringLiteral(" is gone from the protos")));
    }

    void mutatingCall_data()
    {
        QTest::addColumn<QString>("rpc");
        QTest::addColumn<QString>("caller");
        QTest::addColumn<int>("expected"); // grpc::StatusCode
        QTest::addColumn<QString>("actor");
        const std::pair<const char*, const char*> callers[] = {
            {"none", "unauthenticated"}, {"unknown", "unauthenticated"}, {"viewer", "vic"},
            {"operator", "olga"},        {"approver", "alice"},          {"admin", "root"}};
        const std::map<QString, int> rank = {{"none", 0},     {"unknown", 0},  {"viewer", 1},
                                             {"operator", 2}, {"approver", 3}, {"admin", 4}};
        for (const auto& [rpc, role] : mutatingRpcs()) {
            const int needed = role == pb::ROLE_OPERATOR ? 2 : 3;
            for (const auto& [caller, actor] : callers) {
                const int r = rank.at(QLatin1String(caller));
                const auto code = r == 0       ? grpc::StatusCode::UNAUTHENTICATED
                                  : r < needed ? grpc::StatusCode::PERMISSION_DENIED
                                               : grpc::StatusCode::OK;
                QTest::addRow("%s by %s", rpc.c_str(), caller)
                    << QString::fromStdString(rpc) << QString::fromLatin1(caller)
                    << static_cast<int>(code) << QString::fromLatin1(actor);
            }
        }
    }

    void mutatingCall()
    {
        QFETCH(QString, rpc);
        QFETCH(QString, caller);
        QFETCH(int, expected);
        QFETCH(QString, actor);
        Scene scene;
        QVERIFY(scene.prepare(rpc.toStdString()));
        const QString before = scene.state();
        const std::string requestId = "matrix-" + caller.toStdString();
        const grpc::Status status = scene.call(rpc.toStdString(), tokenOf(caller), requestId);
        QCOMPARE(static_cast<int>(status.error_code()), expected);
        const QString after = scene.state();
        if (status.ok())
            QVERIFY2(after != before, "an allowed call changed nothing");
        else
            QCOMPARE(after, before); // a refused call leaves everything as it was

        // The attempt is in the audit log once, with who tried and the outcome.
        const auto records = scene.auditFor(requestId);
        QCOMPARE(records.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(records.front().actor()), actor);
        const QString outcome = QString::fromStdString(records.front().outcome());
        QVERIFY2(outcome.startsWith(status.ok() ? QLatin1String("ok") : QLatin1String("denied")),
                 qPrintable(outcome));
        QVERIFY(records.front().peer().rfind("ipv4:127.0.0.1:", 0) == 0);
        if (!status.ok())
            QVERIFY(outcome.contains(QString::fromStdString(status.error_message())));
    }

    void readsNeedAValidToken_data()
    {
        QTest::addColumn<QString>("rpc");
        QTest::addColumn<QString>("caller");
        for (const auto& rpc : readRpcs())
            for (const char* caller : {"none", "unknown"})
                QTest::addRow("%s by %s", rpc.c_str(), caller)
                    << QString::fromStdString(rpc) << QString::fromLatin1(caller);
    }

    void readsNeedAValidToken()
    {
        QFETCH(QString, rpc);
        QFETCH(QString, caller);
        if (!server_) {
            server_ = std::make_unique<ApiTestServer>();
            QVERIFY(server_->start());
        }
        const auto status = callByName(server_->channel(), rpc.toStdString(), tokenOf(caller));
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        QVERIFY(!status.error_message().empty());
        // A viewer gets past the check (the call may still need arguments).
        if (rpc != QLatin1String("nexus.v1.Audit/ListAudit") &&
            !rpc.contains(QLatin1String("/Watch")) && !rpc.endsWith(QLatin1String("/GetTrace"))) {
            const auto viewer =
                callByName(server_->channel(), rpc.toStdString(), ApiTestServer::viewerToken);
            QVERIFY2(viewer.error_code() != grpc::StatusCode::UNAUTHENTICATED &&
                         viewer.error_code() != grpc::StatusCode::PERMISSION_DENIED,
                     viewer.error_message().c_str());
        }
    }

    void cleanupTestCase() { server_.reset(); }

private:
    std::unique_ptr<ApiTestServer> server_;
};

QTEST_GUILESS_MAIN(TestAccessRoles)
#include "tst_access_roles.moc"
