// KnowledgeEntryView: the page of each kind (prompt optimization, pitfall,
// success pattern, code pattern).
#include "models/KnowledgeFormat.h"
#include "widgets/KnowledgeBadges.h"
#include "widgets/KnowledgeEntryView.h"
#include "widgets/PromptDiffView.h"
#include "widgets/ThemeStyle.h"

#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace nexus::widgets {

namespace pb = nexus::v1;
namespace fmt = nexus::models::knowledgefmt;
using namespace knowledgeui;

namespace {

QGridLayout* pageGrid(QWidget* page)
{
    auto* grid = new QGridLayout(page);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(8);
    grid->setColumnStretch(1, 1);
    return grid;
}

QString capitalized(const QString& text)
{
    return text.isEmpty() ? text : text.left(1).toUpper() + text.mid(1);
}

} // namespace

QWidget* KnowledgeEntryView::buildPromptPage()
{
    auto* page = new QWidget(content_);
    auto* box = new QVBoxLayout(page);
    box->setContentsMargins(0, 0, 0, 0);
    box->setSpacing(6);

    auto* row = new QHBoxLayout;
    row->setSpacing(8);
    QLabel* improvement = addValue(Field::Improvement, page);
    improvement->setWordWrap(false);
    QFont big = improvement->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    improvement->setFont(big);
    QLabel* measurement = addValue(Field::Measurement, page);
    measurement->setWordWrap(false);
    row->addWidget(improvement, 0, Qt::AlignBaseline);
    row->addWidget(measurement, 0, Qt::AlignBaseline);
    row->addStretch();
    row->addWidget(makeCaption(tr("Optimizer"), page), 0, Qt::AlignBaseline);
    QLabel* optimizer = makeBadge(page, QStringLiteral("optimizerBadge"));
    labels_.append({Field::Optimizer, optimizer});
    row->addWidget(optimizer, 0, Qt::AlignBaseline);
    box->addLayout(row);

    QLabel* counts = addValue(Field::DiffCounts, page);
    setThemedStyleSheet(counts, QStringLiteral("QLabel { color: #5f6368; }"));
    box->addWidget(counts);
    diff_ = new PromptDiffView(page);
    box->addWidget(diff_, 1);
    return page;
}

void KnowledgeEntryView::showPrompt(const pb::PromptOptimization& prompt)
{
    const double change = prompt.measured_improvement();
    setText(Field::Improvement, fmt::improvement(change));
    QLabel* improvement = qobject_cast<QLabel*>(fieldWidget(Field::Improvement));
    QPalette palette = improvement->palette();
    palette.setColor(QPalette::WindowText, change > 0   ? QColor(0x1b, 0x7f, 0x3b)
                                           : change < 0 ? QColor(0xc6, 0x28, 0x28)
                                                        : QColor(0x5f, 0x63, 0x68));
    improvement->setPalette(palette);
    QString measurement = prompt.metric().empty()
                              ? tr("on the metric")
                              : tr("on %1").arg(QString::fromStdString(prompt.metric()));
    measurement +=
        QStringLiteral(" \u00B7 ") +
        (prompt.samples() == 1 ? tr("1 sample") : tr("%1 samples").arg(prompt.samples()));
    setText(Field::Measurement, measurement);
    setBadge(qobject_cast<QLabel*>(fieldWidget(Field::Optimizer)),
             prompt.optimizer().empty() ? tr("unknown")
                                        : QString::fromStdString(prompt.optimizer()),
             kindColors());

    diff_->setTexts(QString::fromStdString(prompt.original_prompt()),
                    QString::fromStdString(prompt.optimized_prompt()));
    const auto counts = diff_->counts();
    setText(Field::DiffCounts,
            tr("+%1 words / \u2212%2 words").arg(counts.inserted).arg(counts.deleted));
}

QWidget* KnowledgeEntryView::buildPitfallPage()
{
    auto* page = new QWidget(content_);
    QGridLayout* grid = pageGrid(page);
    grid->addWidget(makeCaption(tr("Severity"), page), 0, 0);
    QLabel* severity = makeBadge(page, QStringLiteral("severityBadge"));
    labels_.append({Field::Severity, severity});
    grid->addWidget(severity, 0, 1, Qt::AlignLeft);
    grid->addWidget(makeCaption(tr("Description"), page), 1, 0, Qt::AlignTop);
    grid->addWidget(addValue(Field::Description, page), 1, 1);
    grid->addWidget(makeCaption(tr("Mitigation"), page), 2, 0, Qt::AlignTop);
    grid->addWidget(addValue(Field::Mitigation, page), 2, 1);
    grid->setRowStretch(3, 1);
    return page;
}

void KnowledgeEntryView::showPitfall(const pb::Pitfall& pitfall)
{
    const QString severity = QString::fromStdString(pitfall.severity());
    setBadge(qobject_cast<QLabel*>(fieldWidget(Field::Severity)),
             severity.isEmpty() ? tr("Unknown") : capitalized(severity), severityColors(severity));
    setText(Field::Description, QString::fromStdString(pitfall.description()));
    setText(Field::Mitigation, pitfall.mitigation().empty()
                                   ? tr("None given")
                                   : QString::fromStdString(pitfall.mitigation()));
}

QWidget* KnowledgeEntryView::buildSuccessPage()
{
    auto* page = new QWidget(content_);
    QGridLayout* grid = pageGrid(page);
    grid->addWidget(makeCaption(tr("Occurrences"), page), 0, 0);
    grid->addWidget(addValue(Field::Occurrences, page), 0, 1);
    grid->addWidget(makeCaption(tr("Pattern"), page), 1, 0, Qt::AlignTop);
    grid->addWidget(addValue(Field::Description, page), 1, 1);
    grid->setRowStretch(2, 1);
    return page;
}

void KnowledgeEntryView::showSuccess(const pb::KnowledgeEntry& entry)
{
    const auto n = entry.success_pattern().occurrences();
    setText(Field::Occurrences, n == 1 ? tr("1 run") : tr("%1 runs").arg(n));
    setText(Field::Description, QString::fromStdString(entry.success_pattern().description()));
}

QWidget* KnowledgeEntryView::buildCodePage()
{
    auto* page = new QWidget(content_);
    QGridLayout* grid = pageGrid(page);
    grid->addWidget(makeCaption(tr("Language"), page), 0, 0);
    QLabel* language = makeBadge(page, QStringLiteral("languageBadge"));
    labels_.append({Field::Language, language});
    grid->addWidget(language, 0, 1, Qt::AlignLeft);
    grid->addWidget(makeCaption(tr("Use case"), page), 1, 0, Qt::AlignTop);
    grid->addWidget(addValue(Field::UseCase, page), 1, 1);
    code_ = new QPlainTextEdit(page);
    code_->setObjectName(QStringLiteral("codeView"));
    code_->setAccessibleName(tr("Code"));
    code_->setReadOnly(true);
    code_->setLineWrapMode(QPlainTextEdit::NoWrap);
    code_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    code_->setTabStopDistance(4 * QFontMetricsF(code_->font()).horizontalAdvance(QLatin1Char(' ')));
    code_->setMinimumHeight(120);
    QPalette codePalette = code_->palette();
    codePalette.setColor(QPalette::Base, QColor(0xf6, 0xf8, 0xfa));
    code_->setPalette(codePalette);
    grid->addWidget(code_, 2, 0, 1, 2);
    grid->setRowStretch(2, 1);
    return page;
}

void KnowledgeEntryView::showCode(const pb::CodePattern& code)
{
    setBadge(qobject_cast<QLabel*>(fieldWidget(Field::Language)),
             code.language().empty() ? tr("unknown") : QString::fromStdString(code.language()),
             kindColors());
    setText(Field::UseCase, code.use_case().empty() ? QStringLiteral("\u2014")
                                                    : QString::fromStdString(code.use_case()));
    const QString text = QString::fromStdString(code.code());
    if (text != code_->toPlainText()) // a live update keeps the scroll position
        code_->setPlainText(text);
}

} // namespace nexus::widgets
