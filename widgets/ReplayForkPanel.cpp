#include "widgets/ReplayForkPanel.h"

#include "protocol/Framing.h"
#include "widgets/JsonStateEditor.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace nexus::widgets {

using runtime::ForkResult;
using runtime::ForkStatus;
using runtime::OutputSource;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QLabel* plainLabel(QWidget* parent, const QString& name)
{
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString sourceText(const runtime::ForkedNode& node)
{
    switch (node.source) {
    case OutputSource::Script:
        return ReplayForkPanel::tr("script");
    case OutputSource::RecordedSameVisit:
        return ReplayForkPanel::tr("recorded (step %1)").arg(node.recordedStep);
    case OutputSource::RecordedLatest:
        return ReplayForkPanel::tr("recorded, latest visit (step %1)").arg(node.recordedStep);
    case OutputSource::Typed:
        return ReplayForkPanel::tr("typed");
    case OutputSource::NoOp:
        return ReplayForkPanel::tr("no-op (unknown to the graph)");
    }
    return {};
}

QString explain(const runtime::RuntimeError& error)
{
    QString text = qs(error.message);
    if (error.code == runtime::ErrorCode::NotRoutable)
        text +=
            ReplayForkPanel::tr(" \u2014 fork against a graph file that defines the conditions");
    return text;
}

} // namespace

ReplayForkPanel::ReplayForkPanel(QWidget* parent)
    : QWidget(parent), header_(plainLabel(this, QStringLiteral("forkHeader"))),
      graphLabel_(plainLabel(this, QStringLiteral("forkGraph"))),
      stateEditor_(new JsonStateEditor(this)), run_(new QPushButton(tr("Run fork"), this)),
      message_(plainLabel(this, QStringLiteral("forkMessage"))),
      prompt_(new QGroupBox(tr("A node needs an output"), this)),
      promptText_(plainLabel(prompt_, QStringLiteral("forkPrompt"))),
      outputEditor_(new JsonStateEditor(prompt_)),
      continue_(new QPushButton(tr("Continue with this output"), prompt_)),
      path_(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("replayFork"));
    QFont bold = header_->font();
    bold.setBold(true);
    header_->setFont(bold);
    stateEditor_->setObjectName(QStringLiteral("forkStateEditor"));
    outputEditor_->setObjectName(QStringLiteral("forkOutputEditor"));
    run_->setObjectName(QStringLiteral("forkRun"));
    run_->setToolTip(tr("Execute forward from this state: conditions are evaluated, scripted "
                        "nodes run, recorded outputs are reused (Ctrl+Return)"));
    run_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    continue_->setObjectName(QStringLiteral("forkContinue"));
    continue_->setToolTip(tr("Merge this object into the state as the node's output and go on"));
    prompt_->setObjectName(QStringLiteral("forkPromptBox"));

    path_->setObjectName(QStringLiteral("forkPath"));
    path_->setAccessibleName(tr("Fork path"));
    path_->setColumnCount(4);
    path_->setHeaderLabels({tr("#"), tr("Node"), tr("Visit"), tr("Output from")});
    path_->setRootIsDecorated(false);
    path_->setUniformRowHeights(true);
    path_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    path_->header()->setStretchLastSection(true);

    connect(stateEditor_, &JsonStateEditor::validated, this, &ReplayForkPanel::updateButtons);
    connect(outputEditor_, &JsonStateEditor::validated, this, &ReplayForkPanel::updateButtons);
    connect(run_, &QPushButton::clicked, this, &ReplayForkPanel::runFork);
    connect(continue_, &QPushButton::clicked, this, &ReplayForkPanel::provideOutput);

    auto* promptLayout = new QVBoxLayout(prompt_);
    promptLayout->addWidget(promptText_);
    promptLayout->addWidget(outputEditor_, 1);
    auto* continueRow = new QHBoxLayout;
    continueRow->addStretch(1);
    continueRow->addWidget(continue_);
    promptLayout->addLayout(continueRow);
    outputEditor_->setMinimumHeight(90);

    // Hidden parts (the prompt, the path) take no room; the state editor
    // gives way when they appear.
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(header_);
    layout->addWidget(graphLabel_);
    layout->addWidget(stateEditor_, 3);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(run_);
    runRow->addStretch(1);
    layout->addLayout(runRow);
    layout->addWidget(message_); // wraps: a row of its own
    layout->addWidget(prompt_, 2);
    layout->addWidget(path_, 1);

    clear(tr("Choose a position and press \u201cFork from here\u2026\u201d."));
}

ReplayForkPanel::~ReplayForkPanel() = default;

void ReplayForkPanel::begin(std::shared_ptr<const runtime::ReplaySession> session,
                            std::optional<runtime::Graph> graph, QString graphLabel,
                            std::size_t position)
{
    session_ = std::move(session);
    graph_ = std::move(graph);
    position_ = position;
    invalidShown_ = false;
    fork_.reset();
    hidePrompt();
    path_->clear();
    path_->hide();
    if (!session_) {
        clear(tr("No trace to fork."));
        return;
    }
    const auto& recording = session_->recording();
    header_->setText(position == 0
                         ? tr("Fork of %1 from the initial state").arg(qs(recording.threadId))
                         : tr("Fork of %1 after step %2 (%3)")
                               .arg(qs(recording.threadId))
                               .arg(position)
                               .arg(qs(session_->steps()[position - 1].node)));
    graphLabel_->setText(graph_ ? graphLabel
                                : tr("No graph to route with: choose a graph file under "
                                     "\u201cCheck routing against\u201d."));
    const auto state = session_->stateAt(position);
    stateEditor_->setEnabled(true);
    stateEditor_->setOriginal(state ? *state : nlohmann::json::object());
    if (!graph_)
        showMessage(tr("Cannot run a fork without a graph."), true);
    else
        showMessage(tr("Edit the state, then run the fork."), false);
    updateButtons();
}

void ReplayForkPanel::clear(const QString& reason)
{
    invalidShown_ = false;
    session_.reset();
    graph_.reset();
    fork_.reset();
    position_ = 0;
    header_->setText(tr("Fork"));
    graphLabel_->clear();
    stateEditor_->setOriginal(nlohmann::json::object());
    stateEditor_->setEnabled(false);
    hidePrompt();
    path_->clear();
    path_->hide();
    showMessage(reason, false);
    updateButtons();
}

QString ReplayForkPanel::messageText() const
{
    return message_->text();
}

QString ReplayForkPanel::promptText() const
{
    return prompt_->isHidden() ? QString() : promptText_->text();
}

bool ReplayForkPanel::isWaitingForOutput() const
{
    return fork_ && fork_->result().status == ForkStatus::NeedsOutput;
}

QStringList ReplayForkPanel::pathLines() const
{
    QStringList lines;
    for (int i = 0; i < path_->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = path_->topLevelItem(i);
        lines << QStringLiteral("%1 \u00b7 visit %2 \u00b7 %3")
                     .arg(item->text(1), item->text(2), item->text(3));
    }
    return lines;
}

void ReplayForkPanel::updateButtons()
{
    // Say why Run fork is disabled while the state does not parse.
    const bool invalid = session_ && !stateEditor_->isValid();
    if (invalid && !invalidShown_)
        showMessage(tr("Fix the state above to run the fork."), true);
    else if (!invalid && invalidShown_)
        showMessage(tr("Edit the state, then run the fork."), false);
    invalidShown_ = invalid;
    const bool ready = session_ && graph_ && stateEditor_->isValid();
    run_->setEnabled(ready);
    if (!session_)
        run_->setToolTip(tr("Nothing to fork"));
    else if (!graph_)
        run_->setToolTip(tr("No graph to route with"));
    else if (!stateEditor_->isValid())
        run_->setToolTip(tr("The state is not valid: %1").arg(stateEditor_->errorText()));
    else
        run_->setToolTip(tr("Execute forward from this state (Ctrl+Return)"));
    continue_->setEnabled(isWaitingForOutput() && outputEditor_->isValid());
}

void ReplayForkPanel::showMessage(const QString& text, bool error)
{
    messageIsError_ = error;
    message_->setText(text);
    QPalette pal = message_->palette();
    pal.setColor(QPalette::WindowText, error ? QColor(0xdc2626) : palette().color(QPalette::Text));
    message_->setPalette(pal);
}

bool ReplayForkPanel::runFork()
{
    if (!session_ || !graph_) {
        showMessage(tr("Cannot run a fork without a graph: choose a graph file under "
                       "\u201cCheck routing against\u201d."),
                    true);
        return false;
    }
    if (!stateEditor_->isValid()) {
        showMessage(tr("The state is not valid JSON: %1").arg(stateEditor_->errorText()), true);
        return false;
    }
    hidePrompt();
    path_->clear();
    const auto& recording = session_->recording();
    runtime::ForkOptions options;
    options.forkNumber = ++forksMade_[recording.threadId];
    auto created =
        runtime::Fork::create(recording, *graph_, position_, *stateEditor_->value(), options);
    if (!created) {
        --forksMade_[recording.threadId];
        showMessage(tr("Cannot fork here: %1").arg(qs(created.error().message)), true);
        return false;
    }
    fork_ = std::move(*created);
    const auto result = fork_->start();
    showResult(result);
    return result.ok() && result->status != ForkStatus::Failed;
}

bool ReplayForkPanel::provideOutput()
{
    if (!isWaitingForOutput() || !outputEditor_->isValid())
        return false;
    const auto result = fork_->provideOutput(*outputEditor_->value());
    showResult(result);
    return result.ok() && result->status != ForkStatus::Failed;
}

void ReplayForkPanel::showResult(const runtime::Result<ForkResult>& result)
{
    if (!result) {
        hidePrompt();
        showMessage(tr("The fork failed: %1").arg(explain(result.error())), true);
        return;
    }
    showPath(*result);
    const QString thread = qs(fork_->threadId());
    switch (result->status) {
    case ForkStatus::Completed:
        hidePrompt();
        showMessage(tr("Fork %1 completed (%2). It opens as a new trace.")
                        .arg(thread, result->nodes.size() == 1
                                         ? tr("1 node ran")
                                         : tr("%1 nodes ran").arg(result->nodes.size())),
                    false);
        handOver();
        break;
    case ForkStatus::Failed: {
        hidePrompt();
        const auto& run = result->run;
        const QString why = run.error ? explain(*run.error) : tr("unknown error");
        showMessage(run.failedNode.empty()
                        ? tr("Fork %1 failed: %2").arg(thread, why)
                        : tr("Fork %1 failed in %2: %3").arg(thread, qs(run.failedNode), why),
                    true);
        if (!result->nodes.empty())
            handOver();
        break;
    }
    case ForkStatus::NeedsOutput:
        showPrompt(*result->needsOutput);
        showMessage(tr("Waiting for the output of %1.").arg(qs(result->needsOutput->node)), false);
        break;
    case ForkStatus::Interrupted:
        hidePrompt();
        showMessage(tr("The fork stopped at an interrupt."), false);
        break;
    }
    updateButtons();
}

void ReplayForkPanel::showPath(const ForkResult& result)
{
    path_->clear();
    int n = 0;
    for (const runtime::ForkedNode& node : result.nodes) {
        auto* item = new QTreeWidgetItem(path_);
        item->setText(0, QString::number(++n));
        item->setText(1, qs(node.node));
        item->setText(2, QString::number(node.visit));
        item->setText(3, sourceText(node));
    }
    path_->setVisible(!result.nodes.empty());
}

void ReplayForkPanel::showPrompt(const runtime::NeedsOutput& needs)
{
    QString text = tr("%1 (visit %2) has no output: %3.")
                       .arg(qs(needs.node))
                       .arg(needs.visit)
                       .arg(qs(needs.reason));
    if (graph_)
        if (const runtime::Node* node = graph_->findNode(needs.node);
            node && !node->outputFields.empty()) {
            QStringList fields;
            for (const std::string& field : node->outputFields)
                fields << qs(field);
            text += tr(" The graph lists its output fields: %1.")
                        .arg(fields.join(QStringLiteral(", ")));
        }
    text += tr(" Type its output as a JSON object; it is merged into the state.");
    promptText_->setText(text);
    prompt_->setTitle(tr("%1 needs an output").arg(qs(needs.node)));
    outputEditor_->setOriginal(nlohmann::json::object());
    prompt_->show();
    outputEditor_->textEdit()->setFocus();
}

void ReplayForkPanel::hidePrompt()
{
    prompt_->hide();
    promptText_->clear();
}

void ReplayForkPanel::handOver()
{
    protocol::RecordEncoder encoder;
    std::vector<std::string> values;
    values.reserve(fork_->messages().size());
    for (const auto& message : fork_->messages()) {
        auto encoded = encoder.encode(message);
        if (!encoded) {
            showMessage(
                tr("The fork ran but cannot be encoded: %1").arg(qs(encoded.error().message)),
                true);
            return;
        }
        values.push_back(std::move(*encoded));
    }
    emit forkCreated(qs(session_->recording().threadId), qs(fork_->threadId()), values);
}

} // namespace nexus::widgets
