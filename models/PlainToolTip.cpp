#include "models/PlainToolTip.h"

#include <QTextDocument>

namespace nexus::models {

QString plainToolTip(const QString& text)
{
    if (text.isEmpty() || !Qt::mightBeRichText(text))
        return text;
    return QStringLiteral("<p style='white-space:pre-wrap'>") + text.toHtmlEscaped() +
           QStringLiteral("</p>");
}

QVariant plainToolTip(const QVariant& tip)
{
    return tip.userType() == QMetaType::QString ? QVariant(plainToolTip(tip.toString())) : tip;
}

} // namespace nexus::models
