// The version, guardrails and summary pages of LaunchRolloutWizard (the
// plan page is LaunchRolloutWizardPlan.cpp).
#include "widgets/LaunchRolloutWizardPages.h"

#include "models/KnowledgeFormat.h"
#include "models/RolloutFormat.h"
#include "widgets/KnowledgeBadges.h"
#include "widgets/LaunchRolloutWizard.h"
#include "widgets/ThemeStyle.h"

#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace nexus::widgets::launchwizard {

namespace kfmt = ::nexus::models::knowledgefmt;

namespace {

enum VersionColumn
{
    GraphNodeColumn,
    VersionColumn,
    DescriptionColumn,
    CreatedColumn,
    NoteColumn,
    VersionColumnCount
};

constexpr int kIdRole = Qt::UserRole + 1;

QLabel* explanation(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(label, QStringLiteral("QLabel { color: #5f6368; }"));
    return label;
}

QLabel* errorLabel(const QString& objectName, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(label, QStringLiteral("QLabel { color: #b91c1c; font-weight: bold; }"));
    label->hide();
    return label;
}

} // namespace

QString graphNode(const pb::OptimizationVersion& v)
{
    const QString graph = QString::fromStdString(v.graph_name());
    return v.node_id().empty()
               ? graph
               : graph + QStringLiteral(" / ") + QString::fromStdString(v.node_id());
}

QString shortId(const std::string& id)
{
    return QString::fromStdString(id.substr(0, 8));
}

// ---- Version -------------------------------------------------------------

VersionPage::VersionPage(QWidget* parent) : QWizardPage(parent)
{
    setTitle(tr("Version"));
    setSubTitle(tr("Pick the candidate version to canary. It is compared with the version its "
                   "graph/node runs today."));
    table_ = new QTableWidget(0, VersionColumnCount, this);
    table_->setObjectName(QStringLiteral("versionTable"));
    table_->setAccessibleName(tr("Versions"));
    table_->setHorizontalHeaderLabels(
        {tr("Graph / node"), tr("Version"), tr("Description"), tr("Created"), tr("Note")});
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // The description and the reason a version is blocked share the width
    // and wrap, so neither is cut off.
    table_->setWordWrap(true);
    table_->setTextElideMode(Qt::ElideNone);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(DescriptionColumn, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(NoteColumn, QHeaderView::Stretch);
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->verticalHeader()->setMinimumSectionSize(26);
    empty_ = explanation(tr("No candidate version to launch. Approve a prompt optimization in "
                            "the Knowledge tab to make one."),
                         this);
    empty_->hide();

    content_ = new QPlainTextEdit(this);
    content_->setObjectName(QStringLiteral("versionContent"));
    content_->setAccessibleName(tr("Version content"));
    content_->setReadOnly(true);
    content_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    content_->setPlaceholderText(tr("The content of the selected version"));
    baseline_ = knowledgeui::makeValueLabel(this, QStringLiteral("baselineLabel"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(table_, 3);
    layout->addWidget(empty_);
    layout->addWidget(knowledgeui::makeCaption(tr("Content"), this));
    layout->addWidget(content_, 2);
    layout->addWidget(baseline_);

    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
        const QList<QTableWidgetItem*> items = table_->selectedItems();
        const QString id = items.isEmpty() ? QString() : items.front()->data(kIdRole).toString();
        if (!id.isEmpty() && blocked_.contains(id))
            return;
        selectedId_ = id;
        showSelected();
    });
}

void VersionPage::setVersions(const std::vector<pb::OptimizationVersion>& versions)
{
    versions_ = versions;
    rebuild();
}

void VersionPage::setBlocked(const QString& versionId, const QString& reason)
{
    if (reason.isEmpty())
        blocked_.remove(versionId);
    else
        blocked_.insert(versionId, reason);
    rebuild();
}

bool VersionPage::select(const QString& versionId)
{
    for (int row = 0; row < table_->rowCount(); ++row) {
        QTableWidgetItem* item = table_->item(row, GraphNodeColumn);
        if (item->data(kIdRole).toString() != versionId)
            continue;
        if (!(item->flags() & Qt::ItemIsEnabled))
            return false;
        table_->selectRow(row);
        return true;
    }
    return false;
}

const pb::OptimizationVersion* VersionPage::version(const QString& versionId) const
{
    if (versionId.isEmpty())
        return nullptr;
    for (const pb::OptimizationVersion& v : versions_)
        if (QString::fromStdString(v.version_id()) == versionId)
            return &v;
    return nullptr;
}

const pb::OptimizationVersion* VersionPage::baselineOf(const pb::OptimizationVersion& v) const
{
    for (const pb::OptimizationVersion& other : versions_)
        if (other.state() == pb::VERSION_STATE_LIVE && other.graph_name() == v.graph_name() &&
            other.node_id() == v.node_id())
            return &other;
    return nullptr;
}

QString VersionPage::baselineText(const pb::OptimizationVersion& v) const
{
    const pb::OptimizationVersion* live = baselineOf(v);
    if (!live)
        return tr("Compared with the graph as shipped: %1 has no live version yet.")
            .arg(graphNode(v));
    QString text = tr("Compared with the live version %1 of %2")
                       .arg(shortId(live->version_id()), graphNode(v));
    if (!live->description().empty())
        text += QStringLiteral(": ") + QString::fromStdString(live->description());
    return text + QLatin1Char('.');
}

bool VersionPage::isComplete() const
{
    return !selectedId_.isEmpty() && version(selectedId_) && !blocked_.contains(selectedId_);
}

void VersionPage::rebuild()
{
    const QString keep = selectedId_;
    std::vector<const pb::OptimizationVersion*> offered;
    for (const pb::OptimizationVersion& v : versions_)
        if (v.state() == pb::VERSION_STATE_CANDIDATE)
            offered.push_back(&v);
    std::stable_sort(offered.begin(), offered.end(), [](const auto* a, const auto* b) {
        return a->created_us() > b->created_us(); // newest first
    });
    {
        const QSignalBlocker block(table_);
        table_->clearSelection();
        table_->clearContents();
        table_->setRowCount(int(offered.size()));
        for (int row = 0; row < int(offered.size()); ++row) {
            const pb::OptimizationVersion& v = *offered[std::size_t(row)];
            const QString id = QString::fromStdString(v.version_id());
            const QString reason = blocked_.value(id);
            const QStringList texts = {graphNode(v), shortId(v.version_id()),
                                       QString::fromStdString(v.description()),
                                       kfmt::timestamp(v.created_us()), reason};
            for (int column = 0; column < VersionColumnCount; ++column) {
                auto* item = new QTableWidgetItem(texts[column]);
                item->setData(kIdRole, id);
                item->setToolTip(knowledgeui::plainToolTip(
                    reason.isEmpty() ? (column == VersionColumn ? id : texts[column])
                                     : tr("Cannot be launched: %1").arg(reason)));
                if (!reason.isEmpty()) {
                    item->setFlags(Qt::NoItemFlags); // visible, not selectable
                    if (column == NoteColumn)
                        item->setForeground(QColor(0xb9, 0x1c, 0x1c));
                }
                table_->setItem(row, column, item);
            }
        }
    }
    selectedId_.clear();
    if (!keep.isEmpty() && !blocked_.contains(keep))
        select(keep);
    table_->setVisible(!offered.empty());
    empty_->setVisible(offered.empty());
    showSelected();
}

void VersionPage::showSelected()
{
    const pb::OptimizationVersion* v = version(selectedId_);
    content_->setPlainText(v ? QString::fromStdString(v->content()) : QString());
    baseline_->setText(v ? baselineText(*v)
                         : tr("Select a version to see what it is compared with."));
    emit completeChanged();
}

// ---- Guardrails ----------------------------------------------------------

GuardrailsPage::GuardrailsPage(QWidget* parent) : QWizardPage(parent)
{
    setTitle(tr("Guardrails"));
    setSubTitle(tr("Limits checked on every tick while the canary carries traffic, over its "
                   "last 5 minutes of runs. When one is crossed Nexus rolls the rollout back "
                   "automatically: weight 0 %, the baseline kept."));
    const pb::Guardrails defaults = LaunchRolloutWizard::defaultGuardrails();
    auto percentSpin = [this](const QString& name, double max, double value) {
        auto* spin = new QDoubleSpinBox(this);
        spin->setObjectName(name);
        spin->setRange(0.1, max);
        spin->setDecimals(1);
        spin->setSuffix(QStringLiteral(" %"));
        spin->setValue(value * 100.0);
        connect(spin, &QDoubleSpinBox::valueChanged, this, &QWizardPage::completeChanged);
        return spin;
    };
    qualityDrop_ = percentSpin(QStringLiteral("qualityDrop"), 100, defaults.max_quality_drop());
    p95Increase_ =
        percentSpin(QStringLiteral("p95Increase"), 1000, defaults.max_p95_latency_increase());
    errorRate_ = percentSpin(QStringLiteral("errorRate"), 100, defaults.max_error_rate());
    minSamples_ = new QSpinBox(this);
    minSamples_->setObjectName(QStringLiteral("minSamples"));
    minSamples_->setRange(1, 100000);
    minSamples_->setSuffix(tr(" runs"));
    minSamples_->setValue(defaults.min_samples());

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto addRow = [&](const QString& label, QWidget* field, const QString& what) {
        auto* box = new QWidget(this);
        auto* boxLayout = new QVBoxLayout(box);
        boxLayout->setContentsMargins(0, 0, 0, 6);
        field->setMaximumWidth(140);
        field->setAccessibleName(label);
        boxLayout->addWidget(field);
        boxLayout->addWidget(explanation(what, box));
        form->addRow(label, box);
    };
    addRow(tr("Max quality drop"), qualityDrop_,
           tr("Rolls back when the canary's mean quality falls more than this below the "
              "baseline's (10 % of 0.86 = below 0.77)."));
    addRow(tr("Max p95 latency increase"), p95Increase_,
           tr("Rolls back when the canary's 95th-percentile duration is more than this above "
              "the baseline's."));
    addRow(tr("Max error rate"), errorRate_,
           tr("Rolls back when more than this share of the canary's runs fail, whatever the "
              "baseline does."));
    addRow(tr("Min runs per side"), minSamples_,
           tr("The guardrails judge only once both sides have this many runs; fewer runs "
              "never roll back."));
    error_ = errorLabel(QStringLiteral("guardrailsError"), this);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(error_);
    layout->addStretch();
    connect(minSamples_, &QSpinBox::valueChanged, this, &QWizardPage::completeChanged);
    connect(this, &QWizardPage::completeChanged, this, [this] {
        const QString error = LaunchRolloutWizard::guardrailsError(guardrails());
        error_->setText(error);
        error_->setVisible(!error.isEmpty());
    });
}

pb::Guardrails GuardrailsPage::guardrails() const
{
    // Percent with one decimal -> fraction: 10.0 % is exactly 0.10.
    auto fraction = [](const QDoubleSpinBox* spin) {
        return std::round(spin->value() * 10) / 1000;
    };
    pb::Guardrails g;
    g.set_max_quality_drop(fraction(qualityDrop_));
    g.set_max_p95_latency_increase(fraction(p95Increase_));
    g.set_max_error_rate(fraction(errorRate_));
    g.set_min_samples(minSamples_->value());
    return g;
}

void GuardrailsPage::setGuardrails(const pb::Guardrails& g)
{
    qualityDrop_->setValue(g.max_quality_drop() * 100.0);
    p95Increase_->setValue(g.max_p95_latency_increase() * 100.0);
    errorRate_->setValue(g.max_error_rate() * 100.0);
    minSamples_->setValue(g.min_samples());
}

bool GuardrailsPage::isComplete() const
{
    return LaunchRolloutWizard::guardrailsError(guardrails()).isEmpty();
}

// ---- Summary -------------------------------------------------------------

SummaryPage::SummaryPage(LaunchRolloutWizard* wizard) : QWizardPage(wizard), wizard_(wizard)
{
    setTitle(tr("Summary"));
    setSubTitle(tr("Nexus starts the canary when you press Launch canary; you can pause, "
                   "promote or abort it from the Rollouts tab at any time."));
    text_ = new QLabel(this);
    text_->setObjectName(QStringLiteral("summaryText"));
    text_->setTextFormat(Qt::PlainText);
    text_->setWordWrap(true);
    text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(text_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll);
}

void SummaryPage::initializePage()
{
    text_->setText(wizard_->summaryText());
}

bool SummaryPage::isComplete() const
{
    return !wizard_->selectedVersionId().isEmpty() && wizard_->validationError().isEmpty();
}

} // namespace nexus::widgets::launchwizard
