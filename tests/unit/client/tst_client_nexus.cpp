// NexusClient and FleetWatcher against a real NexusServer on loopback:
// results on the caller's thread, a wrong token says so at once, and a
// Nexus stopped and restarted on the same port is re-subscribed by itself.
#include "client/FleetWatcher.h"
#include "client/NexusClient.h"
#include "server/api/NexusServer.h"

#include "nexus/v1/common.grpc.pb.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <arpa/inet.h>
#include <fstream>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace nexus::client;
namespace pb = ::nexus::v1;

namespace {

constexpr const char* viewerToken = "viewer-secret";

// A Nexus with a token file, the embedded broker (so it has a live fleet)
// and no simulator: the tests own every byte it sees.
struct TestNexus
{
    QTemporaryDir dir;
    nexus::server::ServerOptions options;
    std::unique_ptr<nexus::server::NexusServer> server;

    TestNexus()
    {
        const std::string tokens = (dir.path() + "/tokens.json").toStdString();
        std::ofstream(tokens) << R"({"tokens": [
            {"name": "vic", "role": "viewer", "token": "viewer-secret"}]})";
        options.listen = "127.0.0.1:0";
        options.dataDir = (dir.path() + "/data").toStdString();
        options.tokensFile = tokens;
        options.embeddedKafka = true;
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
    QString address() const { return QString::fromStdString(server->nexusAddress()); }
};

NexusEndpoint endpointTo(const QString& address, const QString& token)
{
    NexusEndpoint e;
    e.address = address;
    e.token = token;
    e.callTimeout = std::chrono::seconds(10);
    return e;
}

// A gRPC server on loopback that knows the caller but refuses: what a Nexus
// with a stricter policy (a suspended tenant) answers.
class RefusingSession final : public pb::Session::Service
{
    grpc::Status WhoAmI(grpc::ServerContext*, const pb::WhoAmIRequest*,
                        pb::WhoAmIResponse*) override
    {
        return {grpc::StatusCode::PERMISSION_DENIED, "tenant acme is suspended"};
    }
};

// A TCP port that accepts connections (the kernel completes the handshake
// into the backlog) and never says a word: a hung Nexus.
struct SilentPort
{
    int fd = -1;
    int port = 0;
    SilentPort()
    {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
            ::listen(fd, 16) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            qFatal("cannot open a silent port");
        port = ntohs(a.sin_port);
    }
    ~SilentPort() { ::close(fd); }
};

} // namespace

class TestClientNexus : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void resultsArriveOnTheCallersThread()
    {
        TestNexus nexus;
        QVERIFY(nexus.start());
        NexusClient client(endpointTo(nexus.address(), viewerToken));
        QSignalSpy states(&client, &NexusClient::connectionStateChanged);
        QThread* seenThread = nullptr;
        pb::WhoAmIResponse me;
        quint64 seenId = 0;
        connect(&client, &NexusClient::whoAmIReceived, this,
                [&](quint64 id, const pb::WhoAmIResponse& r) {
                    seenThread = QThread::currentThread();
                    seenId = id;
                    me = r;
                });
        QSignalSpy whoAmI(&client, &NexusClient::whoAmIReceived);
        const quint64 id = client.connectToNexus();
        QCOMPARE(client.state(), NexusClient::State::Connecting);
        QVERIFY(whoAmI.wait(10000));
        QCOMPARE(seenThread, QThread::currentThread());
        QCOMPARE(seenId, id);
        QCOMPARE(me.actor(), std::string("vic"));
        QCOMPARE(me.role(), pb::ROLE_VIEWER);
        QCOMPARE(client.state(), NexusClient::State::Ready);

        QSignalSpy instances(&client, &NexusClient::instancesReceived);
        const quint64 listId = client.listInstances();
        QVERIFY(listId > id);
        QVERIFY(instances.wait(10000));
        QCOMPARE(instances.at(0).at(0).toULongLong(), listId);
        QVERIFY(instances.at(0).at(1).value<pb::ListInstancesResponse>().as_of_us() > 0);

        QSignalSpy series(&client, &NexusClient::metricSeriesReceived);
        pb::GetMetricSeriesRequest request;
        request.add_deployments("prod");
        request.add_metrics(pb::METRIC_THROUGHPUT);
        const quint64 seriesId = client.getMetricSeries(request);
        QVERIFY(series.wait(10000));
        QCOMPARE(series.at(0).at(0).toULongLong(), seriesId);

        // A request-level error carries its id and leaves the connection Ready.
        QSignalSpy failed(&client, &NexusClient::callFailed);
        request.set_start_us(2'000'000);
        request.set_end_us(1'000'000);
        const quint64 badId = client.getMetricSeries(request);
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.at(0).at(0).toULongLong(), badId);
        const auto error = failed.at(0).at(1).value<CallError>();
        QCOMPARE(error.code, grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(error.text.startsWith(QLatin1String("Loading metric series failed.")),
                 qPrintable(error.text));
        QCOMPARE(client.state(), NexusClient::State::Ready);
    }

    void wrongTokenSaysNotSignedInQuickly()
    {
        TestNexus nexus;
        QVERIFY(nexus.start());
        NexusClient client(endpointTo(nexus.address(), QStringLiteral("not-a-token")));
        QSignalSpy failed(&client, &NexusClient::callFailed);
        client.connectToNexus();
        QVERIFY(failed.wait(5000));
        const auto error = failed.at(0).at(1).value<CallError>();
        QCOMPARE(error.code, grpc::StatusCode::UNAUTHENTICATED);
        QCOMPARE(client.state(), NexusClient::State::Unauthorized);
        QVERIFY2(client.stateDetail().startsWith(
                     QLatin1String("Not signed in: unknown or revoked token")),
                 qPrintable(client.stateDetail()));

        // The fleet stream gives up at once instead of retrying forever.
        FleetWatcher watcher(client.channel(), client.endpoint());
        QSignalSpy watcherStates(&watcher, &FleetWatcher::stateChanged);
        watcher.start(250);
        QTRY_VERIFY_WITH_TIMEOUT(!watcherStates.isEmpty() &&
                                     watcherStates.last().at(0).value<FleetWatcher::State>() ==
                                         FleetWatcher::State::Stopped,
                                 5000);
        QCOMPARE(watcher.state(), FleetWatcher::State::Stopped);
        QVERIFY(watcherStates.last().at(3).toString().contains(QLatin1String("Not signed in")));
    }

    void unreachableNexusFailsFast()
    {
        // A port nothing listens on: take a free one from a server, then stop it.
        QString address;
        {
            TestNexus nexus;
            nexus.options.embeddedKafka = false;
            QVERIFY(nexus.start());
            address = nexus.address();
        }
        NexusClient client(endpointTo(address, viewerToken));
        QSignalSpy failed(&client, &NexusClient::callFailed);
        client.connectToNexus();
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.at(0).at(1).value<CallError>().code, grpc::StatusCode::UNAVAILABLE);
        QCOMPARE(client.state(), NexusClient::State::Unavailable);
        QVERIFY(client.stateDetail().startsWith(QLatin1String("Nexus is unreachable")));
    }

    void permissionDeniedIsSaidNotRetried()
    {
        RefusingSession service;
        int port = 0;
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
        builder.RegisterService(&service);
        std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
        QVERIFY(server && port > 0);

        NexusClient client(endpointTo(QStringLiteral("127.0.0.1:%1").arg(port), viewerToken));
        QSignalSpy failed(&client, &NexusClient::callFailed);
        client.connectToNexus();
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.at(0).at(1).value<CallError>().code, grpc::StatusCode::PERMISSION_DENIED);
        QCOMPARE(client.state(), NexusClient::State::PermissionDenied);
        // The server's reason reaches the person.
        QVERIFY2(client.stateDetail().contains(QLatin1String("tenant acme is suspended")),
                 qPrintable(client.stateDetail()));
        server->Shutdown();
    }

    void silentNexusTimesOutWithoutBlocking()
    {
        SilentPort silent;
        NexusEndpoint e = endpointTo(QStringLiteral("127.0.0.1:%1").arg(silent.port), viewerToken);
        e.callTimeout = std::chrono::milliseconds(1500);
        NexusClient client(e);
        QSignalSpy failed(&client, &NexusClient::callFailed);
        // Asking never waits on the network: the answer comes later, queued.
        QElapsedTimer clock;
        clock.start();
        client.connectToNexus();
        QVERIFY2(clock.elapsed() < 200, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(failed.isEmpty());
        QVERIFY(failed.wait(10000));
        const auto code = failed.at(0).at(1).value<CallError>().code;
        QVERIFY2(code == grpc::StatusCode::DEADLINE_EXCEEDED ||
                     code == grpc::StatusCode::UNAVAILABLE,
                 qPrintable(QString::number(int(code))));
        QCOMPARE(client.state(), NexusClient::State::Unavailable);
        // gRPC gives up on a peer that never sends its HTTP/2 SETTINGS.
        QVERIFY2(client.stateDetail().startsWith(QLatin1String("Nexus is unreachable")),
                 qPrintable(client.stateDetail()));
    }

    void unreadableCaIsReportedNotThrown()
    {
        NexusEndpoint e = endpointTo(QStringLiteral("127.0.0.1:1"), viewerToken);
        e.tlsCaPath = QStringLiteral("/nonexistent/ca.pem");
        NexusClient client(e);
        QVERIFY(!client.channel());
        QSignalSpy failed(&client, &NexusClient::callFailed);
        client.whoAmI();
        QVERIFY(failed.wait(1000));
        QVERIFY(failed.at(0).at(1).value<CallError>().text.contains(QLatin1String("ca.pem")));
    }

    void deletingTheClientWithCallsInFlightIsSafe()
    {
        TestNexus nexus;
        nexus.options.embeddedKafka = false;
        QVERIFY(nexus.start());
        for (int i = 0; i < 20; ++i) {
            auto client = std::make_unique<NexusClient>(endpointTo(nexus.address(), viewerToken));
            client->listInstances();
            client->whoAmI();
            client.reset();
        }
        QTest::qWait(0); // let any queued (dropped) deliveries run
    }

    void fleetWatcherSurvivesANexusRestart()
    {
        TestNexus nexus;
        QVERIFY(nexus.start());
        const QString address = nexus.address();
        NexusClient client(endpointTo(address, viewerToken));
        client.connectToNexus();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), NexusClient::State::Ready, 10000);

        FleetWatcher watcher(client.channel(), client.endpoint());
        QList<FleetWatcher::State> states;
        int lastAttempt = 0;
        connect(&watcher, &FleetWatcher::stateChanged, this,
                [&](FleetWatcher::State s, int attempt, int retryInMs, const QString&) {
                    states << s;
                    if (s == FleetWatcher::State::Reconnecting) {
                        lastAttempt = attempt;
                        QVERIFY(retryInMs >= 200 && retryInMs <= 9600);
                    }
                });
        QList<pb::FleetUpdate> updates;
        connect(&watcher, &FleetWatcher::fleetUpdated, this,
                [&](const pb::FleetUpdate& u) { updates << u; });
        watcher.start(250);
        QTRY_VERIFY_WITH_TIMEOUT(!updates.isEmpty(), 10000);
        QVERIFY(updates.first().full());
        QCOMPARE(watcher.state(), FleetWatcher::State::Live);

        // Nexus goes away: the stream ends, the watcher retries by itself.
        nexus.server.reset();
        QTRY_COMPARE_WITH_TIMEOUT(watcher.state(), FleetWatcher::State::Reconnecting, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), NexusClient::State::Unavailable, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(lastAttempt >= 2, 10000); // still trying, backing off

        // Back on the same port with the same store: Live again, a full snapshot first.
        const int before = int(updates.size());
        nexus.options.listen = address.toStdString();
        QVERIFY(nexus.start());
        QCOMPARE(nexus.address(), address);
        QTRY_COMPARE_WITH_TIMEOUT(watcher.state(), FleetWatcher::State::Live, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(updates.size() > before, 10000);
        QVERIFY(updates.at(before).full());
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), NexusClient::State::Ready, 30000);
        QVERIFY(states.contains(FleetWatcher::State::Reconnecting));

        watcher.stop();
        QCOMPARE(watcher.state(), FleetWatcher::State::Stopped);
    }
};

QTEST_GUILESS_MAIN(TestClientNexus)
#include "tst_client_nexus.moc"
