#pragma once
// Launching a canary of an optimization version, in four pages:
//  1. Version — the CANDIDATE versions (graph / node, version, description,
//     created), the content (prompt) of the selected one, and the baseline it
//     will be compared with: the LIVE version of the same graph/node, or the
//     graph as shipped. Versions that cannot be launched stay visible,
//     disabled, with the reason.
//  2. Plan — a preset (Standard = the server's default, Quick, Manual gates)
//     or a Custom list of steps, checked as Nexus checks it (docs/rollouts.md).
//  3. Guardrails — the automatic rollback limits, the server's defaults first.
//  4. Summary — everything in plain words and the request id; Finish reads
//     "Launch canary".
//
// The wizard never talks to the network: the console reads request() when
// it is accepted. The request id is a QUuid fixed for the wizard; a new set
// of versions (setVersions, the start of another launch) draws a new one.

#include "nexus/v1/rollouts.pb.h"

#include <QStringList>
#include <QWizard>

#include <vector>

namespace nexus::widgets {

namespace launchwizard {
class VersionPage;
class PlanPage;
class GuardrailsPage;
class SummaryPage;
} // namespace launchwizard

class LaunchRolloutWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId
    {
        VersionPageId,
        PlanPageId,
        GuardrailsPageId,
        SummaryPageId
    };

    explicit LaunchRolloutWizard(QWidget* parent = nullptr);
    ~LaunchRolloutWizard() override;

    // Every version of the graphs concerned (any state): CANDIDATE ones are
    // offered; the LIVE one of the same graph/node is shown as the baseline
    // ("the graph as shipped" when none). Keeps the reasons of setBlocked.
    void setVersions(const std::vector<nexus::v1::OptimizationVersion>& versions);
    // A version offered but not launchable, with why; it stays visible,
    // disabled, with the reason. An empty reason makes it launchable again.
    void setBlocked(const QString& versionId, const QString& reason);
    // Selects an offered, launchable version (else nothing changes).
    void selectVersion(const QString& versionId);
    // "Standard", "Quick", "Manual gates", "Custom" (keeps the steps).
    void setPreset(const QString& presetName);
    QStringList presetNames() const;
    QString presetName() const;
    QString selectedVersionId() const;
    // "" when the plan and guardrails are launchable, else what to fix.
    QString validationError() const;
    // Steps, guardrails (fractions) and the request id.
    nexus::v1::LaunchRolloutRequest request() const;

    QString requestId() const { return requestId_; }
    std::vector<nexus::v1::RolloutStep> steps() const;
    // Replaces the plan's steps (the preset becomes Custom unless they match one).
    void setSteps(const std::vector<nexus::v1::RolloutStep>& steps);
    nexus::v1::Guardrails guardrails() const;
    void setGuardrails(const nexus::v1::Guardrails& guardrails);
    // The summary page's text.
    QString summaryText() const;

    // The steps of a preset ("Custom" has none of its own).
    static std::vector<nexus::v1::RolloutStep> presetSteps(const QString& presetName);
    // Nexus's defaults: 10 %, 50 %, 20 %, 20 runs.
    static nexus::v1::Guardrails defaultGuardrails();
    // A plan checked like Nexus (docs/rollouts.md): "" when it may launch.
    static QString planError(const std::vector<nexus::v1::RolloutStep>& steps);
    static QString guardrailsError(const nexus::v1::Guardrails& guardrails);

private:
    launchwizard::VersionPage* versionPage_ = nullptr;
    launchwizard::PlanPage* planPage_ = nullptr;
    launchwizard::GuardrailsPage* guardrailsPage_ = nullptr;
    launchwizard::SummaryPage* summaryPage_ = nullptr;
    QString requestId_;
};

} // namespace nexus::widgets
