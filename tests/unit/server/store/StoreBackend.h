#pragma once
// The store tests run once per backend: the same test class, constructed
// with Backend::Sqlite (a file in a temporary directory per test) or
// Backend::Postgres (a new database per test in a cluster the test starts,
// PgTestCluster.h). `--backend=postgres` on the command line selects the
// second; CTest runs both (tests/unit/server/store/CMakeLists.txt).
//
// RawDb is a second, raw connection to the same database, as an operator
// with the sqlite3 shell or psql would have: it proves what the store's own
// connections cannot (the audit log refuses edits whoever connects).

#include "server/store/OpenStore.h"

#include "PgTestCluster.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <libpq-fe.h>
#include <memory>
#include <sqlite3.h>
#include <string>
#include <vector>

namespace nexus::test {

enum class Backend
{
    Sqlite,
    Postgres,
};

class RawDb
{
public:
    virtual ~RawDb() = default;
    virtual bool exec(const std::string& sql) = 0; // false on error (see lastError)
    virtual std::vector<std::string> column(const std::string& sql) = 0;
    // A literal for bytes in this dialect.
    virtual std::string blobLiteral(const std::string& bytes) const = 0;
    const std::string& lastError() const { return lastError_; }

protected:
    std::string lastError_;
};

class SqliteRawDb final : public RawDb
{
public:
    explicit SqliteRawDb(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
    ~SqliteRawDb() override { sqlite3_close(db_); }
    bool exec(const std::string& sql) override
    {
        char* error = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
        lastError_ = error ? error : "";
        sqlite3_free(error);
        return rc == SQLITE_OK;
    }
    std::vector<std::string> column(const std::string& sql) override
    {
        std::vector<std::string> out;
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
        while (sqlite3_step(stmt) == SQLITE_ROW)
            out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
        sqlite3_finalize(stmt);
        return out;
    }
    std::string blobLiteral(const std::string& bytes) const override
    {
        return "X'" + QByteArray::fromStdString(bytes).toHex().toStdString() + "'";
    }

private:
    sqlite3* db_ = nullptr;
};

class PgRawDb final : public RawDb
{
public:
    explicit PgRawDb(const std::string& uri) : conn_(PQconnectdb(uri.c_str())) {}
    ~PgRawDb() override { PQfinish(conn_); }
    bool exec(const std::string& sql) override
    {
        PGresult* r = PQexec(conn_, sql.c_str());
        const auto status = PQresultStatus(r);
        const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        lastError_ = ok ? "" : PQerrorMessage(conn_);
        PQclear(r);
        return ok;
    }
    std::vector<std::string> column(const std::string& sql) override
    {
        std::vector<std::string> out;
        PGresult* r = PQexec(conn_, sql.c_str());
        if (PQresultStatus(r) == PGRES_TUPLES_OK)
            for (int i = 0; i < PQntuples(r); ++i)
                out.emplace_back(PQgetvalue(r, i, 0));
        PQclear(r);
        return out;
    }
    std::string blobLiteral(const std::string& bytes) const override
    {
        return "'\\x" + QByteArray::fromStdString(bytes).toHex().toStdString() + "'::bytea";
    }

private:
    PGconn* conn_;
};

// One backend for a test class: call initBackend() from initTestCase() (it
// QSKIPs the class when PostgreSQL is missing, naming the package) and
// freshDatabase() from init().
class StoreFixture
{
public:
    explicit StoreFixture(Backend backend) : backend_(backend) {}

    Backend backend() const { return backend_; }
    bool isPostgres() const { return backend_ == Backend::Postgres; }
    const char* name() const { return isPostgres() ? "postgres" : "sqlite"; }
    PgTestCluster* cluster() { return cluster_.get(); }

    // Returns false with `why` when the backend cannot run here.
    bool initBackend(QString* why)
    {
        if (!isPostgres())
            return true;
        cluster_ = PgTestCluster::start(why);
        return cluster_ != nullptr;
    }

    bool freshDatabase()
    {
        if (isPostgres()) {
            spec_ = cluster_->createDatabase();
            return !spec_.empty();
        }
        dir_ = std::make_unique<QTemporaryDir>();
        spec_ = dir_->filePath("nexus.db").toStdString();
        return dir_->isValid();
    }

    const std::string& spec() const { return spec_; }

    server::StoreResult<std::unique_ptr<server::Store>> tryOpen()
    {
        return server::openStore(spec_, std::string());
    }
    std::unique_ptr<server::Store> open()
    {
        auto store = tryOpen();
        if (!store) {
            qWarning() << store.error().message.c_str();
            return nullptr;
        }
        return std::move(store.value());
    }
    std::unique_ptr<RawDb> raw() const
    {
        if (isPostgres())
            return std::make_unique<PgRawDb>(spec_);
        return std::make_unique<SqliteRawDb>(spec_);
    }

private:
    Backend backend_;
    std::unique_ptr<PgTestCluster> cluster_;
    std::unique_ptr<QTemporaryDir> dir_;
    std::string spec_;
};

// Removes `--backend=NAME` from the arguments (Qt Test would refuse it).
inline Backend takeBackendArgument(int& argc, char** argv)
{
    Backend backend = Backend::Sqlite;
    int out = 0;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--backend=postgres") == 0)
            backend = Backend::Postgres;
        else if (std::strcmp(argv[i], "--backend=sqlite") != 0)
            argv[out++] = argv[i];
    }
    argc = out;
    return backend;
}

} // namespace nexus::test

// main() for a store test class constructed with a Backend.
#define NEXUS_STORE_TEST_MAIN(TestClass)                                                           \
    int main(int argc, char** argv)                                                                \
    {                                                                                              \
        const auto backend = nexus::test::takeBackendArgument(argc, argv);                         \
        QCoreApplication app(argc, argv);                                                          \
        TestClass test(backend);                                                                   \
        return QTest::qExec(&test, argc, argv);                                                    \
    }
