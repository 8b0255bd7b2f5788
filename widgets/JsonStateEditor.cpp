#include "widgets/JsonStateEditor.h"

#include "models/TraceComparison.h"

#include <QAction>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace nexus::widgets {

using json = nlohmann::json;

namespace {

// Texts above this are checked after a pause in typing instead of at once.
constexpr int kImmediateChars = 256 * 1024;
// Changed paths named in the summary; the rest are counted.
constexpr std::size_t kSummaryPaths = 6;
constexpr std::size_t kMaxChanges = 10000;

const char* typeName(const json& value)
{
    return value.type_name(); // "array", "string", "number", ...
}

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

} // namespace

JsonStateEditor::JsonStateEditor(QWidget* parent)
    : QWidget(parent), edit_(new QPlainTextEdit(this)), status_(new QLabel(this)),
      summary_(new QLabel(this)), formatButton_(new QToolButton(this)),
      resetButton_(new QToolButton(this)), formatAction_(new QAction(tr("Format"), this)),
      resetAction_(new QAction(tr("Reset"), this)), timer_(new QTimer(this))
{
    setObjectName(QStringLiteral("jsonStateEditor"));
    edit_->setObjectName(QStringLiteral("jsonText"));
    edit_->setAccessibleName(tr("JSON text"));
    edit_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit_->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit_->setTabChangesFocus(false);
    edit_->setTabStopDistance(edit_->fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 2);

    for (QLabel* label : {status_, summary_}) {
        label->setTextFormat(Qt::PlainText);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    status_->setObjectName(QStringLiteral("jsonStatus"));
    summary_->setObjectName(QStringLiteral("jsonChanges"));

    formatAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    formatAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    formatAction_->setToolTip(tr("Pretty-print the JSON (Ctrl+Shift+F)"));
    resetAction_->setToolTip(tr("Discard the edits and put the original back"));
    addAction(formatAction_);
    formatButton_->setDefaultAction(formatAction_);
    resetButton_->setDefaultAction(resetAction_);
    formatButton_->setObjectName(QStringLiteral("jsonFormat"));
    resetButton_->setObjectName(QStringLiteral("jsonReset"));
    connect(formatAction_, &QAction::triggered, this, &JsonStateEditor::format);
    connect(resetAction_, &QAction::triggered, this, &JsonStateEditor::reset);

    timer_->setSingleShot(true);
    timer_->setInterval(200);
    connect(timer_, &QTimer::timeout, this, &JsonStateEditor::validate);
    connect(edit_, &QPlainTextEdit::textChanged, this, [this] {
        if (edit_->document()->characterCount() > kImmediateChars)
            timer_->start();
        else
            validate();
    });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    // Word-wrapped labels get their full height only as rows of their own.
    auto* row = new QHBoxLayout;
    row->addWidget(formatButton_);
    row->addWidget(resetButton_);
    row->addStretch(1);
    layout->addLayout(row);
    layout->addWidget(edit_, 1);
    layout->addWidget(status_);
    layout->addWidget(summary_);
    setOriginal(json::object());
}

JsonStateEditor::~JsonStateEditor() = default;

void JsonStateEditor::setOriginal(const json& original)
{
    original_ = original;
    reset();
}

void JsonStateEditor::setRequireObject(bool require)
{
    requireObject_ = require;
    validate();
}

QString JsonStateEditor::text() const
{
    return edit_->toPlainText();
}

void JsonStateEditor::setText(const QString& text)
{
    edit_->setPlainText(text);
    validate(); // also when the text was large
}

void JsonStateEditor::reset()
{
    setText(QString::fromStdString(original_.dump(2, ' ', false, json::error_handler_t::replace)));
}

void JsonStateEditor::format()
{
    validate();
    if (!value_)
        return;
    // Through the cursor, so that Ctrl+Z undoes the formatting.
    QTextCursor cursor(edit_->document());
    cursor.select(QTextCursor::Document);
    cursor.insertText(
        QString::fromStdString(value_->dump(2, ' ', false, json::error_handler_t::replace)));
    validate();
}

void JsonStateEditor::validate()
{
    timer_->stop();
    const bool wasValid = value_.has_value();
    value_.reset();
    changes_.clear();
    error_.clear();
    errorLine_ = errorColumn_ = 0;
    const std::string text = edit_->toPlainText().toStdString();
    try {
        json parsed = json::parse(text);
        if (requireObject_ && !parsed.is_object())
            error_ = tr("A state must be a JSON object ({ ... }), not %1")
                         .arg(QString::fromLatin1(typeName(parsed)));
        else
            value_ = std::move(parsed);
    } catch (const json::parse_error& e) {
        // nlohmann says "[json.exception.parse_error.101] parse error at line 3,
        // column 14: syntax error while parsing ..."; keep the part after the position.
        static const QRegularExpression position(
            QStringLiteral("at line (\\d+), column (\\d+): (.*)$"),
            QRegularExpression::DotMatchesEverythingOption);
        const QString what = QString::fromUtf8(e.what());
        const auto match = position.match(what);
        if (match.hasMatch()) {
            errorLine_ = match.captured(1).toInt();
            errorColumn_ = std::max(1, match.captured(2).toInt());
            error_ = tr("Line %1, column %2: %3")
                         .arg(errorLine_)
                         .arg(errorColumn_)
                         .arg(match.captured(3).trimmed());
        } else {
            error_ = what;
        }
    } catch (const json::exception& e) {
        error_ = QString::fromUtf8(e.what());
    }
    if (value_) {
        try {
            changes_ = models::diffJson(original_, *value_, kMaxChanges);
        } catch (const json::exception&) {
            changes_.clear(); // diff of two valid documents: cannot happen
        }
    }
    markErrorLine();
    showStatus();
    if (wasValid != value_.has_value())
        emit validityChanged(value_.has_value());
    emit validated();
}

void JsonStateEditor::markErrorLine()
{
    QList<QTextEdit::ExtraSelection> selections;
    if (errorLine_ > 0) {
        QTextBlock block = edit_->document()->findBlockByNumber(errorLine_ - 1);
        if (!block.isValid())
            block = edit_->document()->lastBlock();
        QTextEdit::ExtraSelection line;
        line.format.setBackground(isDark(palette()) ? QColor(0x5b1f1f) : QColor(0xfde2e2));
        line.format.setProperty(QTextFormat::FullWidthSelection, true);
        line.cursor = QTextCursor(block);
        selections << line;
        // The character where parsing stopped.
        QTextEdit::ExtraSelection at;
        at.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        at.format.setUnderlineColor(QColor(0xdc2626));
        at.cursor = QTextCursor(block);
        const int column = std::min(errorColumn_ - 1, std::max(0, block.length() - 2));
        at.cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, std::max(0, column));
        at.cursor.movePosition(QTextCursor::Right, QTextCursor::KeepAnchor);
        selections << at;
    }
    edit_->setExtraSelections(selections);
}

QString JsonStateEditor::statusText() const
{
    if (!value_)
        return error_;
    return requireObject_ ? tr("\u2714 Valid JSON object") : tr("\u2714 Valid JSON");
}

QString JsonStateEditor::changeSummary() const
{
    if (!value_)
        return tr("Fix the JSON to see what it changes.");
    if (changes_.empty())
        return tr("No changes against the original.");
    int added = 0, removed = 0, changed = 0;
    for (const models::PathChange& c : changes_)
        (c.kind == models::ChangeKind::Added     ? added
         : c.kind == models::ChangeKind::Removed ? removed
                                                 : changed)++;
    QStringList counts;
    if (changed)
        counts << tr("%1 changed").arg(changed);
    if (added)
        counts << tr("%1 added").arg(added);
    if (removed)
        counts << tr("%1 removed").arg(removed);
    QStringList paths;
    for (std::size_t i = 0; i < changes_.size() && i < kSummaryPaths; ++i) {
        const models::PathChange& c = changes_[i];
        const QChar sign = c.kind == models::ChangeKind::Added     ? QLatin1Char('+')
                           : c.kind == models::ChangeKind::Removed ? QLatin1Char('-')
                                                                   : QLatin1Char('~');
        paths << sign + QString::fromStdString(c.path.empty() ? std::string("/") : c.path);
    }
    if (changes_.size() > kSummaryPaths)
        paths << tr("and %1 more").arg(changes_.size() - kSummaryPaths);
    return tr("Changes: %1 \u2014 %2")
        .arg(counts.join(QStringLiteral(", ")), paths.join(QStringLiteral(", ")));
}

void JsonStateEditor::showStatus()
{
    status_->setText(statusText());
    QPalette pal = status_->palette();
    const bool dark = isDark(palette());
    pal.setColor(QPalette::WindowText, value_ ? (dark ? QColor(0x4ade80) : QColor(0x15803d))
                                              : (dark ? QColor(0xf87171) : QColor(0xb91c1c)));
    status_->setPalette(pal);
    summary_->setText(changeSummary());
    formatAction_->setEnabled(value_.has_value());
}

} // namespace nexus::widgets
