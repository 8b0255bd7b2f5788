// The plan page of LaunchRolloutWizard: a preset or an edited list of steps,
// checked as Nexus checks a launch (docs/rollouts.md, "The step plan").
#include "models/RolloutFormat.h"
#include "widgets/LaunchRolloutWizard.h"
#include "widgets/LaunchRolloutWizardPages.h"
#include "widgets/ThemeStyle.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace nexus::widgets::launchwizard {

namespace fmt = ::nexus::models::rolloutfmt;

namespace {

enum StepColumn
{
    NumberColumn,
    TypeColumn,
    ValueColumn,
    MinRunsColumn,
    WhatColumn,
    StepColumnCount
};

// Type combo entries, in RolloutStep's oneof order.
enum StepType
{
    SetWeightType,
    PauseType,
    AnalysisType
};

constexpr int kDefaultWindowSeconds = 300;
constexpr int kDefaultMinSamples = 20;

int typeOf(const pb::RolloutStep& step)
{
    switch (step.step_case()) {
    case pb::RolloutStep::kPause:
        return PauseType;
    case pb::RolloutStep::kAnalysis:
        return AnalysisType;
    default:
        return SetWeightType;
    }
}

bool samePlan(const std::vector<pb::RolloutStep>& a, const std::vector<pb::RolloutStep>& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].SerializeAsString() != b[i].SerializeAsString())
            return false;
    return true;
}

QSpinBox* spin(QWidget* parent, int min, int max, int value, const QString& suffix)
{
    auto* box = new QSpinBox(parent);
    box->setRange(min, max);
    box->setValue(value);
    box->setSuffix(suffix);
    box->setAccessibleName(suffix.trimmed() == QLatin1String("%")   ? QObject::tr("Weight")
                           : suffix.trimmed() == QLatin1String("s") ? QObject::tr("Seconds")
                                                                    : QObject::tr("Minimum runs"));
    box->setFrame(false);
    box->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return box;
}

} // namespace

QString stepMeaning(const std::vector<pb::RolloutStep>& steps, std::size_t index)
{
    int weight = 0; // the canary's share when the step runs
    for (std::size_t i = 0; i < index && i < steps.size(); ++i)
        if (steps[i].has_set_weight())
            weight = steps[i].set_weight().percent();
    const pb::RolloutStep& step = steps[index];
    QString text;
    switch (step.step_case()) {
    case pb::RolloutStep::kSetWeight: {
        const int percent = step.set_weight().percent();
        text = percent == 0     ? PlanPage::tr("no run uses the new version")
               : percent == 100 ? PlanPage::tr("every run uses the new version")
                                : PlanPage::tr("%1 % of the runs use the new version").arg(percent);
        break;
    }
    case pb::RolloutStep::kPause:
        text = step.pause().duration_seconds() > 0
                   ? PlanPage::tr("waits %1, then goes on by itself")
                         .arg(fmt::duration(step.pause().duration_seconds()))
                   : PlanPage::tr("waits until someone promotes the rollout");
        break;
    case pb::RolloutStep::kAnalysis:
        text = PlanPage::tr("compares canary and baseline at %1 % over %2; a failure rolls back")
                   .arg(weight)
                   .arg(fmt::duration(step.analysis().window_seconds()));
        break;
    case pb::RolloutStep::STEP_NOT_SET:
        return PlanPage::tr("choose a step type");
    }
    if (index + 1 == steps.size())
        text += PlanPage::tr(" — the end of the plan: the version is promoted");
    return text;
}

PlanPage::PlanPage(QWidget* parent) : QWizardPage(parent)
{
    setTitle(tr("Plan"));
    setSubTitle(tr("The steps Nexus takes: weights (the canary's share of the graph's runs), "
                   "pauses, and analyses that compare canary and baseline."));
    preset_ = new QComboBox(this);
    preset_->setObjectName(QStringLiteral("presetCombo"));
    preset_->addItem(tr("Standard"));
    preset_->setItemData(0,
                         tr("The server's default: 5 %, 25 %, 50 %, each with a 5 min analysis, "
                            "then 100 %"),
                         Qt::ToolTipRole);
    preset_->addItem(tr("Quick"));
    preset_->setItemData(1,
                         tr("For the sandbox: 20 %, 50 %, each with a 1 min analysis, then 100 %"),
                         Qt::ToolTipRole);
    preset_->addItem(tr("Manual gates"));
    preset_->setItemData(2, tr("5 %, 25 %, 50 %, each waiting until someone promotes, then 100 %"),
                         Qt::ToolTipRole);
    preset_->addItem(tr("Custom"));
    preset_->setItemData(3, tr("Your own steps"), Qt::ToolTipRole);
    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(new QLabel(tr("Preset"), this));
    presetRow->addWidget(preset_);
    presetRow->addStretch();

    table_ = new QTableWidget(0, StepColumnCount, this);
    table_->setObjectName(QStringLiteral("stepsTable"));
    table_->setAccessibleName(tr("Steps"));
    table_->setHorizontalHeaderLabels(
        {tr("#"), tr("Step"), tr("Value"), tr("Min runs per side"), tr("What happens")});
    table_->horizontalHeaderItem(ValueColumn)
        ->setToolTip(tr("Set weight: percent of runs · Pause: seconds (0 = until promoted) · "
                        "Analysis: window in seconds"));
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(WhatColumn, QHeaderView::Stretch);
    table_->verticalHeader()->setDefaultSectionSize(30);

    auto* add = new QPushButton(tr("Add step"), this);
    add->setObjectName(QStringLiteral("addStep"));
    remove_ = new QPushButton(tr("Remove"), this);
    remove_->setObjectName(QStringLiteral("removeStep"));
    up_ = new QPushButton(tr("Move up"), this);
    up_->setObjectName(QStringLiteral("moveStepUp"));
    down_ = new QPushButton(tr("Move down"), this);
    down_->setObjectName(QStringLiteral("moveStepDown"));
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {add, remove_, up_, down_})
        buttons->addWidget(b);
    buttons->addStretch();

    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("planError"));
    error_->setWordWrap(true);
    error_->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(error_, QStringLiteral("QLabel { color: #b91c1c; font-weight: bold; }"));
    warning_ = new QLabel(this);
    warning_->setObjectName(QStringLiteral("planWarning"));
    warning_->setWordWrap(true);
    warning_->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(warning_, QStringLiteral("QLabel { color: #92400e; }"));
    auto* note = new QLabel(tr("Reaching the end of the plan promotes the version: it becomes the "
                               "live version of its graph/node for every run. A failed analysis "
                               "or a guardrail rolls it back at any step."),
                            this);
    note->setObjectName(QStringLiteral("planNote"));
    note->setWordWrap(true);
    setThemedStyleSheet(note, QStringLiteral("QLabel { color: #5f6368; }"));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(presetRow);
    layout->addWidget(table_, 1);
    layout->addLayout(buttons);
    layout->addWidget(error_);
    layout->addWidget(warning_);
    layout->addWidget(note);

    connect(preset_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index != 3)
            setSteps(LaunchRolloutWizard::presetSteps(preset_->itemText(index)));
    });
    connect(add, &QPushButton::clicked, this, &PlanPage::addStep);
    connect(remove_, &QPushButton::clicked, this, &PlanPage::removeStep);
    connect(up_, &QPushButton::clicked, this, [this] { moveStep(-1); });
    connect(down_, &QPushButton::clicked, this, [this] { moveStep(1); });
    connect(table_, &QTableWidget::currentCellChanged, this, [this] { updateState(); });
    setSteps(LaunchRolloutWizard::presetSteps(QStringLiteral("Standard")));
}

void PlanPage::setPreset(const QString& name)
{
    const int index = preset_->findText(name);
    if (index >= 0)
        preset_->setCurrentIndex(index); // a preset's steps come with it
}

QString PlanPage::preset() const
{
    return preset_->currentText();
}

void PlanPage::setSteps(std::vector<pb::RolloutStep> steps)
{
    steps_ = std::move(steps);
    int matching = 3; // Custom unless a preset has these very steps
    for (int i = 0; i < 3; ++i)
        if (samePlan(steps_, LaunchRolloutWizard::presetSteps(preset_->itemText(i))))
            matching = i;
    {
        const QSignalBlocker block(preset_);
        preset_->setCurrentIndex(matching);
    }
    rebuildTable();
}

bool PlanPage::isComplete() const
{
    return LaunchRolloutWizard::planError(steps_).isEmpty();
}

bool PlanPage::eventFilter(QObject* watched, QEvent* event)
{
    // Editing a cell's widget selects its row, so Remove and Move act on it.
    if (event->type() == QEvent::FocusIn)
        if (const QVariant row = watched->property("stepRow"); row.isValid())
            table_->setCurrentCell(row.toInt(), NumberColumn);
    return QWizardPage::eventFilter(watched, event);
}

void PlanPage::retireWidgets(int row, std::initializer_list<int> columns)
{
    // The view deletes a replaced cell widget later (deleteLater): hide it
    // now, so it does not show over the new one until then.
    for (int column : columns)
        if (QWidget* old = table_->cellWidget(row, column))
            old->hide();
}

void PlanPage::rebuildTable()
{
    const int current = table_->currentRow();
    for (int row = int(steps_.size()); row < table_->rowCount(); ++row)
        retireWidgets(row, {TypeColumn, ValueColumn, MinRunsColumn});
    table_->setRowCount(int(steps_.size()));
    for (int row = 0; row < int(steps_.size()); ++row)
        fillRow(row);
    if (!steps_.empty())
        table_->setCurrentCell(std::clamp(current, 0, int(steps_.size()) - 1), NumberColumn);
    updateState();
}

void PlanPage::fillRow(int row)
{
    const pb::RolloutStep& step = steps_[std::size_t(row)];
    auto* number = new QTableWidgetItem(QString::number(row + 1));
    number->setTextAlignment(Qt::AlignCenter);
    table_->setItem(row, NumberColumn, number);

    // The type combo is kept when its row is refilled: it may be the one
    // whose signal changed the type.
    auto* type = qobject_cast<QComboBox*>(table_->cellWidget(row, TypeColumn));
    if (!type) {
        type = new QComboBox(table_);
        type->addItems({tr("Set weight"), tr("Pause"), tr("Analysis")});
        type->installEventFilter(this);
        connect(type, &QComboBox::activated, this,
                [this, type](int t) { changeType(type->property("stepRow").toInt(), t); });
        table_->setCellWidget(row, TypeColumn, type);
    }
    {
        const QSignalBlocker block(type);
        type->setCurrentIndex(typeOf(step));
    }
    type->setProperty("stepRow", row);

    QSpinBox* value = nullptr;
    QSpinBox* minRuns = nullptr;
    switch (typeOf(step)) {
    case SetWeightType:
        value = spin(table_, 0, 100, step.set_weight().percent(), QStringLiteral(" %"));
        value->setToolTip(tr("The canary's share of the graph's runs"));
        connect(value, &QSpinBox::valueChanged, this, [this, row](int v) {
            steps_[std::size_t(row)].mutable_set_weight()->set_percent(v);
            edited();
        });
        break;
    case PauseType:
        value =
            spin(table_, 0, 7 * 86400, int(step.pause().duration_seconds()), QStringLiteral(" s"));
        value->setSpecialValueText(tr("until promoted"));
        value->setToolTip(tr("Seconds to wait; 0 = until someone promotes the rollout"));
        connect(value, &QSpinBox::valueChanged, this, [this, row](int v) {
            steps_[std::size_t(row)].mutable_pause()->set_duration_seconds(v);
            edited();
        });
        break;
    case AnalysisType:
        value = spin(table_, 0, 86400, int(step.analysis().window_seconds()), QStringLiteral(" s"));
        value->setToolTip(tr("The analysis window in seconds, from the step's start"));
        connect(value, &QSpinBox::valueChanged, this, [this, row](int v) {
            steps_[std::size_t(row)].mutable_analysis()->set_window_seconds(v);
            edited();
        });
        minRuns = spin(table_, 0, 100000, step.analysis().min_samples(), tr(" runs"));
        minRuns->setToolTip(tr("Runs each side needs before the analysis judges"));
        connect(minRuns, &QSpinBox::valueChanged, this, [this, row](int v) {
            steps_[std::size_t(row)].mutable_analysis()->set_min_samples(v);
            edited();
        });
        break;
    }
    for (QSpinBox* box : {value, minRuns})
        if (box) {
            box->setProperty("stepRow", row);
            box->installEventFilter(this);
        }
    retireWidgets(row, {ValueColumn, MinRunsColumn});
    table_->setCellWidget(row, ValueColumn, value);
    table_->removeCellWidget(row, MinRunsColumn);
    if (minRuns)
        table_->setCellWidget(row, MinRunsColumn, minRuns);
    else
        table_->setItem(row, MinRunsColumn, new QTableWidgetItem());
    table_->setItem(row, WhatColumn, new QTableWidgetItem());
}

void PlanPage::edited()
{
    int matching = 3;
    for (int i = 0; i < 3; ++i)
        if (samePlan(steps_, LaunchRolloutWizard::presetSteps(preset_->itemText(i))))
            matching = i;
    if (matching != preset_->currentIndex()) {
        const QSignalBlocker block(preset_);
        preset_->setCurrentIndex(3); // editing makes the plan Custom
    }
    updateState();
}

void PlanPage::updateState()
{
    const QString error = LaunchRolloutWizard::planError(steps_);
    error_->setText(error);
    error_->setVisible(!error.isEmpty());
    // The step the error names gets a red number.
    int badRow = -1;
    if (error.startsWith(tr("Step ")))
        badRow = error.mid(5, error.indexOf(QLatin1Char(':')) - 5).toInt() - 1;
    int weight = 0;
    for (int row = 0; row < table_->rowCount() && row < int(steps_.size()); ++row) {
        const pb::RolloutStep& step = steps_[std::size_t(row)];
        if (step.has_set_weight())
            weight = step.set_weight().percent();
        if (QTableWidgetItem* item = table_->item(row, WhatColumn))
            item->setText(stepMeaning(steps_, std::size_t(row)));
        if (QTableWidgetItem* number = table_->item(row, NumberColumn)) {
            const bool bad = row == badRow;
            number->setData(Qt::ForegroundRole,
                            bad ? QVariant(QColor(0xb9, 0x1c, 0x1c)) : QVariant());
            number->setData(Qt::BackgroundRole,
                            bad ? QVariant(QColor(0xfd, 0xe2, 0xe1)) : QVariant());
        }
    }
    // Not an error: the server promotes at the end whatever the last weight.
    const bool endsBelowFull = error.isEmpty() && weight < 100;
    warning_->setText(endsBelowFull ? tr("The plan ends at %1 %: reaching its end still promotes "
                                         "the version to 100 % of the runs.")
                                          .arg(weight)
                                    : QString());
    warning_->setVisible(endsBelowFull);
    const int row = table_->currentRow();
    remove_->setEnabled(row >= 0);
    up_->setEnabled(row > 0);
    down_->setEnabled(row >= 0 && row + 1 < table_->rowCount());
    emit completeChanged();
}

void PlanPage::changeType(int row, int type)
{
    pb::RolloutStep& step = steps_[std::size_t(row)];
    if (type == typeOf(step))
        return;
    step.Clear();
    if (type == SetWeightType)
        step.mutable_set_weight()->set_percent(50);
    else if (type == PauseType)
        step.mutable_pause()->set_duration_seconds(0);
    else {
        step.mutable_analysis()->set_window_seconds(kDefaultWindowSeconds);
        step.mutable_analysis()->set_min_samples(kDefaultMinSamples);
    }
    fillRow(row);
    table_->setCurrentCell(row, NumberColumn);
    edited();
}

void PlanPage::addStep()
{
    const int at = table_->currentRow() < 0 ? int(steps_.size()) : table_->currentRow() + 1;
    pb::RolloutStep step;
    step.mutable_analysis()->set_window_seconds(kDefaultWindowSeconds);
    step.mutable_analysis()->set_min_samples(kDefaultMinSamples);
    steps_.insert(steps_.begin() + at, step);
    rebuildTable();
    table_->setCurrentCell(at, NumberColumn);
    edited();
}

void PlanPage::removeStep()
{
    const int row = table_->currentRow();
    if (row < 0 || row >= int(steps_.size()))
        return;
    steps_.erase(steps_.begin() + row);
    rebuildTable();
    edited();
}

void PlanPage::moveStep(int delta)
{
    const int row = table_->currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= int(steps_.size()))
        return;
    std::swap(steps_[std::size_t(row)], steps_[std::size_t(to)]);
    rebuildTable();
    table_->setCurrentCell(to, NumberColumn);
    edited();
}

} // namespace nexus::widgets::launchwizard
