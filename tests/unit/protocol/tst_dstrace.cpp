// .dstrace files: round trip, and damaged files keep what is readable.
#include "protocol/Dstrace.h"
#include "protocol/Framing.h"

#include "TestMessages.h"

#include <QTest>

#include <sstream>

using namespace nexus::protocol;

namespace {

std::string writeFile(const std::vector<std::string>& records)
{
    std::ostringstream out;
    DstraceWriter writer(out);
    for (const auto& r : records)
        if (!writer.append(r).ok())
            qFatal("append failed");
    return out.str();
}

std::vector<std::string> encodedRecords()
{
    std::vector<std::string> out;
    for (const auto& m : testmsg::everyKind(700))
        out.push_back(encodeRecord(m).value());
    return out;
}

} // namespace

class TestDstrace : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip()
    {
        const auto records = encodedRecords();
        std::istringstream in(writeFile(records));
        DstraceReader reader(in);
        std::size_t i = 0;
        std::uint64_t offset = 0;
        while (auto next = reader.next()) {
            QVERIFY(next->ok());
            QCOMPARE(next->value().index, i);
            QCOMPARE(next->value().offset, offset);
            QCOMPARE(next->value().value, records[i]);
            offset += 4 + records[i].size();
            ++i;
        }
        QCOMPARE(i, records.size());
    }

    void lengthIsBigEndian()
    {
        const std::string file = writeFile({std::string(258, 'a')});
        QCOMPARE(file.substr(0, 4), std::string("\x00\x00\x01\x02", 4));
    }

    void truncatedFileKeepsTheRecordsBeforeTheCut()
    {
        const auto records = encodedRecords();
        const std::string file = writeFile(records);
        std::istringstream in(file.substr(0, file.size() - 10));
        DstraceReader reader(in);
        std::size_t good = 0, bad = 0;
        std::string message;
        while (auto next = reader.next()) {
            if (next->ok()) {
                ++good;
            } else {
                ++bad;
                message = next->error().message;
                QCOMPARE(next->error().code, ErrorCode::TruncatedFile);
            }
        }
        QCOMPARE(good, records.size() - 1);
        QCOMPARE(bad, 1u);
        QVERIFY(message.find("record " + std::to_string(records.size() - 1)) != std::string::npos);
    }

    void truncatedInsideALengthPrefix()
    {
        std::string file = writeFile({"\x00\x0a\x00"}) + std::string("\x00\x00", 2);
        std::istringstream in(file);
        DstraceReader reader(in);
        QVERIFY(reader.next()->ok());
        auto second = reader.next();
        QVERIFY(second.has_value() && !second->ok());
        QCOMPARE(second->error().code, ErrorCode::TruncatedFile);
        QVERIFY(!reader.next().has_value());
    }

    void oversizeRecordIsSkippedAndReadingGoesOn()
    {
        std::string file = writeFile({std::string(100, 'b'), "ok"});
        std::istringstream in(file);
        DstraceReader reader(in, 50);
        auto first = reader.next();
        QVERIFY(first.has_value() && !first->ok());
        QCOMPARE(first->error().code, ErrorCode::RecordTooLarge);
        auto second = reader.next();
        QVERIFY(second.has_value() && second->ok());
        QCOMPARE(second->value().value, std::string("ok"));
        QCOMPARE(second->value().index, 1u);
    }

    void emptyFileHasNoRecords()
    {
        std::istringstream in("");
        DstraceReader reader(in);
        QVERIFY(!reader.next().has_value());
    }
};

QTEST_GUILESS_MAIN(TestDstrace)
#include "tst_dstrace.moc"
