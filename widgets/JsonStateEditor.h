#pragma once
// A JSON text editor for a state (or a node's output) that checks the text
// as it is typed: under the text it says "Valid JSON object" or where the
// text stops being JSON ("Line 3, column 14: ..."), with that line marked;
// a state must be an object. Format pretty-prints the text, Reset puts the
// original back, and a summary says what the edit changes against the
// original (json::diff: paths added, removed, changed).

#include "models/RunStore.h"

#include <QWidget>

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

class QAction;
class QLabel;
class QPlainTextEdit;
class QTimer;
class QToolButton;

namespace nexus::widgets {

class JsonStateEditor : public QWidget
{
    Q_OBJECT
public:
    explicit JsonStateEditor(QWidget* parent = nullptr);
    ~JsonStateEditor() override;

    // Replaces the text with `original` pretty-printed; changes are counted against it.
    void setOriginal(const nlohmann::json& original);
    const nlohmann::json& original() const { return original_; }
    // Only a JSON object is valid (the default; a state always is one).
    void setRequireObject(bool require);
    bool requiresObject() const { return requireObject_; }

    QString text() const;
    void setText(const QString& text); // validates at once

    bool isValid() const { return value_.has_value(); }
    // The parsed text when it is valid.
    const std::optional<nlohmann::json>& value() const { return value_; }
    // Why the text is not valid ("" when it is); line and column 1-based, 0 when none.
    QString errorText() const { return error_; }
    int errorLine() const { return errorLine_; }
    int errorColumn() const { return errorColumn_; }
    // What the text changes against the original (empty while invalid).
    const std::vector<models::PathChange>& changes() const { return changes_; }
    // "Valid JSON object" / "Line 3, column 14: ..." and "2 changed, 1 added: /a, /b, /c".
    QString statusText() const;
    QString changeSummary() const;

    QPlainTextEdit* textEdit() const { return edit_; }
    QAction* formatAction() const { return formatAction_; } // Ctrl+Shift+F
    QAction* resetAction() const { return resetAction_; }

public slots:
    void format(); // pretty-print (only when valid)
    void reset();  // back to the original
    void validate();

signals:
    void validityChanged(bool valid);
    // The text was validated: after every edit, format or reset.
    void validated();

private:
    void markErrorLine();
    void showStatus();

    QPlainTextEdit* edit_;
    QLabel* status_;
    QLabel* summary_;
    QToolButton* formatButton_;
    QToolButton* resetButton_;
    QAction* formatAction_;
    QAction* resetAction_;
    QTimer* timer_; // large texts are checked after a pause in typing
    nlohmann::json original_ = nlohmann::json::object();
    std::optional<nlohmann::json> value_;
    std::vector<models::PathChange> changes_;
    QString error_;
    int errorLine_ = 0;
    int errorColumn_ = 0;
    bool requireObject_ = true;
};

} // namespace nexus::widgets
