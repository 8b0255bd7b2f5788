#pragma once
// Small pieces the knowledge views share: the colours of statuses and
// severities, badges, captions and plain-text value labels. Every text that
// comes from Nexus goes into a PlainText label (or an escaped tooltip).

#include <QColor>
#include <QString>

class QLabel;
class QWidget;

namespace nexus::widgets::knowledgeui {

struct BadgeColors
{
    QColor foreground;
    QColor background;
};

// Keys as knowledgefmt::statusKey ("pending", ...); "" is "all".
BadgeColors statusColors(const QString& statusKey);
// "low" | "medium" | "high" | "critical" (case-insensitive); anything else grey.
BadgeColors severityColors(const QString& severity);
BadgeColors kindColors();

QLabel* makeBadge(QWidget* parent, const QString& objectName);
void setBadge(QLabel* badge, const QString& text, const BadgeColors& colors);

// A selectable, word-wrapped PlainText label for a value from the server.
QLabel* makeValueLabel(QWidget* parent, const QString& objectName);
// A small grey caption ("Mitigation").
QLabel* makeCaption(const QString& text, QWidget* parent);

// A tooltip that shows `text` literally (tooltips guess rich text otherwise).
QString plainToolTip(const QString& text);
// Button text shown literally: '&' would otherwise make a mnemonic.
QString literalButtonText(const QString& text);

} // namespace nexus::widgets::knowledgeui
