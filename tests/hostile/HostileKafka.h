#pragma once
// A plain librdkafka producer / consumer for the hostile ingest test (from
// tests/unit/server/ingest/KafkaTestSupport.h, in its own translation unit:
// that header and the RunStore test support both specialise
// QTest::toString(std::string)).

#include <string>
#include <utility>
#include <vector>

namespace nexus::hostile {

bool produceRecords(const std::string& bootstrap, const std::string& topic,
                    const std::vector<std::pair<std::string, std::string>>& records);
// The values of `count` records of `topic` (or what arrived within 30 s).
std::vector<std::string> consumeValues(const std::string& bootstrap, const std::string& topic,
                                       std::size_t count);

} // namespace nexus::hostile
