#pragma once
// The pages of LaunchRolloutWizard (private to widgets/). Each page owns
// the widgets of its part of the request; the wizard reads them.

#include "nexus/v1/rollouts.pb.h"

#include <QHash>
#include <QWizardPage>

#include <initializer_list>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace nexus::widgets {
class LaunchRolloutWizard;
}

namespace nexus::widgets::launchwizard {

namespace pb = ::nexus::v1;

// "rag_pipeline / generate", or the graph alone.
QString graphNode(const pb::OptimizationVersion& version);
// The first 8 characters of an id, as the console shows ids.
QString shortId(const std::string& id);
// What step `index` of a plan does, in words ("25 % of the runs use the new
// version", "compares canary and baseline at 5 % ..."), the end included.
QString stepMeaning(const std::vector<pb::RolloutStep>& steps, std::size_t index);

class VersionPage : public QWizardPage
{
public:
    explicit VersionPage(QWidget* parent = nullptr);

    void setVersions(const std::vector<pb::OptimizationVersion>& versions);
    void setBlocked(const QString& versionId, const QString& reason);
    bool select(const QString& versionId);
    QString selectedId() const { return selectedId_; }
    const pb::OptimizationVersion* version(const QString& versionId) const;
    // The LIVE version of the same graph/node, or nullptr (the graph as shipped).
    const pb::OptimizationVersion* baselineOf(const pb::OptimizationVersion& version) const;
    QString baselineText(const pb::OptimizationVersion& version) const;
    QString blockedReason(const QString& versionId) const { return blocked_.value(versionId); }

    bool isComplete() const override;

private:
    void rebuild();
    void showSelected();

    std::vector<pb::OptimizationVersion> versions_;
    QHash<QString, QString> blocked_;
    QString selectedId_;
    QTableWidget* table_ = nullptr;
    QPlainTextEdit* content_ = nullptr;
    QLabel* baseline_ = nullptr;
    QLabel* empty_ = nullptr;
};

class PlanPage : public QWizardPage
{
public:
    explicit PlanPage(QWidget* parent = nullptr);

    void setPreset(const QString& name);
    QString preset() const;
    const std::vector<pb::RolloutStep>& steps() const { return steps_; }
    void setSteps(std::vector<pb::RolloutStep> steps);

    bool isComplete() const override;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuildTable();
    void fillRow(int row);
    void retireWidgets(int row, std::initializer_list<int> columns);
    void edited(); // after a change of steps_ by the user
    void updateState();
    void changeType(int row, int type);
    void addStep();
    void removeStep();
    void moveStep(int delta);

    std::vector<pb::RolloutStep> steps_;
    QComboBox* preset_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* error_ = nullptr;
    QLabel* warning_ = nullptr;
    QPushButton* remove_ = nullptr;
    QPushButton* up_ = nullptr;
    QPushButton* down_ = nullptr;
};

class GuardrailsPage : public QWizardPage
{
public:
    explicit GuardrailsPage(QWidget* parent = nullptr);

    pb::Guardrails guardrails() const;
    void setGuardrails(const pb::Guardrails& guardrails);
    bool isComplete() const override;

private:
    QDoubleSpinBox* qualityDrop_ = nullptr;
    QDoubleSpinBox* p95Increase_ = nullptr;
    QDoubleSpinBox* errorRate_ = nullptr;
    QSpinBox* minSamples_ = nullptr;
    QLabel* error_ = nullptr;
};

class SummaryPage : public QWizardPage
{
public:
    explicit SummaryPage(LaunchRolloutWizard* wizard);

    void initializePage() override;
    bool isComplete() const override;

private:
    LaunchRolloutWizard* wizard_;
    QLabel* text_ = nullptr;
};

} // namespace nexus::widgets::launchwizard
