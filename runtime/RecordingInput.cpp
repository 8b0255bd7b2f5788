// The input side of Recording: .dstrace records or decoded messages, decode
// errors as problems, dedupe by message_id, runs by thread id and GRAPH_START.
#include "protocol/Dedupe.h"
#include "protocol/Dstrace.h"
#include "protocol/Framing.h"
#include "runtime/RecordingBuilder.h"

#include <deque>
#include <fstream>

namespace nexus::runtime {
namespace {

using detail::RecordedMessage;

struct Source
{
    const ds::DashStreamMessage* message = nullptr;
    std::uint64_t record = 0;
    std::uint64_t offset = 0;
    bool hasOffset = false;
};

struct Run
{
    RecordedRunRef ref;
    std::vector<RecordedMessage> items;
};

bool isGraphStart(const ds::Event* event)
{
    return event && event->event_type() == ds::EVENT_TYPE_GRAPH_START;
}

std::string attributeString(const ds::Event& event, const std::string& key)
{
    const auto it = event.attributes().find(key);
    return it != event.attributes().end() && it->second.has_string_value()
               ? it->second.string_value()
               : std::string();
}

void addItem(std::vector<Run>& runs, std::map<std::string, std::size_t>& current,
             const RecordedMessage& item, const ds::Header& header, Recording& recording)
{
    const std::string& thread = header.thread_id();
    if (thread.empty()) {
        recording.problems.push_back({item.record, item.offset, item.hasOffset, "no_thread_id",
                                      "the message has no thread_id; it belongs to no run and "
                                      "is skipped"});
        return;
    }
    auto it = current.find(thread);
    const bool start = isGraphStart(item.event);
    if (it == current.end() || (start && !runs[it->second].items.empty())) {
        Run run;
        run.ref.threadId = thread;
        run.ref.runIndex = it == current.end() ? 0 : runs[it->second].ref.runIndex + 1;
        run.ref.startUs = header.timestamp_us();
        runs.push_back(std::move(run));
        current[thread] = runs.size() - 1;
        it = current.find(thread);
    }
    Run& run = runs[it->second];
    if (start) {
        run.ref.hasGraphStart = true;
        run.ref.graphName = attributeString(*item.event, "graph_name");
        run.ref.startUs = header.timestamp_us();
    }
    ++run.ref.messages;
    run.items.push_back(item);
}

Recording fromSources(const std::vector<Source>& sources, const RecordingOptions& options,
                      Recording recording)
{
    protocol::MessageIdDeduper deduper;
    std::vector<Run> runs;
    std::map<std::string, std::size_t> current; // thread -> its latest run
    for (const Source& source : sources) {
        const ds::DashStreamMessage& message = *source.message;
        RecordedMessage item{&message, nullptr, source.record, source.offset, source.hasOffset};
        if (message.has_event_batch()) {
            for (const ds::Event& event : message.event_batch().events()) {
                if (!deduper.insert(event.header().message_id())) {
                    ++recording.duplicates;
                    continue;
                }
                item.event = &event;
                addItem(runs, current, item, event.header(), recording);
            }
            continue;
        }
        const ds::Header* header = protocol::headerOf(message);
        if (!header)
            continue;
        if (!deduper.insert(header->message_id())) {
            ++recording.duplicates;
            continue;
        }
        item.event = message.has_event() ? &message.event() : nullptr;
        addItem(runs, current, item, *header, recording);
    }
    const Run* selected = nullptr;
    for (const Run& run : runs) {
        recording.runs.push_back(run.ref);
        const bool match = options.threadId.empty() ? !selected
                                                    : run.ref.threadId == options.threadId &&
                                                          run.ref.runIndex == options.runIndex;
        if (match && !selected)
            selected = &run;
    }
    if (!selected) {
        if (!options.threadId.empty())
            recording.problems.push_back({0, 0, false, "unknown_thread",
                                          "the input has no run " +
                                              std::to_string(options.runIndex) + " of thread \"" +
                                              options.threadId + "\""});
        return recording;
    }
    recording.threadId = selected->ref.threadId;
    recording.runIndex = selected->ref.runIndex;
    detail::buildRecording(selected->items, options, recording);
    return recording;
}

} // namespace

Recording readRecording(const std::vector<ds::DashStreamMessage>& messages,
                        const RecordingOptions& options)
{
    Recording recording;
    recording.source = "messages";
    recording.records = messages.size();
    std::vector<Source> sources;
    sources.reserve(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i)
        sources.push_back({&messages[i], i, 0, false});
    return fromSources(sources, options, std::move(recording));
}

Recording readRecording(std::istream& in, const RecordingOptions& options)
{
    Recording recording;
    recording.source = "stream";
    protocol::DstraceReader reader(in, options.maxRecordBytes);
    protocol::DecodeLimits limits;
    limits.maxRecordBytes = std::max<std::size_t>(limits.maxRecordBytes, options.maxRecordBytes);
    protocol::RecordDecoder decoder(limits);
    std::deque<ds::DashStreamMessage> messages; // stable addresses for the sources
    std::vector<Source> sources;
    std::uint64_t nextIndex = 0, nextOffset = 0;
    while (auto next = reader.next()) {
        ++recording.records;
        if (!next->ok()) {
            ++recording.badRecords;
            recording.problems.push_back({nextIndex, nextOffset, true,
                                          protocol::errorCodeName(next->error().code),
                                          next->error().message});
            ++nextIndex;
            continue;
        }
        const protocol::DstraceRecord& record = next->value();
        nextIndex = record.index + 1;
        nextOffset = record.offset + 4 + record.value.size();
        messages.emplace_back();
        if (auto decoded = decoder.decode(record.value, messages.back()); !decoded) {
            messages.pop_back();
            ++recording.badRecords;
            recording.problems.push_back({record.index, record.offset, true,
                                          protocol::errorCodeName(decoded.error().code),
                                          decoded.error().message});
            continue;
        }
        sources.push_back({&messages.back(), record.index, record.offset, true});
    }
    return fromSources(sources, options, std::move(recording));
}

Result<Recording> readRecordingFile(const std::string& path, const RecordingOptions& options)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::IoError, "cannot open " + path);
    Recording recording = readRecording(in, options);
    recording.source = path;
    if (recording.records == recording.badRecords) {
        std::string why =
            recording.problems.empty() ? "the file is empty" : recording.problems.front().message;
        return makeError(ErrorCode::IoError, path + " holds no readable DashStream record: " + why);
    }
    if (recording.threadId.empty()) {
        std::string why = "no message in it names a thread";
        for (const auto& problem : recording.problems)
            if (problem.code == "unknown_thread")
                why = problem.message;
        return makeError(ErrorCode::IoError, path + ": " + why);
    }
    return recording;
}

} // namespace nexus::runtime
