#include "runtime/StateMessages.h"

#include "protocol/CanonicalJson.h"

#include <zstd.h>

namespace nexus::runtime {
namespace {

using json = nlohmann::json;

ds::DiffOperation::OpType opType(const std::string& op)
{
    if (op == "remove")
        return ds::DiffOperation::OP_TYPE_REMOVE;
    if (op == "replace")
        return ds::DiffOperation::OP_TYPE_REPLACE;
    if (op == "move")
        return ds::DiffOperation::OP_TYPE_MOVE;
    if (op == "copy")
        return ds::DiffOperation::OP_TYPE_COPY;
    if (op == "test")
        return ds::DiffOperation::OP_TYPE_TEST;
    return ds::DiffOperation::OP_TYPE_ADD;
}

std::string bytesOf(const protocol::Sha256& digest)
{
    return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

} // namespace

void fillStateDiff(ds::StateDiff& diff, const json& previous, const json& next,
                   const std::string& baseCheckpointId)
{
    diff.set_base_checkpoint_id(baseCheckpointId);
    const json patch = json::diff(previous, next);
    const std::string fullState = protocol::canonicalJson(next);
    const std::size_t patchSize = protocol::canonicalJson(patch).size();
    if (patchSize > fullState.size() * 11 / 10) {
        diff.set_full_state(fullState);
    } else {
        for (const json& op : patch) {
            ds::DiffOperation* out = diff.add_operations();
            out->set_op(opType(op.at("op").get<std::string>()));
            out->set_path(op.at("path").get<std::string>());
            if (op.contains("value"))
                out->set_value(protocol::canonicalJson(op.at("value")));
            if (op.contains("from"))
                out->set_from(op.at("from").get<std::string>());
        }
    }
    diff.set_state_hash(bytesOf(protocol::sha256(fullState)));
}

void fillCheckpoint(ds::Checkpoint& checkpoint, const json& state, const std::string& checkpointId)
{
    const std::string stateJson = protocol::canonicalJson(state);
    checkpoint.set_checkpoint_id(checkpointId);
    checkpoint.set_state_type("serde_json::Value");
    checkpoint.set_checksum(bytesOf(protocol::sha256(stateJson)));
    if (stateJson.size() < kCheckpointCompressionThreshold) {
        checkpoint.set_state(stateJson);
        return;
    }
    std::string frame(ZSTD_compressBound(stateJson.size()), '\0');
    const std::size_t size =
        ZSTD_compress(frame.data(), frame.size(), stateJson.data(), stateJson.size(), 3);
    if (ZSTD_isError(size)) { // cannot happen with a bound-sized buffer; stay correct anyway
        checkpoint.set_state(stateJson);
        return;
    }
    frame.resize(size);
    checkpoint.set_state(frame);
    ds::CompressionInfo* info = checkpoint.mutable_compression_info();
    info->set_type(ds::COMPRESSION_ZSTD);
    info->set_compressed_size(size);
    info->set_uncompressed_size(stateJson.size());
    info->set_compression_ratio(float(double(size) / double(stateJson.size())));
}

} // namespace nexus::runtime
