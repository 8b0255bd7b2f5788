// State reconstruction of a run (DASHSTREAM.md §4): initial state, StateDiff
// patches / full states, Checkpoints, hash verification, snapshots and time
// travel. Copy-on-write: a state that a snapshot or a view holds is never
// mutated; every applied step builds a new json.

#include "models/RunStoreDetail.h"
#include "protocol/Ids.h"
#include "protocol/StateOps.h"

#include <algorithm>
#include <optional>

namespace nexus::models::detail {
namespace {

using JsonPtr = std::shared_ptr<const json>;

constexpr std::size_t kMaxIssues = 10'000; // per run; later ones are not recorded

bool applied(StateVerdict verdict)
{
    return verdict == StateVerdict::Verified || verdict == StateVerdict::Unverified ||
           verdict == StateVerdict::Mismatch;
}

// Size and depth are checked before parsing (protocol/StateOps.h).
std::optional<json> parseJson(std::string_view text, std::size_t limit, std::string& error)
{
    auto parsed = protocol::parseStateJson(text, limit);
    if (!parsed) {
        error = parsed.error().message;
        return std::nullopt;
    }
    return std::move(*parsed);
}

std::string hex8(const std::string& bytes)
{
    return protocol::toHex(std::string_view(bytes).substr(0, 8));
}

void record(Run& run, std::uint32_t step, StateStep&& stateStep, const std::string& detail,
            const RunStoreLimits& limits)
{
    const bool isApplied = applied(stateStep.verdict);
    const bool full = stateStep.source != StateSource::Patch;
    run.stateSteps.push_back(std::move(stateStep));
    const auto index = std::uint32_t(run.stateSteps.size() - 1);
    run.steps[step].stateStep = index;
    run.steps[step].detail = run.intern(detail);
    if ((full && isApplied) || index % std::max<std::uint32_t>(limits.snapshotInterval, 1) == 0)
        run.snapshots[index] = run.current;
}

std::string verdictSuffix(StateVerdict verdict)
{
    return std::string(", ") + stateVerdictName(verdict);
}

// The state after state step `index` (null when there was none), from the
// nearest snapshot and the patches after it.
JsonPtr stateFromSnapshots(const Run& run, std::uint32_t index)
{
    auto snapshot = run.snapshots.upper_bound(index);
    if (snapshot == run.snapshots.begin())
        return nullptr;
    --snapshot;
    const JsonPtr& base = snapshot->second;
    std::optional<json> state;
    for (std::uint32_t i = snapshot->first + 1; i <= index; ++i) {
        const StateStep& s = run.stateSteps[i];
        if (s.source != StateSource::Patch || !applied(s.verdict) || s.patch.empty() || !base)
            continue;
        if (!state)
            state = *base;
        try {
            state->patch_inplace(json::parse(s.patch));
        } catch (const json::exception&) {
            // The same patch applied when it arrived; nothing to do if it does not now.
        }
    }
    return state ? std::make_shared<json>(std::move(*state)) : base;
}

JsonPtr stateAfter(const Run& run, std::uint32_t index)
{
    if (run.droppedSteps == 0 && std::size_t(index) + 1 == run.stateSteps.size())
        return run.current;
    return stateFromSnapshots(run, index);
}

std::optional<std::uint32_t> stateStepAt(const Run& run, std::uint32_t step)
{
    const auto it = std::upper_bound(
        run.stateSteps.begin(), run.stateSteps.end(), step,
        [](std::uint32_t s, const StateStep& stateStep) { return s < stateStep.step; });
    if (it == run.stateSteps.begin())
        return std::nullopt;
    return std::uint32_t(it - run.stateSteps.begin() - 1);
}

bool inCorruptedStretch(const Run& run, std::uint32_t step)
{
    const auto& stretches = run.corruptedStretches;
    auto it =
        std::upper_bound(stretches.begin(), stretches.end(), step,
                         [](std::uint32_t s, const auto& stretch) { return s < stretch.first; });
    if (it == stretches.begin())
        return false;
    --it;
    return step < it->second; // kNoIndex: still open
}

} // namespace

bool IntervalSet::contains(std::uint64_t value) const
{
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), value,
                               [](std::uint64_t v, const auto& r) { return v < r.first; });
    return it != ranges_.begin() && value <= std::prev(it)->second;
}

void IntervalSet::insert(std::uint64_t value)
{
    if (!ranges_.empty() && ranges_.back().second + 1 == value) { // the common case
        ranges_.back().second = value;
        return;
    }
    if (!ranges_.empty() && value > ranges_.back().second) { // past a gap
        makeRoom(ranges_, 4);
        ranges_.emplace_back(value, value);
        return;
    }
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), value,
                               [](std::uint64_t v, const auto& r) { return v < r.first; });
    if (it != ranges_.begin() && value <= std::prev(it)->second)
        return;
    const bool joinsPrevious = it != ranges_.begin() && std::prev(it)->second + 1 == value;
    const bool joinsNext = it != ranges_.end() && value + 1 == it->first;
    if (joinsPrevious && joinsNext) {
        std::prev(it)->second = it->second;
        ranges_.erase(it);
    } else if (joinsPrevious) {
        std::prev(it)->second = value;
    } else if (joinsNext) {
        it->first = value;
    } else {
        if (ranges_.size() == ranges_.capacity()) { // keep `it` valid
            const auto at = it - ranges_.begin();
            makeRoom(ranges_, 4);
            it = ranges_.begin() + at;
        }
        ranges_.insert(it, {value, value});
    }
}

std::uint64_t IntervalSet::missingIn(std::uint64_t lo, std::uint64_t hi, std::uint64_t& first,
                                     std::uint64_t& last) const
{
    std::uint64_t missing = 0;
    bool any = false;
    std::uint64_t next = lo; // lowest number not yet accounted for
    auto note = [&](std::uint64_t a, std::uint64_t b) {
        missing += b - a + 1;
        if (!any)
            first = a;
        any = true;
        last = b;
    };
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), lo,
                               [](std::uint64_t v, const auto& r) { return v < r.first; });
    if (it != ranges_.begin())
        --it;
    for (; it != ranges_.end() && next <= hi && it->first <= hi; ++it) {
        if (it->second < next)
            continue;
        if (it->first > next)
            note(next, it->first - 1);
        next = it->second + 1;
        if (next == 0) // wrapped past UINT64_MAX
            return missing;
    }
    if (next <= hi)
        note(next, hi);
    return missing;
}

void addIssue(Run& run, std::uint32_t step, IssueKind kind, std::string message)
{
    if (run.issues.size() > kMaxIssues)
        return;
    if (run.issues.size() == kMaxIssues)
        message = "more than " + num(kMaxIssues) + " issues: later ones are not recorded";
    makeRoom(run.issues, 4);
    run.issues.push_back({step, kind, std::move(message)});
}

void corrupt(Run& run, StateTracking& state, std::uint32_t step, IssueKind kind,
             std::string message, bool blocking)
{
    addIssue(run, step, kind, std::move(message));
    state.blocked = state.blocked || blocking;
    if (run.corrupted)
        return;
    run.corrupted = true;
    run.corruptedSince = step;
    run.corruptedStretches.emplace_back(step, kNoIndex);
}

void heal(Run& run, StateTracking& state, std::uint32_t step, const std::string& how)
{
    state.blocked = false;
    if (!run.corrupted)
        return;
    addIssue(run, step, IssueKind::Healed,
             how + " at step " + num(step) + " ended the corrupted stretch that began at step " +
                 num(run.corruptedSince));
    run.corrupted = false;
    run.corruptedSince = kNoIndex;
    run.corruptedStretches.back().second = step;
}

void applyInitialState(Run& run, StateTracking& state, std::uint32_t step, std::string_view text,
                       const RunStoreLimits& limits, bool keep)
{
    StateStep stateStep{step, StateSource::Initial, StateVerdict::Unverified, {}};
    std::string error;
    state.hashes.reset();
    if (auto parsed = parseJson(text, limits.maxStateBytes, error)) {
        run.current = std::make_shared<json>(std::move(*parsed));
        heal(run, state, step, "The GRAPH_START initial state");
    } else {
        stateStep.verdict = StateVerdict::Invalid;
        run.current.reset();
        corrupt(run, state, step, IssueKind::InvalidState,
                "initial_state_json at step " + num(step) + " " + error +
                    "; the run has no base state",
                true);
    }
    if (keep) {
        const std::string detail = "initial state" + verdictSuffix(stateStep.verdict);
        record(run, step, std::move(stateStep), detail, limits);
    }
}

void applyStateDiff(Run& run, StateTracking& state, std::uint32_t step, const ds::StateDiff& diff,
                    const RunStoreLimits& limits, bool keep)
{
    StateStep stateStep{step, StateSource::Patch, StateVerdict::Unverified, {}};
    const std::string& base = diff.base_checkpoint_id();
    if (!base.empty()) {
        const auto known = run.checkpoints.find(base);
        if ((known == run.checkpoints.end() || !known->second.empty()) &&
            base != state.lastUnknownBase) {
            state.lastUnknownBase = base;
            corrupt(run, state, step, IssueKind::UnknownBaseCheckpoint,
                    "StateDiff at step " + num(step) + " names base checkpoint " + hex8(base) +
                        (known == run.checkpoints.end()
                             ? ", which this run never received"
                             : ", which was not usable: " + known->second),
                    false);
        }
    }
    JsonPtr next;
    std::string detail;
    if (!diff.full_state().empty()) {
        stateStep.source = StateSource::FullState;
        detail = "full state, " + num(diff.full_state().size()) + " bytes";
        std::string error;
        if (auto parsed = parseJson(diff.full_state(), limits.maxStateBytes, error)) {
            next = std::make_shared<json>(std::move(*parsed));
            state.hashes.reset();
        } else {
            stateStep.verdict = StateVerdict::Invalid;
            corrupt(run, state, step, IssueKind::InvalidState,
                    "full state at step " + num(step) + " " + error +
                        "; later patches cannot be applied",
                    true);
        }
    } else {
        detail = num(std::uint64_t(diff.operations_size())) + " operation(s)";
        if (state.blocked || !run.current) {
            stateStep.verdict = StateVerdict::Skipped;
            if (!run.current && !state.noBaseReported) {
                state.noBaseReported = true;
                corrupt(run, state, step, IssueKind::NoBaseState,
                        "StateDiff at step " + num(step) +
                            " has no base state to apply to (no initial state or full state yet)",
                        true);
            }
        } else if (diff.operations_size() == 0) {
            next = run.current; // nothing to apply; the hash is still checked
        } else {
            // Copy-on-write: a state nobody else holds (no snapshot, no view)
            // is patched in place; `current` is always created non-const, so
            // this is a legal const_cast.
            bool inPlace = keep && !run.stateSteps.empty() && run.current.use_count() == 1;
            // The common case first: add / remove / replace with JSON values.
            std::shared_ptr<json> updated = inPlace ? std::const_pointer_cast<json>(run.current)
                                                    : std::make_shared<json>(*run.current);
            std::string patchText;
            switch (
                protocol::applyStateDiffInPlace(diff, *updated, patchText, limits.maxStateBytes)) {
            case protocol::DiffApply::Applied:
                stateStep.patch = std::move(patchText);
                next = std::move(updated);
                for (const ds::DiffOperation& op : diff.operations())
                    state.hashes.touch(op.path(), op.op() != ds::DiffOperation::OP_TYPE_REPLACE);
                break;
            case protocol::DiffApply::Failed:
                if (inPlace) // partly applied: rebuild the state before it
                    run.current = stateFromSnapshots(run, std::uint32_t(run.stateSteps.size() - 1));
                state.hashes.reset();
                break;
            case protocol::DiffApply::NotHandled:
                break;
            }
            updated.reset();
            // Otherwise the general path, which also words the failure.
            auto converted = next ? protocol::StateResult<json>(json())
                                  : protocol::stateDiffPatch(diff, limits.maxStateBytes);
            std::string error = converted ? std::string() : converted.error().message;
            if (!next && converted) {
                const json& patch = *converted;
                inPlace = keep && !run.stateSteps.empty() && run.current.use_count() == 1;
                try {
                    updated = inPlace ? std::const_pointer_cast<json>(run.current)
                                      : std::make_shared<json>(*run.current);
                    state.hashes.reset();
                    protocol::patchJsonInPlace(*updated, patch);
                    stateStep.patch = patch.dump(); // throws on invalid UTF-8 (RAW values)
                    next = std::move(updated);
                } catch (const json::exception& e) {
                    if (inPlace) // patch_inplace is not atomic: rebuild the state before it
                        run.current =
                            stateFromSnapshots(run, std::uint32_t(run.stateSteps.size() - 1));
                    error = protocol::describePatchFailure(diff, *run.current, patch, e.what());
                }
            }
            if (!next) {
                stateStep.verdict = StateVerdict::PatchFailed;
                corrupt(run, state, step, IssueKind::PatchFailed,
                        "patch at step " + num(step) + " failed: " + error +
                            "; later patches are not applied",
                        true);
            }
        }
    }
    if (next) {
        run.current = next;
        // As protocol::verifyStateHash, with the canonical text kept in parts.
        if (const std::string& recorded = diff.state_hash(); !recorded.empty()) {
            const protocol::Sha256 digest = state.hashes.hash(*next);
            if (run.status != RunStatus::Running)
                state.hashes.reset(); // an ended run: its parts are not kept
            stateStep.verdict = std::string_view(reinterpret_cast<const char*>(digest.data()),
                                                 digest.size()) == recorded
                                    ? StateVerdict::Verified
                                    : StateVerdict::Mismatch;
        }
        if (stateStep.verdict == StateVerdict::Mismatch)
            corrupt(run, state, step, IssueKind::HashMismatch,
                    "state hash mismatch at step " + num(step) +
                        ": the reconstructed state differs from the producer's",
                    true);
        else if (stateStep.source == StateSource::FullState)
            heal(run, state, step, "A full state");
        else if (stateStep.verdict == StateVerdict::Verified && !state.blocked)
            heal(run, state, step, "A verified state hash");
    }
    if (keep) {
        detail += verdictSuffix(stateStep.verdict);
        record(run, step, std::move(stateStep), detail, limits);
    }
}

void applyCheckpoint(Run& run, StateTracking& state, std::uint32_t step,
                     const ds::Checkpoint& checkpoint, const RunStoreLimits& limits, bool keep)
{
    StateStep stateStep{step, StateSource::Checkpoint, StateVerdict::Invalid, {}};
    const std::string& id = checkpoint.checkpoint_id();
    std::string error;
    auto decoded = protocol::decodeCheckpointState(checkpoint, limits.maxStateBytes);
    std::optional<json> parsed;
    if (decoded) {
        parsed = std::move(*decoded);
    } else if (decoded.error().kind == protocol::StateError::Kind::ChecksumMismatch) {
        error = decoded.error().message;
        addIssue(run, step, IssueKind::ChecksumMismatch,
                 "checkpoint " + hex8(id) + " at step " + num(step) +
                     ": the checksum does not match the state; not applied");
    } else {
        error = decoded.error().message;
        addIssue(run, step, IssueKind::InvalidState,
                 "checkpoint " + hex8(id) + " at step " + num(step) + ": " + error);
    }
    if (parsed) {
        if (!run.current || *run.current != *parsed) {
            run.current = std::make_shared<json>(std::move(*parsed));
            state.hashes.reset();
        }
        stateStep.verdict =
            checkpoint.checksum().empty() ? StateVerdict::Unverified : StateVerdict::Verified;
        heal(run, state, step, "Checkpoint " + hex8(id));
    }
    if (!id.empty())
        run.checkpoints[id] = error;
    if (keep) {
        const std::string detail = "checkpoint " + hex8(id) + verdictSuffix(stateStep.verdict);
        record(run, step, std::move(stateStep), detail, limits);
    }
}

StateAt stateAt(const Run& run, std::uint32_t step)
{
    StateAt out;
    out.corrupted = inCorruptedStretch(run, step);
    const auto index = stateStepAt(run, step);
    if (!index)
        return out;
    out.stateStep = *index;
    out.verdict = run.stateSteps[*index].verdict;
    out.state = stateAfter(run, *index);
    return out;
}

std::vector<PathChange> changesAt(const Run& run, std::uint32_t step)
{
    const auto index = stateStepAt(run, step);
    if (!index || !applied(run.stateSteps[*index].verdict))
        return {};
    const JsonPtr after = stateAfter(run, *index);
    const JsonPtr before = *index > 0 ? stateAfter(run, *index - 1) : nullptr;
    if (!after)
        return {};
    json old = before ? *before : json();
    if (old.is_null() && after->is_object())
        old = json::object();
    return diffJson(old, *after);
}

} // namespace nexus::models::detail

namespace nexus::models {

std::vector<PathChange> diffJson(const json& a, const json& b, std::size_t limit)
{
    std::vector<PathChange> changes;
    const json diff = json::diff(a, b);
    // json::diff appends to arrays as "<array>/-": give those their index.
    std::map<std::string, std::size_t> appends;
    for (const json& op : diff)
        if (op["op"] == "add" && op["path"].get<std::string>().ends_with("/-"))
            ++appends[op["path"].get<std::string>()];
    try {
        for (const json& op : diff) {
            if (changes.size() >= limit)
                break;
            const std::string name = op["op"].get<std::string>();
            PathChange change;
            change.path = op["path"].get<std::string>();
            if (name == "add") {
                change.kind = ChangeKind::Added;
                if (auto it = appends.find(change.path); it != appends.end()) {
                    const std::string parent = change.path.substr(0, change.path.size() - 2);
                    const std::size_t size = b.at(json::json_pointer(parent)).size();
                    change.path = parent + "/" + std::to_string(size - it->second--);
                }
                change.after = op["value"];
            } else if (name == "remove") {
                change.kind = ChangeKind::Removed;
                change.before = a.at(json::json_pointer(change.path));
            } else {
                change.kind = ChangeKind::Changed;
                change.before = a.at(json::json_pointer(change.path));
                change.after = op["value"];
            }
            changes.push_back(std::move(change));
        }
    } catch (const json::exception&) {
        // A diff of two valid documents always resolves; keep what we have.
    }
    return changes;
}

} // namespace nexus::models
