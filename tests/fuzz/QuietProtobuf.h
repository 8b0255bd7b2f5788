#pragma once
// libprotobuf writes a line to stderr for every string field with invalid
// UTF-8 it parses, and fuzzers parse millions of them. Included by the
// targets that parse DashStream protobuf; nothing else changes.
#include <google/protobuf/stubs/logging.h>

namespace {
[[maybe_unused]] const bool kQuietProtobuf = (google::protobuf::SetLogHandler(nullptr), true);
} // namespace
