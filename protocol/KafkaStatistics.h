#pragma once
// librdkafka's statistics JSON (statistics.interval.ms), read the same way by
// the console's consumer and by nexusd's ingestor to tell whether Kafka is
// reachable at all. Plain text in, no librdkafka needed.

#include <cstddef>

namespace nexus::protocol {

// How many real brokers (configured or learned, not the bootstrap
// placeholders) the statistics show as up; -1 when the text is not
// statistics we understand.
int countBrokersUp(const char* json, std::size_t length);

} // namespace nexus::protocol
