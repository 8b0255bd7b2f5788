#include "models/TraceComparison.h"

#include "models/CostBreakdown.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>

namespace nexus::models {
namespace {

struct Side
{
    const RunStore& store;
    const Run& run;
    std::vector<PathEntry> path;
};

std::uint32_t stepOf(const NodeSpan& span)
{
    return span.endStep != kNoIndex ? span.endStep : span.startStep;
}

// The aligned pairs as (index into A's path, index into B's path); -1 for none.
using Pairs = std::vector<std::pair<int, int>>;

void alignMiddleLcs(const std::vector<int>& a, const std::vector<int>& b, int a0, int a1, int b0,
                    int b1, Pairs& out)
{
    const std::size_t n = std::size_t(a1 - a0), m = std::size_t(b1 - b0);
    // dp[i][j]: LCS length of a[a0+i..a1) and b[b0+j..b1).
    std::vector<std::uint32_t> dp((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return dp[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            at(i, j) = a[a0 + int(i)] == b[b0 + int(j)] ? at(i + 1, j + 1) + 1
                                                        : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[a0 + int(i)] == b[b0 + int(j)]) {
            out.emplace_back(a0 + int(i++), b0 + int(j++));
        } else if (j == m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
            out.emplace_back(a0 + int(i++), -1); // A's first, as a diff lists removals first
        } else {
            out.emplace_back(-1, b0 + int(j++));
        }
    }
}

// Too long for the table: match equal heads; otherwise skip the side whose
// head the other side never runs again (A's first when both or neither do).
void alignMiddleGreedy(const std::vector<int>& a, const std::vector<int>& b, int a0, int a1, int b0,
                       int b1, Pairs& out)
{
    std::unordered_map<int, std::vector<int>> inA, inB;
    for (int i = a0; i < a1; ++i)
        inA[a[std::size_t(i)]].push_back(i);
    for (int j = b0; j < b1; ++j)
        inB[b[std::size_t(j)]].push_back(j);
    auto later = [](const std::unordered_map<int, std::vector<int>>& where, int id, int from) {
        auto it = where.find(id);
        return it != where.end() &&
               std::lower_bound(it->second.begin(), it->second.end(), from) != it->second.end();
    };
    int i = a0, j = b0;
    while (i < a1 || j < b1) {
        if (i < a1 && j < b1 && a[std::size_t(i)] == b[std::size_t(j)])
            out.emplace_back(i++, j++);
        else if (j == b1 || (i < a1 && !(later(inB, a[std::size_t(i)], j) &&
                                         !later(inA, b[std::size_t(j)], i))))
            out.emplace_back(i++, -1);
        else
            out.emplace_back(-1, j++);
    }
}

Pairs align(const std::vector<int>& a, const std::vector<int>& b, bool& approximate)
{
    Pairs out;
    const int n = int(a.size()), m = int(b.size());
    int prefix = 0;
    while (prefix < n && prefix < m && a[std::size_t(prefix)] == b[std::size_t(prefix)])
        ++prefix;
    int suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix &&
           a[std::size_t(n - 1 - suffix)] == b[std::size_t(m - 1 - suffix)])
        ++suffix;
    for (int k = 0; k < prefix; ++k)
        out.emplace_back(k, k);
    const std::size_t cells = std::size_t(n - prefix - suffix) * std::size_t(m - prefix - suffix);
    if (cells <= TraceComparison::kMaxLcsCells) {
        alignMiddleLcs(a, b, prefix, n - suffix, prefix, m - suffix, out);
    } else {
        approximate = true;
        alignMiddleGreedy(a, b, prefix, n - suffix, prefix, m - suffix, out);
    }
    for (int k = suffix; k > 0; --k)
        out.emplace_back(n - k, m - k);
    return out;
}

void fillSide(AlignedRow& row, const Run& run, const PathEntry& entry, bool isA)
{
    const NodeSpan& span = run.spans[std::size_t(entry.span)];
    row.node = span.node;
    (isA ? row.spanA : row.spanB) = entry.span;
    (isA ? row.visitA : row.visitB) = span.visit;
    (isA ? row.parallelA : row.parallelB) = entry.parallel;
    (isA ? row.stepA : row.stepB) = stepOf(span);
    (isA ? row.durationA : row.durationB) = spanDurationUs(run, span);
    (isA ? row.tokensA : row.tokensB) = spanTokens(span);
    (isA ? row.costA : row.costB) = span.costUsd;
    (isA ? row.stateA : row.stateB) = span.state;
}

std::shared_ptr<const json> stateAfter(const Side& side, int span)
{
    const NodeSpan& s = side.run.spans[std::size_t(span)];
    if (s.endStep == kNoIndex)
        return nullptr;
    return side.store.stateAt(side.run, s.endStep).state;
}

void compareStates(AlignedRow& row, const Side& a, const Side& b)
{
    row.outcomeDiffers = row.stateA != row.stateB;
    const auto sa = stateAfter(a, row.spanA);
    const auto sb = stateAfter(b, row.spanB);
    row.stateCompared = sa && sb;
    if (row.stateCompared && sa != sb && *sa != *sb) {
        row.stateDiffers = true;
        auto changes = diffJson(*sa, *sb);
        row.stateChangeCount = changes.size();
        if (changes.size() > TraceComparison::kMaxChangesPerRow)
            changes.resize(TraceComparison::kMaxChangesPerRow);
        row.stateChanges = std::move(changes);
    }
    row.kind = row.stateDiffers || row.outcomeDiffers ? AlignKind::Changed : AlignKind::Same;
}

TraceSide summarize(const Run& run)
{
    TraceSide side;
    side.runId = run.id;
    side.threadId = run.threadId;
    side.ordinal = run.ordinal;
    side.graphName = run.graphName;
    side.status = run.status;
    side.durationUs = runDurationUs(run);
    side.tokens = run.tokens;
    side.costUsd = run.costUsd;
    side.nodeCount = int(run.spans.size());
    return side;
}

std::vector<NodeDelta> nodeDeltas(const Run& a, const Run& b)
{
    std::vector<NodeDelta> out;
    std::map<std::string, std::size_t> index;
    auto add = [&](const Run& run, bool isA) {
        for (const NodeSpan& span : run.spans) {
            auto [it, added] = index.try_emplace(span.node, out.size());
            if (added)
                out.push_back(NodeDelta{span.node});
            NodeDelta& d = out[it->second];
            ++(isA ? d.visitsA : d.visitsB);
            (isA ? d.durationA : d.durationB) += spanDurationUs(run, span);
            (isA ? d.tokensA : d.tokensB) += spanTokens(span);
            (isA ? d.costA : d.costB) += span.costUsd;
        }
    };
    add(a, true);
    add(b, false);
    return out;
}

// Compact JSON for one line of text, cut at `limit` characters.
std::string shortJson(const json& value, std::size_t limit = 40)
{
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > limit) {
        std::size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut; // not inside a UTF-8 sequence
        text = text.substr(0, cut) + "\u2026";
    }
    return text;
}

std::string visitName(const std::string& node, int visit)
{
    return visit > 1 ? node + " (visit " + std::to_string(visit) + ")" : node;
}

const char* outcomeText(NodeState state)
{
    switch (state) {
    case NodeState::Done:
        return "completed";
    case NodeState::Error:
        return "failed";
    case NodeState::Active:
        return "is still running";
    case NodeState::Pending:
        break;
    }
    return "did not run";
}

std::string stateText(const AlignedRow& row)
{
    const PathChange& first = row.stateChanges.front();
    const std::string path = first.path.empty() ? std::string("(document)") : first.path;
    std::string text = "state after " + visitName(row.node, row.visitA) + " differs at " +
                       std::to_string(row.stateChangeCount) +
                       (row.stateChangeCount == 1 ? " path: " : " paths, first ") + path;
    switch (first.kind) {
    case ChangeKind::Added:
        return text + " only in B (" + shortJson(first.after) + ")";
    case ChangeKind::Removed:
        return text + " only in A (" + shortJson(first.before) + ")";
    case ChangeKind::Changed:
        break;
    }
    return text + " is " + shortJson(first.before) + " in A, " + shortJson(first.after) + " in B";
}

// "A ran x" / "A ended" for the unmatched block starting at `row`.
std::string branchText(const TraceComparison& c, std::size_t row, bool isA)
{
    const char* side = isA ? "A" : "B";
    for (std::size_t r = row; r < c.rows.size() && !c.rows[r].matched(); ++r)
        if (c.rows[r].kind == (isA ? AlignKind::OnlyA : AlignKind::OnlyB))
            return std::string(side) + " ran " + c.rows[r].node;
    for (std::size_t r = row; r < c.rows.size(); ++r) // the side resumes at a matched row
        if (c.rows[r].matched())
            return std::string(side) + " went straight to " + c.rows[r].node;
    const RunStatus status = (isA ? c.a : c.b).status;
    return std::string(side) + (status == RunStatus::Running ? " has not gone further yet"
                                : status == RunStatus::Error ? " stopped with an error"
                                                             : " ended");
}

std::string pathText(const TraceComparison& c, std::size_t row)
{
    const AlignedRow* before = row > 0 ? &c.rows[row - 1] : nullptr;
    const std::string where =
        before ? "after " + visitName(before->node, before->visitA) : std::string("from the start");
    return where + ", " + branchText(c, row, true) + " and " + branchText(c, row, false);
}

std::uint32_t lastStep(const Run& run)
{
    return run.steps.empty() ? kNoIndex : std::uint32_t(run.steps.size() - 1);
}

Divergence explainDivergence(const TraceComparison& c, int row, const Run& a, const Run& b)
{
    Divergence d;
    d.row = row;
    const AlignedRow& r = c.rows[std::size_t(row)];
    std::string text;
    if (r.matched()) {
        d.stepA = r.stepA;
        d.stepB = r.stepB;
        if (r.outcomeDiffers)
            text = visitName(r.node, r.visitA) + " " + outcomeText(r.stateA) + " in A but " +
                   outcomeText(r.stateB) + " in B";
        else
            text = stateText(r);
        const std::size_t next = std::size_t(row) + 1;
        if (next < c.rows.size() && !c.rows[next].matched())
            text += "; then " + branchText(c, next, true) + " and " + branchText(c, next, false);
    } else {
        text = pathText(c, std::size_t(row));
        const AlignedRow* before = row > 0 ? &c.rows[std::size_t(row) - 1] : nullptr;
        for (std::size_t k = std::size_t(row); k < c.rows.size() && !c.rows[k].matched(); ++k) {
            if (d.stepA == kNoIndex && c.rows[k].spanA >= 0)
                d.stepA = c.rows[k].stepA;
            if (d.stepB == kNoIndex && c.rows[k].spanB >= 0)
                d.stepB = c.rows[k].stepB;
        }
        if (d.stepA == kNoIndex)
            d.stepA = before ? before->stepA : lastStep(a);
        if (d.stepB == kNoIndex)
            d.stepB = before ? before->stepB : lastStep(b);
    }
    if (!text.empty())
        text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
    d.explanation = text;
    return d;
}

} // namespace

const char* alignKindName(AlignKind kind)
{
    switch (kind) {
    case AlignKind::Same:
        return "same";
    case AlignKind::OnlyA:
        return "only in A";
    case AlignKind::OnlyB:
        return "only in B";
    case AlignKind::Changed:
        return "changed";
    }
    return "?";
}

std::optional<double> percentChange(double a, double b)
{
    if (a == 0)
        return std::nullopt;
    return (b - a) / std::abs(a);
}

int TraceComparison::count(AlignKind kind) const
{
    return int(std::count_if(rows.begin(), rows.end(),
                             [kind](const AlignedRow& r) { return r.kind == kind; }));
}

std::vector<PathEntry> alignmentPath(const Run& run)
{
    std::vector<int> order(run.spans.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = int(i);
    std::stable_sort(order.begin(), order.end(), [&run](int x, int y) {
        return run.spans[std::size_t(x)].startStep < run.spans[std::size_t(y)].startStep;
    });
    std::vector<PathEntry> path;
    std::size_t stageBegin = 0;
    std::uint32_t stageEnd = 0; // the latest end step of the stage's spans
    auto closeStage = [&] {
        const bool parallel = path.size() - stageBegin > 1;
        for (std::size_t k = stageBegin; k < path.size(); ++k)
            path[k].parallel = parallel;
        std::stable_sort(path.begin() + std::ptrdiff_t(stageBegin), path.end(),
                         [&run](const PathEntry& x, const PathEntry& y) {
                             const NodeSpan& sx = run.spans[std::size_t(x.span)];
                             const NodeSpan& sy = run.spans[std::size_t(y.span)];
                             return sx.node != sy.node ? sx.node < sy.node : sx.visit < sy.visit;
                         });
        stageBegin = path.size();
    };
    for (int index : order) {
        const NodeSpan& span = run.spans[std::size_t(index)];
        if (path.size() > stageBegin && span.startStep > stageEnd)
            closeStage();
        if (path.size() == stageBegin)
            stageEnd = 0;
        path.push_back({index, false});
        // A span still running keeps a live run's stage open; in a run that
        // ended it lost its end, so it must not pull later spans in.
        const std::uint32_t end = span.endStep != kNoIndex           ? span.endStep
                                  : run.status == RunStatus::Running ? kNoIndex
                                                                     : span.startStep;
        stageEnd = std::max(stageEnd, end);
    }
    closeStage();
    return path;
}

TraceComparison compareTraces(const RunStore& store, const Run& a, const Run& b)
{
    return compareTraces(store, a, store, b);
}

TraceComparison compareTraces(const RunStore& storeA, const Run& a, const RunStore& storeB,
                              const Run& b)
{
    TraceComparison out;
    out.a = summarize(a);
    out.b = summarize(b);
    const Side sa{storeA, a, alignmentPath(a)};
    const Side sb{storeB, b, alignmentPath(b)};
    // Node names as small integers for the alignment.
    std::unordered_map<std::string, int> ids;
    auto idsOf = [&ids](const Side& side) {
        std::vector<int> out;
        for (const PathEntry& e : side.path)
            out.push_back(ids.try_emplace(side.run.spans[std::size_t(e.span)].node, int(ids.size()))
                              .first->second);
        return out;
    };
    const std::vector<int> na = idsOf(sa), nb = idsOf(sb);
    for (const auto& [i, j] : align(na, nb, out.approximate)) {
        AlignedRow row;
        if (i >= 0)
            fillSide(row, a, sa.path[std::size_t(i)], true);
        if (j >= 0)
            fillSide(row, b, sb.path[std::size_t(j)], false);
        if (row.matched())
            compareStates(row, sa, sb);
        else
            row.kind = i >= 0 ? AlignKind::OnlyA : AlignKind::OnlyB;
        out.rows.push_back(std::move(row));
    }
    out.nodes = nodeDeltas(a, b);
    for (std::size_t r = 0; r < out.rows.size(); ++r)
        if (out.rows[r].kind != AlignKind::Same) {
            out.divergence = explainDivergence(out, int(r), a, b);
            break;
        }
    return out;
}

} // namespace nexus::models
