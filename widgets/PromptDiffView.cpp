#include "widgets/PromptDiffView.h"

#include "widgets/KnowledgeBadges.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollBar>
#include <QTextCursor>
#include <QTextEdit>

namespace nexus::widgets {
namespace {

using nexus::models::DiffSegment;

QTextEdit* makePane(QWidget* parent, const QString& objectName)
{
    auto* pane = new QTextEdit(parent);
    pane->setObjectName(objectName);
    pane->setReadOnly(true);
    pane->setAcceptRichText(false);
    pane->setLineWrapMode(QTextEdit::WidgetWidth);
    pane->setMinimumHeight(120);
    pane->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return pane;
}

QTextCharFormat deletedFormat()
{
    QTextCharFormat f;
    f.setBackground(PromptDiffView::deletedBackground());
    f.setForeground(QColor(0x8a, 0x1c, 0x1c));
    f.setFontStrikeOut(true);
    return f;
}

QTextCharFormat insertedFormat()
{
    QTextCharFormat f;
    f.setBackground(PromptDiffView::insertedBackground());
    f.setForeground(QColor(0x14, 0x53, 0x2d));
    return f;
}

} // namespace

PromptDiffView::PromptDiffView(QWidget* parent) : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(2);
    grid->addWidget(knowledgeui::makeCaption(tr("Original prompt"), this), 0, 0);
    grid->addWidget(knowledgeui::makeCaption(tr("Optimized prompt"), this), 0, 1);
    original_ = makePane(this, QStringLiteral("originalPrompt"));
    original_->setAccessibleName(tr("Original prompt"));
    optimized_ = makePane(this, QStringLiteral("optimizedPrompt"));
    optimized_->setAccessibleName(tr("Optimized prompt"));
    grid->addWidget(original_, 1, 0);
    grid->addWidget(optimized_, 1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(1, 1);

    QScrollBar* left = original_->verticalScrollBar();
    QScrollBar* right = optimized_->verticalScrollBar();
    connect(left, &QScrollBar::valueChanged, this, [this, left, right] { follow(left, right); });
    connect(right, &QScrollBar::valueChanged, this, [this, left, right] { follow(right, left); });
}

QColor PromptDiffView::deletedBackground()
{
    return {0xfb, 0xd5, 0xd5};
}

QColor PromptDiffView::insertedBackground()
{
    return {0xcd, 0xf0, 0xd2};
}

void PromptDiffView::setTexts(const QString& original, const QString& optimized)
{
    if (shown_ && original == originalText_ && optimized == optimizedText_)
        return;
    shown_ = true;
    originalText_ = original;
    optimizedText_ = optimized;
    const std::vector<DiffSegment> segments =
        nexus::models::wordDiff(original, optimized, nexus::models::DiffCleanup::Readable);
    counts_ = nexus::models::wordDiffCounts(segments);
    original_->clear();
    optimized_->clear();
    QTextCursor left(original_->document());
    QTextCursor right(optimized_->document());
    const QTextCharFormat plain;
    const QTextCharFormat deleted = deletedFormat();
    const QTextCharFormat inserted = insertedFormat();
    for (const DiffSegment& s : segments) {
        switch (s.op) {
        case DiffSegment::Equal:
            left.insertText(s.text, plain);
            right.insertText(s.afterText.isEmpty() ? s.text : s.afterText, plain);
            break;
        case DiffSegment::Deleted:
            left.insertText(s.text, deleted);
            break;
        case DiffSegment::Inserted:
            right.insertText(s.text, inserted);
            break;
        }
    }
    original_->moveCursor(QTextCursor::Start);
    optimized_->moveCursor(QTextCursor::Start);
}

void PromptDiffView::clear()
{
    shown_ = false;
    originalText_.clear();
    optimizedText_.clear();
    counts_ = {};
    original_->clear();
    optimized_->clear();
}

void PromptDiffView::follow(QScrollBar* from, QScrollBar* to)
{
    if (following_)
        return;
    following_ = true;
    const double share = from->maximum() > 0 ? double(from->value()) / from->maximum() : 0.0;
    to->setValue(int(share * to->maximum() + 0.5));
    following_ = false;
}

} // namespace nexus::widgets
