#pragma once
// Reading, decoding and writing whole traces for the Traces tab. Blocking
// functions: the page runs them off the GUI thread (QtConcurrent) and
// applies the result to its RunStore on the GUI thread.
//
// Untrusted input (DESIGN.md §8): a .dstrace file or a Nexus answer may be
// truncated, have flipped bits or oversize records. Every record that can
// be read and decoded is kept; the bad ones are counted and the first
// problem is named with its record index and byte offset.

#include "protocol/Messages.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nexus::app {

inline constexpr std::uint32_t kNoThread = 0xffffffffu;

struct DecodedTrace
{
    QString origin; // the file path, or "Nexus"
    // Every record value that could be read (also those that did not
    // decode), in file / arrival order: what an export writes back.
    std::shared_ptr<const std::vector<std::string>> records;
    // Per record: index into `threads`, kNoThread when it did not decode.
    std::vector<std::uint32_t> recordThread;
    std::vector<std::string> threads;
    std::vector<protocol::ds::DashStreamMessage> messages; // the records that decoded
    std::int64_t badRecords = 0; // could not be read (truncated, oversize) or decoded
    QString firstProblem;        // "record 57 at byte 10234: ..."; empty when none
    QString error;               // nothing could be read at all (e.g. no such file)
    bool cancelled = false;
};

// Reads a .dstrace file (protocol/Dstrace.h) and decodes every record.
DecodedTrace readTraceFile(const QString& path, const std::atomic<bool>* cancel = nullptr);

// Decodes record values that came from elsewhere (Nexus, a fork). Byte
// offsets are those the records would have in a .dstrace file.
DecodedTrace decodeTrace(const QString& origin,
                         std::shared_ptr<const std::vector<std::string>> records,
                         const std::atomic<bool>* cancel = nullptr);

// The records of one thread of a decoded trace (all of them when the trace
// holds a single thread, undecodable records included).
std::vector<std::string> recordsOfThread(const DecodedTrace& trace, const std::string& threadId);

// Both write atomically (a temporary file renamed over `path` when
// complete) and return an empty string, or a sentence saying what failed.
QString writeDstrace(const QString& path, const std::vector<std::string>& records);
// {"format": "nexus-console-trace/1", "summary": …, "records": [decoded
// message JSON (protocol/MessageJson.h) with "index", or {"index", "error"}]}.
QString writeTraceJson(const QString& path, const std::vector<std::string>& records,
                       const nlohmann::json& summary);

} // namespace nexus::app
