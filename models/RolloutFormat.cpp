#include "models/RolloutFormat.h"

#include <QLocale>

#include <cmath>

namespace nexus::models::rolloutfmt {

namespace pb = ::nexus::v1;

QString phaseName(pb::RolloutPhase phase)
{
    switch (phase) {
    case pb::ROLLOUT_PHASE_PROGRESSING:
        return QStringLiteral("Progressing");
    case pb::ROLLOUT_PHASE_PAUSED:
        return QStringLiteral("Paused");
    case pb::ROLLOUT_PHASE_PROMOTED:
        return QStringLiteral("Promoted");
    case pb::ROLLOUT_PHASE_ABORTED:
        return QStringLiteral("Aborted");
    case pb::ROLLOUT_PHASE_ROLLED_BACK:
        return QStringLiteral("Rolled back");
    default:
        return QStringLiteral("Unknown");
    }
}

bool isActive(pb::RolloutPhase phase)
{
    return phase == pb::ROLLOUT_PHASE_PROGRESSING || phase == pb::ROLLOUT_PHASE_PAUSED;
}

QString verdictName(pb::Verdict verdict)
{
    switch (verdict) {
    case pb::VERDICT_PASS:
        return QStringLiteral("Pass");
    case pb::VERDICT_MARGINAL:
        return QStringLiteral("Marginal");
    case pb::VERDICT_FAIL:
        return QStringLiteral("Fail");
    case pb::VERDICT_INSUFFICIENT_DATA:
        return QStringLiteral("Insufficient data");
    default:
        return {};
    }
}

QString versionStateName(pb::VersionState state)
{
    switch (state) {
    case pb::VERSION_STATE_CANDIDATE:
        return QStringLiteral("Candidate");
    case pb::VERSION_STATE_CANARY:
        return QStringLiteral("Canary");
    case pb::VERSION_STATE_LIVE:
        return QStringLiteral("Live");
    case pb::VERSION_STATE_RETIRED:
        return QStringLiteral("Retired");
    case pb::VERSION_STATE_ROLLED_BACK:
        return QStringLiteral("Rolled back");
    default:
        return QStringLiteral("Unknown");
    }
}

QColor phaseColor(pb::RolloutPhase phase)
{
    switch (phase) {
    case pb::ROLLOUT_PHASE_PROGRESSING:
        return QColor(0xd6, 0xe4, 0xff); // blue
    case pb::ROLLOUT_PHASE_PAUSED:
        return QColor(0xff, 0xe8, 0xb3); // amber
    case pb::ROLLOUT_PHASE_PROMOTED:
        return QColor(0xcc, 0xf0, 0xd4); // green
    case pb::ROLLOUT_PHASE_ABORTED:
        return QColor(0xe4, 0xe4, 0xe4); // grey
    case pb::ROLLOUT_PHASE_ROLLED_BACK:
        return QColor(0xff, 0xd0, 0xcc); // red
    default:
        return QColor(0xee, 0xee, 0xee);
    }
}

QColor verdictColor(pb::Verdict verdict)
{
    switch (verdict) {
    case pb::VERDICT_PASS:
        return QColor(0xcc, 0xf0, 0xd4);
    case pb::VERDICT_MARGINAL:
        return QColor(0xff, 0xe8, 0xb3);
    case pb::VERDICT_FAIL:
        return QColor(0xff, 0xd0, 0xcc);
    default:
        return QColor(0xe4, 0xe4, 0xe4);
    }
}

QString duration(std::int64_t seconds)
{
    if (seconds < 120)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 3600)
        return seconds % 60 == 0
                   ? QStringLiteral("%1 min").arg(seconds / 60)
                   : QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    const std::int64_t minutes = (seconds % 3600) / 60;
    return minutes == 0 ? QStringLiteral("%1 h").arg(seconds / 3600)
                        : QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg(minutes);
}

QString stepText(const pb::RolloutStep& step)
{
    switch (step.step_case()) {
    case pb::RolloutStep::kSetWeight:
        return QStringLiteral("Set weight %1 %").arg(step.set_weight().percent());
    case pb::RolloutStep::kPause:
        return step.pause().duration_seconds() > 0
                   ? QStringLiteral("Pause %1").arg(duration(step.pause().duration_seconds()))
                   : QStringLiteral("Pause until promoted");
    case pb::RolloutStep::kAnalysis: {
        const auto& a = step.analysis();
        return a.min_samples() > 0
                   ? QStringLiteral("Analysis %1 (≥ %2 runs per side)")
                         .arg(duration(a.window_seconds()))
                         .arg(a.min_samples())
                   : QStringLiteral("Analysis %1").arg(duration(a.window_seconds()));
    }
    default:
        return QStringLiteral("Unknown step");
    }
}

QString stepShortText(const pb::RolloutStep& step)
{
    switch (step.step_case()) {
    case pb::RolloutStep::kSetWeight:
        return QStringLiteral("%1 %").arg(step.set_weight().percent());
    case pb::RolloutStep::kPause:
        return step.pause().duration_seconds() > 0
                   ? QStringLiteral("pause %1").arg(duration(step.pause().duration_seconds()))
                   : QStringLiteral("pause");
    case pb::RolloutStep::kAnalysis:
        return QStringLiteral("analysis %1").arg(duration(step.analysis().window_seconds()));
    default:
        return QStringLiteral("?");
    }
}

QString stepPosition(const pb::Rollout& rollout)
{
    if (rollout.current_step() >= rollout.steps_size())
        return QStringLiteral("done");
    return QStringLiteral("%1/%2").arg(rollout.current_step() + 1).arg(rollout.steps_size());
}

QString metricName(const QString& metric)
{
    if (metric == QLatin1String("quality"))
        return QStringLiteral("Quality");
    if (metric == QLatin1String("latency_ms"))
        return QStringLiteral("Latency");
    if (metric == QLatin1String("latency_p95_ms"))
        return QStringLiteral("p95 latency");
    if (metric == QLatin1String("error"))
        return QStringLiteral("Errors");
    if (metric == QLatin1String("error_rate"))
        return QStringLiteral("Error rate");
    if (metric == QLatin1String("cost_micros"))
        return QStringLiteral("Cost");
    return metric;
}

QString metricValue(const QString& metric, double value)
{
    if (!std::isfinite(value))
        return QStringLiteral("—");
    if (metric == QLatin1String("latency_ms") || metric == QLatin1String("latency_p95_ms"))
        return value >= 10'000 ? QStringLiteral("%1 s").arg(value / 1000.0, 0, 'f', 1)
                               : QStringLiteral("%1 ms").arg(value, 0, 'f', 0);
    if (metric == QLatin1String("error") || metric == QLatin1String("error_rate"))
        return QStringLiteral("%1 %").arg(value * 100.0, 0, 'f', 1);
    if (metric == QLatin1String("cost_micros"))
        return QStringLiteral("$%1").arg(value / 1e6, 0, 'f', 4);
    return QString::number(value, 'f', 2);
}

QString relativeChange(double canary, double baseline)
{
    if (baseline == 0 || !std::isfinite(canary) || !std::isfinite(baseline))
        return QStringLiteral("—");
    const double change = (canary - baseline) / std::abs(baseline) * 100.0;
    return QStringLiteral("%1%2 %")
        .arg(change >= 0 ? QStringLiteral("+") : QString())
        .arg(change, 0, 'f', 1);
}

QString pValue(double p)
{
    if (!std::isfinite(p))
        return QStringLiteral("—");
    if (p < 0.0001)
        return QStringLiteral("p < 0.0001");
    return QStringLiteral("p = %1").arg(p, 0, 'f', 4);
}

QString guardrailsText(const pb::Guardrails& g)
{
    auto percent = [](double fraction) { return QString::number(fraction * 100.0, 'g', 3); };
    return QStringLiteral("quality drop ≤ %1 %, p95 latency increase ≤ %2 %, error rate ≤ %3 %, "
                          "judged from %4 runs per side")
        .arg(percent(g.max_quality_drop()), percent(g.max_p95_latency_increase()),
             percent(g.max_error_rate()))
        .arg(g.min_samples());
}

QString runCount(std::int64_t count)
{
    QString digits = QString::number(count < 0 ? -count : count);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(' '));
    return count < 0 ? QLatin1Char('-') + digits : digits;
}

} // namespace nexus::models::rolloutfmt
