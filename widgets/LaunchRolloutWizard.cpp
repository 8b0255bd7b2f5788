#include "widgets/LaunchRolloutWizard.h"

#include "models/RolloutFormat.h"
#include "widgets/LaunchRolloutWizardPages.h"

#include <QUuid>

#include <cmath>

namespace nexus::widgets {

namespace pb = ::nexus::v1;
namespace fmt = ::nexus::models::rolloutfmt;
using namespace launchwizard;

namespace {

pb::RolloutStep weight(int percent)
{
    pb::RolloutStep step;
    step.mutable_set_weight()->set_percent(percent);
    return step;
}

pb::RolloutStep pause(std::int64_t seconds)
{
    pb::RolloutStep step;
    step.mutable_pause()->set_duration_seconds(seconds);
    return step;
}

pb::RolloutStep analysis(std::int64_t windowSeconds, std::int32_t minSamples)
{
    pb::RolloutStep step;
    step.mutable_analysis()->set_window_seconds(windowSeconds);
    step.mutable_analysis()->set_min_samples(minSamples);
    return step;
}

QString percent(double fraction)
{
    return QString::number(fraction * 100.0, 'g', 4) + QStringLiteral(" %");
}

} // namespace

LaunchRolloutWizard::LaunchRolloutWizard(QWidget* parent)
    : QWizard(parent), requestId_(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    setObjectName(QStringLiteral("launchRolloutWizard"));
    setWindowTitle(tr("Launch a canary rollout"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setButtonText(QWizard::FinishButton, tr("Launch canary"));
    versionPage_ = new VersionPage(this);
    planPage_ = new PlanPage(this);
    guardrailsPage_ = new GuardrailsPage(this);
    summaryPage_ = new SummaryPage(this);
    setPage(VersionPageId, versionPage_);
    setPage(PlanPageId, planPage_);
    setPage(GuardrailsPageId, guardrailsPage_);
    setPage(SummaryPageId, summaryPage_);
    setStartId(VersionPageId);
    resize(900, 640);
}

LaunchRolloutWizard::~LaunchRolloutWizard() = default;

void LaunchRolloutWizard::setVersions(const std::vector<pb::OptimizationVersion>& versions)
{
    requestId_ = QUuid::createUuid().toString(QUuid::WithoutBraces); // another launch
    versionPage_->setVersions(versions);
}

void LaunchRolloutWizard::setBlocked(const QString& versionId, const QString& reason)
{
    versionPage_->setBlocked(versionId, reason);
}

void LaunchRolloutWizard::selectVersion(const QString& versionId)
{
    versionPage_->select(versionId);
}

void LaunchRolloutWizard::setPreset(const QString& presetName)
{
    planPage_->setPreset(presetName);
}

QStringList LaunchRolloutWizard::presetNames() const
{
    return {tr("Standard"), tr("Quick"), tr("Manual gates"), tr("Custom")};
}

QString LaunchRolloutWizard::presetName() const
{
    return planPage_->preset();
}

QString LaunchRolloutWizard::selectedVersionId() const
{
    return versionPage_->selectedId();
}

std::vector<pb::RolloutStep> LaunchRolloutWizard::steps() const
{
    return planPage_->steps();
}

void LaunchRolloutWizard::setSteps(const std::vector<pb::RolloutStep>& steps)
{
    planPage_->setSteps(steps);
}

pb::Guardrails LaunchRolloutWizard::guardrails() const
{
    return guardrailsPage_->guardrails();
}

void LaunchRolloutWizard::setGuardrails(const pb::Guardrails& guardrails)
{
    guardrailsPage_->setGuardrails(guardrails);
}

QString LaunchRolloutWizard::validationError() const
{
    const QString plan = planError(steps());
    return plan.isEmpty() ? guardrailsError(guardrails()) : plan;
}

pb::LaunchRolloutRequest LaunchRolloutWizard::request() const
{
    pb::LaunchRolloutRequest request;
    request.set_version_id(selectedVersionId().toStdString());
    for (const pb::RolloutStep& step : steps())
        *request.add_steps() = step;
    *request.mutable_guardrails() = guardrails();
    request.set_request_id(requestId_.toStdString());
    return request;
}

std::vector<pb::RolloutStep> LaunchRolloutWizard::presetSteps(const QString& presetName)
{
    if (presetName == QLatin1String("Standard")) // the server's default plan
        return {weight(5),  analysis(300, 20), weight(25), analysis(300, 20),
                weight(50), analysis(300, 20), weight(100)};
    if (presetName == QLatin1String("Quick"))
        return {weight(20), analysis(60, 20), weight(50), analysis(60, 20), weight(100)};
    if (presetName == QLatin1String("Manual gates"))
        return {weight(5), pause(0), weight(25), pause(0), weight(50), pause(0), weight(100)};
    return {};
}

pb::Guardrails LaunchRolloutWizard::defaultGuardrails()
{
    pb::Guardrails g;
    g.set_max_quality_drop(0.10);
    g.set_max_p95_latency_increase(0.5);
    g.set_max_error_rate(0.2);
    g.set_min_samples(20);
    return g;
}

QString LaunchRolloutWizard::planError(const std::vector<pb::RolloutStep>& steps)
{
    if (steps.empty())
        return tr("The plan has no steps: add at least one.");
    if (steps.size() > 64)
        return tr("A plan has at most 64 steps; this one has %1.").arg(steps.size());
    int weight = 0; // the canary's share when each step runs
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const pb::RolloutStep& step = steps[i];
        const QString where = tr("Step %1: ").arg(i + 1);
        switch (step.step_case()) {
        case pb::RolloutStep::kSetWeight:
            if (step.set_weight().percent() < 0 || step.set_weight().percent() > 100)
                return where + tr("a weight is a percentage, 0 to 100.");
            weight = step.set_weight().percent();
            break;
        case pb::RolloutStep::kPause:
            if (step.pause().duration_seconds() < 0)
                return where + tr("a pause cannot be negative.");
            break;
        case pb::RolloutStep::kAnalysis:
            if (step.analysis().window_seconds() <= 0)
                return where + tr("an analysis needs a window longer than 0 s.");
            if (step.analysis().min_samples() < 1)
                return where + tr("an analysis needs at least 1 run per side.");
            if (weight == 0 || weight == 100)
                return where + tr("an analysis compares canary and baseline runs, so it needs a "
                                  "weight between 1 and 99 % before it (at %1 % one side has no "
                                  "runs).")
                                   .arg(weight);
            break;
        case pb::RolloutStep::STEP_NOT_SET:
            return where + tr("choose Set weight, Pause or Analysis.");
        }
    }
    return {};
}

QString LaunchRolloutWizard::guardrailsError(const pb::Guardrails& g)
{
    if (!(g.max_quality_drop() > 0 && g.max_quality_drop() <= 1))
        return tr("The maximum quality drop is a percentage above 0, at most 100 %.");
    if (!(g.max_p95_latency_increase() > 0))
        return tr("The maximum p95 latency increase must be above 0 %.");
    if (!(g.max_error_rate() > 0 && g.max_error_rate() <= 1))
        return tr("The maximum error rate is a percentage above 0, at most 100 %.");
    if (g.min_samples() < 1)
        return tr("The guardrails need at least 1 run per side.");
    return {};
}

QString LaunchRolloutWizard::summaryText() const
{
    QStringList lines;
    const pb::OptimizationVersion* v = versionPage_->version(selectedVersionId());
    if (!v) {
        lines << tr("No version selected: go back to the first page and pick one.");
    } else {
        lines << tr("Version %1 of %2 (%3)")
                     .arg(shortId(v->version_id()), graphNode(*v),
                          QString::fromStdString(v->target_param()));
        if (!v->description().empty())
            lines << QStringLiteral("    ") + QString::fromStdString(v->description());
        lines << versionPage_->baselineText(*v);
    }
    lines << QString();

    const std::vector<pb::RolloutStep> plan = steps();
    lines << tr("Plan (%1, %2 steps):").arg(presetName()).arg(plan.size());
    for (std::size_t i = 0; i < plan.size(); ++i)
        lines << QStringLiteral("  %1. %2: %3")
                     .arg(i + 1)
                     .arg(fmt::stepText(plan[i]), stepMeaning(plan, i));
    lines << tr("Reaching the end of the plan promotes the version: it becomes the live version "
                "of %1 for every run.")
                 .arg(v ? graphNode(*v) : tr("its graph/node"));
    lines << QString();

    const pb::Guardrails g = guardrails();
    lines << tr("Rolled back automatically, at any time, when:");
    lines << tr("  • the canary's mean quality is more than %1 below the baseline's")
                 .arg(percent(g.max_quality_drop()));
    lines << tr("  • the canary's p95 latency is more than %1 above the baseline's")
                 .arg(percent(g.max_p95_latency_increase()));
    lines << tr("  • more than %1 of the canary's runs fail").arg(percent(g.max_error_rate()));
    lines << tr("    (these guardrails judge the last 5 min of runs once both sides have %1 runs)")
                 .arg(g.min_samples());
    lines << tr("  • an analysis of the plan fails");
    lines << QString();
    lines << tr("Request id: %1 (sending it again is applied once)").arg(requestId_);
    const QString error = validationError();
    if (!error.isEmpty())
        lines << QString() << tr("Cannot launch: %1").arg(error);
    return lines.join(QLatin1Char('\n'));
}

} // namespace nexus::widgets
