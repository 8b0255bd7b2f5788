// FleetMetrics as Prometheus scrapes it: known runs in, GET /metrics over
// loopback HTTP, and the series, labels, counts and the user_id cap out.
#include "protocol/Ids.h"
#include "server/ingest/RunTracker.h"
#include "server/metrics/FleetMetrics.h"

#include "HttpGet.h"
#include "MetricsText.h"

#include <QTest>

using namespace nexus;
using namespace nexus::server;
using nexus::test::httpGet;
using nexus::test::parseExposition;
using nexus::test::select;
using nexus::test::valueOf;

namespace {

RunLabels labels(const std::string& id, const std::string& region, const std::string& user = {})
{
    RunLabels l;
    l.instance.set_instance_id(id);
    l.instance.set_deployment("dasher");
    l.instance.set_version("1.9.0");
    l.instance.set_host("node-" + id);
    l.instance.set_region(region);
    l.userId = user;
    return l;
}

RunSample sample(const std::string& id, double seconds, bool failed, std::int64_t costMicros,
                 std::int64_t tokens, std::optional<double> quality = {})
{
    RunSample s;
    s.instanceId = id;
    s.deployment = "dasher";
    s.version = "1.9.0";
    s.durationUs = static_cast<std::int64_t>(seconds * 1e6);
    s.failed = failed;
    s.costMicros = costMicros;
    s.tokens = tokens;
    s.quality = quality;
    return s;
}

std::vector<nexus::test::Sample> scrape(const FleetMetrics& metrics)
{
    const auto reply = httpGet(metrics.address(), "/metrics");
    if (reply.status != 200)
        qFatal("GET /metrics on %s answered %d", metrics.address().c_str(), reply.status);
    return parseExposition(reply.body);
}

// A run as a DashFlow producer sends it: GRAPH_START with the fleet labels
// (and user_id when given), node metrics with cost, GRAPH_END.
void produce(RunTracker& tracker, const std::string& thread, const std::string& user)
{
    std::int64_t t = 1'700'000'000'000'000;
    std::uint64_t sequence = 0;
    auto header = [&](ds::MessageType type) {
        ds::Header h;
        h.set_message_id(protocol::newMessageId());
        h.set_timestamp_us(t += 500'000);
        h.set_tenant_id("acme");
        h.set_thread_id(thread);
        h.set_sequence(++sequence);
        h.set_type(type);
        return h;
    };
    ds::DashStreamMessage start;
    ds::Event* e = start.mutable_event();
    *e->mutable_header() = header(ds::MESSAGE_TYPE_EVENT);
    e->set_event_type(ds::EVENT_TYPE_GRAPH_START);
    std::map<std::string, std::string> attributes = {
        {"graph_name", "rag_pipeline"}, {"instance_id", "dash-ai-euw1-01"},
        {"deployment", "dash-ai"},      {"version", "2.0.1"},
        {"host", "dash-ai-node-a10"},   {"region", "eu-west-1"}};
    if (!user.empty())
        attributes["user_id"] = user;
    for (const auto& [k, v] : attributes)
        (*e->mutable_attributes())[k].set_string_value(v);
    tracker.apply(start, t);

    ds::DashStreamMessage metrics;
    ds::Metrics* m = metrics.mutable_metrics();
    *m->mutable_header() = header(ds::MESSAGE_TYPE_METRICS);
    m->set_scope("node");
    (*m->mutable_metrics())["cost_usd"].set_float_value(0.25);
    (*m->mutable_metrics())["total_tokens"].set_float_value(1000);
    tracker.apply(metrics, t);

    ds::DashStreamMessage end;
    ds::Event* g = end.mutable_event();
    *g->mutable_header() = header(ds::MESSAGE_TYPE_EVENT);
    g->set_event_type(ds::EVENT_TYPE_GRAPH_END);
    tracker.apply(end, t);
}

} // namespace

class TestFleetMetrics : public QObject
{
    Q_OBJECT

private slots:
    void everySeriesCarriesTheFleetLabels()
    {
        FleetMetrics metrics;
        QVERIFY(metrics.listen("127.0.0.1:0"));
        QVERIFY(metrics.address().starts_with("127.0.0.1:"));
        QVERIFY(!metrics.address().ends_with(":0"));

        metrics.addRun(sample("a-01", 0.2, false, 120'000, 500, 0.8),
                       labels("a-01", "us-east-1", "alice"));
        metrics.addRun(sample("a-01", 1.5, true, 30'000, 100), labels("a-01", "us-east-1"));
        metrics.addRun(sample("a-01", 30, false, 250'000, 400, 0.6),
                       labels("a-01", "us-east-1", "alice"));
        metrics.addRun(sample("b-02", 3, false, 10'000, 50), labels("b-02", ""));

        const auto s = scrape(metrics);
        const std::map<std::string, std::string> a = {{"instance_id", "a-01"},
                                                      {"deployment", "dasher"},
                                                      {"version", "1.9.0"},
                                                      {"host", "node-a-01"},
                                                      {"region", "us-east-1"}};
        const std::map<std::string, std::string> b = {{"instance_id", "b-02"}, {"region", ""}};
        QCOMPARE(valueOf(s, "dashstream_runs_total", a), 3.0);
        QCOMPARE(valueOf(s, "dashstream_errors_total", a), 1.0);
        QCOMPARE(valueOf(s, "dashstream_runs_total", b), 1.0);
        // A healthy instance has its error series at 0, so rate() ranks it too.
        QCOMPARE(valueOf(s, "dashstream_errors_total", b), 0.0);
        QCOMPARE(valueOf(s, "dashstream_tokens_total", a), 1000.0);

        // Latency: a histogram in seconds.
        auto bucket = [&](const char* le) {
            auto match = a;
            match["le"] = le;
            return valueOf(s, "dashstream_latency_seconds_bucket", match);
        };
        QCOMPARE(bucket("0.1"), 0.0);
        QCOMPARE(bucket("0.25"), 1.0);
        QCOMPARE(bucket("2.5"), 2.0);
        QCOMPARE(bucket("20"), 2.0);
        QCOMPARE(bucket("30"), 3.0);
        QCOMPARE(bucket("120"), 3.0);
        QCOMPARE(bucket("+Inf"), 3.0);
        QCOMPARE(valueOf(s, "dashstream_latency_seconds_count", a), 3.0);
        QVERIFY(qFuzzyCompare(*valueOf(s, "dashstream_latency_seconds_sum", a), 31.7));

        // Quality: the mean of the runs that had a score; none: no series.
        QVERIFY(qFuzzyCompare(*valueOf(s, "dashstream_quality_score", a), 0.7));
        QVERIFY(select(s, "dashstream_quality_score", {{"instance_id", "b-02"}}).empty());

        // Cost per user; a run without a user counts as "unknown".
        auto alice = a, unknown = a;
        alice["user_id"] = "alice";
        unknown["user_id"] = "unknown";
        QVERIFY(qFuzzyCompare(*valueOf(s, "dashstream_cost_dollars_total", alice), 0.37));
        QVERIFY(qFuzzyCompare(*valueOf(s, "dashstream_cost_dollars_total", unknown), 0.03));
        QCOMPARE(select(s, "dashstream_cost_dollars_total").size(), std::size_t(3));

        // Every per-instance series has all five fleet labels.
        for (const auto& sample : s) {
            if (!sample.name.starts_with("dashstream_") ||
                sample.name == "dashstream_label_overflow_total")
                continue;
            for (const char* label : {"instance_id", "deployment", "version", "host", "region"})
                QVERIFY2(sample.labels.contains(label), (sample.name + " lacks " + label).c_str());
        }
        QVERIFY(select(s, "dashstream_label_overflow_total").empty() ||
                *valueOf(s, "dashstream_label_overflow_total") == 0);
    }

    void usersBeyondTheCapFoldIntoOverflow()
    {
        FleetMetricsOptions options;
        options.maxUsersPerInstance = 2;
        FleetMetrics metrics(options);
        QVERIFY(metrics.listen("127.0.0.1:0"));
        for (const char* user : {"u1", "u2", "u3", "u4", "u1", "u3"})
            metrics.addRun(sample("a-01", 1, false, 1'000'000, 10), labels("a-01", "r", user));
        // The cap is per instance: another instance has room for u3.
        metrics.addRun(sample("b-02", 1, false, 2'000'000, 10), labels("b-02", "r", "u3"));

        const auto s = scrape(metrics);
        auto cost = [&](const std::string& instance, const std::string& user) {
            return valueOf(s, "dashstream_cost_dollars_total",
                           {{"instance_id", instance}, {"user_id", user}});
        };
        QCOMPARE(cost("a-01", "u1"), 2.0);
        QCOMPARE(cost("a-01", "u2"), 1.0);
        QCOMPARE(cost("a-01", "__overflow__"), 3.0); // u3, u4, u3 again
        QCOMPARE(cost("a-01", "u3"), std::nullopt);
        QCOMPARE(cost("b-02", "u3"), 2.0);
        QCOMPARE(select(s, "dashstream_cost_dollars_total", {{"instance_id", "a-01"}}).size(),
                 std::size_t(3));
        QCOMPARE(valueOf(s, "dashstream_label_overflow_total", {{"label", "user_id"}}), 3.0);
        // Folding loses no money: the per-instance sum is every run's cost.
        double total = 0;
        for (const auto& c : select(s, "dashstream_cost_dollars_total", {{"instance_id", "a-01"}}))
            total += c.value;
        QCOMPARE(total, 6.0);
    }

    void ingestHealthIsReadAtScrapeTime()
    {
        FleetMetrics metrics;
        QVERIFY(metrics.listen("127.0.0.1:0"));
        QVERIFY(select(scrape(metrics), "nexusd_ingest_records_total").empty());
        IngestStats stats;
        stats.records = 42;
        stats.badRecords = 3;
        stats.kafkaConnected = true;
        metrics.setIngestStats([&stats] { return stats; });
        auto s = scrape(metrics);
        QCOMPARE(valueOf(s, "nexusd_ingest_records_total"), 42.0);
        QCOMPARE(valueOf(s, "nexusd_ingest_bad_records_total"), 3.0);
        QCOMPARE(valueOf(s, "nexusd_ingest_kafka_up"), 1.0);
        QVERIFY(select(s, "nexusd_ingest_lag_records").empty()); // not known yet: left out
        stats.records = 50;
        stats.lagRecords = 7;
        s = scrape(metrics);
        QCOMPARE(valueOf(s, "nexusd_ingest_records_total"), 50.0);
        QCOMPARE(valueOf(s, "nexusd_ingest_lag_records"), 7.0);
        QVERIFY(metrics.render().find("nexusd_ingest_records_total 50") != std::string::npos);
    }

    void userIdComesFromGraphStart()
    {
        RunTracker tracker;
        produce(tracker, "thread-1", "carol");
        produce(tracker, "thread-2", ""); // an upstream producer without user_id
        const TrackerChanges changes = tracker.takeChanges();
        QCOMPARE(changes.finished.size(), std::size_t(2));
        QCOMPARE(changes.finishedLabels.size(), std::size_t(2));

        FleetMetrics metrics;
        QVERIFY(metrics.listen("127.0.0.1:0"));
        metrics.addRuns(changes.finished, changes.finishedLabels);
        const auto s = scrape(metrics);
        const std::map<std::string, std::string> fleet = {{"instance_id", "dash-ai-euw1-01"},
                                                          {"deployment", "dash-ai"},
                                                          {"version", "2.0.1"},
                                                          {"host", "dash-ai-node-a10"},
                                                          {"region", "eu-west-1"}};
        auto carol = fleet, unknown = fleet;
        carol["user_id"] = "carol";
        unknown["user_id"] = "unknown";
        QCOMPARE(valueOf(s, "dashstream_cost_dollars_total", carol), 0.25);
        QCOMPARE(valueOf(s, "dashstream_cost_dollars_total", unknown), 0.25);
        QCOMPARE(valueOf(s, "dashstream_tokens_total", fleet), 2000.0);
        QCOMPARE(valueOf(s, "dashstream_runs_total", fleet), 2.0);
    }

    void listenRefusesWhatCannotWork()
    {
        FleetMetrics first;
        QVERIFY(first.listen("127.0.0.1:0"));
        const auto bad = first.listen("no-port-here");
        QVERIFY(!bad);
        QVERIFY(QString::fromStdString(bad.error().message).contains("HOST:PORT"));
        QVERIFY(first.address().empty()); // the failed listen replaced the old one

        FleetMetrics a, b;
        QVERIFY(a.listen("127.0.0.1:0"));
        const auto busy = b.listen(a.address());
        QVERIFY(!busy);
        QVERIFY2(QString::fromStdString(busy.error().message).contains("cannot listen"),
                 busy.error().message.c_str());

        const std::string address = a.address();
        QCOMPARE(httpGet(address, "/metrics").status, 200);
        a.stopListening();
        QCOMPARE(httpGet(address, "/metrics", 1000).status, 0); // stopped means stopped
    }
};

QTEST_GUILESS_MAIN(TestFleetMetrics)
#include "tst_fleet_metrics.moc"
