#pragma once
// Shared helpers of the runtime tests.

#include <QTest>

#include <nlohmann/json.hpp>
#include <string>

namespace QTest {
// Readable QCOMPARE failures for std::string.
template <> inline char* toString(const std::string& value)
{
    return qstrdup(value.c_str());
}
} // namespace QTest

// QCOMPARE cannot take nlohmann::json (its converting constructors confuse
// Qt's overloads); this prints both sides on a mismatch.
#define NEXUS_COMPARE_JSON(actual, expected)                                                       \
    do {                                                                                           \
        const nlohmann::json a_ = (actual);                                                        \
        const nlohmann::json e_ = (expected);                                                      \
        QVERIFY2(a_ == e_, ("actual " + a_.dump() + "\nexpected " + e_.dump()).c_str());           \
    } while (false)
