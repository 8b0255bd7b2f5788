#include "widgets/KnowledgeBadges.h"

#include "widgets/ThemeStyle.h"

#include <QLabel>

namespace nexus::widgets::knowledgeui {

BadgeColors statusColors(const QString& statusKey)
{
    if (statusKey == QLatin1String("pending"))
        return {QColor(0x8a, 0x4b, 0x00), QColor(0xff, 0xec, 0xc7)};
    if (statusKey == QLatin1String("approved"))
        return {QColor(0x14, 0x5a, 0x2a), QColor(0xd4, 0xf0, 0xdc)};
    if (statusKey == QLatin1String("rejected"))
        return {QColor(0x9b, 0x1c, 0x1c), QColor(0xfb, 0xdc, 0xdc)};
    if (statusKey == QLatin1String("superseded"))
        return {QColor(0x4b, 0x55, 0x63), QColor(0xe5, 0xe7, 0xeb)};
    return {QColor(0x1f, 0x29, 0x37), QColor(0xe8, 0xea, 0xed)};
}

BadgeColors severityColors(const QString& severity)
{
    const QString s = severity.trimmed().toLower();
    if (s == QLatin1String("low"))
        return {QColor(0x1e, 0x40, 0xaf), QColor(0xdb, 0xea, 0xfe)};
    if (s == QLatin1String("medium"))
        return {QColor(0x85, 0x4d, 0x0e), QColor(0xfe, 0xf0, 0x8a)};
    if (s == QLatin1String("high"))
        return {QColor(0xff, 0xff, 0xff), QColor(0xea, 0x58, 0x0c)};
    if (s == QLatin1String("critical"))
        return {QColor(0xff, 0xff, 0xff), QColor(0xb9, 0x1c, 0x1c)};
    return {QColor(0x37, 0x41, 0x51), QColor(0xe5, 0xe7, 0xeb)};
}

BadgeColors kindColors()
{
    return {QColor(0x1e, 0x3a, 0x8a), QColor(0xe0, 0xe7, 0xff)};
}

QLabel* makeBadge(QWidget* parent, const QString& objectName)
{
    auto* badge = new QLabel(parent);
    badge->setObjectName(objectName);
    badge->setTextFormat(Qt::PlainText);
    badge->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    QFont font = badge->font();
    font.setBold(true);
    badge->setFont(font);
    return badge;
}

void setBadge(QLabel* badge, const QString& text, const BadgeColors& colors)
{
    badge->setText(text);
    setThemedStyleSheet(badge,
                        QStringLiteral("QLabel { color: %1; background: %2; border-radius: 8px; "
                                       "padding: 1px 8px; }")
                            .arg(colors.foreground.name(), colors.background.name()));
}

QLabel* makeValueLabel(QWidget* parent, const QString& objectName)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QLabel* makeCaption(const QString& text, QWidget* parent)
{
    auto* caption = new QLabel(text, parent);
    caption->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(caption, QStringLiteral("QLabel { color: #5f6368; font-weight: bold; }"));
    return caption;
}

QString plainToolTip(const QString& text)
{
    return QStringLiteral("<p style='white-space:pre-wrap'>") + text.toHtmlEscaped() +
           QStringLiteral("</p>");
}

QString literalButtonText(const QString& text)
{
    QString escaped = text;
    return escaped.replace(QLatin1Char('&'), QStringLiteral("&&"));
}

} // namespace nexus::widgets::knowledgeui
