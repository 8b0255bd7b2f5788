// JsonTreeModel: the item-model contract across state changes (in-place
// diffs and resets), the printed tree, JSON Pointer escaping, exact 64-bit
// integers, markup shown literally, highlights and the lazy big state.
#include "models/JsonTreeModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using nexus::models::ChangeKind;
using nexus::models::JsonTreeModel;
using nexus::models::PathChange;
using json = nlohmann::json;

namespace {

std::shared_ptr<const json> doc(const char* text)
{
    return std::make_shared<const json>(json::parse(text));
}

// One line per row, depth-first, indented by depth: "key = value (type)".
void print(const QAbstractItemModel& m, const QModelIndex& parent, int depth, QStringList& out)
{
    for (int row = 0; row < m.rowCount(parent); ++row) {
        const QModelIndex key = m.index(row, JsonTreeModel::KeyColumn, parent);
        out << QString(depth * 2, QLatin1Char(' ')) + key.data().toString() +
                   QStringLiteral(" = ") +
                   m.index(row, JsonTreeModel::ValueColumn, parent).data().toString() +
                   QStringLiteral(" (") +
                   m.index(row, JsonTreeModel::TypeColumn, parent).data().toString() +
                   QStringLiteral(")");
        print(m, key, depth + 1, out);
    }
}

QStringList printed(const QAbstractItemModel& m)
{
    QStringList out;
    print(m, {}, 0, out);
    return out;
}

QString value(const JsonTreeModel& m, const char* pointer)
{
    return m.indexForPath(pointer, JsonTreeModel::ValueColumn).data().toString();
}

} // namespace

class TestJsonTreeModel : public QObject
{
    Q_OBJECT
private slots:
    void printsTree()
    {
        JsonTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setState(doc(R"({"b": [1, 2.5, "x"], "a": {"k": null, "t": true}, "e": {}})"));
        QCOMPARE(printed(model), QStringList({
                                     "a = {2 keys} (object)",
                                     "  k = null (null)",
                                     "  t = true (boolean)",
                                     "b = [3 items] (array)",
                                     "  [0] = 1 (integer)",
                                     "  [1] = 2.5 (float)",
                                     "  [2] = \"x\" (string)",
                                     "e = {0 keys} (object)",
                                 }));
        QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Key"));
        QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QStringLiteral("Value"));
        QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("Type"));
    }

    void testerAcrossStateChanges()
    {
        JsonTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.setState(doc(R"({"a": 1, "c": {"x": [1, 2, 3], "y": "s"}, "d": [{"p": 1}]})"));
        QCOMPARE(resets.count(), 1);
        printed(model); // a view that has seen every node
        const QPersistentModelIndex y = model.indexForPath("/c/y", JsonTreeModel::ValueColumn);
        const QPersistentModelIndex x1 = model.indexForPath("/c/x/1", JsonTreeModel::ValueColumn);
        QVERIFY(y.isValid() && x1.isValid());

        // Same shape, changed leaves: no reset, no structural signals.
        model.setState(doc(R"({"a": 2, "c": {"x": [1, 5, 3], "y": "s"}, "d": [{"p": 1}]})"));
        QCOMPARE(resets.count(), 1);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
        QVERIFY(changed.count() >= 2);
        QCOMPARE(x1.data().toString(), QStringLiteral("5"));
        QCOMPARE(y.data().toString(), QStringLiteral("\"s\""));

        // Keys added and removed around kept ones; an array grows; a scalar
        // becomes an object; an object becomes an array.
        model.setState(doc(
            R"({"0": true, "a": {"n": 1}, "b": 1, "c": {"x": [1, 5, 3, 4], "y": "t"}, "d": [7]})"));
        QCOMPARE(resets.count(), 1);
        QVERIFY(inserted.count() > 0);
        QCOMPARE(y.data().toString(), QStringLiteral("\"t\""));
        QCOMPARE(model.indexForPath("/c/y").row(), 1);
        QCOMPARE(printed(model), QStringList({
                                     "0 = true (boolean)",
                                     "a = {1 key} (object)",
                                     "  n = 1 (integer)",
                                     "b = 1 (integer)",
                                     "c = {2 keys} (object)",
                                     "  x = [4 items] (array)",
                                     "    [0] = 1 (integer)",
                                     "    [1] = 5 (integer)",
                                     "    [2] = 3 (integer)",
                                     "    [3] = 4 (integer)",
                                     "  y = \"t\" (string)",
                                     "d = [1 item] (array)",
                                     "  [0] = 7 (integer)",
                                 }));

        // Shrinking and removing, including the row the persistent index was on.
        model.setState(doc(R"({"a": {"n": 1}, "c": {"x": [1]}})"));
        QCOMPARE(resets.count(), 1);
        QVERIFY(!y.isValid());
        QVERIFY(!x1.isValid());
        QCOMPARE(printed(model), QStringList({
                                     "a = {1 key} (object)",
                                     "  n = 1 (integer)",
                                     "c = {1 key} (object)",
                                     "  x = [1 item] (array)",
                                     "    [0] = 1 (integer)",
                                 }));

        // Children nobody has seen yet change shape too.
        model.setState(
            doc(R"({"a": {"n": 1, "m": [1, 2]}, "c": {"x": []}, "z": {"deep": {"q": 1}}})"));
        model.setState(
            doc(R"({"a": {"n": 2}, "c": {"x": [{"r": 1}]}, "z": {"deep": {"q": 2, "w": 3}}})"));
        QCOMPARE(resets.count(), 1);
        QCOMPARE(printed(model), QStringList({
                                     "a = {1 key} (object)",
                                     "  n = 2 (integer)",
                                     "c = {1 key} (object)",
                                     "  x = [1 item] (array)",
                                     "    [0] = {1 key} (object)",
                                     "      r = 1 (integer)",
                                     "z = {1 key} (object)",
                                     "  deep = {2 keys} (object)",
                                     "    q = 2 (integer)",
                                     "    w = 3 (integer)",
                                 }));

        // Object <-> array <-> scalar documents <-> no state: resets.
        model.setState(doc(R"([1, {"k": "v"}])"));
        QCOMPARE(resets.count(), 2);
        QCOMPARE(printed(model).size(), 3);
        model.setState(doc(R"("just a string")"));
        QCOMPARE(resets.count(), 3);
        QCOMPARE(printed(model), QStringList({"(document) = \"just a string\" (string)"}));
        QCOMPARE(model.index(0, 0).data(JsonTreeModel::PathRole).toString(), QString());
        model.setState(nullptr);
        QCOMPARE(model.rowCount(), 0);
        model.setState(doc(R"({"a": 1})"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // Only the top level has been seen: deeper shape changes need no
    // signals of their own, yet the tree read afterwards is the new one.
    void unseenChildrenFollow()
    {
        JsonTreeModel model;
        model.setState(doc(R"({"a": {"m": [1, 2], "n": {"o": 1}}, "b": 1})"));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("{2 keys}"));
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setState(doc(R"({"a": {"m": [3], "p": true}, "b": [1]})"));
        QCOMPARE(printed(model), QStringList({
                                     "a = {2 keys} (object)",
                                     "  m = [1 item] (array)",
                                     "    [0] = 3 (integer)",
                                     "  p = true (boolean)",
                                     "b = [1 item] (array)",
                                     "  [0] = 1 (integer)",
                                 }));
    }

    void pointerEscaping()
    {
        QCOMPARE(JsonTreeModel::escapePointerToken("a/b~c"), std::string("a~1b~0c"));
        QCOMPARE(JsonTreeModel::appendPointer("/x", "~1"), std::string("/x/~01"));
        QCOMPARE(JsonTreeModel::splitPointer("/a~1b/m~0n//~01"),
                 std::vector<std::string>({"a/b", "m~n", "", "~1"}));
        QVERIFY(JsonTreeModel::splitPointer("").empty());

        JsonTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setState(doc(R"({"a/b": {"m~n": [10, 20]}, "": {"~1": "tilde-one"}})"));
        const QModelIndex inner = model.indexForPath("/a~1b/m~0n/1");
        QVERIFY(inner.isValid());
        QCOMPARE(inner.data(JsonTreeModel::PathRole).toString(), QStringLiteral("/a~1b/m~0n/1"));
        QCOMPARE(model.pathOf(inner.parent()), QStringLiteral("/a~1b/m~0n"));
        QCOMPARE(model.index(1, 1, inner.parent()).data().toString(), QStringLiteral("20"));
        QCOMPARE(model.pathOf(model.index(0, 0)), QStringLiteral("/"));
        QCOMPARE(value(model, "//~01"), QStringLiteral("\"tilde-one\""));
        // What nlohmann's own JSON Pointer resolves is what we name.
        for (const char* p : {"/a~1b/m~0n/1", "//~01"})
            QVERIFY(json::parse(R"({"a/b": {"m~n": [10, 20]}, "": {"~1": "tilde-one"}})")
                        .contains(json::json_pointer(p)));
        QVERIFY(!model.indexForPath("/a~1b/m~0n/2").isValid());
        QVERIFY(!model.indexForPath("/a~1b/m~0n/01").isValid());
        QVERIFY(!model.indexForPath("/nope").isValid());
    }

    void integersStayExact()
    {
        JsonTreeModel model;
        model.setState(doc(R"({"a": 9007199254740993, "b": 18446744073709551615,
                              "c": -9223372036854775808, "d": 9223372036854775808,
                              "e": 0.1, "f": 3.141592653589793, "g": 1e-300, "h": 2.0})"));
        QCOMPARE(value(model, "/a"), QStringLiteral("9007199254740993"));     // 2^53 + 1
        QCOMPARE(value(model, "/b"), QStringLiteral("18446744073709551615")); // 2^64 - 1
        QCOMPARE(value(model, "/c"), QStringLiteral("-9223372036854775808"));
        QCOMPARE(value(model, "/d"), QStringLiteral("9223372036854775808")); // 2^63
        QCOMPARE(value(model, "/e"), QStringLiteral("0.1"));
        QCOMPARE(value(model, "/f"), QStringLiteral("3.141592653589793"));
        QCOMPARE(value(model, "/g"), QStringLiteral("1e-300"));
        QCOMPARE(value(model, "/h"), QStringLiteral("2.0"));
        QCOMPARE(model.indexForPath("/b", JsonTreeModel::TypeColumn).data().toString(),
                 QStringLiteral("integer"));
        QCOMPARE(model.indexForPath("/h", JsonTreeModel::TypeColumn).data().toString(),
                 QStringLiteral("float"));
        QCOMPARE(model.indexForPath("/b").data(JsonTreeModel::ValueJsonRole).toString(),
                 QStringLiteral("18446744073709551615"));

        // 2^53 + 1 -> 2^53 + 2 is a change even though a double cannot tell.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setState(doc(R"({"a": 9007199254740994, "b": 18446744073709551615,
                              "c": -9223372036854775808, "d": 9223372036854775808,
                              "e": 0.1, "f": 3.141592653589793, "g": 1e-300, "h": 2.0})"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(value(model, "/a"), QStringLiteral("9007199254740994"));
    }

    void markupIsLiteral()
    {
        JsonTreeModel model;
        model.setState(doc(R"({"<b>k</b>": "<img src=x>", "n": "line1\nline2"})"));
        const QModelIndex k = model.indexForPath("/<b>k<~1b>");
        QVERIFY(k.isValid());
        QCOMPARE(k.data().toString(), QStringLiteral("<b>k</b>"));
        QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("\"<img src=x>\""));
        QCOMPARE(model.index(0, 1).data(JsonTreeModel::ValueJsonRole).toString(),
                 QStringLiteral("\"<img src=x>\""));
        QVERIFY(model.index(0, 1).data(Qt::ToolTipRole).toString().contains("<img src=x>"));
        // One line in the cell: control characters stay escaped.
        QCOMPARE(value(model, "/n"), QStringLiteral("\"line1\\nline2\""));
    }

    void longStringsAreElidedForDisplayOnly()
    {
        JsonTreeModel model;
        auto big = std::make_shared<json>(json::object());
        (*big)["s"] = std::string(100'000, 'x') + "é";
        model.setState(big);
        const QString shown = value(model, "/s");
        QVERIFY(shown.size() <= JsonTreeModel::kDisplayChars + 1);
        QVERIFY(shown.startsWith(QStringLiteral("\"xxx")));
        QVERIFY(shown.endsWith(QChar(0x2026)));
        QCOMPARE(model.indexForPath("/s").data(JsonTreeModel::ValueJsonRole).toString().size(),
                 100'000 + 3);
    }

    void highlights()
    {
        JsonTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setState(doc(R"({"a": {"x": 1, "y": 2}, "b": 3, "c": [0], "d": 4})"));
        printed(model);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        std::vector<PathChange> changes(3);
        changes[0] = {ChangeKind::Added, "/b", nullptr, 3};
        changes[1] = {ChangeKind::Changed, "/a/x", 0, 1};
        changes[2] = {ChangeKind::Removed, "/c/1", 9, nullptr};
        model.setHighlights(changes);
        QVERIFY(changed.count() >= 4); // b, a, a/x, c
        auto highlight = [&](const char* p) {
            return model.indexForPath(p).data(JsonTreeModel::ChangeRole).toInt();
        };
        QCOMPARE(highlight("/b"), int(JsonTreeModel::AddedHighlight));
        QCOMPARE(highlight("/a/x"), int(JsonTreeModel::ChangedHighlight));
        QCOMPARE(highlight("/a"), int(JsonTreeModel::InsideHighlight));
        QCOMPARE(highlight("/c"), int(JsonTreeModel::InsideHighlight));
        QCOMPARE(highlight("/a/y"), int(JsonTreeModel::NoHighlight));
        QCOMPARE(highlight("/d"), int(JsonTreeModel::NoHighlight));
        QVERIFY(model.indexForPath("/b").data(Qt::BackgroundRole).isValid());
        QVERIFY(!model.indexForPath("/d").data(Qt::BackgroundRole).isValid());

        changed.clear();
        model.setHighlights({});
        QVERIFY(changed.count() >= 4);
        QCOMPARE(highlight("/b"), int(JsonTreeModel::NoHighlight));
        QCOMPARE(highlight("/a"), int(JsonTreeModel::NoHighlight));
    }

    void manyScatteredInsertsInBigObject()
    {
        auto make = [](int stride) {
            auto state = std::make_shared<json>(json::object());
            for (int i = 0; i < 10'000; i += stride)
                (*state)["o"]["k" + std::to_string(10'000 + i)] = i;
            return state;
        };
        JsonTreeModel model;
        model.setState(make(2));
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QModelIndex o = model.index(0, 0);
        QCOMPARE(model.rowCount(o), 5'000);
        QCOMPARE(model.index(4'999, 1, o).data().toString(), QStringLiteral("9998"));
        model.setState(make(1));
        QCOMPARE(model.rowCount(o), 10'000);
        QCOMPARE(model.index(9'999, 1, o).data().toString(), QStringLiteral("9999"));
        model.setState(make(3));
        QCOMPARE(model.rowCount(o), 3'334);
        QCOMPARE(model.index(1, 0, o).data(JsonTreeModel::PathRole).toString(),
                 QStringLiteral("/o/k10003"));
    }

    void bigStateIsLazyAndDiffed()
    {
        auto make = [](int changedValue) {
            auto state = std::make_shared<json>(json::object());
            auto& items = (*state)["items"];
            for (int i = 0; i < 100'000; ++i)
                items["k" + std::to_string(100'000 + i)] = i;
            items["k100005"] = changedValue;
            return state;
        };
        JsonTreeModel model;
        model.setState(make(5));
        const QModelIndex items = model.index(0, 0);
        QCOMPARE(model.rowCount(items), 100'000);
        const QPersistentModelIndex five = model.index(5, 1, items);
        QCOMPARE(five.data().toString(), QStringLiteral("5"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setState(make(-5));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(five.data().toString(), QStringLiteral("-5"));
        QCOMPARE(changed.count(), 2); // the item and its container
    }
};

QTEST_GUILESS_MAIN(TestJsonTreeModel)
#include "tst_json_tree_model.moc"
