// Secrets and the audit trail, with real processes and real files:
// - a real nexusd (tokens file holding only SHA-256 digests) called by the
//   real nexusctl with good and bad tokens (--token, NEXUS_TOKEN,
//   --token-file): no token string appears in nexusd's or nexusctl's output,
//   in the audit rows or anywhere in the SQLite files;
// - the console's settings file never holds a token, and where the system
//   keychain is unavailable a token is not stored and the user is told;
// - the audit log refuses UPDATE and DELETE through the store and through
//   raw SQLite on the same file, and nexusd refuses to start on a file whose
//   append-only triggers were dropped.
#include "client/ConnectionProfile.h"
#include "client/Keychain.h"
#include "client/ProfileStore.h"
#include "server/store/SqliteStore.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

namespace pb = ::nexus::v1;
using namespace nexus::client;

namespace {

const QByteArray kViewer = "vw-7c1e0a2f-secret";
const QByteArray kOperator = "op-51d9b6c3-secret";
const QByteArray kApprover = "ap-2b8e4471-secret";
const QByteArray kBad = "bad-9f03e5aa-guess";

QByteArray sha256Hex(const QByteArray& token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
}

// Every file under `dir` whose bytes contain `needle`.
QStringList filesContaining(const QString& dir, const QByteArray& needle)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            hits << f.fileName();
    }
    return hits;
}

struct Ctl
{
    int exitCode = -1;
    QByteArray output; // stdout and stderr
};

Ctl nexusctl(const QString& address, const QStringList& args, const QByteArray& envToken = {})
{
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("NEXUS_TOKEN"));
    if (!envToken.isEmpty())
        env.insert(QStringLiteral("NEXUS_TOKEN"), QString::fromLatin1(envToken));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(NEXUSCTL_BIN),
            args + QStringList{"--nexus", address, "--timeout", "10"});
    if (!p.waitForFinished(30000))
        return {};
    return {p.exitCode(), p.readAll()};
}

// Raw SQLite on the store's file, beside nexusd's own connection.
struct RawDb
{
    sqlite3* db = nullptr;
    explicit RawDb(const QString& path)
    {
        sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr);
        sqlite3_busy_timeout(db, 5000);
    }
    ~RawDb() { sqlite3_close(db); }
    // The error message, or "" when the statement ran.
    QString exec(const char* sql)
    {
        char* error = nullptr;
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
        QString text = rc == SQLITE_OK ? QString() : QString::fromUtf8(error ? error : "failed");
        sqlite3_free(error);
        return text;
    }
    QStringList rows(const char* sql)
    {
        QStringList out;
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
        while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
            QStringList cols;
            for (int c = 0; c < sqlite3_column_count(stmt); ++c)
                cols << QString::fromUtf8(
                    reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
            out << cols.join(QLatin1Char('|'));
        }
        sqlite3_finalize(stmt);
        return out;
    }
};

} // namespace

class TestAccessSecrets : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;
    QString dataDir() const { return dir_.filePath(QStringLiteral("data")); }
    QString dbPath() const { return dir_.filePath(QStringLiteral("data/nexus.db")); }

    // Starts nexusd; its address, or "" (the reason in `output`).
    QString startNexusd(QProcess& nexusd, QByteArray& output)
    {
        nexusd.setProcessChannelMode(QProcess::MergedChannels);
        nexusd.start(QStringLiteral(NEXUSD_BIN),
                     {"--listen", "127.0.0.1:0", "--data-dir", dataDir(), "--tokens",
                      dir_.filePath(QStringLiteral("tokens.json"))});
        QString address;
        (void)QTest::qWaitFor(
            [&] {
                nexusd.waitForReadyRead(200);
                output += nexusd.readAll();
                for (const QByteArray& line : output.split('\n'))
                    if (line.startsWith("nexus: "))
                        address = QString::fromLatin1(line.mid(7).trimmed());
                return !address.isEmpty() || nexusd.state() == QProcess::NotRunning;
            },
            30000);
        return address;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        QFile tokens(dir_.filePath(QStringLiteral("tokens.json")));
        QVERIFY(tokens.open(QIODevice::WriteOnly));
        tokens.write(R"({"tokens": [
            {"name": "vic", "role": "viewer", "token_sha256": ")" +
                     sha256Hex(kViewer) + R"("},
            {"name": "olga", "role": "operator", "token_sha256": ")" +
                     sha256Hex(kOperator) + R"("},
            {"name": "alice", "role": "approver", "token_sha256": ")" +
                     sha256Hex(kApprover) + R"("}]})");
    }

    void tokensNeverReachLogsOrTheStore()
    {
        // An entry to review, put into the store before nexusd opens it.
        std::string entryId;
        {
            QDir().mkpath(dataDir());
            auto store = nexus::server::SqliteStore::open(dbPath().toStdString());
            QVERIFY(store);
            pb::KnowledgeEntry e;
            e.set_kind(pb::KNOWLEDGE_KIND_PITFALL);
            e.set_title("Retries without jitter");
            auto created = (*store)->createEntry(e, 1'700'000'000'000'000);
            QVERIFY(created);
            entryId = created->entry_id();
        }
        const QString entry = QString::fromStdString(entryId);
        QProcess nexusd;
        struct Stop
        {
            QProcess& p;
            ~Stop()
            {
                p.terminate();
                p.waitForFinished(20000);
            }
        } stop{nexusd};
        QByteArray serverOutput;
        const QString address = startNexusd(nexusd, serverOutput);
        QVERIFY2(!address.isEmpty(), serverOutput.constData());

        QByteArray clientOutput;
        const auto call = [&](const QStringList& args, const QByteArray& envToken, int expected) {
            const Ctl ctl = nexusctl(address, args, envToken);
            clientOutput += ctl.output;
            if (ctl.exitCode != expected)
                qWarning("nexusctl %s: %s", qPrintable(args.join(u' ')), ctl.output.constData());
            return ctl.exitCode == expected;
        };
        const QString tokenFile = dir_.filePath(QStringLiteral("operator.token"));
        {
            QFile f(tokenFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kOperator + '\n');
        }
        QVERIFY(call({"whoami", "--token", kViewer}, {}, 0));
        QVERIFY(call({"whoami"}, kOperator, 0));
        QVERIFY(call({"whoami", "--token-file", tokenFile}, {}, 0));
        QVERIFY(call({"whoami", "--token", kBad}, {}, 4));
        QVERIFY(call({"whoami"}, kBad, 4));
        // Refused changes are audited: an unknown token, a role too low.
        QVERIFY(call({"kb", "approve", entry, "--revision", "1", "--token", kBad}, {}, 4));
        QVERIFY(call({"kb", "approve", entry, "--revision", "1"}, kBad, 4));
        QVERIFY(call({"kb", "approve", entry, "--revision", "1", "--token", kViewer}, {}, 4));
        QVERIFY(call({"kb", "approve", entry, "--token", kApprover}, {}, 0));
        QVERIFY(call({"audit", "ls", "--token", kOperator}, {}, 0));
        QVERIFY(clientOutput.contains("not signed in"));
        QVERIFY(clientOutput.contains("vic"));

        nexusd.terminate();
        QVERIFY(nexusd.waitForFinished(20000));
        serverOutput += nexusd.readAll();

        for (const QByteArray& token : {kViewer, kOperator, kApprover, kBad}) {
            QVERIFY2(!serverOutput.contains(token), serverOutput.constData());
            QVERIFY2(!clientOutput.contains(token), clientOutput.constData());
            // Not in the audit rows, nor anywhere in the data directory's files
            // (the database, its WAL).
            const QStringList hits = filesContaining(dataDir(), token);
            QVERIFY2(hits.isEmpty(), qPrintable(hits.join(u", ")));
        }
        RawDb raw(dbPath());
        const QStringList audit = raw.rows("SELECT actor FROM audit_log"
                                           " WHERE action = 'knowledge.review' ORDER BY seq");
        QCOMPARE(audit, (QStringList{"unauthenticated", "unauthenticated", "vic", "alice"}));
    }

    void auditLogRefusesEditsThroughTheStore()
    {
        auto store = nexus::server::SqliteStore::open(
            dir_.filePath(QStringLiteral("store.db")).toStdString());
        QVERIFY(store);
        pb::AuditRecord record;
        record.set_actor("alice");
        record.set_action("rollout.promote");
        record.set_outcome("ok");
        auto first = (*store)->appendAudit(record);
        QVERIFY(first);
        // Appending a record that names an existing seq adds a new row.
        record.set_seq(first->seq());
        record.set_actor("mallory");
        auto second = (*store)->appendAudit(record);
        QVERIFY(second);
        QVERIFY(second->seq() != first->seq());
        // Retention prunes traces, never the audit log.
        nexus::server::RetentionPolicy policy;
        policy.traceMaxAgeUs = 0;
        policy.sampleMaxAgeUs = 0;
        QVERIFY((*store)->prune(policy, std::numeric_limits<std::int64_t>::max() / 2));
        auto page = (*store)->listAudit({});
        QVERIFY(page);
        QCOMPARE(page->records.size(), std::size_t(2));
        QCOMPARE(page->records.back().actor(), std::string("alice"));
    }

    void auditLogRefusesEditsThroughRawSqlite()
    {
        // The file nexusd wrote in the first test, with nexusd's store open too.
        auto store = nexus::server::SqliteStore::open(dbPath().toStdString());
        QVERIFY(store);
        RawDb raw(dbPath());
        const char* all = "SELECT seq, actor, action, target, request_id, hex(data) FROM audit_log";
        const QStringList before = raw.rows(all);
        QVERIFY(!before.isEmpty());
        QCOMPARE(raw.exec("UPDATE audit_log SET actor = 'mallory'"),
                 QStringLiteral("the audit log is append-only: records cannot be changed"));
        QCOMPARE(raw.exec("DELETE FROM audit_log WHERE actor = 'vic'"),
                 QStringLiteral("the audit log is append-only: records cannot be deleted"));
        QCOMPARE(raw.rows(all), before);
        QCOMPARE((*store)->listAudit({})->records.size(), std::size_t(before.size()));
    }

    void droppedTriggerStopsNexusd()
    {
        {
            RawDb raw(dbPath());
            QCOMPARE(raw.exec("DROP TRIGGER audit_log_no_delete"), QString());
        }
        QProcess nexusd;
        QByteArray output;
        const QString address = startNexusd(nexusd, output);
        QVERIFY2(address.isEmpty(), "nexusd started on an audit log that can be edited");
        QVERIFY(nexusd.state() == QProcess::NotRunning || nexusd.waitForFinished(20000));
        output += nexusd.readAll();
        QVERIFY(nexusd.exitCode() != 0);
        QVERIFY2(output.contains("no longer append-only") && output.contains("audit_log_no_delete"),
                 output.constData());
        // The store API refuses the file the same way.
        auto store = nexus::server::SqliteStore::open(dbPath().toStdString());
        QVERIFY(!store);
        QVERIFY(store.error().message.find("append-only") != std::string::npos);
    }

    void settingsNeverHoldATokenAndNoKeychainMeansNotStored()
    {
        // No keychain service reachable: storing a token fails with a
        // message, and no file under the (temporary) home holds it.
        const QString home = dir_.filePath(QStringLiteral("home"));
        QDir().mkpath(home);
        qputenv("HOME", home.toUtf8());
        qputenv("XDG_CONFIG_HOME", (home + QStringLiteral("/.config")).toUtf8());
        qputenv("XDG_DATA_HOME", (home + QStringLiteral("/.local/share")).toUtf8());
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/nexus-test-bus");
        const auto stored =
            writeKeychainSecret(QStringLiteral("prod-token"), QString::fromLatin1(kViewer), 5000);
        QVERIFY(!stored);
        QVERIFY2(!stored.error().message.isEmpty(), "no reason given");
        qInfo("without a keychain the user reads: %s", qPrintable(stored.error().message));
        QVERIFY2(filesContaining(home, kViewer).isEmpty(), "the token was written somewhere");

        // A profile whose token comes from the environment or the keychain:
        // the settings file names where, never the token.
        qputenv("NEXUS_TEST_TOKEN", kOperator);
        const QString ini = dir_.filePath(QStringLiteral("console.ini"));
        {
            QSettings settings(ini, QSettings::IniFormat);
            ProfileStore profiles(&settings);
            ConnectionProfile p;
            p.name = QStringLiteral("prod");
            p.nexusEndpoint = QStringLiteral("nexus.example.com:7420");
            p.tlsCaPath = dir_.filePath(QStringLiteral("ca.pem"));
            p.tlsCertPath = dir_.filePath(QStringLiteral("client.pem"));
            p.tlsKeyPath = dir_.filePath(QStringLiteral("client.key"));
            p.token = {SecretSource::Kind::EnvVar, QStringLiteral("NEXUS_TEST_TOKEN")};
            p.kafkaSecrets.insert(QStringLiteral("sasl.password"),
                                  {SecretSource::Kind::EnvVar, QStringLiteral("NEXUS_TEST_TOKEN")});
            QVERIFY(profiles.save(p));
            QCOMPARE(resolveSecret(profiles.profile(QStringLiteral("prod"))->token).value(),
                     QString::fromLatin1(kOperator));
            // A secret typed as a plain librdkafka property is refused, unsaved.
            p.kafkaProperties.insert(QStringLiteral("sasl.password"), QString::fromLatin1(kBad));
            QVERIFY(!profiles.save(p));
        }
        QFile file(ini);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(!bytes.contains(kOperator));
        QVERIFY(!bytes.contains(kBad));
        QVERIFY(bytes.contains("client.key")); // the key's path, not the key
    }
};

QTEST_GUILESS_MAIN(TestAccessSecrets)
#include "tst_access_secrets.moc"
