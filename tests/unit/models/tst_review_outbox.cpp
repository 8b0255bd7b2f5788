// ReviewOutbox on real files in a QTemporaryDir: reviews that could not be
// delivered survive a console restart (a second instance reads what the
// first wrote), leave when delivered or discarded, one per entry; a damaged
// file is moved aside with a sentence saying so, never overwritten; a file
// that cannot be written is reported by saveProblem(). Under
// QAbstractItemModelTester (Fatal) throughout.
#include "models/ReviewOutbox.h"

#include "nexus/v1/knowledge.pb.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using nexus::models::PendingReview;
using nexus::models::ReviewOutbox;
namespace pb = ::nexus::v1;

namespace {

constexpr qint64 kT0 = 1'764'000'000'000'000; // 2025-11-24, µs
constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

PendingReview review(const QString& requestId, const QString& entryId, int decision,
                     const QString& comment = {})
{
    PendingReview r;
    r.requestId = requestId;
    r.entryId = entryId;
    r.title = QStringLiteral("rag_pipeline/generate: a clearer system prompt");
    r.seenRevision = 1;
    r.decision = decision;
    r.comment = comment;
    r.queuedAtUs = kT0;
    return r;
}

QStringList column(const QAbstractItemModel& model, int col, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, col).data(role).toString();
    return out;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestReviewOutbox : public QObject
{
    Q_OBJECT
private slots:
    void survivesARestart()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("outbox/default.json"));
        {
            ReviewOutbox outbox(path);
            QAbstractItemModelTester tester(&outbox, kFatal);
            QVERIFY(outbox.loadProblem().isEmpty()); // no file yet: nothing wrong
            QCOMPARE(outbox.size(), 0);
            QSignalSpy changed(&outbox, &ReviewOutbox::changed);
            QVERIFY(outbox.add(review("req-1", "k-po", pb::REVIEW_DECISION_APPROVE)));
            QVERIFY(outbox.add(review("req-2", "k-pf", pb::REVIEW_DECISION_REJECT,
                                      QStringLiteral("Mitigation is vague — name the region."))));
            QVERIFY(outbox.markAttempt("req-2", QStringLiteral("Nexus is unreachable"),
                                       kT0 + 5'000'000));
            QCOMPARE(changed.count(), 3);
            QVERIFY(outbox.saveProblem().isEmpty());
            QVERIFY(QFile::exists(path)); // its folder was made
        }
        // The console restarts.
        ReviewOutbox again(path);
        QAbstractItemModelTester tester(&again, kFatal);
        QVERIFY(again.loadProblem().isEmpty());
        QCOMPARE(again.size(), 2);
        QCOMPARE(column(again, ReviewOutbox::Decision), QStringList({"Approved", "Rejected"}));
        QCOMPARE(column(again, ReviewOutbox::Comment),
                 QStringList({"", "Mitigation is vague — name the region."}));
        QCOMPARE(column(again, ReviewOutbox::Attempts), QStringList({"0", "1"}));
        QCOMPARE(column(again, ReviewOutbox::LastError), QStringList({"", "Nexus is unreachable"}));
        QCOMPARE(column(again, 0, ReviewOutbox::RequestIdRole), QStringList({"req-1", "req-2"}));
        const auto second = again.find("req-2");
        QVERIFY(second);
        QCOMPARE(second->entryId, QStringLiteral("k-pf"));
        QCOMPARE(second->seenRevision, 1);
        QCOMPARE(second->queuedAtUs, kT0);
        QCOMPARE(second->lastAttemptUs, kT0 + 5'000'000);
        QCOMPARE(second->title, QStringLiteral("rag_pipeline/generate: a clearer system prompt"));
        QVERIFY(again.index(1, ReviewOutbox::LastError)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("Nexus is unreachable")));
        QCOMPARE(again.findByEntry("k-po")->requestId, QStringLiteral("req-1"));
        QVERIFY(!again.findByEntry("k-other"));
    }

    void removeDeliveredOrDiscarded()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("outbox.json"));
        ReviewOutbox outbox(path);
        QAbstractItemModelTester tester(&outbox, kFatal);
        QVERIFY(outbox.add(review("req-1", "k-po", pb::REVIEW_DECISION_APPROVE)));
        QVERIFY(outbox.add(review("req-2", "k-pf", pb::REVIEW_DECISION_APPROVE)));
        QVERIFY(outbox.add(review("req-3", "k-sp", pb::REVIEW_DECISION_APPROVE)));
        QSignalSpy removed(&outbox, &QAbstractItemModel::rowsRemoved);
        QVERIFY(outbox.remove("req-2"));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed[0][1].toInt(), 1);
        QVERIFY(!outbox.remove("req-2")); // already gone
        QVERIFY(!outbox.markAttempt("req-2", QStringLiteral("late"), kT0));
        QCOMPARE(column(outbox, 0, ReviewOutbox::EntryIdRole), QStringList({"k-po", "k-sp"}));
        // An entry whose review was settled can be reviewed again.
        QVERIFY(outbox.add(review("req-4", "k-pf", pb::REVIEW_DECISION_REJECT, "stale")));

        ReviewOutbox reread(path);
        QCOMPARE(column(reread, 0, ReviewOutbox::RequestIdRole),
                 QStringList({"req-1", "req-3", "req-4"}));
    }

    void oneReviewPerEntry()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("outbox.json"));
        ReviewOutbox outbox(path);
        QAbstractItemModelTester tester(&outbox, kFatal);
        QVERIFY(outbox.add(review("req-1", "k-po", pb::REVIEW_DECISION_APPROVE)));
        QSignalSpy changed(&outbox, &ReviewOutbox::changed);
        // The same entry again, even with another decision: refused.
        QVERIFY(!outbox.add(review("req-2", "k-po", pb::REVIEW_DECISION_REJECT, "no")));
        // The same request id for another entry: refused.
        QVERIFY(!outbox.add(review("req-1", "k-pf", pb::REVIEW_DECISION_APPROVE)));
        QVERIFY(!outbox.add(review("", "k-pf", pb::REVIEW_DECISION_APPROVE)));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(outbox.size(), 1);
        QCOMPARE(outbox.all().front().decision, int(pb::REVIEW_DECISION_APPROVE));
        QCOMPARE(ReviewOutbox(path).size(), 1);
    }

    void damagedFileIsMovedAside()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("outbox.json"));
        const QByteArray garbage = "{\"format\": \"nexus-review-outbox\", \"reviews\": [{\"req";
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(garbage);
        }
        ReviewOutbox outbox(path);
        QAbstractItemModelTester tester(&outbox, kFatal);
        QCOMPARE(outbox.size(), 0);
        QVERIFY(outbox.loadProblem().contains(QStringLiteral("could not be read")));
        QVERIFY(outbox.loadProblem().contains(path));
        const QStringList aside =
            QDir(dir.path()).entryList({QStringLiteral("outbox.json.damaged-*")}, QDir::Files);
        QCOMPARE(aside.size(), 1);
        QVERIFY(outbox.loadProblem().contains(dir.filePath(aside.front())));
        QCOMPARE(readAll(dir.filePath(aside.front())), garbage); // kept as it was
        QVERIFY(!QFile::exists(path));

        // New reviews go into a fresh file.
        QVERIFY(outbox.add(review("req-1", "k-po", pb::REVIEW_DECISION_APPROVE)));
        QVERIFY(outbox.saveProblem().isEmpty());
        ReviewOutbox reread(path);
        QVERIFY(reread.loadProblem().isEmpty());
        QCOMPARE(reread.size(), 1);
    }

    void unreadableReviewsAreSetAsideTheRestKept()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("outbox.json"));
        {
            ReviewOutbox outbox(path);
            QVERIFY(outbox.add(review("req-1", "k-po", pb::REVIEW_DECISION_APPROVE)));
        }
        // Someone edited it by hand: a second review without its request id.
        QByteArray text = readAll(path);
        text.replace("\"reviews\": [", "\"reviews\": [{\"entryId\": \"k-pf\", \"decision\": 1},");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(text);
        }
        ReviewOutbox outbox(path);
        QCOMPARE(outbox.size(), 1);
        QCOMPARE(outbox.all().front().requestId, QStringLiteral("req-1"));
        QVERIFY(outbox.loadProblem().contains(QStringLiteral("1 of its 2 reviews")));
        const QStringList aside =
            QDir(dir.path()).entryList({QStringLiteral("outbox.json.damaged-*")}, QDir::Files);
        QCOMPARE(aside.size(), 1);
        QCOMPARE(readAll(dir.filePath(aside.front())), text);
        // The readable one is back in place: the next start has no problem.
        ReviewOutbox reread(path);
        QVERIFY(reread.loadProblem().isEmpty());
        QCOMPARE(reread.size(), 1);
    }

    void unwritableFileIsReported()
    {
        QTemporaryDir dir;
        // Its folder cannot exist: a plain file has taken the name.
        const QString blocker = dir.filePath(QStringLiteral("review-outbox"));
        {
            QFile f(blocker);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not a folder");
        }
        ReviewOutbox outbox(blocker + QStringLiteral("/default.json"));
        QAbstractItemModelTester tester(&outbox, kFatal);
        QVERIFY(outbox.loadProblem().isEmpty());
        QSignalSpy changed(&outbox, &ReviewOutbox::changed);
        QVERIFY(outbox.add(review("req-1", "k-po", pb::REVIEW_DECISION_APPROVE)));
        QCOMPARE(changed.count(), 1);
        QVERIFY(outbox.saveProblem().contains(QStringLiteral("Could not save")));
        QVERIFY(outbox.saveProblem().contains(blocker));
        // Kept in memory all the same: still queued, still retried.
        QCOMPARE(outbox.size(), 1);
        QVERIFY(outbox.find("req-1"));
    }
};

QTEST_GUILESS_MAIN(TestReviewOutbox)
#include "tst_review_outbox.moc"
