#pragma once
// One knowledge entry as a reviewer reads it. The header: title, kind and
// status badges, revision, graph / node, tenant, who found it, created and
// updated (age + time), summary. Then by kind: a prompt optimization's
// original and optimized prompt side by side with a word diff and the
// measured improvement; a pitfall's severity, description and mitigation; a
// success pattern's confidence and occurrences; a code pattern's language,
// code (monospace) and use case. Below: the source instances and example
// traces — one click on a trace emits traceRequested. Every string from
// Nexus is shown literally (PlainText labels, text inserted by cursor).

#include "nexus/v1/knowledge.pb.h"

#include <QList>
#include <QWidget>

class QAbstractButton;
class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QStackedWidget;
class QTextDocument;
class QVBoxLayout;

namespace nexus::widgets {

class PromptDiffView;

class KnowledgeEntryView : public QWidget
{
    Q_OBJECT
public:
    // The texts a reviewer reads, for tests and the console's status line.
    enum class Field
    {
        Title,
        Kind,
        Status,
        Revision,
        EntryId,
        Graph,
        Tenant,
        FoundBy,
        Confidence,
        Created,
        Updated,
        Summary,
        Improvement, // "+7.0 %"
        Measurement, // "on quality_score · 412 samples"
        Optimizer,   // "MIPROv2"
        DiffCounts,  // "+12 words / −3 words"
        Severity,    // "High"
        Description, // pitfall or success pattern
        Mitigation,  // pitfall
        Occurrences, // success pattern
        SourceInstances,
        Language, // code pattern
        UseCase,  // code pattern
        Code,     // code pattern
    };

    explicit KnowledgeEntryView(QWidget* parent = nullptr);

    void setEntry(const nexus::v1::KnowledgeEntry& entry, qint64 nowUs);
    void clear(); // the empty state: "Select an entry to review it"

    bool isEmptyState() const;
    QString entryId() const { return entryId_; }
    nexus::v1::KnowledgeKind kind() const { return kind_; }
    QString fieldText(Field field) const;
    bool isFieldShown(Field field) const; // shown for the current entry's kind
    QWidget* fieldWidget(Field field) const;

    // Prompt optimization panes.
    PromptDiffView* promptDiff() const { return diff_; }
    QTextDocument* originalDocument() const;
    QTextDocument* optimizedDocument() const;
    QString originalHtml() const;
    QString optimizedHtml() const;
    QString originalPlainText() const;
    QString optimizedPlainText() const;

    // One button per example trace, in the entry's order.
    QList<QAbstractButton*> traceButtons() const { return traceButtons_; }
    // Code pattern editor.
    QPlainTextEdit* codeEditor() const { return code_; }

signals:
    void traceRequested(const QString& threadId);

private:
    QWidget* buildHeader(QWidget* parent);
    QWidget* buildPromptPage();
    QWidget* buildPitfallPage();
    QWidget* buildSuccessPage();
    QWidget* buildCodePage();
    QWidget* buildEvidence(QWidget* parent);
    QLabel* addValue(Field field, QWidget* parent);
    void addMeta(QGridLayout* grid, int row, int column, const QString& caption, Field field);

    void showHeader(const nexus::v1::KnowledgeEntry& entry, qint64 nowUs);
    void showPrompt(const nexus::v1::PromptOptimization& prompt);
    void showPitfall(const nexus::v1::Pitfall& pitfall);
    void showSuccess(const nexus::v1::KnowledgeEntry& entry);
    void showCode(const nexus::v1::CodePattern& code);
    void showEvidence(const nexus::v1::KnowledgeEntry& entry);
    void showPage(QWidget* page); // nullptr: none (an unknown kind)
    void setText(Field field, const QString& text);

    QStackedWidget* stack_ = nullptr; // empty state | entry
    QWidget* content_ = nullptr;      // the entry, in a scroll area
    QVBoxLayout* column_ = nullptr;
    QWidget* promptPage_ = nullptr; // one page per kind; the others hidden
    QWidget* pitfallPage_ = nullptr;
    QWidget* successPage_ = nullptr;
    QWidget* codePage_ = nullptr;
    QList<QPair<Field, QLabel*>> labels_;
    QLabel* confidenceCaption_ = nullptr;
    QProgressBar* confidenceBar_ = nullptr;
    PromptDiffView* diff_ = nullptr;
    QPlainTextEdit* code_ = nullptr;
    QWidget* traceBox_ = nullptr;
    QVBoxLayout* traceLayout_ = nullptr;
    QLabel* noTraces_ = nullptr;
    QList<QAbstractButton*> traceButtons_;
    QString entryId_;
    nexus::v1::KnowledgeKind kind_ = nexus::v1::KNOWLEDGE_KIND_UNSPECIFIED;
};

} // namespace nexus::widgets
