#include "TestMessages.h"

#include "protocol/Ids.h"

namespace testmsg {

namespace {

void fillHeader(ds::Header* h, ds::MessageType type, std::uint64_t sequence)
{
    h->set_message_id(nexus::protocol::newMessageId());
    h->set_timestamp_us(1'700'000'000'000'000 + static_cast<std::int64_t>(sequence));
    h->set_tenant_id("default");
    h->set_thread_id("thread-roundtrip");
    h->set_sequence(sequence);
    h->set_type(type);
    h->set_schema_version(1);
}

} // namespace

ds::DashStreamMessage nodeStart(const std::string& thread, std::uint64_t sequence,
                                const std::string& node)
{
    ds::DashStreamMessage m;
    auto* e = m.mutable_event();
    fillHeader(e->mutable_header(), ds::MESSAGE_TYPE_EVENT, sequence);
    e->mutable_header()->set_thread_id(thread);
    e->set_event_type(ds::EVENT_TYPE_NODE_START);
    e->set_node_id(node);
    return m;
}

std::vector<ds::DashStreamMessage> everyKind(std::size_t padding)
{
    const std::string pad(padding, 'x');
    std::vector<ds::DashStreamMessage> out;
    std::uint64_t seq = 1;

    {
        ds::DashStreamMessage m;
        auto* e = m.mutable_event();
        fillHeader(e->mutable_header(), ds::MESSAGE_TYPE_EVENT, seq++);
        e->set_event_type(ds::EVENT_TYPE_GRAPH_START);
        (*e->mutable_attributes())["graph_name"].set_string_value("rag" + pad);
        (*e->mutable_attributes())["graph_node_count"].set_int_value(4);
        (*e->mutable_attributes())["ratio"].set_float_value(0.25);
        (*e->mutable_attributes())["ok"].set_bool_value(true);
        auto* arr = (*e->mutable_attributes())["tags"].mutable_array_value();
        arr->add_values()->set_string_value("a");
        arr->add_values()->set_int_value(-7);
        (*(*e->mutable_attributes())["labels"].mutable_map_value()->mutable_values())["region"]
            .set_string_value("eu-west");
        e->set_duration_us(INT64_MAX);
        out.push_back(m);
    }
    {
        ds::DashStreamMessage m;
        auto* d = m.mutable_state_diff();
        fillHeader(d->mutable_header(), ds::MESSAGE_TYPE_STATE_DIFF, seq++);
        auto* op = d->add_operations();
        op->set_op(ds::DiffOperation::OP_TYPE_REPLACE);
        op->set_path("/answer");
        op->set_value("\"" + pad + "\"");
        auto* rm = d->add_operations();
        rm->set_op(ds::DiffOperation::OP_TYPE_REMOVE);
        rm->set_path("/draft");
        d->set_state_hash(std::string(32, '\x5a'));
        out.push_back(m);
    }
    {
        ds::DashStreamMessage m;
        auto* t = m.mutable_token_chunk();
        fillHeader(t->mutable_header(), ds::MESSAGE_TYPE_TOKEN_CHUNK, seq++);
        t->set_request_id("req-1");
        t->set_text("Hello" + pad);
        t->add_token_ids(15496);
        t->add_logprobs(-0.25f);
        t->set_chunk_index(3);
        t->set_is_final(true);
        t->set_finish_reason(ds::TokenChunk::FINISH_REASON_STOP);
        t->set_model("gpt-4o-mini");
        t->mutable_stats()->set_total_tokens(42);
        out.push_back(m);
    }
    {
        ds::DashStreamMessage m;
        auto* t = m.mutable_tool_execution();
        fillHeader(t->mutable_header(), ds::MESSAGE_TYPE_TOOL_EXECUTION, seq++);
        t->set_call_id("call-9");
        t->set_tool_name("search");
        t->set_stage(ds::ToolExecution::EXECUTION_STAGE_COMPLETED);
        t->set_arguments(R"({"q":"dashflow"})");
        t->set_result("{\"hits\":\"" + pad + "\"}");
        t->set_duration_us(1234);
        t->set_retry_count(1);
        out.push_back(m);
    }
    {
        ds::DashStreamMessage m;
        auto* c = m.mutable_checkpoint();
        fillHeader(c->mutable_header(), ds::MESSAGE_TYPE_CHECKPOINT, seq++);
        c->set_checkpoint_id(nexus::protocol::newMessageId());
        c->set_state("{\"notes\":\"" + pad + "\"}");
        c->set_state_type("serde_json::Value");
        c->set_checksum(std::string(32, '\x11'));
        (*c->mutable_metadata())["k"] = "v";
        out.push_back(m);
    }
    {
        ds::DashStreamMessage m;
        auto* x = m.mutable_metrics();
        fillHeader(x->mutable_header(), ds::MESSAGE_TYPE_METRICS, seq++);
        x->set_scope("quality");
        x->set_scope_id("thread-roundtrip");
        auto& q = (*x->mutable_metrics())["quality_score"];
        q.set_float_value(0.91);
        q.set_unit("ratio");
        q.set_type(ds::MetricValue::METRIC_TYPE_GAUGE);
        (*x->mutable_metrics())["passed"].set_bool_value(true);
        (*x->mutable_tags())["note"] = pad;
        out.push_back(m);
    }
    {
        ds::DashStreamMessage m;
        auto* e = m.mutable_error();
        fillHeader(e->mutable_header(), ds::MESSAGE_TYPE_ERROR, seq++);
        e->set_error_code("RATE_LIMIT");
        e->set_message("slow down" + pad);
        e->set_severity(ds::Error::SEVERITY_WARNING);
        e->add_suggestions("retry later");
        (*e->mutable_context())["node"] = "generate";
        out.push_back(m);
    }
    {
        ds::DashStreamMessage m;
        auto* b = m.mutable_event_batch();
        fillHeader(b->mutable_header(), ds::MESSAGE_TYPE_EVENT_BATCH, 0);
        for (int i = 0; i < 3; ++i) {
            auto* e = b->add_events();
            fillHeader(e->mutable_header(), ds::MESSAGE_TYPE_EVENT, seq++);
            e->set_event_type(ds::EVENT_TYPE_NODE_PROGRESS);
            e->set_node_id("retrieve");
            (*e->mutable_attributes())["message"].set_string_value("step " + std::to_string(i) +
                                                                   pad);
        }
        out.push_back(m);
    }
    {
        ds::DashStreamMessage m;
        auto* t = m.mutable_execution_trace();
        fillHeader(t->mutable_header(), ds::MESSAGE_TYPE_EXECUTION_TRACE, 0);
        t->set_thread_id("thread-roundtrip");
        t->set_execution_id("exec-1");
        auto* n = t->add_nodes_executed();
        n->set_node("retrieve");
        n->set_duration_ms(120);
        n->set_succeeded(true);
        t->set_total_duration_ms(UINT64_MAX);
        t->set_completed(true);
        t->set_final_state("{\"done\":\"" + pad + "\"}");
        (*t->mutable_metadata())["blob"] = std::string("\x00\x01", 2);
        out.push_back(m);
    }
    return out;
}

} // namespace testmsg
