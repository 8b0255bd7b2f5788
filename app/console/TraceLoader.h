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

// How far a read or decode has come, written by the worker thread and read
// by the GUI (progress bar) at any time.
struct TraceProgress
{
    std::atomic<std::int64_t> records{0};      // read so far
    std::atomic<std::int64_t> bytes{0};        // of the file, read so far
    std::atomic<std::int64_t> totalBytes{0};   // the file's size; 0 when unknown
    std::atomic<std::int64_t> totalRecords{0}; // when known (a record set); 0 otherwise
};

// Reads a .dstrace file (protocol/Dstrace.h) and decodes every record.
// Once `*cancel` is true it stops at the next record: the result has
// `cancelled` set and holds only the records before (callers discard it).
DecodedTrace readTraceFile(const QString& path, const std::atomic<bool>* cancel = nullptr,
                           TraceProgress* progress = nullptr);

// Decodes record values that came from elsewhere (Nexus, a fork). Byte
// offsets are those the records would have in a .dstrace file.
DecodedTrace decodeTrace(const QString& origin,
                         std::shared_ptr<const std::vector<std::string>> records,
                         const std::atomic<bool>* cancel = nullptr,
                         TraceProgress* progress = nullptr);

// The records of one thread of a decoded trace (all of them when the trace
// holds a single thread, undecodable records included).
std::vector<std::string> recordsOfThread(const DecodedTrace& trace, const std::string& threadId);

// Both write atomically (a temporary file renamed over `path` when
// complete) and return an empty string, or a sentence saying what failed.
// Once `*cancel` is true they stop, write nothing (a file already at `path`
// stays as it was) and return kExportCancelled; `progress->records` counts
// the records written.
inline const char* const kExportCancelled = "Export cancelled: nothing was written.";
QString writeDstrace(const QString& path, const std::vector<std::string>& records,
                     const std::atomic<bool>* cancel = nullptr, TraceProgress* progress = nullptr);
// {"format": "nexus-console-trace/1", "summary": …, "records": [decoded
// message JSON (protocol/MessageJson.h) with "index", or {"index", "error"}]}.
QString writeTraceJson(const QString& path, const std::vector<std::string>& records,
                       const nlohmann::json& summary, const std::atomic<bool>* cancel = nullptr,
                       TraceProgress* progress = nullptr);

} // namespace nexus::app
