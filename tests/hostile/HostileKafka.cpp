#include "HostileKafka.h"

#include "../unit/server/ingest/KafkaTestSupport.h"

namespace nexus::hostile {

bool produceRecords(const std::string& bootstrap, const std::string& topic,
                    const std::vector<std::pair<std::string, std::string>>& records)
{
    return server::test::produceRaw(bootstrap, topic, records);
}

std::vector<std::string> consumeValues(const std::string& bootstrap, const std::string& topic,
                                       std::size_t count)
{
    std::vector<std::string> out;
    for (auto& consumed : server::test::consumeAll(bootstrap, topic, count))
        out.push_back(std::move(consumed.value));
    return out;
}

} // namespace nexus::hostile
