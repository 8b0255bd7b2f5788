// nexusctl decode, run as a user runs it: a real process over a real file.
#include "protocol/Dstrace.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <nlohmann/json.hpp>

namespace {

QByteArray vector(const char* name)
{
    QFile f(QStringLiteral(NEXUS_TEST_DATA "/vectors/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing vector %s", name);
    return f.readAll();
}

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

Run run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(30000))
        qFatal("%s did not finish", qPrintable(program));
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

std::string str(const nlohmann::json& j)
{
    return j.is_string() ? j.get<std::string>() : j.dump();
}

long long num(const nlohmann::json& j)
{
    return j.is_number_integer() ? j.get<long long>() : -1;
}

std::vector<nlohmann::json> lines(const QByteArray& out)
{
    std::vector<nlohmann::json> result;
    for (const QByteArray& line : out.split('\n'))
        if (!line.isEmpty())
            result.push_back(nlohmann::json::parse(line.toStdString()));
    return result;
}

} // namespace

class TestNexusctlDecode : public QObject
{
    Q_OBJECT
private slots:
    void decodesATraceAndGoesOnAfterABadRecord()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("vectors.dstrace"));
        {
            std::ofstream out(path.toStdString(), std::ios::binary);
            nexus::protocol::DstraceWriter writer(out);
            QVERIFY(writer.append(vector("ev.framed").toStdString()).ok());
            QVERIFY(writer.append(std::string("\x02garbage")).ok());
            QVERIFY(writer.append(vector("sd.framed").toStdString()).ok());
        }
        const Run r = run(QStringLiteral(NEXUSCTL_BIN), {QStringLiteral("decode"), path});
        QCOMPARE(r.exitCode, 1); // one bad record
        const auto records = lines(r.out);
        QCOMPARE(records.size(), 3u);

        const auto& ev = records[0];
        QCOMPARE(str(ev["kind"]), std::string("event"));
        QCOMPARE(str(ev["frame"]), std::string("plain"));
        QCOMPARE(num(ev["index"]), 0LL);
        QCOMPARE(str(ev["header"]["message_id"]), std::string("0102030405060708090a0b0c0d0e0f10"));
        QCOMPARE(num(ev["header"]["timestamp_us"]), 1700000000000000LL);
        QCOMPARE(str(ev["header"]["tenant_id"]), std::string("default"));
        QCOMPARE(str(ev["header"]["thread_id"]), std::string("t1"));
        QCOMPARE(num(ev["header"]["sequence"]), 1LL);
        QCOMPARE(str(ev["header"]["type"]), std::string("MESSAGE_TYPE_EVENT"));
        QCOMPARE(str(ev["event"]["event_type"]), std::string("EVENT_TYPE_NODE_START"));
        QCOMPARE(str(ev["event"]["node_id"]), std::string("agent"));

        QCOMPARE(num(records[1]["index"]), 1LL);
        QCOMPARE(str(records[1]["error"]["code"]), std::string("unknown_frame"));
        QVERIFY(records[1]["error"]["message"].get<std::string>().find("0x02") !=
                std::string::npos);

        const auto& sd = records[2];
        QCOMPARE(str(sd["kind"]), std::string("state_diff"));
        QCOMPARE(num(sd["header"]["sequence"]), 2LL);
        QCOMPARE(str(sd["state_diff"]["operations"][0]["op"]), std::string("OP_TYPE_REPLACE"));
        QCOMPARE(str(sd["state_diff"]["operations"][0]["path"]), std::string("/count"));
        QCOMPARE(num(sd["state_diff"]["operations"][0]["value"]), 2LL);
        QCOMPARE(str(sd["state_diff"]["state_hash"]),
                 std::string("57413ce83ee1d989e384dfd3a82c6e2d9052a23c4204706bd2d7df11aa4c2d7c"));
    }

    void decodesOneRawRecord()
    {
        const Run r = run(QStringLiteral(NEXUSCTL_BIN),
                          {QStringLiteral("decode"), QStringLiteral("--raw"),
                           QStringLiteral(NEXUS_TEST_DATA "/vectors/ev.framed")});
        QCOMPARE(r.exitCode, 0);
        const auto records = lines(r.out);
        QCOMPARE(records.size(), 1u);
        QCOMPARE(str(records[0]["event"]["node_id"]), std::string("agent"));
        QCOMPARE(num(records[0]["record_bytes"]), 60LL);
    }

    void missingFileIsAClearError()
    {
        const Run r = run(QStringLiteral(NEXUSCTL_BIN),
                          {QStringLiteral("decode"), QStringLiteral("/nonexistent.dstrace")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("cannot open"));
        QVERIFY(r.out.isEmpty());
    }

    void binariesAnswerHelpAndVersion_data()
    {
        QTest::addColumn<QString>("program");
        QTest::newRow("nexusctl") << QStringLiteral(NEXUSCTL_BIN);
        QTest::newRow("nexusd") << QStringLiteral(NEXUSD_BIN);
    }
    void binariesAnswerHelpAndVersion()
    {
        QFETCH(QString, program);
        const Run version = run(program, {QStringLiteral("--version")});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.contains("0.1.0"));
        const Run help = run(program, {QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("Usage:"));
        const Run bad = run(program, {QStringLiteral("--no-such-option")});
        QCOMPARE(bad.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestNexusctlDecode)
#include "tst_nexusctl_decode.moc"
