// StateDiffModel: the item-model contract, the printed table, counts,
// elision with the whole text in the tooltip, markup shown literally.
#include "models/StateDiffModel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using nexus::models::ChangeKind;
using nexus::models::PathChange;
using nexus::models::StateDiffModel;
using json = nlohmann::json;

namespace {

QStringList printed(const QAbstractItemModel& m)
{
    QStringList out;
    for (int row = 0; row < m.rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < m.columnCount(); ++column)
            cells << m.index(row, column).data().toString();
        out << cells.join(QStringLiteral(" | "));
    }
    return out;
}

std::vector<PathChange> sample()
{
    std::vector<PathChange> changes(4);
    changes[0] = {ChangeKind::Added, "/messages/1", nullptr,
                  json::parse(R"({"role": "assistant", "content": "<img src=x>"})")};
    changes[1] = {ChangeKind::Changed, "/counter", 9007199254740993LL, 18446744073709551615ULL};
    changes[2] = {ChangeKind::Removed, "/a~1b", json::array({1, 2}), nullptr};
    changes[3] = {ChangeKind::Added, "/plan/done", nullptr, false};
    return changes;
}

} // namespace

class TestStateDiffModel : public QObject
{
    Q_OBJECT
private slots:
    void printsChanges()
    {
        StateDiffModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.summary(), QStringLiteral("0 added, 0 changed, 0 removed"));
        model.setChanges(sample());
        QCOMPARE(printed(model),
                 QStringList({
                     R"(added | /messages/1 |  | {"content":"<img src=x>","role":"assistant"})",
                     R"(changed | /counter | 9007199254740993 | 18446744073709551615)",
                     R"(removed | /a~1b | [1,2] | )",
                     R"(added | /plan/done |  | false)",
                 }));
        QCOMPARE(model.added(), 2);
        QCOMPARE(model.changed(), 1);
        QCOMPARE(model.removed(), 1);
        QCOMPARE(model.summary(), QStringLiteral("2 added, 1 changed, 1 removed"));
        QCOMPARE(model.index(0, 0).data(StateDiffModel::ChangeKindRole).toInt(),
                 int(ChangeKind::Added));
        QCOMPARE(model.index(2, 3).data(StateDiffModel::PathRole).toString(),
                 QStringLiteral("/a~1b"));
        QCOMPARE(model.headerData(StateDiffModel::BeforeColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Before"));
        QVERIFY(model.index(1, 0).data(Qt::ForegroundRole).isValid());

        model.setChanges({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.summary(), QStringLiteral("0 added, 0 changed, 0 removed"));
        model.setChanges(sample());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void longValuesAreElided()
    {
        StateDiffModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        json big = json::array();
        for (int i = 0; i < 5000; ++i)
            big.push_back(i);
        std::vector<PathChange> changes(1);
        changes[0] = {ChangeKind::Changed, "/big", json::array(), big};
        model.setChanges(changes);
        const QString shown = model.index(0, StateDiffModel::AfterColumn).data().toString();
        QCOMPARE(shown.size(), StateDiffModel::kDisplayChars + 1);
        QVERIFY(shown.startsWith(QStringLiteral("[0,1,2,3")));
        QVERIFY(shown.endsWith(QChar(0x2026)));
        const QString full = model.index(0, StateDiffModel::AfterColumn)
                                 .data(StateDiffModel::AfterJsonRole)
                                 .toString();
        QCOMPARE(full, QString::fromStdString(big.dump()));
        const QString tip =
            model.index(0, StateDiffModel::AfterColumn).data(Qt::ToolTipRole).toString();
        QVERIFY(tip.startsWith(full.left(StateDiffModel::kToolTipChars)));
        QVERIFY(tip.contains(QStringLiteral("more characters")));
        QCOMPARE(model.index(0, StateDiffModel::BeforeColumn).data().toString(),
                 QStringLiteral("[]"));
    }
};

QTEST_GUILESS_MAIN(TestStateDiffModel)
#include "tst_state_diff_model.moc"
