#pragma once
// The console and nexusd's ingestion as the fault tests run them: a
// ConsoleSession on a remote profile (a real Nexus on loopback and the
// embedded broker's Kafka), its status-bar lines recorded; and an Ingestor
// over a real SQLite store, its status lines recorded.

#include "client/ConnectionProfile.h"
#include "server/api/NexusServer.h"
#include "server/ingest/FleetAggregator.h"
#include "server/ingest/Ingestor.h"
#include "server/store/SqliteStore.h"

#include "ConsoleSession.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nexus::faults {

// One status-bar line the console showed, and when (ms since the test began).
struct StatusLine
{
    QString text;
    bool problem = false;
    qint64 atMs = 0;
};

// A remote Nexus for the console to open (no ingestion of its own).
inline std::unique_ptr<server::NexusServer> startNexus(const QTemporaryDir& dir,
                                                       const std::string& listen = "127.0.0.1:0")
{
    const std::string tokens = (dir.path() + "/tokens.json").toStdString();
    std::ofstream(tokens)
        << R"({"tokens": [{"name": "op", "role": "viewer", "token": "fault-secret"}]})";
    server::ServerOptions o;
    o.listen = listen;
    o.dataDir = (dir.path() + "/nexus-data").toStdString();
    o.tokensFile = tokens;
    auto started = server::NexusServer::start(o);
    if (!started)
        qFatal("Nexus did not start: %s", started.error().message.c_str());
    return std::move(*started);
}

inline client::ConnectionProfile remoteProfile(const std::string& nexus, const std::string& kafka)
{
    qputenv("FAULT_TEST_TOKEN", "fault-secret");
    client::ConnectionProfile p;
    p.name = QStringLiteral("faults");
    p.kind = client::ConnectionProfile::Kind::Remote;
    p.nexusEndpoint = QString::fromStdString(nexus);
    p.token = {client::SecretSource::Kind::EnvVar, QStringLiteral("FAULT_TEST_TOKEN")};
    p.kafkaBootstrapServers = QString::fromStdString(kafka);
    return p;
}

// A console reading a remote cluster starts at the end of each partition:
// records produced before its offsets are resolved would not be its to see.
// True once it has its partitions and has fetched (the lag is known).
inline bool readingFromNow(const client::KafkaConsumer& consumer, int partitions)
{
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 30'000) {
        const client::KafkaStats stats = consumer.stats();
        if (stats.assignedPartitions == partitions && stats.lag >= 0)
            return true;
        QTest::qWait(50); // a poll with a deadline: the event loop keeps running
    }
    return false;
}

// Records every status line and notification the session emits (until it
// is destroyed: the connections end with it).
struct ConsoleWatch
{
    QObject context;
    QElapsedTimer clock;
    std::vector<StatusLine> kafka, nexus, fleet;
    QStringList notes;

    explicit ConsoleWatch(app::ConsoleSession& session)
    {
        clock.start();
        QObject::connect(&session, &app::ConsoleSession::kafkaStatus, &context,
                         [this](const QString& t, bool p) {
                             kafka.push_back({t, p, clock.elapsed()});
                         });
        QObject::connect(&session, &app::ConsoleSession::nexusStatus, &context,
                         [this](const QString& t, bool p) {
                             nexus.push_back({t, p, clock.elapsed()});
                         });
        QObject::connect(&session, &app::ConsoleSession::fleetStatus, &context,
                         [this](const QString& t, bool p) {
                             fleet.push_back({t, p, clock.elapsed()});
                         });
        QObject::connect(&session, &app::ConsoleSession::notify, &context,
                         [this](const QString& n) { notes << n; });
    }
    static StatusLine last(const std::vector<StatusLine>& lines)
    {
        return lines.empty() ? StatusLine{} : lines.back();
    }
    // The first line at or after `sinceMs` that satisfies `pred`, or null.
    template <class Pred>
    static const StatusLine* first(const std::vector<StatusLine>& lines, qint64 sinceMs, Pred pred)
    {
        for (const StatusLine& line : lines)
            if (line.atMs >= sinceMs && pred(line))
                return &line;
        return nullptr;
    }
};

// nexusd's ingestion over its own SQLite file, its status lines recorded.
struct NexusdIngest
{
    // Declared first: the ingestor's worker reports into them until it stops.
    QElapsedTimer clock;
    mutable std::mutex mutex;
    std::vector<std::pair<std::string, bool>> lines;
    std::vector<qint64> lineTimes;

    std::unique_ptr<server::SqliteStore> store;
    server::FleetAggregator fleet;
    std::unique_ptr<server::Ingestor> ingestor;

    NexusdIngest(const QTemporaryDir& dir, const std::string& bootstrap,
                 const std::map<std::string, std::string>& consumerConfig = {})
    {
        clock.start();
        auto opened = server::SqliteStore::open((dir.path() + "/ingest.db").toStdString());
        if (!opened)
            qFatal("store: %s", opened.error().message.c_str());
        store = std::move(*opened);
        server::IngestorOptions options;
        options.bootstrapServers = bootstrap;
        options.topics = {"dashstream-events"};
        options.groupId = "nexusd-faults";
        options.consumerConfig = consumerConfig;
        options.onStatus = [this](const std::string& line, bool problem) {
            std::lock_guard lock(mutex);
            lines.emplace_back(line, problem);
            lineTimes.push_back(clock.elapsed());
        };
        ingestor = std::make_unique<server::Ingestor>(options, *store, fleet);
    }
    ~NexusdIngest() { ingestor.reset(); } // before the store it writes to
    std::vector<std::pair<std::string, bool>> statusLines() const
    {
        std::lock_guard lock(mutex);
        return lines;
    }
    qint64 lineTime(std::size_t i) const
    {
        std::lock_guard lock(mutex);
        return i < lineTimes.size() ? lineTimes[i] : -1;
    }
};

} // namespace nexus::faults
