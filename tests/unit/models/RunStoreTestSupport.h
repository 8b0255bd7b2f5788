#pragma once
// Shared by the RunStore and RunListModel tests: hand-built DashStream
// messages shaped as DashFlow sends them, and sample runs of the embedded
// runtime recorded next to their telemetry.

#include "models/RunStore.h"
#include "protocol/CanonicalJson.h"
#include "runtime/Executor.h"
#include "runtime/GraphLoader.h"
#include "runtime/StateMessages.h"
#include "runtime/TelemetryEmitter.h"

#include "../runtime/TestSupport.h" // toString(std::string), NEXUS_COMPARE_JSON

#include <QTest>

#include <map>
#include <string>
#include <vector>

namespace nexus::testing {

namespace ds = protocol::ds;
using json = nlohmann::json;

inline constexpr std::int64_t kWallUs = 1'800'000'000'000'000;

// Messages of one thread, built by hand. Every message gets a fresh 16-byte id.
class StreamBuilder
{
public:
    explicit StreamBuilder(std::string thread, std::uint64_t idBase = 0)
        : thread_(std::move(thread)), nextId_(idBase)
    {}

    std::int64_t timeUs() const { return t_; }
    void advance(std::int64_t us) { t_ += us; }

    ds::Header header(std::uint64_t sequence, ds::MessageType type)
    {
        ds::Header h;
        std::string id(16, '\0');
        const std::uint64_t n = ++nextId_;
        for (int i = 0; i < 8; ++i)
            id[std::size_t(8 + i)] = char((n >> (8 * i)) & 0xff);
        for (std::size_t i = 0; i < thread_.size() && i < 8; ++i)
            id[i] = thread_[i];
        h.set_message_id(id);
        h.set_timestamp_us(t_ += 1000);
        h.set_tenant_id("default");
        h.set_thread_id(thread_);
        h.set_sequence(sequence);
        h.set_type(type);
        h.set_schema_version(1);
        return h;
    }

    ds::DashStreamMessage event(ds::EventType type, const std::string& node, std::uint64_t sequence,
                                const std::map<std::string, std::string>& attributes = {},
                                std::int64_t durationUs = 0)
    {
        ds::DashStreamMessage m;
        ds::Event* e = m.mutable_event();
        *e->mutable_header() = header(sequence, ds::MESSAGE_TYPE_EVENT);
        e->set_event_type(type);
        e->set_node_id(node);
        e->set_duration_us(durationUs);
        for (const auto& [key, value] : attributes)
            (*e->mutable_attributes())[key].set_string_value(value);
        return m;
    }

    ds::DashStreamMessage graphStart(std::uint64_t sequence, const std::string& schemaJson,
                                     const json& initialState,
                                     std::map<std::string, std::string> more = {})
    {
        more["graph_schema_json"] = schemaJson;
        more["initial_state_json"] = protocol::canonicalJson(initialState);
        return event(ds::EVENT_TYPE_GRAPH_START, "", sequence, more);
    }

    // A StateDiff exactly as the producer builds it (ops or full state, hash).
    ds::DashStreamMessage stateDiff(std::uint64_t sequence, const json& previous, const json& next,
                                    const std::string& baseCheckpoint = {})
    {
        ds::DashStreamMessage m;
        ds::StateDiff* d = m.mutable_state_diff();
        *d->mutable_header() = header(sequence, ds::MESSAGE_TYPE_STATE_DIFF);
        runtime::fillStateDiff(*d, previous, next, baseCheckpoint);
        return m;
    }

    // A StateDiff that always carries operations (json::diff), however large.
    ds::DashStreamMessage patch(std::uint64_t sequence, const json& previous, const json& next,
                                const std::string& baseCheckpoint = {})
    {
        static const std::map<std::string, ds::DiffOperation::OpType> types = {
            {"add", ds::DiffOperation::OP_TYPE_ADD},
            {"remove", ds::DiffOperation::OP_TYPE_REMOVE},
            {"replace", ds::DiffOperation::OP_TYPE_REPLACE}};
        ds::DashStreamMessage m;
        ds::StateDiff* d = m.mutable_state_diff();
        *d->mutable_header() = header(sequence, ds::MESSAGE_TYPE_STATE_DIFF);
        d->set_base_checkpoint_id(baseCheckpoint);
        for (const json& op : json::diff(previous, next)) {
            ds::DiffOperation* out = d->add_operations();
            out->set_op(types.at(op["op"].get<std::string>()));
            out->set_path(op["path"].get<std::string>());
            if (op.contains("value"))
                out->set_value(protocol::canonicalJson(op["value"]));
        }
        d->set_state_hash(protocol::stateHashBytes(next));
        return m;
    }

    ds::DashStreamMessage fullState(std::uint64_t sequence, const json& state)
    {
        ds::DashStreamMessage m;
        ds::StateDiff* d = m.mutable_state_diff();
        *d->mutable_header() = header(sequence, ds::MESSAGE_TYPE_STATE_DIFF);
        d->set_full_state(protocol::canonicalJson(state));
        d->set_state_hash(protocol::stateHashBytes(state));
        return m;
    }

    ds::DashStreamMessage checkpoint(std::uint64_t sequence, const json& state,
                                     const std::string& id)
    {
        ds::DashStreamMessage m;
        ds::Checkpoint* c = m.mutable_checkpoint();
        *c->mutable_header() = header(sequence, ds::MESSAGE_TYPE_CHECKPOINT);
        runtime::fillCheckpoint(*c, state, id);
        return m;
    }

    ds::DashStreamMessage tokenChunk(std::uint64_t sequence, const std::string& request,
                                     std::uint32_t index, const std::string& text,
                                     bool final = false)
    {
        ds::DashStreamMessage m;
        ds::TokenChunk* c = m.mutable_token_chunk();
        *c->mutable_header() = header(sequence, ds::MESSAGE_TYPE_TOKEN_CHUNK);
        c->set_request_id(request);
        c->set_chunk_index(index);
        c->set_text(text);
        c->set_is_final(final);
        return m;
    }

    ds::DashStreamMessage error(std::uint64_t sequence, const std::string& code,
                                const std::string& text, ds::Error::Severity severity,
                                const std::string& node = {})
    {
        ds::DashStreamMessage m;
        ds::Error* e = m.mutable_error();
        *e->mutable_header() = header(sequence, ds::MESSAGE_TYPE_ERROR);
        e->set_error_code(code);
        e->set_message(text);
        e->set_severity(severity);
        if (!node.empty())
            (*e->mutable_context())["node"] = node;
        return m;
    }

private:
    std::string thread_;
    std::uint64_t nextId_;
    std::int64_t t_ = runtime::kSeededEpochUs;
};

inline models::ApplyResult applyAll(models::RunStore& store,
                                    const std::vector<ds::DashStreamMessage>& messages,
                                    std::int64_t wallUs = kWallUs)
{
    std::vector<const ds::DashStreamMessage*> pointers;
    for (const auto& m : messages)
        pointers.push_back(&m);
    return store.apply(pointers, wallUs);
}

// Forwards to the telemetry emitter and records what the runtime itself
// knows: the state every StateDiff carries, node order, durations, edges.
class Recorder final : public runtime::ExecutionObserver
{
public:
    explicit Recorder(runtime::ExecutionObserver& next) : next_(next) {}

    json initial;
    std::vector<json> diffStates;     // the state after each StateDiff, in order
    std::vector<std::string> started; // NODE_START order
    std::map<std::pair<std::string, int>, std::int64_t> durations; // (node, visit) -> latency
    std::vector<std::pair<std::string, std::string>> edges;
    int finished = 0;

    void graphStarted(const runtime::RunInfo& info, const json& state, std::int64_t t) override
    {
        initial = previous_ = state;
        next_.graphStarted(info, state, t);
    }
    void nodeStarted(const std::string& node, std::int64_t t) override
    {
        started.push_back(node);
        next_.nodeStarted(node, t);
    }
    void toolStarted(const std::string& n, const runtime::ToolCall& c, std::int64_t t) override
    {
        next_.toolStarted(n, c, t);
    }
    void toolFinished(const std::string& n, const runtime::ToolCall& c, std::int64_t t) override
    {
        next_.toolFinished(n, c, t);
    }
    void tokenChunk(const std::string& n, const runtime::LlmUsage& l, std::size_t i,
                    std::int64_t t) override
    {
        next_.tokenChunk(n, l, i, t);
    }
    void nodeWarning(const std::string& n, const runtime::Warning& w, std::int64_t t) override
    {
        next_.nodeWarning(n, w, t);
    }
    void nodeFinished(const std::string& node, const runtime::NodeOutcome& outcome,
                      const json& state, std::int64_t t) override
    {
        durations[{node, ++visits_[node]}] = outcome.latencyUs;
        diffStates.push_back(state);
        previous_ = state;
        ++finished;
        next_.nodeFinished(node, outcome, state, t);
    }
    void nodeFailed(const std::string& n, const std::string& e, std::int64_t t) override
    {
        next_.nodeFailed(n, e, t);
    }
    void edgeTaken(const runtime::Edge& edge, std::int64_t t) override
    {
        edges.emplace_back(edge.from, edge.to);
        next_.edgeTaken(edge, t);
    }
    void parallelStarted(const std::vector<std::string>& n, std::int64_t t) override
    {
        next_.parallelStarted(n, t);
    }
    void parallelFinished(const std::vector<std::string>& n, std::int64_t d,
                          std::int64_t t) override
    {
        next_.parallelFinished(n, d, t);
    }
    void interrupted(const std::string& n, runtime::InterruptWhen w, std::int64_t t) override
    {
        next_.interrupted(n, w, t);
    }
    void resumed(const std::string& n, runtime::InterruptWhen w, const json& state,
                 std::int64_t t) override
    {
        if (state != previous_) // the emitter sends a StateDiff only for a change
            diffStates.push_back(state);
        previous_ = state;
        next_.resumed(n, w, state, t);
    }
    void graphFinished(const json& state, std::int64_t d, std::int64_t t) override
    {
        diffStates.push_back(state);
        next_.graphFinished(state, d, t);
    }
    void runFailed(const runtime::RuntimeError& e, const std::string& n, std::int64_t t) override
    {
        next_.runFailed(e, n, t);
    }

private:
    runtime::ExecutionObserver& next_;
    json previous_;
    std::map<std::string, int> visits_;
};

struct SampleRun
{
    runtime::Graph graph;
    std::vector<ds::DashStreamMessage> messages;
    runtime::RunResult result;
    std::string threadId;
    json initial;
    std::vector<json> diffStates;
    std::vector<std::string> started;
    std::map<std::pair<std::string, int>, std::int64_t> durations;
    std::vector<std::pair<std::string, std::string>> edges;
    int finished = 0;
};

inline SampleRun runSample(const std::string& name, int checkpointInterval, std::uint64_t seed = 5,
                           const std::string& instance = "sim-007")
{
    auto loaded = runtime::loadGraphFile(std::string(NEXUS_SOURCE_DIR) + "/resources/graphs/" +
                                         name + ".json");
    if (!loaded)
        qFatal("%s", loaded.error().message.c_str());
    runtime::MemorySink sink;
    runtime::TelemetryOptions telemetry;
    telemetry.checkpointInterval = checkpointInterval;
    telemetry.instanceLabels = {{"instance_id", instance}};
    runtime::TelemetryEmitter emitter(sink, telemetry);
    Recorder recorder(emitter);
    runtime::RunOptions options;
    options.seed = seed;
    runtime::Executor executor(loaded->graph, options, &recorder);
    SampleRun out;
    out.graph = loaded->graph;
    out.result = executor.start();
    while (out.result.status == runtime::RunStatus::Interrupted)
        out.result = executor.resume(out.result.interrupt->autoResume);
    out.threadId = executor.threadId();
    out.messages = sink.messages();
    out.initial = recorder.initial;
    out.diffStates = recorder.diffStates;
    out.started = recorder.started;
    out.durations = recorder.durations;
    out.edges = recorder.edges;
    out.finished = recorder.finished;
    return out;
}

} // namespace nexus::testing
