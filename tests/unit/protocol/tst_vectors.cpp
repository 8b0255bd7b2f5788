// The two encoded records in tests/data/vectors (made with protoc --encode
// from the upstream schema) must decode to exactly their text form, and our
// encoder must reproduce their bytes.
#include "protocol/Framing.h"
#include "protocol/Ids.h"

#include <QFile>
#include <QTest>

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

using namespace nexus::protocol;

namespace {

QByteArray readVector(const char* name)
{
    QFile f(QStringLiteral(NEXUS_TEST_DATA "/vectors/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing test vector %s", name);
    return f.readAll();
}

ds::DashStreamMessage fromText(const char* name)
{
    ds::DashStreamMessage m;
    const QByteArray text = readVector(name);
    if (!google::protobuf::TextFormat::ParseFromString(text.toStdString(), &m))
        qFatal("cannot parse %s", name);
    return m;
}

std::string_view view(const QByteArray& b)
{
    return {b.constData(), static_cast<std::size_t>(b.size())};
}

} // namespace

class TestVectors : public QObject
{
    Q_OBJECT
private slots:
    void nodeStartDecodesToItsTextForm()
    {
        const QByteArray framed = readVector("ev.framed");
        QCOMPARE(framed.size(), 60);
        ds::DashStreamMessage decoded;
        auto info = decodeRecord(view(framed), decoded);
        QVERIFY2(info.ok(), info.ok() ? "" : info.error().message.c_str());
        QCOMPARE(info->frame, FrameKind::Plain);
        QVERIFY(google::protobuf::util::MessageDifferencer::Equals(decoded, fromText("ev.txtpb")));

        // And the fields one by one, as DASHSTREAM.md §7 lists them.
        const auto& h = decoded.event().header();
        QCOMPARE(toHex(h.message_id()), std::string("0102030405060708090a0b0c0d0e0f10"));
        QCOMPARE(h.timestamp_us(), Q_INT64_C(1700000000000000));
        QCOMPARE(h.tenant_id(), std::string("default"));
        QCOMPARE(h.thread_id(), std::string("t1"));
        QCOMPARE(h.sequence(), quint64(1));
        QCOMPARE(h.type(), ds::MESSAGE_TYPE_EVENT);
        QCOMPARE(h.schema_version(), 1u);
        QCOMPARE(decoded.event().event_type(), ds::EVENT_TYPE_NODE_START);
        QCOMPARE(decoded.event().node_id(), std::string("agent"));
    }

    void stateDiffDecodesToItsTextForm()
    {
        const QByteArray framed = readVector("sd.framed");
        QCOMPARE(framed.size(), 100);
        ds::DashStreamMessage decoded;
        auto info = decodeRecord(view(framed), decoded);
        QVERIFY(info.ok());
        QVERIFY(google::protobuf::util::MessageDifferencer::Equals(decoded, fromText("sd.txtpb")));
        const auto& diff = decoded.state_diff();
        QCOMPARE(diff.header().sequence(), quint64(2));
        QCOMPARE(diff.operations_size(), 1);
        QCOMPARE(diff.operations(0).op(), ds::DiffOperation::OP_TYPE_REPLACE);
        QCOMPARE(diff.operations(0).path(), std::string("/count"));
        QCOMPARE(diff.operations(0).value(), std::string("2"));
        QCOMPARE(toHex(diff.state_hash()),
                 std::string("57413ce83ee1d989e384dfd3a82c6e2d9052a23c4204706bd2d7df11aa4c2d7c"));
    }

    void encoderReproducesTheFramedBytes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("framed");
        QTest::newRow("node start") << "ev.txtpb"
                                    << "ev.framed";
        QTest::newRow("state diff") << "sd.txtpb"
                                    << "sd.framed";
    }
    void encoderReproducesTheFramedBytes()
    {
        QFETCH(QString, text);
        QFETCH(QString, framed);
        auto encoded = encodeRecord(fromText(text.toLatin1().constData()));
        QVERIFY(encoded.ok());
        const QByteArray expected = readVector(framed.toLatin1().constData());
        QCOMPARE(QByteArray::fromStdString(*encoded).toHex(), expected.toHex());
    }
};

QTEST_GUILESS_MAIN(TestVectors)
#include "tst_vectors.moc"
