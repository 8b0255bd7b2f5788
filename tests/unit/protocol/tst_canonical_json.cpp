// Canonical JSON and the state hash must equal what DashFlow's Rust producer
// computes (DASHSTREAM.md §4.2). Expected texts are serde_json's output,
// written out by hand from its formatting rules.
#include "protocol/CanonicalJson.h"

#include <QCryptographicHash>
#include <QTest>

#include <cmath>
#include <limits>

using namespace nexus::protocol;
using nlohmann::json;

class TestCanonicalJson : public QObject
{
    Q_OBJECT
private slots:
    void goldenStateHash()
    {
        const json state = json::parse(R"({"b":2,"a":1,"nested":{"z":"x","y":[true,null]}})");
        QCOMPARE(canonicalJson(state),
                 std::string(R"({"a":1,"b":2,"nested":{"y":[true,null],"z":"x"}})"));
        QCOMPARE(stateHashHex(state),
                 std::string("f35279c8aa6b00bc82d43a191596cc3b41b7de7899ee16e36a08efe3afc45103"));
    }

    void vectorStateHash()
    {
        // sd.framed carries SHA-256({"count":2}).
        QCOMPARE(stateHashHex(json::parse(R"({"count":2})")),
                 std::string("57413ce83ee1d989e384dfd3a82c6e2d9052a23c4204706bd2d7df11aa4c2d7c"));
    }

    void floats_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("1.0") << 1.0 << "1.0";
        QTest::newRow("100.0") << 100.0 << "100.0";
        QTest::newRow("1e15") << 1e15 << "1000000000000000.0";
        QTest::newRow("1e16") << 1e16 << "1e16";
        QTest::newRow("1.5e-5") << 1.5e-5 << "0.000015";
        QTest::newRow("1e-5") << 1e-5 << "0.00001";
        QTest::newRow("1e-6") << 1e-6 << "1e-6";
        QTest::newRow("0.1") << 0.1 << "0.1";
        QTest::newRow("-0.0") << -0.0 << "-0.0";
        QTest::newRow("0.0") << 0.0 << "0.0";
        QTest::newRow("epsilon") << 2.220446049250313e-16 << "2.220446049250313e-16";
        QTest::newRow("3.14") << 3.14 << "3.14";
        QTest::newRow("-1.5") << -1.5 << "-1.5";
        QTest::newRow("1.5e20") << 1.5e20 << "1.5e20";
        QTest::newRow("1e21") << 1e21 << "1e21";
        QTest::newRow("123456.789") << 123456.789 << "123456.789";
        QTest::newRow("1234e7") << 1234e7 << "12340000000.0";
        QTest::newRow("1.2345678901234567e17") << 1.2345678901234567e17 << "1.2345678901234566e17";
        QTest::newRow("max") << std::numeric_limits<double>::max() << "1.7976931348623157e308";
        QTest::newRow("min subnormal") << std::numeric_limits<double>::denorm_min() << "5e-324";
        QTest::newRow("-2.5e-7") << -2.5e-7 << "-2.5e-7";
        QTest::newRow("0.3") << 0.3 << "0.3";
        QTest::newRow("nan is null") << std::nan("") << "null";
    }
    void floats()
    {
        QFETCH(double, value);
        QFETCH(QString, expected);
        std::string out;
        appendSerdeF64(out, value);
        QCOMPARE(QString::fromStdString(out), expected);
    }

    void integersStayIntegersAndFloatsStayFloats()
    {
        const json state = json::parse(R"({"i":1,"f":1.0,"big":9223372036854775807,)"
                                       R"("min":-9223372036854775808,"umax":18446744073709551615,)"
                                       R"("over":18446744073709551616,"neg":-1})");
        QCOMPARE(
            canonicalJson(state),
            std::string(R"({"big":9223372036854775807,"f":1.0,"i":1,"min":-9223372036854775808,)"
                        R"("neg":-1,"over":1.8446744073709552e19,"umax":18446744073709551615})"));
        // 1 and 1.0 are different states, as upstream.
        QVERIFY(stateHash(json::parse(R"({"a":1})")) != stateHash(json::parse(R"({"a":1.0})")));
    }

    void stringsEscapeLikeSerde()
    {
        std::string in = "q\"b\\s/\b\f\n\r\t";
        in += '\x01';
        in += '\x1f';
        in += '\x7f';
        in += "\xc3\xa9\xf0\x9f\x98\x80"; // é and an astral character, raw UTF-8
        std::string out;
        appendSerdeString(out, in);
        std::string expected = R"("q\"b\\s/\b\f\n\r\t\u0001\u001f)";
        expected += '\x7f';
        expected += "\xc3\xa9\xf0\x9f\x98\x80\"";
        QCOMPARE(out, expected);
    }

    void keysSortByUtf8Bytes()
    {
        const json state = json::parse("{\"\xc3\xa9\":1,\"z\":2,\"Z\":3,\"a\":4,\"\":5,\"aa\":6}");
        QCOMPARE(canonicalJson(state),
                 std::string("{\"\":5,\"Z\":3,\"a\":4,\"aa\":6,\"z\":2,\"\xc3\xa9\":1}"));
    }

    void hashIsSha256OfTheCanonicalText()
    {
        const json state =
            json::parse(R"({"messages":[{"role":"user","text":"hi\n"}],"score":0.75,"n":3})");
        const std::string text =
            R"({"messages":[{"role":"user","text":"hi\n"}],"n":3,"score":0.75})";
        QCOMPARE(canonicalJson(state), text);
        const QByteArray expected =
            QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256);
        QCOMPARE(QByteArray::fromStdString(stateHashBytes(state)), expected);
    }

    void emptyContainers()
    {
        QCOMPARE(canonicalJson(json::parse(R"({"a":{},"b":[],"c":""})")),
                 std::string(R"({"a":{},"b":[],"c":""})"));
    }
};

QTEST_GUILESS_MAIN(TestCanonicalJson)
#include "tst_canonical_json.moc"
