#include "widgets/KnowledgeEntryView.h"

#include "models/KnowledgeFormat.h"
#include "widgets/KnowledgeBadges.h"
#include "widgets/PromptDiffView.h"
#include "widgets/ThemeStyle.h"

#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTextEdit>
#include <QVBoxLayout>

#include <algorithm>

namespace nexus::widgets {

namespace pb = nexus::v1;
namespace fmt = nexus::models::knowledgefmt;
using namespace knowledgeui;

namespace {

QString orDash(const std::string& text)
{
    return text.empty() ? QStringLiteral("\u2014") : QString::fromStdString(text);
}

QString when(qint64 us, qint64 nowUs)
{
    if (us <= 0)
        return QStringLiteral("\u2014");
    return QStringLiteral("%1 \u00B7 %2").arg(fmt::age(us, nowUs), fmt::timestamp(us));
}

QString describedBy(const pb::KnowledgeEntry& entry)
{
    switch (entry.detail_case()) {
    case pb::KnowledgeEntry::kPitfall:
        return QString::fromStdString(entry.pitfall().description());
    case pb::KnowledgeEntry::kSuccessPattern:
        return QString::fromStdString(entry.success_pattern().description());
    default:
        return {};
    }
}

} // namespace

KnowledgeEntryView::KnowledgeEntryView(QWidget* parent) : QWidget(parent)
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    stack_ = new QStackedWidget(this);
    outer->addWidget(stack_);

    auto* empty = new QLabel(tr("Select an entry to review it"), stack_);
    empty->setObjectName(QStringLiteral("emptyState"));
    empty->setTextFormat(Qt::PlainText);
    empty->setAlignment(Qt::AlignCenter);
    setThemedStyleSheet(empty, QStringLiteral("QLabel { color: #80868b; font-size: 14pt; }"));
    stack_->addWidget(empty);

    auto* scroll = new QScrollArea(stack_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    content_ = new QWidget(scroll);
    content_->setObjectName(QStringLiteral("entryContent"));
    column_ = new QVBoxLayout(content_);
    column_->setContentsMargins(12, 10, 12, 10);
    column_->setSpacing(10);
    column_->addWidget(buildHeader(content_));
    auto* rule = new QFrame(content_);
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Sunken);
    column_->addWidget(rule);
    // The pages share the column, one shown at a time: a hidden page takes
    // no room, so a short pitfall is not padded to a prompt diff's height.
    promptPage_ = buildPromptPage();
    pitfallPage_ = buildPitfallPage();
    successPage_ = buildSuccessPage();
    codePage_ = buildCodePage();
    for (QWidget* page : {promptPage_, pitfallPage_, successPage_, codePage_})
        column_->addWidget(page);
    column_->addWidget(buildEvidence(content_));
    column_->addStretch();
    scroll->setWidget(content_);
    stack_->addWidget(scroll);
    clear();
}

QLabel* KnowledgeEntryView::addValue(Field field, QWidget* parent)
{
    QLabel* label = makeValueLabel(parent, QStringLiteral("field%1").arg(int(field)));
    labels_.append({field, label});
    return label;
}

void KnowledgeEntryView::addMeta(QGridLayout* grid, int row, int column, const QString& caption,
                                 Field field)
{
    QWidget* parent = grid->parentWidget();
    grid->addWidget(makeCaption(caption, parent), row, column, Qt::AlignTop);
    grid->addWidget(addValue(field, parent), row, column + 1, Qt::AlignTop);
}

QWidget* KnowledgeEntryView::buildHeader(QWidget* parent)
{
    auto* header = new QWidget(parent);
    auto* box = new QVBoxLayout(header);
    box->setContentsMargins(0, 0, 0, 0);
    box->setSpacing(6);

    QLabel* title = addValue(Field::Title, header);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    title->setFont(big);
    box->addWidget(title);

    auto* badges = new QHBoxLayout;
    badges->setSpacing(6);
    QLabel* kind = makeBadge(header, QStringLiteral("kindBadge"));
    QLabel* status = makeBadge(header, QStringLiteral("statusBadge"));
    labels_.append({Field::Kind, kind});
    labels_.append({Field::Status, status});
    QLabel* revision = addValue(Field::Revision, header);
    revision->setWordWrap(false);
    setThemedStyleSheet(revision, QStringLiteral("QLabel { color: #5f6368; }"));
    badges->addWidget(kind);
    badges->addWidget(status);
    badges->addWidget(revision);
    badges->addStretch();
    box->addLayout(badges);

    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(3);
    box->addLayout(grid);
    addMeta(grid, 0, 0, tr("Graph"), Field::Graph);
    addMeta(grid, 0, 2, tr("Tenant"), Field::Tenant);
    addMeta(grid, 1, 0, tr("Found by"), Field::FoundBy);
    confidenceCaption_ = makeCaption(tr("Confidence"), header);
    grid->addWidget(confidenceCaption_, 1, 2, Qt::AlignTop);
    auto* confidence = new QHBoxLayout;
    confidence->setSpacing(6);
    QLabel* percent = addValue(Field::Confidence, header);
    percent->setWordWrap(false);
    confidenceBar_ = new QProgressBar(header);
    confidenceBar_->setObjectName(QStringLiteral("confidenceBar"));
    confidenceBar_->setRange(0, 100);
    confidenceBar_->setTextVisible(false);
    confidenceBar_->setFixedSize(90, 8);
    confidence->addWidget(percent);
    confidence->addWidget(confidenceBar_);
    confidence->addStretch();
    grid->addLayout(confidence, 1, 3);
    addMeta(grid, 2, 0, tr("Created"), Field::Created);
    addMeta(grid, 2, 2, tr("Updated"), Field::Updated);
    addMeta(grid, 3, 0, tr("Entry"), Field::EntryId);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);

    box->addWidget(addValue(Field::Summary, header));
    return header;
}

QWidget* KnowledgeEntryView::buildEvidence(QWidget* parent)
{
    auto* evidence = new QWidget(parent);
    evidence->setObjectName(QStringLiteral("evidence"));
    auto* grid = new QGridLayout(evidence);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(4);
    addMeta(grid, 0, 0, tr("Source instances"), Field::SourceInstances);
    grid->addWidget(makeCaption(tr("Example traces"), evidence), 1, 0, Qt::AlignTop);
    traceBox_ = new QWidget(evidence);
    traceLayout_ = new QVBoxLayout(traceBox_);
    traceLayout_->setContentsMargins(0, 0, 0, 0);
    traceLayout_->setSpacing(0);
    noTraces_ = new QLabel(tr("None recorded"), traceBox_);
    noTraces_->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(noTraces_, QStringLiteral("QLabel { color: #80868b; }"));
    traceLayout_->addWidget(noTraces_);
    grid->addWidget(traceBox_, 1, 1, Qt::AlignTop | Qt::AlignLeft);
    grid->setColumnStretch(1, 1);
    return evidence;
}

void KnowledgeEntryView::setEntry(const pb::KnowledgeEntry& entry, qint64 nowUs)
{
    entryId_ = QString::fromStdString(entry.entry_id());
    kind_ = entry.kind();
    showHeader(entry, nowUs);
    switch (entry.detail_case()) {
    case pb::KnowledgeEntry::kPromptOptimization:
        showPrompt(entry.prompt_optimization());
        showPage(promptPage_);
        break;
    case pb::KnowledgeEntry::kPitfall:
        showPitfall(entry.pitfall());
        showPage(pitfallPage_);
        break;
    case pb::KnowledgeEntry::kSuccessPattern:
        showSuccess(entry);
        showPage(successPage_);
        break;
    case pb::KnowledgeEntry::kCodePattern:
        showCode(entry.code_pattern());
        showPage(codePage_);
        break;
    default:
        showPage(nullptr);
        break;
    }
    showEvidence(entry);
    stack_->setCurrentIndex(1);
}

void KnowledgeEntryView::clear()
{
    entryId_.clear();
    kind_ = pb::KNOWLEDGE_KIND_UNSPECIFIED;
    diff_->clear();
    code_->clear();
    stack_->setCurrentIndex(0);
}

void KnowledgeEntryView::showPage(QWidget* page)
{
    for (QWidget* p : {promptPage_, pitfallPage_, successPage_, codePage_})
        p->setVisible(p == page);
    // Panes (prompts, code) take the height; short pages keep the evidence
    // right under them.
    const bool fills = page == promptPage_ || page == codePage_;
    if (page)
        column_->setStretchFactor(page, fills ? 1 : 0);
    column_->setStretch(column_->count() - 1, fills ? 0 : 1);
}

bool KnowledgeEntryView::isEmptyState() const
{
    return stack_->currentIndex() == 0;
}

void KnowledgeEntryView::setText(Field field, const QString& text)
{
    for (const auto& [f, label] : labels_)
        if (f == field)
            label->setText(text);
}

void KnowledgeEntryView::showHeader(const pb::KnowledgeEntry& entry, qint64 nowUs)
{
    setText(Field::Title,
            entry.title().empty() ? tr("(untitled)") : QString::fromStdString(entry.title()));
    setBadge(qobject_cast<QLabel*>(fieldWidget(Field::Kind)), fmt::kindName(entry.kind()),
             kindColors());
    setBadge(qobject_cast<QLabel*>(fieldWidget(Field::Status)), fmt::statusName(entry.status()),
             statusColors(fmt::statusKey(entry.status())));
    setText(Field::Revision, tr("revision %1").arg(entry.revision()));
    QString graph = orDash(entry.graph_name());
    if (!entry.node_id().empty())
        graph += QStringLiteral(" / ") + QString::fromStdString(entry.node_id());
    setText(Field::Graph, graph);
    setText(Field::Tenant, orDash(entry.tenant_id()));
    setText(Field::FoundBy, orDash(entry.found_by()));
    const int percent = qRound(std::clamp(entry.confidence(), 0.0, 1.0) * 100.0);
    // proto3: 0 is "not set" — the producer did not state a confidence.
    const bool stated = entry.confidence() > 0.0;
    setText(Field::Confidence, stated ? QStringLiteral("%1 %").arg(percent) : tr("not stated"));
    confidenceBar_->setValue(percent);
    confidenceBar_->setVisible(stated);
    setText(Field::Created, when(entry.created_us(), nowUs));
    setText(Field::Updated, when(entry.updated_us(), nowUs));
    setText(Field::EntryId, orDash(entry.entry_id()));
    // The kind's own description is shown below; do not say it twice.
    const QString summary = QString::fromStdString(entry.summary());
    setText(Field::Summary, summary);
    fieldWidget(Field::Summary)->setVisible(!summary.isEmpty() && summary != describedBy(entry));
}

void KnowledgeEntryView::showEvidence(const pb::KnowledgeEntry& entry)
{
    QStringList instances;
    for (const std::string& id : entry.source_instances())
        instances << QString::fromStdString(id);
    setText(Field::SourceInstances,
            instances.isEmpty() ? QStringLiteral("\u2014") : instances.join(QStringLiteral(", ")));
    qDeleteAll(traceButtons_);
    traceButtons_.clear();
    for (const std::string& id : entry.example_trace_ids()) {
        const QString threadId = QString::fromStdString(id);
        auto* button =
            new QPushButton(QStringLiteral("\u2197 ") + literalButtonText(threadId), traceBox_);
        button->setObjectName(QStringLiteral("traceLink"));
        button->setProperty("threadId", threadId);
        button->setFlat(true);
        button->setCursor(Qt::PointingHandCursor);
        button->setToolTip(tr("Open this run in the trace inspector"));
        setThemedStyleSheet(button,
                            QStringLiteral("QPushButton { color: palette(link); text-align: "
                                           "left; border: none; padding: 1px 2px; }"
                                           "QPushButton:hover { text-decoration: underline; }"));
        connect(button, &QPushButton::clicked, this,
                [this, threadId] { emit traceRequested(threadId); });
        traceLayout_->addWidget(button);
        traceButtons_.append(button);
    }
    noTraces_->setVisible(traceButtons_.isEmpty());
}

QWidget* KnowledgeEntryView::fieldWidget(Field field) const
{
    QWidget* first = nullptr;
    for (const auto& [f, label] : labels_) {
        if (f != field)
            continue;
        if (label->isVisibleTo(this))
            return label;
        if (!first)
            first = label;
    }
    if (field == Field::Code)
        return code_;
    return first;
}

QString KnowledgeEntryView::fieldText(Field field) const
{
    if (field == Field::Code)
        return code_->toPlainText();
    if (auto* label = qobject_cast<QLabel*>(fieldWidget(field)))
        return label->text();
    return {};
}

bool KnowledgeEntryView::isFieldShown(Field field) const
{
    QWidget* w = fieldWidget(field);
    return !isEmptyState() && w && w->isVisibleTo(this);
}

QTextDocument* KnowledgeEntryView::originalDocument() const
{
    return diff_->originalPane()->document();
}

QTextDocument* KnowledgeEntryView::optimizedDocument() const
{
    return diff_->optimizedPane()->document();
}

QString KnowledgeEntryView::originalHtml() const
{
    return diff_->originalPane()->toHtml();
}

QString KnowledgeEntryView::optimizedHtml() const
{
    return diff_->optimizedPane()->toHtml();
}

QString KnowledgeEntryView::originalPlainText() const
{
    return diff_->originalPane()->toPlainText();
}

QString KnowledgeEntryView::optimizedPlainText() const
{
    return diff_->optimizedPane()->toPlainText();
}

} // namespace nexus::widgets
