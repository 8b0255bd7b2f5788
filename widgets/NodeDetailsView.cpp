#include "widgets/NodeDetailsView.h"

#include "models/TraceFormat.h"
#include "widgets/ThemeStyle.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace nexus::widgets {
namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QLabel* plainLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    // Wire text may hold a word longer than any screen (no spaces to wrap
    // at): it is cut at the pane's edge instead of widening the window.
    label->setMinimumWidth(1);
    return label;
}

QTableWidgetItem* cell(const QString& text)
{
    auto* item = new QTableWidgetItem(text.left(300));
    // Tool tips render rich text: escape, so wire text stays literal.
    item->setToolTip(QStringLiteral("<p style=\"white-space:pre-wrap\">%1</p>")
                         .arg(text.left(4000).toHtmlEscaped()));
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return item;
}

QString timeOf(std::int64_t us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(QStringLiteral("HH:mm:ss.zzz"));
}

QString nodeTypeText(const runtime::NodeType& type)
{
    return type.custom ? QStringLiteral("custom: %1").arg(qs(type.name)) : qs(type.name);
}

} // namespace

QString formatDurationUs(std::int64_t us)
{
    return models::tracefmt::duration(us);
}

NodeDetailsView::NodeDetailsView(QWidget* parent)
    : QWidget(parent), title_(plainLabel(this)), subtitle_(plainLabel(this)),
      visit_(new QComboBox(this)), tabs_(new QTabWidget(this)), form_(new QFormLayout),
      tokenText_(new QPlainTextEdit(this)), tools_(new QTableWidget(this)),
      attributes_(new QTableWidget(this))
{
    setObjectName(QStringLiteral("nodeDetails"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    QFont big = title_->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    title_->setFont(big);
    title_->setObjectName(QStringLiteral("nodeTitle"));
    subtitle_->setObjectName(QStringLiteral("nodeSubtitle"));
    layout->addWidget(title_);
    layout->addWidget(subtitle_);
    auto* visitRow = new QHBoxLayout;
    auto* visitLabel = new QLabel(tr("Execution:"), this);
    visit_->setObjectName(QStringLiteral("nodeVisit"));
    visit_->setAccessibleName(tr("Node visit"));
    visit_->setToolTip(tr("Which execution of this node to show; the latest before the cursor "
                          "is chosen automatically"));
    visitRow->addWidget(visitLabel);
    visitRow->addWidget(visit_, 1);
    layout->addLayout(visitRow);

    auto* summary = new QWidget(this);
    summary->setLayout(form_);
    state_ = addRow(tr("State"), QStringLiteral("nodeState"));
    started_ = addRow(tr("Started"), QStringLiteral("nodeStarted"));
    duration_ = addRow(tr("Duration"), QStringLiteral("nodeDuration"));
    config_ = addRow(tr("Config"), QStringLiteral("nodeConfig"));
    tokens_ = addRow(tr("Tokens"), QStringLiteral("nodeTokens"));
    cost_ = addRow(tr("Cost"), QStringLiteral("nodeCost"));
    model_ = addRow(tr("Model"), QStringLiteral("nodeModel"));
    error_ = addRow(tr("Error"), QStringLiteral("nodeError"));
    setThemedStyleSheet(error_, QStringLiteral("color: #b3261e"));
    definition_ = addRow(tr("Definition"), QStringLiteral("nodeDefinition"));
    tabs_->addTab(summary, tr("Summary"));

    tokenText_->setObjectName(QStringLiteral("nodeTokenText"));
    tokenText_->setAccessibleName(tr("Streamed tokens"));
    tokenText_->setReadOnly(true);
    tokenText_->setPlaceholderText(tr("No token stream for this execution"));
    tabs_->addTab(tokenText_, tr("Tokens"));

    tools_->setObjectName(QStringLiteral("nodeTools"));
    tools_->setAccessibleName(tr("Tool calls"));
    tools_->setColumnCount(6);
    tools_->setHorizontalHeaderLabels(
        {tr("Tool"), tr("Stage"), tr("Duration"), tr("Arguments"), tr("Result"), tr("Error")});
    tools_->verticalHeader()->hide();
    tools_->horizontalHeader()->setStretchLastSection(true);
    tools_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    tabs_->addTab(tools_, tr("Tool Calls"));

    attributes_->setObjectName(QStringLiteral("nodeAttributes"));
    attributes_->setAccessibleName(tr("Node attributes"));
    attributes_->setColumnCount(2);
    attributes_->setHorizontalHeaderLabels({tr("Attribute"), tr("Value")});
    attributes_->verticalHeader()->hide();
    attributes_->horizontalHeader()->setStretchLastSection(true);
    attributes_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    tabs_->addTab(attributes_, tr("Attributes"));
    tabs_->setObjectName(QStringLiteral("nodeTabs"));
    layout->addWidget(tabs_, 1);

    connect(visit_, &QComboBox::activated, this, [this](int index) {
        if (index < 0 || index >= int(visits_.size()) || !run_)
            return;
        pinnedVisit_ = true;
        showSpan(visits_[std::size_t(index)]);
        const models::NodeSpan& span = run_->spans[std::size_t(spanIndex_)];
        emit stepRequested(span.endStep != models::kNoIndex ? span.endStep : span.startStep);
    });
    clear();
}

QLabel* NodeDetailsView::addRow(const QString& label, const QString& objectName)
{
    QLabel* value = plainLabel(this);
    value->setObjectName(objectName);
    form_->addRow(label, value);
    return value;
}

void NodeDetailsView::clear(const QString& reason)
{
    run_ = nullptr;
    node_.clear();
    spanIndex_ = -1;
    pinnedVisit_ = false;
    visits_.clear();
    title_->setText(reason.isEmpty() ? tr("No node selected") : reason);
    subtitle_->setText(tr("Click a node on the graph or a bar on the timeline."));
    visit_->clear();
    visit_->setEnabled(false);
    showSpan(-1);
    definition_->clear();
}

void NodeDetailsView::showNode(const models::Run* run, const QString& node,
                               std::uint32_t cursorStep)
{
    const bool same = run == run_ && node == node_;
    run_ = run;
    node_ = node;
    if (!same)
        pinnedVisit_ = false;
    refresh(cursorStep);
}

void NodeDetailsView::refresh(std::uint32_t cursorStep)
{
    if (!run_ || node_.isEmpty())
        return;
    const std::string name = node_.toStdString();
    visits_.clear();
    for (std::size_t i = 0; i < run_->spans.size(); ++i)
        if (run_->spans[i].node == name)
            visits_.push_back(int(i));

    title_->setText(node_);
    const runtime::Node* def = run_->graph ? run_->graph->findNode(name) : nullptr;
    QStringList sub;
    if (def)
        sub << nodeTypeText(def->type);
    else if (name == runtime::kEndNode)
        sub << tr("end of the graph");
    else if (run_->graph)
        sub << tr("not in the run's graph schema");
    sub << tr("%n execution(s) in this run", nullptr, int(visits_.size()));
    subtitle_->setText(sub.join(QStringLiteral(" \u00b7 ")));

    QStringList defText;
    if (def) {
        if (!def->description.empty())
            defText << qs(def->description);
        if (!def->inputFields.empty() || !def->outputFields.empty()) {
            QStringList in, out;
            for (const auto& f : def->inputFields)
                in << qs(f);
            for (const auto& f : def->outputFields)
                out << qs(f);
            defText << tr("reads: %1; writes: %2")
                           .arg(in.isEmpty() ? tr("\u2014") : in.join(QStringLiteral(", ")),
                                out.isEmpty() ? tr("\u2014") : out.join(QStringLiteral(", ")));
        }
        QStringList next;
        for (const runtime::Edge* e : run_->graph->outgoing(name)) {
            QString t = qs(e->to);
            if (e->kind == runtime::EdgeKind::Conditional && !e->label.empty())
                t += QStringLiteral(" [%1]").arg(qs(e->label));
            else if (e->kind == runtime::EdgeKind::Parallel)
                t += tr(" (parallel)");
            next << t;
        }
        if (!next.isEmpty())
            defText << tr("next: %1").arg(next.join(QStringLiteral(", ")));
    }
    definition_->setText(defText.isEmpty() ? tr("\u2014") : defText.join(QLatin1Char('\n')));

    visit_->clear();
    for (std::size_t i = 0; i < visits_.size(); ++i) {
        const models::NodeSpan& s = run_->spans[std::size_t(visits_[i])];
        visit_->addItem(tr("#%1 at %2 \u2014 %3")
                            .arg(s.visit)
                            .arg(timeOf(s.startUs))
                            .arg(QString::fromLatin1(models::nodeStateName(s.state))));
    }
    visit_->setEnabled(visits_.size() > 1);

    int chosen = -1;
    if (pinnedVisit_ && spanIndex_ >= 0 && spanIndex_ < int(run_->spans.size()) &&
        run_->spans[std::size_t(spanIndex_)].node == name) {
        chosen = spanIndex_;
    } else {
        pinnedVisit_ = false;
        for (int index : visits_)
            if (run_->spans[std::size_t(index)].startStep <= cursorStep)
                chosen = index;
    }
    for (std::size_t i = 0; i < visits_.size(); ++i)
        if (visits_[i] == chosen)
            visit_->setCurrentIndex(int(i));
    showSpan(chosen);
}

void NodeDetailsView::showSpan(int spanIndex)
{
    spanIndex_ = spanIndex;
    const models::NodeSpan* span = run_ && spanIndex >= 0 && spanIndex < int(run_->spans.size())
                                       ? &run_->spans[std::size_t(spanIndex)]
                                       : nullptr;
    tools_->setRowCount(0);
    attributes_->setRowCount(0);
    if (!span) {
        const bool known = run_ && !node_.isEmpty();
        state_->setText(known ? tr("pending (not executed before the cursor)") : QString());
        for (QLabel* l : {started_, duration_, config_, tokens_, cost_, model_, error_})
            l->clear();
        tokenText_->clear();
        tabs_->setTabText(1, tr("Tokens"));
        tabs_->setTabText(2, tr("Tool Calls"));
        return;
    }
    state_->setText(QString::fromLatin1(models::nodeStateName(span->state)));
    started_->setText(
        timeOf(span->startUs) +
        tr(" (+%1 into the run)").arg(formatDurationUs(span->startUs - run_->startUs)));
    if (span->state == models::NodeState::Active)
        duration_->setText(
            tr("running for %1").arg(formatDurationUs(run_->lastUs - span->startUs)));
    else
        duration_->setText(formatDurationUs(span->durationUs));
    QStringList config;
    if (span->configVersion)
        config << tr("version %1").arg(*span->configVersion);
    if (!span->configHash.empty())
        config << qs(span->configHash);
    config_->setText(config.isEmpty() ? tr("\u2014") : config.join(QStringLiteral(" \u00b7 ")));
    const std::int64_t total = span->promptTokens + span->completionTokens;
    tokens_->setText(total ? tr("%1 (prompt %2, completion %3)")
                                 .arg(total)
                                 .arg(span->promptTokens)
                                 .arg(span->completionTokens)
                           : tr("\u2014"));
    cost_->setText(span->costUsd > 0 ? QStringLiteral("$%1").arg(span->costUsd, 0, 'f', 5)
                                     : tr("\u2014"));
    model_->setText(span->model.empty() ? tr("\u2014") : qs(span->model));
    error_->setText(qs(span->error));
    tokenText_->setPlainText(qs(span->tokenText));
    tabs_->setTabText(1, span->tokenText.empty() ? tr("Tokens") : tr("Tokens \u2022"));

    tabs_->setTabText(2, tr("Tool Calls (%1)").arg(span->tools.size()));
    tools_->setRowCount(int(span->tools.size()));
    for (std::size_t i = 0; i < span->tools.size(); ++i) {
        const models::ToolCallInfo& t = span->tools[i];
        const int row = int(i);
        tools_->setItem(row, 0, cell(qs(t.name)));
        tools_->setItem(row, 1, cell(qs(t.stage)));
        tools_->setItem(row, 2, cell(t.durationUs ? formatDurationUs(t.durationUs) : QString()));
        tools_->setItem(row, 3, cell(qs(t.arguments)));
        tools_->setItem(row, 4, cell(qs(t.result)));
        tools_->setItem(row, 5, cell(qs(t.error)));
    }
    tools_->resizeColumnsToContents();

    attributes_->setRowCount(int(span->attributes.size()));
    int row = 0;
    for (const auto& [key, value] : span->attributes) {
        attributes_->setItem(row, 0, cell(qs(key)));
        attributes_->setItem(row, 1, cell(qs(value)));
        ++row;
    }
}

} // namespace nexus::widgets
