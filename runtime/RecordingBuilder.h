#pragma once
// Internals of Recording: the input side (RecordingInput.cpp: records,
// decoding, dedupe, runs) hands the selected run's messages to the builder
// (Recording.cpp: executions and states). Not for other callers.

#include "runtime/Recording.h"

#include <vector>

namespace nexus::runtime::detail {

struct RecordedMessage
{
    const ds::DashStreamMessage* message = nullptr; // an EventBatch is split into its events
    const ds::Event* event = nullptr;               // set for events (batched or not)
    std::uint64_t record = 0;
    std::uint64_t offset = 0;
    bool hasOffset = false;
};

// Fills `recording` (its problems may already hold input problems) from the
// selected run's messages, in order.
void buildRecording(const std::vector<RecordedMessage>& run, const RecordingOptions& options,
                    Recording& recording);

} // namespace nexus::runtime::detail
