// nexusctl trace replay / fork, run as a user runs them: real processes over
// real files recorded by nexusctl run. No Nexus is running: none is needed.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

namespace {

using json = nlohmann::json;

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

Run nexusctl(const QStringList& args)
{
    QProcess p;
    // A Nexus address nobody listens on: replay must not try to connect.
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NEXUS_ADDRESS"), QStringLiteral("127.0.0.1:1"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(NEXUSCTL_BIN), args);
    if (!p.waitForFinished(60000))
        qFatal("nexusctl did not finish");
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

QString graphPath(const QString& name)
{
    return QStringLiteral(NEXUS_SOURCE_DIR "/resources/graphs/") + name + QStringLiteral(".json");
}

json parse(const QByteArray& out)
{
    return json::parse(out.toStdString());
}

QString record(QTemporaryDir& dir, const QString& graph, int seed)
{
    const QString out = dir.filePath(graph + QString::number(seed) + QStringLiteral(".dstrace"));
    const Run r = nexusctl({QStringLiteral("run"), graphPath(graph), QStringLiteral("--seed"),
                            QString::number(seed), QStringLiteral("--out"), out});
    if (r.exitCode == 2)
        qFatal("nexusctl run failed: %s", r.err.constData());
    return out;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

void writeAll(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(bytes);
}

} // namespace

class TestNexusctlReplay : public QObject
{
    Q_OBJECT
private slots:
    void everySampleRunReplaysCleanly()
    {
        QTemporaryDir dir;
        for (const char* name : {"coding_agent", "rag_pipeline", "research_team", "support_triage"})
            for (int seed = 1; seed <= 3; ++seed) {
                const QString file = record(dir, QLatin1String(name), seed);
                for (const bool withGraph : {false, true}) {
                    QStringList args = {QStringLiteral("trace"), QStringLiteral("replay"), file,
                                        QStringLiteral("--json")};
                    if (withGraph)
                        args << QStringLiteral("--graph") << graphPath(QLatin1String(name));
                    const Run r = nexusctl(args);
                    QVERIFY2(r.exitCode == 0, r.out.constData());
                    const json report = parse(r.out);
                    QCOMPARE(report["ok"].get<bool>(), true);
                    QVERIFY(report["divergences"].empty());
                    QCOMPARE(report["summary"]["mismatched"].get<int>(), 0);
                    QVERIFY(report["summary"]["steps"].get<int>() > 0);
                    QCOMPARE(report["graph"]["schema_id_matches"].get<bool>(), true);
                    for (const json& step : report["steps"])
                        if (step["hash"] != "unverified") // a failed node sends no StateDiff
                            QCOMPARE(step["hash"].get<std::string>(), std::string("verified"));
                }
            }
    }

    void aModifiedGraphDivergesWithExitStatusOne()
    {
        QTemporaryDir dir;
        // Seed 1 of support_triage: find where classify routed.
        const QString file = record(dir, QStringLiteral("support_triage"), 1);
        const json clean = parse(nexusctl({QStringLiteral("trace"), QStringLiteral("replay"), file,
                                           QStringLiteral("--json")})
                                     .out);
        const std::string category = clean["steps"][0]["recorded_next"][0].get<std::string>();
        // Every route of classify now goes to the other specialists only.
        json graph =
            json::parse(readAll(graphPath(QStringLiteral("support_triage"))).toStdString());
        for (json& route : graph["edges"][0]["routes"])
            if (route["to"] == category)
                route["to"] = category == "general_agent" ? "tech_specialist" : "general_agent";
        const QString modified = dir.filePath(QStringLiteral("modified.json"));
        writeAll(modified, QByteArray::fromStdString(graph.dump()));

        Run r = nexusctl({QStringLiteral("trace"), QStringLiteral("replay"), file,
                          QStringLiteral("--graph"), modified, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 1);
        const json report = parse(r.out);
        QCOMPARE(report["ok"].get<bool>(), false);
        QCOMPARE(report["first_divergence_step"].get<int>(), 1);
        QCOMPARE(report["divergences"][0]["node"].get<std::string>(), std::string("classify"));
        QCOMPARE(report["divergences"][0]["recorded_next"][0].get<std::string>(), category);
        QCOMPARE(report["graph"]["schema_id_matches"].get<bool>(), false);

        r = nexusctl({QStringLiteral("trace"), QStringLiteral("replay"), file,
                      QStringLiteral("--graph"), modified});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("DIVERGED at step 1 (classify)"), r.out.constData());
        QVERIFY(r.out.contains("divergence  step 1 (classify, route)"));
    }

    void theHumanTableShowsEveryStep()
    {
        QTemporaryDir dir;
        const QString file = record(dir, QStringLiteral("research_team"), 2);
        const Run r = nexusctl({QStringLiteral("trace"), QStringLiteral("replay"), file});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("STEP  NODE"));
        QVERIFY(r.out.contains("web_researcher"));
        QVERIFY(r.out.contains("verified"));
        QVERIFY(r.out.contains("result      OK"));
    }

    void damagedAndUnreadableFiles()
    {
        QTemporaryDir dir;
        const QString file = record(dir, QStringLiteral("coding_agent"), 1);
        const QByteArray bytes = readAll(file);
        const QString cut = dir.filePath(QStringLiteral("cut.dstrace"));
        writeAll(cut, bytes.left(bytes.size() * 2 / 3));
        Run r = nexusctl(
            {QStringLiteral("trace"), QStringLiteral("replay"), cut, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 1);
        const json report = parse(r.out);
        QCOMPARE(report["problems"][0]["code"].get<std::string>(), std::string("truncated_file"));
        QVERIFY(report["problems"][0].contains("offset"));
        QVERIFY(report["summary"]["verified"].get<int>() > 0); // the readable part replays

        const QString garbage = dir.filePath(QStringLiteral("garbage.dstrace"));
        writeAll(garbage, QByteArray("not a trace at all"));
        r = nexusctl({QStringLiteral("trace"), QStringLiteral("replay"), garbage});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("no readable DashStream record"));

        r = nexusctl({QStringLiteral("trace"), QStringLiteral("replay"),
                      dir.filePath(QStringLiteral("missing.dstrace"))});
        QCOMPARE(r.exitCode, 2);
        r = nexusctl({QStringLiteral("trace"), QStringLiteral("replay"), file,
                      QStringLiteral("--thread"), QStringLiteral("nobody")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("nobody"));
        r = nexusctl({QStringLiteral("trace"), QStringLiteral("replay")});
        QCOMPARE(r.exitCode, 2);
        r = nexusctl(
            {QStringLiteral("trace"), QStringLiteral("replay"), file, QStringLiteral("--bogus")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(
            nexusctl({QStringLiteral("trace"), QStringLiteral("replay"), QStringLiteral("--help")})
                .exitCode,
            0);
    }

    void forkWritesANewTraceThatReplays()
    {
        QTemporaryDir dir;
        const QString file = record(dir, QStringLiteral("support_triage"), 1);
        const QString out = dir.filePath(QStringLiteral("fork.dstrace"));
        Run r = nexusctl({QStringLiteral("trace"), QStringLiteral("fork"), file,
                          QStringLiteral("--at"), QStringLiteral("1"), QStringLiteral("--set"),
                          QStringLiteral(R"({"category": "technical"})"), QStringLiteral("--graph"),
                          graphPath(QStringLiteral("support_triage")), QStringLiteral("--out"), out,
                          QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json summary = parse(r.out);
        QCOMPARE(summary["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(summary["nodes"][0]["node"].get<std::string>(), std::string("tech_specialist"));
        QVERIFY(summary["thread_id"].get<std::string>().ends_with("~fork1"));

        r = nexusctl({QStringLiteral("trace"), QStringLiteral("replay"), out,
                      QStringLiteral("--graph"), graphPath(QStringLiteral("support_triage")),
                      QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const json report = parse(r.out);
        QCOMPARE(report["forked_from_step"].get<std::string>(), std::string("1"));
        QVERIFY(report["thread_id"] == summary["thread_id"]);

        // Without scripts or a recording for tech_specialist, the fork needs --output.
        json bare = json::parse(readAll(graphPath(QStringLiteral("support_triage"))).toStdString());
        for (json& node : bare["nodes"])
            for (const char* key : {"updates", "tools", "llm", "latency_ms", "quality", "warnings",
                                    "error_probability", "error_message"})
                node.erase(key);
        const QString bareGraph = dir.filePath(QStringLiteral("bare.json"));
        writeAll(bareGraph, QByteArray::fromStdString(bare.dump()));
        const json recorded = parse(nexusctl({QStringLiteral("trace"), QStringLiteral("replay"),
                                              file, QStringLiteral("--json")})
                                        .out);
        const std::string taken = recorded["steps"][0]["recorded_next"][0].get<std::string>();
        const std::string other = taken == "tech_specialist" ? "billing" : "technical";
        const std::string otherNode =
            taken == "tech_specialist" ? "billing_specialist" : "tech_specialist";
        QStringList args = {QStringLiteral("trace"),
                            QStringLiteral("fork"),
                            file,
                            QStringLiteral("--at"),
                            QStringLiteral("1"),
                            QStringLiteral("--set"),
                            QString::fromStdString(json{{"category", other}}.dump()),
                            QStringLiteral("--graph"),
                            bareGraph,
                            QStringLiteral("--out"),
                            out};
        r = nexusctl(args);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(("needs       an output for \"" + otherNode).c_str()),
                 r.out.constData());
        args << QStringLiteral("--output")
             << QString::fromStdString(otherNode + R"(={"resolution": "typed"})");
        r = nexusctl(args);
        QVERIFY2(r.exitCode == 0, r.out.constData());
        QVERIFY(r.out.contains("typed"));
    }
};

QTEST_GUILESS_MAIN(TestNexusctlReplay)
#include "tst_nexusctl_replay.moc"
