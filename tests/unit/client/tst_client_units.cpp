// Pure client logic: gRPC status texts, reconnect backoff, fleet update merging.
#include "client/Backoff.h"
#include "client/FleetUpdateMerge.h"
#include "client/GrpcStatusText.h"
#include "client/LibraryVersions.h"

#include <QTest>

using namespace nexus::client;
namespace pb = ::nexus::v1;

namespace {

pb::Instance instance(const std::string& id, double rate)
{
    pb::Instance i;
    i.set_instance_id(id);
    i.mutable_metrics()->set_runs_per_sec(rate);
    return i;
}

QStringList ids(const pb::FleetUpdate& u)
{
    QStringList out;
    for (const auto& i : u.upserted())
        out << QString::fromStdString(i.instance_id());
    return out;
}

QStringList removed(const pb::FleetUpdate& u)
{
    QStringList out;
    for (const auto& id : u.removed())
        out << QString::fromStdString(id);
    return out;
}

} // namespace

class TestClientUnits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void statusText_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unavailable")
            << int(grpc::StatusCode::UNAVAILABLE) << "failed to connect to all addresses"
            << "Nexus is unreachable: failed to connect to all addresses";
        QTest::newRow("permission")
            << int(grpc::StatusCode::PERMISSION_DENIED) << "needs role approver, you are viewer"
            << "Permission denied: needs role approver, you are viewer";
        QTest::newRow("unauthenticated")
            << int(grpc::StatusCode::UNAUTHENTICATED) << "unknown or revoked token"
            << "Not signed in: unknown or revoked token. Check the token of the connection "
               "profile.";
        QTest::newRow("unauthenticated, no message")
            << int(grpc::StatusCode::UNAUTHENTICATED) << ""
            << "Not signed in: no valid token. Check the token of the connection profile.";
        QTest::newRow("deadline") << int(grpc::StatusCode::DEADLINE_EXCEEDED) << ""
                                  << "Nexus did not answer in time; try again.";
        QTest::newRow("precondition")
            << int(grpc::StatusCode::FAILED_PRECONDITION) << "entry changed by bob"
            << "Refused because the object changed or is in the wrong state; refresh and "
               "decide again: entry changed by bob";
        QTest::newRow("internal") << int(grpc::StatusCode::INTERNAL) << "boom"
                                  << "Nexus failed with an internal error (INTERNAL): boom";
        QTest::newRow("weird code") << 99 << ""
                                    << "Nexus failed with an internal error (CODE_99).";
    }
    void statusText()
    {
        QFETCH(int, code);
        QFETCH(QString, server);
        QFETCH(QString, expected);
        QCOMPARE(grpcStatusText(static_cast<grpc::StatusCode>(code), server), expected);
    }

    void statusTextNamesTheOperation()
    {
        const grpc::Status status(grpc::StatusCode::NOT_FOUND, "no rollout r-9");
        QCOMPARE(grpcStatusText(status, QStringLiteral("Promoting")),
                 QStringLiteral("Promoting failed. Not found: no rollout r-9"));
    }

    void retryable()
    {
        QVERIFY(isRetryable(grpc::StatusCode::UNAVAILABLE));
        QVERIFY(isRetryable(grpc::StatusCode::ABORTED));
        QVERIFY(!isRetryable(grpc::StatusCode::PERMISSION_DENIED));
        QVERIFY(!isRetryable(grpc::StatusCode::UNAUTHENTICATED));
        QVERIFY(!isRetryable(grpc::StatusCode::INVALID_ARGUMENT));
    }

    void backoffGrowsAndCapsWithJitter()
    {
        BackoffPolicy policy; // 250 ms .. 8 s, x2, ±20 %
        std::mt19937_64 random(42);
        const int expected[] = {250, 500, 1000, 2000, 4000, 8000, 8000, 8000};
        for (int attempt = 1; attempt <= 8; ++attempt) {
            for (int trial = 0; trial < 200; ++trial) {
                const auto ms = policy.delay(attempt, random).count();
                const int base = expected[attempt - 1];
                QVERIFY2(ms >= base * 0.8 - 1 && ms <= base * 1.2 + 1,
                         qPrintable(QStringLiteral("attempt %1: %2 ms").arg(attempt).arg(ms)));
            }
        }
        // The jitter really spreads: not every delay is the same.
        std::set<long long> seen;
        for (int i = 0; i < 50; ++i)
            seen.insert(policy.delay(3, random).count());
        QVERIFY(seen.size() > 10);
        QVERIFY(policy.delay(1000, random).count() <= 9600);
    }

    void mergeDeltas()
    {
        pb::FleetUpdate a;
        *a.add_upserted() = instance("i-1", 1);
        *a.add_upserted() = instance("i-2", 2);
        a.add_removed("i-9");
        a.set_revision(5);
        pb::FleetUpdate b;
        *b.add_upserted() = instance("i-2", 20); // newer metrics win
        *b.add_upserted() = instance("i-9", 9);  // came back: no longer removed
        b.add_removed("i-1");                    // left: its upsert goes
        b.add_removed("i-7");
        b.mutable_totals()->set_instances(3);
        b.set_revision(6);
        mergeFleetUpdate(a, b);
        QCOMPARE(ids(a), (QStringList{"i-2", "i-9"}));
        QCOMPARE(a.upserted(0).metrics().runs_per_sec(), 20.0);
        QCOMPARE(removed(a), (QStringList{"i-1", "i-7"}));
        QCOMPARE(a.totals().instances(), 3);
        QCOMPARE(a.revision(), quint64(6));
        QVERIFY(!a.full());
    }

    void mergeIntoFullStaysFull()
    {
        pb::FleetUpdate full;
        full.set_full(true);
        *full.add_upserted() = instance("i-1", 1);
        *full.add_upserted() = instance("i-2", 2);
        pb::FleetUpdate delta;
        delta.add_removed("i-1");
        *delta.add_upserted() = instance("i-3", 3);
        mergeFleetUpdate(full, delta);
        QVERIFY(full.full());
        QCOMPARE(ids(full), (QStringList{"i-2", "i-3"}));
        QVERIFY(removed(full).isEmpty()); // a snapshot lists who is there
    }

    void fullReplaces()
    {
        pb::FleetUpdate delta;
        *delta.add_upserted() = instance("i-1", 1);
        delta.add_removed("i-5");
        pb::FleetUpdate full;
        full.set_full(true);
        *full.add_upserted() = instance("i-4", 4);
        full.set_revision(1);
        mergeFleetUpdate(delta, full);
        QVERIFY(delta.full());
        QCOMPARE(ids(delta), QStringList{"i-4"});
        QVERIFY(removed(delta).isEmpty());
    }

    void libraryVersionsNameGrpc()
    {
        bool found = false;
        for (const auto& [library, version] : libraryVersions())
            if (library == QLatin1String("gRPC"))
                found = !version.isEmpty();
        QVERIFY(found);
    }
};

QTEST_GUILESS_MAIN(TestClientUnits)
#include "tst_client_units.moc"
