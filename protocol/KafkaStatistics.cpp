#include "protocol/KafkaStatistics.h"

#include <nlohmann/json.hpp>
#include <string>

namespace nexus::protocol {

int countBrokersUp(const char* json, std::size_t length)
{
    const auto doc = nlohmann::json::parse(json, json + length, nullptr, false);
    if (doc.is_discarded() || !doc.contains("brokers") || !doc["brokers"].is_object())
        return -1;
    int up = 0;
    for (const auto& broker : doc["brokers"]) {
        const std::string source = broker.value("source", "");
        const std::string state = broker.value("state", "");
        if ((source == "learned" || source == "configured") && (state == "UP" || state == "UPDATE"))
            ++up;
    }
    return up;
}

} // namespace nexus::protocol
