// Sustained load (issue 11, "Load"): nexusd ingesting its simulated fleet at
// ten times the default rate for minutes, with the console attached.
//
// nexusd runs as its own process (`--simulate 24 --sim-rate 5
// --sim-realtime`: 24 simulated instances each starting 5 runs a second
// instead of 0.5, messages published as they come due, ingested by the same
// nexusd). The broker (the embedded one, which keeps every record in memory)
// is hosted by a second nexusd, so its memory is not counted as the load's. The console is the
// real MainWindow + ConsoleSession in this process, offscreen, on a Remote
// profile to that nexusd and its broker, showing the fleet view, so it reads
// the fleet stream and consumes every live record as a user's console does.
//
// Every few seconds the benchmark samples: nexusd's and the console's
// resident memory, nexusd's ingest lag (the topic's high watermarks minus
// the offsets nexusd committed under its group), the console's Kafka lag and
// the records it dropped because it fell behind. The figures are the growth
// rates after a 6-minute warm-up (nexusd fills its 5-minute fleet window), which must be flat, and
// the levels. Nothing asserts a timing: only that the load really ran.

#include "client/ConnectionProfile.h"
#include "client/KafkaConsumer.h"

#include "BenchSupport.h"
#include "ConsoleSession.h"
#include "MainWindow.h"

#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <librdkafka/rdkafka.h>
#include <string>
#include <vector>

using namespace nexus;
using namespace nexus::bench;

namespace {

const QString kNexusd = QStringLiteral(NEXUS_BINARY_DIR "/server/nexusd");
const char* const kTopic = "dashstream-events";
constexpr int kPartitions = 4; // the sandbox's embedded topic
constexpr double kSimRate = 5; // runs/s per instance: 10x nexusd's default 0.5
// Longer than nexusd's fleet window (5 minutes), over which its memory fills.
constexpr double kWarmUpSeconds = 360;

struct Sample
{
    double t = 0;           // seconds since the load started
    double nexusdRss = 0;   // bytes
    double consoleRss = 0;  // bytes (this process)
    double nexusdCpu = 0;   // seconds
    std::int64_t topic = 0; // records the topic holds
    std::int64_t nexusdLag = 0;
    std::int64_t consoleLag = 0;
    std::uint64_t consoleRecords = 0;
    std::uint64_t consoleDropped = 0;
};

// The topic's high watermarks and the offsets committed by nexusd's group,
// read with a consumer handle that never joins the group.
class LagProbe
{
public:
    explicit LagProbe(const std::string& bootstrap)
    {
        char errstr[512] = {};
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        for (const auto& [key, value] :
             {std::pair{"bootstrap.servers", bootstrap.c_str()}, std::pair{"group.id", "nexusd"},
              std::pair{"enable.auto.commit", "false"}, std::pair{"log.connection.close", "false"}})
            if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
                qFatal("lag probe setting %s: %s", key, errstr);
        rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
        if (!rk_)
            qFatal("lag probe: %s", errstr);
    }
    ~LagProbe() { rd_kafka_destroy(rk_); }
    LagProbe(const LagProbe&) = delete;
    LagProbe& operator=(const LagProbe&) = delete;

    // False when the broker does not answer.
    bool read(std::int64_t& held, std::int64_t& lag)
    {
        rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(kPartitions);
        for (int p = 0; p < kPartitions; ++p)
            rd_kafka_topic_partition_list_add(list, kTopic, p);
        const bool ok = rd_kafka_committed(rk_, list, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR;
        held = lag = 0;
        for (int p = 0; ok && p < kPartitions; ++p) {
            std::int64_t low = 0, high = 0;
            if (rd_kafka_query_watermark_offsets(rk_, kTopic, p, &low, &high, 10'000)) {
                rd_kafka_topic_partition_list_destroy(list);
                return false;
            }
            const std::int64_t committed = list->elems[p].offset;
            held += high;
            lag += high - (committed >= 0 ? committed : 0);
        }
        rd_kafka_topic_partition_list_destroy(list);
        return ok;
    }

private:
    rd_kafka_t* rk_ = nullptr;
};

// Least-squares slope of y over t, per minute.
double slopePerMinute(const std::vector<Sample>& samples, double (*y)(const Sample&))
{
    const double n = double(samples.size());
    if (n < 2)
        return 0;
    double st = 0, sy = 0, stt = 0, sty = 0;
    for (const Sample& s : samples) {
        st += s.t;
        sy += y(s);
        stt += s.t * s.t;
        sty += s.t * y(s);
    }
    const double denominator = n * stt - st * st;
    return denominator == 0 ? 0 : (n * sty - st * sy) / denominator * 60.0;
}

// Starts nexusd with `args` on a free loopback port; false unless it prints
// its ready lines within a minute.
bool launch(QProcess& process, QStringList args, QString& nexus, QString& kafka)
{
    args << QStringLiteral("--listen") << QStringLiteral("127.0.0.1:0");
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(kNexusd, args);
    if (!process.waitForStarted())
        return false;
    const QRegularExpression nexusLine(QStringLiteral("nexus: (\\S+)"));
    const QRegularExpression kafkaLine(QStringLiteral("kafka: (\\S+)"));
    QString out;
    const double deadline = nowSeconds() + 60;
    while (nowSeconds() < deadline && process.state() == QProcess::Running) {
        process.waitForReadyRead(1000);
        out += QString::fromUtf8(process.readAllStandardOutput());
        if (nexusLine.match(out).hasMatch() && kafkaLine.match(out).hasMatch()) {
            nexus = nexusLine.match(out).captured(1);
            kafka = kafkaLine.match(out).captured(1);
            return true;
        }
    }
    return false;
}

// A full run lasts longer than Qt Test's default 5-minute watchdog.
const bool kWatchdog = qputenv("QTEST_FUNCTION_TIMEOUT", "3600000");

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

class BenchLoad : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void tenTimesSimulatorRate()
    {
        const int seconds = smoke() ? 20 : qEnvironmentVariableIntValue("NEXUS_BENCH_LOAD_SECONDS");
        const int duration = seconds > 0 ? seconds : 900;
        const int every = smoke() ? 2 : 5;

        // The broker lives in a process of its own (an nexusd that only
        // hosts the embedded broker and reads it under another group), so that
        // the topic it keeps in memory is not counted as the load nexusd's.
        QTemporaryDir dir;
        const QString tokens = dir.filePath(QStringLiteral("tokens.json"));
        {
            QFile file(tokens);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(
                R"({"tokens": [{"name": "load", "role": "viewer", "token": "load-secret"}]})");
        }
        qputenv("NEXUS_LOAD_TOKEN", "load-secret");
        QProcess brokerHost;
        QString nexusAddress, kafkaAddress;
        QVERIFY(launch(brokerHost,
                       {QStringLiteral("--embedded-kafka"), QStringLiteral("--group-id"),
                        QStringLiteral("broker-host"), QStringLiteral("--tokens"), tokens,
                        QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("broker"))},
                       nexusAddress, kafkaAddress));
        QProcess nexusd;
        QString ignored;
        QVERIFY(
            launch(nexusd,
                   {QStringLiteral("--kafka"), kafkaAddress, QStringLiteral("--simulate"),
                    QStringLiteral("24"), QStringLiteral("--sim-rate"), QString::number(kSimRate),
                    QStringLiteral("--sim-realtime"), QStringLiteral("--seed"),
                    QStringLiteral("11"), QStringLiteral("--tokens"), tokens,
                    QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("nexusd"))},
                   nexusAddress, ignored));

        app::MainWindow w;
        w.resize(1600, 1000);
        w.show();
        client::ConnectionProfile profile;
        profile.name = QStringLiteral("load");
        profile.kind = client::ConnectionProfile::Kind::Remote;
        profile.nexusEndpoint = nexusAddress;
        profile.kafkaBootstrapServers = kafkaAddress;
        profile.token = {client::SecretSource::Kind::EnvVar, QStringLiteral("NEXUS_LOAD_TOKEN")};
        profile.topics = {QString::fromLatin1(kTopic)};
        w.openProfile(profile);
        QVERIFY(w.showView(QStringLiteral("fleet")));
        QTRY_VERIFY_WITH_TIMEOUT(
            w.session()->kafka() && w.session()->kafka()->stats().assignedPartitions > 0, 60'000);

        LagProbe probe(kafkaAddress.toStdString());
        std::vector<Sample> samples;
        const double start = nowSeconds();
        while (nowSeconds() - start < duration) {
            spin(every * 1000);
            Sample s;
            s.t = nowSeconds() - start;
            s.nexusdRss = processResidentBytes(nexusd.processId());
            s.nexusdCpu = processCpuSeconds(nexusd.processId());
            s.consoleRss = double(residentBytes());
            QVERIFY2(s.nexusdRss > 0, "nexusd exited under load");
            QVERIFY(probe.read(s.topic, s.nexusdLag));
            const client::KafkaStats stats = w.session()->kafka()->stats();
            s.consoleLag = std::max<std::int64_t>(0, stats.lag);
            s.consoleRecords = stats.records;
            s.consoleDropped = stats.dropped;
            samples.push_back(s);
            qInfo("t=%5.0fs topic=%lld nexusd rss=%.1f MB lag=%lld | console rss=%.1f MB lag=%lld "
                  "records=%llu dropped=%llu",
                  s.t, (long long)s.topic, s.nexusdRss / 1e6, (long long)s.nexusdLag,
                  s.consoleRss / 1e6, (long long)s.consoleLag, (unsigned long long)s.consoleRecords,
                  (unsigned long long)s.consoleDropped);
        }
        nexusd.terminate();
        QVERIFY(nexusd.waitForFinished(30'000));
        brokerHost.terminate();
        QVERIFY(brokerHost.waitForFinished(30'000));

        // The load ran: the topic grew, nexusd committed, the console consumed.
        QVERIFY(samples.size() >= 4);
        const Sample& first = samples.front();
        const Sample& last = samples.back();
        QVERIFY(last.topic > first.topic);
        QVERIFY(last.topic - last.nexusdLag > first.topic - first.nexusdLag);
        QVERIFY(last.consoleRecords > first.consoleRecords);

        // nexusd's memory fills for its longest in-memory window (the fleet
        // view's 5 minutes of finished runs; finished runs stay 2 minutes in
        // the run tracker): growth is measured after it, or over the last
        // half of a shorter run.
        const double warmUp = duration >= 2 * kWarmUpSeconds ? kWarmUpSeconds : duration / 2.0;
        std::vector<Sample> steady;
        std::copy_if(samples.begin(), samples.end(), std::back_inserter(steady),
                     [warmUp](const Sample& s) { return s.t >= warmUp; });
        QVERIFY(steady.size() >= 2);
        const double window = last.t - first.t;
        const double rate = double(last.topic - first.topic) / window;
        const std::string note = std::to_string(duration) + " s at " + std::to_string(int(rate)) +
                                 " records/s; slope after a " + std::to_string(int(warmUp)) +
                                 " s warm-up";
        report({"load.records_per_s", "records/s", {rate}, {}, "the simulator's output at 10x"});
        report({"load.nexusd.rss_growth",
                "MB/min",
                {slopePerMinute(steady, [](const Sample& s) { return s.nexusdRss / 1e6; })},
                {1.0, Better::Lower, "issue 11: memory flat under 10x simulator load"},
                note});
        report({"load.nexusd.rss", "MB", {last.nexusdRss / 1e6}, {}, "at the end"});
        report({"load.nexusd.cpu",
                "%",
                {100.0 * (last.nexusdCpu - first.nexusdCpu) / window},
                {},
                "of one core"});
        report({"load.nexusd.lag_growth",
                "records/min",
                {slopePerMinute(steady, [](const Sample& s) { return double(s.nexusdLag); })},
                {600, Better::Lower, "issue 11: no growth in queues (under 10 records/s)"},
                note + "; committed offsets trail by up to the commit interval"});
        std::vector<double> lags;
        for (const Sample& s : steady)
            lags.push_back(double(s.nexusdLag));
        report({"load.nexusd.lag", "records", lags, {}, "median after the warm-up"});
        report({"load.console.rss_growth",
                "MB/min",
                {slopePerMinute(steady, [](const Sample& s) { return s.consoleRss / 1e6; })},
                {1.0, Better::Lower, "issue 11: memory flat under 10x simulator load"},
                note});
        report({"load.console.rss", "MB", {last.consoleRss / 1e6}, {}, "at the end"});
        std::vector<double> consoleLags;
        for (const Sample& s : steady)
            consoleLags.push_back(double(s.consoleLag));
        report({"load.console.lag", "records", consoleLags, {}, "median after the warm-up"});
        report({"load.console.dropped",
                "records",
                {double(last.consoleDropped)},
                {},
                "records the console let go because it fell behind"});
    }
};

QTEST_MAIN(BenchLoad)
#include "bench_load.moc"
