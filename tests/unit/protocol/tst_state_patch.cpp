// Applying StateDiffs to a state: a diff that reaches into a string, number
// or boolean fails with a message naming the operation, on every path (found
// by fuzz_state_patch: json::patch_inplace asserts on such an "add", and
// silently does nothing in release builds).
#include "protocol/StateOps.h"

#include <QTest>

using namespace nexus::protocol;
using nlohmann::json;

namespace {

ds::StateDiff diffOf(ds::DiffOperation::OpType type, const std::string& path,
                     const std::string& value = {})
{
    ds::StateDiff diff;
    auto* op = diff.add_operations();
    op->set_op(type);
    op->set_path(path);
    op->set_value(value);
    return diff;
}

} // namespace

class TestStatePatch : public QObject
{
    Q_OBJECT
private slots:
    void refusesToReachIntoAScalar_data()
    {
        QTest::addColumn<QString>("state");
        QTest::addColumn<int>("op");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("parentType");
        QTest::newRow("add under a string")
            << R"({"ticket":{"body":"Our card was charged twice"}})"
            << int(ds::DiffOperation::OP_TYPE_ADD) << "/ticket/body/x"
            << "string";
        QTest::newRow("add under a number state")
            << "42" << int(ds::DiffOperation::OP_TYPE_ADD) << "/invoice"
            << "number";
        QTest::newRow("remove under a boolean")
            << R"({"done":true})" << int(ds::DiffOperation::OP_TYPE_REMOVE) << "/done/x"
            << "boolean";
    }

    void refusesToReachIntoAScalar()
    {
        QFETCH(QString, state);
        QFETCH(int, op);
        QFETCH(QString, path);
        QFETCH(QString, parentType);
        const json base = json::parse(state.toStdString());
        const ds::StateDiff diff =
            diffOf(ds::DiffOperation::OpType(op), path.toStdString(), "{\"amount\":1}");

        // The general path: the patch converts, and applying it throws.
        auto patch = stateDiffPatch(diff);
        QVERIFY(patch.ok());
        json general = base;
        std::string reason;
        try {
            patchJsonInPlace(general, *patch);
        } catch (const json::exception& e) {
            reason = e.what();
        }
        QVERIFY2(!reason.empty(), "the patch applied");
        QVERIFY2(reason.find("its parent is " + parentType.toStdString()) != std::string::npos,
                 reason.c_str());
        const std::string message = describePatchFailure(diff, base, *patch, "fallback");
        const std::string label = diffOperationLabel(diff.operations(0), 0);
        QVERIFY2(message.rfind(label + ": ", 0) == 0, message.c_str());

        // The in-place path fails the same diff.
        json inPlace = base;
        std::string patchText;
        QCOMPARE(int(applyStateDiffInPlace(diff, inPlace, patchText)), int(DiffApply::Failed));
    }

    void stillAddsIntoContainersAndNull()
    {
        json state = json::parse(R"({"items":[1],"meta":null})");
        patchJsonInPlace(state, json::parse(R"([{"op":"add","path":"/items/-","value":2},
            {"op":"add","path":"/meta/owner","value":"ana"},
            {"op":"move","from":"/items/0","path":"/first"}])"));
        const json expected = json::parse(R"({"items":[2],"meta":{"owner":"ana"},"first":1})");
        QVERIFY2(state == expected, state.dump().c_str());
    }
};

QTEST_GUILESS_MAIN(TestStatePatch)
#include "tst_state_patch.moc"
