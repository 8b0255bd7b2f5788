// libFuzzer target: any bytes as a .dstrace file. The reader
// (protocol/Dstrace.h) must never crash or hang, respect its record limit,
// report positions inside the file, and end; the recording reader
// (runtime/Recording.h) built on it must never crash and must account for
// every record it read.
#include "protocol/Dstrace.h"
#include "runtime/Recording.h"

#include "QuietProtobuf.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

void fail(const char* what)
{
    std::fprintf(stderr, "fuzz_dstrace: %s\n", what);
    std::abort();
}

// Small limits, so that the fuzzer reaches them with small inputs.
constexpr std::uint32_t kMaxRecordBytes = 4096;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace nexus;
    const std::string bytes(reinterpret_cast<const char*>(data), size);

    std::istringstream in(bytes);
    protocol::DstraceReader reader(in, kMaxRecordBytes);
    std::uint64_t records = 0;
    std::uint64_t lastOffset = 0;
    bool ended = false;
    while (auto next = reader.next()) {
        if (ended)
            fail("a record after a truncation");
        ++records;
        if (records > size / 4 + 1)
            fail("more records than the file can hold");
        if (!*next) {
            if ((*next).error().message.empty())
                fail("a bad record without a message");
            ended = (*next).error().code == protocol::ErrorCode::TruncatedFile;
            continue;
        }
        const protocol::DstraceRecord& record = **next;
        if (record.value.size() > kMaxRecordBytes)
            fail("a record over the limit");
        if (record.index + 1 != records)
            fail("record indexes are not consecutive");
        if (record.offset < lastOffset || record.offset + 4 + record.value.size() > size)
            fail("a record outside the file");
        if (bytes.compare(record.offset + 4, record.value.size(), record.value) != 0)
            fail("a record value that is not the file's bytes");
        lastOffset = record.offset + 4 + record.value.size();
    }

    std::istringstream again(bytes);
    runtime::RecordingOptions options;
    options.maxRecordBytes = kMaxRecordBytes;
    options.maxStateBytes = 64 * 1024;
    const runtime::Recording recording = runtime::readRecording(again, options);
    if (recording.records > records)
        fail("the recording counts more records than the file holds");
    if (recording.badRecords > recording.records)
        fail("more bad records than records");
    for (std::size_t i = 0; i <= recording.executions.size(); ++i)
        (void)recording.stateAt(i);
    (void)recording.otherThreads();
    (void)runtime::recordingStatusName(recording.status);
    return 0;
}
