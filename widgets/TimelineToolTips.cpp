// TimelineView's tooltips: a span's details, or the markers under the mouse
// in the event row. Plain text; the view shows it as such.
#include "widgets/TimelineFormat.h"
#include "widgets/TimelineView.h"

#include <QStringList>

namespace nexus::widgets {

using models::kNoIndex;
using models::NodeSpan;
using models::NodeState;

namespace {

QString stateText(NodeState state)
{
    switch (state) {
    case NodeState::Active:
        return QStringLiteral("running");
    case NodeState::Done:
        return QStringLiteral("done");
    case NodeState::Error:
        return QStringLiteral("error");
    case NodeState::Pending:
        break;
    }
    return QStringLiteral("pending");
}

QString oneLine(const std::string& text, int maxChars = 160)
{
    QString s = QString::fromStdString(text).simplified();
    if (s.size() > maxChars)
        s = s.left(maxChars) + QChar(0x2026);
    return s;
}

} // namespace

QString TimelineView::toolTipText(const QPoint& pos) const
{
    sync();
    if (!run_ || pos.x() < metrics_.gutter)
        return {};
    if (pos.y() >= metrics_.axis && pos.y() < metrics_.header())
        return markerToolTip(pos);
    const int span = spanAt(pos);
    return span >= 0 ? spanToolTip(span) : QString();
}

QString TimelineView::spanToolTip(int spanIndex) const
{
    const NodeSpan& s = run_->spans[std::size_t(spanIndex)];
    const std::int64_t origin = run_->startUs != 0 ? run_->startUs : index_.minUs();
    QStringList lines;
    QString title = oneLine(s.node);
    if (s.visit > 1)
        title += QStringLiteral(" (visit %1)").arg(s.visit);
    lines << title;
    lines
        << QStringLiteral("%1 · lane %2").arg(stateText(s.state)).arg(TimelineIndex::laneOf(s) + 1);
    const std::int64_t end = TimelineIndex::spanEndUs(*run_, s);
    const std::int64_t duration =
        s.state != NodeState::Active && s.durationUs > 0 ? s.durationUs : end - s.startUs;
    lines << QStringLiteral("Start +%1 · %2 %3")
                 .arg(timelinefmt::formatDurationUs(s.startUs - origin),
                      s.state == NodeState::Active ? QStringLiteral("running for")
                                                   : QStringLiteral("duration"),
                      timelinefmt::formatDurationUs(duration));
    if (s.promptTokens || s.completionTokens)
        lines << QStringLiteral("Tokens %1 prompt + %2 completion")
                     .arg(s.promptTokens)
                     .arg(s.completionTokens);
    if (s.costUsd > 0 || !s.model.empty()) {
        QString line = QStringLiteral("Cost $%1").arg(s.costUsd, 0, 'f', 4);
        if (!s.model.empty())
            line += QStringLiteral(" · model ") + oneLine(s.model, 60);
        lines << line;
    }
    if (!s.tools.empty()) {
        QStringList names;
        for (std::size_t i = 0; i < s.tools.size() && i < 4; ++i)
            names << oneLine(s.tools[i].name, 40);
        if (s.tools.size() > 4)
            names << QStringLiteral("+%1 more").arg(s.tools.size() - 4);
        lines << QStringLiteral("Tools: ") + names.join(QStringLiteral(", "));
    }
    if (!s.error.empty())
        lines << QStringLiteral("Error: ") + oneLine(s.error, 300);
    return lines.join(QLatin1Char('\n'));
}

QString TimelineView::markerToolTip(const QPoint& pos) const
{
    const std::int64_t origin = run_->startUs != 0 ? run_->startUs : index_.minUs();
    const std::int64_t from = timeForX(pos.x() - 4);
    const std::int64_t to = timeForX(pos.x() + 5);
    QStringList lines;
    static const struct
    {
        MarkerKind kind;
        const char* one;
        const char* many;
    } kinds[] = {
        {MarkerKind::Error, "error", "errors"},
        {MarkerKind::Issue, "integrity issue", "integrity issues"},
        {MarkerKind::Tool, "tool execution", "tool executions"},
        {MarkerKind::Metric, "metrics", "metrics"},
        {MarkerKind::Token, "token chunk", "token chunks"},
    };
    for (const auto& k : kinds) {
        const auto& markers = index_.markers(k.kind);
        const auto [lo, hi] = TimelineIndex::range(markers, from, to);
        if (lo == hi)
            continue;
        if (hi - lo > 3) {
            lines << QStringLiteral("%1 %2").arg(hi - lo).arg(QLatin1String(k.many));
            continue;
        }
        for (std::size_t i = lo; i < hi; ++i) {
            QString line = QLatin1String(k.one);
            if (k.kind == MarkerKind::Issue) {
                const auto& issue = run_->issues[markers[i].item];
                line += QStringLiteral(" at step %1: ").arg(issue.step) + oneLine(issue.message);
            } else {
                const models::Step& step = run_->steps[markers[i].item];
                line += QStringLiteral(" at step %1").arg(markers[i].item);
                if (step.node != kNoIndex)
                    line += QStringLiteral(" · ") + oneLine(run_->string(step.node), 60);
                if (step.detail != kNoIndex)
                    line += QStringLiteral(": ") + oneLine(run_->string(step.detail));
            }
            lines << line;
        }
    }
    if (lines.isEmpty())
        return {};
    lines.prepend(QStringLiteral("+") + timelinefmt::formatDurationUs((from + to) / 2 - origin));
    return lines.join(QLatin1Char('\n'));
}

} // namespace nexus::widgets
