#pragma once
// The replay debugger's breakpoints list: every breakpoint of the session
// (before / after a node, or a state condition in Condition.h's JSON syntax)
// with a check box to enable it, how many positions it holds at, and a
// remove button; below, a row to add one. A condition is checked as it is
// typed and cannot be added while it does not parse.

#include "runtime/Replay.h"

#include <QHash>
#include <QString>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace nexus::widgets {

class ReplayBreakpointsPanel : public QWidget
{
    Q_OBJECT
public:
    enum Column
    {
        KindColumn, // check box: enabled
        WhatColumn,
        HoldsColumn,
        ColumnCount
    };
    enum Kind
    {
        BeforeKind,
        AfterKind,
        ConditionKind
    };

    explicit ReplayBreakpointsPanel(QWidget* parent = nullptr);
    ~ReplayBreakpointsPanel() override;

    // The session whose breakpoints are shown and edited (null: none).
    void setSession(std::shared_ptr<runtime::ReplaySession> session);
    // Node names offered for before / after breakpoints.
    void setNodes(const QStringList& nodes);
    // Shows the session's breakpoints again (after the view changed them).
    void refresh();

    // Adds what the add row describes; false (and the reason shown) when it cannot.
    bool addFromEditor();
    // The add row's condition text is a valid condition ("" = valid, else why not).
    QString conditionError() const { return conditionError_; }

    QTreeWidget* list() const { return list_; }
    QComboBox* kindBox() const { return kind_; }
    QComboBox* nodeBox() const { return node_; }
    QLineEdit* conditionEdit() const { return condition_; }
    QPushButton* addButton() const { return add_; }
    QPushButton* removeButton() const { return remove_; }

public slots:
    void removeSelected();

signals:
    // Added, removed, enabled or disabled.
    void breakpointsChanged();

private:
    void updateEditor();
    void checkCondition();
    void itemToggled(QTreeWidgetItem* item, int column);
    int holdCount(const runtime::Breakpoint& bp) const;

    std::shared_ptr<runtime::ReplaySession> session_;
    QTreeWidget* list_;
    QComboBox* kind_;
    QComboBox* node_;
    QLineEdit* condition_;
    QLabel* conditionStatus_;
    QPushButton* add_;
    QPushButton* remove_;
    QString conditionError_;
    QHash<int, QString> typed_; // conditions as the user typed them, by breakpoint id
    bool filling_ = false;
};

} // namespace nexus::widgets
