// The Local sandbox hosted in the console's process: it starts off the GUI
// thread, serves real gRPC and Kafka on loopback, fills with a simulated
// fleet, and stops cleanly.
#include "SandboxHost.h"
#include "nexus/v1/common.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <grpcpp/grpcpp.h>

namespace pb = ::nexus::v1;

class TestSandboxHost : public QObject
{
    Q_OBJECT
private slots:
    void startsServesAndStops()
    {
        QTemporaryDir dir;
        nexus::app::SandboxHost host;
        QSignalSpy started(&host, &nexus::app::SandboxHost::started);
        QSignalSpy failed(&host, &nexus::app::SandboxHost::failed);
        nexus::app::SandboxSettings settings;
        settings.instances = 4;
        settings.runsPerSecondPerInstance = 4;
        settings.dataDir = dir.path();
        host.start(settings);
        QVERIFY(!host.running()); // starting happens off the GUI thread
        QVERIFY(started.wait(30000));
        QCOMPARE(failed.count(), 0);
        QVERIFY(host.running());
        QVERIFY(host.nexusAddress().startsWith(QStringLiteral("127.0.0.1:")));
        QVERIFY(host.kafkaAddress().startsWith(QStringLiteral("127.0.0.1:")));

        auto channel = grpc::CreateChannel(host.nexusAddress().toStdString(),
                                           grpc::InsecureChannelCredentials());
        auto session = pb::Session::NewStub(channel);
        pb::WhoAmIResponse me;
        grpc::ClientContext ctx;
        QVERIFY(session->WhoAmI(&ctx, {}, &me).ok());
        QVERIFY(me.sandbox());

        auto fleet = pb::Fleet::NewStub(channel);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                grpc::ClientContext c;
                pb::ListInstancesResponse r;
                return fleet->ListInstances(&c, {}, &r).ok() && r.instances_size() == 4;
            }(),
            30000);

        host.stop();
        QVERIFY(!host.running());
        grpc::ClientContext late;
        late.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        QVERIFY(!session->WhoAmI(&late, {}, &me).ok());
    }
};

QTEST_GUILESS_MAIN(TestSandboxHost)
#include "tst_sandbox_host.moc"
