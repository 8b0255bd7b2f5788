#pragma once
// State reconstruction primitives shared by every consumer of DashStream
// state (DASHSTREAM.md §4): the console's RunStore, the runtime's recording
// reader and replay, nexusctl. Plain C++; errors are values.
//
// Error messages are phrases a caller prefixes with what it was reading, e.g.
// "initial_state_json at step 3 " + "is not valid JSON".

#include "protocol/Expected.h"
#include "protocol/Framing.h"
#include "protocol/Messages.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace nexus::protocol {

// Hashing, diffing and printing a json recurse, so nesting is a stack budget.
inline constexpr int kMaxStateDepth = 256;
inline constexpr std::size_t kDefaultMaxStateBytes = 10 * kMiB; // DashFlow's state size cap

struct StateError
{
    enum class Kind
    {
        InvalidJson,      // too large, too deep or not JSON
        BadOperation,     // a DiffOperation that cannot become a JSON Patch operation
        PatchFailed,      // the patch does not apply to the base state
        Unreadable,       // a checkpoint state that does not decompress or parse
        ChecksumMismatch, // a checkpoint whose checksum does not match its state
    };
    Kind kind = Kind::InvalidJson;
    std::string message;
};

template <class T> using StateResult = Expected<T, StateError>;

// True when no object / array in `text` nests deeper than `maxDepth`
// (checked on the text, before anything is parsed).
bool jsonDepthWithin(std::string_view text, int maxDepth = kMaxStateDepth);

// Parses state JSON (an initial state, a full state, a value) with the size
// checked before parsing and the depth before recursing. Messages: "is N
// bytes, over the M-byte limit", "is nested deeper than 256 levels", "is not
// valid JSON".
StateResult<nlohmann::json> parseStateJson(std::string_view text,
                                           std::size_t maxBytes = kDefaultMaxStateBytes);

// "operation 2 (replace \"/answer\")" — 1-based, for messages.
std::string diffOperationLabel(const ds::DiffOperation& op, int index);

// A StateDiff's operations as an RFC 6902 patch (DASHSTREAM.md §4.1 point 3):
// JSON values parsed (an empty add value is null), RAW values as strings,
// MessagePack / protobuf encodings refused. Kind BadOperation.
StateResult<nlohmann::json> stateDiffPatch(const ds::StateDiff& diff,
                                           std::size_t maxValueBytes = kDefaultMaxStateBytes);

// The common case of applying a StateDiff, in place and without building an
// RFC 6902 document: add / remove / replace with JSON-encoded values (all
// DashFlow sends). Values are parsed as parseStateJson parses them and the
// operations applied as json::patch_inplace applies stateDiffPatch's patch
// (an operation outside the simple cases goes through patch_inplace itself).
enum class DiffApply
{
    Applied,    // `state` updated; `patchText` = that patch as compact JSON
    NotHandled, // another kind of operation or encoding, or a value that does
                // not parse: nothing changed, take the general path
    Failed,     // an operation did not apply: `state` may be partly changed
};
DiffApply applyStateDiffInPlace(const ds::StateDiff& diff, nlohmann::json& state,
                                std::string& patchText,
                                std::size_t maxValueBytes = kDefaultMaxStateBytes);

// json::patch_inplace without the cases nlohmann gets wrong: an "add" (also
// the one inside "move" / "copy") whose parent is a string, number or boolean
// trips an assertion (a silent no-op in release builds), and a "remove" from
// a parent that is not an object or array does nothing. Both throw
// json::out_of_range here, as RFC 6902 asks. (An "add" into null still turns
// it into an object, as patch_inplace does.) Applied operation by operation;
// like patch_inplace, not atomic. Use this for every patch from outside.
void patchJsonInPlace(nlohmann::json& state, const nlohmann::json& patch);

// Which operation of `patch` (built from `diff`) fails on `base`, as
// "operation 3 (remove \"/x\"): <reason>"; `fallback` when none does alone.
std::string describePatchFailure(const ds::StateDiff& diff, const nlohmann::json& base,
                                 const nlohmann::json& patch, const std::string& fallback);

// One zstd frame that declares its content size, decompressed after the
// declared size is checked against `maxBytes`. Messages: "is not a zstd
// frame", "is a zstd frame that does not declare its content size",
// "declares N bytes uncompressed, over the M-byte limit", "does not decompress".
StateResult<std::string> decompressZstdFrame(std::string_view frame, std::size_t maxBytes);

// A Checkpoint's state: decompressed per compression_info (DASHSTREAM.md
// §4.3), parsed, and checked against the checksum when there is one.
// Unreadable: "its state <reason>"; ChecksumMismatch: "its checksum does not
// match its state".
StateResult<nlohmann::json> decodeCheckpointState(const ds::Checkpoint& checkpoint,
                                                  std::size_t maxBytes = kDefaultMaxStateBytes);

enum class HashVerdict
{
    Verified,   // the canonical SHA-256 of the state equals the recorded hash
    Mismatch,   // it does not
    Unverified, // nothing was recorded to compare with
};
const char* hashVerdictName(HashVerdict verdict); // "verified", "mismatch", "unverified"

// Compares the state's DashStream hash with a StateDiff.state_hash (32 raw
// bytes; empty = Unverified).
HashVerdict verifyStateHash(const nlohmann::json& state, std::string_view recordedHash);

} // namespace nexus::protocol
