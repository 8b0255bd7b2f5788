// nexusctl rollout series | restore | wait, run as a pipeline runs them: the
// real binary against a real Nexus on loopback.
#include "NexusctlProcess.h"
#include "RolloutTestSupport.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace rollout_test;

namespace {

using nexusctl_test::nexusctl;
using nexusctl_test::Run;

// A `rollout wait` running in the background, its output collected as it comes.
struct Waiter
{
    QProcess process;
    QByteArray out;

    explicit Waiter(const QStringList& args)
    {
        QObject::connect(&process, &QProcess::readyReadStandardOutput,
                         [this] { out += process.readAllStandardOutput(); });
        process.start(QStringLiteral(NEXUSCTL_BIN), args);
    }
    ~Waiter()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }
    int finish()
    {
        if (!process.waitForFinished(30000))
            return -1;
        out += process.readAllStandardOutput();
        return process.exitCode();
    }
};

QString utc(std::int64_t us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000, Qt::UTC)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

// The table row that starts with `time`, its cells split on runs of two or more spaces.
QStringList rowAt(const QByteArray& out, const QString& time)
{
    for (const QByteArray& line : out.split('\n'))
        if (line.startsWith(time.toUtf8()))
            return QString::fromUtf8(line).split(QRegularExpression(QStringLiteral("\\s{2,}")));
    return {};
}

} // namespace

class TestNexusctlRollout : public QObject
{
    Q_OBJECT

    ApiTestServer t_;
    std::unique_ptr<pb::Rollouts::Stub> rollouts_;
    QStringList as_;

    pb::Rollout launchHeld(const std::string& versionId, const std::string& requestId)
    {
        pb::Rollout r;
        const auto s =
            rollouts_->LaunchRollout(ApiTestServer::as(ApiTestServer::approverToken).get(),
                                     holdingLaunch(versionId, requestId), &r);
        if (!s.ok())
            qWarning("launch: %s", s.error_message().c_str());
        return r;
    }

    QStringList waitArgs(const pb::Rollout& r, const QStringList& more) const
    {
        return QStringList{QStringLiteral("rollout"), QStringLiteral("wait"),
                           QString::fromStdString(r.rollout_id())} +
               more + as_;
    }

private slots:
    void init()
    {
        QVERIFY(t_.start());
        rollouts_ = pb::Rollouts::NewStub(t_.channel());
        as_ = QStringList{QStringLiteral("--nexus"),
                          QString::fromStdString(t_.server->nexusAddress()),
                          QStringLiteral("--token"), QLatin1String(ApiTestServer::approverToken)};
    }

    void cleanup()
    {
        rollouts_.reset();
        t_.stop();
    }

    void waitEndsWhenTheRolloutIsPromoted()
    {
        const pb::Rollout r = launchHeld(
            makeVersion(t_, "support_triage", "classify", pb::VERSION_STATE_CANDIDATE), "l-1");
        const QString id = QString::fromStdString(r.rollout_id());
        QVERIFY(!id.isEmpty());

        // Already at step 2 (the pause): step:2 is reached at once.
        const Run atStep =
            nexusctl(waitArgs(r, {QStringLiteral("--until"), QStringLiteral("step:2")}));
        QCOMPARE(atStep.exitCode, 0);
        QVERIFY2(atStep.out.contains("reached: rollout " + id.toUtf8() +
                                     " paused, step 2/3, weight 50%"),
                 atStep.out.constData());

        Waiter waiter(waitArgs(r, {QStringLiteral("--until"), QStringLiteral("promoted"),
                                   QStringLiteral("--timeout"), QStringLiteral("60")}));
        // The first line is the state when the watch began: from now on nothing is missed.
        QTRY_VERIFY_WITH_TIMEOUT(waiter.out.contains("paused, step 2/3, weight 50%"), 15000);
        const Run promoted =
            nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("promote"), id,
                                 QStringLiteral("--full"), QStringLiteral("--request-id"),
                                 QStringLiteral("promote-all")} +
                     as_);
        QVERIFY2(promoted.exitCode == 0, promoted.err.constData());
        QVERIFY(promoted.err.contains("request id: promote-all"));
        QCOMPARE(waiter.finish(), 0);
        QVERIFY2(waiter.out.contains("reached: rollout " + id.toUtf8() +
                                     " promoted, step 3/3, weight 100%"),
                 waiter.out.constData());
    }

    void waitReportsAnAbortAndATimeout()
    {
        const pb::Rollout r =
            launchHeld(makeVersion(t_, "billing_bot", "route", pb::VERSION_STATE_CANDIDATE), "l-2");
        const QString id = QString::fromStdString(r.rollout_id());

        const Run timedOut =
            nexusctl(waitArgs(r, {QStringLiteral("--until"), QStringLiteral("done"),
                                  QStringLiteral("--timeout"), QStringLiteral("1")}));
        QCOMPARE(timedOut.exitCode, 4);
        QVERIFY2(timedOut.out.contains("timed out after 1 s: rollout " + id.toUtf8() +
                                       " paused, step 2/3, weight 50%"),
                 timedOut.out.constData());

        Waiter waiter(waitArgs(r, {QStringLiteral("--until"), QStringLiteral("promoted")}));
        QTRY_VERIFY_WITH_TIMEOUT(waiter.out.contains("paused, step 2/3"), 15000);
        const Run aborted = nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("abort"),
                                                 id, QStringLiteral("--reason"),
                                                 QStringLiteral("answers got too long")} +
                                     as_);
        QVERIFY2(aborted.exitCode == 0, aborted.err.constData());
        QVERIFY(aborted.err.startsWith("request id: "));
        QCOMPARE(waiter.finish(), 3);
        QVERIFY2(waiter.out.contains("ended: rollout " + id.toUtf8() +
                                     " aborted (waiting for promoted): answers got too long"),
                 waiter.out.constData());

        const Run unknown = nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("wait"),
                                                 QStringLiteral("nope"), QStringLiteral("--until"),
                                                 QStringLiteral("done")} +
                                     as_);
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY(unknown.err.contains("not found"));
        const Run badUntil =
            nexusctl(waitArgs(r, {QStringLiteral("--until"), QStringLiteral("step:0")}));
        QCOMPARE(badUntil.exitCode, 2);
    }

    void seriesPrintsCanaryAgainstBaseline()
    {
        const std::int64_t t0 = minuteAnHourAgoUs();
        const std::string baseline =
            makeVersion(t_, "rag_pipeline", "generate", pb::VERSION_STATE_RETIRED);
        pb::Rollout r;
        r.set_version_id(makeVersion(t_, "rag_pipeline", "generate", pb::VERSION_STATE_LIVE));
        r.set_baseline_version_id(baseline);
        r.set_graph_name("rag_pipeline");
        r.set_node_id("generate");
        r.set_phase(pb::ROLLOUT_PHASE_PROMOTED);
        r.set_created_us(t0);
        r.set_updated_us(t0 + 180 * kSecond);
        auto created = t_.server->store().createRollout(r);
        QVERIFY(created.ok());
        const std::string id = created->rollout_id();
        const std::string canary = r.version_id();
        addSample(t_, {t0 + 5 * kSecond, canary, 100, 0.9, false, 1000, id});
        addSample(t_, {t0 + 20 * kSecond, canary, 300, 0.7, true, 3000, id});
        addSample(t_, {t0 + 30 * kSecond, baseline, 50, 0.5, false, 500, id});
        addSample(t_, {t0 + 150 * kSecond, baseline, 80, std::nullopt, true, 200, id});

        const QStringList args = QStringList{QStringLiteral("rollout"), QStringLiteral("series"),
                                             QString::fromStdString(id), QStringLiteral("--step"),
                                             QStringLiteral("60")} +
                                 as_;
        const Run table = nexusctl(args);
        QVERIFY2(table.exitCode == 0, table.err.constData());
        QVERIFY2(table.out.startsWith("rollout " + QByteArray::fromStdString(id) + " from " +
                                      utc(t0).toUtf8() + " to " + utc(t0 + 180 * kSecond).toUtf8() +
                                      " UTC, step 60 s: 2 canary runs, 2 baseline runs\n"),
                 table.out.constData());
        QVERIFY(table.out.contains("TIME (UTC)"));
        // Minute 0: quality (0.9 + 0.7) / 2; p95 of 100 and 300 ms = 100 + 0.95 * 200;
        // one of two failed; cost (1000 + 3000) / 2 micros.
        QCOMPARE(rowAt(table.out, utc(t0)),
                 (QStringList{utc(t0), QStringLiteral("2 / 1"), QStringLiteral("0.800 / 0.500"),
                              QStringLiteral("290 / 50"), QStringLiteral("50.0% / 0.0%"),
                              QStringLiteral("$0.0020 / $0.0005")}));
        QVERIFY(rowAt(table.out, utc(t0 + 60 * kSecond)).isEmpty()); // no runs: no row
        QCOMPARE(rowAt(table.out, utc(t0 + 120 * kSecond)),
                 (QStringList{utc(t0 + 120 * kSecond), QStringLiteral("- / 1"),
                              QStringLiteral("- / -"), QStringLiteral("- / 80"),
                              QStringLiteral("- / 100.0%"), QStringLiteral("- / $0.0002")}));

        const Run json = nexusctl(args + QStringList{QStringLiteral("--json")});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(o.value(QStringLiteral("step_seconds")).toInt(), 60);
        const QJsonArray series = o.value(QStringLiteral("series")).toArray();
        QCOMPARE(series.size(), 4);
        QCOMPARE(series.at(0).toObject().value(QStringLiteral("metric")).toString(),
                 QStringLiteral("quality"));
        QCOMPARE(series.at(0).toObject().value(QStringLiteral("baseline")).toArray().size(), 1);

        const Run missing = nexusctl(QStringList{QStringLiteral("rollout"),
                                                 QStringLiteral("series"), QStringLiteral("nope")} +
                                     as_);
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("not found"));
    }

    void restorePutsTheNodeBack()
    {
        const std::string v1 = makeVersion(t_, "faq_bot", "answer", pb::VERSION_STATE_RETIRED);
        const std::string v2 = makeVersion(t_, "faq_bot", "answer", pb::VERSION_STATE_LIVE);
        const QStringList base = {QStringLiteral("rollout"), QStringLiteral("restore"),
                                  QStringLiteral("faq_bot"), QStringLiteral("answer")};
        const QString reason = QStringLiteral("v2 confuses the retriever");

        const Run noReason = nexusctl(base + QStringList{QString::fromStdString(v1)} + as_);
        QCOMPARE(noReason.exitCode, 2);
        QVERIFY(noReason.err.contains("--reason"));
        // Pinned to what the caller saw, which is no longer what is live.
        const Run stale =
            nexusctl(base +
                     QStringList{QString::fromStdString(v1), QStringLiteral("--reason"), reason,
                                 QStringLiteral("--seen-shipped")} +
                     as_);
        QCOMPARE(stale.exitCode, 1);
        QVERIFY2(stale.err.contains("refused: faq_bot/answer runs version " +
                                    QByteArray::fromStdString(v2) +
                                    ", not the graph as shipped as you saw it"),
                 stale.err.constData());
        QCOMPARE(stateOf(t_, v2), pb::VERSION_STATE_LIVE);

        // By default the live version is read first.
        const Run restored =
            nexusctl(base +
                     QStringList{QString::fromStdString(v1), QStringLiteral("--reason"), reason,
                                 QStringLiteral("--request-id"), QStringLiteral("restore-1")} +
                     as_);
        QVERIFY2(restored.exitCode == 0, restored.err.constData());
        QVERIFY(restored.err.contains("request id: restore-1"));
        QVERIFY2(restored.out.startsWith("restored faq_bot/answer: version " +
                                         QByteArray::fromStdString(v1) + " is live (was version " +
                                         QByteArray::fromStdString(v2) + ")\n"),
                 restored.out.constData());
        QVERIFY(restored.out.contains("STATE"));
        QCOMPARE(stateOf(t_, v1), pb::VERSION_STATE_LIVE);
        QCOMPARE(stateOf(t_, v2), pb::VERSION_STATE_RETIRED);

        const Run shipped =
            nexusctl(base +
                     QStringList{QStringLiteral("--shipped"), QStringLiteral("--reason"), reason,
                                 QStringLiteral("--json")} +
                     as_);
        QVERIFY2(shipped.exitCode == 0, shipped.err.constData());
        const QJsonArray versions = QJsonDocument::fromJson(shipped.out)
                                        .object()
                                        .value(QStringLiteral("versions"))
                                        .toArray();
        QCOMPARE(versions.size(), 2);
        for (const auto& v : versions)
            QCOMPARE(v.toObject().value(QStringLiteral("state")).toString(),
                     QStringLiteral("VERSION_STATE_RETIRED"));

        const Run listed =
            nexusctl(QStringList{QStringLiteral("rollout"), QStringLiteral("versions"),
                                 QStringLiteral("--graph"), QStringLiteral("faq_bot"),
                                 QStringLiteral("--node"), QStringLiteral("answer")} +
                     as_);
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(listed.out.contains(QByteArray::fromStdString(v1)));
        QVERIFY(!listed.out.contains("live"));
    }
};

QTEST_GUILESS_MAIN(TestNexusctlRollout)
#include "tst_nexusctl_rollout.moc"
