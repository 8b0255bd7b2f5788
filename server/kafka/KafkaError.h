#pragma once
// Errors of the Kafka-facing server libraries, as values (STYLE.md habit 4).

#include "protocol/Expected.h"

#include <string>

namespace nexus::server {

struct KafkaError
{
    std::string message; // one sentence a person can act on
};

template <class T> using KafkaResult = protocol::Expected<T, KafkaError>;
using KafkaStatus = KafkaResult<protocol::Ok>;

} // namespace nexus::server
