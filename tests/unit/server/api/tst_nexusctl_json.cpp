// nexusctl --json on every command, as a script runs it: the real binary
// against a real Nexus on loopback (and real files for the offline commands).
// Results are JSON on stdout, anything on stderr is a JSON object too, and
// errors are {"error": "...", "code": N} with N the exit status.
#include "NexusctlProcess.h"
#include "RolloutTestSupport.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <map>
#include <nlohmann/json.hpp>

using namespace rollout_test;

namespace {

using json = nlohmann::json;

using nexusctl_test::nexusctl;
using nexusctl_test::Run;

// Every non-empty line of `text` as a JSON object; false if one is not.
bool jsonLines(const QByteArray& text, std::vector<json>& out)
{
    for (const QByteArray& line : text.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        json value = json::parse(line.toStdString(), nullptr, false);
        if (value.is_discarded() || !value.is_object())
            return false;
        out.push_back(std::move(value));
    }
    return true;
}

using nexusctl_test::promptOptimization;

pb::KnowledgeEntry pitfall()
{
    pb::KnowledgeEntry e;
    e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
    e.set_title("Retry storms");
    e.set_summary("Retries without jitter synchronise the fleet.");
    e.mutable_pitfall()->set_severity("high");
    return e;
}

} // namespace

class TestNexusctlJson : public QObject
{
    Q_OBJECT

    ApiTestServer t_;
    QTemporaryDir files_;
    QStringList as_;
    // Placeholders in the rows' arguments: {entry}, {version}, ... Some are
    // filled by earlier rows (the version create-version made, the rollout
    // launch started), so the rows run in order against one Nexus.
    std::map<QString, QString> ids_;

    QStringList expand(const QStringList& args) const
    {
        QStringList out;
        for (QString a : args) {
            for (const auto& [key, value] : ids_)
                a.replace(QLatin1Char('{') + key + QLatin1Char('}'), value);
            out << a;
        }
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(t_.start());
        as_ = {QStringLiteral("--nexus"), QString::fromStdString(t_.server->nexusAddress()),
               QStringLiteral("--token"), QLatin1String(ApiTestServer::approverToken)};
        auto& store = t_.server->store();
        auto entry = store.createEntry(promptOptimization(), minuteAnHourAgoUs());
        auto other = store.createEntry(pitfall(), minuteAnHourAgoUs());
        QVERIFY(entry.ok() && other.ok());
        ids_[QStringLiteral("entry")] = QString::fromStdString(entry->entry_id());
        ids_[QStringLiteral("pitfall")] = QString::fromStdString(other->entry_id());
        ids_[QStringLiteral("retired")] =
            QString::fromStdString(makeVersion(t_, "faq_bot", "answer", pb::VERSION_STATE_RETIRED));
        makeVersion(t_, "faq_bot", "answer", pb::VERSION_STATE_LIVE);
        ids_[QStringLiteral("dir")] = files_.path();
        ids_[QStringLiteral("graph")] =
            QStringLiteral(NEXUS_SOURCE_DIR "/resources/graphs/support_triage.json");

        // A recorded trace to search and download.
        std::vector<std::string> records;
        for (const char* name : {"ev.framed", "sd.framed"}) {
            QFile f(QStringLiteral(NEXUS_TEST_DATA "/vectors/") + QLatin1String(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            records.push_back(f.readAll().toStdString());
        }
        pb::TraceSummary summary;
        summary.set_thread_id("t1");
        summary.set_graph_name("rag_pipeline");
        summary.set_status(pb::RUN_STATUS_COMPLETED);
        summary.set_started_us(minuteAnHourAgoUs());
        QVERIFY(store.upsertTraceSummary(summary).ok());
        QVERIFY(store.appendTraceRecords("t1", records).ok());
    }

    void cleanupTestCase() { t_.stop(); }

    void everyCommandPrintsJson_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("remote");    // needs --nexus/--token
        QTest::addColumn<QString>("key");    // a key the (first) object has; "" = any object
        QTest::addColumn<QString>("saveAs"); // remember the key's value as this placeholder

        auto row = [](const char* name, const QString& args, bool remote, const char* key,
                      const char* saveAs = "") {
            QTest::newRow(name) << args.split(u' ', Qt::SkipEmptyParts) << remote
                                << QString::fromLatin1(key) << QString::fromLatin1(saveAs);
        };
        row("whoami", QStringLiteral("whoami"), true, "actor");
        row("health", QStringLiteral("health"), true, "status");
        row("fleet ls", QStringLiteral("fleet ls"), true, "");
        row("kb ls", QStringLiteral("kb ls"), true, "entries");
        row("kb show", QStringLiteral("kb show {entry}"), true, "entry");
        row("kb approve", QStringLiteral("kb approve {entry} --comment fine"), true, "entry");
        row("kb reject", QStringLiteral("kb reject {pitfall} --comment stale"), true, "entry");
        row("trace ls", QStringLiteral("trace ls"), true, "traces");
        row("trace get", QStringLiteral("trace get t1 --out {dir}/t1.dstrace"), true, "");
        row("run", QStringLiteral("run {graph} --seed 1 --out {dir}/run.dstrace"), false,
            "thread_id");
        row("decode", QStringLiteral("decode {dir}/run.dstrace"), false, "");
        row("trace replay", QStringLiteral("trace replay {dir}/run.dstrace"), false, "");
        row("trace fork",
            QStringLiteral(
                "trace fork {dir}/run.dstrace --at 1 --graph {graph} --out {dir}/fork.dstrace"),
            false, "thread_id");
        row("rollout create-version", QStringLiteral("rollout create-version --from-entry {entry}"),
            true, "version_id", "version");
        row("rollout versions", QStringLiteral("rollout versions"), true, "versions");
        row("rollout launch", QStringLiteral("rollout launch {version} --steps 10,50,100"), true,
            "rollout_id", "rollout");
        row("rollout status", QStringLiteral("rollout status {rollout}"), true, "rollout_id");
        row("rollout ls", QStringLiteral("rollout ls"), true, "rollouts");
        row("rollout set-weight", QStringLiteral("rollout set-weight {rollout} 20"), true,
            "rollout_id");
        row("rollout pause", QStringLiteral("rollout pause {rollout}"), true, "rollout_id");
        row("rollout resume", QStringLiteral("rollout resume {rollout}"), true, "rollout_id");
        row("rollout series", QStringLiteral("rollout series {rollout}"), true, "");
        row("rollout promote", QStringLiteral("rollout promote {rollout}"), true, "rollout_id");
        row("rollout abort", QStringLiteral("rollout abort {rollout} --reason testing"), true,
            "rollout_id");
        row("rollout wait", QStringLiteral("rollout wait {rollout} --until done --timeout 20"),
            true, "rollout_id");
        row("rollout restore",
            QStringLiteral("rollout restore faq_bot answer {retired} --reason back"), true,
            "versions");
        row("audit ls", QStringLiteral("audit ls"), true, "records");
    }

    void everyCommandPrintsJson()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, remote);
        QFETCH(QString, key);
        QFETCH(QString, saveAs);
        const Run r = nexusctl(expand(args) + QStringList{QStringLiteral("--json")} +
                               (remote ? as_ : QStringList()));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        std::vector<json> out, err;
        QVERIFY2(jsonLines(r.out, out), r.out.constData());
        QVERIFY2(!out.empty(), "nothing on stdout");
        QVERIFY2(jsonLines(r.err, err), r.err.constData()); // stderr: JSON objects only
        if (!key.isEmpty())
            QVERIFY2(out.front().contains(key.toStdString()), r.out.constData());
        if (!saveAs.isEmpty())
            ids_[saveAs] =
                QString::fromStdString(out.front()[key.toStdString()].get<std::string>());
    }

    void errorsAreJsonWithTheExitCode_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        QTest::addColumn<bool>("remote"); // talks to the test's Nexus
        QTest::newRow("not found") << QStringList{QStringLiteral("kb"), QStringLiteral("show"),
                                                  QStringLiteral("no-such-entry")}
                                   << 1 << QStringLiteral("not found") << true;
        QTest::newRow("usage") << QStringList{QStringLiteral("fleet"), QStringLiteral("ls"),
                                              QStringLiteral("--bogus")}
                               << 2 << QStringLiteral("bogus") << true;
        QTest::newRow("unreachable")
            << QStringList{QStringLiteral("whoami"), QStringLiteral("--nexus"),
                           QStringLiteral("127.0.0.1:1"), QStringLiteral("--timeout"),
                           QStringLiteral("5")}
            << 3 << QStringLiteral("unreachable") << false;
        QTest::newRow("not allowed") << QStringList{QStringLiteral("kb"),
                                                    QStringLiteral("approve"),
                                                    QStringLiteral("x"),
                                                    QStringLiteral("--revision"),
                                                    QStringLiteral("1"),
                                                    QStringLiteral("--token"),
                                                    QLatin1String(ApiTestServer::viewerToken)}
                                     << 4 << QStringLiteral("permission denied") << true;
        QTest::newRow("offline file")
            << QStringList{QStringLiteral("trace"), QStringLiteral("replay"),
                           QStringLiteral("/nonexistent.dstrace")}
            << 2 << QStringLiteral("nonexistent") << false;
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2
                                         << QStringLiteral("unknown command") << false;
    }

    void errorsAreJsonWithTheExitCode()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, says);
        QFETCH(bool, remote);
        QStringList all = args + QStringList{QStringLiteral("--json")};
        if (remote)
            all += {QStringLiteral("--nexus"), QString::fromStdString(t_.server->nexusAddress())};
        if (remote && !args.contains(QStringLiteral("--token")))
            all += {QStringLiteral("--token"), QLatin1String(ApiTestServer::viewerToken)};
        const Run r = nexusctl(all);
        QCOMPARE(r.exitCode, code);
        QVERIFY2(r.out.isEmpty(), r.out.constData());
        std::vector<json> err;
        QVERIFY2(jsonLines(r.err, err) && err.size() == 1, r.err.constData());
        QCOMPARE(err.front().value("code", -1), code);
        QVERIFY2(QString::fromStdString(err.front().value("error", "")).contains(says),
                 r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestNexusctlJson)
#include "tst_nexusctl_json.moc"
