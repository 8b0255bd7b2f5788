#pragma once
// Two prompts side by side with a word-level diff (models::wordDiff): the
// original on the left with deletions struck through on red, the optimized
// one on the right with insertions on green. Both panes are read-only and
// scroll together (by proportion, since the texts differ in length). The
// texts go in through QTextCursor, never as HTML, so they show literally.

#include "models/WordDiff.h"

#include <QWidget>

class QLabel;
class QScrollBar;
class QTextDocument;
class QTextEdit;

namespace nexus::widgets {

class PromptDiffView : public QWidget
{
    Q_OBJECT
public:
    explicit PromptDiffView(QWidget* parent = nullptr);

    // The same texts again (a live update of the entry) keep the panes and
    // where they are scrolled to.
    void setTexts(const QString& original, const QString& optimized);
    void clear();

    nexus::models::WordDiffCounts counts() const { return counts_; }
    QTextEdit* originalPane() const { return original_; }
    QTextEdit* optimizedPane() const { return optimized_; }

    // The colours a reader sees: background of deleted / inserted words.
    static QColor deletedBackground();
    static QColor insertedBackground();

private:
    void follow(QScrollBar* from, QScrollBar* to);

    QTextEdit* original_ = nullptr;
    QTextEdit* optimized_ = nullptr;
    QString originalText_;
    QString optimizedText_;
    bool shown_ = false;
    nexus::models::WordDiffCounts counts_;
    bool following_ = false;
};

} // namespace nexus::widgets
