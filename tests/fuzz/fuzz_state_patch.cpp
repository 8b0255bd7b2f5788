// libFuzzer target: a base state and a StateDiff applied to it
// (protocol/StateOps.h). Input: the base state's JSON text, a NUL byte, then
// a serialized ds::StateDiff (no NUL: the base is {} and every byte is the
// diff). Properties:
//   - nothing crashes, hangs or leaks;
//   - a diff that does not apply gets a message naming the failing operation
//     (describePatchFailure);
//   - the in-place path (applyStateDiffInPlace) agrees with the general one
//     (stateDiffPatch + patchJsonInPlace): same result state, the same
//     patch text, the same failures, and the state untouched when it declines.
#include "protocol/StateOps.h"

#include "QuietProtobuf.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

using nlohmann::json;
namespace ds = nexus::protocol::ds;

void fail(const char* what, const std::string& detail = {})
{
    std::fprintf(stderr, "fuzz_state_patch: %s %s\n", what, detail.c_str());
    std::abort();
}

// The general path, as the recording reader takes it.
struct General
{
    bool converted = false; // stateDiffPatch accepted the operations
    json patch;
    bool applied = false;
    json state;
    std::string error;
};

General applyGeneral(const ds::StateDiff& diff, const json& base)
{
    using namespace nexus::protocol;
    General out;
    auto patch = stateDiffPatch(diff);
    if (!patch) {
        if (patch.error().kind != StateError::Kind::BadOperation || patch.error().message.empty())
            fail("stateDiffPatch refused without a BadOperation message");
        return out;
    }
    out.converted = true;
    out.patch = std::move(*patch);
    out.state = base;
    try {
        patchJsonInPlace(out.state, out.patch);
        (void)out.patch.dump(); // throws on invalid UTF-8 (RAW values), as printing would
        out.applied = true;
    } catch (const json::exception& e) {
        out.error = describePatchFailure(diff, base, out.patch, e.what());
        if (out.error.empty())
            fail("describePatchFailure gave no message");
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace nexus::protocol;
    const char* bytes = reinterpret_cast<const char*>(data);
    const void* nul = std::memchr(bytes, 0, size);
    const std::size_t split = nul ? std::size_t(static_cast<const char*>(nul) - bytes) : 0;
    const std::string_view baseText = nul ? std::string_view(bytes, split) : "{}";
    const std::string_view diffBytes =
        nul ? std::string_view(bytes + split + 1, size - split - 1) : std::string_view(bytes, size);

    auto base = parseStateJson(baseText);
    if (!base) {
        if (base.error().message.empty())
            fail("parseStateJson refused without a message");
        return 0;
    }
    ds::StateDiff diff;
    if (!diff.ParseFromArray(diffBytes.data(), int(diffBytes.size())))
        return 0;
    for (int i = 0; i < diff.operations_size(); ++i)
        (void)diffOperationLabel(diff.operations(i), i + 1);
    (void)verifyStateHash(*base, diff.state_hash());

    const General general = applyGeneral(diff, *base);

    json state = *base;
    std::string patchText;
    switch (applyStateDiffInPlace(diff, state, patchText)) {
    case DiffApply::Applied:
        if (!general.converted || !general.applied)
            fail("applied in place but not by the general path:", general.error);
        if (state != general.state)
            fail("in place and general results differ:",
                 state.dump() + " vs " + general.state.dump());
        if (json::parse(patchText, nullptr, false) != general.patch)
            fail("the in-place patch text is not the general patch:", patchText);
        (void)verifyStateHash(state, diff.state_hash());
        break;
    case DiffApply::Failed:
        if (general.applied)
            fail("failed in place but applies by the general path:", general.patch.dump());
        break;
    case DiffApply::NotHandled:
        if (state != *base)
            fail("declined, but changed the state");
        break;
    }
    return 0;
}
