#pragma once
// Rollouts as a person reads them: the names of phases, verdicts, version
// states and steps, and the metrics of a canary analysis with their units.
// Shared by the rollout models, views and the console. Times use
// knowledgefmt::age / timestamp (KnowledgeFormat.h).

#include "nexus/v1/rollouts.pb.h"

#include <QColor>
#include <QString>

namespace nexus::models::rolloutfmt {

// "Progressing", "Paused", "Promoted", "Aborted", "Rolled back".
QString phaseName(nexus::v1::RolloutPhase phase);
// PROGRESSING or PAUSED: the rollout still carries traffic and takes actions.
bool isActive(nexus::v1::RolloutPhase phase);
// "Pass", "Marginal", "Fail", "Insufficient data"; "" for unspecified.
QString verdictName(nexus::v1::Verdict verdict);
// "Candidate", "Canary", "Live", "Retired", "Rolled back".
QString versionStateName(nexus::v1::VersionState state);
// Badge colours (background) that read on a light palette.
QColor phaseColor(nexus::v1::RolloutPhase phase);
QColor verdictColor(nexus::v1::Verdict verdict);

// "Set weight 25 %", "Pause 2 min", "Pause until promoted",
// "Analysis 5 min (≥ 20 runs per side)".
QString stepText(const nexus::v1::RolloutStep& step);
// Short forms for a chip: "25 %", "pause 2 min", "pause", "analysis 5 min".
QString stepShortText(const nexus::v1::RolloutStep& step);
// "2/7" (1-based current step of the plan), "done" past the end.
QString stepPosition(const nexus::v1::Rollout& rollout);
// "90 s", "5 min", "1 h 30 min".
QString duration(std::int64_t seconds);

// Analysis metric ids as Nexus names them ("quality", "latency_ms", "error",
// "cost_micros") and the series ids of GetRolloutSeries ("quality",
// "latency_p95_ms", "error_rate", "cost_micros"): "Quality", "Latency",
// "Errors", "Cost", "p95 latency", "Error rate".
QString metricName(const QString& metric);
// A value of that metric with its unit: "0.86", "412 ms", "3.2 %",
// "$0.0042" (cost in micro-dollars).
QString metricValue(const QString& metric, double value);
// "+7.0 %" / "-18.6 %" canary against baseline; "—" when the baseline is 0.
QString relativeChange(double canary, double baseline);
// "p = 0.0031", "p < 0.0001".
QString pValue(double p);

// The guardrails in one line: "quality drop ≤ 10 %, p95 latency +≤ 50 %,
// errors ≤ 20 %, judged from 20 runs per side".
QString guardrailsText(const nexus::v1::Guardrails& guardrails);

// A run count with its thousands grouped by a space: "143", "1 402",
// "12 345 678" (the same in every locale, as the docs write them).
QString runCount(std::int64_t count);

} // namespace nexus::models::rolloutfmt
