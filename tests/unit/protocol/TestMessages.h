#pragma once
// One realistic message of every DashStream kind, for round-trip tests.

#include "protocol/Messages.h"

#include <vector>

namespace testmsg {

namespace ds = ::dashstream::v1;

// Every kind once; `padding` characters of compressible text are added to a
// string field so that a message can be pushed over the 512-byte threshold.
std::vector<ds::DashStreamMessage> everyKind(std::size_t padding = 0);
ds::DashStreamMessage nodeStart(const std::string& thread, std::uint64_t sequence,
                                const std::string& node);

} // namespace testmsg
