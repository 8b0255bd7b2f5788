#include "widgets/RunView.h"

#include "widgets/GraphCanvas.h"
#include "widgets/NodeDetailsView.h"
#include "widgets/SchemaHistoryDialog.h"
#include "widgets/StatePanel.h"
#include "widgets/ThemeStyle.h"
#include "widgets/TimelineView.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace nexus::widgets {
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
    return label;
}

QToolButton* toolButton(QWidget* parent, const QString& name, const QString& text,
                        const QString& tip)
{
    auto* b = new QToolButton(parent);
    b->setObjectName(name);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

QString statusText(const models::Run& run)
{
    switch (run.status) {
    case models::RunStatus::Running:
        return RunView::tr("running");
    case models::RunStatus::Completed:
        return RunView::tr("completed");
    case models::RunStatus::Error:
        return RunView::tr("error");
    case models::RunStatus::Stale:
        return RunView::tr("stale");
    }
    return {};
}

} // namespace

RunView::RunView(QWidget* parent)
    : QWidget(parent), title_(plainLabel(this, QStringLiteral("runTitle"))),
      subtitle_(plainLabel(this, QStringLiteral("runSubtitle"))),
      integrity_(plainLabel(this, QStringLiteral("runIntegrity"))),
      schemaBanner_(new QWidget(this)),
      schemaText_(plainLabel(schemaBanner_, QStringLiteral("schemaBannerText"))),
      stepLabel_(plainLabel(this, QStringLiteral("runStep"))),
      live_(toolButton(this, QStringLiteral("runLive"), tr("\u25cf Live"),
                       tr("Follow the newest step (L)"))),
      previous_(toolButton(this, QStringLiteral("runPrevious"), tr("\u25c0"),
                           tr("Previous step (Left on the timeline)"))),
      next_(toolButton(this, QStringLiteral("runNext"), tr("\u25b6"),
                       tr("Next step (Right on the timeline)"))),
      fit_(toolButton(this, QStringLiteral("runFit"), tr("Fit"), tr("Fit the graph to the view"))),
      export_(toolButton(this, QStringLiteral("runExport"), tr("Export"),
                         tr("Export the graph as PNG, SVG, DOT or Mermaid"))),
      history_(toolButton(this, QStringLiteral("runSchemaHistory"), tr("Schema History"),
                          tr("Every schema this graph ran with"))),
      canvas_(new GraphCanvas(this)), timeline_(new TimelineView(this)),
      state_(new StatePanel(this)), details_(new NodeDetailsView(this)), side_(new QTabWidget(this))
{
    setObjectName(QStringLiteral("runView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    auto* header = new QHBoxLayout;
    auto* titles = new QVBoxLayout;
    QFont big = title_->font();
    big.setPointSizeF(big.pointSizeF() * 1.2);
    big.setBold(true);
    title_->setFont(big);
    // Long thread ids and error texts must not widen the view: the titles
    // shrink (and wrap) instead.
    for (QLabel* l : {title_, subtitle_}) {
        l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        l->setMinimumWidth(80);
    }
    subtitle_->setWordWrap(true);
    titles->addWidget(title_);
    titles->addWidget(subtitle_);
    header->addLayout(titles, 1);
    live_->setCheckable(true);
    live_->setChecked(true);
    live_->setShortcut(QKeySequence(Qt::Key_L));
    header->addWidget(previous_);
    header->addWidget(stepLabel_);
    header->addWidget(next_);
    header->addWidget(live_);
    header->addSpacing(12);
    header->addWidget(fit_);
    header->addWidget(export_);
    header->addWidget(history_);
    layout->addLayout(header);

    integrity_->setWordWrap(true);
    setThemedStyleSheet(
        integrity_,
        QStringLiteral(
            "background: #fff4e5; color: #7a4100; border: 1px solid #f0b260; padding: 4px"));
    integrity_->hide();
    layout->addWidget(integrity_);

    schemaBanner_->setObjectName(QStringLiteral("schemaBanner"));
    setThemedStyleSheet(
        schemaBanner_,
        QStringLiteral("#schemaBanner { background: #e8f0fe; border: 1px solid #8ab4f8; }"));
    auto* bannerLayout = new QHBoxLayout(schemaBanner_);
    bannerLayout->setContentsMargins(6, 2, 2, 2);
    schemaText_->setWordWrap(true);
    bannerLayout->addWidget(schemaText_, 1);
    auto* bannerHistory = toolButton(schemaBanner_, QStringLiteral("schemaBannerHistory"),
                                     tr("Show History"), tr("Compare the schemas"));
    auto* bannerClose = toolButton(schemaBanner_, QStringLiteral("schemaBannerClose"),
                                   QStringLiteral("\u2715"), tr("Dismiss"));
    bannerLayout->addWidget(bannerHistory);
    bannerLayout->addWidget(bannerClose);
    schemaBanner_->hide();
    layout->addWidget(schemaBanner_);

    side_->setObjectName(QStringLiteral("runSideTabs"));
    side_->addTab(details_, tr("Node"));
    side_->addTab(state_, tr("State"));
    side_->setCurrentIndex(1);
    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(canvas_);
    top->addWidget(side_);
    top->setObjectName(QStringLiteral("runTopSplitter"));
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    top->setSizes({600, 400});
    auto* vertical = new QSplitter(Qt::Vertical, this);
    vertical->setObjectName(QStringLiteral("runSplitter"));
    vertical->addWidget(top);
    vertical->addWidget(timeline_);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 1);
    vertical->setSizes({600, 220});
    layout->addWidget(vertical, 1);

    auto* exportMenu = new QMenu(export_);
    for (const auto& [format, label] :
         {std::pair{QStringLiteral("png"), tr("PNG Image\u2026")},
          std::pair{QStringLiteral("svg"), tr("SVG Image\u2026")},
          std::pair{QStringLiteral("dot"), tr("Graphviz DOT\u2026")},
          std::pair{QStringLiteral("mermaid"), tr("Mermaid\u2026")}}) {
        QAction* a = exportMenu->addAction(label);
        a->setData(format);
    }
    connect(exportMenu, &QMenu::triggered, this, [this](QAction* action) {
        const QString format = action->data().toString();
        const QString suffix = format == QLatin1String("mermaid") ? QStringLiteral("mmd") : format;
        const models::Run* r = run();
        const QString base =
            r ? qs(r->graphName.empty() ? r->threadId : r->graphName) : QStringLiteral("graph");
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export Graph"), base + QLatin1Char('.') + suffix,
                                         tr("%1 (*.%2)").arg(format.toUpper(), suffix));
        if (path.isEmpty())
            return;
        if (!exportGraph(format, path))
            QMessageBox::warning(this, tr("Export Graph"),
                                 tr("Could not write %1.").arg(QDir::toNativeSeparators(path)));
    });
    export_->setMenu(exportMenu);
    export_->setPopupMode(QToolButton::InstantPopup);

    connect(live_, &QToolButton::toggled, this, &RunView::setFollowLive);
    connect(previous_, &QToolButton::clicked, this, [this] {
        if (cursor_ > 0)
            setCursor(cursor_ - 1);
    });
    connect(next_, &QToolButton::clicked, this, [this] { setCursor(cursor_ + 1); });
    connect(fit_, &QToolButton::clicked, canvas_, &GraphCanvas::fitToView);
    connect(history_, &QToolButton::clicked, this, &RunView::showSchemaHistory);
    connect(bannerHistory, &QToolButton::clicked, this, &RunView::showSchemaHistory);
    connect(bannerClose, &QToolButton::clicked, schemaBanner_, &QWidget::hide);
    connect(timeline_, &TimelineView::cursorMoved, this, &RunView::setCursor);
    connect(timeline_, &TimelineView::followLiveChanged, this, &RunView::setFollowLive);
    connect(timeline_, &TimelineView::spanActivated, this, [this](int spanIndex) {
        const models::Run* r = run();
        if (r && spanIndex >= 0 && spanIndex < int(r->spans.size()))
            selectNode(qs(r->spans[std::size_t(spanIndex)].node));
    });
    connect(canvas_, &GraphCanvas::nodeSelected, this, &RunView::selectNode);
    connect(details_, &NodeDetailsView::stepRequested, this, &RunView::setCursor);
    showRun(0);
}

RunView::~RunView() = default;

void RunView::setStore(const models::RunStore* store)
{
    store_ = store;
    showRun(0);
}

const models::Run* RunView::run() const
{
    return store_ && runId_ ? store_->run(runId_) : nullptr;
}

std::uint32_t RunView::lastStep() const
{
    const models::Run* r = run();
    return r && !r->steps.empty() ? std::uint32_t(r->steps.size() - 1) : 0;
}

void RunView::showRun(std::uint64_t runId)
{
    if (runId == runId_ && runId)
        return;
    runId_ = store_ && store_->run(runId) ? runId : 0;
    selectedNode_.clear();
    shownSchemaId_.clear();
    integrity_->hide();
    schemaBanner_->hide();
    details_->clear();
    cursor_ = followLive_ ? lastStep() : 0;
    refresh(true);
}

void RunView::storeChanged(const models::ApplyResult& result)
{
    if (!runId_)
        return;
    if (std::find(result.removed.begin(), result.removed.end(), runId_) != result.removed.end()) {
        runId_ = 0;
        details_->clear();
        refresh(true);
        return;
    }
    const models::Run* r = run();
    if (r && !result.schemaChanges.empty() &&
        std::find(result.schemaChanges.begin(), result.schemaChanges.end(), r->graphName) !=
            result.schemaChanges.end()) {
        const auto& history = store_->schemaHistory();
        auto it = history.find(r->graphName);
        if (it != history.end() && it->second.size() >= 2) {
            const auto& list = it->second;
            schemaText_->setText(
                tr("The schema of graph \u201c%1\u201d changed: %2 \u2192 %3 (%n schema(s) seen).",
                   nullptr, int(list.size()))
                    .arg(qs(r->graphName), qs(list[list.size() - 2].schemaId),
                         qs(list.back().schemaId)));
            schemaBanner_->show();
        }
    }
    if (std::find(result.updated.begin(), result.updated.end(), runId_) != result.updated.end()) {
        // A hidden view (another tab) catches up when it is shown again.
        if (isVisible())
            refresh(false);
        else
            stale_ = true;
    }
}

void RunView::setFollowLive(bool follow)
{
    if (live_->isChecked() != follow)
        live_->setChecked(follow); // re-enters through toggled()
    if (followLive_ == follow)
        return;
    followLive_ = follow;
    timeline_->setFollowLive(follow);
    if (follow)
        setCursor(lastStep());
    emit followLiveChanged(follow);
}

void RunView::setCursor(std::uint32_t step)
{
    const models::Run* r = run();
    if (!r || r->steps.empty())
        return;
    step = std::min(step, lastStep());
    // A cursor the user moved away from the newest step pauses following.
    if (followLive_ && step != lastStep())
        setFollowLive(false);
    const bool moved = step != cursor_;
    cursor_ = step;
    updateCursorViews();
    if (moved)
        emit cursorChanged(step);
}

void RunView::selectNode(const QString& node)
{
    selectedNode_ = node;
    canvas_->setSelectedNode(node);
    if (const models::Run* r = run()) {
        details_->showNode(r, node, cursor_);
        side_->setCurrentWidget(details_);
    }
}

void RunView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (stale_)
        refresh(false);
}

void RunView::setRecorded(bool recorded)
{
    recorded_ = recorded;
    live_->setVisible(!recorded);
    refresh(false);
}

void RunView::refresh(bool runChanged)
{
    stale_ = false;
    const models::Run* r = run();
    if (!r) {
        title_->setText(tr("No run selected"));
        subtitle_->setText(recorded_ ? tr("Pick an open trace.")
                                     : tr("Pick a run from the list; \u201cFollow newest\u201d "
                                          "picks the newest run for you."));
        stepLabel_->clear();
        canvas_->setGraph(nullptr);
        timeline_->clear();
        state_->clear(tr("No run selected"));
        for (QWidget* w :
             std::initializer_list<QWidget*>{live_, previous_, next_, fit_, export_, history_})
            w->setEnabled(false);
        return;
    }
    for (QWidget* w :
         std::initializer_list<QWidget*>{live_, previous_, next_, fit_, export_, history_})
        w->setEnabled(true);
    history_->setEnabled(!r->graphName.empty());
    if (runChanged || r->schemaId != shownSchemaId_) {
        shownSchemaId_ = r->schemaId;
        canvas_->setPlaceholderText(r->graphProblem.empty()
                                        ? tr("No graph schema for this run")
                                        : tr("No graph: %1").arg(qs(r->graphProblem)));
        canvas_->setGraph(r->graph);
        timeline_->setRun(r);
    } else {
        timeline_->runChanged();
    }
    if (followLive_)
        cursor_ = lastStep();
    updateHeader();
    updateCursorViews();
}

void RunView::updateHeader()
{
    const models::Run* r = run();
    if (!r)
        return;
    QString title = qs(r->graphName.empty() ? std::string("unknown graph") : r->graphName);
    title += QStringLiteral(" \u2014 ") + statusText(*r);
    title_->setText(title);
    QStringList sub;
    sub << tr("thread %1%2")
               .arg(qs(r->threadId))
               .arg(r->ordinal > 1 ? QStringLiteral(" #%1").arg(r->ordinal) : QString());
    if (!r->instanceId.empty())
        sub << tr("instance %1").arg(qs(r->instanceId));
    if (!r->schemaId.empty())
        sub << tr("schema %1").arg(qs(r->schemaId));
    const std::int64_t end = r->endUs ? r->endUs : r->lastUs;
    sub << formatDurationUs(std::max<std::int64_t>(0, end - r->startUs));
    sub << tr("%n node(s) done", nullptr, r->nodesDone);
    if (r->tokens)
        sub << tr("%1 tokens").arg(r->tokens);
    if (r->costUsd > 0)
        sub << QStringLiteral("$%1").arg(r->costUsd, 0, 'f', 4);
    if (!r->errorText.empty())
        sub << tr("error: %1").arg(qs(r->errorText));
    subtitle_->setText(sub.join(QStringLiteral(" \u00b7 ")));

    // Integrity: corruption now or earlier, and counts of every kind.
    std::size_t problems = 0;
    for (const auto& issue : r->issues)
        problems += issue.kind != models::IssueKind::Healed;
    if (problems == 0) {
        integrity_->hide();
        return;
    }
    QString text;
    if (r->corrupted)
        text = tr("State may be wrong since step %1: %2. A verified state hash, a full state "
                  "or a checkpoint clears this.")
                   .arg(r->corruptedSince)
                   .arg(qs(r->issues.back().message));
    else
        text = tr("%n integrity problem(s) in this run; the last: %1", nullptr, int(problems))
                   .arg(qs(r->issues.back().message));
    integrity_->setText(text);
    integrity_->show();
}

void RunView::updateCursorViews()
{
    const models::Run* r = run();
    if (!r)
        return;
    if (r->steps.empty()) {
        stepLabel_->setText(tr("no steps"));
        state_->clear(tr("No state yet"));
        return;
    }
    cursor_ = std::min(cursor_, lastStep());
    const models::Step& step = r->steps[cursor_];
    QString what = QString::fromLatin1(models::stepKindName(step.kind));
    if (step.node != models::kNoIndex)
        what += QLatin1Char(' ') + qs(r->string(step.node));
    // Steps are numbered from 0 everywhere (timeline, issues, state).
    stepLabel_->setText(tr("Step %1 / %2 \u00b7 %3 \u00b7 %4")
                            .arg(cursor_)
                            .arg(r->steps.size() - 1)
                            .arg(what)
                            .arg(QDateTime::fromMSecsSinceEpoch(step.timestampUs / 1000)
                                     .toString(QStringLiteral("HH:mm:ss.zzz"))));
    previous_->setEnabled(cursor_ > 0);
    next_->setEnabled(cursor_ < lastStep());

    // Canvas: node states, captions and taken edges as of the cursor.
    std::map<std::string, QString> captions;
    std::map<std::string, int> visits;
    for (const models::NodeSpan& span : r->spans) {
        if (span.startStep > cursor_)
            continue;
        const int n = ++visits[span.node];
        const bool ended = span.endStep != models::kNoIndex && span.endStep <= cursor_;
        const std::int64_t elapsed = r->steps[cursor_].timestampUs - span.startUs;
        QString caption = ended         ? formatDurationUs(span.durationUs)
                          : elapsed > 0 ? tr("running \u00b7 %1").arg(formatDurationUs(elapsed))
                                        : tr("running");
        if (n > 1)
            caption += QStringLiteral(" \u00b7 \u00d7%1").arg(n);
        captions[span.node] = caption;
    }
    canvas_->setNodeStates(r->nodeStatesAt(cursor_), captions);
    canvas_->setTakenEdges(r->edgesAt(cursor_));
    timeline_->setCursorStep(cursor_);

    const models::StateAt at = store_->stateAt(*r, cursor_);
    QString label;
    if (at.stateStep != models::kNoIndex && at.stateStep < r->stateSteps.size()) {
        const models::StateStep& ss = r->stateSteps[at.stateStep];
        label = tr("State after step %1 \u00b7 %2 \u00b7 %3")
                    .arg(ss.step)
                    .arg(QString::fromLatin1(models::stepKindName(r->steps[ss.step].kind)))
                    .arg(QString::fromLatin1(models::stateVerdictName(ss.verdict)));
    }
    // The corrupted stretch the cursor lies in began with the first issue
    // after the last heal at or before the cursor.
    std::uint32_t since = models::kNoIndex;
    if (at.corrupted)
        for (const models::IntegrityIssue& issue : r->issues) {
            if (issue.step > cursor_)
                break;
            if (issue.kind == models::IssueKind::Healed)
                since = models::kNoIndex;
            else if (since == models::kNoIndex && issue.kind != models::IssueKind::SchemaVersion)
                since = issue.step;
        }
    state_->setState(at, store_->changesAt(*r, cursor_), label, since);
    if (!selectedNode_.isEmpty())
        details_->showNode(r, selectedNode_, cursor_);
}

bool RunView::exportGraph(const QString& format, const QString& path)
{
    if (format == QLatin1String("png"))
        return canvas_->exportPng(path);
    if (format == QLatin1String("svg"))
        return canvas_->exportSvg(path);
    QString text;
    if (format == QLatin1String("dot"))
        text = canvas_->toDotText();
    else if (format == QLatin1String("mermaid"))
        text = canvas_->toMermaidText();
    else
        return false;
    if (text.isEmpty())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray bytes = text.toUtf8();
    return file.write(bytes) == bytes.size();
}

void RunView::showSchemaHistory()
{
    const models::Run* r = run();
    if (!r || !store_)
        return;
    auto* dialog = new SchemaHistoryDialog(qs(r->graphName), store_->schemaHistory(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

} // namespace nexus::widgets
